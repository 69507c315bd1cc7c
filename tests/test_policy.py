"""Organization policy ([tool.ptclint.policy]): the policy rules are off until configured, read
their settings as the CEL variable `policy`, and a bad setting is a clear configuration error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli import ptclint

from ptclint.catalog import select_rules
from ptclint.errors import ConfigError
from ptclint.policy import read_policy

RULES = {"pullThroughCacheRules": [
    {"ecrRepositoryPrefix": "quay", "upstreamRegistryUrl": "quay.io", "upstreamRegistry": "quay"},
    {"ecrRepositoryPrefix": "docker-hub", "upstreamRegistryUrl": "registry-1.docker.io", "upstreamRegistry": "docker-hub",
     "credentialArn": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:ecr-pullthroughcache/docker-hub-AbCdEf"},
]}


def _project(tmp_path: Path, config: str) -> Path:
    (tmp_path / ".git").mkdir()  # the configuration is looked up to the repository root, no further
    (tmp_path / "pyproject.toml").write_text(config)
    (tmp_path / "rules.json").write_text(json.dumps(RULES))
    return tmp_path


def _policy_findings(proc) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for f in json.loads(proc.stdout)["findings"]:
        if f["ruleId"].startswith("PTC-POL-"):
            out.setdefault(f["ruleId"], set()).add(f["resource"]["key"])
    return out


def test_allowed_upstreams_in_pyproject_flags_quay_and_not_docker_hub(tmp_path: Path) -> None:
    """Issue 13, done when 3 (first half)."""
    project = _project(tmp_path, '[tool.ptclint.policy]\nallowed-upstreams = ["ecr-public", "docker-hub"]\n')
    proc = ptclint("scan", "rules.json", "--account", "111122223333", "--region", "eu-west-1", "-f", "json",
                   cwd=project)
    assert proc.returncode == 1, proc.stderr
    assert _policy_findings(proc) == {"PTC-POL-001": {"quay"}}
    finding = next(f for f in json.loads(proc.stdout)["findings"] if f["ruleId"] == "PTC-POL-001")
    assert "allowed upstreams: ecr-public, docker-hub" in finding["message"]


def test_policy_rules_are_off_until_configured(tmp_path: Path) -> None:
    project = _project(tmp_path, '[tool.ptclint]\nfail-on = "error"\n')
    proc = ptclint("scan", "rules.json", "--account", "111122223333", "--region", "eu-west-1", "-f", "json",
                   cwd=project)
    assert _policy_findings(proc) == {}
    skipped = {s["ruleId"] for s in json.loads(proc.stdout)["skipped"]}
    assert skipped and not any(r.startswith("PTC-POL-") for r in skipped)  # not run, and no noise about it
    proc = ptclint("scan", "rules.json", "--select", "PTC-POL-001", cwd=project)
    assert proc.returncode == 2
    assert "set allowed-upstreams in [tool.ptclint.policy]" in proc.stderr and "Traceback" not in proc.stderr


def test_an_unknown_upstream_name_lists_the_valid_ones(tmp_path: Path) -> None:
    project = _project(tmp_path, '[tool.ptclint.policy]\nallowed-upstreams = ["docker-hub", "ghcr"]\n')
    proc = ptclint("scan", "rules.json", cwd=project)
    assert proc.returncode == 2
    line = proc.stderr.strip().splitlines()[-1]
    assert "pyproject.toml: [tool.ptclint.policy]: allowed-upstreams: 'ghcr' is not an upstream registry name" in line
    assert "did you mean 'github-container-registry'?" in line
    assert "valid names: azure-container-registry, chainguard, docker-hub, ecr, ecr-public" in line
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(("table", "message"), [
    ({"allowed-upstream": []}, "allowed-upstream: unknown policy setting; did you mean 'allowed-upstreams'?"),
    ({"require-kms-encryption": "yes"}, "require-kms-encryption: expected true or false"),
    ({"required-prefixes": "docker-hub"}, "required-prefixes: expected a list of non-empty strings"),
    ({"secret-name-pattern": "^(?=team)"}, "secret-name-pattern: not a valid RE2 regular expression"),
    ({"allowed-upstreams": ["quay.io"]}, "did you mean 'quay'?"),
])
def test_bad_settings_are_config_errors(table: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=r"^where: ") as info:
        read_policy(table, "where")
    assert message in str(info.value)


def test_settings_are_read_in_config_spelling() -> None:
    policy = read_policy({"allowed-upstreams": ["quay"], "require-lifecycle-policy": True}, "where")
    assert policy == {"allowed-upstreams": ["quay"], "require-lifecycle-policy": True}


def test_a_false_setting_keeps_its_rule_off(catalog) -> None:
    chosen = {r.id for r in select_rules(catalog, policy={"require-tag-immutability": False,
                                                          "require-kms-encryption": True})}
    assert "PTC-POL-003" in chosen and "PTC-POL-002" not in chosen
    assert not {r.id for r in select_rules(catalog)} & {r.id for r in catalog.rules if r.policy}


def test_ptclint_toml_takes_a_policy_table(tmp_path: Path) -> None:
    from ptclint import config

    path = tmp_path / ".ptclint.toml"
    path.write_text('[policy]\nrequired-prefixes = ["docker-hub"]\nsecret-name-pattern = "^ecr-pullthroughcache/team-"\n')
    merged = config.merge(config.load(path), config.Flags(paths=["x"]))
    assert merged.policy == {"required-prefixes": ["docker-hub"], "secret-name-pattern": "^ecr-pullthroughcache/team-"}
    path.write_text('[policy]\nrequire-tag-immutability = 1\n')
    with pytest.raises(ConfigError, match=r"\.ptclint\.toml: \[policy\]: require-tag-immutability: expected true"):
        config.load(path)


def test_a_rule_naming_an_unknown_policy_setting_is_a_catalog_error(tmp_path: Path) -> None:
    from conftest import ROOT

    from ptclint.catalog import load_catalog
    from ptclint.errors import CatalogError

    text = (ROOT / "rules" / "pol" / "PTC-POL-001.yaml").read_text()
    text = text.replace("id: PTC-POL-001", "id: PTC-ACME-901").replace("name: upstream-not-allowed-by-policy",
                                                                      "name: acme-policy")
    text = text.replace("policy: [allowed-upstreams]", "policy: [allowed-upstream]")
    (tmp_path / "PTC-ACME-901.yaml").write_text(text)
    with pytest.raises(CatalogError, match="policy/0: 'allowed-upstream' is not an organization policy setting"):
        load_catalog([str(tmp_path)], use_cache=False)


def test_ptclint_config_shows_the_policy(tmp_path: Path) -> None:
    project = _project(tmp_path, '[tool.ptclint.policy]\nallowed-upstreams = ["quay"]\nrequire-kms-encryption = true\n')
    proc = ptclint("config", cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert '\n[policy]\nallowed-upstreams = ["quay"]\nrequire-kms-encryption = true' in proc.stdout


def test_worker_processes_judge_with_the_policy_too(catalog, monkeypatch) -> None:
    """Large inputs are judged in worker processes (ptclint.pool): they see the same policy."""
    from casefiles import NOW, build_registry

    from ptclint import engine, pool
    from ptclint.catalog import resolve_params

    registries = [build_registry({"account": f"{i:012d}", **RULES}) for i in range(pool.MIN_REGISTRIES + 1)]
    rules = [r for r in catalog.rules if r.id in ("PTC-POL-001", "PTC-UP-001")]
    params = resolve_params(rules, [], catalog)
    policy = read_policy({"allowed-upstreams": ["docker-hub"]}, "test")
    monkeypatch.setattr(pool, "worth_it", lambda *_: False)
    serial = engine.evaluate(rules, registries, params, NOW, policy)
    monkeypatch.setattr(pool, "worth_it", lambda *_: True)
    monkeypatch.setenv("PTCLINT_WORKERS", "2")
    parallel = engine.evaluate(rules, registries, params, NOW, policy)
    assert parallel == serial
    assert sum(o.rule_id == "PTC-POL-001" and o.kind.value == "finding" for o in parallel[0]) == len(registries)


def test_selecting_only_unconfigured_policy_rules_says_why_nothing_runs(catalog) -> None:
    with pytest.raises(ConfigError, match=r"only organization policy rules whose \[tool.ptclint.policy\] settings"):
        select_rules(catalog, ["policy"])
    assert {r.id for r in select_rules(catalog, ["policy"], policy={"required-prefixes": ["x"]})} == {"PTC-POL-005"}
