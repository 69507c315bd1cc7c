"""An unknown never vanishes (issue 12.2): a Terraform resource whose instances depend on something
ptclint cannot evaluate is judged as one instance with an unknown key, and it, like a module that is
not on disk, is named as not judged in every report; ptclint never says "No findings." for an input
whose resources it could not see. Configurations are shaped like the ones real repositories hold:
module examples, per-environment roots, registry modules referenced but not downloaded."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from conftest import ROOT

from ptclint.model import Unknown
from ptclint.report import EXIT_FINDINGS, EXIT_OK, OutcomeKind
from ptclint.reporters import REPORTERS
from ptclint.reporters.table import render, summary
from ptclint.scan import ScanOptions, run

# A root module that reads its upstreams from a provider function (Terraform 1.8+): the key of
# every instance is something ptclint does not evaluate.
PROVIDER_FUNCTION_ROOT = '''
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.40" }
  }
}

variable "credential_arns" {
  type    = list(string)
  default = ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:ecr-pullthroughcache/ghcr-AbCdEf"]
}

resource "aws_ecr_pull_through_cache_rule" "ghcr" {
  for_each              = { for arn in var.credential_arns : provider::aws::arn_parse(arn).resource => arn }
  ecr_repository_prefix = "ghcr-${each.key}"
  upstream_registry_url = "ghcr.io"
  credential_arn        = each.value
}
'''


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def scan(catalog, *paths: Path, **options):
    return run(ScanOptions(paths=[str(p) for p in paths], **options), catalog)


def ptclint(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ptclint", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=900)


def test_for_each_with_an_unsupported_function_is_named_as_not_judged_in_table_summary_and_json(
        tmp_path: Path) -> None:
    """Done when 2 (issue 12): the resource, the function, and never a silent "No findings."."""
    unit = write(tmp_path / "ghcr", {"main.tf": PROVIDER_FUNCTION_ROOT})
    table = ptclint("scan", str(unit))
    assert "No findings." not in table.stdout
    assert "Not judged (1 resource" in table.stdout
    assert "aws_ecr_pull_through_cache_rule.ghcr" in table.stdout
    assert "provider::aws::arn_parse()" in table.stdout
    assert "1 resource not judged (aws_ecr_pull_through_cache_rule.ghcr)" in table.stderr
    # design.md: what could not be judged never yields a finding nor changes the exit code, but is said
    assert table.returncode == EXIT_OK, table.stderr
    report = json.loads(ptclint("scan", str(unit), "-f", "json").stdout)
    (entry,) = report["notJudged"]
    assert entry["resource"] == "aws_ecr_pull_through_cache_rule.ghcr"
    assert "provider::aws::arn_parse()" in entry["reason"] and "for_each" in entry["reason"]
    for_each_line = next(i for i, line in enumerate(PROVIDER_FUNCTION_ROOT.splitlines(), 1) if "for_each" in line)
    assert entry["location"]["line"] == for_each_line
    assert report["summary"]["notJudged"] == 1 and report["summary"]["exitCode"] == EXIT_OK
    # judged as one instance with an unknown key: what depends on the key is unknown, with the reason
    unknown = [u for u in report["unknown"] if u["resource"].get("name") == "aws_ecr_pull_through_cache_rule.ghcr[?]"]
    assert unknown and any("provider::aws::arn_parse()" in u["reason"] for u in unknown)


def test_every_format_names_what_was_not_judged(tmp_path: Path, catalog) -> None:
    unit = write(tmp_path / "ghcr", {"main.tf": PROVIDER_FUNCTION_ROOT})
    result = scan(catalog, unit)
    assert [n.name for n in result.not_judged] == ["aws_ecr_pull_through_cache_rule.ghcr"]
    for fmt in ("table", "json", "sarif", "markdown", "github", "html", "junit"):
        text = REPORTERS[fmt].render(result)
        assert "aws_ecr_pull_through_cache_rule.ghcr" in text and "provider::aws::arn_parse()" in text, fmt
    sarif = json.loads(REPORTERS["sarif"].render(result))
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert any(n["descriptor"]["id"] == "ptclint/not-judged" for n in notes)
    jsonschema.Draft7Validator(json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())) \
        .validate(sarif)
    schema = json.loads((ROOT / "schemas" / "findings.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(json.loads(REPORTERS["json"].render(result)))


def test_the_known_parts_of_an_unknown_instance_are_still_judged(tmp_path: Path, catalog) -> None:
    """A Docker Hub rule with no credential is a mistake whatever its instances' keys are."""
    unit = write(tmp_path / "hub", {"main.tf": '''
locals {
  mirrors = { for f in ["docker-hub"] : f => timestamp() }
}

resource "aws_ecr_pull_through_cache_rule" "hub" {
  for_each              = local.mirrors
  ecr_repository_prefix = each.key
  upstream_registry_url = "registry-1.docker.io"
}
'''})
    result = scan(catalog, unit)
    assert {(f.rule_id, f.identity.name) for f in result.findings} == {
        ("PTC-AUTH-001", "aws_ecr_pull_through_cache_rule.hub[?]")}
    assert result.exit_code() == EXIT_FINDINGS
    (unseen,) = result.not_judged
    assert "timestamp()" in unseen.reason
    prefix_checks = [o for o in result.outcomes if o.kind is OutcomeKind.UNKNOWN and "instance key" in o.detail]
    assert prefix_checks, "rules on the prefix (each.key) are unknown, not passed"


def test_count_from_a_conditional_on_a_variable_without_value(tmp_path: Path, catalog) -> None:
    unit = write(tmp_path / "cond", {"main.tf": '''
variable "create" { type = bool }

resource "aws_ecr_pull_through_cache_rule" "quay" {
  count                 = var.create ? 1 : 0
  ecr_repository_prefix = "quay-${count.index}"
  upstream_registry_url = "quay.io"
}
'''})
    result = scan(catalog, unit)
    (rule,) = result.registries[0].rules
    assert rule.name == "aws_ecr_pull_through_cache_rule.quay[?]"
    assert isinstance(rule.data["ecrRepositoryPrefix"], Unknown)
    assert rule.data["upstreamRegistryUrl"] == "quay.io"
    (unseen,) = result.not_judged
    assert unseen.reason.startswith("count is not known statically (variable create")
    assert not result.findings


def test_a_set_with_one_unknown_element(tmp_path: Path, catalog) -> None:
    unit = write(tmp_path / "set", {"main.tf": '''
variable "extra" { type = string }

resource "aws_ecr_repository_creation_template" "t" {
  for_each    = toset(["ROOT", var.extra])
  prefix      = each.key
  applied_for = ["PULL_THROUGH_CACHE"]
}
'''})
    result = scan(catalog, unit)
    (template,) = result.registries[0].templates
    assert template.name.endswith("[?]")
    (unseen,) = result.not_judged
    assert "variable extra" in unseen.reason


UPSTREAM_MODULE = '''
variable "prefix" { type = string }

resource "aws_ecr_pull_through_cache_rule" "this" {
  ecr_repository_prefix = var.prefix
  upstream_registry_url = "registry-1.docker.io"
}
'''


def test_module_instances_that_are_unknown_are_expanded_as_one(tmp_path: Path, catalog) -> None:
    """A module called once per upstream, from a map the pipeline gives (`-var-file` in CI, not here)."""
    root = write(tmp_path / "mirrors", {
        "main.tf": '''
variable "upstreams" { type = map(string) }

module "upstream" {
  source   = "./modules/upstream"
  for_each = var.upstreams
  prefix   = each.key
}
''',
        "modules/upstream/main.tf": UPSTREAM_MODULE,
    })
    result = scan(catalog, root)
    (rule,) = result.registries[0].rules
    assert rule.name == "module.upstream[?].aws_ecr_pull_through_cache_rule.this"
    assert isinstance(rule.data["ecrRepositoryPrefix"], Unknown)
    (unseen,) = result.not_judged
    assert unseen.name == "module.upstream" and "variable upstreams of the root module" in unseen.reason
    assert [f.rule_id for f in result.findings] == ["PTC-AUTH-001"]  # no credential: wrong for every instance


def test_module_instances_from_fileset_are_judged_one_by_one(tmp_path: Path, catalog) -> None:
    """The file-per-upstream pattern: fileset() + basename() + yamldecode() over the unit's own files."""
    root = write(tmp_path / "mirrors", {
        "main.tf": '''
module "upstream" {
  source   = "./modules/upstream"
  for_each = { for f in fileset(path.module, "upstreams/*.yaml") : trimsuffix(basename(f), ".yaml") => f }
  prefix   = each.key
}
''',
        "modules/upstream/main.tf": UPSTREAM_MODULE,
        "upstreams/docker-hub.yaml": "host: registry-1.docker.io\n",
        "upstreams/nested/ignored.yaml": "host: quay.io\n",
    })
    result = scan(catalog, root)
    assert result.not_judged == []
    assert [r.name for r in result.registries[0].rules] == [
        'module.upstream["docker-hub"].aws_ecr_pull_through_cache_rule.this']
    assert [f.rule_id for f in result.findings] == ["PTC-AUTH-001"]


def test_a_registry_module_that_was_not_downloaded_is_reported(tmp_path: Path, catalog) -> None:
    root = write(tmp_path / "registry", {"main.tf": '''
module "ecr" {
  source  = "terraform-aws-modules/ecr/aws"
  version = "~> 2.3"

  create_repository = false
  registry_pull_through_cache_rules = {
    pub = {
      ecr_repository_prefix = "ecr-public"
      upstream_registry_url = "public.ecr.aws"
    }
  }
}
'''})
    result = scan(catalog, root)
    (unseen,) = result.not_judged
    assert unseen.name == "module.ecr"
    assert unseen.reason == ("module ecr (source 'terraform-aws-modules/ecr/aws') is not on disk: its resources "
                             "were not judged")
    text = render(result)
    assert "No findings." not in text and "not on disk" in text
    assert "1 resource not judged (module.ecr)" in summary(result)


def test_a_registry_module_under_terraform_modules_is_judged(tmp_path: Path, catalog) -> None:
    """After `terraform init`: modules.json maps the call to its directory; the Docker Hub rule with
    no credential is found where it is written, and nothing is reported as not judged."""
    root = write(tmp_path / "registry", {
        "main.tf": '''
module "ecr" {
  source  = "terraform-aws-modules/ecr/aws"
  version = "~> 2.3"
  registry_pull_through_cache_rules = {
    hub = {
      ecr_repository_prefix = "docker-hub"
      upstream_registry_url = "registry-1.docker.io"
    }
    pub = {
      ecr_repository_prefix = "ecr-public"
      upstream_registry_url = "public.ecr.aws"
    }
  }
}
''',
        ".terraform/modules/modules.json": json.dumps({"Modules": [
            {"Key": "", "Source": "", "Dir": "."},
            {"Key": "ecr", "Source": "registry.terraform.io/terraform-aws-modules/ecr/aws", "Version": "2.3.1",
             "Dir": ".terraform/modules/ecr"}]}),
        ".terraform/modules/ecr/main.tf": '''
variable "registry_pull_through_cache_rules" {
  type    = map(map(string))
  default = {}
}

resource "aws_ecr_pull_through_cache_rule" "this" {
  for_each              = var.registry_pull_through_cache_rules
  ecr_repository_prefix = each.value.ecr_repository_prefix
  upstream_registry_url = each.value.upstream_registry_url
  credential_arn        = try(each.value.credential_arn, null)
}
''',
    })
    result = scan(catalog, root)
    assert result.not_judged == []
    assert {(f.rule_id, f.identity.name) for f in result.findings} == {
        ("PTC-AUTH-001", 'module.ecr.aws_ecr_pull_through_cache_rule.this["hub"]')}
    assert "No findings." not in render(result)


def test_per_environment_roots_each_say_what_they_could_not_see(tmp_path: Path, catalog) -> None:
    """envs/staging gives every value; envs/prod leaves a variable to the pipeline: staging is judged
    (its mistake found), prod's rule is judged as one instance and named as not judged."""
    module = '''
variable "upstreams" { type = map(string) }

resource "aws_ecr_pull_through_cache_rule" "this" {
  for_each              = var.upstreams
  ecr_repository_prefix = each.key
  upstream_registry_url = each.value
}
'''
    root = write(tmp_path / "infra", {
        "modules/ptc/main.tf": module,
        "envs/staging/main.tf": 'module "ptc" {\n  source    = "../../modules/ptc"\n'
                                '  upstreams = { docker-hub = "registry-1.docker.io" }\n}\n',
        "envs/prod/main.tf": 'variable "upstreams" { type = map(string) }\n\n'
                             'module "ptc" {\n  source    = "../../modules/ptc"\n  upstreams = var.upstreams\n}\n',
    })
    result = scan(catalog, root)
    found = {(f.rule_id, f.origin.file.split("infra/")[-1]) for f in result.findings}
    assert ("PTC-AUTH-001", "modules/ptc/main.tf") in found
    assert all(f.identity.name == 'module.ptc.aws_ecr_pull_through_cache_rule.this["docker-hub"]'
               for f in result.findings)
    (unseen,) = result.not_judged
    assert unseen.name == "module.ptc.aws_ecr_pull_through_cache_rule.this"
    assert "variable upstreams of the root module has no value" in unseen.reason


def test_path_functions_resolve_from_the_scanned_layout(tmp_path: Path, catalog) -> None:
    root = write(tmp_path / "paths", {
        "main.tf": '''
locals {
  upstreams = yamldecode(file(abspath("${path.module}/config/upstreams.yaml")))
}

resource "aws_ecr_pull_through_cache_rule" "this" {
  for_each              = local.upstreams
  ecr_repository_prefix = each.key
  upstream_registry_url = each.value.host
}
''',
        "config/upstreams.yaml": "docker-hub:\n  host: registry-1.docker.io\nquay:\n  host: quay.io\n",
    })
    result = scan(catalog, root)
    assert result.not_judged == []
    names = sorted(r.name for r in result.registries[0].rules)
    assert names == ['aws_ecr_pull_through_cache_rule.this["docker-hub"]', 'aws_ecr_pull_through_cache_rule.this["quay"]']
    assert {(f.rule_id, f.identity.name) for f in result.findings} == {
        ("PTC-AUTH-001", 'aws_ecr_pull_through_cache_rule.this["docker-hub"]')}


@pytest.mark.parametrize("expression", ['basename("/srv/mirrors/docker-hub")', 'regex("^[a-z]+-[a-z]+", "docker-hub-1")',
                                        'trimsuffix(basename("docker-hub.yaml"), ".yaml")'])
def test_functions_that_used_to_hide_a_resource_now_reveal_its_mistake(tmp_path: Path, catalog,
                                                                        expression: str) -> None:
    root = write(tmp_path / "fn", {"main.tf": f'''
resource "aws_ecr_pull_through_cache_rule" "hub" {{
  for_each              = toset([{expression}])
  ecr_repository_prefix = each.key
  upstream_registry_url = "registry-1.docker.io"
}}
'''})
    result = scan(catalog, root)
    assert result.not_judged == []
    assert [f.rule_id for f in result.findings] == ["PTC-AUTH-001"]
    assert result.findings[0].identity.name.startswith('aws_ecr_pull_through_cache_rule.hub["docker-hub')


def test_a_module_source_with_credentials_is_reported_without_them(tmp_path: Path, catalog) -> None:
    token = "ghp_PLANTEDMODULETOKEN0000"
    root = write(tmp_path / "git", {"main.tf": f'''
module "ptc" {{
  source = "git::https://ci:{token}@github.com/example/terraform-ecr-ptc.git?ref=v1.4.0&sshkey={token}"
}}

resource "aws_ecr_pull_through_cache_rule" "quay" {{
  ecr_repository_prefix = "quay"
  upstream_registry_url = "quay.io"
}}
'''})
    result = scan(catalog, root)
    (unseen,) = result.not_judged
    assert "github.com/example/terraform-ecr-ptc.git?ref=v1.4.0" in unseen.reason
    for fmt, reporter in REPORTERS.items():
        assert token not in reporter.render(result), fmt
    assert token not in summary(result)


def test_path_module_root_and_cwd_come_from_the_scanned_layout(tmp_path: Path, catalog) -> None:
    """A module that names its rule after its own directory, in a root that names the upstream after
    its directory: path.module is relative to the root ("modules/quay"), path.cwd is the root."""
    root = write(tmp_path / "quay.io", {
        "main.tf": 'module "quay" {\n  source = "./modules/quay"\n  host   = basename(path.cwd)\n'
                   '  where  = path.root\n}\n',
        "modules/quay/main.tf": '''
variable "host" { type = string }
variable "where" { type = string }

resource "aws_ecr_pull_through_cache_rule" "this" {
  ecr_repository_prefix = "${basename(path.module)}-${var.where == "." ? "root" : "other"}"
  upstream_registry_url = var.host
  custom_role_arn       = "arn:aws:iam::111122223333:role/${dirname(path.module)}"
}
''',
    })
    result = scan(catalog, root)
    assert result.not_judged == []
    (rule,) = result.registries[0].rules
    assert rule.data["ecrRepositoryPrefix"] == "quay-root"
    assert rule.data["upstreamRegistryUrl"] == "quay.io"
    assert rule.data["customRoleArn"] == "arn:aws:iam::111122223333:role/modules"
