"""The table in a real pseudo-terminal at 100 columns: coloured, no line wider than the terminal,
no word broken; plain with NO_COLOR=1 or when piped. Plus concise mode, --statistics, --quiet."""

from __future__ import annotations

import fcntl
import json
import os
import re
import struct
import subprocess
import sys
import termios

import pytest
from conftest import ROOT

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def in_pty(*args: str, columns: int = 100, env: dict[str, str] | None = None) -> str:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES")}
    environ.update({"TERM": "xterm-256color", **(env or {})})
    proc = subprocess.Popen([sys.executable, "-m", "ptclint", *args], cwd=ROOT, stdin=slave, stdout=slave,
                            stderr=subprocess.DEVNULL, env=environ)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    proc.wait(timeout=600)
    return b"".join(chunks).decode().replace("\r\n", "\n")


def piped(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ptclint", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=600)


@pytest.fixture(scope="module")
def messages() -> list[str]:
    return [f["message"] for f in json.loads(piped("scan", "examples", "-f", "json").stdout)["findings"]]


def test_table_in_a_100_column_terminal_is_coloured_and_breaks_no_word(messages) -> None:
    out = in_pty("scan", "examples")
    assert "\x1b[1;31m" in out, "errors are red on a terminal"
    plain = ANSI.sub("", out)
    words = set(plain.split())
    for line in plain.splitlines():
        assert len(line) <= 100 or " " not in line.strip(), f"{len(line)} columns: {line!r}"
    for message in messages:
        for word in message.split():
            assert word in words, f"{word!r} was broken across lines"
    assert "see: ptclint explain PTC-AUTH-001" in plain
    assert "examples/demo-account.snapshot.json\n" in plain, "full mode groups findings under a file line"


def test_no_color_and_a_pipe_give_plain_text() -> None:
    assert "\x1b[" not in in_pty("scan", "examples", env={"NO_COLOR": "1"})
    assert "\x1b[" not in in_pty("scan", "examples", "--color", "never")
    proc = piped("scan", "examples")
    assert proc.returncode == 1 and "\x1b[" not in proc.stdout and "\x1b[" not in proc.stderr
    assert "\x1b[1;31m" in piped("scan", "examples", "--color", "always").stdout


def test_a_narrow_terminal_wraps_between_words(messages) -> None:
    plain = ANSI.sub("", in_pty("scan", "examples", columns=60))
    for line in plain.splitlines():
        assert len(line) <= 60 or " " not in line.strip(), line
    words = set(plain.split())
    assert all(word in words for message in messages for word in message.split())


def test_concise_statistics_and_quiet() -> None:
    concise = piped("scan", "examples/awscli", "--output-format", "concise")
    lines = concise.stdout.splitlines()
    assert lines[0].startswith("examples/awscli/describe-pull-through-cache-rules.json:10:9: PTC-AUTH-001 PTC rule")
    assert all(re.match(r"[^:]+:\d+:\d+: PTC-[A-Z]+-\d{3} ", line) for line in lines if line and line[0] != " "
               and not line.startswith(("Could not", "Coverage")))
    stats = piped("scan", "examples", "--statistics").stdout.splitlines()
    assert re.match(r"\s+6  PTC-AUTH-001\s+error\s+Authenticated upstream", stats[0]), stats[0]
    quiet = piped("scan", "examples/awscli", "--quiet", "--output-format", "concise")
    assert quiet.returncode == 1 and quiet.stderr == "" and len(quiet.stdout.splitlines()) == 2


def test_unjudged_checks_are_listed_not_only_counted() -> None:
    few = piped("scan", "examples").stdout
    assert "Could not be judged (14 checks, unknown values):" in few
    assert "more (--show-unjudged lists them all)" in few
    every = piped("scan", "examples", "--show-unjudged").stdout
    assert "--show-unjudged lists" not in every
    section = every.split("Could not be judged")[1]
    assert len(re.findall(r"^  PTC-", section, re.M)) == 14


def test_a_source_line_that_may_hold_a_credential_is_not_echoed() -> None:
    from ptclint.reporters.table import _CREDENTIAL

    planted = (ROOT / "tests/fixtures/terraform/secrets/main.tf").read_text().splitlines()
    line = next(x for x in planted if "dckr_pat_PLANTEDTOKEN123" in x)
    assert _CREDENTIAL.search(line)
    assert _CREDENTIAL.search("SecretString: '{\"username\": \"u\", \"accessToken\": \"t\"}'")
    assert not _CREDENTIAL.search('credential_arn        = aws_secretsmanager_secret.github.arn')
    assert "PLANTEDTOKEN" not in piped("scan", "tests/fixtures", "--show-unjudged").stdout


def test_a_minified_input_is_not_quoted_line_by_line(tmp_path) -> None:
    """A snapshot written on one line: the table quoted (the start of) the whole document under
    every finding, after searching all of it for credentials each time (minutes for an organization's
    snapshot); it names the place and quotes nothing."""
    snapshot = json.loads((ROOT / "examples" / "demo-account.snapshot.json").read_text())
    one_line = tmp_path / "minified.snapshot.json"
    one_line.write_text(json.dumps(snapshot, separators=(",", ":")))
    assert len(one_line.read_text().splitlines()) == 1
    out = subprocess.run([sys.executable, "-m", "ptclint", "scan", str(one_line)], cwd=ROOT, capture_output=True,
                         text=True, timeout=300, env={**os.environ, "COLUMNS": "100"}).stdout
    assert "PTC-AUTH-001" in out and "minified.snapshot.json" in out
    assert '{"ptclintSnapshot"' not in out and " 1 | " not in out
