"""The pre-commit hook, run through the real `pre-commit` tool."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

CFN = ROOT / "examples" / "iac" / "cloudformation"


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> Path:
    """A snapshot of this repository committed in a scratch git repo, as `try-repo` needs."""
    src = tmp_path_factory.mktemp("hookrepo")
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy(ROOT / name, src / name)
    for name in ("ptclint", "rules", "schemas"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    git(src, "init", "-q")
    git(src, "add", "-A")
    git(src, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "hook")
    return src


def run_hook(hook_repo: Path, work: Path, files: dict[str, str]) -> subprocess.CompletedProcess:
    work.mkdir()
    git(work, "init", "-q")
    for name, text in files.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(text)
    git(work, "add", "-A")
    env = {**os.environ, "PRE_COMMIT_HOME": str(hook_repo.parent / "pre-commit-home"), "PTCLINT_NO_CACHE": "1"}
    exe = Path(sys.executable).parent / "pre-commit"
    return subprocess.run([str(exe), "try-repo", str(hook_repo), "ptclint", "--all-files", "--verbose"],
                          cwd=work, capture_output=True, text=True, env=env, timeout=900)


def test_hook_fails_on_a_broken_template(hook_repo: Path, tmp_path: Path) -> None:
    proc = run_hook(hook_repo, tmp_path / "w", {"stack.yaml": (CFN / "ptc-mistakes.yaml").read_text()})
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "PTC-" in proc.stdout and "stack.yaml" in proc.stdout


def test_hook_passes_on_a_clean_template_and_ignores_unrelated_json(hook_repo: Path, tmp_path: Path) -> None:
    files = {
        "stack.yaml": (CFN / "ptc-clean.yaml").read_text(),
        "package.json": '{"name": "web", "version": "1.0.0", "dependencies": {}}\n',
        "k8s/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n",
    }
    proc = run_hook(hook_repo, tmp_path / "w", files)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Passed" in proc.stdout
