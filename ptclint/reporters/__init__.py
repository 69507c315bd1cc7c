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

from ptclint.report import Outcome, Report


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
}


def fingerprint(outcome: Outcome) -> str:
    """Stable across runs and line moves: rule id + resource identity, never a line number."""
    ident = outcome.identity
    raw = "\0".join((outcome.rule_id, ident.fqn(), ident.name))
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def sort_key(outcome: Outcome) -> tuple[str, int, int, str, str, str]:
    o = outcome.origin
    return (o.file, o.line, o.column, outcome.rule_id, str(outcome.identity), outcome.identity.name)
