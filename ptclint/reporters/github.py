"""GitHub Actions workflow commands: one `::error file=...,line=...::message` annotation a finding.

For repositories without code scanning: the runner turns each line into an annotation on the
file and line. Escaping follows the runner's (actions/toolkit `command.ts`): `%`, CR and LF in
the message; additionally `:` and `,` in property values.
"""

from __future__ import annotations

from ptclint.report import Report
from ptclint.reporters import level, sort_key

# GitHub has error, warning and notice annotations
_COMMAND = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(result: Report) -> str:
    lines = []
    for f in sorted(result.findings, key=sort_key):
        props = {
            "file": f.origin.file.replace("\\", "/"),
            "line": str(max(1, f.origin.line)),
            "col": str(max(1, f.origin.column)),
            "title": f"{f.rule_id} ({f.identity.name or f.identity.key or f.identity.kind})",
        }
        joined = ",".join(f"{k}={escape_property(v)}" for k, v in props.items())
        lines.append(f"::{_COMMAND[level(f)]} {joined}::{escape_data(f.message)}\n")
    for p in result.problems:
        props = {"file": p.file.replace("\\", "/")}
        if p.line is not None:
            props["line"] = str(p.line)
        props["title"] = "ptclint input error"
        joined = ",".join(f"{k}={escape_property(v)}" for k, v in props.items())
        lines.append(f"::error {joined}::{escape_data(p.message)}\n")
    for n in result.not_judged:  # an IaC resource ptclint could not see whole: said where it is written
        props = {"file": n.origin.file.replace("\\", "/"), "line": str(max(1, n.origin.line)),
                 "title": "ptclint: not judged"}
        joined = ",".join(f"{k}={escape_property(v)}" for k, v in props.items())
        lines.append(f"::warning {joined}::{escape_data(f'{n.name}: {n.reason}')}\n")
    return "".join(lines)
