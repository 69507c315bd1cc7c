"""One mistake, one finding (issue 12, part 5): across every example, every rule case file and
every golden input, no two findings of different rules share a cause.

A finding's cause is (resource identity, file, blamed path): the identity names the resource
(account, Region, kind, prefix, IaC address), the file keeps resources of separate units apart,
and the blamed path is `Outcome.cause` - what the rule says is wrong, as a dotted path from the
resource's field to the part of it (`credentialArn.secretName`, `credentialArn.account`). A rule
that declares no cause blames the whole field it points at (`at`), so two rules that fire on the
same field collide unless one of them says which part it blames. Two paths name the same mistake
when they are equal or one is a dotted prefix of the other (`credentialArn` covers
`credentialArn.account`). Findings of one rule never collide with each other: a rule gives one
outcome per resource, so two of its findings are two resources that share an identity.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from itertools import combinations

import pytest
from casefiles import case_files, case_registry, load_case_file
from conftest import ROOT
from test_golden import CASES as GOLDEN_CASES

from ptclint.catalog import resolve_params
from ptclint.engine import evaluate
from ptclint.model import DataKind, Lookup, Origin, Registry, Resource, Status
from ptclint.report import Outcome, OutcomeKind, causes_overlap

NOW = datetime(2026, 11, 1, 12, tzinfo=timezone.utc)


def same_cause_pairs(outcomes: list[Outcome]) -> list[tuple[Outcome, Outcome]]:
    """Pairs of findings of different rules on one resource whose causes overlap."""
    by_resource: dict[tuple, list[Outcome]] = {}
    for o in outcomes:
        if o.kind is OutcomeKind.FINDING:
            by_resource.setdefault((o.identity, o.origin.file), []).append(o)
    return [(a, b) for group in by_resource.values() for a, b in combinations(group, 2)
            if a.rule_id != b.rule_id and causes_overlap(a.cause, b.cause)]


def _describe(pairs: list[tuple[Outcome, Outcome]]) -> list[str]:
    return [f"{a.identity} {a.rule_id} ({a.cause}) and {b.rule_id} ({b.cause}): {a.message[:90]!r} / "
            f"{b.message[:90]!r}" for a, b in pairs]


def _every_rule(catalog) -> list[str]:
    return [r.id for r in catalog.rules]


def _every_policy() -> dict:
    """An organization policy that sets every setting, so the policy rules run beside the others."""
    from ptclint.policy import read_policy

    return read_policy({"allowed-upstreams": ["docker-hub"], "require-tag-immutability": True,
                        "require-kms-encryption": True, "require-lifecycle-policy": True,
                        "required-prefixes": ["docker-hub"], "secret-name-pattern": "^ecr-pullthroughcache/team/"},
                       "test")


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_no_two_findings_share_a_cause_in_golden_inputs(name: str, catalog, monkeypatch) -> None:
    """The examples (`examples/`) and the IaC fixtures, with and without account context, and
    the coverage snapshot; opt-in rules and the organization policy rules run too."""
    from ptclint.config import load
    from ptclint.scan import ScanOptions, run

    monkeypatch.chdir(ROOT)
    case = dict(GOLDEN_CASES[name])
    if "config" in case:
        case["config"] = load(ROOT / case["config"])
    result = run(ScanOptions(now=NOW, extend_select=_every_rule(catalog), policy=_every_policy(), **case),
                 catalog=catalog)
    assert any(o.kind is OutcomeKind.FINDING for o in result.outcomes), "the input must give findings to compare"
    assert not _describe(same_cause_pairs(result.outcomes))


CASE_INPUTS = [
    pytest.param(path, i, id=f"{path.stem}:{case.get('name', i)}")
    for path in case_files()
    for i, case in enumerate(load_case_file(path).get("cases", []))
    if case.get("expect") == "finding"
]


@pytest.mark.parametrize(("path", "index"), CASE_INPUTS)
def test_no_two_findings_share_a_cause_in_case_files(path, index: int, catalog) -> None:
    """Every finding case of every rule, judged by the whole catalog (not just its own rule)."""
    case = load_case_file(path)["cases"][index]
    rules = catalog.rules
    outcomes, _ = evaluate(rules, case_registry(case, str(path)), resolve_params(rules, [], catalog), NOW)
    assert not _describe(same_cause_pairs(outcomes))


def _declared_secret_registry(name: str) -> Registry:
    """A Terraform-like unit: a Docker Hub rule whose credentialArn is a secret declared beside it."""
    arn = f"arn:aws:secretsmanager:eu-west-1:111122223333:secret:{name}-AbCdEf"
    origin = Origin("main.tf", 3)
    registry = Registry(account="111122223333", region="eu-west-1", source="iac", origin=origin)
    registry.rules = [Resource("pullThroughCacheRule", {
        "ecrRepositoryPrefix": "docker-hub", "upstreamRegistryUrl": "registry-1.docker.io",
        "credentialArn": arn}, origin, name="aws_ecr_pull_through_cache_rule.hub")]
    registry.carries(DataKind.RULES)
    registry.carries(DataKind.SECRETS)
    registry.secrets[arn] = Lookup(Status.FOUND, {"declared": {"name": name}, "secret": {"Name": name}}, origin)
    return registry


def test_the_check_catches_a_secret_name_reported_twice(catalog) -> None:
    """Without `supersedes` (as on main before issue 12), a secret named without the
    `ecr-pullthroughcache/` prefix gave PTC-AUTH-004 and PTC-AUTH-014 on the same line; the check
    finds that pair, and with the catalog as shipped only PTC-AUTH-014 speaks."""
    rules = [catalog.get("PTC-AUTH-004"), catalog.get("PTC-AUTH-014")]
    unordered = [replace(r, supersedes=()) for r in rules]
    params = resolve_params(rules, [], catalog)
    before, _ = evaluate(unordered, [_declared_secret_registry("dockerhub-creds")], params, NOW)
    assert {(a.rule_id, b.rule_id) for a, b in same_cause_pairs(before)} == {("PTC-AUTH-004", "PTC-AUTH-014")}
    after, _ = evaluate(rules, [_declared_secret_registry("dockerhub-creds")], params, NOW)
    assert [o.rule_id for o in after if o.kind is OutcomeKind.FINDING] == ["PTC-AUTH-014"]
    assert not same_cause_pairs(after)


def test_every_supersedes_can_silence_something(catalog) -> None:
    """A `supersedes` entry silences only a finding whose cause overlaps one the superseding rule
    can give; an entry whose causes never overlap would be dead."""
    by_id = catalog.by_id()

    def causes(rule) -> set[str]:
        return {rule.default_cause, *(cause for _, cause in rule.cause_when)}

    for rule in catalog.rules:
        for other in rule.supersedes:
            assert any(causes_overlap(a, b) for a in causes(rule) for b in causes(by_id[other])), (rule.id, other)


def _scan_dir(catalog, tmp_path, files: dict[str, str], **kw):
    from ptclint.scan import ScanOptions, run

    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return run(ScanOptions(paths=[str(tmp_path)], now=NOW, **kw), catalog=catalog)


def test_terraform_secret_named_without_the_prefix_is_one_finding(catalog, tmp_path) -> None:
    """A per-environment root as public modules write it: the secret's name lacks the prefix. One
    finding (PTC-AUTH-014, at the rule's credential_arn, naming the secret), not also PTC-AUTH-004."""
    result = _scan_dir(catalog, tmp_path, {"envs/prod/main.tf": """
provider "aws" {
  region = "eu-west-1"
}

resource "aws_secretsmanager_secret" "dockerhub" {
  name = "prod/dockerhub-credentials"
}

resource "aws_ecr_pull_through_cache_rule" "dockerhub" {
  ecr_repository_prefix = "docker-hub"
  upstream_registry_url = "registry-1.docker.io"
  credential_arn        = aws_secretsmanager_secret.dockerhub.arn
}

resource "aws_secretsmanager_secret" "ghcr" {
  name = "ecr-pullthroughcache/ghcr"
}

resource "aws_ecr_pull_through_cache_rule" "ghcr" {
  ecr_repository_prefix = "ghcr"
  upstream_registry_url = "ghcr.io"
  credential_arn        = aws_secretsmanager_secret.ghcr.arn
}
"""}, account="210987654321")
    on_credential = [(o.rule_id, o.identity.key) for o in result.outcomes
                     if o.kind is OutcomeKind.FINDING and o.rule_id.startswith("PTC-AUTH-")]
    assert on_credential == [("PTC-AUTH-014", "docker-hub")]
    assert not same_cause_pairs(result.outcomes)


def test_documentation_account_in_an_arn_is_one_finding(catalog, tmp_path) -> None:
    """A CloudFormation template copied from the user guide: the example account 111122223333 is
    still in the secret ARN, scanned for account 210987654321. One finding (PTC-AUTH-015), not
    also "secret in another account" (PTC-AUTH-005); a real other account next to it is still
    PTC-AUTH-005's."""
    result = _scan_dir(catalog, tmp_path, {"ptc.yaml": """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  DockerHubRule:
    Type: AWS::ECR::PullThroughCacheRule
    Properties:
      EcrRepositoryPrefix: docker-hub
      UpstreamRegistryUrl: registry-1.docker.io
      CredentialArn: arn:aws:secretsmanager:eu-west-1:111122223333:secret:ecr-pullthroughcache/docker-hub-AbCdEf
  GhcrRule:
    Type: AWS::ECR::PullThroughCacheRule
    Properties:
      EcrRepositoryPrefix: ghcr
      UpstreamRegistryUrl: ghcr.io
      CredentialArn: arn:aws:secretsmanager:eu-west-1:999988887777:secret:ecr-pullthroughcache/ghcr-AbCdEf
"""}, account="210987654321", region="eu-west-1")
    fired = sorted((o.identity.key, o.rule_id) for o in result.outcomes
                   if o.kind is OutcomeKind.FINDING and o.rule_id.startswith("PTC-AUTH-"))
    assert fired == [("docker-hub", "PTC-AUTH-015"), ("ghcr", "PTC-AUTH-005")]
    assert not same_cause_pairs(result.outcomes)
