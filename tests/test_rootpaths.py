"""Paths in every format are relative to the repository root, wherever the scan is run from."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def ptclint(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ptclint", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=900)


def test_sarif_from_a_subdirectory_equals_the_one_from_the_root() -> None:
    """`cd tests && ptclint scan fixtures -f sarif` writes tests/fixtures/... (the golden file, byte for byte)."""
    proc = ptclint("scan", "fixtures", "-f", "sarif", cwd=ROOT / "tests")
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.replace(str(ROOT), "<ROOT>") == (ROOT / "tests/golden/fixtures.sarif").read_text()


def test_every_format_names_repository_paths_from_a_subdirectory() -> None:
    cwd = ROOT / "examples"
    github = ptclint("scan", "awscli", "-f", "github", "--region", "eu-west-1", cwd=cwd).stdout
    assert github.startswith("::error file=examples/awscli/describe-pull-through-cache-rules.json,line=10,")
    gitlab = json.loads(ptclint("scan", "awscli", "-f", "gitlab", cwd=cwd).stdout)
    assert {e["location"]["path"] for e in gitlab} == {"examples/awscli/describe-pull-through-cache-rules.json"}
    doc = json.loads(ptclint("scan", "awscli", "-f", "json", cwd=cwd).stdout)
    assert {f["location"]["file"] for f in doc["findings"]} == {"examples/awscli/describe-pull-through-cache-rules.json"}
    table = ptclint("scan", "awscli", cwd=cwd).stdout
    assert table.startswith("examples/awscli/describe-pull-through-cache-rules.json\n  10:9  ERROR")
    concise = ptclint("scan", "awscli", "--output-format", "concise", cwd=cwd).stdout
    assert concise.startswith("examples/awscli/describe-pull-through-cache-rules.json:10:9: PTC-AUTH-001 ")


def test_root_flag_and_a_tree_without_git(tmp_path: Path) -> None:
    """Outside a git checkout paths stay as given; --root chooses the base explicitly."""
    (tmp_path / "infra").mkdir()
    shutil.copy(ROOT / "examples/awscli/describe-pull-through-cache-rules.json", tmp_path / "infra/rules.json")
    plain = json.loads(ptclint("scan", "rules.json", "-f", "gitlab", cwd=tmp_path / "infra").stdout)
    assert plain[0]["location"]["path"] == "rules.json"
    rooted = ptclint("scan", "rules.json", "-f", "sarif", "--root", "..", cwd=tmp_path / "infra")
    run = json.loads(rooted.stdout)["runs"][0]
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "infra/rules.json"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"
