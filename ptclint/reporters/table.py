"""A readable table for people: one row a finding, most severe first within each file."""

from __future__ import annotations

import shutil
import textwrap
from typing import Any

from ptclint.reporters import sort_key

_ORDER = {"error": 0, "warning": 1, "note": 2}


def render(result: Any) -> str:
    findings = sorted(result.findings, key=lambda f: (sort_key(f)[0], _ORDER[f.severity.value], sort_key(f)[1:]))
    if not findings:
        return "No findings.\n"
    width = max(80, shutil.get_terminal_size((120, 20)).columns)
    rows = [(f.severity.value, f.rule_id, str(f.origin), _resource(f), f.message) for f in findings]
    heads = ("SEVERITY", "RULE", "LOCATION", "RESOURCE", "MESSAGE")
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(heads[:4])]
    msg_width = max(30, width - sum(widths) - 2 * 4)
    lines = ["  ".join(h.ljust(w) for h, w in zip(heads, [*widths, 0])).rstrip()]
    for row in rows:
        wrapped = textwrap.wrap(row[4], msg_width) or [""]
        lines.append("  ".join(c.ljust(w) for c, w in zip(row[:4], widths)) + "  " + wrapped[0])
        pad = " " * (sum(widths) + 2 * 4)
        lines.extend(pad + w for w in wrapped[1:])
    return "\n".join(lines) + "\n"


def _resource(f: Any) -> str:
    ident = f.identity
    return ident.name or str(ident)


def summary(result: Any) -> str:
    """One line for stderr: findings by severity, what was skipped or could not be judged."""
    counts = {s: 0 for s in ("error", "warning", "note")}
    for f in result.findings:
        counts[f.severity.value] += 1
    parts = [", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items())]
    regs = len(result.registries)
    parts[0] += f" in {regs} registr{'y' if regs == 1 else 'ies'} ({len(result.files)} file{'s' if len(result.files) != 1 else ''})"
    from ptclint.model import OutcomeKind

    if result.skips:
        reasons = sorted({s.reason for s in result.skips})
        parts.append(f"{len({s.rule_id for s in result.skips})} rules skipped ({'; '.join(reasons)})")
    unknown = result.count(OutcomeKind.UNKNOWN)
    if unknown:
        parts.append(f"{unknown} checks could not be judged (unknown values)")
    errors = result.count(OutcomeKind.ERROR)
    if errors:
        parts.append(f"{errors} rule evaluation errors")
    if result.gaps:
        parts.append(f"{len(result.gaps)} coverage gaps")
    if result.problems:
        parts.append(f"{len(result.problems)} input errors")
    return "ptclint: " + "; ".join(parts)
