"""Offline scans open no network connection and never import boto3."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

# Every file under examples/ and the IaC fixtures: snapshots, AWS CLI output, CloudFormation, Terraform HCL and
# plans. examples/families/ holds self-contained examples that all name the same account and Region, so each is
# scanned on its own (together they would form one registry).
SCANS = [["examples/demo-account.snapshot.json", "examples/awscli", "examples/iac"],
         *[[str(p.relative_to(ROOT))] for p in sorted((ROOT / "examples" / "families").glob("*.json"))],
         ["tests/fixtures"]]
SMALL = ["examples/demo-account.snapshot.json", "examples/awscli", "examples/iac"]
FORMATS = ("table", "json", "sarif")


class NetworkUsed(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch):
    """Every way to reach the network raises (and is recorded, in case someone swallows the error)."""
    attempts: list[str] = []

    def refuse(name):
        def fail(*args, **kwargs):
            attempts.append(f"{name}{args[1:2] if name.startswith('socket.') else args[:1]}")
            raise NetworkUsed(f"offline scan used the network: {name}")
        return fail

    monkeypatch.setattr(socket.socket, "connect", refuse("socket.connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("socket.connect_ex"))
    monkeypatch.setattr(socket.socket, "sendto", refuse("socket.sendto"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    monkeypatch.setattr(socket, "gethostbyname", refuse("gethostbyname"))
    return attempts


def test_the_guard_works(no_network) -> None:
    with pytest.raises(NetworkUsed):
        socket.create_connection(("example.com", 443))
    with pytest.raises(NetworkUsed), socket.socket() as s:
        s.connect(("192.0.2.1", 443))
    assert len(no_network) == 2
    no_network.clear()


def test_offline_scans_use_no_network(no_network, monkeypatch, tmp_path: Path) -> None:
    """The catalog (from its cache or rebuilt), every loader, the engine and every reporter."""
    from ptclint.catalog import load_catalog
    from ptclint.reporters import REPORTERS
    from ptclint.scan import ScanOptions, run

    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("PTCLINT_CACHE_DIR", str(tmp_path / "cache"))
    catalog = load_catalog()  # built and written to the (empty) cache
    assert load_catalog().by_id().keys() == catalog.by_id().keys()  # read back from it
    covered = set()
    for paths in SCANS:
        result = run(ScanOptions(paths=paths), catalog=catalog)
        assert not result.problems, result.problems
        assert result.exit_code() in (0, 1) and result.registries, paths
        covered.update(result.files)
        for fmt in FORMATS:
            assert REPORTERS[fmt].render(result)
    on_disk = {str(p.relative_to(ROOT)) for p in (ROOT / "examples").rglob("*.json")}
    assert on_disk <= covered
    assert no_network == []


def test_offline_scan_through_the_cli_in_process(no_network, monkeypatch, tmp_path: Path, capsys) -> None:
    """The command line layer too (options, --output), on a small input."""
    from ptclint.cli import run_main

    monkeypatch.chdir(ROOT)
    out = tmp_path / "report.sarif"
    monkeypatch.setattr(sys, "argv", ["ptclint", "scan", "examples/awscli", "-f", "sarif", "-o", str(out)])
    with pytest.raises(SystemExit) as info:
        run_main()
    assert info.value.code == 1, capsys.readouterr().err
    assert json.loads(out.read_text())["runs"][0]["results"]
    assert "internal error" not in capsys.readouterr().err
    assert no_network == []


_FRESH = r"""
import json, socket, sys
attempts = []
def refuse(*args, **kwargs):
    attempts.append(repr(args[:2]))
    raise OSError("network is off in this test")
socket.socket.connect = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
from ptclint.cli import app
try:
    app(["scan", *sys.argv[2:], "-f", "json", "-o", sys.argv[1]])
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "attempts": attempts,
                  "aws": sorted(m for m in sys.modules if m.split(".")[0] in ("boto3", "botocore", "s3transfer"))}))
"""

# every loader once: snapshot, AWS CLI output, CloudFormation and Terraform HCL (examples/), plan JSON
FRESH_INPUTS = [*SMALL, "tests/fixtures/terraform/after-apply/plan.json"]


def test_a_fresh_offline_scan_never_imports_boto3(tmp_path: Path) -> None:
    env = dict(os.environ)
    env.pop("PTCLINT_DEBUG", None)
    report_path = tmp_path / "report.json"
    proc = subprocess.run([sys.executable, "-c", _FRESH, str(report_path), *FRESH_INPUTS], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "error:" not in proc.stderr, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result == {"code": 1, "attempts": [], "aws": []}
    report = json.loads(report_path.read_text())
    assert report["inputProblems"] == [] and report["findings"]
    loaded = {f["location"]["file"].rsplit(".", 1)[-1] for f in report["findings"]}
    assert {"json", "yaml", "tf"} <= loaded
