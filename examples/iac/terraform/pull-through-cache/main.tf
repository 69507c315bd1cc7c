# ptclint example: pull through cache rules from a map, as many Terraform configurations write them.
# `ptclint scan examples/iac/terraform/pull-through-cache` reports two mistakes, each at its line:
#   PTC-UP-004  the "gitlab" entry points at a self-managed GitLab host (only registry.gitlab.com works)
#   PTC-AUTH-001  the "docker-hub" entry has no credential_arn (Docker Hub requires authentication)

provider "aws" {
  region = var.region
}

variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "upstreams" {
  type = map(object({
    url            = string
    credential_arn = optional(string)
  }))
  default = {
    ecr-public = { url = "public.ecr.aws" }
    k8s        = { url = "registry.k8s.io" }
    quay       = { url = "quay.io" }
    gitlab     = { url = "gitlab.example.com" }
    docker-hub = { url = "registry-1.docker.io" }
  }
}

resource "aws_ecr_pull_through_cache_rule" "this" {
  for_each = var.upstreams

  ecr_repository_prefix = each.key
  upstream_registry_url = each.value.url
  credential_arn        = each.value.credential_arn
}

resource "aws_ecr_repository_creation_template" "cache" {
  prefix               = "ROOT"
  description          = "Repositories created by pull through cache"
  applied_for          = ["PULL_THROUGH_CACHE"]
  image_tag_mutability = "MUTABLE"
  lifecycle_policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "keep the last 100 images"
      selection    = { tagStatus = "any", countType = "imageCountMoreThan", countNumber = 100 }
      action       = { type = "expire" }
    }]
  })
}
