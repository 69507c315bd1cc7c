"""Generate an organization-sized ptclint snapshot for the audit benchmark.

    python bench/make_org_snapshot.py N OUT.json [--seed 9]

N accounts x 3 regions; each registry has 10 PTC rules, 5 repository creation templates and the
secrets and roles its rules reference. The variety is deterministic (seeded): upstreams, prefixes
(nested, duplicated across templates, with and without a trailing slash), secrets found, missing
or denied, secrets without the `ecr-pullthroughcache/` prefix, cross-account ECR upstreams with
and without a role, templates with and without policies, lifecycle and encryption settings.
"""

from __future__ import annotations

import argparse
import json
import random
from typing import Any

REGIONS = ("eu-west-1", "us-east-1", "ap-southeast-2")
UPSTREAMS = (
    ("docker-hub", "registry-1.docker.io", True),
    ("github-container-registry", "ghcr.io", True),
    ("quay", "quay.io", False),
    ("ecr-public", "public.ecr.aws", False),
    ("k8s", "registry.k8s.io", False),
    ("azure-container-registry", "myregistry.azurecr.io", True),
    ("gitlab-container-registry", "registry.gitlab.com", True),
    ("gitlab-container-registry", "gitlab.example.com", True),
    ("chainguard", "cgr.dev", True),
    ("ecr", "ECR", False),
)
PREFIXES = ("docker-hub", "ghcr", "quay", "ecr-public", "k8s", "azure", "gitlab", "cgr", "mirror", "team-a")
LIFECYCLE = json.dumps(
    {
        "rules": [
            {
                "rulePriority": 1,
                "description": "keep 30",
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 30},
                "action": {"type": "expire"},
            }
        ]
    }
)


def policy(account: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "pull",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                    "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                }
            ],
        }
    )


def registry(rng: random.Random, account: str, region: str) -> dict[str, Any]:
    rules: list[dict[str, Any]] = []
    secrets: dict[str, Any] = {}
    roles: dict[str, Any] = {}
    used: list[str] = []
    for i in range(10):
        upstream, url, needs_secret = UPSTREAMS[rng.randrange(len(UPSTREAMS))]
        base = PREFIXES[rng.randrange(len(PREFIXES))]
        prefix = base if base not in used and rng.random() < 0.7 else f"{base}/sub{i}"
        if rng.random() < 0.05 and used:
            prefix = used[rng.randrange(len(used))] + "/nested"
        used.append(prefix)
        rule: dict[str, Any] = {
            "ecrRepositoryPrefix": prefix,
            "upstreamRegistry": upstream,
            "registryId": account,
            "createdAt": f"2025-{1 + i:02d}-0{1 + i % 9}T10:00:00Z",
        }
        if upstream == "ecr":
            other = f"{int(account) + rng.choice((0, 1)):012d}"
            rule["upstreamRegistryUrl"] = f"{other}.dkr.ecr.{region}.amazonaws.com"
            if other != account and rng.random() < 0.7:
                role = f"arn:aws:iam::{account}:role/ptc-upstream-{i}"
                rule["customRoleArn"] = role
                roles[role] = rng.choice(
                    (
                        {
                            "status": "found",
                            "role": {
                                "RoleName": f"ptc-upstream-{i}",
                                "Arn": role,
                                "AssumeRolePolicyDocument": {
                                    "Version": "2012-10-17",
                                    "Statement": [
                                        {
                                            "Effect": "Allow",
                                            "Action": "sts:AssumeRole",
                                            "Principal": {"Service": "pullthroughcache.ecr.amazonaws.com"},
                                        }
                                    ],
                                },
                            },
                        },
                        {"status": "notFound"},
                        {"status": "accessDenied"},
                    )
                )
            if rng.random() < 0.5:
                rule["upstreamRepositoryPrefix"] = rng.choice(("ROOT", "library", "team"))
        else:
            rule["upstreamRegistryUrl"] = url
        if needs_secret and rng.random() < 0.85:
            name = ("ecr-pullthroughcache/" if rng.random() < 0.85 else "creds/") + f"{base}-{i}"
            arn = f"arn:aws:secretsmanager:{region}:{account}:secret:{name}-Ab{i}XyZ"
            rule["credentialArn"] = arn
            status = rng.choices(("found", "notFound", "accessDenied"), (0.8, 0.1, 0.1))[0]
            entry: dict[str, Any] = {"status": status}
            if status == "found":
                entry["secret"] = {"ARN": arn, "Name": name, "CreatedDate": "2025-02-01T09:55:00Z"}
                if rng.random() < 0.6:
                    entry["secret"]["LastAccessedDate"] = rng.choice(("2026-11-19T00:00:00Z", "2026-01-02T00:00:00Z"))
                entry["kmsKeyManager"] = rng.choice(("AWS", "CUSTOMER"))
            secrets[arn] = entry
        rules.append(rule)
    templates: list[dict[str, Any]] = []
    for j in range(5):
        template: dict[str, Any] = {
            "prefix": rng.choice((*used[:6], "ROOT", "unused", used[0] + "/")),
            "appliedFor": rng.choice(
                (["PULL_THROUGH_CACHE"], ["CREATE_ON_PUSH"], ["PULL_THROUGH_CACHE", "CREATE_ON_PUSH"])
            ),
            "imageTagMutability": rng.choice(("MUTABLE", "IMMUTABLE")),
            "createdAt": "2025-02-01T10:00:00Z",
        }
        if rng.random() < 0.7:
            template["encryptionConfiguration"] = rng.choice(
                (
                    {"encryptionType": "AES256"},
                    {"encryptionType": "KMS", "kmsKey": f"arn:aws:kms:{region}:{account}:key/k{j}"},
                )
            )
        if rng.random() < 0.6:
            template["lifecyclePolicy"] = LIFECYCLE
        if rng.random() < 0.5:
            template["repositoryPolicy"] = policy(account)
        if rng.random() < 0.3:
            template["resourceTags"] = [{"Key": "team", "Value": f"t{j}"}]
        templates.append(template)
    return {
        "account": account,
        "region": region,
        "partition": "aws",
        "pullThroughCacheRules": {"status": "found", "items": rules},
        "repositoryCreationTemplates": {"status": "found", "items": templates},
        "secrets": secrets,
        "roles": roles,
    }


def snapshot(accounts: int, seed: int = 9) -> dict[str, Any]:
    rng = random.Random(seed)
    return {
        "ptclintSnapshot": 1,
        "generatedAt": "2026-11-20T08:00:00Z",
        "generator": {"name": "ptclint", "version": "0.1.0"},
        "registries": [
            registry(rng, f"{100000000000 + a:012d}", region) for a in range(accounts) for region in REGIONS
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("accounts", type=int)
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(snapshot(args.accounts, args.seed), fh, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main()
