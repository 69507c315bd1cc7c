"""Terraform resources -> ptclint registries: shared by the HCL and the plan loaders.

Both loaders reduce what they read to `TfObject`s (one per resource instance: its address,
Terraform attribute values, positions, provider and references) and call `build_registries`,
so the same configuration yields the same model, and the same findings, from either input.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from ptclint.model import DataKind, Lookup, Origin, Registry, Resource, Status, Unknown


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

    def with_region(self, region: str) -> "ProviderInfo":
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


def secret_arn(name: str, provider: ProviderInfo) -> str:
    """A partial secret ARN (no random suffix), as CloudFormation and hand-written ARNs have."""
    return f"arn:{provider.partition}:secretsmanager:{provider.region}:{provider.account}:secret:{name}"


def _iam_path(path: Any) -> str:
    if not isinstance(path, str) or not path:
        return "/"
    return path if path.endswith("/") else path + "/"


def role_arn(name: str, path: Any, provider: ProviderInfo) -> str:
    return f"arn:{provider.partition}:iam::{provider.account}:role{_iam_path(path)}{name}"


def policy_arn(name: str, path: Any, provider: ProviderInfo) -> str:
    return f"arn:{provider.partition}:iam::{provider.account}:policy{_iam_path(path)}{name}"


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


def _string(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    return value


def _argument(obj: "TfObject", arg: str, value: Any) -> Any:
    """A string argument: Terraform converts numbers and bools to strings and rejects a list or an
    object ("string required"), and so does ptclint: an input error at the argument's line."""
    if isinstance(value, (dict, list, tuple)):
        _wrong_type(obj, arg, "a string", value)
    return _string(value)


def _wrong_type(obj: "TfObject", arg: str, expected: str, value: Any) -> None:
    from ptclint.errors import InputError
    from ptclint.loaders.tf_eval import kind_of

    origin = obj.origins.get(arg, obj.origin)
    raise InputError(origin.file, f"{obj.address}: {arg}: expected {expected}, got {kind_of(value)}",
                     origin.line, origin.column)


def _json_string(value: Any) -> Any:
    """A JSON policy argument, canonical (sorted keys, compact) as the provider normalises it in plans,
    so that the HCL and the plan of one configuration give the same string. Not JSON: kept as is."""
    from ptclint.loaders.tf_eval import json_encode

    if isinstance(value, (dict, list)):
        return json_encode(value)
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except ValueError:
            return value
        if isinstance(decoded, (dict, list)):
            return json_encode(decoded)
        return value
    return _string(value)


def _first_unknown(value: Any) -> Unknown | None:
    from ptclint.loaders.tf_eval import first_unknown

    return first_unknown(value)


def rule_data(obj: TfObject) -> tuple[dict[str, Any], dict[str, Origin]]:
    data: dict[str, Any] = {}
    origins: dict[str, Origin] = {}
    for arg, api in RULE_FIELDS.items():
        value = obj.values.get(arg)
        if not is_set(value):
            if arg in obj.origins:  # written but null / "": a finding about it points at that line
                origins[api] = obj.origins[arg]
            continue
        data[api] = _argument(obj, arg, value)
        origins[api] = obj.origins.get(arg, obj.origin)
    return data, origins


def template_data(obj: TfObject) -> tuple[dict[str, Any], dict[str, Origin]]:
    data: dict[str, Any] = {}
    origins: dict[str, Origin] = {}
    v = obj.values
    for arg, api in TEMPLATE_FIELDS.items():
        value = v.get(arg)
        if not is_set(value):
            if arg in obj.origins:
                origins[api] = obj.origins[arg]
            continue
        if arg in ("lifecycle_policy", "repository_policy"):
            mapped = _json_string(value)
        elif arg in TEMPLATE_STRING_FIELDS:
            mapped = _argument(obj, arg, value)
        elif arg == "applied_for":
            if not isinstance(value, (list, tuple, Unknown)):
                _wrong_type(obj, arg, "a list of strings", value)
            mapped = value if isinstance(value, Unknown) else [_argument(obj, arg, x) for x in value]
        elif arg == "encryption_configuration":
            mapped = _encryption(value)
            if mapped is None:
                continue
        elif arg == "image_tag_mutability_exclusion_filter":
            mapped = _filters(value)
        else:  # resource_tags
            mapped = _tags(value)
        data[api] = mapped
        origins[api] = obj.origins.get(arg, obj.origin)
    return data, origins


def _encryption(value: Any) -> Any:
    if isinstance(value, Unknown):
        return value
    block = value[0] if isinstance(value, (list, tuple)) and value else value if isinstance(value, dict) else None
    if block is None:
        return None
    if isinstance(block, Unknown):
        return block
    if not isinstance(block, dict):
        return Unknown("encryption_configuration is not a block")
    out: dict[str, Any] = {}
    for arg, api in (("encryption_type", "encryptionType"), ("kms_key", "kmsKey")):
        if is_set(block.get(arg)):
            out[api] = _string(block[arg])
    return out


def _filters(value: Any) -> Any:
    if isinstance(value, Unknown):
        return value
    out = []
    for block in value if isinstance(value, (list, tuple)) else [value]:
        if isinstance(block, Unknown):
            return block
        if not isinstance(block, dict):
            return Unknown("image_tag_mutability_exclusion_filter is not a block")
        item = {}
        for arg, api in (("filter", "filter"), ("filter_type", "filterType")):
            if is_set(block.get(arg)):
                item[api] = _string(block[arg])
        out.append(item)
    return out


def _tags(value: Any) -> Any:
    if isinstance(value, Unknown):
        return value
    if not isinstance(value, dict):
        return Unknown("resource_tags is not a map")
    return [{"Key": str(k), "Value": _string(value[k])} for k in sorted(value, key=str)]


def decode_policy(value: Any) -> Any:
    """A policy argument (JSON string) -> decoded document, Unknown, or the string when not JSON."""
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


# ---------------------------------------------------------------- building registries

def build_registries(objects: list[TfObject], plan_changes: list[tuple[ProviderInfo, dict]] | None = None,
                     plan: bool = False, registry_origins: dict[tuple[str, str], Origin] | None = None) -> list[Registry]:
    """Group objects by (account, region) and build the model. Returns [] for a unit with no PTC content."""
    registries: dict[tuple[str, str], Registry] = {}

    def registry_for(p: ProviderInfo) -> Registry:
        key = (p.account, p.region)
        reg = registries.get(key)
        if reg is None:
            reg = Registry(account=p.account, region=p.region, partition=p.partition, source="iac",
                           origin=(registry_origins or {}).get(key) or p.origin)
            registries[key] = reg
        return reg

    by_address = {o.address: o for o in objects}
    by_type: dict[str, list[TfObject]] = {}
    for o in objects:
        by_type.setdefault(o.type if o.mode == "managed" else "data." + o.type, []).append(o)

    # PTC rules, templates, registry policy
    for o in by_type.get(RULE, []):
        data, origins = rule_data(o)
        registry_for(o.provider).rules.append(Resource("pullThroughCacheRule", data, o.origin, origins, o.address))
    for o in by_type.get(TEMPLATE, []):
        data, origins = template_data(o)
        reg = registry_for(o.provider)
        reg.templates.append(Resource("repositoryCreationTemplate", data, o.origin, origins, o.address))
        reg.carries(DataKind.TEMPLATES)
    for o in by_type.get(REGISTRY_POLICY, []):
        reg = registry_for(o.provider)
        if reg.registry_policy is not None:
            continue
        text = o.values.get("policy")
        text = _json_string(text) if text is not None else Unknown("the registry policy has no policy argument")
        reg.registry_policy = Lookup(Status.FOUND, {"policyText": text, "policy": decode_policy(text)},
                                     o.origins.get("policy", o.origin))
        reg.carries(DataKind.REGISTRY_POLICY)

    if plan_changes:
        for provider, change in plan_changes:
            reg = registry_for(provider)
            reg.plan_changes.append(change)
    if plan:
        for reg in registries.values():
            reg.carries(DataKind.PLAN_CHANGES)

    if not registries:
        return []  # nothing PTC-related in this unit

    _secrets(by_type, by_address, registry_for, registries)
    _roles_and_policies(by_type, by_address, registry_for, registries)
    return list(registries.values())


def _linked(o: TfObject, arg: str, target: TfObject, target_value: Any) -> bool:
    """Does o's argument `arg` point at target (by reference, or by equal value)?"""
    if o.refs.get(arg) == target.address:
        return True
    value = o.values.get(arg)
    return isinstance(value, str) and isinstance(target_value, str) and value == target_value


def _secrets(by_type: dict, by_address: dict, registry_for: Any, registries: dict) -> None:
    versions = by_type.get(SECRET_VERSION, [])
    declared_all: dict[str, Lookup] = {}
    for s in by_type.get(SECRET, []):
        name = s.values.get("name")
        name_prefix = s.values.get("name_prefix")
        if isinstance(s.values.get("arn"), str):  # a state: the real ARN
            arn: Any = s.values["arn"]
        elif isinstance(name, str) and name:
            arn = secret_arn(name, s.provider)
        elif isinstance(name, Unknown):
            arn = Unknown(f"the ARN of {s.address} depends on its name, which is not known statically")
        else:
            arn = Unknown(f"the ARN of {s.address} is known only after apply (its name is generated"
                          f"{' from name_prefix' if name_prefix is not None else ''})")
        declared: dict[str, Any] = {}
        if is_set(name):
            declared["name"] = name
        if is_set(name_prefix):
            declared["namePrefix"] = name_prefix
        window = s.values.get("recovery_window_in_days", 30)
        if window is not None:
            declared["recoveryWindowInDays"] = window
            if not isinstance(window, Unknown):
                declared["forceDeleteWithoutRecovery"] = window == 0
        if is_set(s.values.get("kms_key_id")):
            declared["kmsKeyId"] = s.values["kms_key_id"]
        value_info: dict[str, Any] = {}
        for v in versions:
            if not _linked(v, "secret_id", s, arn) or v.declared_value is None:
                continue
            info = v.declared_value
            if "valueKeys" in info and "valueKeys" not in value_info:
                value_info["valueKeys"] = info["valueKeys"]
            if "valueIsJsonObject" in info and "valueIsJsonObject" not in value_info:
                value_info["valueIsJsonObject"] = info["valueIsJsonObject"]
            value_info["literalToken"] = value_info.get("literalToken", False) or info.get("literalToken", False)
        declared.update(value_info)
        secret: dict[str, Any] = {"ARN": arn, "Name": name if is_set(name) else Unknown(
            f"the name of {s.address} is generated at apply" if name_prefix is not None else
            f"the name of {s.address} is not known statically")}
        if is_set(s.values.get("kms_key_id")):
            secret["KmsKeyId"] = s.values["kms_key_id"]
        origin = s.origins.get("name") or s.origins.get("name_prefix") or s.origin
        lookup = Lookup(Status.FOUND, {"secret": secret, "declared": declared}, origin)
        reg = registry_for(s.provider)
        reg.carries(DataKind.SECRETS)
        if isinstance(arn, str):
            reg.secrets[arn] = lookup
            declared_all[arn] = lookup
    # A rule in another registry (another provider) that references a declared secret sees it too.
    for reg in registries.values():
        for rule in reg.rules:
            ref = rule.data.get("credentialArn")
            if isinstance(ref, str) and ref in declared_all and ref not in reg.secrets:
                reg.secrets[ref] = declared_all[ref]
                reg.carries(DataKind.SECRETS)


def _roles_and_policies(by_type: dict, by_address: dict, registry_for: Any, registries: dict) -> None:
    policies_by_address: dict[str, tuple[Any, Any, Any]] = {}  # address -> (arn, name, document)
    consumed: set[str] = set()
    for o in [*by_type.get(ROLE, []), *by_type.get(ROLE_POLICY, []), *by_type.get(POLICY, []),
              *by_type.get(REGISTRY_POLICY, []), *by_type.get(TEMPLATE, [])]:
        for arg in ("policy", "assume_role_policy", "repository_policy", "lifecycle_policy"):
            if arg in o.refs:
                consumed.add(o.refs[arg])
        for arg, target in o.refs.items():
            if arg.startswith("inline_policy"):
                consumed.add(target)

    for p in by_type.get(POLICY, []):
        name = p.values.get("name")
        arn = p.values["arn"] if isinstance(p.values.get("arn"), str) else \
            policy_arn(name, p.values.get("path"), p.provider) if isinstance(name, str) and name else \
            Unknown(f"the ARN of {p.address} is known only after apply")
        document = decode_policy(p.values.get("policy", Unknown(f"{p.address} has no policy")))
        policies_by_address[p.address] = (arn, name, document)
        data: dict[str, Any] = {"document": document}
        origins = {"document": p.origins.get("policy", p.origin)}
        if isinstance(name, str) and name:
            data["PolicyName"] = name
            origins["PolicyName"] = p.origins.get("name", p.origin)
        _add_policy(registry_for(p.provider), Resource("iamPolicy", data, p.origin, origins, p.address))

    roles = by_type.get(ROLE, [])
    role_policies = by_type.get(ROLE_POLICY, [])
    attachments = by_type.get(ATTACHMENT, [])
    role_names: dict[str, Any] = {}
    for r in roles:
        name = r.values.get("name")
        role_names[r.address] = name
        if not (isinstance(name, str) and name):
            continue  # name_prefix: the ARN is generated at apply, nothing can reference it by value
        arn = r.values["arn"] if isinstance(r.values.get("arn"), str) else role_arn(name, r.values.get("path"), r.provider)
        role = {"RoleName": name, "Arn": arn, "Path": _iam_path(r.values.get("path"))}
        if "assume_role_policy" in r.values:
            role["AssumeRolePolicyDocument"] = decode_policy(r.values["assume_role_policy"])
        attached = []
        for a in attachments:
            if not _linked(a, "role", r, name):
                continue
            target = by_address.get(a.refs.get("policy_arn", ""))
            if target is not None and target.address in policies_by_address:
                parn, pname, doc = policies_by_address[target.address]
                attached.append({"PolicyArn": parn, "PolicyName": pname if isinstance(pname, str) else
                                 Unknown("generated policy name"), "document": doc})
            elif isinstance(a.values.get("policy_arn"), str):
                parn = a.values["policy_arn"]
                attached.append({"PolicyArn": parn, "PolicyName": parn.rsplit("/", 1)[-1]})
        managed = r.values.get("managed_policy_arns")
        if isinstance(managed, (list, tuple)):
            for parn in managed:
                match = next((pa for pa in policies_by_address.values() if isinstance(parn, str) and pa[0] == parn), None)
                if match:
                    attached.append({"PolicyArn": parn, "PolicyName": match[1], "document": match[2]})
                elif isinstance(parn, str):
                    attached.append({"PolicyArn": parn, "PolicyName": parn.rsplit("/", 1)[-1]})
        inline = []
        blocks = r.values.get("inline_policy")
        if isinstance(blocks, (list, tuple)):
            for i, block in enumerate(blocks):
                if not isinstance(block, dict) or not is_set(block.get("policy")):
                    continue
                doc = decode_policy(block.get("policy"))
                pname = block.get("name") if is_set(block.get("name")) else f"{r.address}.inline_policy[{i}]"
                inline.append({"PolicyName": pname, "document": doc})
                _add_policy(registry_for(r.provider), Resource(
                    "iamPolicy", {"PolicyName": pname, "document": doc, "roles": [name]},
                    r.origins.get("inline_policy", r.origin), {"document": r.origins.get("inline_policy", r.origin)},
                    f"{r.address}.inline_policy[{i}]"))
        for rp in role_policies:
            if _linked(rp, "role", r, name):
                inline.append({"PolicyName": rp.values.get("name", Unknown("generated policy name")),
                               "document": decode_policy(rp.values.get("policy", Unknown("no policy")))})
        lookup = Lookup(Status.FOUND, {"role": role, "attachedPolicies": attached, "inlinePolicies": inline},
                        r.origins.get("name", r.origin))
        reg = registry_for(r.provider)
        reg.roles[arn] = lookup
        reg.carries(DataKind.ROLES)
    for reg in registries.values():
        for item in [*reg.rules, *reg.templates]:
            ref = item.data.get("customRoleArn")
            if isinstance(ref, str) and ref not in reg.roles:
                for other in registries.values():
                    if ref in other.roles:
                        reg.roles[ref] = other.roles[ref]
                        reg.carries(DataKind.ROLES)
                        break

    for rp in role_policies:
        target = by_address.get(rp.refs.get("role", ""))
        role_name = role_names.get(target.address) if target else rp.values.get("role")
        data: dict[str, Any] = {"document": decode_policy(rp.values.get("policy", Unknown(f"{rp.address} has no policy")))}
        origins = {"document": rp.origins.get("policy", rp.origin)}
        if is_set(rp.values.get("name")):
            data["PolicyName"] = rp.values["name"]
            origins["PolicyName"] = rp.origins.get("name", rp.origin)
        if isinstance(role_name, str):
            data["roles"] = [role_name]
        _add_policy(registry_for(rp.provider), Resource("iamPolicy", data, rp.origin, origins, rp.address))

    for d in by_type.get("data." + POLICY_DOCUMENT, []):
        if d.address in consumed:
            continue
        document = decode_policy(d.values.get("json", Unknown(f"{d.address} is not known statically")))
        _add_policy(registry_for(d.provider), Resource("iamPolicy", {"PolicyName": d.address, "document": document},
                                                       d.origin, {"document": d.origin}, d.address))


def _add_policy(reg: Registry, resource: Resource) -> None:
    reg.iam_policies.append(resource)
    reg.carries(DataKind.IAM_POLICIES)


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


_KEY_RE = re.compile(r'\[(?:"(?:[^"\\]|\\.)*"|\d+)\]')


def strip_keys(address: str) -> str:
    """`module.a["x"].aws_b.c[0]` -> `module.a.aws_b.c`."""
    return _KEY_RE.sub("", address)
