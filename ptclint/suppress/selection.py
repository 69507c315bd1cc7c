"""The rules a scan did not run, and why: turned off by `ignore` (flag or configuration), opt-in
and not selected by id, an organization policy rule whose setting is not configured, or outside
`--select`. The JSON report lists them, so turning a rule off
is never silent."""

from __future__ import annotations

from typing import Any


def not_run(catalog: Any, rules: list[Any], options: Any) -> list[tuple[str, str]]:
    from ptclint.catalog.select import _matches, _split
    from ptclint.policy import unset_policy

    running = {r.id for r in rules}
    sources = options.selector_sources() if hasattr(options, "selector_sources") else {}
    ignore = _split(getattr(options, "ignore", []) or [])
    select = _split(options.select) if getattr(options, "select", None) else None
    out = []
    for rule in catalog.rules:
        if rule.id in running:
            continue
        by = next((s for s in ignore if _matches(rule, s)), None)
        if by is not None:
            reason = f"ignored by {sources.get(('--ignore', by), '--ignore')} {by}"
        elif (setting := unset_policy(rule, getattr(options, "policy", {}) or {})) is not None:
            reason = f"organization policy: off until the policy sets {setting}"
        elif rule.opt_in:
            reason = "opt-in: runs only when selected by its id or name"
        elif select is not None:
            reason = f"not selected (select: {', '.join(select)})"
        else:
            reason = "not selected"
        out.append((rule.id, reason))
    return out
