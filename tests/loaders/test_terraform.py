"""Terraform: .tf directories (HCL loader) and `terraform show -json` (plan loader).

The plan fixtures under tests/fixtures/terraform/<name>/plan.json were made by real Terraform
from the configurations beside them (scripts/make-plan-fixtures.sh, offline).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from ptclint.model import DataKind, PartlyKnown, Unknown
from ptclint.report import OutcomeKind
from ptclint.scan import ScanOptions, run

FIX = ROOT / "tests" / "fixtures" / "terraform"
PLANNED = ["foreach", "secrets", "after-apply"]
TOKEN = "dckr_pat_PLANTEDTOKEN123"
OTHER_SECRET = "ghp_examplenotarealtoken"


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # display paths are relative to the working directory


def scan(catalog, *paths, **options):
    return run(ScanOptions(paths=[str(p) for p in paths], **options), catalog)


def line_of(path: Path, needle: str, after: str | None = None) -> int:
    lines = path.read_text().splitlines()
    start = 0 if after is None else next(i for i, line in enumerate(lines) if after in line)
    return next(i for i, line in enumerate(lines[start:], start + 1) if needle in line)


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT)).replace(os.sep, "/")


def outcomes(result, kind: OutcomeKind = OutcomeKind.FINDING) -> set[tuple]:
    return {(o.rule_id, o.identity.account, o.identity.region, o.identity.kind, o.identity.key, o.identity.name,
             o.origin.file, o.origin.line, o.origin.column) for o in result.outcomes if o.kind is kind}


def ptclint(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ptclint", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=900)


# ---------------------------------------------------------------- a. for_each over a map variable

def test_foreach_gitlab_entry_yields_up004_at_its_tf_line(catalog) -> None:
    main = FIX / "foreach" / "main.tf"
    result = scan(catalog, main, account="111122223333")
    assert not result.problems
    line = line_of(main, "upstream_registry_url = each.value.url")
    assert outcomes(result) == {
        ("PTC-UP-004", "111122223333", "eu-west-1", "pullThroughCacheRule", "gitlab",
         'aws_ecr_pull_through_cache_rule.this["gitlab"]', rel(main), line, 3),
    }
    names = {r.name for reg in result.registries for r in reg.rules}
    assert names == {f'aws_ecr_pull_through_cache_rule.this["{k}"]'
                     for k in ("ecr-public", "k8s", "quay", "gitlab", "docker-hub")}
    # every other entry was judged and passed UP-004 (it did not go unjudged)
    passed = {o.identity.name for o in result.outcomes if o.rule_id == "PTC-UP-004" and o.kind is OutcomeKind.PASS}
    assert len(passed) == 4 and 'aws_ecr_pull_through_cache_rule.this["gitlab"]' not in passed


def test_foreach_without_account_uses_symbolic_account_and_provider_region(catalog) -> None:
    result = scan(catalog, FIX / "foreach" / "variables.tf")  # any .tf file names its directory
    assert [(r.account, r.region, r.partition, r.source) for r in result.registries] == [
        ("${AWS::AccountId}", "eu-west-1", "aws", "iac")]
    up4 = {o.identity.name for o in result.findings if o.rule_id == "PTC-UP-004"}
    assert up4 == {'aws_ecr_pull_through_cache_rule.this["gitlab"]'}


# ---------------------------------------------------------------- b. the plan gives the same findings

@pytest.mark.parametrize("name", PLANNED)
@pytest.mark.parametrize("account", ["", "111122223333"])
def test_plan_and_hcl_give_the_same_outcomes(catalog, name: str, account: str) -> None:
    hcl = scan(catalog, FIX / name / "main.tf", account=account)
    plan = scan(catalog, FIX / name / "plan.json", account=account)
    assert not hcl.problems and not plan.problems
    assert outcomes(plan) == outcomes(hcl)
    for o in plan.findings:
        assert o.origin.file.endswith(".tf"), o  # plan findings point at the .tf lines
    # not only findings: every (rule, resource) pair is judged the same way, except by rules that
    # need data only one of the inputs carries (plan changes)
    skipped = {s.rule_id for s in [*hcl.skips, *plan.skips]}
    for kind in (OutcomeKind.PASS, OutcomeKind.UNKNOWN, OutcomeKind.NOT_APPLICABLE):
        assert {o for o in outcomes(plan, kind) if o[0] not in skipped} == \
            {o for o in outcomes(hcl, kind) if o[0] not in skipped}, kind
    if name != "after-apply":
        assert hcl.findings


def test_plan_findings_fall_back_to_plan_json_lines_without_tf_files(catalog, tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    shutil.copy(FIX / "foreach" / "plan.json", plan)
    result = scan(catalog, plan, account="111122223333")
    (finding,) = result.findings
    assert finding.rule_id == "PTC-UP-004"
    assert finding.identity.name == 'aws_ecr_pull_through_cache_rule.this["gitlab"]'
    assert finding.origin.file == str(plan)  # outside the working directory: absolute
    text = plan.read_text().splitlines()
    assert "upstream_registry_url" in text[finding.origin.line - 1]
    assert '"gitlab.example.com"' in text[finding.origin.line - 1]
    # --tf-root finds the configuration again
    again = scan(catalog, plan, account="111122223333", tf_root=str(FIX / "foreach"))
    assert outcomes(again) == outcomes(scan(catalog, FIX / "foreach" / "main.tf", account="111122223333"))


def test_plan_links_unknown_credential_arn_to_the_declared_secret(catalog) -> None:
    result = scan(catalog, FIX / "secrets" / "plan.json")
    (reg,) = result.registries
    rules = {r.name: r for r in reg.rules}
    arn = rules["aws_ecr_pull_through_cache_rule.dockerhub"].data["credentialArn"]
    assert arn == "arn:aws:secretsmanager:eu-central-1:${AWS::AccountId}:secret:ecr-pullthroughcache/docker-hub"
    declared = reg.secrets[arn].data["declared"]
    assert declared["name"] == "ecr-pullthroughcache/docker-hub"
    assert declared["valueKeys"] == ["accessToken", "username"] and declared["literalToken"] is True
    assert declared["recoveryWindowInDays"] == 0
    github = reg.secrets[rules["aws_ecr_pull_through_cache_rule.github"].data["credentialArn"]].data["declared"]
    assert github["valueKeys"] == ["password", "username"] and github["literalToken"] is False
    # name_prefix: the ARN is generated at apply; the rule carries ptclint's key for the declared
    # secret (marked arnFrom, so no rule judges its shape) and the name is partly known
    chainguard = rules["module.chainguard.aws_ecr_pull_through_cache_rule.this"]
    key = chainguard.data["credentialArn"]
    assert key == ("arn:aws:secretsmanager:eu-central-1:${AWS::AccountId}:secret:ecr-pullthroughcache/chainguard-* "
                   "(module.chainguard.aws_secretsmanager_secret.this)")
    assert reg.secrets[key].data["arnFrom"] == "the name_prefix of module.chainguard.aws_secretsmanager_secret.this"
    assert reg.secrets[key].data["secret"]["Name"] == PartlyKnown(
        "the name of module.chainguard.aws_secretsmanager_secret.this is generated at apply from its name_prefix",
        "ecr-pullthroughcache/chainguard-")
    assert chainguard.origin.file == "tests/fixtures/terraform/secrets/modules/chainguard/main.tf"
    role = reg.roles[rules["aws_ecr_pull_through_cache_rule.upstream"].data["customRoleArn"]].data
    assert role["role"]["RoleName"] == "ecr-ptc-upstream"
    assert role["inlinePolicies"][0]["PolicyName"] == "pull-from-upstream"
    assert reg.registry_policy is not None and reg.has(DataKind.REGISTRY_POLICY)
    assert reg.has(DataKind.PLAN_CHANGES) and reg.has(DataKind.SECRETS) and reg.has(DataKind.ROLES) and reg.has(DataKind.IAM_POLICIES)
    changes = {c["address"]: c for c in reg.plan_changes}
    assert changes["aws_ecr_pull_through_cache_rule.dockerhub"]["actions"] == ["create"]
    assert changes["aws_ecr_pull_through_cache_rule.dockerhub"]["after"]["ecrRepositoryPrefix"] == "docker-hub"


def test_plan_delete_and_create_of_the_same_prefix_are_plan_changes(catalog, tmp_path: Path) -> None:
    plan = json.loads((FIX / "foreach" / "plan.json").read_text())
    plan["resource_changes"].append({
        "address": "aws_ecr_pull_through_cache_rule.quay", "mode": "managed",
        "type": "aws_ecr_pull_through_cache_rule", "name": "quay",
        "change": {"actions": ["delete"], "before": {"ecr_repository_prefix": "quay", "upstream_registry_url": "quay.io",
                                                      "credential_arn": "", "custom_role_arn": "",
                                                      "upstream_repository_prefix": ""},
                   "after": None, "after_unknown": {}, "before_sensitive": {}, "after_sensitive": False},
        "action_reason": "delete_because_no_resource_config"})
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan, indent=1))
    result = scan(catalog, path, tf_root=str(FIX / "foreach"))
    (reg,) = result.registries
    assert reg.has(DataKind.PLAN_CHANGES)
    by_address = {c["address"]: c for c in reg.plan_changes}
    assert by_address["aws_ecr_pull_through_cache_rule.quay"] == {
        "address": "aws_ecr_pull_through_cache_rule.quay", "type": "aws_ecr_pull_through_cache_rule",
        "actions": ["delete"], "before": {"ecrRepositoryPrefix": "quay", "upstreamRegistryUrl": "quay.io"},
        "after": None}
    assert by_address['aws_ecr_pull_through_cache_rule.this["quay"]']["after"]["ecrRepositoryPrefix"] == "quay"
    if any(r.id == "PTC-NAME-012" for r in catalog.rules):  # the rule these changes are for
        name012 = {(o.identity.name, o.origin.file) for o in result.findings if o.rule_id == "PTC-NAME-012"}
        assert name012 == {('aws_ecr_pull_through_cache_rule.this["quay"]', rel(FIX / "foreach" / "main.tf"))}


# ---------------------------------------------------------------- c. unknown values prove silence

def test_unknown_hcl_values_give_no_findings_and_are_counted(catalog) -> None:
    unit = FIX / "hcl-only" / "unknowns"
    result = scan(catalog, unit / "main.tf")
    assert not result.problems
    assert not result.findings
    unknown = [o for o in result.outcomes if o.kind is OutcomeKind.UNKNOWN]
    assert result.count(OutcomeKind.UNKNOWN) == len(unknown) > 0
    by_name: dict[str, set[str]] = {}
    for o in unknown:
        by_name.setdefault(o.identity.name, set()).add(o.detail)
    mirror = by_name["aws_ecr_pull_through_cache_rule.mirror"]
    assert any("mirror_host" in d and "no default" in d for d in mirror), mirror
    ghcr = by_name["aws_ecr_pull_through_cache_rule.ghcr"]
    assert any("module secrets" in d and "not on disk" in d for d in ghcr), ghcr
    # the same configuration with the variable given: now it is judged, at the attribute's line
    given = scan(catalog, unit / "main.tf", tf_vars=["mirror_host=gitlab.example.com"])
    assert {(o.rule_id, o.identity.name, o.origin.line) for o in given.findings} == {
        ("PTC-UP-004", "aws_ecr_pull_through_cache_rule.mirror", line_of(unit / "main.tf", "var.mirror_host"))}


def test_values_known_after_apply_in_a_plan_give_no_findings_and_are_counted(catalog) -> None:
    result = scan(catalog, FIX / "after-apply" / "plan.json")
    assert not result.problems
    # the Quay rule's secret has a generated name (name_prefix), but that it sets a credential is
    # known: PTC-AUTH-002 judges that, and nothing judges the ARN ptclint made up for it
    assert {(o.rule_id, o.identity.name) for o in result.findings} == {
        ("PTC-AUTH-002", "aws_ecr_pull_through_cache_rule.quay")}
    details = {(o.identity.name, o.detail) for o in result.outcomes if o.kind is OutcomeKind.UNKNOWN}
    assert result.count(OutcomeKind.UNKNOWN) > 0
    assert ("aws_ecr_pull_through_cache_rule.mirror",
            "aws_ecr_pull_through_cache_rule.mirror.upstream_registry_url is known only after apply") in details
    rules = {r.name: r for reg in result.registries for r in reg.rules}
    assert rules["aws_ecr_pull_through_cache_rule.quay"].data["credentialArn"].endswith(
        ":secret:ecr-pullthroughcache/quay-* (aws_secretsmanager_secret.quay)")
    assert rules["aws_ecr_pull_through_cache_rule.k8s[0]"].data == {"ecrRepositoryPrefix": "k8s",
                                                                   "upstreamRegistryUrl": "registry.k8s.io"}


# ---------------------------------------------------------------- d. bad input: exit 2, file and line

BAD_HCL = {
    "truncated": ('resource "aws_ecr_pull_through_cache_rule" "x" {\n  ecr_repository_prefix = "x"\n'
                  '  upstream_registry_url = "quay.io"\n', 4, "end of file"),
    "syntax": ('resource "aws_ecr_pull_through_cache_rule" "x" {\n  ecr_repository_prefix = "x"\n'
               '  upstream_registry_url = = "quay.io"\n}\n', 3, "invalid HCL syntax"),
    "for_each_list": ('resource "aws_ecr_pull_through_cache_rule" "x" {\n  for_each = ["a", "b"]\n'
                      '  ecr_repository_prefix = each.key\n  upstream_registry_url = "quay.io"\n}\n', 2,
                      "for_each needs a map or a set of strings, got a list"),
    "for_each_string": ('variable "v" {\n  default = "quay"\n}\n'
                        'resource "aws_ecr_pull_through_cache_rule" "x" {\n  for_each = var.v\n'
                        '  ecr_repository_prefix = each.key\n  upstream_registry_url = "quay.io"\n}\n', 5,
                        "got a string"),
    "count_text": ('resource "aws_ecr_pull_through_cache_rule" "x" {\n  count = "many"\n'
                   '  ecr_repository_prefix = "x"\n  upstream_registry_url = "quay.io"\n}\n', 2,
                   "count needs a whole number"),
}


@pytest.mark.parametrize("case", sorted(BAD_HCL))
def test_bad_hcl_is_an_input_error_with_file_and_line(catalog, tmp_path: Path, case: str) -> None:
    text, line, message = BAD_HCL[case]
    (tmp_path / "main.tf").write_text(text)
    for target in (tmp_path / "main.tf", tmp_path):  # named, and found by walking
        result = scan(catalog, target)
        (problem,) = result.problems
        assert (problem.file, problem.line) == (str(tmp_path / "main.tf"), line), problem
        assert message in problem.message
        assert result.exit_code() == 2


def test_bad_hcl_on_the_command_line_is_exit_2_without_traceback(tmp_path: Path) -> None:
    text, line, message = BAD_HCL["truncated"]
    (tmp_path / "main.tf").write_text(text)
    proc = ptclint("scan", "main.tf", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"ptclint: error: main.tf:{line}:" in proc.stderr and message in proc.stderr, proc.stderr


def test_bad_plan_json_is_exit_2_with_file_and_line(tmp_path: Path) -> None:
    plan = json.loads((FIX / "foreach" / "plan.json").read_text())
    plan["planned_values"]["root_module"]["resources"] = {"not": "a list"}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan, indent=1))
    proc = ptclint("scan", "plan.json", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    line = line_of(path, '"resources": {')
    assert f"plan.json:{line}:" in proc.stderr and "expected a list" in proc.stderr, proc.stderr

    plan = json.loads((FIX / "foreach" / "plan.json").read_text())
    plan["format_version"] = "2.0"
    path.write_text(json.dumps(plan, indent=1))
    proc = ptclint("scan", "plan.json", cwd=tmp_path)
    assert proc.returncode == 2 and "format_version 1.x" in proc.stderr and "plan.json:" in proc.stderr


def test_bad_var_file_is_an_input_error(catalog, tmp_path: Path) -> None:
    bad = tmp_path / "bad.tfvars"
    bad.write_text('mirror_host = "x\n')
    result = scan(catalog, FIX / "hcl-only" / "unknowns", tf_var_files=[str(bad)])
    (problem,) = result.problems
    assert problem.file == str(bad) and problem.line == 1


# ---------------------------------------------------------------- e. not PTC-related: skipped when walked

def test_directory_without_ptc_resources_is_skipped_silently(catalog, tmp_path: Path) -> None:
    result = scan(catalog, FIX / "hcl-only" / "no-ptc")
    assert (result.problems, result.registries, result.files, result.outcomes) == ([], [], [], [])
    # not even parsed: a broken configuration without PTC content is not an error, walked or named
    # (the pre-commit hook names every changed .tf file)
    (tmp_path / "broken.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = \n')
    assert scan(catalog, tmp_path).problems == []
    assert scan(catalog, tmp_path / "broken.tf").problems == []


def test_local_module_directory_is_judged_with_its_caller_not_alone(catalog) -> None:
    result = scan(catalog, FIX / "secrets")
    hcl_rules = [r.name for reg in result.registries for r in reg.rules if r.origin.file.endswith(".tf")]
    # the HCL unit and the plan.json beside it; the module directory is not a unit of its own
    assert hcl_rules.count("module.chainguard.aws_ecr_pull_through_cache_rule.this") == 2
    assert "aws_ecr_pull_through_cache_rule.this" not in hcl_rules


# ---------------------------------------------------------------- f. secret values never leave

@pytest.mark.parametrize("target", ["secrets/main.tf", "secrets/plan.json"])
def test_planted_token_appears_in_no_output(catalog, target: str) -> None:
    from ptclint.reporters import REPORTERS

    path = FIX / target
    assert TOKEN in path.read_text() and OTHER_SECRET in path.read_text()  # the input does hold them
    result = scan(catalog, path)
    assert result.findings
    assert TOKEN not in repr(result.registries) and OTHER_SECRET not in repr(result.registries)
    for fmt in ("table", "json", "sarif"):
        text = REPORTERS[fmt].render(result)
        assert text.strip()
        for leaked in (TOKEN, OTHER_SECRET):
            assert leaked not in text, (fmt, leaked)
    proc = ptclint("scan", str(path), "-f", "sarif")  # and the command line as a whole, stderr included
    assert proc.returncode == 1, proc.stderr
    for leaked in (TOKEN, OTHER_SECRET):
        assert leaked not in proc.stdout and leaked not in proc.stderr, leaked


def test_secret_value_in_bad_input_is_not_echoed(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_secretsmanager_secret_version" "v" {\n'
        f'  secret_string = jsonencode({{ username = "u", accessToken = "{TOKEN}" }}) }}\n}}\n'
        'resource "aws_ecr_pull_through_cache_rule" "x" {\n}\n')
    proc = ptclint("scan", "main.tf", cwd=tmp_path)
    assert proc.returncode == 2 and TOKEN not in proc.stderr and TOKEN not in proc.stdout


# ---------------------------------------------------------------- evaluation

def _load(tmp_path: Path, files: dict[str, str], **options):
    from ptclint.loaders import LoadContext
    from ptclint.loaders.terraform import config as terraform_hcl

    for name, text in files.items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    from ptclint.loaders.terraform.objects import Options

    settings = Options(vars=tuple(options.pop("tf_vars", ())), var_files=tuple(options.pop("tf_var_files", ())))
    ctx = LoadContext(account=options.pop("account", ""), region=options.pop("region", ""),
                      display_path=str(tmp_path), options=settings, **options)
    return terraform_hcl.load(terraform_hcl.UnitSource(str(tmp_path), False), ctx)


def test_expressions_functions_and_locals(tmp_path: Path) -> None:
    regs = _load(tmp_path, {"main.tf": r'''
locals {
  env      = "prod"
  hosts    = { hub = "registry-1.docker.io", gh = "ghcr.io" }
  prefixes = [for k, v in local.hosts : upper(k) if v != ""]
  merged   = merge(local.hosts, { q = "quay.io" })
  tags     = { for k in ["a", "b"] : k => "${k}-${local.env}" }
}
resource "aws_ecr_pull_through_cache_rule" "f" {
  ecr_repository_prefix = format("%s-%s", lower("HUB"), local.env)
  upstream_registry_url = lookup(local.merged, "hub", "none")
  upstream_repository_prefix = trimsuffix(replace("library/x", "/x", ""), "ary")
}
resource "aws_ecr_pull_through_cache_rule" "set" {
  for_each              = toset(["quay", "k8s"])
  ecr_repository_prefix = "${each.key}-${length(local.prefixes)}"
  upstream_registry_url = each.value == "quay" ? "quay.io" : "registry.k8s.io"
}
resource "aws_ecr_pull_through_cache_rule" "n" {
  count                 = length(keys(local.hosts))
  ecr_repository_prefix = join("-", concat(["c"], [tostring(count.index)]))
  upstream_registry_url = values(local.hosts)[count.index]
}
resource "aws_ecr_repository_creation_template" "t" {
  prefix        = trimprefix("x/ROOT", "x/")
  applied_for   = tolist(toset(["PULL_THROUGH_CACHE"]))
  resource_tags = local.tags
  image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION"
  lifecycle_policy = <<-EOT
    {"rules": [{"rulePriority": 1, "description": "${local.env}",
      "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 50},
      "action": {"type": "expire"}}]}
  EOT
  dynamic "image_tag_mutability_exclusion_filter" {
    for_each = ["latest*", "dev*"]
    content {
      filter      = image_tag_mutability_exclusion_filter.value
      filter_type = "WILDCARD"
    }
  }
  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = "arn:aws:kms:eu-west-1:111122223333:key/1234"
  }
}
'''})
    (reg,) = regs
    rules = {r.name: dict(r.data) for r in reg.rules}
    assert rules["aws_ecr_pull_through_cache_rule.f"] == {
        "ecrRepositoryPrefix": "hub-prod", "upstreamRegistryUrl": "registry-1.docker.io",
        "upstreamRepositoryPrefix": "libr"}
    assert rules['aws_ecr_pull_through_cache_rule.set["k8s"]'] == {
        "ecrRepositoryPrefix": "k8s-2", "upstreamRegistryUrl": "registry.k8s.io"}
    assert rules["aws_ecr_pull_through_cache_rule.n[1]"] == {
        "ecrRepositoryPrefix": "c-1", "upstreamRegistryUrl": "registry-1.docker.io"}
    (template,) = reg.templates
    data = dict(template.data)
    assert data["prefix"] == "ROOT" and data["appliedFor"] == ["PULL_THROUGH_CACHE"]
    assert data["resourceTags"] == [{"Key": "a", "Value": "a-prod"}, {"Key": "b", "Value": "b-prod"}]
    assert data["imageTagMutabilityExclusionFilters"] == [{"filter": "latest*", "filterType": "WILDCARD"},
                                                          {"filter": "dev*", "filterType": "WILDCARD"}]
    assert data["encryptionConfiguration"] == {"encryptionType": "KMS",
                                               "kmsKey": "arn:aws:kms:eu-west-1:111122223333:key/1234"}
    assert json.loads(data["lifecyclePolicy"])["rules"][0]["description"] == "prod"
    assert reg.has(DataKind.TEMPLATES)


def test_variable_precedence_and_types(tmp_path: Path) -> None:
    files = {
        "main.tf": '''
variable "a" { default = "default" }
variable "b" { default = "default" }
variable "c" { default = "default" }
variable "d" { default = "default" }
variable "m" {
  type    = map(object({ url = string, cred = optional(string, "none") }))
  default = {}
}
resource "aws_ecr_pull_through_cache_rule" "r" {
  ecr_repository_prefix      = join(",", [var.a, var.b, var.c, var.d])
  upstream_registry_url      = var.m["x"].url
  upstream_repository_prefix = var.m["x"].cred
}
''',
        "terraform.tfvars": 'a = "tfvars"\nb = "tfvars"\nc = "tfvars"\nd = "tfvars"\n',
        "z.auto.tfvars": 'b = "auto"\nc = "auto"\nd = "auto"\n',
        "extra.json": json.dumps({"c": "file", "d": "file"}),
    }
    (tmp_path / "cli.tfvars.json").write_text(json.dumps({"c": "varfile", "d": "varfile"}))
    regs = _load(tmp_path, files, tf_var_files=[str(tmp_path / "cli.tfvars.json")],
                 tf_vars=["d=cli", 'm={x = {url = "quay.io"}}'])
    (rule,) = regs[0].rules
    assert dict(rule.data) == {"ecrRepositoryPrefix": "tfvars,auto,varfile,cli", "upstreamRegistryUrl": "quay.io",
                               "upstreamRepositoryPrefix": "none"}


def test_provider_aliases_give_registries_per_region(tmp_path: Path) -> None:
    regs = _load(tmp_path, {
        "main.tf": '''
provider "aws" {
  region              = "eu-west-1"
  allowed_account_ids = ["111122223333"]
}
provider "aws" {
  alias  = "china"
  region = "cn-north-1"
}
resource "aws_secretsmanager_secret" "s" {
  provider = aws.china
  name     = "ecr-pullthroughcache/hub"
}
resource "aws_ecr_pull_through_cache_rule" "eu" {
  ecr_repository_prefix = "hub"
  upstream_registry_url = "registry-1.docker.io"
  credential_arn        = aws_secretsmanager_secret.s.arn
}
module "cn" {
  source    = "./m"
  providers = { aws = aws.china }
}
''',
        "m/main.tf": '''
resource "aws_ecr_pull_through_cache_rule" "this" {
  ecr_repository_prefix = "hub"
  upstream_registry_url = "registry-1.docker.io"
}
''',
    }, account="444455556666")
    by_key = {(r.account, r.region, r.partition): r for r in regs}
    assert set(by_key) == {("111122223333", "eu-west-1", "aws"), ("444455556666", "cn-north-1", "aws-cn")}
    eu = by_key[("111122223333", "eu-west-1", "aws")]
    cn = by_key[("444455556666", "cn-north-1", "aws-cn")]
    assert [r.name for r in eu.rules] == ["aws_ecr_pull_through_cache_rule.eu"]
    assert [r.name for r in cn.rules] == ["module.cn.aws_ecr_pull_through_cache_rule.this"]
    arn = "arn:aws-cn:secretsmanager:cn-north-1:444455556666:secret:ecr-pullthroughcache/hub"
    assert eu.rules[0].data["credentialArn"] == arn
    assert arn in eu.secrets and arn in cn.secrets  # the rule's registry sees the secret it references


def test_region_flag_and_symbolic_values(tmp_path: Path) -> None:
    files = {"main.tf": '''
data "aws_caller_identity" "me" {}
data "aws_region" "here" {}
resource "aws_ecr_pull_through_cache_rule" "ecr" {
  ecr_repository_prefix = "up"
  upstream_registry_url = "${data.aws_caller_identity.me.account_id}.dkr.ecr.${data.aws_region.here.name}.amazonaws.com"
  custom_role_arn       = aws_iam_role.r.arn
}
resource "aws_iam_role" "r" {
  name               = "ptc"
  path               = "/ecr/"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [] })
}
'''}
    (reg,) = _load(tmp_path, files)
    assert (reg.account, reg.region, reg.partition) == ("${AWS::AccountId}", "${AWS::Region}", "${AWS::Partition}")
    (rule,) = reg.rules
    assert rule.data["upstreamRegistryUrl"] == "${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com"
    assert rule.data["customRoleArn"] == "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/ecr/ptc"
    assert rule.data["customRoleArn"] in reg.roles
    (reg,) = _load(tmp_path, files, region="ap-south-1")
    assert (reg.region, reg.partition) == ("ap-south-1", "aws")


def test_unknown_for_each_and_unmodelled_values_are_unknown(tmp_path: Path) -> None:
    regs = _load(tmp_path, {"main.tf": '''
variable "hosts" { type = map(string) }
resource "aws_kms_key" "k" {}
resource "aws_ecr_pull_through_cache_rule" "many" {
  for_each              = var.hosts
  ecr_repository_prefix = each.key
  upstream_registry_url = each.value
}
resource "aws_ecr_repository_creation_template" "t" {
  prefix      = "ROOT"
  applied_for = ["PULL_THROUGH_CACHE"]
  custom_role_arn = timestamp()
  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = aws_kms_key.k.arn
  }
}
'''})
    (reg,) = regs
    # the instances cannot be known: none are invented, none vanish: one instance with an unknown key
    (rule,) = reg.rules
    assert rule.name == "aws_ecr_pull_through_cache_rule.many[?]"
    assert isinstance(rule.data["ecrRepositoryPrefix"], Unknown)
    assert "var.hosts" in rule.data["ecrRepositoryPrefix"].reason or "hosts" in rule.data["ecrRepositoryPrefix"].reason
    (unseen,) = reg.not_judged
    assert unseen.name == "aws_ecr_pull_through_cache_rule.many" and "for_each" in unseen.reason
    data = dict(reg.templates[0].data)
    assert isinstance(data["customRoleArn"], Unknown) and "timestamp" in data["customRoleArn"].reason
    assert isinstance(data["encryptionConfiguration"]["kmsKey"], Unknown)


def test_field_origins_point_at_attribute_lines(tmp_path: Path) -> None:
    regs = _load(tmp_path, {"main.tf": '\n\nresource "aws_ecr_pull_through_cache_rule" "x" {\n'
                                       '  # comment\n  ecr_repository_prefix = "x"\n\n'
                                       '    upstream_registry_url = "quay.io"\n}\n'})
    (rule,) = regs[0].rules
    assert (rule.origin.line, rule.origin.column) == (3, 1)
    assert (rule.field_origins["ecrRepositoryPrefix"].line, rule.field_origins["ecrRepositoryPrefix"].column) == (5, 3)
    assert (rule.field_origins["upstreamRegistryUrl"].line, rule.field_origins["upstreamRegistryUrl"].column) == (7, 5)


def test_state_json_is_fully_known_and_names_the_account(catalog, tmp_path: Path) -> None:
    plan = json.loads((FIX / "foreach" / "plan.json").read_text())
    values = plan["planned_values"]
    for res in values["root_module"]["resources"]:
        res["values"]["registry_id"] = "444455556666"
    state = {"format_version": "1.0", "terraform_version": "1.11.4", "values": values}
    (tmp_path / "state.json").write_text(json.dumps(state, indent=1))
    result = scan(catalog, tmp_path / "state.json", tf_root=str(FIX / "foreach"))
    (reg,) = result.registries
    # a state has no provider configuration: the region is not in it
    assert (reg.account, reg.region) == ("444455556666", "${AWS::Region}")
    result = scan(catalog, tmp_path / "state.json", tf_root=str(FIX / "foreach"), region="eu-west-1")
    (reg,) = result.registries
    assert (reg.account, reg.region) == ("444455556666", "eu-west-1")
    assert not reg.has(DataKind.PLAN_CHANGES) and reg.plan_changes == []
    assert {(o.rule_id, o.identity.name, o.origin.file) for o in result.findings if o.rule_id == "PTC-UP-004"} == {
        ("PTC-UP-004", 'aws_ecr_pull_through_cache_rule.this["gitlab"]', rel(FIX / "foreach" / "main.tf"))}


def test_module_downloaded_by_terraform_init_is_read(tmp_path: Path) -> None:
    regs = _load(tmp_path, {
        "main.tf": '''
module "secrets" {
  source = "terraform-aws-modules/secrets-manager/aws"
  name   = "ecr-pullthroughcache/ghcr"
}
resource "aws_ecr_pull_through_cache_rule" "ghcr" {
  ecr_repository_prefix = "ghcr"
  upstream_registry_url = "ghcr.io"
  credential_arn        = module.secrets.secret_arn
}
''',
        ".terraform/modules/modules.json": json.dumps({"Modules": [
            {"Key": "", "Source": "", "Dir": "."},
            {"Key": "secrets", "Source": "registry.terraform.io/terraform-aws-modules/secrets-manager/aws",
             "Dir": ".terraform/modules/secrets"}]}),
        ".terraform/modules/secrets/main.tf": '''
variable "name" { type = string }
resource "aws_secretsmanager_secret" "this" { name = var.name }
output "secret_arn" { value = aws_secretsmanager_secret.this.arn }
''',
    }, region="eu-west-1", account="111122223333")
    (reg,) = regs
    (rule,) = reg.rules
    arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:ecr-pullthroughcache/ghcr"
    assert rule.data["credentialArn"] == arn
    assert reg.secrets[arn].data["declared"]["name"] == "ecr-pullthroughcache/ghcr"


def test_terraform_flags_on_the_command_line(tmp_path: Path) -> None:
    varfile = tmp_path / "mirror.tfvars"
    varfile.write_text('mirror_host = "quay.io"\n')
    shutil.copy(FIX / "foreach" / "plan.json", tmp_path / "plan.json")
    unknowns = FIX / "hcl-only" / "unknowns" / "main.tf"
    proc = ptclint("scan", str(unknowns), str(tmp_path / "plan.json"), "--var-file", str(varfile),
                   "--var", "mirror_host=gitlab.example.com", "--tf-root", str(FIX / "foreach"),
                   "--account", "111122223333", "-f", "json")
    assert proc.returncode == 1, proc.stderr
    found = {(f["ruleId"], f["resource"]["name"], f["location"]["file"], f["location"]["line"])
             for f in json.loads(proc.stdout)["findings"]}
    assert found == {
        ("PTC-UP-004", "aws_ecr_pull_through_cache_rule.mirror", rel(unknowns), line_of(unknowns, "var.mirror_host")),
        ("PTC-UP-004", 'aws_ecr_pull_through_cache_rule.this["gitlab"]', rel(FIX / "foreach" / "main.tf"),
         line_of(FIX / "foreach" / "main.tf", "upstream_registry_url = each.value.url")),
    }
