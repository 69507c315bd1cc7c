"""Issue 14, "Honest edges": each case with the exact command a user ran, and its exit code."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from ptclint.catalog import select_rules
from ptclint.errors import ConfigError

AWSCLI = ROOT / "examples" / "awscli"


def ptclint(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ptclint", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=900)


def test_a_file_skipped_for_size_while_walking_is_an_input_problem(tmp_path: Path) -> None:
    """`ptclint scan infra --max-file-size 100`: the snapshot found by walking is too big: exit 2, no "No findings"."""
    (tmp_path / "infra").mkdir()
    shutil.copy(ROOT / "examples/demo-account.snapshot.json", tmp_path / "infra")
    proc = ptclint("scan", "infra", "--max-file-size", "100", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "No findings" not in proc.stdout
    assert "infra/demo-account.snapshot.json: file is" in proc.stderr and "--max-file-size" in proc.stderr


def test_a_path_that_does_not_exist_is_exit_2_without_no_findings(tmp_path: Path) -> None:
    proc = ptclint("scan", "nonexistent", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == "" and "No findings" not in proc.stderr
    assert "ptclint: error: nonexistent: no such file or directory" in proc.stderr


def test_scan_readme_is_not_a_recognised_input() -> None:
    proc = ptclint("scan", "README.md")
    assert proc.returncode == 2
    line = next(x for x in proc.stderr.splitlines() if x.startswith("ptclint: error: README.md"))
    assert "not a recognised ptclint input" in line
    for kind in ("snapshot", "AWS CLI", "CloudFormation", "Terraform"):
        assert kind in line
    assert "mapping values" not in proc.stderr and "No findings" not in proc.stdout


def _rules_in(proc: subprocess.CompletedProcess) -> set[str]:
    return {f["ruleId"] for f in json.loads(proc.stdout)["findings"]}


def test_select_an_opt_in_rule_by_name(catalog) -> None:
    """`ptclint scan ... --select secret-value-shape` runs the opt-in PTC-AUTH-008 (by id it always did)."""
    by_name = select_rules(catalog, ["secret-value-shape"])
    assert [r.id for r in by_name] == ["PTC-AUTH-008"]
    assert [r.id for r in select_rules(catalog, ["PTC-AUTH"])] and "PTC-AUTH-008" not in {
        r.id for r in select_rules(catalog, ["PTC-AUTH"])}


def test_selecting_nothing_is_an_error(catalog) -> None:
    proc = ptclint("scan", "examples/awscli", "--select", "PTC-UP", "--ignore", "PTC-UP")
    assert proc.returncode == 2 and "the selection runs no rules" in proc.stderr
    with pytest.raises(ConfigError, match="runs no rules"):
        select_rules(catalog, ["PTC-AUTH-001"], ignore=["credential-missing"])


def test_select_accepts_comma_lists() -> None:
    proc = ptclint("scan", "examples/awscli", "--select", "PTC-AUTH-001,PTC-UP-004", "-f", "json")
    assert proc.returncode == 1, proc.stderr
    assert _rules_in(proc) == {"PTC-AUTH-001", "PTC-UP-004"}


def test_a_prefix_selects_whole_segments_only(catalog) -> None:
    """`--select PTC-AUTH-01` must not select PTC-AUTH-010..018: it is an error that says why."""
    proc = ptclint("scan", "examples", "--select", "PTC-AUTH-01")
    assert proc.returncode == 2
    assert "PTC-AUTH-01: matches no rule" in proc.stderr and "whole segments" in proc.stderr
    assert {r.category for r in select_rules(catalog, ["PTC-AUTH"])} == {"PTC-AUTH"}


def test_tags_are_selectable(catalog) -> None:
    chosen = select_rules(catalog, ["terraform"])
    assert chosen and all("terraform" in r.tags for r in chosen)


def test_an_unknown_selector_suggests_the_nearest() -> None:
    proc = ptclint("scan", "examples/awscli", "--select", "credentail-missing")
    assert proc.returncode == 2
    assert "did you mean credential-missing?" in proc.stderr
    proc = ptclint("scan", "examples/awscli", "--ignore", "PTC-AUTH-0011")
    assert proc.returncode == 2 and "did you mean PTC-AUTH-001" in proc.stderr


def test_config_errors_name_their_source_and_the_right_key(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.ptclint]\nfail_on = "error"\n')
    proc = ptclint("scan", str(AWSCLI), cwd=tmp_path)
    assert proc.returncode == 2
    assert "pyproject.toml: [tool.ptclint] fail_on: unknown key; did you mean 'fail-on'?" in proc.stderr
    (tmp_path / "pyproject.toml").write_text('[tool.ptclint]\nignore = ["PTC-NOPE-001"]\n')
    proc = ptclint("scan", str(AWSCLI), cwd=tmp_path)
    assert proc.returncode == 2
    assert "pyproject.toml: [tool.ptclint] ignore = PTC-NOPE-001: matches no rule" in proc.stderr
    assert "--ignore" not in proc.stderr


def test_region_is_normalised_or_rejected() -> None:
    """`--region EU-WEST-1` is eu-west-1: no false cross-Region finding (PTC-AUTH-005)."""
    upper = ptclint("scan", "examples/awscli", "--region", "EU-WEST-1", "-f", "json")
    lower = ptclint("scan", "examples/awscli", "--region", "eu-west-1", "-f", "json")
    assert upper.returncode == lower.returncode == 1
    assert _rules_in(upper) == _rules_in(lower) == {"PTC-AUTH-001", "PTC-UP-004"}
    bad = ptclint("scan", "examples/awscli", "--region", "eu west 1")
    assert bad.returncode == 2 and "expected an AWS Region code" in bad.stderr and bad.stdout == ""


def test_packs_are_selectable_and_listed_by_ptclint_rules(catalog) -> None:
    from ptclint.catalog.select import PACKS, pack_of

    assert all(sum(r.id in ids for ids in PACKS.values()) == 1 for r in catalog.rules), "one pack per rule"
    assert set().union(*PACKS.values()) == {r.id for r in catalog.rules}, "a pack names a rule that is gone"
    for pack in ("core", "iac-correlation", "live-secrets", "live-iam"):
        chosen = select_rules(catalog, [pack])
        assert chosen and {pack_of(r) for r in chosen} == {pack}
    assert "PTC-AUTH-008" not in {r.id for r in select_rules(catalog, ["live-secrets"])}  # opt-in: by id or name
    listing = ptclint("rules")
    assert listing.returncode == 0
    line = next(x for x in listing.stdout.splitlines() if x.startswith("PTC-AUTH-014"))
    assert "iac-correlation" in line and "[authentication, secrets, iac]" in line
