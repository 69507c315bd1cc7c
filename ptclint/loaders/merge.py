"""Merging: registries that loaders produced from different inputs but that describe the same
registry are joined, as each loader's `merge_key` says; then secrets and roles are keyed by the
ARN exactly as the rules reference them."""

from __future__ import annotations

from collections.abc import Hashable

from ptclint.loaders import Loader
from ptclint.model import Registry


def merge(loaded: list[tuple[Loader, Registry, Hashable | None]]) -> list[Registry]:
    """Join inputs that describe the same registry, in the order they were loaded.

    A registry's key is its loader's `merge_key`; an infrastructure-as-code unit, which stands
    alone, joins others only when the configuration maps their paths to one registry (`configured`).
    A registry that only holds lookups and `attaches` (an AWS CLI export of a secret or a role)
    joins the registry of its account from the same loader, or the only one that loader made.
    """
    merged: dict[Hashable, Registry] = {}
    owner: dict[Hashable, str] = {}
    attaching: list[tuple[Loader, Registry]] = []
    for index, (loader, registry, configured) in enumerate(loaded):
        if loader.attaches(registry):
            attaching.append((loader, registry))
            continue
        key = loader.merge_key(registry)
        if key is None:
            key = ("unit", index) if configured is None else configured
        if key in merged:
            merged[key].join(registry)
        else:
            merged[key] = registry
            owner[key] = loader.name
    for loader, registry in attaching:
        same_loader = [r for k, r in merged.items() if owner.get(k) == loader.name]
        target = next((r for r in same_loader if registry.account and r.account == registry.account), None)
        target = target or (same_loader[0] if len(same_loader) == 1 else None)
        if target is None:
            key = loader.merge_key(registry)
            if key in merged:  # its account's registry came from another loader: join it
                merged[key].join(registry)
                continue
            merged[key] = registry
            owner[key] = loader.name
        else:
            target.join(registry)
    registries = list(merged.values())
    for registry in registries:
        link_lookups(registry)
    return registries


def link_lookups(registry: Registry) -> None:
    """Key secrets by the ARN exactly as the rules reference them.

    A partial secret ARN (no `-XXXXXX` suffix, as CDK and hand-written ARNs have) matches the
    secret whose full ARN extends it or whose name it ends with.
    """
    if not registry.secrets:
        return
    for rule in registry.rules:
        ref = rule.data.get("credentialArn")
        if not isinstance(ref, str) or ref in registry.secrets:
            continue
        for lookup in list(registry.secrets.values()):
            secret = lookup.data.get("secret", {})
            full, name = str(secret.get("ARN", "")), str(secret.get("Name", ""))
            if (full.startswith(ref + "-") and len(full) == len(ref) + 7) or (name and ref.endswith(":secret:" + name)):
                registry.secrets[ref] = lookup
                break
