"""The command line as a user runs it: exit codes, locations, errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

AWSCLI_RULES = ROOT / "examples" / "awscli" / "describe-pull-through-cache-rules.json"


def ptclint(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ptclint", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=900)


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_examples_print_findings_and_exit_1() -> None:
    proc = ptclint("scan", "examples/")
    assert proc.returncode == 1, proc.stderr
    assert "PTC-UP-004" in proc.stdout and "PTC-AUTH-001" in proc.stdout
    assert proc.stderr.strip().splitlines()[-1].startswith("ptclint: ")
    assert "Traceback" not in proc.stderr


def test_awscli_rules_export_points_at_offending_rules() -> None:
    proc = ptclint("scan", str(AWSCLI_RULES), "--account", "111122223333", "--region", "eu-west-1", "-f", "json")
    assert proc.returncode == 1, proc.stderr
    findings = json.loads(proc.stdout)["findings"]
    by_rule = {(f["ruleId"], f["resource"]["key"]): f for f in findings}
    assert set(by_rule) == {("PTC-AUTH-001", "docker-hub"), ("PTC-UP-004", "gitlab")}
    auth = by_rule[("PTC-AUTH-001", "docker-hub")]
    # the Docker Hub rule object starts at the "{" before its prefix line
    assert auth["location"]["line"] == line_of(AWSCLI_RULES, '"ecrRepositoryPrefix": "docker-hub"') - 1
    up = by_rule[("PTC-UP-004", "gitlab")]
    assert up["location"]["line"] == line_of(AWSCLI_RULES, "gitlab.internal.example.com")
    assert up["resource"] | {"fqn": None} == {"account": "111122223333", "region": "eu-west-1",
                                               "kind": "pullThroughCacheRule", "key": "gitlab", "fqn": None}


def test_fail_on_controls_exit_code() -> None:
    assert ptclint("scan", str(AWSCLI_RULES), "--fail-on", "never").returncode == 0
    assert ptclint("scan", str(AWSCLI_RULES), "--fail-on", "error").returncode == 1
    assert ptclint("scan", str(AWSCLI_RULES), "--select", "PTC-NAME-001").returncode == 0
    proc = ptclint("scan", str(AWSCLI_RULES), "--ignore", "PTC-AUTH-001", "-f", "json")
    assert "PTC-AUTH-001" not in {f["ruleId"] for f in json.loads(proc.stdout)["findings"]}


def test_malformed_json_is_a_short_error(tmp_path: Path) -> None:
    bad = tmp_path / "rules.json"
    bad.write_text('{"pullThroughCacheRules": [\n  {"ecrRepositoryPrefix": "x",\n')
    proc = ptclint("scan", str(bad))
    assert proc.returncode == 2
    assert str(bad) in proc.stderr or "rules.json" in proc.stderr
    assert ":3:" in proc.stderr or ":4:" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unknown_json_shape_given_by_name_is_an_error(tmp_path: Path) -> None:
    other = tmp_path / "package.json"
    other.write_text('{"name": "web", "version": "1.0.0"}\n')
    proc = ptclint("scan", str(other))
    assert proc.returncode == 2
    assert "package.json" in proc.stderr and "not a recognised ptclint input" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unrelated_files_found_by_walking_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"name": "web"}')
    (tmp_path / "broken.json").write_text("{not json")
    (tmp_path / "rules.json").write_text(AWSCLI_RULES.read_text())
    proc = ptclint("scan", str(tmp_path), "-f", "json")
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["summary"]["inputProblems"] == 0


def test_cel_syntax_error_in_extra_rules(tmp_path: Path) -> None:
    rules = tmp_path / "myrules" / "up"
    rules.mkdir(parents=True)
    text = (ROOT / "rules" / "up" / "PTC-UP-002.yaml").read_text()
    text = text.replace("id: PTC-UP-002", "id: PTC-UP-901").replace("name: ", "name: x-", 1)
    lines = text.splitlines()
    i = next(n for n, line in enumerate(lines) if line.startswith("assert:"))
    lines[i] = 'assert: "has(resource.x) && ("'
    (rules / "PTC-UP-901.yaml").write_text("\n".join(lines) + "\n")
    proc = ptclint("scan", str(AWSCLI_RULES), "--rules", str(tmp_path / "myrules"))
    assert proc.returncode == 2
    assert f"PTC-UP-901.yaml:{i + 1}:" in proc.stderr
    assert "CEL syntax error" in proc.stderr and "Traceback" not in proc.stderr


def test_one_bad_file_does_not_hide_the_rest(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2,,]")
    proc = ptclint("scan", str(bad), str(AWSCLI_RULES), "-f", "json")
    assert proc.returncode == 2  # an input error outranks findings
    report = json.loads(proc.stdout)
    assert report["summary"]["inputProblems"] == 1
    assert {f["ruleId"] for f in report["findings"]} == {"PTC-AUTH-001", "PTC-UP-004"}
    assert "bad.json:1:" in proc.stderr


def test_missing_path_and_bad_flags() -> None:
    proc = ptclint("scan", "does/not/exist.json")
    assert proc.returncode == 2 and "no such file" in proc.stderr
    proc = ptclint("scan", str(AWSCLI_RULES), "--select", "PTC-NOPE-1")
    assert proc.returncode == 2 and "PTC-NOPE-1" in proc.stderr and "Traceback" not in proc.stderr
    proc = ptclint("scan", str(AWSCLI_RULES), "--param", "PTC-UP-001.nothing=1")
    assert proc.returncode == 2 and "has no param" in proc.stderr
    proc = ptclint("scan", str(AWSCLI_RULES), "--account", "12")
    assert proc.returncode == 2 and "12-digit" in proc.stderr


def test_rules_explain_and_version(catalog) -> None:
    proc = ptclint("rules")
    assert proc.returncode == 0
    listed = {line.split()[0] for line in proc.stdout.splitlines()}
    assert listed == {r.id for r in catalog.rules}
    proc = ptclint("explain", "PTC-UP-004")
    assert proc.returncode == 0 and "## How to fix it" in proc.stdout and "https://" in proc.stdout
    assert ptclint("explain", "gitlab-self-managed").stdout == proc.stdout
    assert ptclint("explain", "PTC-XX-999").returncode == 2
    from ptclint import __version__

    version = ptclint("--version").stdout.splitlines()
    assert version[0] == f"ptclint {__version__}"
    assert version[1].startswith("catalog ") and version[1].endswith(f" ({len(catalog.rules)} rules)")
    help_text = " ".join(ptclint("--help").stdout.replace("│", " ").split())
    for code in ("Exit codes: 0 nothing at or above --fail-on", "1 findings", "2 usage", "3 partial"):
        assert code in help_text


def test_output_file_is_written(tmp_path: Path) -> None:
    out = tmp_path / "report.sarif"
    proc = ptclint("scan", "examples/", "-f", "sarif", "-o", str(out))
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert json.loads(out.read_text())["version"] == "2.1.0"
    assert not list(tmp_path.glob(".*.tmp"))


def test_summary_line_mentions_skipped_rules() -> None:
    proc = ptclint("scan", str(AWSCLI_RULES))
    assert "skipped" in proc.stderr and "creation templates not in this input" in proc.stderr


def test_json_output_follows_its_schema() -> None:
    import jsonschema

    schema = json.loads((ROOT / "schemas" / "findings.schema.json").read_text())
    for target in ("examples/", str(AWSCLI_RULES)):
        report = json.loads(ptclint("scan", target, "-f", "json").stdout)
        jsonschema.Draft202012Validator(schema).validate(report)
        assert report["summary"]["exitCode"] == 1
