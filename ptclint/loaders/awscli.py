"""Raw AWS CLI JSON (or `--output yaml`) output, one command per file.

Recognised: `ecr describe-pull-through-cache-rules`, `ecr describe-repository-creation-templates`,
`ecr get-registry-policy`, `secretsmanager describe-secret` / `list-secrets`, `iam get-role`.
The output carries no Region: it comes from `--region`. The account comes from `registryId` or
`--account`. Several such files scanned together form one registry (see scan.merge).
"""

from __future__ import annotations

import json
from typing import Any

from ptclint.errors import InputError
from ptclint.loaders import LoadContext, claims_document, field_origins, finds_nothing, no_options, normalise, origin_at
from ptclint.loaders.sources import Source, document
from ptclint.model import DataKind, Lookup, Registry, Resource, Status

name = "awscli"
sniff = ("ullThroughCache", "epositoryCreationTemplate", "SecretList", ":secretsmanager:", '"Role"', "policyText")
yaml_tags = None
find = finds_nothing
options = no_options

_RULE_FIELDS = {
    "ecrRepositoryPrefix": str,
    "upstreamRegistryUrl": str,
    "upstreamRegistry": str,
    "credentialArn": str,
    "customRoleArn": str,
    "upstreamRepositoryPrefix": str,
    "registryId": str,
    "createdAt": (int, float, str),
    "updatedAt": (int, float, str),
}
_TEMPLATE_FIELDS = {
    "prefix": str,
    "description": str,
    "appliedFor": list,
    "encryptionConfiguration": dict,
    "resourceTags": list,
    "imageTagMutability": str,
    "imageTagMutabilityExclusionFilters": list,
    "repositoryPolicy": str,
    "lifecyclePolicy": str,
    "customRoleArn": str,
    "createdAt": (int, float, str),
    "updatedAt": (int, float, str),
}
_TYPE_NAMES = {str: "a string", list: "a list", dict: "an object", bool: "true or false"}


def detect(data: Any) -> bool:
    return _shape(data) is not None


def _shape(data: Any) -> str | None:
    if not isinstance(data, dict):
        return None
    if "pullThroughCacheRules" in data:
        return "rules"
    if "repositoryCreationTemplates" in data:
        return "templates"
    if "policyText" in data and "registryId" in data:
        return "registryPolicy"
    if "SecretList" in data:
        return "secretList"
    if "ARN" in data and "Name" in data and ":secretsmanager:" in str(data.get("ARN")):
        return "secret"
    if isinstance(data.get("Role"), dict):
        return "role"
    return None


claims = claims_document(detect)


def merge_key(registry: Registry) -> tuple[str, str]:
    """AWS CLI outputs carry no Region: all of them in one scan form one registry per account."""
    return ("awscli", registry.account)


def attaches(registry: Registry) -> bool:
    """A secret or role exported on its own joins the registry of its account (or the only one)."""
    return not registry.rules and not registry.templates and registry.registry_policy is None


def load(source: Source, ctx: LoadContext) -> list[Registry]:
    doc: Any = document(source)
    shape = _shape(doc.data)
    registry = Registry(account=ctx.account, region=ctx.region, source="export")
    registry.origin = origin_at(doc, ctx, ())
    data = doc.data
    if shape == "rules":
        items = _list(doc, ctx, ("pullThroughCacheRules",))
        for i, item in enumerate(items):
            path: tuple[str | int, ...] = ("pullThroughCacheRules", i)
            _check_fields(doc, ctx, path, item, _RULE_FIELDS, required=("ecrRepositoryPrefix", "upstreamRegistryUrl"))
            registry.rules.append(Resource("pullThroughCacheRule", normalise(item), origin_at(doc, ctx, path),
                                           field_origins(doc, ctx, path, item)))
        _adopt_account(registry, [i.get("registryId") for i in items])
    elif shape == "templates":
        items = _list(doc, ctx, ("repositoryCreationTemplates",))
        for i, item in enumerate(items):
            path = ("repositoryCreationTemplates", i)
            _check_fields(doc, ctx, path, item, _TEMPLATE_FIELDS, required=("prefix", "appliedFor"))
            _check_template_parts(doc, ctx, path, item)
            registry.templates.append(Resource("repositoryCreationTemplate", normalise(item),
                                               origin_at(doc, ctx, path), field_origins(doc, ctx, path, item)))
        registry.carries(DataKind.TEMPLATES)
        _adopt_account(registry, [data.get("registryId")])
    elif shape == "registryPolicy":
        _check_fields(doc, ctx, (), data, {"registryId": str, "policyText": str}, required=("policyText",))
        from ptclint.loaders.snapshot import registry_policy_lookup

        registry.registry_policy = registry_policy_lookup({"status": "found", "policyText": data["policyText"]},
                                                          origin_at(doc, ctx, ("policyText",)))
        registry.carries(DataKind.REGISTRY_POLICY)
        _adopt_account(registry, [data.get("registryId")])
    elif shape in ("secret", "secretList"):
        entries = [((), data)] if shape == "secret" else [
            (("SecretList", i), s) for i, s in enumerate(_list(doc, ctx, ("SecretList",)))
        ]
        for path, secret in entries:
            _refuse_values(doc, ctx, path, secret)
            _check_fields(doc, ctx, path, secret, {"ARN": str, "Name": str, "KmsKeyId": str}, required=("ARN", "Name"))
            registry.secrets[secret["ARN"]] = Lookup(Status.FOUND, {"secret": normalise(secret)},
                                                     origin_at(doc, ctx, path))
        registry.carries(DataKind.SECRETS)
    elif shape == "role":
        role = data["Role"]
        _check_fields(doc, ctx, ("Role",), role, {"Arn": str, "RoleName": str}, required=("Arn", "RoleName"))
        role = dict(role)
        trust = role.get("AssumeRolePolicyDocument")
        if isinstance(trust, str):  # the wire form is URL-encoded JSON; the CLI decodes it, exports may not
            from urllib.parse import unquote

            try:
                role["AssumeRolePolicyDocument"] = json.loads(unquote(trust))
            except ValueError:
                pass
        registry.roles[role["Arn"]] = Lookup(Status.FOUND, {"role": normalise(role)}, origin_at(doc, ctx, ("Role",)))
        registry.carries(DataKind.ROLES)
    else:  # detect() said yes, so this cannot happen
        raise InputError(doc.path, "not a recognised AWS CLI output")
    return [registry]


def _adopt_account(registry: Registry, ids: list[Any]) -> None:
    known = sorted({i for i in ids if isinstance(i, str) and i})
    if known and not registry.account:
        registry.account = known[0]


def _list(doc: Any, ctx: LoadContext, path: tuple) -> list:
    value = doc.data
    for p in path:
        value = value[p]
    if not isinstance(value, list):
        _fail(doc, ctx, path, f"expected a list, got {_kind(value)}")
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            _fail(doc, ctx, (*path, i), f"expected an object, got {_kind(item)}")
    return value


def _check_fields(doc: Any, ctx: LoadContext, path: tuple, item: dict, types: dict, required: tuple) -> None:
    for key in required:
        if key not in item:
            _fail(doc, ctx, path, f"missing required field {key!r}")
    for key, expected in types.items():
        if (key in item and not isinstance(item[key], expected)) or (key in item and isinstance(item[key], bool)):
            want = (_TYPE_NAMES.get(expected, "a number or a string") if not isinstance(expected, tuple)
                    else "a timestamp")
            _fail(doc, ctx, (*path, key), f"{key}: expected {want}, got {_kind(item[key])}")


def _check_template_parts(doc: Any, ctx: LoadContext, path: tuple, item: dict) -> None:
    """The types inside a template's lists and objects (rules compare them as strings)."""
    for i, value in enumerate(item["appliedFor"]):
        if not isinstance(value, str):
            _fail(doc, ctx, (*path, "appliedFor", i),
                  f"appliedFor: expected a list of strings, got {_kind(value)} in it")
    if "encryptionConfiguration" in item:
        _check_fields(doc, ctx, (*path, "encryptionConfiguration"), item["encryptionConfiguration"],
                      {"encryptionType": str, "kmsKey": str}, required=("encryptionType",))
    for key, fields, required in (("resourceTags", {"Key": str, "Value": str}, ("Key",)),
                                  ("imageTagMutabilityExclusionFilters", {"filterType": str, "filter": str}, ())):
        for i, entry in enumerate(item.get(key, [])):
            if not isinstance(entry, dict):
                _fail(doc, ctx, (*path, key, i), f"{key}: expected a list of objects, got {_kind(entry)} in it")
            _check_fields(doc, ctx, (*path, key, i), entry, fields, required=required)


def _refuse_values(doc: Any, ctx: LoadContext, path: tuple, secret: dict) -> None:
    for key in ("SecretString", "SecretBinary"):
        if key in secret:
            _fail(doc, ctx, (*path, key), "this is `get-secret-value` output; ptclint never reads secret values "
                                          "(use `describe-secret` or `list-secrets`)")


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list",
            dict: "an object"}.get(type(value), type(value).__name__)


def _fail(doc: Any, ctx: LoadContext, path: tuple, message: str) -> None:
    pos = doc.position(path)
    pointer = "/" + "/".join(map(str, path))
    raise InputError(ctx.display_path or doc.path, f"at {pointer}: {message}", pos.line, pos.column)
