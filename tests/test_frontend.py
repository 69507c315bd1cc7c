"""The entry point's typer-free path (`frontend.fast_scan`, issue 9 target 1): a plain `scan` gives
exactly what typer's `cli.scan` gives — stdout, stderr and exit code — and any command line it
does not fully understand is left to typer."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import ROOT

from ptclint import cli, frontend

CFN = str(ROOT / "examples" / "iac" / "cloudformation" / "ptc-mistakes.yaml")
AWSCLI = str(ROOT / "examples" / "awscli" / "describe-pull-through-cache-rules.json")
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")  # the JSON report's scan time


def _typer(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        cli.app(argv)
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), TIME.sub("T", out), err


def _fast(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = frontend.fast_scan(argv)
    except SystemExit as exc:  # a user error: one line, exit 2
        code = int(exc.code or 0)
    assert code is not None, "a plain scan is run without typer"
    out, err = capsys.readouterr()
    return code, TIME.sub("T", out), err


@pytest.mark.parametrize("argv", [
    ["scan", CFN],
    ["scan", "--hook", CFN, AWSCLI],
    ["scan", "--format", "json", CFN],
    ["scan", "-f", "sarif", "--fail-on", "error", CFN],
    ["scan", "--fail-on=note", "--quiet", AWSCLI],
    ["scan", "-q", "--allow-partial", "--format=github", CFN],
    ["scan", str(ROOT / "examples" / "iac")],
    ["scan", str(ROOT / "no-such-file.yaml"), CFN],
], ids=["plain", "hook", "json", "sarif-fail-on", "quiet", "partial-github", "directory", "missing-file"])
def test_a_plain_scan_is_the_same_without_typer(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    slow = _typer(argv, capsys)
    fast = _fast(argv, capsys)
    assert fast == slow
    assert slow[1] or slow[2]  # something was reported


@pytest.mark.parametrize("argv", [
    [], ["rules"], ["scan"], ["scan", "-"], ["scan", "--", CFN], ["scan", "--help"], ["scan", "--select", "X", CFN],
    ["scan", "--format", "bogus", CFN], ["scan", "--fail-on", "sometimes", CFN], ["scan", CFN, "--fail-on"],
    ["scan", "-fjson", CFN], ["scan", "-f=json", CFN], ["scan", "--live"], ["scan", "--output", "x.json", CFN],
])
def test_anything_else_is_left_to_typer(argv: list[str]) -> None:
    assert frontend.parse_simple_scan(argv) is None


def test_the_hook_command_never_imports_typer() -> None:
    code = ("import sys; sys.argv = ['ptclint', 'scan', '--hook', sys.argv[1]]; from ptclint.entry import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('typer', 'pydantic', 'click') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code, CFN], capture_output=True, text=True, check=False)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stderr


def test_typer_still_runs_every_other_command() -> None:
    done = subprocess.run([sys.executable, "-m", "ptclint", "scan", "--select", "PTC-UP-004", AWSCLI],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 1 and "PTC-UP-004" in done.stdout, done.stderr
