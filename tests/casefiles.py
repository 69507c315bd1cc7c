"""Rule case files (tests/rules/<ID>.yaml): each case is one registry in snapshot shape."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ptclint import parsing
from ptclint.catalog import Catalog, resolve_params
from ptclint.engine import evaluate
from ptclint.loaders import LoadContext, snapshot
from ptclint.model import Unknown
from ptclint.loaders.merge import link_lookups

_MARK = "\u0000unknown:"


def _mark_unknowns(value: Any) -> Any:
    """`{"$unknown": reason}` in a case stands for a value an IaC input could not resolve."""
    if isinstance(value, dict):
        if set(value) == {"$unknown"}:
            return _MARK + str(value["$unknown"])
        return {k: _mark_unknowns(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mark_unknowns(v) for v in value]
    return value


def _restore_unknowns(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_MARK):
        return Unknown(value[len(_MARK):])
    if isinstance(value, dict):
        for k, v in value.items():
            value[k] = _restore_unknowns(v)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            value[i] = _restore_unknowns(v)
    return value

CASE_DIR = Path(__file__).parent / "rules"
NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)
_DEFAULTS = {"account": "111122223333", "region": "eu-west-1"}
_CASE_KEYS = {"name", "expect", "severity", "params"}


def load_case_file(path: Path) -> dict:
    return parsing.load(str(path)).data


def case_registry(case: dict, path: str = "case.json") -> Any:
    reg = {**_DEFAULTS, **{k: v for k, v in case.items() if k not in _CASE_KEYS}}
    # IaC units without --account/--region have symbolic ones; a snapshot cannot, so set them after loading
    symbolic = {k: reg[k] for k in ("account", "region") if "${" in str(reg[k])}
    reg.update({k: "" for k in symbolic})
    for key in ("pullThroughCacheRules", "repositoryCreationTemplates"):
        if isinstance(reg.get(key), list):
            reg[key] = {"status": "found", "items": reg[key]}
    policy = reg.get("registryPolicy")
    if isinstance(policy, dict) and "policy" in policy:
        reg["registryPolicy"] = {"status": policy.get("status", "found"), "policyText": json.dumps(policy["policy"])}
    doc = parsing.parse_json(path, json.dumps({"ptclintSnapshot": 1, "registries": [_mark_unknowns(reg)]}, indent=1))
    registries = snapshot.read(doc, LoadContext(display_path=path))
    for r in registries:
        for resource in [*r.rules, *r.templates, *r.iam_policies]:
            _restore_unknowns(resource.data)
        for lookup in [*r.secrets.values(), *r.roles.values()]:
            _restore_unknowns(lookup.data)
        link_lookups(r)
        r.account = symbolic.get("account", r.account)
        r.region = symbolic.get("region", r.region)
    return registries


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
