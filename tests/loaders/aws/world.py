"""A mocked AWS Organization (moto) with pull through cache data (FakeEcr) and planted problems."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import boto3

from .fakes import FakeEcr

REGIONS = ("eu-west-1", "us-east-1", "ap-southeast-2")
ROLE = "OrganizationAccountAccessRole"
LIFECYCLE = json.dumps({"rules": [{"rulePriority": 1, "description": "keep 30 images",
                                   "selection": {"tagStatus": "any", "countType": "imageCountMoreThan",
                                                 "countNumber": 30}, "action": {"type": "expire"}}]})
PULL_ACTIONS = ["ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
                "ecr:BatchImportUpstreamImage", "ecr:GetImageCopyStatus", "ecr:InitiateLayerUpload",
                "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"]


def trust(service: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})


@dataclass
class World:
    management: str
    members: list[str]
    expected: set[tuple[str, str, str]] = field(default_factory=set)  # (rule id, account, prefix)
    secrets: dict[str, str] = field(default_factory=dict)  # account -> a found secret's ARN
    roles: list[str] = field(default_factory=list)

    @property
    def accounts(self) -> list[str]:
        return sorted([self.management, *self.members])


def session_for(account: str, management: str) -> boto3.Session:
    if account == management:
        return boto3.Session(region_name="us-east-1")
    creds = boto3.client("sts", region_name="us-east-1").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{ROLE}", RoleSessionName="setup")["Credentials"]
    return boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                         aws_session_token=creds["SessionToken"], region_name="us-east-1")


def organization(members: int) -> tuple[str, list[str]]:
    org = boto3.client("organizations", region_name="us-east-1")
    management = org.create_organization(FeatureSet="ALL")["Organization"]["MasterAccountId"]
    ids = [org.create_account(Email=f"member{i}@example.com", AccountName=f"member-{i}")["CreateAccountStatus"]
           ["AccountId"] for i in range(members)]
    return management, ids


def _template(prefix: str) -> dict[str, Any]:
    return {"prefix": prefix, "appliedFor": ["PULL_THROUGH_CACHE"], "imageTagMutability": "MUTABLE",
            "encryptionConfiguration": {"encryptionType": "AES256"}, "lifecyclePolicy": LIFECYCLE,
            "createdAt": 1767225600.0, "updatedAt": 1767225600.0}


def _rule(prefix: str, url: str, kind: str, **extra: str) -> dict[str, Any]:
    return {"ecrRepositoryPrefix": prefix, "upstreamRegistryUrl": url, "upstreamRegistry": kind,
            "createdAt": 1767225600.0, **extra}


def _secret(session: boto3.Session, region: str, name: str) -> str:
    value = json.dumps({"username": "someone", "accessToken": "dckr_pat_not-a-real-token"})
    return str(session.client("secretsmanager", region_name=region).create_secret(Name=name, SecretString=value)["ARN"])


def _role(session: boto3.Session, name: str, service: str) -> str:
    iam = session.client("iam", region_name="us-east-1")
    arn = str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(service))["Role"]["Arn"])
    iam.put_role_policy(RoleName=name, PolicyName="pull", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": PULL_ACTIONS, "Resource": "*"}]}))
    return arn


def build(ecr: FakeEcr, members: int = 20) -> World:
    """Every account and Region: a correct ECR Public rule and its template. Planted (expected findings):
    a Docker Hub rule without a secret, a rule whose secret does not exist, a cross-account ECR upstream
    without a role, a role trusting the wrong service. Correct Docker Hub and cross-account rules too."""
    management, ids = organization(members)
    world = World(management, ids)
    for account in world.accounts:
        for region in REGIONS:
            reg = ecr.registry(account, region)
            reg.rules.append(_rule("ecr-public", "public.ecr.aws", "ecr-public"))
            reg.templates.append(_template("ecr-public"))
    a, b, c, upstream, e, good = ids[:6]
    host = f"{upstream}.dkr.ecr.us-east-1.amazonaws.com"
    # correct: Docker Hub with its secret (two rules, one secret), a cross-account upstream with a good role
    secret = _secret(session_for(management, management), "eu-west-1", "ecr-pullthroughcache/docker-hub")
    world.secrets[management] = secret
    for prefix in ("docker-hub", "docker-hub-b"):
        ecr.registry(management, "eu-west-1").rules.append(
            _rule(prefix, "registry-1.docker.io", "docker-hub", credentialArn=secret))
        ecr.registry(management, "eu-west-1").templates.append(_template(prefix))
    good_role = _role(session_for(good, management), "ptc-upstream", "pullthroughcache.ecr.amazonaws.com")
    wrong_role = _role(session_for(e, management), "ptc-upstream", "ecr.amazonaws.com")
    world.roles = [good_role, wrong_role]
    for account, extra in ((good, {"customRoleArn": good_role}), (c, {}), (e, {"customRoleArn": wrong_role})):
        ecr.registry(account, "us-east-1").rules.append(_rule("shared", host, "ecr", **extra))
        ecr.registry(account, "us-east-1").templates.append(_template("shared"))
    ecr.registry(upstream, "us-east-1").policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "ptc", "Effect": "Allow", "Principal": {"AWS": [f"arn:aws:iam::{x}:root" for x in (good, c, e)]},
         "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchImportUpstreamImage",
                    "ecr:GetImageCopyStatus"], "Resource": f"arn:aws:ecr:us-east-1:{upstream}:repository/*"}]})
    # planted
    ecr.registry(a, "eu-west-1").rules.append(_rule("docker-hub", "registry-1.docker.io", "docker-hub"))
    ecr.registry(a, "eu-west-1").templates.append(_template("docker-hub"))
    gone = f"arn:aws:secretsmanager:eu-west-1:{b}:secret:ecr-pullthroughcache/gone-AbCdEf"
    ecr.registry(b, "eu-west-1").rules.append(_rule("docker-hub", "registry-1.docker.io", "docker-hub",
                                                    credentialArn=gone))
    ecr.registry(b, "eu-west-1").templates.append(_template("docker-hub"))
    world.expected = {("PTC-AUTH-001", a, "docker-hub"), ("PTC-AUTH-006", b, "docker-hub"),
                      ("PTC-IAM-001", c, "shared"), ("PTC-IAM-005", e, "shared")}
    return world
