# Suppressions in Terraform comments (tests/test_golden.py, case "suppressed").

provider "aws" {
  region = "eu-west-1"
}

# ptclint:ignore PTC-AUTH-001 mirror of public images only (OPS-43)
resource "aws_ecr_pull_through_cache_rule" "hub" {
  ecr_repository_prefix = "docker-hub"
  upstream_registry_url = "registry-1.docker.io"
}

resource "aws_ecr_pull_through_cache_rule" "gitlab" {
  ecr_repository_prefix = "gitlab"
  # ptclint:ignore PTC-UP-004 expires=2026-06-30 moving to GitLab.com this summer
  upstream_registry_url = "gitlab.example.com"
  credential_arn        = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:ecr-pullthroughcache/gitlab-AbCdEf"
}

resource "aws_ecr_pull_through_cache_rule" "k8s" {
  ecr_repository_prefix = "k8s" # ptclint:ignore PTC-UP-002 nothing wrong here any more
  upstream_registry_url = "registry.k8s.io"
}
