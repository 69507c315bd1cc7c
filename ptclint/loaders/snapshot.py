"""ptclint's own snapshot: any number of registries with their lookups (what `ptclint export` writes)."""

from __future__ import annotations

import json
from typing import Any

from ptclint.errors import InputError
from ptclint.loaders import LoadContext, field_origins, normalise, origin_at
from ptclint.model import Lookup, Registry, Resource, Status

name = "snapshot"
VERSION = 1


def detect(data: Any) -> bool:
    return isinstance(data, dict) and "ptclintSnapshot" in data


def validate(doc: Any, ctx: LoadContext) -> None:
    """Check the document against schemas/snapshot.schema.json; the first error names its place."""
    import jsonschema

    from ptclint.catalog import package_dir

    schema = json.loads((package_dir("schemas") / "snapshot.schema.json").read_text(encoding="utf-8"))
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(doc.data))
    if not errors:
        return
    err = min(errors, key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    path = tuple(err.absolute_path)
    pos = doc.position(path)
    pointer = "/" + "/".join(map(str, path))
    raise InputError(ctx.display_path or doc.path, f"at {pointer}: {_explain(err)}", pos.line, pos.column)


def _explain(err: Any) -> str:
    if err.validator == "const" and list(err.absolute_path) == ["ptclintSnapshot"]:
        return f"unsupported snapshot version {err.instance!r} (this ptclint reads version {VERSION})"
    if err.validator == "not":
        return "a snapshot must never hold secret values (SecretString / SecretBinary)"
    return err.message


def load(doc: Any, ctx: LoadContext) -> list[Registry]:
    validate(doc, ctx)
    registries = []
    for i, reg in enumerate(doc.data["registries"]):
        base = ("registries", i)
        registry = Registry(
            account=reg["account"],
            region=reg["region"],
            partition=reg.get("partition", "aws"),
            source="export",
            origin=origin_at(doc, ctx, base),
        )
        rules = reg.get("pullThroughCacheRules")
        if rules is not None:
            registry.rules_known = rules["status"] == "found"
            for j, item in enumerate(rules.get("items", [])):
                path = (*base, "pullThroughCacheRules", "items", j)
                registry.rules.append(_resource("pullThroughCacheRule", doc, ctx, path, item))
            _gap(registry, "pullThroughCacheRules", rules["status"])
        templates = reg.get("repositoryCreationTemplates")
        if templates is not None:
            registry.templates_known = templates["status"] == "found"
            for j, item in enumerate(templates.get("items", [])):
                path = (*base, "repositoryCreationTemplates", "items", j)
                registry.templates.append(_resource("repositoryCreationTemplate", doc, ctx, path, item))
            _gap(registry, "repositoryCreationTemplates", templates["status"])
        if "registryPolicy" in reg:
            registry.registry_policy = registry_policy_lookup(reg["registryPolicy"], origin_at(doc, ctx, (*base, "registryPolicy")))
            registry.data_kinds.add("registryPolicy")
            _gap(registry, "registryPolicy", reg["registryPolicy"]["status"])
        for kind in ("secrets", "roles"):
            if kind in reg:
                registry.data_kinds.add(kind)
                table = getattr(registry, kind)
                for arn, entry in reg[kind].items():
                    status = Status(entry["status"])
                    table[arn] = Lookup(status, normalise({k: v for k, v in entry.items() if k != "status"}),
                                        origin_at(doc, ctx, (*base, kind, arn)))
                    _gap(registry, f"{kind[:-1]} {arn}", entry["status"])
        for host, entry in reg.get("upstreamPolicies", {}).items():
            origin = origin_at(doc, ctx, (*base, "upstreamPolicies", host))
            registry.upstream_policies[host.strip().lower()] = registry_policy_lookup(entry, origin)
            _gap(registry, f"upstream registry policy {host}", entry["status"])
        for j, policy in enumerate(reg.get("iamPolicies", [])):
            path = (*base, "iamPolicies", j)
            registry.iam_policies.append(_resource("iamPolicy", doc, ctx, path, _decoded(policy)))
        if "iamPolicies" in reg:
            registry.data_kinds.add("iamPolicies")
        if "planChanges" in reg:
            registry.plan_changes.extend(reg["planChanges"])
            registry.data_kinds.add("planChanges")
        for err in reg.get("errors", []):
            registry.errors.append(dict(err))
            registry.gaps.append(f"{err['operation']}: {err.get('code', 'error')}: {err['message']}")
        registries.append(registry)
    return registries


def registry_policy_lookup(entry: dict, origin: Any) -> Lookup:
    data: dict[str, Any] = {k: v for k, v in entry.items() if k != "status"}
    if isinstance(data.get("policyText"), str):
        try:
            data["policy"] = json.loads(data["policyText"])
        except ValueError:
            pass  # IAM-policy rules treat an undecodable policy as no policy
    return Lookup(Status(entry["status"]), data, origin)


def _decoded(policy: dict) -> dict:
    if isinstance(policy.get("document"), str):
        try:
            return {**policy, "document": json.loads(policy["document"])}
        except ValueError:
            pass
    return policy


def _resource(kind: str, doc: Any, ctx: LoadContext, path: tuple, item: dict) -> Resource:
    return Resource(kind, normalise(item), origin_at(doc, ctx, path), field_origins(doc, ctx, path, item))


def _gap(registry: Registry, what: str, status: str) -> None:
    if status == Status.ACCESS_DENIED.value:
        registry.gaps.append(f"{what}: access denied")
