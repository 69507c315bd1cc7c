"""`ptclint config` shows the file used and the merged settings; two files in one directory warn."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT

AWSCLI = ROOT / "examples" / "awscli"


def ptclint(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ptclint", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=900)


def test_config_shows_the_file_and_the_merged_settings(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.ptclint]\nfail-on = "error"\nignore = ["PTC-RCT-012"]\n'
                                             '[tool.ptclint.params.PTC-AUTH-012]\nmax-days = 60\n')
    proc = ptclint("config", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == f"# configuration file: {tmp_path.resolve() / 'pyproject.toml'}"
    assert 'fail-on = "error"' in lines and 'ignore = ["PTC-RCT-012"]' in lines and 'select = ["ALL"]' in lines
    assert '[params."PTC-AUTH-012"]' in proc.stdout and "max-days = 60" in proc.stdout
    empty = tmp_path / "empty"
    (empty / ".git").mkdir(parents=True)
    assert ptclint("config", cwd=empty).stdout.startswith("# configuration file: none (defaults)")


def test_two_config_files_in_one_directory_warn_which_wins(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".ptclint.toml").write_text('fail-on = "never"\n')
    (tmp_path / "pyproject.toml").write_text('[tool.ptclint]\nfail-on = "error"\n')
    proc = ptclint("scan", str(AWSCLI), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr  # fail-on = never from .ptclint.toml
    assert "ptclint: warning: both" in proc.stderr
    assert ".ptclint.toml wins and [tool.ptclint] in pyproject.toml is ignored" in proc.stderr
    assert "wins" in ptclint("config", cwd=tmp_path).stdout


def test_help_keeps_bracketed_text_and_shows_the_config_command() -> None:
    """Rich markup used to eat `[default: warning]` and `[tool.ptclint]` from the help."""
    text = " ".join(ptclint("scan", "--help", cwd=ROOT).stdout.split())
    assert "[default: warning]" in text and "[tool.ptclint]" in text
    assert "config " in ptclint("--help", cwd=ROOT).stdout


def test_help_names_arguments_by_metavar_not_python_type() -> None:
    """typer printed "PATH <list[str]>": a Python type means nothing to a user."""
    for command in ("scan", "export"):
        text = ptclint(command, "--help", cwd=ROOT).stdout
        assert "<list[" not in text and "list[str]" not in text, command
    assert "PATH " in ptclint("scan", "--help", cwd=ROOT).stdout
