"""A readable table for people.

Full mode (the default) groups findings by file, most severe first within each file: a header
line (place, severity, rule, resource), the offending source line, the message wrapped to the
width, and a `ptclint explain` hint. Concise mode is one line a finding (`file:line:col: ID
message`, like ruff). Lines are wrapped between words, never inside one; colour is added only
when the command line asks for it (a terminal, no NO_COLOR). What could not be judged and the
coverage gaps are listed after the findings (the first few, or all with --show-unjudged), and so are
the resources an IaC input does not show whole (then the table never says just "No findings.").
"""

from __future__ import annotations

import os
import re
import textwrap
from collections import Counter
from dataclasses import dataclass, field

from ptclint.report import Outcome, OutcomeKind, Report
from ptclint.reporters import sort_key
from ptclint.suppress import summary_parts

_ORDER = {"error": 0, "warning": 1, "note": 2}
_SGR = {"error": "1;31", "warning": "1;33", "note": "1;36", "file": "1", "rule": "1", "dim": "2"}
_UNJUDGED_SHOWN = 5
# a source line that may hold a credential is not echoed (PTC-AUTH-017 never prints the value)
_LONGEST_SHOWN = 500  # characters of a source line the table quotes under a finding
_CREDENTIAL = re.compile(r"(?i)(secret_?string|secret_?binary|access_?token|password|passwd|\btoken\b|private_?key)")


@dataclass(frozen=True)
class TableStyle:
    """How the table is laid out; the defaults are what `render` (and the golden files) use."""

    width: int = 100
    color: bool = False
    concise: bool = False
    statistics: bool = False
    show_unjudged: bool = False
    quiet: bool = False
    _sources: dict[str, list[str] | None] = field(default_factory=dict, compare=False, repr=False)

    def paint(self, text: str, what: str) -> str:
        return f"\x1b[{_SGR[what]}m{text}\x1b[0m" if self.color and text else text


def render(result: Report) -> str:
    return render_with(result, TableStyle())


def render_with(result: Report, style: TableStyle) -> str:
    findings = sorted(result.findings, key=lambda f: (sort_key(f)[0], _ORDER[_level(f)], sort_key(f)[1:]))
    if style.statistics:
        out = _statistics(result, style)
    elif style.concise:
        out = [_concise(f, style) for f in sorted(findings, key=sort_key)]
    else:
        out = _full(result, findings, style)
    if not findings and not result.problems and not style.quiet and not style.statistics:
        out.append(no_findings(result))
    if not style.quiet:
        out += _unjudged(result, style)
    text = "\n".join(out)  # a block ends with an empty line, so the text with one newline
    return text if not out or text.endswith("\n") else text + "\n"


def no_findings(result: Report) -> str:
    """"No findings." only when every resource of the input was seen."""
    unseen = len(result.not_judged)
    if not unseen:
        return "No findings."
    return f"No findings in what could be judged, but {_resources(unseen)} could not be seen whole (listed below)."


def _resources(n: int) -> str:
    return f"{n} resource{'s' if n != 1 else ''}"


def not_judged_lines(result: Report) -> list[str]:
    """One line per resource the loaders could not see whole: what, where, why."""
    return [f"{n.name}  {n.origin}  {n.reason}" for n in result.not_judged]


def _full(result: Report, findings: list[Outcome], style: TableStyle) -> list[str]:
    out: list[str] = []
    current = None
    for f in findings:
        if f.origin.file != current:
            current = f.origin.file
            out.append(style.paint(current, "file"))
        head = [(f"{f.origin.line}:{f.origin.column}", ""), (f"{_level(f).upper():<7}", _level(f)),
                (f.rule_id, "rule"), (_resource(f), "")]
        out += _fit(head, style, "  ", "      ")
        source = _source_line(result, f, style)
        if source is not None:
            gutter = f"    {f.origin.line} | "
            room = max(10, style.width - len(gutter))
            text = source if len(source) <= room else source[: room - 1] + "…"
            out.append(style.paint(gutter, "dim") + text)
        out += textwrap.wrap(f.message, style.width - 4, initial_indent="    ", subsequent_indent="    ",
                             break_on_hyphens=False, break_long_words=False)
        out.append(style.paint(f"    see: ptclint explain {f.rule_id}", "dim"))
        out.append("")
    return out


def _fit(parts: list[tuple[str, str]], style: TableStyle, first: str, rest: str) -> list[str]:
    """Words (text, colour) joined by two spaces, wrapped between words to the width."""
    lines: list[str] = []
    line, used = first, len(first)
    for text, what in parts:
        for i, word in enumerate(text.split(" ") if what == "" else [text]):
            sep = 0 if used == len(first if not lines else rest) else (2 if i == 0 else 1)
            if used + sep + len(word) > style.width and used > len(first if not lines else rest):
                lines.append(line)
                line, used, sep = rest, len(rest), 0
            line += " " * sep + (style.paint(word, what) if what else word)
            used += sep + len(word)
    lines.append(line)
    return lines


def _concise(f: Outcome, style: TableStyle) -> str:
    place = f"{f.origin.file}:{f.origin.line}:{f.origin.column}:"
    return f"{style.paint(place, 'file')} {style.paint(f.rule_id, _level(f))} {' '.join(f.message.split())}"


def _statistics(result: Report, style: TableStyle) -> list[str]:
    counts = Counter(f.rule_id for f in result.findings)
    rules = {r.id: r for r in result.rules}
    out = []
    for rule_id, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        rule = rules.get(rule_id)
        level = rule.severity.value if rule else "warning"
        title = rule.title if rule else ""
        out.append(f"{n:>5}  {style.paint(f'{rule_id:<13}', level)} {level:<7}  {title}".rstrip())
    return out


def _unjudged(result: Report, style: TableStyle) -> list[str]:
    unknown = sorted((o for o in result.outcomes if o.kind is OutcomeKind.UNKNOWN), key=sort_key)
    sections = [
        (f"Not judged ({_resources(len(result.not_judged))} the input does not show whole):",
         not_judged_lines(result)),
        (f"Could not be judged ({len(unknown)} checks, unknown values):",
         [f"{o.rule_id}  {o.origin}  {o.detail}" for o in unknown]),
        (f"Coverage gaps ({len(result.gaps)}):", list(result.gaps)),
    ]
    out: list[str] = []
    for title, items in sections:
        if not items:
            continue
        shown = items if style.show_unjudged else items[:_UNJUDGED_SHOWN]
        out.append(style.paint(title, "file"))
        for item in shown:
            out += textwrap.wrap(item, style.width - 2, initial_indent="  ", subsequent_indent="      ",
                                 break_on_hyphens=False, break_long_words=False)
        if len(shown) < len(items):
            out.append(f"  ... and {len(items) - len(shown)} more (--show-unjudged lists them all)")
        out.append("")
    return out


def _source_line(result: Report, f: Outcome, style: TableStyle) -> str | None:
    file = f.origin.file
    if file not in style._sources:
        path = file if os.path.isabs(file) else os.path.join(result.root or os.getcwd(), file)
        try:
            if os.path.getsize(path) > 10 * 1024 * 1024:
                raise OSError
            with open(path, encoding="utf-8", errors="replace") as fh:
                style._sources[file] = fh.read().splitlines()
        except OSError:
            style._sources[file] = None
    lines = style._sources[file]
    if not lines or not 1 <= f.origin.line <= len(lines):
        return None
    line = lines[f.origin.line - 1]
    if len(line) > _LONGEST_SHOWN:  # minified JSON: unreadable, and echoing it per finding took minutes
        return None
    text = line.strip()
    if not text:
        return None
    return "(line not shown: it may hold a credential)" if _CREDENTIAL.search(text) else text


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
    if result.not_judged:
        names = sorted({n.name for n in result.not_judged})
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        parts.append(f"{_resources(len(result.not_judged))} not judged ({shown})")
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
    parts.extend(summary_parts(result))
    return "ptclint: " + "; ".join(parts)
