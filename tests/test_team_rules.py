"""Team rules: `rules = [paths]` in the configuration (and --rules DIR) load rule files with the
shipped catalog's schema; `ptclint rules test DIR` runs their case files (DIR/tests/) and reports
each case's pass or fail, which case and why."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from conftest import ROOT
from test_cli import ptclint

EXAMPLE = ROOT / "examples" / "team-rules"
RULES = {"pullThroughCacheRules": [
    {"ecrRepositoryPrefix": "docker-hub", "upstreamRegistryUrl": "registry-1.docker.io", "upstreamRegistry": "docker-hub",
     "credentialArn": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:ecr-pullthroughcache/docker-hub-AbCdEf"},
    {"ecrRepositoryPrefix": "cache/quay", "upstreamRegistryUrl": "quay.io", "upstreamRegistry": "quay"},
]}


def _project(tmp_path: Path, config: str) -> Path:
    (tmp_path / ".git").mkdir()
    shutil.copytree(EXAMPLE, tmp_path / "team-rules")
    (tmp_path / "pyproject.toml").write_text(config)
    (tmp_path / "rules.json").write_text(json.dumps(RULES))
    return tmp_path


def test_a_team_rule_directory_in_the_config_runs_in_scan(tmp_path: Path) -> None:
    """Issue 13, done when 3 (second half)."""
    project = _project(tmp_path, '[tool.ptclint]\nrules = ["team-rules"]\n')
    proc = ptclint("scan", "rules.json", "--account", "111122223333", "--region", "eu-west-1", "-f", "json",
                   cwd=project)
    assert proc.returncode == 1, proc.stderr
    team = [f for f in json.loads(proc.stdout)["findings"] if f["ruleId"] == "PTC-ACME-001"]
    assert [f["resource"]["key"] for f in team] == ["docker-hub"]
    assert "outside the 'cache/' namespace" in team[0]["message"]


def test_a_missing_team_directory_in_the_config_names_the_file(tmp_path: Path) -> None:
    project = _project(tmp_path, '[tool.ptclint]\nrules = ["no-such-dir"]\n')
    proc = ptclint("scan", "rules.json", cwd=project)
    assert proc.returncode == 2
    assert "pyproject.toml: [tool.ptclint] rules: 'no-such-dir': not a directory" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_rules_test_passes_the_example_and_fails_a_wrong_case_saying_which_and_why(tmp_path: Path) -> None:
    """Issue 13, done when 3 (third half): good cases pass, a deliberately wrong one fails."""
    good = ptclint("rules", "test", str(EXAMPLE))
    assert good.returncode == 0, good.stdout + good.stderr
    assert good.stdout.count("PASS  ") == 5 and "FAIL" not in good.stdout
    assert good.stdout.strip().splitlines()[-1] == "ptclint: 5 cases: 5 passed, 0 failed"

    team = _project(tmp_path, "") / "team-rules"
    with (team / "tests" / "PTC-ACME-001.yaml").open("a") as fh:
        fh.write("  - name: a top-level prefix is fine (deliberately wrong)\n    expect: pass\n"
                 "    pullThroughCacheRules:\n      - {ecrRepositoryPrefix: quay, upstreamRegistryUrl: quay.io}\n")
    bad = ptclint("rules", "test", str(team))
    assert bad.returncode == 1
    failed = [line for line in bad.stdout.splitlines() if line.startswith("FAIL")]
    assert len(failed) == 1
    assert re.fullmatch(r"FAIL  .*tests/PTC-ACME-001\.yaml:\d+  PTC-ACME-001  a top-level prefix is fine \(deliberately "
                        r"wrong\): expected pass, got a finding: PTC rule 'quay' creates repositories outside .*",
                        failed[0]), failed[0]
    assert bad.stdout.strip().splitlines()[-1] == "ptclint: 6 cases: 5 passed, 1 failed"


def test_rules_test_fails_a_rule_without_cases_and_a_case_file_for_no_rule(tmp_path: Path) -> None:
    team = _project(tmp_path, "") / "team-rules"
    (team / "tests" / "PTC-ACME-001.yaml").rename(team / "tests" / "PTC-ACME-002.yaml")
    text = (team / "tests" / "PTC-ACME-002.yaml").read_text().replace("rule: PTC-ACME-001", "rule: PTC-ACME-002")
    (team / "tests" / "PTC-ACME-002.yaml").write_text(text)
    proc = ptclint("rules", "test", str(team))
    assert proc.returncode == 1
    assert "PTC-ACME-002  (file): rule PTC-ACME-002 is not in the catalog" in proc.stdout
    assert "PTC-ACME-001  (rule): no case file names PTC-ACME-001" in proc.stdout


def test_a_team_rule_with_a_shipped_id_is_exit_2(tmp_path: Path) -> None:
    team = _project(tmp_path, "") / "team-rules"
    rule = team / "PTC-ACME-001.yaml"
    rule.write_text(rule.read_text().replace("id: PTC-ACME-001", "id: PTC-UP-001"))
    for args in (("rules", "test", str(team)), ("scan", "--rules", str(team), str(tmp_path / "rules.json"))):
        proc = ptclint(*args)
        assert proc.returncode == 2, args
        assert "PTC-ACME-001.yaml:4: duplicate rule id PTC-UP-001: a shipped rule has it" in proc.stderr
        assert "Traceback" not in proc.stderr


def test_rules_test_of_a_missing_directory_is_exit_2() -> None:
    proc = ptclint("rules", "test", "no/such/dir")
    assert proc.returncode == 2 and "rules test no/such/dir: not a directory" in proc.stderr


def _readme_section(title: str) -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index(f"## {title}\n")
    return text[start:text.index("\n## ", start + 1)]


def test_the_readme_team_rule_example_passes_rules_test(tmp_path: Path) -> None:
    """The README's "Writing a team rule" example, written out as the README names its files, passes
    `ptclint rules test`; and it is the example kept under examples/team-rules."""
    section = _readme_section("Writing a team rule")
    blocks = re.findall(r"```yaml\n# (team-rules/\S+)\n(.*?)```", section, re.S)
    assert [name for name, _ in blocks] == ["team-rules/PTC-ACME-001.yaml", "team-rules/tests/PTC-ACME-001.yaml"]
    for name, body in blocks:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body)
        assert body == (EXAMPLE / name.removeprefix("team-rules/")).read_text()
    proc = ptclint("rules", "test", "team-rules", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    shown = re.search(r"```console\n\$ ptclint rules test team-rules\n(.*?)```", section, re.S).group(1).splitlines()
    out = proc.stdout.splitlines()
    assert shown[0] == out[0] and shown[-1] == out[-1]


def test_configured_team_rules_are_listed_and_explained(tmp_path: Path) -> None:
    project = _project(tmp_path, '[tool.ptclint]\nrules = ["team-rules"]\n')
    listing = ptclint("rules", cwd=project)
    assert listing.returncode == 0, listing.stderr
    assert any(line.startswith("PTC-ACME-001  prefix-outside-cache-namespace") for line in listing.stdout.splitlines())
    explained = ptclint("explain", "PTC-ACME-001", cwd=project)
    assert explained.returncode == 0 and "# PTC-ACME-001: Pull through cache prefix" in explained.stdout


def test_rules_test_help_names_its_argument_by_metavar() -> None:
    text = ptclint("rules", "test", "--help").stdout
    assert "DIR " in text and "list[str]" not in text
