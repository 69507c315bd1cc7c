"""Write registries as a ptclint snapshot (schemas/snapshot.schema.json).

What `ptclint export` writes from a live account, and what the snapshot loader reads back:
load -> export -> load -> export gives the same document. Unknown (IaC) values cannot be
exported: they are written as null and dropped by the loader.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ptclint import __version__
from ptclint.model import DataKind, Lookup, Registry, Unknown

VERSION = 1


def _plain(value: Any) -> Any:
    if isinstance(value, Unknown):
        return None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if not isinstance(v, Unknown)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _lookup(lookup: Lookup, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"status": lookup.status.value, **{k: _plain(v) for k, v in lookup.data.items() if k not in drop}}


def registry_document(reg: Registry) -> dict[str, Any]:
    out: dict[str, Any] = {"account": reg.account, "region": reg.region, "partition": reg.partition}
    if reg.has(DataKind.RULES) or reg.rules:
        out["pullThroughCacheRules"] = {"status": "found", "items": [_plain(dict(r.data)) for r in reg.rules]}
    if reg.has(DataKind.TEMPLATES):
        out["repositoryCreationTemplates"] = {"status": "found", "items": [_plain(dict(t.data)) for t in reg.templates]}
    if reg.registry_policy is not None:
        out["registryPolicy"] = _lookup(reg.registry_policy, drop=("policy",))
    if reg.has(DataKind.SECRETS):
        out["secrets"] = {arn: _lookup(v) for arn, v in sorted(reg.secrets.items())}
    if reg.has(DataKind.ROLES):
        out["roles"] = {arn: _lookup(v) for arn, v in sorted(reg.roles.items())}
    if reg.upstream_policies:
        out["upstreamPolicies"] = {host: _lookup(v, drop=("policy",))
                                   for host, v in sorted(reg.upstream_policies.items())}
    if reg.has(DataKind.IAM_POLICIES):
        out["iamPolicies"] = [_plain(dict(p.data)) for p in reg.iam_policies]
    if reg.has(DataKind.PLAN_CHANGES):
        out["planChanges"] = _plain(list(reg.plan_changes))
    if reg.errors:
        out["errors"] = [dict(e) for e in reg.errors]
    return out


def snapshot_document(registries: Iterable[Registry], generated_at: str) -> dict[str, Any]:
    regs = sorted(registries, key=lambda r: (r.account, r.region))
    return {
        "ptclintSnapshot": VERSION,
        "generatedAt": generated_at,
        "generator": {"name": "ptclint", "version": __version__},
        "registries": [registry_document(r) for r in regs],
    }


def dumps(registries: Iterable[Registry], generated_at: str) -> str:
    return json.dumps(snapshot_document(registries, generated_at), indent=2, ensure_ascii=False) + "\n"
