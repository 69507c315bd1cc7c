"""`ptclint baseline` then `scan --baseline`: only new findings are reported, keyed without lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .helpers import cli, ghcr_rule, rules_cfn

QUAY = ("  Quay:\n    Type: AWS::ECR::PullThroughCacheRule\n    Properties:\n      EcrRepositoryPrefix: quay\n"
        "      UpstreamRegistry: quay\n      UpstreamRegistryUrl: quay.io\n")


@pytest.fixture
def estate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two broken GHCR rules and a clean Quay rule; the baseline is written beside them."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "ptc.yaml").write_text(rules_cfn(ghcr_rule("A", "ghcr-a"), ghcr_rule("B", "ghcr-b"), QUAY))
    code, _, err = cli("baseline", "infra", "--output", "ptclint-baseline.json")
    assert code == 0, err
    assert "wrote ptclint-baseline.json" in err
    return tmp_path


def _scan(*extra: str) -> tuple[int, dict, str]:
    code, out, err = cli("scan", "infra", "--baseline", "ptclint-baseline.json", "-f", "json", *extra)
    return code, json.loads(out), err


def test_the_same_input_reports_nothing_new_and_exits_0(estate: Path) -> None:
    doc = json.loads((estate / "ptclint-baseline.json").read_text())
    assert doc["ptclintBaseline"] == 1 and {e["file"] for e in doc["findings"]} == {"infra/ptc.yaml"}
    assert all("line" not in e for e in doc["findings"])  # moving a resource must not change an entry
    code, report, err = _scan()
    assert code == 0, err
    assert report["findings"] == [] and report["summary"]["baselined"] == len(doc["findings"]) > 0
    assert report["baseline"]["gone"] == []
    assert f"{len(doc['findings'])} baselined" in err.splitlines()[-1]


def test_one_new_broken_rule_is_the_only_finding(estate: Path) -> None:
    path = estate / "infra" / "ptc.yaml"
    path.write_text(path.read_text() + ghcr_rule("C", "ghcr-c"))
    code, report, _ = _scan()
    assert code == 1
    assert {(f["ruleId"], f["resource"]["name"]) for f in report["findings"]} == {("PTC-AUTH-001", "C")}


def test_moving_a_resource_lower_in_the_file_reports_nothing_new(estate: Path) -> None:
    path = estate / "infra" / "ptc.yaml"
    path.write_text("# reformatted\n" + rules_cfn(QUAY, "\n\n", ghcr_rule("B", "ghcr-b"), ghcr_rule("A", "ghcr-a")))
    code, report, err = _scan()
    assert code == 0, err
    assert report["findings"] == [] and report["baseline"]["gone"] == []


def test_a_fixed_problem_lists_its_entry_as_gone(estate: Path) -> None:
    path = estate / "infra" / "ptc.yaml"
    path.write_text(rules_cfn(ghcr_rule("A", "ghcr-a"), QUAY))
    code, report, err = _scan()
    assert code == 0
    gone = report["baseline"]["gone"]
    assert gone and {g["ruleId"] for g in gone} == {"PTC-AUTH-001"} and all("ghcr-b" in g["covers"] for g in gone)
    assert "baseline entry gone: PTC-AUTH-001" in err


def test_the_baseline_works_from_another_directory(estate: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(estate / "infra")
    code, out, err = cli("scan", ".", "--baseline", "../ptclint-baseline.json", "-f", "json")
    assert code == 0, err
    assert json.loads(out)["baseline"]["gone"] == []


def test_baselined_findings_come_back_in_sarif_only_when_included(estate: Path) -> None:
    code, out, _ = cli("scan", "infra", "--baseline", "ptclint-baseline.json", "-f", "sarif")
    assert code == 0 and json.loads(out)["runs"][0]["results"] == []
    code, out, _ = cli("scan", "infra", "--baseline", "ptclint-baseline.json", "-f", "sarif", "--include-suppressed")
    results = json.loads(out)["runs"][0]["results"]
    assert code == 0 and results and all(r["suppressions"][0]["kind"] == "external" for r in results)
    assert all(r["suppressions"][0]["status"] == "accepted" for r in results)


@pytest.mark.parametrize(("text", "place"), [
    ("{not json", "ptclint-baseline.json:1:2"),
    ('{"ptclintBaseline": 2, "findings": []}', "ptclint-baseline.json:1:21: at /ptclintBaseline"),
    ('{"ptclintBaseline": 1,\n "findings": [{"ruleId": "PTC-AUTH-001", "file": "x"}]}',
     "ptclint-baseline.json:2:15: at /findings/0: fingerprint: expected a string"),
])
def test_a_malformed_baseline_is_exit_2_with_file_and_place(estate: Path, text: str, place: str) -> None:
    (estate / "ptclint-baseline.json").write_text(text)
    code, _, err = cli("scan", "infra", "--baseline", "ptclint-baseline.json")
    assert code == 2
    assert f"ptclint: error: {place}" in err, err


def test_a_missing_baseline_is_exit_2(estate: Path) -> None:
    code, _, err = cli("scan", "infra", "--baseline", "nope.json")
    assert code == 2 and "nope.json: --baseline: no such file" in err


def test_the_configuration_can_name_the_baseline(estate: Path) -> None:
    (estate / ".ptclint.toml").write_text('baseline = "ptclint-baseline.json"\n')
    code, out, err = cli("scan", "infra", "-f", "json")
    assert code == 0, err
    assert json.loads(out)["baseline"]["file"].endswith("ptclint-baseline.json")


def test_baseline_with_a_bad_input_still_writes_and_exits_2(estate: Path) -> None:
    (estate / "infra" / "broken.json").write_text('{"pullThroughCacheRules": [')
    code, _, err = cli("baseline", "infra", "--output", "again.json")
    assert code == 2 and "ptclint: error: infra/broken.json:" in err
    assert json.loads((estate / "again.json").read_text())["findings"]  # the readable inputs' findings


def test_entries_outside_what_was_scanned_are_not_gone(estate: Path) -> None:
    """Scanning one file, or a few rules, says nothing about the baseline's other entries."""
    (estate / "other").mkdir()
    (estate / "other" / "ptc.yaml").write_text(rules_cfn(ghcr_rule("Z", "ghcr-z")))
    code, _, err = cli("baseline", "infra", "other", "--output", "ptclint-baseline.json")
    assert code == 0, err
    code, report, _ = _scan("--select", "PTC-UP")  # scans infra/ only, and no PTC-AUTH rule
    assert code == 0 and report["baseline"]["gone"] == []
    (estate / "infra" / "ptc.yaml").write_text(rules_cfn(QUAY))
    code, report, _ = _scan()
    assert {g["covers"].split(" in ")[1] for g in report["baseline"]["gone"]} == {"infra/ptc.yaml"}
