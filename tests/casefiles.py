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
from ptclint.scan import link_lookups

CASE_DIR = Path(__file__).parent / "rules"
NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)
_DEFAULTS = {"account": "111122223333", "region": "eu-west-1"}
_CASE_KEYS = {"name", "expect", "severity", "params"}


def load_case_file(path: Path) -> dict:
    return parsing.load(str(path)).data


def case_registry(case: dict, path: str = "case.json") -> Any:
    reg = {**_DEFAULTS, **{k: v for k, v in case.items() if k not in _CASE_KEYS}}
    for key in ("pullThroughCacheRules", "repositoryCreationTemplates"):
        if isinstance(reg.get(key), list):
            reg[key] = {"status": "found", "items": reg[key]}
    policy = reg.get("registryPolicy")
    if isinstance(policy, dict) and "policy" in policy:
        reg["registryPolicy"] = {"status": policy.get("status", "found"), "policyText": json.dumps(policy["policy"])}
    doc = parsing.parse_json(path, json.dumps({"ptclintSnapshot": 1, "registries": [reg]}, indent=1))
    registries = snapshot.load(doc, LoadContext(display_path=path))
    for r in registries:
        link_lookups(r)
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
