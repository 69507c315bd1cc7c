"""`terraform show -json` marks (`before_sensitive`, `after_sensitive`, `after_unknown`,
`sensitive_values`) of a wrong shape are an input problem naming the file and JSON path (exit 2),
never ignored: ignoring them could print a sensitive value or judge an unknown one. The plan is
the one real Terraform made for tests/fixtures/terraform/secrets, with one mark broken."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

from ptclint.report import EXIT_ERROR
from ptclint.reporters import REPORTERS
from ptclint.scan import ScanOptions, run

PLAN = ROOT / "tests" / "fixtures" / "terraform" / "secrets" / "plan.json"
GOOD = ROOT / "tests" / "fixtures" / "terraform" / "foreach" / "plan.json"
TOKENS = ("dckr_pat_PLANTEDTOKEN123", "ghp_examplenotarealtoken")


def _version_change(plan: dict) -> tuple[int, dict]:
    for i, rc in enumerate(plan["resource_changes"]):
        if rc["address"] == "aws_secretsmanager_secret_version.dockerhub":
            return i, rc["change"]
    raise AssertionError("fixture changed")


def _broken(tmp_path: Path, key: str, value: Any, inner: str | None) -> tuple[Path, str]:
    plan = json.loads(PLAN.read_text())
    i, change = _version_change(plan)
    if inner is None:
        change[key] = value
        pointer = f"/resource_changes/{i}/change/{key}"
    else:
        change[key][inner] = value
        pointer = f"/resource_changes/{i}/change/{key}/{inner}"
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan, indent=1))
    return path, pointer


@pytest.mark.parametrize(("key", "value", "inner"), [
    ("after_sensitive", "yes", "secret_string"),       # a string where true/false belongs
    ("after_sensitive", None, "secret_string"),        # null is not a mark Terraform writes
    ("after_sensitive", 1, None),
    ("before_sensitive", "false", None),
    ("after_unknown", "all", None),
    ("after_unknown", {"x": 0}, "arn"),
])
def test_a_mark_of_the_wrong_shape_is_an_input_error_at_its_path(tmp_path: Path, catalog, key: str, value: Any,
                                                                   inner: str | None) -> None:
    path, pointer = _broken(tmp_path, key, value, inner)
    result = run(ScanOptions(paths=[str(path), str(GOOD)]), catalog)
    (problem,) = result.problems
    assert problem.file.endswith("plan.json") and problem.line is not None
    assert pointer in problem.message and key in problem.message
    assert result.exit_code() == EXIT_ERROR
    assert result.findings, "the other plan is still judged"
    assert all(f.origin.file.startswith("tests/fixtures/terraform/foreach") for f in result.findings)
    for fmt, reporter in REPORTERS.items():
        text = reporter.render(result)
        assert not any(token in text for token in TOKENS), fmt
        assert "yes" not in problem.message and "all" not in problem.message.split(":")[-1]


def test_sensitive_values_nested_wrong_shape_is_an_input_error(tmp_path: Path, catalog) -> None:
    plan = json.loads(PLAN.read_text())
    resources = plan["planned_values"]["root_module"]["resources"]
    j = next(n for n, r in enumerate(resources) if r["address"] == "aws_secretsmanager_secret_version.dockerhub")
    resources[j]["sensitive_values"] = {"secret_string": "sensitive"}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    result = run(ScanOptions(paths=[str(path)]), catalog)
    (problem,) = result.problems
    assert f"/planned_values/root_module/resources/{j}/sensitive_values/secret_string" in problem.message
    assert result.exit_code() == EXIT_ERROR


def test_the_real_plan_marks_are_accepted(catalog) -> None:
    result = run(ScanOptions(paths=[str(PLAN)]), catalog)
    assert not result.problems and result.findings
    for reporter in REPORTERS.values():
        assert not any(token in reporter.render(result) for token in TOKENS)
