"""The normalized model every loader produces and the engine judges.

Resources keep the ECR API's field names; every value can be traced back to where it was read.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


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
class PartlyKnown(Unknown):
    """An unknown string whose beginning is known: a Terraform `name_prefix`, a literal prefix joined
    with an unresolved suffix (`"ecr-pullthroughcache/${var.env}"`, `format()`, `Fn::Sub`, `Fn::Join`).

    It is an `Unknown` to everything that does not ask for more, so no rule can mistake it for a
    value; the name-prefix helpers of the rule library (`rulelib.values.starts_with_known`) judge
    it on `prefix` where the prefix alone decides."""

    prefix: str = ""

    def __repr__(self) -> str:
        return f"<unknown: {self.prefix!r}...: {self.reason}>"


def partly_known(unknown: Unknown, known: str) -> Unknown:
    """The unknown a string becomes when `known` text comes before the unresolved `unknown` part:
    a `PartlyKnown` with that beginning (plus what `unknown` knows of its own), so the rules that
    judge a name's prefix can judge it (`"ecr-pullthroughcache/${var.env}"`, `Fn::Sub`, `Fn::Join`)."""
    prefix = known + (unknown.prefix if isinstance(unknown, PartlyKnown) else "")
    return PartlyKnown(unknown.reason, prefix) if prefix else unknown


@dataclass(frozen=True)
class UnknownLeaves(Unknown):
    """An encoded JSON document (Terraform `jsonencode`, a policy document) some of whose leaves are
    unknown: `document` keeps its structure with `Unknown` leaves, so a policy statement that is fully
    known can still decide a rule and the keys of a secret value are known when its values are not.
    Everything else sees an `Unknown` (the text as a whole is not known)."""

    document: Any = field(default=None, compare=False, hash=False)

    def __repr__(self) -> str:
        return f"<unknown leaves: {self.reason}>"


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
class NotJudged:
    """A resource (or module) of an IaC unit that ptclint could not see whole: instances that depend
    on something it cannot evaluate, a module that is not on disk. Listed in every report's
    summary, so an input whose resources were not seen never reads as "No findings"."""

    name: str  # the Terraform address (with `[?]` for an unknown instance key) or the module call
    reason: str  # why, naming the function or reference; never a value
    origin: Origin


@dataclass(frozen=True)
class Lookup:
    """A secret, role or policy looked up by the collector, with what the lookup found."""

    status: Status
    data: Mapping[str, Any] = field(default_factory=dict)
    origin: Origin | None = None


class DataKind(str, enum.Enum):
    """What a rule can need from its registry. An input carries some kinds of data and not others
    (an AWS CLI rules export has no secrets); a rule that needs a kind the registry lacks is
    skipped with `MISSING[kind]`, never judged on absent data. `schemas/rule.schema.json`'s
    `needs` enum is exactly this enum (a test checks it)."""

    RULES = "rules"
    TEMPLATES = "templates"
    REGISTRY_POLICY = "registryPolicy"
    SECRETS = "secrets"
    ROLES = "roles"
    PLAN_CHANGES = "planChanges"
    IAM_POLICIES = "iamPolicies"
    ACCOUNT = "account"
    REGION = "region"


MISSING: dict[DataKind, str] = {
    DataKind.RULES: "pull through cache rules not in this input",
    DataKind.TEMPLATES: "creation templates not in this input",
    DataKind.SECRETS: "secret metadata not in this input",
    DataKind.ROLES: "IAM role data not in this input",
    DataKind.REGISTRY_POLICY: "registry policy not in this input",
    DataKind.ACCOUNT: "registry account unknown (use --account)",
    DataKind.REGION: "registry region unknown (use --region)",
    DataKind.PLAN_CHANGES: "no Terraform plan changes in this input",
    DataKind.IAM_POLICIES: "no IAM policies in this input",
}

# Statuses under which a registry holds a kind of data a rule can judge. "No registry policy" is
# data (the registry has none); a collection that was not found, denied or not collected is not.
_JUDGEABLE = {DataKind.REGISTRY_POLICY: (Status.FOUND, Status.NOT_FOUND)}
_COLLECTION_NAMES = {DataKind.RULES: "pullThroughCacheRules", DataKind.TEMPLATES: "repositoryCreationTemplates"}


@dataclass
class Registry:
    """One (account, region): the unit cross-resource rules judge.

    `coverage` records, per kind of data, what the input said about it: carried (FOUND), denied,
    or not collected (absent). Rules about something missing ("no template applies") only run on
    a registry that carries that kind of data. A loader fills a registry in; the scan merges
    registries that describe the same (account, region) and then only reads them.
    """

    account: str
    region: str
    partition: str = "aws"
    source: str = "export"  # export | live | iac
    origin: Origin | None = None
    rules: list[Resource] = field(default_factory=list)
    templates: list[Resource] = field(default_factory=list)
    iam_policies: list[Resource] = field(default_factory=list)  # IaC: {PolicyName, document, roles?}
    registry_policy: Lookup | None = None
    secrets: dict[str, Lookup] = field(default_factory=dict)
    roles: dict[str, Lookup] = field(default_factory=dict)
    upstream_policies: dict[str, Lookup] = field(default_factory=dict)  # ECR upstream host -> its registry policy
    plan_changes: list[dict[str, Any]] = field(default_factory=list)  # Terraform plan: {address, type, actions, ...}
    coverage: dict[DataKind, Status] = field(default_factory=lambda: {DataKind.RULES: Status.FOUND})
    errors: list[dict[str, Any]] = field(default_factory=list)  # failed API calls as the snapshot records them
    not_judged: list[NotJudged] = field(default_factory=list)  # IaC resources the loader could not see whole

    @property
    def key(self) -> tuple[str, str]:
        return (self.account, self.region)

    def label(self) -> str:
        return f"{self.account or '?'}/{self.region or '?'}"

    def carries(self, kind: DataKind, status: Status = Status.FOUND) -> None:
        """Record what the input said about a kind of data (by default: it carries it)."""
        self.coverage[kind] = status

    def has(self, kind: DataKind) -> bool:
        """Whether rules that need `kind` can be judged on this registry."""
        if kind is DataKind.ACCOUNT:
            return bool(self.account)
        if kind is DataKind.REGION:
            return bool(self.region)
        if kind is DataKind.REGISTRY_POLICY and self.registry_policy is not None:
            return self.registry_policy.status in _JUDGEABLE[kind]
        return self.coverage.get(kind) in _JUDGEABLE.get(kind, (Status.FOUND,))

    def join(self, other: Registry) -> None:
        """Take in another input's view of the same registry."""
        self.account = self.account or other.account
        self.region = self.region or other.region
        self.rules.extend(other.rules)
        self.templates.extend(other.templates)
        self.iam_policies.extend(other.iam_policies)
        self.plan_changes.extend(other.plan_changes)
        self.registry_policy = self.registry_policy or other.registry_policy
        self.secrets.update(other.secrets)
        self.roles.update(other.roles)
        self.errors.extend(other.errors)
        self.not_judged.extend(other.not_judged)
        for kind, status in other.coverage.items():
            if kind not in self.coverage or status is Status.FOUND:
                self.coverage[kind] = status

    @property
    def gaps(self) -> list[str]:
        """What could not be covered (access denied, failed API calls): these make a run partial."""
        denied = Status.ACCESS_DENIED
        out = [f"{name}: access denied" for kind, name in _COLLECTION_NAMES.items()
               if self.coverage.get(kind) is denied]
        if self.registry_policy is not None and self.registry_policy.status is denied:
            out.append("registryPolicy: access denied")
        seen: set[int] = set()
        for what, table in (("secret", self.secrets), ("role", self.roles),
                            ("upstream registry policy", self.upstream_policies)):
            for key, lookup in table.items():
                if lookup.status is denied and id(lookup) not in seen:  # a lookup linked under two keys counts once
                    seen.add(id(lookup))
                    out.append(f"{what} {key}: access denied")
        out.extend(f"{e['operation']}: {e.get('code', 'error')}: {e['message']}" for e in self.errors)
        return out
