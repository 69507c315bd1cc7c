"""An installed wheel (not only an editable checkout) finds its rules and schemas."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

from conftest import ROOT


def test_wheel_in_a_clean_venv_lists_every_rule(tmp_path: Path, catalog) -> None:
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
                   check=True, capture_output=True)
    wheel = next(dist.glob("ptclint-*.whl"))
    assert "ptclint/_schemas/api/repository-creation-template.json" in zipfile.ZipFile(wheel).namelist()
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", str(wheel)], check=True, capture_output=True, timeout=600)
    # run from a directory without the source tree, so nothing can be found beside the package
    proc = subprocess.run([str(env_dir / "bin" / "ptclint"), "rules"], cwd=tmp_path, capture_output=True, text=True,
                          env={"PATH": str(env_dir / "bin"), "PTCLINT_NO_CACHE": "1", "HOME": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    listed = {line.split()[0] for line in proc.stdout.splitlines()}
    assert listed == {r.id for r in catalog.rules}
    snapshot = ROOT / "examples" / "demo-account.snapshot.json"
    proc = subprocess.run([str(env_dir / "bin" / "ptclint"), "scan", str(snapshot), "-f", "json"], cwd=tmp_path,
                          capture_output=True, text=True, env={"PATH": str(env_dir / "bin"), "HOME": str(tmp_path)})
    assert proc.returncode == 1, proc.stderr
