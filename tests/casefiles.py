"""Rule case files (tests/rules/<category>/<ID>.yaml, beside rules/<category>/<ID>.yaml): each case is one registry in snapshot shape, built
directly into model objects (`build_registry`).

`{"$unknown": reason}` in a case stands for a value an IaC input could not resolve; the builder turns
it into `model.Unknown(reason)` where it stands, in resources, lookups and policies alike.
`{"$unknown": reason, "$prefix": text}` is a partly known string (`model.PartlyKnown`): it starts
with `text`, the rest is unknown (a Terraform `name_prefix`, `"ecr-pullthroughcache/${var.env}"`).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ptclint import parsing
from ptclint.catalog import Catalog, resolve_params
from ptclint.engine import evaluate
from ptclint.loaders import normalise
from ptclint.loaders.merge import link_lookups
from ptclint.loaders.snapshot import registry_policy_lookup
from ptclint.model import DataKind, Lookup, Origin, PartlyKnown, Registry, Resource, Status, Unknown

CASE_DIR = Path(__file__).parent / "rules"


def case_path(rule_id: str) -> Path:
    """Where a rule's case file lives: the folder named like its category (PTC-UP-001 -> up/)."""
    return CASE_DIR / rule_id.split("-")[1].lower() / f"{rule_id}.yaml"


def case_files() -> list[Path]:
    return sorted(CASE_DIR.rglob("*.yaml"))
NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)
_DEFAULTS = {"account": "111122223333", "region": "eu-west-1"}
_CASE_KEYS = {"name", "expect", "severity", "params"}
_REGISTRY_KEYS = {"account", "region", "partition", "pullThroughCacheRules", "repositoryCreationTemplates",
                  "registryPolicy", "secrets", "roles", "errors", "iamPolicies", "upstreamPolicies", "planChanges"}


def load_case_file(path: Path) -> dict:
    return parsing.load(str(path)).data


def unknowns(value: Any) -> Any:
    """The case value with each `{"$unknown": reason}` as `model.Unknown(reason)`."""
    if isinstance(value, dict):
        if set(value) == {"$unknown"}:
            return Unknown(str(value["$unknown"]))
        if set(value) == {"$unknown", "$prefix"}:
            return PartlyKnown(str(value["$unknown"]), str(value["$prefix"]))
        return {k: unknowns(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unknowns(v) for v in value]
    return value


def _api(value: Any) -> Any:
    """API-shaped data as a loader gives it: timestamps normalised, unknowns in place."""
    return unknowns(normalise(value))


def _listing(reg: Registry, value: Any, kind: str, origin: Origin) -> tuple[Status, list[Resource]]:
    """A list of rules or templates (a plain list means found), as `(status, resources)`."""
    listing = {"status": "found", "items": value} if isinstance(value, list) else value
    items = [Resource(kind, _api(item), origin) for item in listing.get("items", [])]
    return Status(listing["status"]), items


def _policy(entry: dict, origin: Origin) -> Lookup:
    """A registry-policy lookup: `policy` given as a document (the case form) or `policyText`."""
    if "policy" not in entry:
        return registry_policy_lookup(entry, origin)
    data = {k: v for k, v in entry.items() if k not in ("status", "policy")}
    data.update(policyText=json.dumps(entry["policy"]), policy=unknowns(entry["policy"]))
    return Lookup(Status(entry.get("status", "found")), data, origin)


def _iam_policy(policy: dict, origin: Origin) -> Resource:
    data = dict(policy)
    if isinstance(data.get("document"), str):
        try:
            data["document"] = json.loads(data["document"])
        except ValueError:
            pass
    return Resource("iamPolicy", unknowns(data), origin)


def build_registry(case: dict, path: str = "case.json") -> Registry:
    """The registry a case describes (account and Region default to 111122223333 / eu-west-1; a
    symbolic one, as IaC units without --account / --region have, is kept)."""
    reg = {**_DEFAULTS, **{k: v for k, v in case.items() if k not in _CASE_KEYS}}
    unexpected = set(reg) - _REGISTRY_KEYS
    assert not unexpected, f"case keys that are not registry fields: {sorted(unexpected)}"
    origin = Origin(path)
    registry = Registry(account=reg["account"], region=reg["region"], partition=reg.get("partition", "aws"),
                        source="export", origin=origin)
    if "pullThroughCacheRules" in reg:
        status, registry.rules = _listing(registry, reg["pullThroughCacheRules"], "pullThroughCacheRule", origin)
        registry.carries(DataKind.RULES, status)
    if "repositoryCreationTemplates" in reg:
        status, registry.templates = _listing(registry, reg["repositoryCreationTemplates"],
                                              "repositoryCreationTemplate", origin)
        registry.carries(DataKind.TEMPLATES, status)
    if "registryPolicy" in reg:
        registry.registry_policy = _policy(reg["registryPolicy"], origin)
        registry.carries(DataKind.REGISTRY_POLICY, registry.registry_policy.status)
    for kind in ("secrets", "roles"):
        if kind in reg:
            registry.carries(DataKind(kind))
            getattr(registry, kind).update({
                arn: Lookup(Status(entry["status"]), _api({k: v for k, v in entry.items() if k != "status"}), origin)
                for arn, entry in reg[kind].items()})
    for host, entry in reg.get("upstreamPolicies", {}).items():
        registry.upstream_policies[host.strip().lower()] = _policy(entry, origin)
    if "iamPolicies" in reg:
        registry.carries(DataKind.IAM_POLICIES)
        registry.iam_policies = [_iam_policy(p, origin) for p in reg["iamPolicies"]]
    if "planChanges" in reg:
        registry.carries(DataKind.PLAN_CHANGES)
        registry.plan_changes = unknowns(reg["planChanges"])
    link_lookups(registry)
    return registry


def case_registry(case: dict, path: str = "case.json") -> list[Registry]:
    return [build_registry(case, path)]


def run_case(catalog: Catalog, rule_id: str, case: dict) -> tuple[list, list]:
    rule = catalog.get(rule_id)
    assert rule is not None, f"case file names unknown rule {rule_id}"
    overrides = [f"{rule_id}.{k}={','.join(v) if isinstance(v, list) else v}" for k, v in (case.get("params") or {}).items()]
    params = resolve_params([rule], overrides, catalog)
    others = [catalog.get(s) for s in _superseders(catalog, rule_id)]
    outcomes, skips = evaluate([rule, *others], case_registry(case), params, NOW)
    return [o for o in outcomes if o.rule_id == rule_id], [s for s in skips if s.rule_id == rule_id]


def _superseders(catalog: Catalog, rule_id: str) -> list[str]:
    """Rules that supersede this one run alongside it, as they would in a real scan."""
    return [r.id for r in catalog.rules if rule_id in r.supersedes]
