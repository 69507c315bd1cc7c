"""Every shipped rule fires on its finding cases and stays quiet on its pass cases."""

from __future__ import annotations

import pytest
from casefiles import case_files, case_path, load_case_file, run_case

from ptclint.report import OutcomeKind

CASE_FILES = case_files()
CASES = [
    pytest.param(path.stem, i, id=f"{path.stem}:{case.get('name', i)}")
    for path in CASE_FILES
    for i, case in enumerate(load_case_file(path).get("cases", []))
]


@pytest.mark.parametrize(("rule_id", "index"), CASES)
def test_case(catalog, rule_id: str, index: int) -> None:
    data = load_case_file(case_path(rule_id))
    assert data["rule"] == rule_id, "case file name and `rule:` must agree"
    case = data["cases"][index]
    outcomes, skips = run_case(catalog, rule_id, case)
    kinds = [o.kind for o in outcomes]
    errors = [o.detail for o in outcomes if o.kind is OutcomeKind.ERROR]
    assert not errors, f"evaluation errors: {errors}"
    findings = [o for o in outcomes if o.kind is OutcomeKind.FINDING]
    expect = case["expect"]
    if expect == "finding":
        assert findings, f"expected a finding, got {kinds} {[s.reason for s in skips]}"
        if "severity" in case:
            assert {f.severity.value for f in findings} == {case["severity"]}
        for f in findings:
            assert f.message and "{{" not in f.message and "(?)" not in f.message, f.message
    elif expect == "pass":
        assert not findings, f"expected no finding, got: {[f.message for f in findings]}"
        assert OutcomeKind.PASS in kinds, f"expected at least one pass, got {kinds} {[s.reason for s in skips]}"
    elif expect == "unknown":
        assert not findings, f"expected unknown, got: {[f.message for f in findings]}"
        assert OutcomeKind.UNKNOWN in kinds, f"expected an unknown outcome, got {kinds}"
    elif expect == "skip":
        assert not findings, f"expected a skip, got: {[f.message for f in findings]}"
        assert skips or all(k is OutcomeKind.NOT_APPLICABLE for k in kinds), f"expected skip, got {kinds}"
    else:
        pytest.fail(f"unknown expect: {expect}")
