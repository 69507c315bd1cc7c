"""GitLab Code Quality report (a JSON array; the subset of the Code Climate spec GitLab reads).

GitLab requires description, check_name, fingerprint, severity, location.path and
location.lines.begin per finding; severity is one of info, minor, major, critical, blocker.
"""

from __future__ import annotations

import hashlib
import json  # the standard library's
from typing import Any

from ptclint.report import Outcome, Report
from ptclint.reporters import fingerprint, level, sort_key

SEVERITY = {"error": "critical", "warning": "major", "note": "minor"}


def _fingerprint(o: Outcome) -> str:
    """Unique per finding in one report: GitLab drops entries that share a fingerprint, and two
    units (templates) may hold resources with the same identity, so the file is part of it."""
    raw = f"{fingerprint(o)}\0{o.origin.file}"
    return hashlib.md5(raw.encode(), usedforsecurity=False).hexdigest()


def _entry(o: Outcome, security: bool) -> dict[str, Any]:
    return {
        "type": "issue",
        "description": f"{o.rule_id}: {o.message}",
        "check_name": o.rule_id,
        "categories": ["Security" if security else "Bug Risk"],
        "fingerprint": _fingerprint(o),
        "severity": SEVERITY[level(o)],
        "location": {"path": o.origin.file.replace("\\", "/"), "lines": {"begin": max(1, o.origin.line)}},
    }


def render(result: Report) -> str:
    security = {r.id for r in result.rules if r.security_severity}
    entries = [_entry(f, f.rule_id in security) for f in sorted(result.findings, key=sort_key)]
    return json.dumps(entries, indent=2, ensure_ascii=False) + "\n"
