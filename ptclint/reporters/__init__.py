"""Output formats: the Reporter protocol, the REPORTERS table, and the ordering and fingerprints
every format shares.

A reporter turns a scan's Report into text. To add a format: write `reporters/<fmt>.py` with a
module-level `render(report: Report) -> str`, add its line to REPORTERS (the `--format` choices
come from it), and add a golden test.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from ptclint import INFORMATION_URI
from ptclint.report import Outcome, Report
from ptclint.rule import Rule


class Reporter(Protocol):
    """What `--format` chooses: one method, the whole report in, the whole text out."""

    def render(self, report: Report) -> str: ...


@dataclass(frozen=True)
class _Module:
    """A reporter module imported when first used (sarif-om alone costs ~70 ms of start-up)."""

    name: str

    def render(self, report: Report) -> str:
        render: Callable[[Report], str] = importlib.import_module(self.name).render
        return render(report)


REPORTERS: dict[str, Reporter] = {
    "table": _Module("ptclint.reporters.table"),
    "json": _Module("ptclint.reporters.json"),
    "sarif": _Module("ptclint.reporters.sarif"),
    "github": _Module("ptclint.reporters.github"),
    "gitlab": _Module("ptclint.reporters.gitlab"),
    "junit": _Module("ptclint.reporters.junit"),
    "markdown": _Module("ptclint.reporters.markdown"),
    "html": _Module("ptclint.reporters.html"),
}


def fingerprint(outcome: Outcome) -> str:
    """Stable across runs and line moves: rule id + resource identity, never a line number."""
    ident = outcome.identity
    raw = "\0".join((outcome.rule_id, ident.fqn(), ident.name))
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def sort_key(outcome: Outcome) -> tuple[str, int, int, str, str, str]:
    o = outcome.origin
    return (o.file, o.line, o.column, outcome.rule_id, str(outcome.identity), outcome.identity.name)


def docs_uri(rule: Rule) -> str:
    """The rule's section in the generated rule documentation."""
    return f"{INFORMATION_URI}/blob/main/docs/rules.md#{rule.id.lower()}"


def level(outcome: Outcome) -> str:
    """A finding's severity as text (error, warning, note)."""
    return outcome.severity.value if outcome.severity else "warning"
