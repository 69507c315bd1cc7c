"""A Markdown summary for `$GITHUB_STEP_SUMMARY` and merge-request comments: the counts, a table
of findings (each rule linked to its documentation), and what could not be judged."""

from __future__ import annotations

from typing import Any

from ptclint import __version__
from ptclint.report import OutcomeKind, Report
from ptclint.reporters import docs_uri, level, sort_key
from ptclint.reporters.table import no_findings, not_judged_lines

_ICON = {"error": "🔴 error", "warning": "🟠 warning", "note": "🔵 note"}


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell: one line, pipes and HTML escaped."""
    text = " ".join(text.split())
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _counts(result: Report) -> list[str]:
    counts = dict.fromkeys(("error", "warning", "note"), 0)
    for f in result.findings:
        counts[level(f)] += 1
    rows = [
        ("Errors", counts["error"]), ("Warnings", counts["warning"]), ("Notes", counts["note"]),
        ("Checks passed", result.count(OutcomeKind.PASS)),
        ("Could not be judged (unknown values)", result.count(OutcomeKind.UNKNOWN)),
        ("Rule evaluation errors", result.count(OutcomeKind.ERROR)),
        ("Rules skipped (input lacks their data)", len({s.rule_id for s in result.skips})),
        ("Coverage gaps", len(result.gaps)),
        ("Input errors", len(result.problems)),
        ("Registries / files", f"{len(result.registries)} / {len(result.files)}"),
    ]
    return ["| | |", "|---|---:|", *(f"| {name} | {value} |" for name, value in rows)]


def render(result: Report) -> str:
    rules = {r.id: r for r in result.rules}
    findings = sorted(result.findings, key=sort_key)
    out = [f"## ptclint {__version__}: {len(findings)} finding{'s' if len(findings) != 1 else ''}"
           f" (exit code {result.exit_code()})", "", *_counts(result), ""]
    if findings:
        out += ["| Severity | Rule | Location | Resource | Message |", "|---|---|---|---|---|"]
        for f in findings:
            rule = rules.get(f.rule_id)
            link = f"[{f.rule_id}]({docs_uri(rule)} \"{cell(rule.title)}\")" if rule else f.rule_id
            out.append(f"| {_ICON[level(f)]} | {link} | `{cell(str(f.origin))}` | "
                       f"{cell(str(f.identity))} | {cell(f.message)} |")
    else:
        out.append(no_findings(result))
    extra = [f"- input error: {cell(str(p))}" for p in result.problems]
    extra += [f"- coverage gap: {cell(g)}" for g in result.gaps]
    extra += [f"- not judged: {cell(line)}" for line in not_judged_lines(result)]
    extra += [f"- {o.rule_id} could not be evaluated on {cell(str(o.identity))}: {cell(o.detail)}"
              for o in sorted((o for o in result.outcomes if o.kind is OutcomeKind.ERROR), key=sort_key)]
    if extra:
        out += ["", "### Not fully judged", "", *extra]
    return "\n".join(out) + "\n"


def audit_summary(doc: dict[str, Any], titles: dict[str, str], previous: list[dict[str, Any]] | None = None) -> str:
    """The HTML audit page's summary in Markdown (`ptclint report --format markdown`), for chat and
    tickets: totals, the trend since the previous report, and findings per rule. Drawn from a JSON
    report document; `titles` maps rule ids to titles."""
    from ptclint.trend import SEVERITIES, compare, counts

    found, summary = counts(doc), doc.get("summary") or {}
    total = sum(found.values())
    out = [f"## ptclint audit {cell(str(doc.get('scannedAt', '?')))}: {total} finding{'s' if total != 1 else ''}"
           f" (exit code {summary.get('exitCode', '?')})", "", "| | |", "|---|---:|"]
    out += [f"| {_ICON[s]}s | {found[s]} |" for s in SEVERITIES]
    out += [f"| Coverage gaps | {len(doc.get('coverageGaps', []))} |",
            f"| Registries | {summary.get('registries', 0)} |"]
    trend = compare(doc, previous or [])
    if trend:
        out += ["", "### Since the previous run", "",
                f"{len(trend.new)} new, {len(trend.fixed)} fixed, {len(trend.unchanged)} unchanged."]
        items = [f"- {label}: {f.get('ruleId')} {cell(str((f.get('resource') or {}).get('fqn', '')))}"
                 for label, found in (("new", trend.new), ("fixed", trend.fixed)) for f in found]
        out += ["", *items] if items else []
        if len(trend.runs) > 2:
            out += ["", "Findings per run: " + ", ".join(f"{cell(r.label)} {r.total}" for r in trend.runs)]
    per_rule: dict[str, list[str]] = {}
    for f in doc.get("findings", []):
        per_rule.setdefault(str(f.get("ruleId")), []).append(str(f.get("severity")))
    if per_rule:
        out += ["", "| Rule | Title | Severity | Findings |", "|---|---|---|---:|"]
        out += [f"| {rid} | {cell(titles.get(rid, ''))} | {_ICON.get(sevs[0], sevs[0])} | {len(sevs)} |"
                for rid, sevs in sorted(per_rule.items(), key=lambda kv: (-len(kv[1]), kv[0]))]
    return "\n".join(out) + "\n"
