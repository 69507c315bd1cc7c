"""Rules as data: what a rule file says once validated and compiled (no behaviour but lookups)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ptclint.model import Severity


@dataclass(frozen=True)
class Param:
    name: str
    default: Any
    type: str
    description: str


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    title: str
    severity: Severity
    resource: str
    file: str
    line: int
    docs: Mapping[str, str]
    references: tuple[str, ...]
    message_src: str
    assert_src: str
    when_src: str | None = None
    needs: tuple[str, ...] = ()
    supersedes: tuple[str, ...] = ()
    opt_in: bool = False
    at: str | None = None
    tags: tuple[str, ...] = ()
    security_severity: str | None = None
    precision: str = "high"
    params: tuple[Param, ...] = ()
    severity_when: tuple[tuple[str, Severity], ...] = ()
    cause: str | None = None
    cause_when: tuple[tuple[str, str], ...] = ()  # (when source, cause), first true wins
    # compiled forms (ptclint.cel.program.Program)
    when_ast: Any = None
    assert_ast: Any = None
    message_parts: tuple[Any, ...] = ()  # str literals and (ast, source) pairs
    severity_when_asts: tuple[Any, ...] = ()
    cause_when_asts: tuple[Any, ...] = ()
    related_ast: Any = None
    variables: tuple[tuple[str, str], ...] = ()  # (name, expression source), in order
    variable_asts: tuple[tuple[str, Any], ...] = ()  # (name, compiled expression)

    @property
    def category(self) -> str:
        return self.id.rsplit("-", 1)[0]  # PTC-AUTH

    @property
    def default_cause(self) -> str:
        """What a finding blames when no `cause_when` entry applies: `cause`, else the field the
        finding points at, else the rule's own name (a judgement of the whole resource)."""
        return self.cause or self.at or self.name

    def param_defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}


@dataclass
class Catalog:
    rules: list[Rule] = field(default_factory=list)

    def by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}

    def get(self, rule_id: str) -> Rule | None:
        return self.by_id().get(rule_id.upper())
