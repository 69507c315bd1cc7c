"""ptclint's own snapshot: any number of registries with their lookups (what `ptclint export` writes)."""

from __future__ import annotations

import json
from typing import Any

from ptclint import schemas
from ptclint.errors import InputError
from ptclint.loaders import (
    LoadContext,
    by_account_and_region,
    claims_document,
    field_origins,
    finds_nothing,
    never_attaches,
    no_options,
    normalise,
    origin_at,
)
from ptclint.loaders.sources import Source, document
from ptclint.model import DataKind, Lookup, Registry, Resource, Status

name = "snapshot"
sniff = ("ptclintSnapshot", "ullThroughCache", "epositoryCreationTemplate")
yaml_tags = None
VERSION = 1


def detect(data: Any) -> bool:
    return isinstance(data, dict) and "ptclintSnapshot" in data


claims = claims_document(detect)
find = finds_nothing
options = no_options
merge_key = by_account_and_region
attaches = never_attaches


def validate(doc: Any, ctx: LoadContext) -> None:
    """Check the document against schemas/snapshot.schema.json; the first error names its place."""
    schemas.validate(doc, "snapshot", file=ctx.display_path or doc.path, explain=_explain)


_TYPE_NAMES = {"string": "a string", "number": "a number", "integer": "a whole number", "object": "an object",
               "array": "a list", "boolean": "true or false", "null": "null"}
_PATTERN_NAMES = {"account": "a 12-digit account id (or \"\")", "region": "a Region name such as eu-west-1 (or \"\")"}
_ECHO_LIMIT = 20  # longer strings are described, not repeated: a misplaced token or password must not leak


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list",
            dict: "an object"}.get(type(value), type(value).__name__)


def _shown(value: Any) -> str:
    if isinstance(value, str) and len(value) <= _ECHO_LIMIT:
        return repr(value)
    if isinstance(value, str):
        return f"a string of {len(value)} characters"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)
    return _kind(value)


def _explain(err: Any) -> str:
    """What the schema expected and what kind of value was found; never the value itself when it
    could hold a secret (jsonschema's own messages repeat the whole offending value)."""
    validator, expected, found = err.validator, err.validator_value, err.instance
    if validator == "const" and list(err.absolute_path) == ["ptclintSnapshot"]:
        return f"unsupported snapshot version {_shown(found)} (this ptclint reads version {VERSION})"
    if validator == "not":
        return "a snapshot must never hold secret values (SecretString / SecretBinary)"
    if validator == "type":
        kinds = [expected] if isinstance(expected, str) else list(expected)
        return f"expected {' or '.join(_TYPE_NAMES.get(k, k) for k in kinds)}, got {_kind(found)}"
    if validator == "enum":
        return f"expected one of {', '.join(map(repr, expected))}, got {_shown(found)}"
    if validator == "const":
        return f"expected {expected!r}, got {_shown(found)}"
    if validator == "pattern":
        field = err.absolute_path[-1] if err.absolute_path else ""
        return f"expected {_PATTERN_NAMES.get(str(field), f'a string matching {expected}')}, got {_shown(found)}"
    if validator in ("required", "additionalProperties"):
        return err.message  # names properties, not values
    return f"does not match the snapshot schema ({validator}: {expected!r})"


def load(source: Source, ctx: LoadContext) -> list[Registry]:
    return read(document(source), ctx)


def read(doc: Any, ctx: LoadContext) -> list[Registry]:
    """Registries of a parsed snapshot document (also what the rule case files are built from)."""
    validate(doc, ctx)
    registries = []
    for i, reg in enumerate(doc.data["registries"]):
        base: tuple[str | int, ...] = ("registries", i)
        registry = Registry(
            account=reg["account"],
            region=reg["region"],
            partition=reg.get("partition", "aws"),
            source="export",
            origin=origin_at(doc, ctx, base),
        )
        rules = reg.get("pullThroughCacheRules")
        if rules is not None:
            registry.carries(DataKind.RULES, Status(rules["status"]))
            for j, item in enumerate(rules.get("items", [])):
                path = (*base, "pullThroughCacheRules", "items", j)
                registry.rules.append(_resource("pullThroughCacheRule", doc, ctx, path, item))
        templates = reg.get("repositoryCreationTemplates")
        if templates is not None:
            registry.carries(DataKind.TEMPLATES, Status(templates["status"]))
            for j, item in enumerate(templates.get("items", [])):
                path = (*base, "repositoryCreationTemplates", "items", j)
                registry.templates.append(_resource("repositoryCreationTemplate", doc, ctx, path, item))
        if "registryPolicy" in reg:
            registry.registry_policy = registry_policy_lookup(reg["registryPolicy"],
                                                              origin_at(doc, ctx, (*base, "registryPolicy")))
            registry.carries(DataKind.REGISTRY_POLICY, registry.registry_policy.status)
        for kind in ("secrets", "roles"):
            if kind in reg:
                registry.carries(DataKind(kind))
                table = getattr(registry, kind)
                for arn, entry in reg[kind].items():
                    status = Status(entry["status"])
                    table[arn] = Lookup(status, normalise({k: v for k, v in entry.items() if k != "status"}),
                                        origin_at(doc, ctx, (*base, kind, arn)))
        for host, entry in reg.get("upstreamPolicies", {}).items():
            origin = origin_at(doc, ctx, (*base, "upstreamPolicies", host))
            registry.upstream_policies[host.strip().lower()] = registry_policy_lookup(entry, origin)
        for j, policy in enumerate(reg.get("iamPolicies", [])):
            path = (*base, "iamPolicies", j)
            registry.iam_policies.append(_resource("iamPolicy", doc, ctx, path, _decoded(policy)))
        if "iamPolicies" in reg:
            registry.carries(DataKind.IAM_POLICIES)
        if "planChanges" in reg:
            registry.plan_changes.extend(reg["planChanges"])
            registry.carries(DataKind.PLAN_CHANGES)
        for err in reg.get("errors", []):
            registry.errors.append(dict(err))
        registries.append(registry)
    return registries


def registry_policy_lookup(entry: dict, origin: Any) -> Lookup:
    data: dict[str, Any] = {k: v for k, v in entry.items() if k != "status"}
    if isinstance(data.get("policyText"), str):
        try:
            data["policy"] = json.loads(data["policyText"])
        except ValueError:
            pass  # IAM-policy rules treat an undecodable policy as no policy
        except RecursionError:
            raise InputError(origin.file, "policyText: the JSON policy nests too deeply", origin.line,
                             origin.column) from None
        problem = policy_shape_problem(data.get("policy"))
        if problem:  # judging a malformed policy would give confident findings about something else
            raise InputError(origin.file, f"policyText: {problem}", origin.line, origin.column)
    return Lookup(Status(entry["status"]), data, origin)


_STRINGS = "a string or a list of strings"


def policy_shape_problem(policy: Any) -> str | None:
    """What is wrong with the shape of a decoded IAM policy (names keys, never values), or None."""
    if not isinstance(policy, dict):
        return None  # not a JSON object: the IAM rules see no policy
    statements = policy.get("Statement")
    items = statements if isinstance(statements, list) else [statements] if statements is not None else []
    for i, st in enumerate(items):
        where = f"Statement[{i}]" if isinstance(statements, list) else "Statement"
        if not isinstance(st, dict):
            return f"{where}: expected an object"
        for key in ("Principal", "NotPrincipal"):
            if key in st and not _principal_ok(st[key]):
                return f"{where}.{key}: expected \"*\" or an object of {_STRINGS}"
        for key in ("Action", "NotAction", "Resource", "NotResource"):
            if key in st and not _strings_ok(st[key]):
                return f"{where}.{key}: expected {_STRINGS}"
        if "Effect" in st and not isinstance(st["Effect"], str):
            return f"{where}.Effect: expected a string"
    return None


def _strings_ok(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))


def _principal_ok(value: Any) -> bool:
    return value == "*" or (isinstance(value, dict) and all(_strings_ok(v) for v in value.values()))


def _decoded(policy: dict) -> dict:
    if isinstance(policy.get("document"), str):
        try:
            return {**policy, "document": json.loads(policy["document"])}
        except ValueError:
            pass
    return policy


def _resource(kind: str, doc: Any, ctx: LoadContext, path: tuple, item: dict) -> Resource:
    return Resource(kind, normalise(item), origin_at(doc, ctx, path), field_origins(doc, ctx, path, item))
