"""Suppressions in the configuration: rule id + resource matcher + required reason (+ expiry)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ptclint.errors import ConfigError

from .helpers import NOW, accepted, found, ghcr_rule, rules_cfn, scan


def _setup(tmp_path: Path, entries: str, section: str = "[[tool.ptclint.suppress]]") -> tuple[Path, Path]:
    infra = tmp_path / "infra"
    infra.mkdir()
    (infra / "ptc.yaml").write_text(rules_cfn(ghcr_rule("A", "team-a/ghcr"), ghcr_rule("B", "team-b/ghcr")))
    config = tmp_path / "pyproject.toml"
    config.write_text("[tool.ptclint]\n" + entries.replace("[[entry]]", section))
    return infra, config


def test_a_prefix_matcher_silences_that_rule_on_matching_resources(catalog, tmp_path: Path) -> None:
    infra, config = _setup(tmp_path, '[[entry]]\nid = "PTC-AUTH-001"\nprefix = "team-a/*"\n'
                                     'reason = "team A pulls public images only"\n')
    report = scan(catalog, infra, config=config)
    assert accepted(report) == {("PTC-AUTH-001", "A"): ("config", "team A pulls public images only")}
    assert ("PTC-AUTH-001", "B") in found(report)
    (s,) = [x.by for x in report.suppressed]
    assert s.kind == "external" and s.place.endswith("pyproject.toml [[tool.ptclint.suppress]] #1")


def test_file_account_region_and_name_matchers(catalog, tmp_path: Path) -> None:
    infra, config = _setup(tmp_path, '[[entry]]\nid = "PTC-AUTH-001"\nfile = "infra/*.yaml"\nname = "B"\n'
                                     'account = "111122223333"\nregion = "eu-*"\nreason = "r"\n')
    report = scan(catalog, infra, config=config, account="111122223333", region="eu-west-1")
    assert set(accepted(report)) == {("PTC-AUTH-001", "B")}
    other = scan(catalog, infra, config=config, account="111122223333", region="us-east-1")
    assert not other.suppressed and other.suppression_notes[0].status == "unused"


def test_an_expired_entry_no_longer_silences_and_says_so(catalog, tmp_path: Path) -> None:
    infra, config = _setup(tmp_path, '[[entry]]\nid = "PTC-AUTH-001"\nprefix = "team-a/*"\nreason = "r"\n'
                                     'expires = 2026-10-01\n')
    report = scan(catalog, infra, config=config)
    assert ("PTC-AUTH-001", "A") in found(report)
    (note,) = report.suppression_notes
    assert note.status == "expired" and note.findings == 1 and "expired on 2026-10-01" in str(note)
    assert NOW.date().isoformat() == "2026-11-01"


def test_an_entry_that_matches_nothing_is_reported(catalog, tmp_path: Path) -> None:
    infra, config = _setup(tmp_path, '[[entry]]\nid = "PTC-UP-004"\nprefix = "*"\nreason = "no GitLab any more"\n')
    report = scan(catalog, infra, config=config)
    assert [n.status for n in report.suppression_notes] == ["unused"]


@pytest.mark.parametrize(("entry", "error"), [
    ('id = "PTC-AUTH-001"\nprefix = "x"\n', "suppress.0: 'reason' is a required property"),
    ('id = "PTC-AUTH-001"\nprefix = "x"\nreason = "  "\n', "#1: reason: a reason is required"),
    ('id = "PTC-AUTH-001"\nreason = "r"\n', "#1: give at least one of account, region, prefix, file, name"),
    ('id = "PTC-AUTH-001"\nprefix = "x"\nreason = "r"\nexpires = "soon"\n', "#1: expires: expected a date"),
    ('id = "PTC-AUTH-999"\nprefix = "x"\nreason = "r"\n', "#1: id: no rule PTC-AUTH-999"),
    ('id = "PTC-AUTH-001"\nprefix = "x"\nreason = "r"\nowner = "me"\n', "suppress.0: Additional properties"),
])
def test_a_bad_entry_is_a_config_error_naming_file_and_entry(catalog, tmp_path: Path, entry: str,
                                                             error: str) -> None:
    infra, config = _setup(tmp_path, "[[entry]]\n" + entry)
    with pytest.raises(ConfigError) as exc:
        scan(catalog, infra, config=config)
    assert str(config) in str(exc.value) and error in str(exc.value)


def test_the_json_report_lists_rules_not_run_and_why(catalog, tmp_path: Path) -> None:
    import json

    from ptclint.reporters import json as json_reporter

    infra, _ = _setup(tmp_path, "")
    config = tmp_path / ".ptclint.toml"
    config.write_text('ignore = ["PTC-RCT-012"]\n')
    report = scan(catalog, infra, config=config, ignore=["PTC-RCT-012", "PTC-UP-002"])
    not_run = {r["ruleId"]: r["reason"] for r in json.loads(json_reporter.render(report))["rulesNotRun"]}
    assert not_run["PTC-RCT-012"].startswith(f"ignored by {config}: ignore =")
    assert not_run["PTC-UP-002"] == "ignored by --ignore PTC-UP-002"
    assert not_run["PTC-AUTH-008"].startswith("opt-in")
    assert not_run["PTC-POL-001"] == "organization policy: off until the policy sets allowed-upstreams"
    selected = scan(catalog, infra, select=["PTC-AUTH"])
    assert dict(selected.not_run)["PTC-UP-001"] == "not selected (select: PTC-AUTH)"


def test_the_json_of_a_suppressed_scan_follows_its_schema() -> None:
    """Suppressed findings, notes and the baseline in the JSON report are in schemas/findings.schema.json."""
    import json

    import jsonschema
    from conftest import ROOT

    schema = json.loads((ROOT / "schemas" / "findings.schema.json").read_text())
    report = json.loads((ROOT / "tests" / "golden" / "suppressed.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(report)
    assert report["suppressed"] and report["suppressionNotes"] and report["summary"]["suppressed"] == 3
    assert all(s["suppression"]["reason"] for s in report["suppressed"])


def test_ptclint_config_shows_the_baseline_and_the_suppressions(tmp_path: Path) -> None:
    from ptclint.showconfig import describe

    _, config = _setup(tmp_path, 'baseline = "b.json"\n[[entry]]\nid = "PTC-AUTH-001"\nprefix = "team-a/*"\n'
                                 'reason = "r"\nexpires = 2027-01-31\n')
    lines = describe(str(config))
    assert f"baseline = {json.dumps(str(tmp_path / 'b.json'))}" in lines
    assert lines[lines.index("\n[[suppress]]") + 1:] == ['id = "PTC-AUTH-001"', 'prefix = "team-a/*"',
                                                          'reason = "r"', 'expires = "2027-01-31"']


def test_an_expired_entry_covered_by_a_live_one_reports_no_finding_again(catalog, tmp_path: Path) -> None:
    infra, config = _setup(tmp_path, '[[entry]]\nid = "PTC-AUTH-001"\nprefix = "team-a/*"\nreason = "old"\n'
                                     'expires = 2026-10-01\n[[entry]]\nid = "PTC-AUTH-001"\nname = "A"\n'
                                     'reason = "renewed (OPS-9)"\n')
    report = scan(catalog, infra, config=config)
    assert accepted(report)[("PTC-AUTH-001", "A")] == ("config", "renewed (OPS-9)")
    (note,) = report.suppression_notes
    assert note.status == "expired" and note.findings == 0 and "reported again" not in str(note)
