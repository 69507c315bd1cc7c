"""One self-contained HTML page for an audit (`--format html`, `ptclint report`).

Drawn from the JSON report document (reporters/json.py), so `ptclint report` can draw it from a
saved or merged report: totals by severity; an account x Region matrix coloured by each registry's
worst finding, with coverage gaps marked; findings grouped by rule with the rule's documentation and
fix; what could not be judged; and, given earlier reports, the trend (new, fixed, unchanged by
fingerprint) with an inline SVG chart of the counts per run.

No external script, font, stylesheet or image: inline CSS and one line of inline script (opens
every <details> before printing). Every text that came from the input is escaped. Readable in light
and dark mode (`prefers-color-scheme`), printable (`@media print`), keyboard-usable (a skip link,
native <details>, visible focus).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from html import escape
from typing import Any

from ptclint.report import Report
from ptclint.reporters import docs_uri
from ptclint.rule import Rule
from ptclint.trend import SEVERITIES, Trend, compare, counts

_RANK = {s: i for i, s in enumerate(reversed(SEVERITIES), 1)}  # note 1, warning 2, error 3


@dataclass(frozen=True)
class RuleDoc:
    """What the page says about a rule: its title, what it checks, the fix, and its documentation."""

    title: str
    what: str
    fix: str
    uri: str

    @classmethod
    def of(cls, rule: Rule) -> RuleDoc:
        return cls(rule.title, rule.docs.get("what", ""), rule.docs.get("fix", ""), docs_uri(rule))


def e(value: Any) -> str:
    """Text safe in HTML content and in quoted attribute values."""
    return escape(str(value), quote=True)


def render(report: Report) -> str:
    from ptclint.reporters.json import document

    return page(document(report), {r.id: RuleDoc.of(r) for r in report.rules})


def page(doc: dict[str, Any], rules: dict[str, RuleDoc], previous: list[dict[str, Any]] | None = None,
         title: str = "ptclint audit") -> str:
    trend = compare(doc, previous or [])
    total = len(doc.get("findings", []))
    body = [
        '<a class="skip" href="#main">Skip to the findings summary</a>',
        f"<header><h1>{e(title)}</h1><p>Scanned {e(doc.get('scannedAt', '?'))} by ptclint "
        f"{e((doc.get('tool') or {}).get('version', '?'))}: <strong>{total}</strong> finding"
        f"{'' if total == 1 else 's'}, exit code {e((doc.get('summary') or {}).get('exitCode', '?'))}.</p>",
        _nav(trend is not None), "</header>",
        '<main id="main" tabindex="-1">', _totals(doc), _matrix(doc),
        *([_trend(trend)] if trend else []), _rules(doc, rules), _unjudged(doc), "</main>",
    ]
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; '
        'script-src \'unsafe-inline\'; img-src data:">',
        f"<title>{e(title)}</title>", f"<style>{CSS}</style>", "</head>", "<body>", *body,
        "<script>addEventListener('beforeprint',function(){document.querySelectorAll('details')"
        ".forEach(function(d){d.open=true})})</script>",
        "</body>", "</html>", "",
    ])


def _nav(trend: bool) -> str:
    links = [("totals", "Totals"), ("matrix", "Accounts and Regions"), *([("trend", "Trend")] if trend else []),
             ("rules", "Findings by rule"), ("unjudged", "Not judged")]
    return '<nav aria-label="Sections"><ul>' + "".join(f'<li><a href="#{a}">{t}</a></li>' for a, t in links) \
        + "</ul></nav>"


def _totals(doc: dict[str, Any]) -> str:
    found = counts(doc)
    summary = doc.get("summary") or {}
    rows = [(s, s.capitalize() + "s", found[s]) for s in SEVERITIES]
    extra = [("passed", "Checks passed", summary.get("passed", 0)),
             ("unknown", "Could not be judged (unknown values)", summary.get("unknown", 0)),
             ("evaluationErrors", "Rule evaluation errors", summary.get("evaluationErrors", 0)),
             ("coverageGaps", "Coverage gaps", len(doc.get("coverageGaps", []))),
             ("registries", "Registries", summary.get("registries", 0))]
    cells = "".join(f'<tr class="sev-{s}"><th scope="row">{e(label)}</th><td data-total="{s}">{e(n)}</td></tr>'
                    for s, label, n in rows)
    cells += "".join(f'<tr><th scope="row">{e(label)}</th><td data-total="{k}">{e(n)}</td></tr>'
                     for k, label, n in extra)
    return (f'<section id="totals" aria-labelledby="totals-h"><h2 id="totals-h">Totals</h2>'
            f'<table class="totals"><tbody>{cells}</tbody></table></section>')


def _registries(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """The (account, Region) pairs of the report: its registries list, else what its entries name."""
    pairs = {(str(r.get("account", "")), str(r.get("region", ""))) for r in doc.get("registries", [])}
    for name in ("findings", "unknown", "evaluationErrors"):
        pairs |= {(str(x["resource"].get("account", "")), str(x["resource"].get("region", "")))
                  for x in doc.get(name, []) if isinstance(x.get("resource"), dict)}
    pairs |= {_gap_key(g) for g in doc.get("coverageGaps", [])}
    return sorted(pairs)


def _gap_key(gap: str) -> tuple[str, str]:
    """The (account, Region) a coverage gap names: it starts with `account/region: `."""
    label = str(gap).split(": ", 1)[0]
    account, _, region = label.partition("/")
    return ("" if account == "?" else account, "" if region == "?" else region)


def _matrix(doc: dict[str, Any]) -> str:
    pairs = _registries(doc)
    accounts = sorted({a for a, _ in pairs})
    regions = sorted({r for _, r in pairs})
    worst: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(SEVERITIES, 0))
    for f in doc.get("findings", []):
        res = f.get("resource") or {}
        if f.get("severity") in SEVERITIES:
            worst[(str(res.get("account", "")), str(res.get("region", "")))][f["severity"]] += 1
    gaps: dict[tuple[str, str], int] = defaultdict(int)
    for g in doc.get("coverageGaps", []):
        gaps[_gap_key(g)] += 1
    head = "".join(f'<th scope="col">{e(r or "(no Region)")}</th>' for r in regions)
    rows = []
    for account in accounts:
        cells = "".join(_cell(account, region, (account, region) in set(pairs), worst.get((account, region)),
                              gaps.get((account, region), 0)) for region in regions)
        rows.append(f'<tr><th scope="row">{e(account or "(no account)")}</th>{cells}</tr>')
    legend = ('<p class="legend">Each cell: the registry\'s findings by severity, coloured by the worst '
              '(<span class="sev-error">error</span>, <span class="sev-warning">warning</span>, '
              '<span class="sev-note">note</span>, <span class="clean">none</span>); '
              '<span class="gap">⚠ gap</span>: some data of that registry could not be collected '
              '(see Not judged); — : not in this audit.</p>')
    return (f'<section id="matrix" aria-labelledby="matrix-h"><h2 id="matrix-h">Accounts and Regions</h2>{legend}'
            f'<div class="scroll"><table class="matrix"><thead><tr><th scope="col">Account</th>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div></section>')


def _cell(account: str, region: str, present: bool, found: dict[str, int] | None, gaps: int) -> str:
    if not present:
        return '<td class="absent" data-registry="">—</td>'
    found = found or dict.fromkeys(SEVERITIES, 0)
    top = next((s for s in SEVERITIES if found[s]), "")
    parts = [f"{found[s]} {s[0].upper()}" for s in SEVERITIES if found[s]] or ["0"]
    classes = [f"sev-{top}" if top else "clean", *(["gap"] if gaps else [])]
    label = ", ".join(f"{found[s]} {s}" for s in SEVERITIES if found[s]) or "no findings"
    marker = f' <span class="gapmark">⚠ {gaps} gap{"s" if gaps != 1 else ""}</span>' if gaps else ""
    return (f'<td class="{" ".join(classes)}" data-registry="{e(account)}/{e(region)}" data-worst="{top}" '
            f'title="{e(account)}/{e(region)}: {e(label)}">{e(" ".join(parts))}{marker}</td>')


def _finding_rows(findings: list[dict[str, Any]], with_rule: bool = False) -> str:
    rows = []
    for f in findings:
        loc, res = f.get("location") or {}, f.get("resource") or {}
        rule = f'<td>{e(f.get("ruleId", ""))}</td>' if with_rule else ""
        rows.append(f'<tr data-fingerprint="{e(f.get("fingerprint", ""))}"><td class="sev-{e(f.get("severity"))}">'
                    f'{e(f.get("severity", ""))}</td>{rule}<td><code>{e(res.get("fqn", ""))}</code>'
                    f'{"<br>" + e(res["name"]) if res.get("name") else ""}</td>'
                    f'<td><code>{e(loc.get("file", ""))}:{e(loc.get("line", ""))}</code></td>'
                    f'<td>{e(f.get("message", ""))}</td></tr>')
    return "".join(rows)


def _table(findings: list[dict[str, Any]], with_rule: bool = False, attr: str = "") -> str:
    rule = '<th scope="col">Rule</th>' if with_rule else ""
    return (f'<div class="scroll"><table class="findings"><thead><tr><th scope="col">Severity</th>{rule}'
            f'<th scope="col">Resource</th>'
            f'<th scope="col">Location</th><th scope="col">Message</th></tr></thead>'
            f'<tbody{attr}>{_finding_rows(findings, with_rule)}</tbody></table></div>')


def _rules(doc: dict[str, Any], rules: dict[str, RuleDoc]) -> str:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for f in doc.get("findings", []):
        groups[str(f.get("ruleId", ""))].append(f)
    order = sorted(groups, key=lambda r: (-max(_RANK.get(str(f.get("severity")), 0) for f in groups[r]), r))
    parts = []
    for rule_id in order:
        found, info = groups[rule_id], rules.get(rule_id)
        name = found[0].get("ruleName", "")
        top = min((str(f.get("severity")) for f in found), key=lambda s: -_RANK.get(s, 0))
        docs = (f'<p>{e(info.what)}</p><p><strong>Fix.</strong> {e(info.fix)}</p>'
                f'<p><a href="{e(info.uri)}">Documentation for {e(rule_id)}</a></p>') if info else \
            "<p>This rule is not in the catalog used for this page (pass its directory with --rules).</p>"
        parts.append(f'<details id="rule-{e(rule_id.lower())}" data-rule="{e(rule_id)}"><summary>'
                     f'<span class="sev-{e(top)}">{e(top)}</span> <strong>{e(rule_id)}</strong> {e(name)}: '
                     f'{e(info.title if info else "")} — <span data-rule-count>{len(found)}</span></summary>'
                     f'{docs}{_table(found)}</details>')
    content = "".join(parts) or "<p>No findings.</p>"
    return f'<section id="rules" aria-labelledby="rules-h"><h2 id="rules-h">Findings by rule</h2>{content}</section>'


def _trend(trend: Trend) -> str:
    figures = "".join(f'<tr><th scope="row">{label}</th><td data-trend="{key}">{len(items)}</td></tr>'
                      for key, label, items in (("new", "New since the previous run", trend.new),
                                                ("fixed", "Fixed since the previous run", trend.fixed),
                                                ("unchanged", "Unchanged", trend.unchanged)))
    lists = "".join(
        f'<details{" open" if items and len(items) <= 50 else ""}><summary>{label} ({len(items)})</summary>'
        f'{_table(items, True, f" data-trend-list={chr(34)}{key}{chr(34)}")}</details>'
        for key, label, items in (("new", "New findings", trend.new), ("fixed", "Fixed findings", trend.fixed)))
    chart = _chart(trend) if len(trend.runs) > 2 else ""
    return (f'<section id="trend" aria-labelledby="trend-h"><h2 id="trend-h">Trend</h2>'
            f'<table class="totals"><tbody>{figures}</tbody></table>{chart}{lists}</section>')


def _chart(trend: Trend) -> str:
    """Stacked bars of findings by severity, one per run, oldest on the left."""
    width, height, bar = 60 * len(trend.runs) + 40, 180, 36
    top = max(1, max(r.total for r in trend.runs))
    scale = (height - 50) / top
    shapes = []
    for i, run in enumerate(trend.runs):
        x, y = 30 + 60 * i, float(height - 30)
        for sev in reversed(SEVERITIES):
            h = run.counts[sev] * scale
            if h:
                y -= h
                shapes.append(f'<rect class="bar-{sev}" x="{x}" y="{y:.1f}" width="{bar}" height="{h:.1f}">'
                              f"<title>{e(run.label)}: {run.counts[sev]} {sev}</title></rect>")
        shapes.append(f'<text x="{x + bar / 2}" y="{y - 4:.1f}" text-anchor="middle">{run.total}</text>')
        shapes.append(f'<text x="{x + bar / 2}" y="{height - 12}" text-anchor="middle" class="small">'
                      f"{e(run.label[:10])}</text>")
    summary = "; ".join(f"{r.label}: {r.total}" for r in trend.runs)
    return (f'<figure><svg role="img" aria-label="Findings per run: {e(summary)}" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">{"".join(shapes)}</svg>'
            f"<figcaption>Findings per run (errors, warnings, notes), oldest first.</figcaption></figure>")


def _unjudged(doc: dict[str, Any]) -> str:
    items = [f"<li>coverage gap: {e(g)}</li>" for g in doc.get("coverageGaps", [])]
    items += [f"<li>input error: {e(p.get('file', ''))}:{e(p.get('line', ''))}: {e(p.get('message', ''))}</li>"
              for p in doc.get("inputProblems", [])]
    items += [f"<li>{e(o.get('ruleId'))} could not be evaluated on <code>{e((o.get('resource') or {}).get('fqn'))}"
              f"</code>: {e(o.get('error'))}</li>" for o in doc.get("evaluationErrors", [])]
    items += [f"<li>{e(o.get('ruleId'))} could not judge <code>{e((o.get('resource') or {}).get('fqn'))}</code>: "
              f"{e(o.get('reason'))}</li>" for o in doc.get("unknown", [])]
    items += [f"<li><code>{e(n.get('resource'))}</code> ({e((n.get('location') or {}).get('file', ''))}:"
              f"{e((n.get('location') or {}).get('line', ''))}) not judged: {e(n.get('reason'))}</li>"
              for n in doc.get("notJudged", [])]
    skipped = sorted({(str(s.get("ruleId")), str(s.get("reason"))) for s in doc.get("skipped", [])})
    items += [f"<li>{e(rule)} skipped: {e(reason)}</li>" for rule, reason in skipped]
    content = f"<ul>{''.join(items)}</ul>" if items else "<p>Everything selected was judged.</p>"
    return (f'<section id="unjudged" aria-labelledby="unjudged-h"><h2 id="unjudged-h">Not judged</h2>'
            f"{content}</section>")


CSS = """
:root{color-scheme:light dark;--fg:#1b1f24;--bg:#fff;--muted:#57606a;--line:#d0d7de;--err:#cf222e;--errbg:#ffebe9;
--warn:#9a6700;--warnbg:#fff8c5;--note:#0969da;--notebg:#ddf4ff;--ok:#1a7f37;--okbg:#dafbe1;--focus:#0969da}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#8d96a0;--line:#30363d;--err:#ff7b72;
--errbg:#4b1113;--warn:#d29922;--warnbg:#3b2e00;--note:#79c0ff;--notebg:#0c2d6b;--ok:#56d364;--okbg:#0f3d1b;
--focus:#79c0ff}}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;
max-width:1200px;padding:0 1rem 2rem}
a{color:var(--note)}:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:var(--bg);padding:.3rem}
nav ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:1rem}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid var(--line);padding:.2rem .45rem;
text-align:left;vertical-align:top}
table.totals td{text-align:right;min-width:4rem}.scroll{overflow-x:auto}
.matrix td{text-align:center;white-space:nowrap;font-variant-numeric:tabular-nums}
.sev-error{background:var(--errbg);color:var(--err)}.sev-warning{background:var(--warnbg);color:var(--warn)}
.sev-note{background:var(--notebg);color:var(--note)}.clean{background:var(--okbg);color:var(--ok)}
td.gap{outline:2px dashed var(--fg);outline-offset:-3px}.gapmark{font-weight:600}.absent{color:var(--muted)}
details{border:1px solid var(--line);border-radius:6px;margin:.4rem 0;padding:.3rem .6rem}
summary{cursor:pointer}code{font-size:.9em;word-break:break-all}
.findings{width:100%}svg text{fill:var(--fg);font-size:12px}svg .small{font-size:10px}
.bar-error{fill:var(--err)}.bar-warning{fill:var(--warn)}.bar-note{fill:var(--note)}
@media print{nav,.skip{display:none}body{max-width:none;font-size:11px}details{break-inside:avoid-page}
.scroll{overflow:visible}td,th{border-color:#888}}
"""
