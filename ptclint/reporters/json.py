"""Versioned JSON output (schemas/findings.schema.json): what scripts and dashboards read."""

from __future__ import annotations

import json  # the standard library's: imports are absolute, this module is ptclint.reporters.json
from typing import Any

from ptclint import __version__
from ptclint.model import Origin
from ptclint.report import Outcome, OutcomeKind, Report
from ptclint.reporters import fingerprint, sort_key

FORMAT_VERSION = 1


def _resource(o: Outcome) -> dict[str, Any]:
    i = o.identity
    out: dict[str, Any] = {"account": i.account, "region": i.region, "kind": i.kind, "key": i.key, "fqn": i.fqn()}
    if i.name:
        out["name"] = i.name
    return out


def _origin(origin: Origin) -> dict[str, Any]:
    loc: dict[str, Any] = {"file": origin.file, "line": origin.line, "column": origin.column}
    if origin.pointer:
        loc["pointer"] = origin.pointer
    return loc


def _location(o: Outcome) -> dict[str, Any]:
    return _origin(o.origin)


def document(result: Report) -> dict[str, Any]:
    rules = {r.id: r for r in result.rules}
    findings = sorted(result.findings, key=sort_key)

    def by_kind(kind: OutcomeKind) -> list[Outcome]:
        return sorted((o for o in result.outcomes if o.kind is kind), key=sort_key)

    counts = {s: sum(1 for f in findings if f.severity and f.severity.value == s) for s in ("error", "warning", "note")}
    return {
        "ptclintFindings": FORMAT_VERSION,
        "tool": {"name": "ptclint", "version": __version__},
        "scannedAt": result.started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "summary": {
            "findings": counts,
            "passed": result.count(OutcomeKind.PASS),
            "notApplicable": result.count(OutcomeKind.NOT_APPLICABLE),
            "unknown": result.count(OutcomeKind.UNKNOWN),
            "evaluationErrors": result.count(OutcomeKind.ERROR),
            "skipped": len(result.skips),
            "inputProblems": len(result.problems),
            "registries": len(result.registries),
            "rulesRun": len(result.rules),
            "partial": result.partial,
            **({"notJudged": len(result.not_judged)} if result.not_judged else {}),
            "exitCode": result.exit_code(),
        },
        "findings": [
            {
                "ruleId": f.rule_id,
                "ruleName": rules[f.rule_id].name,
                "severity": f.severity.value if f.severity else None,
                "message": f.message,
                "location": _location(f),
                "resource": _resource(f),
                "fingerprint": fingerprint(f),
                **({"related": [{**_origin(origin), "label": label} for label, origin in f.related]}
                   if f.related else {}),
            }
            for f in findings
        ],
        "unknown": [
            {"ruleId": o.rule_id, "reason": o.detail, "location": _location(o), "resource": _resource(o)}
            for o in by_kind(OutcomeKind.UNKNOWN)
        ],
        "evaluationErrors": [
            {"ruleId": o.rule_id, "error": o.detail, "location": _location(o), "resource": _resource(o)}
            for o in by_kind(OutcomeKind.ERROR)
        ],
        "skipped": [{"ruleId": s.rule_id, "registry": s.registry, "reason": s.reason}
                    for s in sorted(result.skips, key=lambda s: (s.registry, s.rule_id))],
        "inputProblems": [
            {k: v for k, v in {"file": p.file, "line": p.line, "column": p.column, "message": p.message}.items()
             if v is not None}
            for p in result.problems
        ],
        "coverageGaps": result.gaps,
        **_not_judged(result),
        "registries": sorted({(r.account, r.region): {"account": r.account, "region": r.region}
                              for r in result.registries}.values(), key=lambda r: (r["account"], r["region"])),
    }


def _not_judged(result: Report) -> dict[str, Any]:
    """`notJudged`, only when an IaC input has resources ptclint could not see whole (so reports of
    inputs it saw whole keep their shape)."""
    if not result.not_judged:
        return {}
    return {"notJudged": [{"resource": n.name, "reason": n.reason, "location": _origin(n.origin)}
                          for n in result.not_judged]}


def render(result: Report) -> str:
    return json.dumps(document(result), indent=2, ensure_ascii=False) + "\n"
