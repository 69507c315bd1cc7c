"""A mocked AWS Organization of N accounts answered at botocore's `before-send` event (no moto, no
network), with planted problems; usable in-process (`install`) and as a script that runs the ptclint
command line with it installed, so shards run as separate processes:

    python tests/audit/fakeorg.py --accounts 200 -- export --org --role-name Audit --region eu-west-1 ...

Every account i (the management account is i = 0, members 1..N-1) has, in every Region:
- a compliant ECR Public rule and, unless i % 4 == 0, a repository creation template (i % 4 == 0:
  PTC-RCT-001, a rule without an applicable template);
- i % 5 == 0: a Docker Hub rule without a secret (PTC-AUTH-001);
- i % 7 == 3: a cross-account ECR upstream in account i + 1 with a custom role that does not exist
  (PTC-IAM-004) and, since account i + 1 has no registry policy granting it, PTC-IAM-007 once
  the upstream registry is collected in the same run (or merged in: the pair crosses shards);
- i % 3 == 0: a registry policy (found); others: none (RegistryPolicyNotFoundException).
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

MANAGEMENT = "100000000000"
ROLE = "PtclintAudit"
_STS = "https://sts.amazonaws.com/doc/2011-06-15/"
_IAM = "https://iam.amazonaws.com/doc/2010-05-08/"
WHEN = 1767225600.0


def accounts(n: int) -> list[str]:
    return [MANAGEMENT, *(f"{200000000000 + i:012d}" for i in range(1, n))]


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        yield self._body


def _reply(request: Any, body: Any, status: int = 200) -> Any:
    from botocore.awsrequest import AWSResponse

    if isinstance(body, str):
        return AWSResponse(request.url, status, {"Content-Type": "text/xml"}, _Raw(body.encode()))
    return AWSResponse(request.url, status, {"Content-Type": "application/x-amz-json-1.1"},
                       _Raw(json.dumps(body).encode()))


def _caller(request: Any) -> str:
    auth = request.headers.get("Authorization", b"")
    auth = auth.decode() if isinstance(auth, bytes) else str(auth)
    match = re.search(r"Credential=ASIA([0-9]{12})/", auth)
    return match.group(1) if match else MANAGEMENT


class Endpoints:
    """Answers every call of the collection from the planted organization."""

    def __init__(self, ids: list[str]) -> None:
        self.ids = ids
        self.index = {a: i for i, a in enumerate(ids)}

    def __call__(self, request: Any, event_name: str, **kwargs: Any) -> Any:
        service = event_name.split(".")[1]
        body = request.body.decode() if isinstance(request.body, bytes) else (request.body or "")
        target = request.headers.get("X-Amz-Target", b"")
        operation = (target.decode() if isinstance(target, bytes) else str(target)).rsplit(".", 1)[-1]
        region = re.search(r"\.([a-z]{2}-[a-z]+-[0-9])\.", request.url)
        if service == "sts":
            return self.sts(request, parse_qs(body))
        if service == "organizations":
            start = int(json.loads(body or "{}").get("NextToken") or 0)
            page = [{"Id": a, "Status": "ACTIVE", "State": "ACTIVE"} for a in self.ids[start:start + 20]]
            more = {"NextToken": str(start + 20)} if start + 20 < len(self.ids) else {}
            return _reply(request, {"Accounts": page, **more})
        if service == "secrets-manager" and operation == "ListSecrets":
            return _reply(request, {"SecretList": []})
        if service == "iam":
            return _reply(request, f'<ErrorResponse xmlns="{_IAM}"><Error><Type>Sender</Type><Code>NoSuchEntity'
                                   "</Code><Message>The role cannot be found.</Message></Error><RequestId>1"
                                   "</RequestId></ErrorResponse>", 404)
        if service == "ecr":
            return self.ecr(request, operation, _caller(request), region.group(1) if region else "us-east-1")
        raise AssertionError(f"unexpected call {event_name}")

    def sts(self, request: Any, form: dict[str, list[str]]) -> Any:
        if form["Action"][0] == "GetCallerIdentity":
            return _reply(request, f'<GetCallerIdentityResponse xmlns="{_STS}"><GetCallerIdentityResult>'
                                   f"<Arn>arn:aws:iam::{MANAGEMENT}:user/audit</Arn><UserId>AIDAAUDIT</UserId>"
                                   f"<Account>{MANAGEMENT}</Account></GetCallerIdentityResult>"
                                   "</GetCallerIdentityResponse>")
        account = form["RoleArn"][0].split(":")[4]
        return _reply(request, f'<AssumeRoleResponse xmlns="{_STS}"><AssumeRoleResult><Credentials>'
                               f"<AccessKeyId>ASIA{account}</AccessKeyId><SecretAccessKey>x</SecretAccessKey>"
                               "<SessionToken>x</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration>"
                               f"</Credentials><AssumedRoleUser><Arn>arn:aws:sts::{account}:assumed-role/r/ptclint"
                               "</Arn><AssumedRoleId>AROAAUDIT:ptclint</AssumedRoleId></AssumedRoleUser>"
                               "</AssumeRoleResult></AssumeRoleResponse>")

    def rules(self, account: str, region: str) -> list[dict[str, Any]]:
        i = self.index[account]
        out = [{"ecrRepositoryPrefix": "ecr-public", "upstreamRegistryUrl": "public.ecr.aws",
                "upstreamRegistry": "ecr-public", "registryId": account, "createdAt": WHEN}]
        if i % 5 == 0:
            out.append({"ecrRepositoryPrefix": "docker-hub", "upstreamRegistryUrl": "registry-1.docker.io",
                        "upstreamRegistry": "docker-hub", "registryId": account, "createdAt": WHEN})
        if i % 7 == 3:
            upstream = self.ids[(i + 1) % len(self.ids)]
            out.append({"ecrRepositoryPrefix": "upstream", "upstreamRegistry": "ecr", "registryId": account,
                        "upstreamRegistryUrl": f"{upstream}.dkr.ecr.{region}.amazonaws.com", "createdAt": WHEN,
                        "customRoleArn": f"arn:aws:iam::{account}:role/ptc-upstream"})
        return out

    def ecr(self, request: Any, operation: str, account: str, region: str) -> Any:
        i = self.index[account]
        if operation == "DescribePullThroughCacheRules":
            return _reply(request, {"pullThroughCacheRules": self.rules(account, region)})
        if operation == "DescribeRepositoryCreationTemplates":
            templates = [] if i % 4 == 0 else [
                {"prefix": "ROOT", "appliedFor": ["PULL_THROUGH_CACHE"], "imageTagMutability": "IMMUTABLE",
                 "encryptionConfiguration": {"encryptionType": "AES256"}, "lifecyclePolicy": json.dumps(
                     {"rules": [{"rulePriority": 1, "selection": {"tagStatus": "any", "countType":
                                 "imageCountMoreThan", "countNumber": 30}, "action": {"type": "expire"}}]}),
                 "createdAt": WHEN}]
            return _reply(request, {"registryId": account, "repositoryCreationTemplates": templates})
        if operation == "GetRegistryPolicy":
            if i % 3:
                return _reply(request, {"__type": "RegistryPolicyNotFoundException", "message": "none"}, 400)
            policy = {"Version": "2012-10-17", "Statement": [{"Sid": "replication", "Effect": "Allow", "Principal": {
                "AWS": f"arn:aws:iam::{account}:root"}, "Action": "ecr:ReplicateImage", "Resource": "*"}]}
            return _reply(request, {"registryId": account, "policyText": json.dumps(policy)})
        if operation == "GetAccountSetting":
            return _reply(request, {"name": "REGISTRY_POLICY_SCOPE", "value": "V2"})
        raise AssertionError(f"unexpected ECR call {operation}")


def install(n: int) -> Endpoints:
    """Answer every botocore call of this process from an organization of `n` accounts; no
    configuration or credentials file of the machine is read."""
    import botocore.handlers

    nowhere = "/nonexistent/ptclint-fakeorg"
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        os.environ.pop(name, None)
    os.environ.update(AWS_ACCESS_KEY_ID="fakeorg", AWS_SECRET_ACCESS_KEY="fakeorg", AWS_EC2_METADATA_DISABLED="true",
                      AWS_CONFIG_FILE=nowhere, AWS_SHARED_CREDENTIALS_FILE=nowhere, AWS_DEFAULT_REGION="eu-west-1")
    endpoints = Endpoints(accounts(n))
    botocore.handlers.BUILTIN_HANDLERS.append(("before-send", endpoints, botocore.handlers.REGISTER_FIRST))
    return endpoints


def main(argv: list[str]) -> None:
    """`fakeorg.py --accounts N -- PTCLINT ARGS`: run ptclint against the fake organization."""
    split = argv.index("--")
    install(int(argv[argv.index("--accounts") + 1]))
    from ptclint.cli import run_main

    sys.argv = ["ptclint", *argv[split + 1:]]
    run_main()


if __name__ == "__main__":
    main(sys.argv[1:])
