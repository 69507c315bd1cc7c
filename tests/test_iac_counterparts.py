"""Rules the catalog lacked for infrastructure as code (issue 12, part 7), on configurations shaped
like real ones: a module with per-environment roots, a secret under a key the same stack creates,
GitLab.com written as its web host.

Each test shows the finding where the mistake is and silence where it is not.
"""

from __future__ import annotations

import json
import textwrap
from datetime import datetime, timezone
from pathlib import Path

from conftest import ROOT

from ptclint.model import DataKind
from ptclint.report import OutcomeKind
from ptclint.scan import ScanOptions, run

NOW = datetime(2026, 11, 1, 12, tzinfo=timezone.utc)


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


def _scan(catalog, *paths: Path, **kw):
    return run(ScanOptions(paths=[str(p) for p in paths], now=NOW, account="111122223333", region="eu-west-1",
                           **kw), catalog=catalog)


def _findings(result, rule_id: str) -> list:
    return [o for o in result.outcomes if o.kind is OutcomeKind.FINDING and o.rule_id == rule_id]


# ---------------------------------------------------------------- (b) a disabled creation template

PTC_MODULE = """
    variable "create_template" {
      type    = bool
      default = true
    }

    variable "templates" {
      type    = map(object({ applied_for = list(string) }))
      default = {}
    }

    resource "aws_ecr_pull_through_cache_rule" "ecr_public" {
      ecr_repository_prefix = "ecr-public"
      upstream_registry_url = "public.ecr.aws"
    }

    resource "aws_ecr_repository_creation_template" "ptc" {
      count       = var.create_template ? 1 : 0
      prefix      = "ecr-public"
      applied_for = ["PULL_THROUGH_CACHE"]
      lifecycle_policy = jsonencode({ rules = [{ rulePriority = 1, description = "keep 50",
        selection = { tagStatus = "any", countType = "imageCountMoreThan", countNumber = 50 },
        action = { type = "expire" } }] })
    }

    resource "aws_ecr_repository_creation_template" "extra" {
      for_each    = var.templates
      prefix      = each.key
      applied_for = each.value.applied_for
    }
"""


def _env(create_template: str) -> str:
    return f"""
        provider "aws" {{
          region = "eu-west-1"
        }}

        module "ptc" {{
          source          = "../../modules/ptc"
          create_template = {create_template}
        }}
    """


def test_a_template_disabled_with_count_0_means_the_unit_manages_templates(catalog, tmp_path: Path) -> None:
    """dev turns the module's template off (count = 0): its rule gets no template, and RCT-001 says
    so; prod keeps it and is quiet. Before, dev's registry carried no templates and RCT-001 was
    skipped with "creation templates not in this input"."""
    _write(tmp_path, {"modules/ptc/main.tf": PTC_MODULE, "envs/dev/main.tf": _env("false"),
                      "envs/prod/main.tf": _env("true")})
    result = _scan(catalog, tmp_path / "envs")
    fired = _findings(result, "PTC-RCT-001")
    assert [o.identity.name for o in fired] == ["module.ptc.aws_ecr_pull_through_cache_rule.ecr_public"]
    assert [r.has(DataKind.TEMPLATES) for r in result.registries] == [True, True]
    passes = [o for o in result.outcomes if o.rule_id == "PTC-RCT-001" and o.kind is OutcomeKind.PASS]
    assert len(passes) == 1, "prod's rule has its template"
    assert not [s for s in result.skips if s.rule_id == "PTC-RCT-001"]


def test_a_unit_without_any_template_block_still_says_templates_are_not_in_the_input(catalog, tmp_path) -> None:
    _write(tmp_path, {"main.tf": """
        provider "aws" {
          region = "eu-west-1"
        }

        resource "aws_ecr_pull_through_cache_rule" "ecr_public" {
          ecr_repository_prefix = "ecr-public"
          upstream_registry_url = "public.ecr.aws"
        }
    """})
    result = _scan(catalog, tmp_path)
    assert not _findings(result, "PTC-RCT-001")
    assert [s.reason for s in result.skips if s.rule_id == "PTC-RCT-001"] == ["creation templates not in this input"]


def _plan_without_its_template(tmp_path: Path, count: bool) -> Path:
    """The for_each fixture's plan (real Terraform output) as if its template block had
    `count = 0`: the configuration keeps the block, the plan has no instance of it."""
    plan = json.loads((ROOT / "tests/fixtures/terraform/foreach/plan.json").read_text(encoding="utf-8"))
    template = "aws_ecr_repository_creation_template"
    plan["planned_values"]["root_module"]["resources"] = [
        r for r in plan["planned_values"]["root_module"]["resources"] if r["type"] != template]
    plan["resource_changes"] = [c for c in plan["resource_changes"] if c["type"] != template]
    for cres in plan["configuration"]["root_module"]["resources"]:
        if cres["type"] == template and count:
            cres["count_expression"] = {"constant_value": 0}
        if cres["type"] == template and not count:
            plan["configuration"]["root_module"]["resources"].remove(cres)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    return path


def test_a_plan_whose_template_has_count_0_judges_rct_001(catalog, tmp_path: Path) -> None:
    result = _scan(catalog, _plan_without_its_template(tmp_path, count=True))
    assert _findings(result, "PTC-RCT-001"), "every rule of the plan lacks a template"
    other = tmp_path / "other"
    other.mkdir()
    result = _scan(catalog, _plan_without_its_template(other, count=False))
    assert not _findings(result, "PTC-RCT-001")
    assert any(s.rule_id == "PTC-RCT-001" for s in result.skips)


# ---------------------------------------------------------------- (a) a customer managed key on the secret

def test_a_secret_under_a_key_the_configuration_creates_is_reported(catalog, tmp_path: Path) -> None:
    _write(tmp_path, {"main.tf": """
        provider "aws" {
          region = "eu-west-1"
        }

        resource "aws_kms_key" "credentials" {
          description         = "Registry credentials"
          enable_key_rotation = true
        }

        resource "aws_kms_alias" "credentials" {
          name          = "alias/registry-credentials"
          target_key_id = aws_kms_key.credentials.key_id
        }

        data "aws_kms_key" "shared" {
          key_id = "alias/shared"
        }

        resource "aws_secretsmanager_secret" "dockerhub" {
          name       = "ecr-pullthroughcache/docker-hub"
          kms_key_id = aws_kms_key.credentials.arn
        }

        resource "aws_secretsmanager_secret" "ghcr" {
          name       = "ecr-pullthroughcache/ghcr"
          kms_key_id = aws_kms_alias.credentials.arn
        }

        resource "aws_secretsmanager_secret" "gitlab" {
          name       = "ecr-pullthroughcache/gitlab"
          kms_key_id = "alias/aws/secretsmanager"
        }

        resource "aws_secretsmanager_secret" "acr" {
          name       = "ecr-pullthroughcache/acr"
          kms_key_id = data.aws_kms_key.shared.arn
        }

        resource "aws_secretsmanager_secret" "chainguard" {
          name = "ecr-pullthroughcache/chainguard"
        }

        resource "aws_ecr_pull_through_cache_rule" "dockerhub" {
          ecr_repository_prefix = "docker-hub"
          upstream_registry_url = "registry-1.docker.io"
          credential_arn        = aws_secretsmanager_secret.dockerhub.arn
        }

        resource "aws_ecr_pull_through_cache_rule" "ghcr" {
          ecr_repository_prefix = "ghcr"
          upstream_registry_url = "ghcr.io"
          credential_arn        = aws_secretsmanager_secret.ghcr.arn
        }

        resource "aws_ecr_pull_through_cache_rule" "gitlab" {
          ecr_repository_prefix = "gitlab"
          upstream_registry_url = "registry.gitlab.com"
          credential_arn        = aws_secretsmanager_secret.gitlab.arn
        }

        resource "aws_ecr_pull_through_cache_rule" "acr" {
          ecr_repository_prefix = "acr"
          upstream_registry_url = "example.azurecr.io"
          credential_arn        = aws_secretsmanager_secret.acr.arn
        }

        resource "aws_ecr_pull_through_cache_rule" "chainguard" {
          ecr_repository_prefix = "chainguard"
          upstream_registry_url = "cgr.dev"
          credential_arn        = aws_secretsmanager_secret.chainguard.arn
        }
    """})
    fired = _findings(_scan(catalog, tmp_path), "PTC-AUTH-007")
    by_prefix = {o.identity.key: o for o in fired}
    assert sorted(by_prefix) == ["docker-hub", "ghcr"]  # not the AWS managed key, nor a key it only reads
    assert "aws_kms_key.credentials" in by_prefix["docker-hub"].message
    assert "aws_kms_alias.credentials" in by_prefix["ghcr"].message
    assert {o.severity.value for o in fired} == {"warning"}


def test_a_cloudformation_secret_under_a_key_the_stack_creates_is_reported(catalog, tmp_path: Path) -> None:
    _write(tmp_path, {"ptc.yaml": """
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          CredentialsKey:
            Type: AWS::KMS::Key
            Properties:
              EnableKeyRotation: true
          CredentialsAlias:
            Type: AWS::KMS::Alias
            Properties:
              AliasName: alias/registry-credentials
              TargetKeyId: !Ref CredentialsKey
          DockerHubSecret:
            Type: AWS::SecretsManager::Secret
            Properties:
              Name: ecr-pullthroughcache/docker-hub
              KmsKeyId: !GetAtt CredentialsKey.Arn
          GhcrSecret:
            Type: AWS::SecretsManager::Secret
            Properties:
              Name: ecr-pullthroughcache/ghcr
              KmsKeyId: !Ref CredentialsAlias
          GitLabSecret:
            Type: AWS::SecretsManager::Secret
            Properties:
              Name: ecr-pullthroughcache/gitlab
              KmsKeyId: arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
          DockerHubRule:
            Type: AWS::ECR::PullThroughCacheRule
            Properties:
              EcrRepositoryPrefix: docker-hub
              UpstreamRegistryUrl: registry-1.docker.io
              CredentialArn: !Ref DockerHubSecret
          GhcrRule:
            Type: AWS::ECR::PullThroughCacheRule
            Properties:
              EcrRepositoryPrefix: ghcr
              UpstreamRegistryUrl: ghcr.io
              CredentialArn: !Ref GhcrSecret
          GitLabRule:
            Type: AWS::ECR::PullThroughCacheRule
            Properties:
              EcrRepositoryPrefix: gitlab
              UpstreamRegistryUrl: registry.gitlab.com
              CredentialArn: !Ref GitLabSecret
    """})
    fired = _findings(_scan(catalog, tmp_path / "ptc.yaml"), "PTC-AUTH-007")
    assert sorted(o.identity.key for o in fired) == ["docker-hub", "ghcr"]  # a typed-in key ARN is not judged
    assert any("CredentialsKey" in o.message for o in fired)


# ---------------------------------------------------------------- (c) GitLab.com written as its web host

def test_gitlab_com_is_an_alias_with_the_registry_host_in_the_message(catalog, tmp_path: Path) -> None:
    _write(tmp_path, {"main.tf": """
        provider "aws" {
          region = "eu-west-1"
        }

        resource "aws_ecr_pull_through_cache_rule" "gitlab" {
          ecr_repository_prefix = "gitlab"
          upstream_registry_url = "gitlab.com"
          credential_arn        = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:ecr-pullthroughcache/gitlab-AbCdEf"
        }

        resource "aws_ecr_pull_through_cache_rule" "gitlab_corp" {
          ecr_repository_prefix = "gitlab-corp"
          upstream_registry_url = "registry.gitlab.example.com"
          credential_arn        = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:ecr-pullthroughcache/corp-AbCdEf"
        }

        resource "aws_ecr_pull_through_cache_rule" "gitlab_saas" {
          ecr_repository_prefix = "gitlab-saas"
          upstream_registry_url = "registry.gitlab.com"
          credential_arn        = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:ecr-pullthroughcache/saas-AbCdEf"
        }
    """})
    result = _scan(catalog, tmp_path)
    upstream = {(o.rule_id, o.identity.key): o for o in result.outcomes
                if o.kind is OutcomeKind.FINDING and o.rule_id.startswith("PTC-UP-")}
    assert sorted(upstream) == [("PTC-UP-003", "gitlab"), ("PTC-UP-004", "gitlab-corp")]
    assert "use registry.gitlab.com" in upstream[("PTC-UP-003", "gitlab")].message
