"""Issue 12 parts 3, 4 and 6 on realistic configurations: names that are generated or only partly
known are judged on what is known, ARNs ptclint makes up are never judged, and one unresolved
policy statement does not hide a fully written one. Each configuration was silent (or wrong) before:
the staging root's three mistakes gave no finding, the data-source example gave two PTC-AUTH-011
findings on ARNs ptclint built, and the open registry policy was "not judged"."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT

from ptclint.model import PartlyKnown
from ptclint.scan import ScanOptions, run

TF = ROOT / "tests" / "fixtures" / "terraform" / "generated-names"
CFN = ROOT / "tests" / "fixtures" / "cloudformation" / "generated-names"
SECRET_RULES = {"PTC-AUTH-004", "PTC-AUTH-011", "PTC-AUTH-014", "PTC-AUTH-016"}


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def scan(catalog, path: Path, **options):
    return run(ScanOptions(paths=[str(path)], account="111122223333", **options), catalog)


def kinds(result, rule_ids: set[str]) -> dict[tuple[str, str], str]:
    return {(o.rule_id, o.identity.name): o.kind.value for o in result.outcomes if o.rule_id in rule_ids}


def line_of(path: Path, needle: str, after: str) -> int:
    lines = path.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if after in line)
    return next(i for i, line in enumerate(lines[start:], start + 1) if needle in line)


def test_staging_root_reports_each_naming_and_key_mistake_at_the_rule(catalog) -> None:
    main = TF / "envs" / "staging" / "main.tf"
    result = scan(catalog, main.parent)
    assert not result.problems
    found = {(o.rule_id, o.identity.name, o.origin.line) for o in result.findings}
    assert found == {
        # name_prefix = "dockerhub-" in the module call: judged on the prefix the user wrote
        ("PTC-AUTH-014", "aws_ecr_pull_through_cache_rule.dockerhub",
         line_of(main, "credential_arn", 'resource "aws_ecr_pull_through_cache_rule" "dockerhub"')),
        # format("gitlab-%s", var.environment): known to start with gitlab-
        ("PTC-AUTH-014", "aws_ecr_pull_through_cache_rule.gitlab",
         line_of(main, "credential_arn", 'resource "aws_ecr_pull_through_cache_rule" "gitlab"')),
        # jsonencode({ user = ..., token = var.dockerhub_token }): the keys are known
        ("PTC-AUTH-016", "aws_ecr_pull_through_cache_rule.ghcr",
         line_of(main, "credential_arn", 'resource "aws_ecr_pull_through_cache_rule" "ghcr"')),
    }
    messages = {o.rule_id + o.identity.name: o.message for o in result.findings}
    assert "declared with name_prefix 'dockerhub-'" in messages["PTC-AUTH-014aws_ecr_pull_through_cache_rule.dockerhub"]
    assert "named 'gitlab-...'" in messages["PTC-AUTH-014aws_ecr_pull_through_cache_rule.gitlab"]
    assert "the keys token, user; it lacks username, accessToken" in messages["PTC-AUTH-016aws_ecr_pull_through_cache_rule.ghcr"]


def test_production_root_is_judged_and_silent(catalog) -> None:
    result = scan(catalog, TF / "envs" / "prod")
    assert not result.problems and not result.findings
    judged = kinds(result, {"PTC-AUTH-014", "PTC-AUTH-016"})
    rules = ("dockerhub", "ghcr", "gitlab")
    # passes, not "could not be judged": the known beginnings and the known keys decide
    assert all(judged[("PTC-AUTH-014", f"aws_ecr_pull_through_cache_rule.{r}")] == "pass" for r in rules)
    assert judged[("PTC-AUTH-016", "aws_ecr_pull_through_cache_rule.dockerhub")] == "pass"
    assert judged[("PTC-AUTH-016", "aws_ecr_pull_through_cache_rule.ghcr")] == "pass"
    # the ARNs ptclint made up for the generated names are not judged as ARNs
    assert {k: v for k, v in kinds(result, {"PTC-AUTH-004", "PTC-AUTH-011"}).items() if v != "notApplicable"} == {}


def test_made_up_arns_carry_their_basis_and_the_name_stays_partly_known(catalog) -> None:
    result = scan(catalog, TF / "envs" / "prod")
    (reg,) = result.registries
    rule = {r.name: r for r in reg.rules}["aws_ecr_pull_through_cache_rule.dockerhub"]
    lookup = reg.secrets[rule.data["credentialArn"]].data
    assert lookup["arnFrom"] == "the name_prefix of module.dockerhub_credential.aws_secretsmanager_secret.this"
    assert lookup["secret"]["Name"] == PartlyKnown(
        "the name of module.dockerhub_credential.aws_secretsmanager_secret.this is generated at apply from its "
        "name_prefix", "ecr-pullthroughcache/dockerhub-")
    assert lookup["declared"]["valueKeys"] == ["accessToken", "username"]
    ghcr = reg.secrets[{r.name: r for r in reg.rules}["aws_ecr_pull_through_cache_rule.ghcr"].data["credentialArn"]]
    assert isinstance(ghcr.data["secret"]["Name"], PartlyKnown)
    assert ghcr.data["secret"]["Name"].prefix == "ecr-pullthroughcache/"


def test_data_source_arns_are_not_judged_but_the_names_are(catalog) -> None:
    main = TF / "examples" / "data-source" / "main.tf"
    result = scan(catalog, main.parent)
    assert not result.problems
    assert {(o.rule_id, o.identity.name) for o in result.findings} == {
        ("PTC-AUTH-014", "aws_ecr_pull_through_cache_rule.chainguard")}
    judged = kinds(result, SECRET_RULES)
    assert judged[("PTC-AUTH-014", "aws_ecr_pull_through_cache_rule.dockerhub")] == "pass"
    for name in ("dockerhub", "chainguard"):  # the partial ARNs are ptclint's, not the user's
        assert judged[("PTC-AUTH-011", f"aws_ecr_pull_through_cache_rule.{name}")] == "notApplicable"
        assert judged[("PTC-AUTH-004", f"aws_ecr_pull_through_cache_rule.{name}")] == "notApplicable"
    (finding,) = result.findings
    assert "named 'dockerhub-creds'" in finding.message


def test_one_unresolved_statement_does_not_hide_an_open_grant(catalog) -> None:
    opened = scan(catalog, TF / "policies" / "open")
    assert {o.rule_id for o in opened.findings} == {"PTC-IAM-010"}
    (finding,) = opened.findings
    assert "AnyoneMayPopulateTheCache" in finding.message
    fixed = scan(catalog, TF / "policies" / "account")
    assert not fixed.findings
    assert kinds(fixed, {"PTC-IAM-010", "PTC-IAM-009"}) == {("PTC-IAM-010", ""): "pass", ("PTC-IAM-009", ""): "pass"}


def test_cloudformation_sub_and_join_names_are_judged_on_their_known_beginning(catalog) -> None:
    template = CFN / "per-environment.yaml"
    result = scan(catalog, template)
    assert not result.problems
    assert {(o.rule_id, o.identity.name) for o in result.findings} == {("PTC-AUTH-014", "GitLabRule")}
    judged = kinds(result, SECRET_RULES)
    assert judged[("PTC-AUTH-014", "GhcrRule")] == "pass"  # !Sub "ecr-pullthroughcache/${Environment}/ghcr"
    assert judged[("PTC-AUTH-014", "ChainguardRule")] == "pass"  # !Join ["/", ["ecr-pullthroughcache", ...]]
    assert judged[("PTC-AUTH-016", "GhcrRule")] == "pass"  # keys of the !Sub JSON text
    assert all(judged[("PTC-AUTH-004", r)] == "notApplicable" for r in ("GhcrRule", "GitLabRule", "ChainguardRule"))


def test_plan_with_a_generated_secret_name_judges_its_prefix(catalog) -> None:
    result = scan(catalog, ROOT / "tests" / "fixtures" / "terraform" / "secrets" / "plan.json")
    judged = kinds(result, {"PTC-AUTH-014", "PTC-AUTH-004"})
    rule = "module.chainguard.aws_ecr_pull_through_cache_rule.this"
    assert judged[("PTC-AUTH-014", rule)] == "pass"  # name_prefix = "ecr-pullthroughcache/chainguard-"
    assert judged[("PTC-AUTH-004", rule)] == "notApplicable"
