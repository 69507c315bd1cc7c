"""Terraform resources -> ptclint registries: shared by the HCL and the plan loaders.

Both loaders reduce what they read to `TfObject`s (one per resource instance: its address,
Terraform attribute values, positions, provider and references) and call `build_registries`,
so the same configuration yields the same model, and the same findings, from either input.
Roles and IAM policies are mapped in `iam_mapping`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any, NoReturn

from ptclint.errors import InputError
from ptclint.loaders.terraform.iam_mapping import roles_and_policies
from ptclint.loaders.terraform.objects import (
    REGISTRY_POLICY,
    RULE,
    RULE_FIELDS,
    SECRET,
    SECRET_VERSION,
    TEMPLATE,
    TEMPLATE_FIELDS,
    TEMPLATE_STRING_FIELDS,
    MadeUp,
    ProviderInfo,
    TfObject,
    decode_policy,
    is_set,
    linked,
    made_secret_arn,
)
from ptclint.loaders.terraform.values import json_encode, kind_of
from ptclint.model import DataKind, Lookup, Origin, PartlyKnown, Registry, Resource, Status, Unknown


def _string(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    return value


def _argument(obj: TfObject, arg: str, value: Any) -> Any:
    """A string argument: Terraform converts numbers and bools to strings and rejects a list or an
    object ("string required"), and so does ptclint: an input error at the argument's line."""
    if isinstance(value, (dict, list, tuple)):
        _wrong_type(obj, arg, "a string", value)
    return _string(value)


def _wrong_type(obj: TfObject, arg: str, expected: str, value: Any) -> NoReturn:
    origin = obj.origins.get(arg, obj.origin)
    raise InputError(origin.file, f"{obj.address}: {arg}: expected {expected}, got {kind_of(value)}",
                     origin.line, origin.column)


def _json_string(value: Any) -> Any:
    """A JSON policy argument, canonical (sorted keys, compact) as the provider normalises it in plans,
    so that the HCL and the plan of one configuration give the same string. Not JSON: kept as is."""
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


# ---------------------------------------------------------------- building registries

def build_registries(objects: list[TfObject], plan_changes: list[tuple[ProviderInfo, dict]] | None = None,
                     plan: bool = False,
                     registry_origins: dict[tuple[str, str], Origin] | None = None,
                     disabled_templates: Sequence[ProviderInfo] = ()) -> list[Registry]:
    """Group objects by (account, region) and build the model. Returns [] for a unit with no PTC content.
    `disabled_templates`: providers of creation template blocks with no instances (count = 0); the
    registry of each manages templates, so "no template applies" is judged there."""
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
    for p in disabled_templates:
        if (p.account, p.region) in registries:
            registries[(p.account, p.region)].carries(DataKind.TEMPLATES)

    _secrets(by_type, by_address, registry_for, registries)
    roles_and_policies(by_type, by_address, registry_for, registries)
    return list(registries.values())


def _generated_name(address: str, name_prefix: Any) -> Unknown:
    """The name of a secret without `name`: generated at apply, from `name_prefix` when it has one
    (then partly known: it starts with the prefix)."""
    if not is_set(name_prefix):
        return Unknown(f"the name of {address} is not known statically")
    reason = f"the name of {address} is generated at apply from its name_prefix"
    start = name_prefix if isinstance(name_prefix, str) else getattr(name_prefix, "prefix", "")
    return PartlyKnown(reason, start) if start else Unknown(reason)


# KMS resources that are always customer managed keys (an alias names one too: aliases of AWS
# managed keys are reserved under alias/aws/ and cannot be created).
_CUSTOMER_KEY_RE = re.compile(r"(?:^|\.)(aws_kms_(?:key|replica_key|external_key|replica_external_key|alias))\.[^.]+$")


def _customer_managed_key(s: TfObject) -> str:
    """The KMS key a secret's kms_key_id names when it is certainly customer managed: a key (or
    alias) resource declared in the same unit, or a literal alias outside alias/aws/; else ""."""
    ref = s.refs.get("kms_key_id", "")
    if ref and not ref.startswith("data.") and _CUSTOMER_KEY_RE.search(ref):
        return ref
    value = s.values.get("kms_key_id")
    if isinstance(value, str):
        alias = value.split(":", 5)[-1] if value.startswith("arn:") else value
        if alias.startswith("alias/") and not alias.startswith("alias/aws/"):
            return alias
    return ""


def _secrets(by_type: dict, by_address: dict, registry_for: Any, registries: dict) -> None:
    versions = by_type.get(SECRET_VERSION, [])
    declared_all: dict[str, Lookup] = {}
    for s in by_type.get(SECRET, []):
        name = s.values.get("name")
        name_prefix = s.values.get("name_prefix")
        declared: dict[str, Any] = {}
        made: dict[str, Any] = {}
        if isinstance(s.values.get("arn"), str):  # a state: the real ARN
            arn: str = s.values["arn"]
        else:  # made up from the name, or ptclint's key for a generated one, which a referencing rule carries too
            arn = made_secret_arn(s.address, name, name_prefix, s.provider)
            made["arnFrom"] = arn.basis
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
        customer_key = _customer_managed_key(s)
        if customer_key:
            declared["customerManagedKey"] = customer_key
        value_info: dict[str, Any] = {}
        for v in versions:
            if not linked(v, "secret_id", s, arn) or v.declared_value is None:
                continue
            info = v.declared_value
            if "valueKeys" in info and "valueKeys" not in value_info:
                value_info["valueKeys"] = info["valueKeys"]
            if "valueIsJsonObject" in info and "valueIsJsonObject" not in value_info:
                value_info["valueIsJsonObject"] = info["valueIsJsonObject"]
            value_info["literalToken"] = value_info.get("literalToken", False) or info.get("literalToken", False)
        declared.update(value_info)
        secret: dict[str, Any] = {"ARN": arn, "Name": name if is_set(name) else _generated_name(s.address, name_prefix)}
        if is_set(s.values.get("kms_key_id")):
            secret["KmsKeyId"] = s.values["kms_key_id"]
        origin = s.origins.get("name") or s.origins.get("name_prefix") or s.origin
        data: dict[str, Any] = {"secret": secret, "declared": declared, **made}
        if customer_key:  # what KMS DescribeKey would say (KeyManager), as the live collector records it
            data["kmsKeyManager"] = "CUSTOMER"
        lookup = Lookup(Status.FOUND, data, origin)
        reg = registry_for(s.provider)
        reg.carries(DataKind.SECRETS)
        reg.secrets[arn] = lookup
        declared_all[arn] = lookup
    # A rule in another registry (another provider) that references a declared secret sees it too.
    for reg in registries.values():
        for rule in reg.rules:
            ref = rule.data.get("credentialArn")
            if isinstance(ref, str) and ref in declared_all and ref not in reg.secrets:
                reg.secrets[ref] = declared_all[ref]
                reg.carries(DataKind.SECRETS)
            elif isinstance(ref, MadeUp) and ref not in reg.secrets:
                reg.secrets[ref] = _looked_up(ref, rule.origin_of("credentialArn"))
                reg.carries(DataKind.SECRETS)


def _looked_up(arn: MadeUp, origin: Origin) -> Lookup:
    """A secret a `data.aws_secretsmanager_secret` finds by name: the ARN is ptclint's (`arnFrom`), the
    name is the user's. Found: Terraform fails the plan when the data source finds no such secret."""
    return Lookup(Status.FOUND, {"secret": {"ARN": str(arn), "Name": arn.name}, "arnFrom": arn.basis}, origin)
