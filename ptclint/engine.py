"""Evaluate rules against registries. Pure: no I/O, no clock (the scan time is an argument)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import partial
from typing import Any

from ptclint import budgets as _budgets
from ptclint import pool as _pool
from ptclint.cel import compiled, cost, runtime
from ptclint.cel.functions import FUNCTIONS
from ptclint.model import MISSING, DataKind, Lookup, Origin, Registry, Resource, Severity
from ptclint.policy import cel_policy, unset_policy
from ptclint.report import Identity, Outcome, OutcomeKind, Skip, causes_overlap
from ptclint.rule import Rule
from ptclint.rulelib.tri import text

# The CEL layer (celpy, about 0.15 s to import) is imported with the engine, which only a scan imports
# (`scan.py`): `ptclint --version`, `rules` and `explain` never pay for it. Imported here once rather
# than in each function: an organization scan judges tens of thousands of (rule, resource) pairs.


def missing_need(rule: Rule, registry: Registry, policy: Mapping[str, Any] | None = None) -> str | None:
    """Why the rule cannot be judged on this registry (a kind of data it needs is absent, or the
    organization policy setting it reads is not set), or None."""
    unset = unset_policy(rule, policy or {})
    if unset:
        return f"the organization policy does not set {unset} ([tool.ptclint.policy])"
    for need in rule.needs:
        kind = DataKind(need)
        if not registry.has(kind):
            return MISSING[kind]
    return None


def evaluate(
    rules: Iterable[Rule],
    registries: Iterable[Registry],
    params: Mapping[str, Mapping[str, Any]],
    now: datetime,
    policy: Mapping[str, Any] | None = None,
    cel_steps: int | None = None,
) -> tuple[list[Outcome], list[Skip]]:
    """Every rule on every registry. `policy` is the organization policy ([tool.ptclint.policy], as
    `policy.read_policy` gives it); `cel_steps` is the CEL cost budget of one rule on one resource
    (default: the scan's budgets, `budgets.current_budgets()`)."""
    rules = list(rules)
    registries = list(registries)
    policy = dict(policy or {})
    judge = partial(judge_registries, cel_steps=cel_steps or _budgets.current_budgets().cel_steps)
    if _pool.worth_it(rules, registries):
        outcomes, skips = _pool.evaluate_in_parallel(judge, rules, registries, params, now, policy)
    else:
        outcomes, skips = judge(rules, registries, params, now, policy)
    return _apply_supersedes(outcomes, rules), skips


def judge_registries(
    rules: list[Rule],
    registries: list[Registry],
    params: Mapping[str, Mapping[str, Any]],
    now: datetime,
    policy: Mapping[str, Any] | None = None,
    cel_steps: int = _budgets.DEFAULT.cel_steps,
) -> tuple[list[Outcome], list[Skip]]:
    """Every rule on every registry, in order, before `supersedes` is applied."""
    outcomes: list[Outcome] = []
    skips: list[Skip] = []
    now_cel = runtime.to_cel(now.isoformat())
    policy_cel = runtime.to_cel(cel_policy(policy or {}))
    for registry in registries:
        scope = _Scope(registry)
        for rule in rules:
            reason = missing_need(rule, registry, policy)
            if reason:
                if scope.resources(rule.resource):
                    skips.append(Skip(rule.id, registry.label(), reason))
                continue
            rule_params = runtime.to_cel(dict(params.get(rule.id, rule.param_defaults())))
            over_budget: Outcome | None = None  # the first resource this rule went over its CEL budget on
            for index, resource in enumerate(scope.resources(rule.resource)):
                if over_budget is not None:  # its other resources here would too: reported, not judged
                    outcomes.append(_not_judged(rule, registry, resource, over_budget))
                    continue
                names = {
                    "resource": scope.cel_data(resource),
                    "index": runtime.to_cel(index if rule.resource != "registry" else -1),
                    "registry": scope.registry_cel,
                    "secrets": scope.secrets_cel,
                    "roles": scope.roles_cel,
                    "params": rule_params,
                    "policy": policy_cel,
                    "now": now_cel,
                }
                outcome = _judge(rule, registry, resource, _Bindings(rule, names), cel_steps)
                if outcome.kind is OutcomeKind.ERROR and outcome.detail.startswith(_OVER_BUDGET):
                    over_budget = outcome
                outcomes.append(outcome)
    return outcomes, skips


_OVER_BUDGET = "CEL evaluation goes over the cel_steps budget"  # cost.CostExceeded's text


def _not_judged(rule: Rule, registry: Registry, resource: Resource, over_budget: Outcome) -> Outcome:
    """The error outcome of a resource not judged because the rule went over its CEL budget on another
    resource of the same registry (so a costly rule costs one budget per registry, not per resource)."""
    where = over_budget.identity.key or over_budget.identity.name
    return Outcome(rule.id, OutcomeKind.ERROR, identity_of(registry, resource), resource.origin_of(rule.at),
                   detail=f"not evaluated: the rule went over its cel_steps budget on {where} in this registry")


class _Scope:
    """A registry's data converted to CEL values once, shared by every rule."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._resource_cache: dict[int, Any] = {}
        self.registry_resource = Resource(
            kind="registry",
            data={"account": registry.account, "region": registry.region},
            origin=registry.origin or (registry.rules[0].origin if registry.rules else Origin("-")),
        )
        policy = registry.registry_policy
        self.registry_cel = runtime.to_cel(
            {
                "account": registry.account,
                "region": registry.region,
                "partition": registry.partition,
                "pullThroughCacheRules": [dict(r.data) for r in registry.rules],
                "repositoryCreationTemplates": [dict(t.data) for t in registry.templates],
                "iamPolicies": [dict(p.data) for p in registry.iam_policies],
                "planChanges": list(registry.plan_changes),
                "hasTemplates": registry.has(DataKind.TEMPLATES),
                "registryPolicy": _lookup_map(policy) if policy else {"status": "notCollected"},
                "upstreamPolicies": {h: _lookup_map(u) for h, u in registry.upstream_policies.items()},
                "source": registry.source,
            }
        )
        self.secrets_cel = runtime.to_cel({k: _lookup_map(v) for k, v in registry.secrets.items()})
        self.roles_cel = runtime.to_cel({k: _lookup_map(v) for k, v in registry.roles.items()})

    def resources(self, kind: str) -> list[Resource]:
        if kind == "pullThroughCacheRule":
            return self.registry.rules
        if kind == "repositoryCreationTemplate":
            return self.registry.templates
        if kind == "iamPolicy":
            return self.registry.iam_policies
        return [self.registry_resource] if (self.registry.rules or self.registry.templates) else []

    def cel_data(self, resource: Resource) -> Any:
        if resource.kind == "registry":
            return self.registry_cel
        key = id(resource)
        if key not in self._resource_cache:
            self._resource_cache[key] = runtime.to_cel(dict(resource.data))
        return self._resource_cache[key]


def _lookup_map(lookup: Lookup) -> dict[str, Any]:
    return {"status": lookup.status.value, **lookup.data}


def identity_of(registry: Registry, resource: Resource) -> Identity:
    key = ""
    if resource.kind == "pullThroughCacheRule":
        key = str(resource.data.get("ecrRepositoryPrefix", ""))
    elif resource.kind == "repositoryCreationTemplate":
        key = str(resource.data.get("prefix", ""))
    elif resource.kind == "iamPolicy":
        key = str(resource.data.get("PolicyName", ""))
    return Identity(registry.account, registry.region, resource.kind, key, resource.name)


def _judge(rule: Rule, registry: Registry, resource: Resource, bindings: _Bindings, cel_steps: int) -> Outcome:
    """The rule's outcome on one resource, its CEL work bounded by `cel_steps` (`cel.cost`)."""
    try:
        with cost.limited(cel_steps):
            return _judge_within_budget(rule, registry, resource, bindings)
    except cost.CostExceeded as exc:  # no CEL operator absorbs it: the rule stops here, the others go on
        return Outcome(rule.id, OutcomeKind.ERROR, identity_of(registry, resource), resource.origin_of(rule.at),
                       detail=str(exc))


def _judge_within_budget(rule: Rule, registry: Registry, resource: Resource, bindings: _Bindings) -> Outcome:
    identity = identity_of(registry, resource)
    origin = resource.origin_of(rule.at)

    def outcome(kind: OutcomeKind, **kw: Any) -> Outcome:
        return Outcome(rule.id, kind, identity, origin, **kw)

    try:
        if rule.when_ast is not None and not _truth(bindings.evaluate(rule.when_ast), "when"):
            return outcome(OutcomeKind.NOT_APPLICABLE)
        if _truth(bindings.evaluate(rule.assert_ast), "assert"):
            return outcome(OutcomeKind.PASS)
        severity = rule.severity
        for ast, (_, sev) in zip(rule.severity_when_asts, rule.severity_when):
            try:  # an override that cannot be judged leaves the default severity
                if _truth(bindings.evaluate(ast), "severity_when"):
                    severity = sev
                    break
            except runtime.UnknownResult:
                continue
        message = _render(rule, bindings)
        related = _related(rule, registry, bindings)
        cause = _cause(rule, bindings)
    except runtime.UnknownResult as exc:
        return outcome(OutcomeKind.UNKNOWN, detail=exc.reason)
    except (runtime.EvaluationFailed, TypeError) as exc:
        return outcome(OutcomeKind.ERROR, detail=str(exc))
    return outcome(OutcomeKind.FINDING, severity=severity, message=message, related=related, cause=cause)


def _cause(rule: Rule, bindings: _Bindings) -> str:
    """The first `cause_when` entry that holds gives the finding's cause; one that cannot be judged
    is passed over, like a `severity_when` entry."""
    from ptclint.cel import runtime

    for ast, (_, cause) in zip(rule.cause_when_asts, rule.cause_when):
        try:
            if _truth(bindings.evaluate(ast), "cause_when"):
                return cause
        except runtime.UnknownResult:
            continue
    return rule.default_cause


def _related(rule: Rule, registry: Registry, bindings: _Bindings) -> tuple[tuple[str, Origin], ...]:
    """Resolve the rule's `related` references ('rule:1', 'secret:<arn> label') to origins."""
    if rule.related_ast is None:
        return ()
    try:
        refs = bindings.evaluate(rule.related_ast)
    except (runtime.UnknownResult, runtime.EvaluationFailed):  # related places are a courtesy, never a failure
        return ()
    out = []
    for ref in refs if isinstance(refs, list) else []:
        target, _, label = str(ref).partition(" ")
        kind, _, key = target.partition(":")
        origin: Origin | None = None
        if kind in ("rule", "template") and key.lstrip("-").isdigit():
            items = registry.rules if kind == "rule" else registry.templates
            i = int(key)
            if 0 <= i < len(items):
                origin = items[i].origin
                label = label or f"{'PTC rule' if kind == 'rule' else 'template'} {_key_of(items[i])}"
        elif kind in ("secret", "role"):
            lookup = (registry.secrets if kind == "secret" else registry.roles).get(key)
            origin = lookup.origin if lookup else None
            label = label or f"{kind} {key}"
        elif kind == "iamPolicy" and key.isdigit() and int(key) < len(registry.iam_policies):
            policy = registry.iam_policies[int(key)]
            origin = policy.origin
            label = label or f"IAM policy {policy.data.get('PolicyName', '')}"
        elif kind == "registryPolicy" and registry.registry_policy:
            origin = registry.registry_policy.origin
            label = label or "registry policy"
        if origin is not None:
            out.append((label, origin))
    return tuple(out)


def _key_of(resource: Resource) -> str:
    return str(resource.data.get("ecrRepositoryPrefix", resource.data.get("prefix", "")))


class _Bindings:
    """What a rule's expressions see on one resource: the names (resource, registry, ...) and the
    rule's `variables`, each evaluated on first use and then remembered."""

    def __init__(self, rule: Rule, names: dict[str, Any]) -> None:
        self._compiled, self._functions, self._names = compiled, FUNCTIONS, names
        self._variables = compiled.Variables(rule.variable_asts, names, FUNCTIONS) if rule.variable_asts else None

    def evaluate(self, program: Any) -> Any:
        return self._compiled.evaluate(program, self._names, self._functions, self._variables)


def _truth(value: Any, what: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{what} must be a bool, got {type(value).__name__}")
    return value


def _render(rule: Rule, bindings: _Bindings) -> str:
    out = []
    for part in rule.message_parts:
        if isinstance(part, str):
            out.append(part)
            continue
        ast, _src = part
        try:
            value = bindings.evaluate(ast)
        except runtime.UnknownResult:
            value = "(unknown)"
        except runtime.EvaluationFailed:
            value = "(?)"
        out.append(text(value))
    return "".join(out).strip()




def _apply_supersedes(outcomes: list[Outcome], rules: list[Rule]) -> list[Outcome]:
    """A specific rule's finding silences the general rule it supersedes on the same resource when
    both blame the same thing (their causes overlap): one mistake, one finding. A general finding
    with a cause of its own (a placeholder in the role ARN does not explain a secret in another
    account) stays."""
    superseding = {r.id: r.supersedes for r in rules if r.supersedes}
    if not superseding:
        return outcomes
    silencers: dict[tuple[str, Identity], list[Outcome]] = {}
    for o in outcomes:
        if o.kind is OutcomeKind.FINDING:
            for other in superseding.get(o.rule_id, ()):
                silencers.setdefault((other, o.identity), []).append(o)
    result = []
    for o in outcomes:
        if o.kind is OutcomeKind.FINDING:
            by = next((s.rule_id for s in silencers.get((o.rule_id, o.identity), ())
                       if s.origin.file == o.origin.file and causes_overlap(s.cause, o.cause)), None)
            if by:
                o = Outcome(o.rule_id, OutcomeKind.NOT_APPLICABLE, o.identity, o.origin, detail=f"superseded by {by}")
        result.append(o)
    return result


def severity_at_least(severity: Severity | None, threshold: Severity) -> bool:
    return severity is not None and severity.rank >= threshold.rank
