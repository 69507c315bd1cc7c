"""The normalized model every loader produces and the engine judges.

Resources keep the ECR API's field names; every value can be traced back to where it was read.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Mapping


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self) -> int:
        return {"note": 1, "warning": 2, "error": 3}[self.value]


class Status(str, enum.Enum):
    """What a lookup of a secret, role, policy or collection found."""

    FOUND = "found"
    NOT_FOUND = "notFound"
    ACCESS_DENIED = "accessDenied"
    NOT_COLLECTED = "notCollected"


@dataclass(frozen=True)
class Unknown:
    """A value an IaC input could not resolve statically. Never produces a finding."""

    reason: str

    def __repr__(self) -> str:
        return f"<unknown: {self.reason}>"


@dataclass(frozen=True)
class Origin:
    """Where a value was read: a file position (1-based) or, for live data, the snapshot written."""

    file: str
    line: int = 1
    column: int = 1
    pointer: str = ""  # JSON pointer or logical path inside the file

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Resource:
    """A PTC rule, a creation template, or the registry itself, in ECR API shape."""

    kind: str  # pullThroughCacheRule | repositoryCreationTemplate | iamPolicy | registry
    data: Mapping[str, Any]
    origin: Origin
    field_origins: Mapping[str, Origin] = field(default_factory=dict)
    name: str = ""  # IaC logical id / Terraform address, "" for API data

    def origin_of(self, field_name: str | None) -> Origin:
        if field_name and field_name in self.field_origins:
            return self.field_origins[field_name]
        return self.origin


@dataclass(frozen=True)
class Lookup:
    """A secret, role or policy looked up by the collector, with what the lookup found."""

    status: Status
    data: Mapping[str, Any] = field(default_factory=dict)
    origin: Origin | None = None


@dataclass
class Registry:
    """One (account, region): the unit cross-resource rules judge.

    `templates_known` says whether the input carries creation templates at all, so that
    "no template applies" is never said of an input that simply has none.
    """

    account: str
    region: str
    partition: str = "aws"
    source: str = "export"  # export | live | iac
    origin: Origin | None = None
    rules: list[Resource] = field(default_factory=list)
    templates: list[Resource] = field(default_factory=list)
    iam_policies: list[Resource] = field(default_factory=list)  # IaC: {PolicyName, document, roles?}
    templates_known: bool = False
    rules_known: bool = True
    registry_policy: Lookup | None = None
    secrets: dict[str, Lookup] = field(default_factory=dict)
    roles: dict[str, Lookup] = field(default_factory=dict)
    upstream_policies: dict[str, Lookup] = field(default_factory=dict)  # ECR upstream host -> Lookup of its registry policy
    plan_changes: list[dict[str, Any]] = field(default_factory=list)  # Terraform plan: {address, type, actions, before, after}
    gaps: list[str] = field(default_factory=list)  # lookups that could not be covered (partial run)
    errors: list[dict[str, Any]] = field(default_factory=list)  # failed API calls as the snapshot records them
    data_kinds: set[str] = field(default_factory=set)  # secrets, roles, registryPolicy: carried by the input

    @property
    def key(self) -> tuple[str, str]:
        return (self.account, self.region)

    def label(self) -> str:
        return f"{self.account or '?'}/{self.region or '?'}"
