"""One audit of a mocked organization of 200 accounts x 2 Regions, run once for the module's tests:
4 shards as separate processes (`export --org --shard I/4`), merged, and scanned; and one unsharded
`scan --live --org` for comparison."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

FAKEORG = Path(__file__).with_name("fakeorg.py")
ACCOUNTS = 200
REGIONS = ("eu-west-1", "us-east-1")
LIVE = ["--org", "--role-name", "PtclintAudit", *(x for r in REGIONS for x in ("--region", r))]


def ptclint(cwd: Path, *args: str, fake: bool = False) -> subprocess.Popen[str]:
    """Start ptclint in its own process (against the fake organization when `fake`)."""
    command = [sys.executable, str(FAKEORG), "--accounts", str(ACCOUNTS), "--", *args] if fake else \
        [sys.executable, "-m", "ptclint", *args]
    return subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen[str], *codes: int) -> str:
    _out, err = process.communicate(timeout=600)
    assert process.returncode in codes, f"exit {process.returncode}: {err[-2000:]}"
    return err


@dataclass(frozen=True)
class Audit:
    root: Path
    shards: list[dict[str, Any]]  # the shard snapshots
    merged_snapshot: dict[str, Any]
    single_snapshot: dict[str, Any]
    merged_report: dict[str, Any]  # scan of the merged snapshot
    single_report: dict[str, Any]  # unsharded scan --live
    merged_text: str
    single_text: str


@pytest.fixture(scope="package")
def audit(tmp_path_factory: pytest.TempPathFactory) -> Audit:
    root = tmp_path_factory.mktemp("org-audit")
    for name in ("shards", "one", "merged"):
        (root / name).mkdir()
    single = ptclint(root / "one", "scan", "--live", *LIVE, "--format", "json", "--snapshot", "snapshot.json",
                     "-o", "report.json", fake=True)
    shards = [ptclint(root / "shards", "export", *LIVE, "--shard", f"{i}/4", "-o", f"shard{i}.json", fake=True)
              for i in range(1, 5)]
    for process in shards:
        finish(process, 0)
    finish(single, 1)  # planted findings: exit 1
    paths = [f"../shards/shard{i}.json" for i in (3, 1, 4, 2)]  # the order given does not matter
    finish(ptclint(root / "merged", "merge", *paths, "-o", "snapshot.json"), 0)
    finish(ptclint(root / "merged", "scan", "snapshot.json", "--format", "json", "-o", "report.json"), 1)

    def load(path: Path) -> Any:
        return json.loads(path.read_text(encoding="utf-8"))

    return Audit(root, [load(root / "shards" / f"shard{i}.json") for i in range(1, 5)],
                 load(root / "merged" / "snapshot.json"), load(root / "one" / "snapshot.json"),
                 load(root / "merged" / "report.json"), load(root / "one" / "report.json"),
                 (root / "merged" / "report.json").read_text(encoding="utf-8"),
                 (root / "one" / "report.json").read_text(encoding="utf-8"))
