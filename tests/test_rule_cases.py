"""Every shipped rule fires on its finding cases and stays quiet on its pass cases (judged by
`ptclint.ruletests.judge_case`, the same judge `ptclint rules test` uses for team rules)."""

from __future__ import annotations

import pytest
from casefiles import case_files, case_path, judge_case, load_case_file

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
    problem = judge_case(catalog, rule_id, data["cases"][index])
    assert problem is None, problem
