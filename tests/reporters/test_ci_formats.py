"""The CI formats (github, gitlab, junit, markdown): each read back the way its consumer reads it."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from conftest import ROOT

from ptclint.report import OutcomeKind
from ptclint.reporters import REPORTERS, github
from ptclint.scan import ScanOptions, run


@pytest.fixture(scope="module")
def examples(catalog):
    return run(ScanOptions(paths=["examples"]), catalog=catalog)


@pytest.fixture(autouse=True)
def _at_root(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)


# ------------------------------------------------------------------ github


def _unescape_data(text: str) -> str:  # actions/runner ActionCommand: the reverse of toolkit's escapeData
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def _unescape_property(text: str) -> str:
    return (text.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",")
            .replace("%25", "%"))


def parse_workflow_command(line: str) -> tuple[str, dict[str, str], str]:
    """As the runner does (ActionCommand.TryParseV2): `::name k=v,k=v::data`."""
    assert line.startswith("::"), line
    end = line.index("::", 2)
    head, data = line[2:end], line[end + 2:]
    name, _, props_text = head.partition(" ")
    props = {}
    for pair in filter(None, props_text.split(",")):
        key, _, value = pair.partition("=")
        props[key] = _unescape_property(value)
    return name, props, _unescape_data(data)


def test_github_annotations_name_the_right_file_and_line(examples) -> None:
    lines = REPORTERS["github"].render(examples).splitlines()
    findings = sorted(examples.findings, key=lambda f: (f.origin.file, f.origin.line, f.origin.column, f.rule_id))
    assert len(lines) == len(findings) > 0
    seen = set()
    for line in lines:
        name, props, message = parse_workflow_command(line)
        assert name in ("error", "warning", "notice")
        assert (ROOT / props["file"]).is_file(), props["file"]
        seen.add((props["file"], int(props["line"]), int(props["col"]), props["title"].split()[0], message))
    assert seen == {(f.origin.file, f.origin.line, f.origin.column, f.rule_id, f.message) for f in findings}


def test_github_escapes_what_the_runner_would_split_on() -> None:
    hostile = "a%b,c:d\r\ne::f"
    assert github.escape_property(hostile) == "a%25b%2Cc%3Ad%0D%0Ae%3A%3Af"
    line = f"::error file={github.escape_property('dir,x/a:b.json')},line=3::{github.escape_data(hostile)}"
    name, props, message = parse_workflow_command(line)
    assert (name, props, message) == ("error", {"file": "dir,x/a:b.json", "line": "3"}, hostile)


# ------------------------------------------------------------------ gitlab

_GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def test_gitlab_code_quality_has_the_fields_gitlab_requires(examples) -> None:
    report = json.loads(REPORTERS["gitlab"].render(examples))
    assert isinstance(report, list) and len(report) == len(examples.findings) > 0
    for entry in report:
        assert isinstance(entry["description"], str) and entry["description"]
        assert re.fullmatch(r"PTC-[A-Z]+-\d{3}", entry["check_name"])
        assert re.fullmatch(r"[0-9a-f]{32}", entry["fingerprint"])
        assert entry["severity"] in _GITLAB_SEVERITIES
        assert (ROOT / entry["location"]["path"]).is_file()
        assert isinstance(entry["location"]["lines"]["begin"], int) and entry["location"]["lines"]["begin"] >= 1
    assert len({e["fingerprint"] for e in report}) == len(report), "GitLab drops entries sharing a fingerprint"
    assert {e["severity"] for e in report} == {"critical", "major", "minor"}


# ------------------------------------------------------------------ junit


def test_junit_has_the_structure_gitlab_and_jenkins_read(examples) -> None:
    root = ET.fromstring(REPORTERS["junit"].render(examples))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert suites and all(s.get("name", "").startswith("PTC-") for s in suites)
    total = failures = 0
    for suite in suites:
        cases = suite.findall("testcase")
        assert int(suite.get("tests", "-1")) == len(cases) > 0
        assert int(suite.get("failures", "-1")) == sum(1 for c in cases if c.find("failure") is not None)
        for case in cases:
            assert case.get("classname") and case.get("name")
            failure = case.find("failure")
            if failure is not None:
                assert failure.get("message") and failure.get("type") in ("error", "warning", "note")
        total += len(cases)
        failures += int(suite.get("failures", "0"))
    judged = sum(1 for o in examples.outcomes if o.kind is not OutcomeKind.NOT_APPLICABLE)
    assert int(root.get("tests", "-1")) == total == judged
    assert int(root.get("failures", "-1")) == failures == len(examples.findings)


# ------------------------------------------------------------------ markdown


def test_markdown_summary_has_counts_a_findings_table_and_doc_links(examples) -> None:
    text = REPORTERS["markdown"].render(examples)
    assert text.startswith("## ptclint ")
    assert f"| Errors | {sum(1 for f in examples.findings if f.severity and f.severity.value == 'error')} |" in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and "docs/rules.md#" in line]
    assert len(rows) == len(examples.findings)
    for row in rows:  # five cells, no pipe left unescaped inside a message
        assert len(re.split(r"(?<!\\)\|", row)) == 7, row
    assert "https://github.com/ptclint/ptclint/blob/main/docs/rules.md#ptc-auth-001" in text


def test_junit_stays_well_formed_with_control_characters_from_an_input(examples) -> None:
    import dataclasses

    bad = dataclasses.replace(examples.findings[0], message="prefix 'a\x01b' \udc80 <&>")
    report = dataclasses.replace(examples, outcomes=[bad])
    root = ET.fromstring(REPORTERS["junit"].render(report))
    assert root.find("testsuite/testcase/failure").get("message") == "prefix 'a\ufffdb' \ufffd <&>"
