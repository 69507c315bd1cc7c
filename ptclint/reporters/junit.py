"""JUnit XML, as GitLab (`artifacts:reports:junit`) and Jenkins read it: a testsuite per rule,
a testcase per resource the rule judged. A finding is a failure, an evaluation error an error,
an unknown value a skipped case; rules that did not apply to a resource make no test case. A
resource an IaC input does not show whole is a skipped case of the "ptclint not judged" suite.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from ptclint.report import Outcome, OutcomeKind, Report
from ptclint.reporters import level, sort_key

_JUDGED = (OutcomeKind.PASS, OutcomeKind.FINDING, OutcomeKind.UNKNOWN, OutcomeKind.ERROR)
# characters XML 1.0 cannot hold at all (a value read from a hostile input may carry them)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _x(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _case_name(o: Outcome) -> str:
    name = f" {o.identity.name}" if o.identity.name else ""
    return _x(f"{o.identity}{name} ({o.origin.file})")


def _case(suite: ET.Element, o: Outcome) -> None:
    case = ET.SubElement(suite, "testcase", {"classname": o.rule_id, "name": _case_name(o),
                                             "file": _x(o.origin.file), "line": str(max(1, o.origin.line))})
    if o.kind is OutcomeKind.FINDING:
        failure = ET.SubElement(case, "failure", {"message": _x(o.message), "type": level(o)})
        failure.text = _x(f"{level(o).upper()} {o.rule_id} at {o.origin}\n{o.message}")
    elif o.kind is OutcomeKind.ERROR:
        ET.SubElement(case, "error", {"message": _x(o.detail), "type": "evaluation-error"})
    elif o.kind is OutcomeKind.UNKNOWN:
        ET.SubElement(case, "skipped", {"message": _x(f"could not be judged: {o.detail}")})


def _not_judged(root: ET.Element, result: Report) -> None:
    """Resources an IaC input does not show whole: skipped cases, so a CI's test view shows them too."""
    suite = ET.SubElement(root, "testsuite", {"name": "ptclint not judged", "tests": str(len(result.not_judged)),
                                              "failures": "0", "errors": "0", "skipped": str(len(result.not_judged))})
    for n in result.not_judged:
        case = ET.SubElement(suite, "testcase", {"classname": "ptclint.not-judged", "name": _x(n.name),
                                                 "file": _x(n.origin.file), "line": str(max(1, n.origin.line))})
        ET.SubElement(case, "skipped", {"message": _x(f"not judged: {n.reason}")})


def render(result: Report) -> str:
    by_rule: dict[str, list[Outcome]] = defaultdict(list)
    for o in result.outcomes:
        if o.kind in _JUDGED:
            by_rule[o.rule_id].append(o)
    titles = {r.id: r.title for r in result.rules}
    root = ET.Element("testsuites", {"name": "ptclint"})
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for rule_id in sorted(by_rule):
        cases = sorted(by_rule[rule_id], key=sort_key)
        counts = {
            "tests": len(cases),
            "failures": sum(o.kind is OutcomeKind.FINDING for o in cases),
            "errors": sum(o.kind is OutcomeKind.ERROR for o in cases),
            "skipped": sum(o.kind is OutcomeKind.UNKNOWN for o in cases),
        }
        suite = ET.SubElement(root, "testsuite", {"name": f"{rule_id} {titles.get(rule_id, '')}".strip(),
                                                  **{k: str(v) for k, v in counts.items()}})
        for o in cases:
            _case(suite, o)
        for k, v in counts.items():
            totals[k] += v
    if result.not_judged:
        _not_judged(root, result)
        totals["tests"] += len(result.not_judged)
        totals["skipped"] += len(result.not_judged)
    if result.problems:
        suite = ET.SubElement(root, "testsuite", {"name": "ptclint inputs", "tests": str(len(result.problems)),
                                                  "failures": "0", "errors": str(len(result.problems)),
                                                  "skipped": "0"})
        for p in result.problems:
            case = ET.SubElement(suite, "testcase", {"classname": "ptclint.input", "name": _x(p.file),
                                                     "file": _x(p.file)})
            ET.SubElement(case, "error", {"message": _x(p.message), "type": "input-error"})
        totals["tests"] += len(result.problems)
        totals["errors"] += len(result.problems)
    for k, v in totals.items():
        root.set(k, str(v))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
