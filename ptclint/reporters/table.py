"""A readable table for people: one row a finding, most severe first within each file."""

from __future__ import annotations

import shutil
import textwrap

from ptclint.report import Outcome, OutcomeKind, Report
from ptclint.reporters import sort_key

_ORDER = {"error": 0, "warning": 1, "note": 2}


def render(result: Report) -> str:
    """One block a finding: severity, rule and place on the first line, the message wrapped below."""
    findings = sorted(result.findings, key=lambda f: (sort_key(f)[0], _ORDER[_level(f)], sort_key(f)[1:]))
    if not findings:  # after input errors, "No findings" would read as a clean bill
        return "" if result.problems else "No findings.\n"
    width = max(60, min(120, shutil.get_terminal_size((100, 20)).columns))
    rule_width = max(len(f.rule_id) for f in findings)
    out = []
    for f in findings:
        out.append(f"{_level(f).upper():<8} {f.rule_id:<{rule_width}}  {f.origin}  {_resource(f)}")
        out.extend(textwrap.wrap(f.message, width - 4, initial_indent="    ", subsequent_indent="    ",
                                 break_on_hyphens=False, break_long_words=False))
        out.append("")
    return "\n".join(out)


def _level(f: Outcome) -> str:
    assert f.severity is not None, "a finding always has a severity"
    return f.severity.value


def _resource(f: Outcome) -> str:
    ident = f.identity
    kind = {"pullThroughCacheRule": "rule", "repositoryCreationTemplate": "template"}.get(ident.kind, ident.kind)
    where = f"{ident.account or '?'}/{ident.region or '?'}"
    return f"[{where} {kind} {ident.name or ident.key}]".replace(" ]", "]")


def summary(result: Report) -> str:
    """One line for stderr: findings by severity, what was skipped or could not be judged."""
    counts = dict.fromkeys(("error", "warning", "note"), 0)
    for f in result.findings:
        counts[_level(f)] += 1
    parts = [", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items())]
    regs = len(result.registries)
    files = len(result.files)
    parts[0] += f" in {regs} registr{'y' if regs == 1 else 'ies'} ({files} file{'s' if files != 1 else ''})"
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
