"""Snapshot and AWS CLI loaders: shapes, positions, statuses, and clear errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ROOT

from ptclint.loaders.inputs import load_inputs
from ptclint.model import DataKind, Status
from ptclint.scan import ScanOptions

DEMO = ROOT / "examples" / "demo-account.snapshot.json"
ACCOUNT = "111122223333"


def load(*paths: Path, **kw):
    registries, problems, _ = load_inputs(ScanOptions(paths=[str(p) for p in paths], **kw))
    return registries, problems


def write(tmp_path: Path, name: str, data) -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=2))
    return path


# ---------------------------------------------------------------- snapshot

def test_demo_snapshot_loads_two_registries_with_statuses() -> None:
    registries, problems = load(DEMO)
    assert not problems
    assert sorted(r.key for r in registries) == [(ACCOUNT, "eu-west-1"), (ACCOUNT, "us-east-1")]
    eu = next(r for r in registries if r.region == "eu-west-1")
    us = next(r for r in registries if r.region == "us-east-1")
    assert eu.has(DataKind.TEMPLATES) and not us.has(DataKind.TEMPLATES)
    assert us.has(DataKind.SECRETS) and us.has(DataKind.ROLES)
    statuses = {lookup.status for lookup in us.secrets.values()}
    assert statuses == {Status.FOUND, Status.NOT_FOUND}
    rule = eu.rules[0]
    text = DEMO.read_text().splitlines()
    assert '"upstreamRegistryUrl": "registry-1.docker.io"' in text[rule.origin_of("upstreamRegistryUrl").line - 1]


def _snapshot(**registry):
    return {"ptclintSnapshot": 1, "registries": [{"account": ACCOUNT, "region": "eu-west-1", **registry}]}


@pytest.mark.parametrize(
    ("registry", "pointer"),
    [
        ({"pullThroughCacheRules": {"status": "found", "items": [{"ecrRepositoryPrefix": 5, "upstreamRegistryUrl": "quay.io"}]}},
         "/registries/0/pullThroughCacheRules/items/0/ecrRepositoryPrefix"),
        ({"pullThroughCacheRules": {"status": "maybe"}}, "/registries/0/pullThroughCacheRules/status"),
        ({"pullThroughCacheRules": {"status": "found", "items": {"a": 1}}}, "/registries/0/pullThroughCacheRules/items"),
        ({"repositoryCreationTemplates": {"status": "found", "items": [{"prefix": "x", "appliedFor": "PULL_THROUGH_CACHE"}]}},
         "/registries/0/repositoryCreationTemplates/items/0/appliedFor"),
        ({"secrets": {"arn:x": {"status": "found", "secret": {"ARN": "a", "Name": "n", "SecretString": "hunter2"}}}},
         "/registries/0/secrets/arn:x/secret"),
        ({"roles": {"arn:r": {"status": "found", "role": {"RoleName": 1, "Arn": "arn:r"}}}}, "/registries/0/roles/arn:r/role/RoleName"),
    ],
)
def test_snapshot_wrong_types_name_the_place(tmp_path: Path, registry, pointer: str) -> None:
    path = write(tmp_path, "snap.json", _snapshot(**registry))
    _, problems = load(path)
    assert len(problems) == 1
    assert pointer in problems[0].message and problems[0].line
    assert "hunter2" not in str(problems[0])


def test_snapshot_version_and_account_are_checked(tmp_path: Path) -> None:
    _, problems = load(write(tmp_path, "a.json", {"ptclintSnapshot": 7, "registries": []}))
    assert "unsupported snapshot version 7" in problems[0].message
    _, problems = load(write(tmp_path, "b.json", {"ptclintSnapshot": 1, "registries": [{"account": "12", "region": "eu-west-1"}]}))
    assert "/registries/0/account" in problems[0].message


def test_access_denied_collection_is_a_gap(tmp_path: Path) -> None:
    registries, _ = load(write(tmp_path, "s.json", _snapshot(pullThroughCacheRules={"status": "found", "items": []},
                                                             repositoryCreationTemplates={"status": "accessDenied"})))
    assert registries[0].gaps and not registries[0].has(DataKind.TEMPLATES)


# ---------------------------------------------------------------- AWS CLI

RULES = {"pullThroughCacheRules": [
    {"ecrRepositoryPrefix": "docker-hub", "upstreamRegistryUrl": "registry-1.docker.io", "registryId": ACCOUNT,
     "credentialArn": f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:ecr-pullthroughcache/docker-hub",
     "createdAt": 1700000000.123, "upstreamRegistry": "docker-hub"},
    {"ecrRepositoryPrefix": "ecr-public", "upstreamRegistryUrl": "public.ecr.aws", "registryId": ACCOUNT,
     "createdAt": "2023-11-14T22:13:20.123000+00:00"},
]}


def test_cli_exports_form_one_registry_and_link_partial_secret_arns(tmp_path: Path) -> None:
    secret = {"ARN": f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:ecr-pullthroughcache/docker-hub-AbCdEf",
              "Name": "ecr-pullthroughcache/docker-hub", "LastAccessedDate": 1700006400.0}
    templates = {"registryId": ACCOUNT, "repositoryCreationTemplates": [{"prefix": "ROOT", "appliedFor": ["PULL_THROUGH_CACHE"]}]}
    role = {"Role": {"RoleName": "r", "Arn": f"arn:aws:iam::{ACCOUNT}:role/r", "CreateDate": "2024-01-01T00:00:00Z",
                     "AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D"}}
    registries, problems = load(write(tmp_path, "rules.json", RULES), write(tmp_path, "tpl.json", templates),
                                write(tmp_path, "secret.json", secret), write(tmp_path, "role.json", role),
                                region="eu-west-1")
    assert not problems and len(registries) == 1
    reg = registries[0]
    assert reg.key == (ACCOUNT, "eu-west-1") and reg.has(DataKind.TEMPLATES)
    assert reg.rules[0].data["createdAt"] == "2023-11-14T22:13:20Z"
    assert reg.rules[1].data["createdAt"] == "2023-11-14T22:13:20Z"
    partial = RULES["pullThroughCacheRules"][0]["credentialArn"]
    assert reg.secrets[partial].data["secret"]["Name"] == "ecr-pullthroughcache/docker-hub"
    assert reg.secrets[partial].data["secret"]["LastAccessedDate"] == "2023-11-15T00:00:00Z"
    assert reg.roles[f"arn:aws:iam::{ACCOUNT}:role/r"].data["role"]["AssumeRolePolicyDocument"] == {"Version": "2012-10-17", "Statement": []}


def test_cli_yaml_output_is_read(tmp_path: Path) -> None:
    text = "pullThroughCacheRules:\n- ecrRepositoryPrefix: quay\n  upstreamRegistryUrl: quay.io\n  createdAt: '2023-11-14T22:13:20+00:00'\n"
    registries, problems = load(write(tmp_path, "rules.yaml", text))
    assert not problems and registries[0].rules[0].origin.line == 2


def test_get_secret_value_output_is_refused_without_echoing_it(tmp_path: Path) -> None:
    path = write(tmp_path, "value.json", {"ARN": f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:x", "Name": "x",
                                          "SecretString": '{"username":"u","accessToken":"dckr_pat_SECRET"}'})
    _, problems = load(path)
    assert "never reads secret values" in problems[0].message
    assert "dckr_pat_SECRET" not in str(problems[0])


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"pullThroughCacheRules": {"x": 1}}, "/pullThroughCacheRules: expected a list"),
        ({"pullThroughCacheRules": ["x"]}, "/pullThroughCacheRules/0: expected an object"),
        ({"pullThroughCacheRules": [{"upstreamRegistryUrl": "quay.io"}]}, "missing required field 'ecrRepositoryPrefix'"),
        ({"pullThroughCacheRules": [{"ecrRepositoryPrefix": "q", "upstreamRegistryUrl": ["quay.io"]}]}, "upstreamRegistryUrl: expected a string, got a list"),
        ({"repositoryCreationTemplates": [{"prefix": "x", "appliedFor": "REPLICATION"}]}, "appliedFor: expected a list"),
        ({"Role": {"RoleName": "r"}}, "missing required field 'Arn'"),
    ],
)
def test_cli_wrong_types(tmp_path: Path, data, fragment: str) -> None:
    path = write(tmp_path, "x.json", data)
    _, problems = load(path)
    assert len(problems) == 1 and fragment in problems[0].message and problems[0].line >= 1
