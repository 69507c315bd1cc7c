"""Output formats. Each module exposes `render(result) -> str`; all order results the same way."""

from __future__ import annotations

import hashlib
from typing import Callable

from ptclint.report import Outcome


def fingerprint(outcome: Outcome) -> str:
    """Stable across runs and line moves: rule id + resource identity, never a line number."""
    ident = outcome.identity
    raw = "\0".join((outcome.rule_id, ident.fqn(), ident.name))
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def sort_key(outcome: Outcome) -> tuple:
    o = outcome.origin
    return (o.file, o.line, o.column, outcome.rule_id, str(outcome.identity), outcome.identity.name)


def renderer(fmt: str) -> Callable[..., str]:
    if fmt == "json":
        from ptclint.reporters.json_report import render
    elif fmt == "sarif":
        from ptclint.reporters.sarif import render
    else:
        from ptclint.reporters.table import render
    return render
