"""What both Terraform loaders reduce a resource instance to: `TfObject`, and the vocabulary around it.

The modelled resource types and the arguments read from each, the registry a provider points at
(`ProviderInfo`) and the ARNs built from it, instance keys in addresses, and the reduction of a
secret value to its key names, which happens before anything is stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ptclint.model import Origin, PartlyKnown, Unknown, UnknownLeaves


@dataclass(frozen=True)
class Options:
    """Terraform settings from the command line, shared by the configuration and plan loaders."""

    vars: tuple[str, ...] = ()  # --var KEY=VALUE (root module variables)
    var_files: tuple[str, ...] = ()  # --var-file FILE
    root: str = ""  # --tf-root DIR: the .tf files of a plan JSON


def options(scan: Any) -> Options:
    return Options(tuple(scan.tf_vars), tuple(scan.tf_var_files), scan.tf_root)

ACCOUNT_TOKEN = "${AWS::AccountId}"
REGION_TOKEN = "${AWS::Region}"
PARTITION_TOKEN = "${AWS::Partition}"

RULE = "aws_ecr_pull_through_cache_rule"
TEMPLATE = "aws_ecr_repository_creation_template"
REGISTRY_POLICY = "aws_ecr_registry_policy"
SECRET = "aws_secretsmanager_secret"
SECRET_VERSION = "aws_secretsmanager_secret_version"
ROLE = "aws_iam_role"
ROLE_POLICY = "aws_iam_role_policy"
POLICY = "aws_iam_policy"
ATTACHMENT = "aws_iam_role_policy_attachment"
POLICY_DOCUMENT = "aws_iam_policy_document"  # data source

MANAGED_TYPES = (RULE, TEMPLATE, REGISTRY_POLICY, SECRET, SECRET_VERSION, ROLE, ROLE_POLICY, POLICY, ATTACHMENT)
PTC_TYPES = (RULE, TEMPLATE, REGISTRY_POLICY)


# Terraform argument -> ECR API field.
RULE_FIELDS = {
    "ecr_repository_prefix": "ecrRepositoryPrefix",
    "upstream_registry_url": "upstreamRegistryUrl",
    "credential_arn": "credentialArn",
    "custom_role_arn": "customRoleArn",
    "upstream_repository_prefix": "upstreamRepositoryPrefix",
}
TEMPLATE_STRING_FIELDS = {
    "prefix": "prefix",
    "description": "description",
    "image_tag_mutability": "imageTagMutability",
    "lifecycle_policy": "lifecyclePolicy",
    "repository_policy": "repositoryPolicy",
    "custom_role_arn": "customRoleArn",
}
TEMPLATE_FIELDS = {
    **TEMPLATE_STRING_FIELDS,
    "applied_for": "appliedFor",
    "encryption_configuration": "encryptionConfiguration",
    "image_tag_mutability_exclusion_filter": "imageTagMutabilityExclusionFilters",
    "resource_tags": "resourceTags",
}


# Arguments each modelled type reads (blocks included); the rest of a resource is not looked at.
ARGUMENTS: dict[str, tuple[str, ...]] = {
    RULE: (*RULE_FIELDS, "region"),
    TEMPLATE: (*TEMPLATE_FIELDS, "region"),
    REGISTRY_POLICY: ("policy", "region"),
    SECRET: ("name", "name_prefix", "kms_key_id", "recovery_window_in_days", "description", "region"),
    SECRET_VERSION: ("secret_id",),  # secret_string is read separately and never kept
    ROLE: ("name", "name_prefix", "path", "assume_role_policy", "managed_policy_arns", "inline_policy"),
    ROLE_POLICY: ("name", "name_prefix", "role", "policy"),
    POLICY: ("name", "name_prefix", "path", "policy"),
    ATTACHMENT: ("role", "policy_arn"),
}
BLOCK_ARGUMENTS = {"encryption_configuration", "image_tag_mutability_exclusion_filter", "inline_policy"}


_TOKEN_KEYS = {"accesstoken", "access_token", "token", "password", "passwd", "pat", "secret", "apikey", "api_key"}


def is_token_key(key: str) -> bool:
    k = key.lower()
    return k in _TOKEN_KEYS or "token" in k or "password" in k


@dataclass(frozen=True)
class ProviderInfo:
    """The registry a provider configuration (or a resource's own `region`) points at."""

    key: str
    account: str
    region: str
    partition: str
    origin: Origin | None = None

    def with_region(self, region: str) -> ProviderInfo:
        return ProviderInfo(self.key, self.account, region, partition_of(region), self.origin)


def partition_of(region: str) -> str:
    if not region or "${" in region:
        return PARTITION_TOKEN
    for prefix, partition in (("cn-", "aws-cn"), ("us-gov-", "aws-us-gov"), ("us-isob-", "aws-iso-b"),
                              ("us-iso-", "aws-iso"), ("eu-isoe-", "aws-iso-e"), ("us-isof-", "aws-iso-f")):
        if region.startswith(prefix):
            return partition
    return "aws"


def make_provider(key: str, region: Any, accounts: Any, ctx_account: str, ctx_region: str,
                  origin: Origin | None) -> ProviderInfo:
    """Region: the provider's, else --region, else symbolic. Account: a single allowed_account_ids
    entry, else --account, else symbolic."""
    reg = region if isinstance(region, str) and region else (ctx_region or REGION_TOKEN)
    account = ""
    if isinstance(accounts, (list, tuple)) and len(accounts) == 1 and isinstance(accounts[0], str):
        account = accounts[0]
    account = account or ctx_account or ACCOUNT_TOKEN
    return ProviderInfo(key, account, reg, partition_of(reg), origin)


class MadeUp(str):
    """A value ptclint made up, not one the user wrote: the ARN of a secret built from its name
    (a reference to a declared secret or to a `data.aws_secretsmanager_secret` by name). `basis`
    says what it was built from, `name` is the secret name the user wrote. The mapping records it
    as the lookup's `arnFrom`, and no rule judges the shape of such an ARN."""

    basis: str
    name: Any

    def __new__(cls, text: str, basis: str, name: Any = "") -> MadeUp:
        made = super().__new__(cls, text)
        made.basis = basis
        made.name = name
        return made


def secret_arn(name: str, provider: ProviderInfo) -> str:
    """A partial secret ARN (no random suffix), as CloudFormation and hand-written ARNs have."""
    return f"arn:{provider.partition}:secretsmanager:{provider.region}:{provider.account}:secret:{name}"


def made_secret_arn(address: str, name: Any, name_prefix: Any, provider: ProviderInfo) -> MadeUp:
    """The ARN ptclint gives the secret at `address` before it exists: from its name when that is
    known (a partial ARN), else `generated_secret_arn`; marked as made up."""
    if isinstance(name, str) and name:
        return MadeUp(secret_arn(name, provider), f"the name of {address}", name)
    basis = f"the name_prefix of {address}" if is_set(name_prefix) else f"the name of {address}, not known statically"
    return MadeUp(generated_secret_arn(address, name, name_prefix, provider), basis, name)


def generated_secret_arn(address: str, name: Any, name_prefix: Any, provider: ProviderInfo) -> str:
    """The key ptclint gives a declared secret whose name is not fully known before apply (generated
    from `name_prefix`, or built from an unresolved variable): the ARN as far as it is known, `*`
    for the rest, and the secret's address (so two such secrets never share a key). A rule that
    references the secret carries the same key, so the rules that judge the secret's name and value
    can find it; the key itself is ptclint's (`arnFrom` marks it) and no rule judges its shape."""
    known = name if isinstance(name, PartlyKnown) else name_prefix
    start = known if isinstance(known, str) else known.prefix if isinstance(known, PartlyKnown) else ""
    return f"{secret_arn(start, provider)}* ({address})"


def iam_path(path: Any) -> str:
    """An IAM path as it appears in an ARN: "/" when unset, always ending in "/"."""
    if not isinstance(path, str) or not path:
        return "/"
    return path if path.endswith("/") else path + "/"


def role_arn(name: str, path: Any, provider: ProviderInfo) -> str:
    return f"arn:{provider.partition}:iam::{provider.account}:role{iam_path(path)}{name}"


def policy_arn(name: str, path: Any, provider: ProviderInfo) -> str:
    return f"arn:{provider.partition}:iam::{provider.account}:policy{iam_path(path)}{name}"


@dataclass
class TfObject:
    """One resource instance, reduced to what ptclint models."""

    address: str  # absolute, with module path and instance key
    mode: str  # managed | data
    type: str
    values: dict[str, Any]  # Terraform argument -> value or Unknown; unset arguments are absent
    origin: Origin
    origins: dict[str, Origin]
    provider: ProviderInfo
    refs: dict[str, str] = field(default_factory=dict)  # argument -> address of the object it references
    declared_value: dict[str, Any] | None = None  # secret versions: reduced secret value (never the value)


def is_set(value: Any) -> bool:
    """The provider treats null and "" alike (GetOk); so do we."""
    return value is not None and value != "" and value != []


def linked(o: TfObject, arg: str, target: TfObject, target_value: Any) -> bool:
    """Does o's argument `arg` point at target (by reference, or by equal value)?"""
    if o.refs.get(arg) == target.address:
        return True
    value = o.values.get(arg)
    return isinstance(value, str) and isinstance(target_value, str) and value == target_value


def decode_policy(value: Any) -> Any:
    """A policy argument (JSON string) -> decoded document, Unknown, or the string when not JSON."""
    if isinstance(value, UnknownLeaves) and isinstance(value.document, (dict, list)):
        return value.document  # jsonencode() of a document with unknown leaves: its structure is known
    if isinstance(value, Unknown):
        return value
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return Unknown("the policy is not a JSON string")


def reduce_secret_value(value: Any, literal_token: bool, write_only: bool = False) -> dict[str, Any]:
    """What ptclint keeps of a secret value: its JSON keys and whether a token is a literal.

    The value itself is dropped here and never stored, printed or put in a message."""
    out: dict[str, Any] = {}
    if isinstance(value, UnknownLeaves) and isinstance(value.document, dict) and not write_only:
        value = value.document  # jsonencode({username = var.u, ...}): the keys are known, the values are not
    if write_only or isinstance(value, Unknown) or value is None:
        out["literalToken"] = bool(literal_token) and not write_only
        return out
    decoded: Any = value
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except ValueError:
            decoded = None
    if isinstance(decoded, dict):
        out["valueKeys"] = sorted(str(k) for k in decoded)
        out["valueIsJsonObject"] = True
        has_token = any(is_token_key(str(k)) and isinstance(v, str) and v for k, v in decoded.items())
    else:
        out["valueIsJsonObject"] = False
        has_token = isinstance(value, str) and bool(value)
    out["literalToken"] = bool(literal_token and has_token)
    return out


# ---------------------------------------------------------------- addresses

def instance_key(key: Any) -> str:
    """`["gitlab"]` / `[0]` / "" as Terraform writes instance keys in addresses."""
    if key is None:
        return ""
    if isinstance(key, bool):
        key = "true" if key else "false"
    if isinstance(key, int):
        return f"[{key}]"
    return "[" + json.dumps(str(key), ensure_ascii=False) + "]"
