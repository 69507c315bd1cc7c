"""What a scan produced: one outcome per (rule, resource), the skips, the input problems, and the
exit code they add up to. The inventory that was judged (registries, resources, origins, lookups)
is in ptclint.model; reporters read only this module's Report.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ptclint.model import NotJudged, Origin, Registry, Severity

if TYPE_CHECKING:  # the catalog is not needed to read a report, only to type it
    from ptclint.rule import Rule

# Exit codes (README "Exit codes"): when several apply, the highest wins.
EXIT_OK, EXIT_FINDINGS, EXIT_ERROR, EXIT_PARTIAL = 0, 1, 2, 3


class OutcomeKind(str, enum.Enum):
    NOT_APPLICABLE = "notApplicable"
    PASS = "pass"
    FINDING = "finding"
    UNKNOWN = "unknown"  # the rule touched a value the input could not resolve
    ERROR = "error"  # the rule failed to evaluate; the run is partial


@dataclass(frozen=True)
class Identity:
    """Names a judged resource independently of line numbers."""

    account: str
    region: str
    kind: str
    key: str  # prefix for rules and templates, "" for the registry
    name: str = ""  # IaC logical id / address when there is one

    def fqn(self, partition: str = "aws") -> str:
        kind = {
            "pullThroughCacheRule": "pull-through-cache-rule",
            "repositoryCreationTemplate": "repository-creation-template",
            "iamPolicy": "iam-policy",
            "registry": "registry",
        }[self.kind]
        tail = f"/{self.key}" if self.key else ""
        return f"aws/{partition}/{self.account or '-'}/{self.region or '-'}/ecr/{kind}{tail}"

    def __str__(self) -> str:
        base = f"{self.account or '?'}/{self.region or '?'}/{self.kind}"
        return f"{base}/{self.key}" if self.key else base


@dataclass(frozen=True)
class Outcome:
    """The one outcome of one rule on one resource."""

    rule_id: str
    kind: OutcomeKind
    identity: Identity
    origin: Origin
    severity: Severity | None = None
    message: str = ""
    related: tuple[tuple[str, Origin], ...] = ()
    detail: str = ""  # why unknown / the evaluation error
    cause: str = ""  # a finding's cause (Rule.cause): what on the resource it blames


def causes_overlap(a: str, b: str) -> bool:
    """Two causes name the same mistake: equal, or one is a dotted prefix of the other
    (`credentialArn` blames the whole ARN, `credentialArn.account` a part of it)."""
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


@dataclass(frozen=True)
class Skip:
    """A rule that did not run on a registry because the input does not carry what it needs."""

    rule_id: str
    registry: str
    reason: str


@dataclass(frozen=True)
class InputProblem:
    """A file or lookup that could not be read; reported, and the rest is still judged."""

    file: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        place = self.file
        if self.line is not None:
            place += f":{self.line}"
            if self.column is not None:
                place += f":{self.column}"
        return f"{place}: {self.message}"


@dataclass(frozen=True)
class Report:
    """Everything one scan produced, and what it was judged on."""

    rules: list[Rule]
    outcomes: list[Outcome]
    skips: list[Skip]
    problems: list[InputProblem]
    registries: list[Registry]
    files: list[str]
    fail_on: str
    allow_partial: bool
    started: datetime
    root: str = ""  # the directory paths are relative to (rootpaths.py); "" = the working directory

    @property
    def findings(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.kind is OutcomeKind.FINDING]

    def count(self, kind: OutcomeKind) -> int:
        return sum(1 for o in self.outcomes if o.kind is kind)

    @property
    def gaps(self) -> list[str]:
        return [f"{r.label()}: {g}" for r in self.registries for g in r.gaps]

    @property
    def not_judged(self) -> list[NotJudged]:
        """IaC resources the loaders could not see whole (unknown instances, modules not on disk).
        Like unknown values they do not change the exit code, but every report names them."""
        return sorted((n for r in self.registries for n in r.not_judged),
                      key=lambda n: (n.origin.file, n.origin.line, n.name))

    @property
    def partial(self) -> bool:
        return bool(self.gaps) or self.count(OutcomeKind.ERROR) > 0

    def exit_code(self) -> int:
        codes = [EXIT_OK]
        if self.fail_on != "never":
            threshold = Severity(self.fail_on)
            if any(o.severity and o.severity.rank >= threshold.rank for o in self.findings):
                codes.append(EXIT_FINDINGS)
        if self.problems:
            codes.append(EXIT_ERROR)
        if self.partial and not self.allow_partial:
            codes.append(EXIT_PARTIAL)
        return max(codes)
