"""Choosing the rules a scan runs (--select, --extend-select, --ignore) and their --param values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ptclint.errors import ConfigError
from ptclint.rule import Catalog, Param, Rule


def _ids(spec: str) -> list[str]:
    """`UP-001..005 UP-007` -> PTC-UP-001 ... PTC-UP-005, PTC-UP-007."""
    out = []
    for item in spec.split():
        head, _, last = item.partition("..")
        category, _, first = head.rpartition("-")
        out += [f"PTC-{category}-{n:03d}" for n in range(int(first), int(last or first) + 1)]
    return out


# The packs of shared/reference/rules.md: what data a rule needs to be judged (selectable by name).
PACKS: dict[str, frozenset[str]] = {
    "core": frozenset(_ids("UP-001..005 UP-007 AUTH-001..005 AUTH-010..011 IAM-001..003 NAME-001..009 "
                           "RCT-001..005 RCT-007..013")),
    "iac-correlation": frozenset(_ids("AUTH-014..018 IAM-009..010 IAM-013 IAM-015 RCT-016..017 NAME-012")),
    "live-secrets": frozenset(_ids("AUTH-006..009 AUTH-012..013")),
    "live-iam": frozenset(_ids("IAM-004..008 IAM-011..012 RCT-006")),
    "policy": frozenset(_ids("POL-001..006")),  # organization policy: off until [tool.ptclint.policy] sets them
}


def pack_of(rule: Rule) -> str:
    """The pack a rule ships in ("" for a rule from --rules)."""
    return next((name for name, ids in PACKS.items() if rule.id in ids), "")


def _matches(rule: Rule, selector: str) -> bool:
    """Id, whole-segment prefix (PTC, PTC-AUTH; never PTC-AUTH-01 for AUTH-010), name, tag, pack or ALL."""
    s = selector.strip()
    up = s.upper()
    return (
        rule.id == up
        or rule.id.startswith(up + "-")
        or rule.name == s.lower()
        or s.lower() in rule.tags
        or rule.id in PACKS.get(s.lower(), ())
        or up == "ALL"
    )


def _split(selectors: Iterable[str]) -> list[str]:
    """`--select A,B` is `--select A --select B`."""
    return [part.strip() for s in selectors for part in s.split(",") if part.strip()]


def _unknown(flag: str, selector: str, catalog: Catalog) -> ConfigError:
    """The error for a selector that matches nothing, with the nearest id, name, category or tag."""
    import difflib

    key = selector.strip().lower()
    words = sorted({w for r in catalog.rules for w in (r.id, r.name, r.category, *r.tags)} | set(PACKS))
    best = max(words, key=lambda w: difflib.SequenceMatcher(None, key, w.lower()).ratio())
    hint = ""
    if difflib.SequenceMatcher(None, key, best.lower()).ratio() >= 0.6:
        hint = f"; did you mean {best}?"
    if any(r.id.startswith(selector.strip().upper()) for r in catalog.rules):
        hint += " (a prefix selects whole segments, such as PTC-AUTH, not part of a number)"
    return ConfigError(f"{flag} {selector}: matches no rule id, category, name, tag or pack{hint} "
                       "(see `ptclint rules`)")


def select_rules(
    catalog: Catalog,
    select: list[str] | None = None,
    extend_select: list[str] = (),  # type: ignore[assignment]
    ignore: list[str] = (),  # type: ignore[assignment]
    sources: Mapping[tuple[str, str], str] | None = None,
    policy: Mapping[str, Any] | None = None,
) -> list[Rule]:
    """Apply --select / --extend-select / --ignore. Opt-in rules need their exact id or name; policy
    rules run only when the organization `policy` sets what they read (named by exact id without
    it, they are an error). `sources` names where a (flag, selector) came from when not the
    command line (a config key)."""
    select = _split(select) if select else None
    extend_select, ignore = _split(extend_select), _split(ignore)
    for flag, selectors in (("--select", select or []), ("--extend-select", extend_select), ("--ignore", ignore)):
        for s in selectors:
            if not any(_matches(r, s) for r in catalog.rules):
                raise _unknown((sources or {}).get((flag, s), flag), s, catalog)
    chosen_exact = {s.strip().upper() for s in [*(select or []), *extend_select]}

    from ptclint.policy import unset_policy

    def eligible(rule: Rule, selectors: Iterable[str]) -> bool:
        unset = unset_policy(rule, policy or {})
        if unset:
            if rule.id in chosen_exact or rule.name.upper() in chosen_exact:
                raise ConfigError(f"{rule.id} is an organization policy rule: set {unset} in [tool.ptclint.policy] "
                                  "to run it")
            return False
        if rule.opt_in:
            return rule.id in chosen_exact or rule.name.upper() in chosen_exact
        return any(_matches(rule, s) for s in selectors)

    base = select if select else ["ALL"]
    chosen = [r for r in catalog.rules if eligible(r, base) or eligible(r, extend_select)]
    kept = [r for r in chosen if not any(_matches(r, s) for s in ignore)]
    if not kept:
        raise ConfigError("the selection runs no rules: --select chose only opt-in rules by a group (name them "
                          "by id or name), or only organization policy rules whose [tool.ptclint.policy] settings "
                          "are not set, or --ignore removed every selected rule")
    return kept



def rules_not_run(
    catalog: Catalog,
    running: list[Rule],
    select: list[str] | None,
    ignore: list[str],
    sources: Mapping[tuple[str, str], str],
    policy: Mapping[str, Any],
) -> list[tuple[str, str]]:
    """(rule id, why) for each catalog rule `select_rules` left out: turned off by `ignore` (flag or
    configuration), an organization policy rule whose setting is not configured, opt-in and not
    selected by id, or outside `--select`. The JSON report lists them: turning a rule off is never silent."""
    from ptclint.policy import unset_policy

    ran = {r.id for r in running}
    ignore = _split(ignore)
    select = _split(select) if select else None
    out = []
    for rule in catalog.rules:
        if rule.id in ran:
            continue
        by = next((s for s in ignore if _matches(rule, s)), None)
        if by is not None:
            reason = f"ignored by {sources.get(('--ignore', by), '--ignore')} {by}"
        elif (setting := unset_policy(rule, policy)) is not None:
            reason = f"organization policy: off until the policy sets {setting}"
        elif rule.opt_in:
            reason = "opt-in: runs only when selected by its id or name"
        elif select is not None:
            reason = f"not selected (select: {', '.join(select)})"
        else:
            reason = "not selected"
        out.append((rule.id, reason))
    return out


def resolve_params(rules: list[Rule], overrides: list[str], catalog: Catalog) -> dict[str, dict[str, Any]]:
    """Merge `--param RULE.NAME=VALUE` into each rule's defaults, converting to the param's type."""
    params = {r.id: r.param_defaults() for r in catalog.rules}
    for item in overrides:
        key, sep, raw = item.partition("=")
        rule_id, dot, pname = key.strip().rpartition(".")
        if not sep or not dot:
            raise ConfigError(f"--param {item}: expected RULE.NAME=VALUE")
        rule = catalog.get(rule_id)
        if rule is None:
            raise ConfigError(f"--param {item}: unknown rule {rule_id}")
        spec = {p.name: p for p in rule.params}.get(pname)
        if spec is None:
            known = ", ".join(sorted(p.name for p in rule.params)) or "none"
            raise ConfigError(f"--param {item}: {rule.id} has no param {pname!r} (params: {known})")
        params[rule.id][pname] = _convert(item, spec, raw.strip())
    return params


def _convert(item: str, spec: Param, raw: str) -> Any:
    try:
        if spec.type == "number":
            return float(raw)
        if spec.type == "integer":
            return int(raw)
        if spec.type == "boolean":
            if raw.lower() not in ("true", "false"):
                raise ValueError(raw)
            return raw.lower() == "true"
        if spec.type == "list":
            return [v.strip() for v in raw.split(",") if v.strip()]
        return raw
    except ValueError:
        raise ConfigError(f"--param {item}: {spec.name} must be a {spec.type}") from None
