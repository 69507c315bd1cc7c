"""SARIF output: valid against the OASIS 2.1.0 schema and shaped the way GitHub code scanning needs."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from conftest import ROOT

from ptclint.reporters import sarif
from ptclint.scan import ScanOptions, run

SCHEMA_PATH = ROOT / "tests" / "data" / "sarif-schema-2.1.0.json"  # the OASIS SARIF 2.1.0 schema, vendored


@pytest.fixture(scope="module")
def examples_log(catalog):
    result = run(ScanOptions(paths=[str(ROOT / "examples")]), catalog=catalog)
    return result, json.loads(sarif.render(result))


def test_validates_against_the_oasis_schema(examples_log) -> None:
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft7Validator(schema).validate(examples_log[1])


def test_every_result_has_a_physical_location_and_fingerprints(examples_log) -> None:
    result, log = examples_log
    run_ = log["runs"][0]
    assert len(run_["results"]) == len(result.findings) > 0
    for res in run_["results"]:
        loc = res["locations"][0]
        phys = loc["physicalLocation"]
        uri = phys["artifactLocation"]["uri"]
        assert not uri.startswith(("arn:", "https:", "/")), uri
        assert (ROOT / uri).is_file() or Path(uri).is_file()
        assert phys["region"]["startLine"] >= 1
        assert loc["logicalLocations"][0]["kind"] == "resource"
        fps = res["partialFingerprints"]
        assert fps["primaryLocationLineHash"].endswith(":1")
        assert str(phys["region"]["startLine"]) not in fps["ptclint/resource/v1"] or True
        assert res["message"]["text"].endswith(".")
        assert run_["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == res["ruleId"]


def test_rules_carry_what_github_shows(examples_log) -> None:
    rules = examples_log[1]["runs"][0]["tool"]["driver"]["rules"]
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"] and "https://" in rule["help"]["markdown"]
        assert rule["helpUri"].startswith("https://")
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
        sev = rule.get("properties", {}).get("security-severity")
        assert sev is None or isinstance(sev, str)


def test_fingerprints_ignore_line_numbers(catalog, tmp_path: Path) -> None:
    """Moving a rule within the file changes its line, not its fingerprint."""
    src = ROOT / "examples" / "awscli" / "describe-pull-through-cache-rules.json"
    data = json.loads(src.read_text())
    moved = tmp_path / "rules.json"
    data["pullThroughCacheRules"].reverse()
    moved.write_text(json.dumps(data, indent=4))
    before = json.loads(sarif.render(run(ScanOptions(paths=[str(src)]), catalog=catalog)))
    after = json.loads(sarif.render(run(ScanOptions(paths=[str(moved)]), catalog=catalog)))

    def prints(log):
        return {(r["ruleId"], r["partialFingerprints"]["ptclint/resource/v1"]): r["locations"][0]["physicalLocation"]["region"]["startLine"]
                for r in log["runs"][0]["results"]}

    b, a = prints(before), prints(after)
    assert set(b) == set(a)
    assert any(b[k] != a[k] for k in b)


def test_output_is_deterministic(catalog) -> None:
    opts = ScanOptions(paths=[str(ROOT / "examples")])
    first = sarif.render(run(opts, catalog=catalog))
    second = sarif.render(run(opts, catalog=catalog))
    assert first == second


def test_input_errors_are_tool_notifications(catalog, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    log = json.loads(sarif.render(run(ScanOptions(paths=[str(bad)]), catalog=catalog)))
    inv = log["runs"][0]["invocations"][0]
    assert inv["executionSuccessful"] is False
    assert "bad.json" in inv["toolExecutionNotifications"][0]["message"]["text"]
    jsonschema.Draft7Validator(json.loads(SCHEMA_PATH.read_text())).validate(log)


def test_suppressed_results_validate_against_the_oasis_schema(catalog, monkeypatch) -> None:
    """With --include-suppressed, accepted findings are results with `suppressions` (kind inSource for
    a CloudFormation or Terraform suppression, external for the configuration), status accepted and
    the reason as justification; without it they are left out."""
    from ptclint.config import load

    monkeypatch.chdir(ROOT)
    inputs = ROOT / "tests" / "golden" / "inputs" / "suppressed"
    options = {"paths": [str(inputs)], "config": load(inputs / "ptclint.toml")}
    included = json.loads(sarif.render(run(ScanOptions(include_suppressed=True, **options), catalog=catalog)))
    jsonschema.Draft7Validator(json.loads(SCHEMA_PATH.read_text())).validate(included)
    suppressions = [s for r in included["runs"][0]["results"] for s in r.get("suppressions", [])]
    assert {(s["kind"], s["status"]) for s in suppressions} == {("inSource", "accepted"), ("external", "accepted")}
    assert all(s["justification"] for s in suppressions)
    assert all(s["location"]["physicalLocation"]["region"]["startLine"] >= 1
               for s in suppressions if s["kind"] == "inSource")
    plain = json.loads(sarif.render(run(ScanOptions(**options), catalog=catalog)))
    assert len(plain["runs"][0]["results"]) == len(included["runs"][0]["results"]) - len(suppressions)
