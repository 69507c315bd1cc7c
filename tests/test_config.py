"""Project configuration: [tool.ptclint] / .ptclint.toml, overridden by the command line."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

RULES = ROOT / "examples" / "awscli" / "describe-pull-through-cache-rules.json"


def ptclint(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ptclint", *args], cwd=cwd, capture_output=True, text=True, timeout=900)


def test_config_sets_defaults_and_the_cli_wins(tmp_path: Path) -> None:
    shutil.copy(RULES, tmp_path / "rules.json")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".ptclint.toml").write_text('fail-on = "never"\nignore = ["PTC-AUTH-001"]\n')
    proc = ptclint(tmp_path, "scan", "rules.json", "-f", "json")
    assert proc.returncode == 0, proc.stderr
    assert "PTC-AUTH-001" not in {f["ruleId"] for f in json.loads(proc.stdout)["findings"]}
    assert ptclint(tmp_path, "scan", "rules.json", "--fail-on", "error").returncode == 1


def test_pyproject_section_and_registry_mapping(tmp_path: Path) -> None:
    (tmp_path / "exports").mkdir()
    shutil.copy(RULES, tmp_path / "exports" / "rules.json")
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "infra"\n\n[tool.ptclint]\n[tool.ptclint.params."PTC-NAME-008"]\nratio = 0.9\n\n'
        '[[tool.ptclint.registry]]\npaths = ["exports/*.json"]\naccount = "111122223333"\nregion = "eu-west-1"\n')
    report = json.loads(ptclint(tmp_path, "scan", "exports/", "-f", "json").stdout)
    resources = {(f["resource"]["account"], f["resource"]["region"]) for f in report["findings"]}
    assert resources == {("111122223333", "eu-west-1")}


def test_bad_config_is_a_short_error(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".ptclint.toml").write_text('fail-on = "sometimes"\n')
    proc = ptclint(tmp_path, "scan", str(RULES))
    assert proc.returncode == 2
    assert ".ptclint.toml" in proc.stderr and "fail-on" in proc.stderr and "Traceback" not in proc.stderr
    (tmp_path / ".ptclint.toml").write_text('fail-on = \n')
    proc = ptclint(tmp_path, "scan", str(RULES))
    assert proc.returncode == 2 and ".ptclint.toml" in proc.stderr and "Traceback" not in proc.stderr
