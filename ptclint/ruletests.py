"""Rule case files: the shipped catalog's tests (tests/rules/<category>/<ID>.yaml) and a team's
(`ptclint rules test DIR`, case files under DIR/tests/) share this one format and this one judge.

A case file names its rule (`rule: ID`) and lists `cases`; each case is one registry in snapshot
shape (account and Region default to 111122223333 / eu-west-1) plus `name`, `expect` (finding,
pass, unknown or skip), optionally `severity`, `params` (the rule's params) and `policy` (the
organization policy, keys as in `[tool.ptclint.policy]`). `{"$unknown": reason}` stands for a value
an IaC input could not resolve; it becomes `model.Unknown(reason)` where it stands.
`{"$unknown": reason, "$prefix": text}` is a partly known string (`model.PartlyKnown`): it starts
with `text`, the rest is unknown (a Terraform `name_prefix`, `"ecr-pullthroughcache/${var.env}"`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ptclint import parsing
from ptclint.catalog import Catalog, resolve_params
from ptclint.engine import evaluate
from ptclint.errors import PtclintError
from ptclint.loaders import normalise
from ptclint.loaders.merge import link_lookups
from ptclint.loaders.snapshot import registry_policy_lookup
from ptclint.model import DataKind, Lookup, Origin, PartlyKnown, Registry, Resource, Status, Unknown
from ptclint.report import Outcome, OutcomeKind, Skip

NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)
EXPECTS = ("finding", "pass", "unknown", "skip")
_DEFAULTS = {"account": "111122223333", "region": "eu-west-1"}
CASE_KEYS = {"name", "expect", "severity", "params", "policy"}
REGISTRY_KEYS = {"account", "region", "partition", "pullThroughCacheRules", "repositoryCreationTemplates",
                 "registryPolicy", "secrets", "roles", "errors", "iamPolicies", "upstreamPolicies", "planChanges"}


class CaseError(ValueError):
    """A case that does not describe a registry (a key that is not a registry field, a bad status)."""


def load_case_file(path: Path) -> dict[str, Any]:
    data = parsing.load(str(path)).data
    return data if isinstance(data, dict) else {}


def unknowns(value: Any) -> Any:
    """The case value with each `{"$unknown": reason}` as `model.Unknown(reason)` (and with a
    `"$prefix"`, as `model.PartlyKnown`)."""
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


def _listing(value: Any, kind: str, origin: Origin) -> tuple[Status, list[Resource]]:
    """A list of rules or templates (a plain list means found), as `(status, resources)`."""
    listing = {"status": "found", "items": value} if isinstance(value, list) else value
    items = [Resource(kind, _api(item), origin) for item in listing.get("items", [])]
    return Status(listing["status"]), items


def _policy(entry: dict[str, Any], origin: Origin) -> Lookup:
    """A registry-policy lookup: `policy` given as a document (the case form) or `policyText`."""
    if "policy" not in entry:
        return registry_policy_lookup(entry, origin)
    data = {k: v for k, v in entry.items() if k not in ("status", "policy")}
    data.update(policyText=json.dumps(entry["policy"]), policy=unknowns(entry["policy"]))
    return Lookup(Status(entry.get("status", "found")), data, origin)


def _iam_policy(policy: dict[str, Any], origin: Origin) -> Resource:
    data = dict(policy)
    if isinstance(data.get("document"), str):
        try:
            data["document"] = json.loads(data["document"])
        except ValueError:
            pass
    return Resource("iamPolicy", unknowns(data), origin)


def build_registry(case: Mapping[str, Any], path: str = "case.json") -> Registry:
    """The registry a case describes (a symbolic account or Region, as IaC units without --account /
    --region have, is kept). Raises CaseError for a key that is not a registry field or a bad value."""
    reg = {**_DEFAULTS, **{k: v for k, v in case.items() if k not in CASE_KEYS}}
    unexpected = set(reg) - REGISTRY_KEYS
    if unexpected:
        raise CaseError(f"case keys that are not registry fields: {', '.join(sorted(unexpected))} "
                        f"(expected {', '.join(sorted(CASE_KEYS | REGISTRY_KEYS))})")
    try:
        return _build(reg, Origin(path))
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise CaseError(f"case is not a registry in snapshot shape: {exc.__class__.__name__}: {exc}") from None


def _build(reg: dict[str, Any], origin: Origin) -> Registry:
    registry = Registry(account=reg["account"], region=reg["region"], partition=reg.get("partition", "aws"),
                        source="export", origin=origin)
    if "pullThroughCacheRules" in reg:
        status, registry.rules = _listing(reg["pullThroughCacheRules"], "pullThroughCacheRule", origin)
        registry.carries(DataKind.RULES, status)
    if "repositoryCreationTemplates" in reg:
        status, registry.templates = _listing(reg["repositoryCreationTemplates"], "repositoryCreationTemplate", origin)
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


def case_registry(case: Mapping[str, Any], path: str = "case.json") -> list[Registry]:
    return [build_registry(case, path)]


def case_policy(case: Mapping[str, Any], where: str = "case") -> dict[str, Any]:
    """The organization policy a case sets (`policy:`, keys as in [tool.ptclint.policy]), checked
    like the configuration's."""
    from ptclint.policy import read_policy

    return read_policy(case.get("policy") or {}, f"{where}: policy")


def run_case(catalog: Catalog, rule_id: str, case: Mapping[str, Any],
             path: str = "case.json") -> tuple[list[Outcome], list[Skip]]:
    """The rule's outcomes and skips on the case's registry, with the rules that supersede it
    running alongside it as they would in a real scan."""
    rule = catalog.get(rule_id)
    if rule is None:
        raise CaseError(f"the case file names an unknown rule {rule_id}")
    overrides = [f"{rule_id}.{k}={','.join(map(str, v)) if isinstance(v, list) else v}"
                 for k, v in (case.get("params") or {}).items()]
    params = resolve_params([rule], overrides, catalog)
    others = [r for r in catalog.rules if rule_id in r.supersedes]
    outcomes, skips = evaluate([rule, *others], case_registry(case, path), params, NOW,
                               policy=case_policy(case))
    return [o for o in outcomes if o.rule_id == rule_id], [s for s in skips if s.rule_id == rule_id]


def judge_case(catalog: Catalog, rule_id: str, case: Mapping[str, Any], path: str = "case.json") -> str | None:
    """Why the case does not hold (its `expect` is not what the rule does), or None when it holds."""
    try:
        outcomes, skips = run_case(catalog, rule_id, case, path)
    except (CaseError, PtclintError) as exc:
        return str(exc)
    kinds = [o.kind.value for o in outcomes]
    got = f"got {', '.join(kinds) or 'no outcome'}" + "".join(f"; skipped: {s.reason}" for s in skips)
    errors = [o.detail for o in outcomes if o.kind is OutcomeKind.ERROR]
    if errors:
        return f"evaluation error: {errors[0]}"
    findings = [o for o in outcomes if o.kind is OutcomeKind.FINDING]
    expect = case.get("expect")
    if expect == "finding":
        if not findings:
            return f"expected a finding, {got}"
        if "severity" in case and {f.severity.value for f in findings if f.severity} != {case["severity"]}:
            return f"expected severity {case['severity']}, got {sorted({str(f.severity) for f in findings})}"
        bad = [f.message for f in findings if not f.message or "{{" in f.message or "(?)" in f.message]
        return f"the message did not render: {bad[0]!r}" if bad else None
    if findings:
        return f"expected {expect}, got a finding: {findings[0].message}"
    if expect == "pass":
        return None if OutcomeKind.PASS in [o.kind for o in outcomes] else f"expected at least one pass, {got}"
    if expect == "unknown":
        return None if OutcomeKind.UNKNOWN in [o.kind for o in outcomes] else f"expected an unknown outcome, {got}"
    if expect == "skip":
        quiet = skips or all(o.kind is OutcomeKind.NOT_APPLICABLE for o in outcomes)
        return None if quiet else f"expected a skip, {got}"
    return f"expect: {expect!r} is not one of {', '.join(EXPECTS)}"


@dataclass(frozen=True)
class CaseResult:
    """One case of a case file: where it is, and why it failed (None: it passed)."""

    file: str
    rule_id: str
    name: str
    problem: str | None = None
    line: int | None = None

    @property
    def passed(self) -> bool:
        return self.problem is None


def check_case_file(catalog: Catalog, path: Path) -> list[CaseResult]:
    """Every case of one case file, plus a failure for a file that cannot be read, names no rule
    of the catalog, or lacks a finding case or a pass case."""
    try:
        doc = parsing.load(str(path))
    except PtclintError as exc:
        return [CaseResult(str(path), "?", "(file)", str(exc))]
    data = doc.data if isinstance(doc.data, dict) else {}
    rule_id, cases = str(data.get("rule", "")), data.get("cases")
    if not rule_id or not isinstance(cases, list) or not all(isinstance(c, dict) for c in cases):
        return [CaseResult(str(path), rule_id or "?", "(file)", "a case file is `rule: ID` and `cases:`, a list of "
                           "cases (see docs/writing-rules.md)")]
    if catalog.get(rule_id) is None:
        return [CaseResult(str(path), rule_id, "(file)", f"rule {rule_id} is not in the catalog",
                           doc.position(("rule",)).line)]
    results = []
    for i, case in enumerate(cases):
        name = str(case.get("name", f"case {i + 1}"))
        results.append(CaseResult(str(path), rule_id, name, judge_case(catalog, rule_id, case, str(path)),
                                  doc.position(("cases", i)).line))
    expects = {c.get("expect") for c in cases}
    for needed in ("finding", "pass"):
        if needed not in expects:
            results.append(CaseResult(str(path), rule_id, "(file)",
                                      f"no case with expect: {needed} (every rule needs one that makes it fire "
                                      "and one that keeps it quiet)"))
    return results


def case_files_in(directory: Path) -> list[Path]:
    """A team directory's case files: the YAML files under its `tests/` folder."""
    tests = directory / "tests"
    if not tests.is_dir():
        return []
    return sorted(p for p in tests.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def check_directory(catalog: Catalog, directory: Path) -> list[CaseResult]:
    """Every case file of a team rule directory, plus a failure for each of its rules without one."""
    results = [r for path in case_files_in(directory) for r in check_case_file(catalog, path)]
    tested = {r.rule_id for r in results}
    root = directory.resolve()
    for rule in catalog.rules:
        if rule.id not in tested and root in Path(rule.file).resolve().parents:
            results.append(CaseResult(rule.file, rule.id, "(rule)", f"no case file names {rule.id} "
                                      f"(add {directory / 'tests' / (rule.id + '.yaml')})", rule.line))
    return results


def run_rule_tests(directories: list[str]) -> tuple[list[str], int]:
    """`ptclint rules test DIR...`: load the shipped catalog with each team directory's rules, run
    their case files, and return the report's lines and the exit code (0 all passed, 1 a case failed).
    A directory that is missing, or a rule file that does not load, raises (exit 2)."""
    from ptclint.catalog import load_catalog
    from ptclint.errors import ConfigError

    for directory in directories:
        if not Path(directory).is_dir():
            raise ConfigError(f"rules test {directory}: not a directory")
    catalog = load_catalog(directories)
    results = [r for d in directories for r in check_directory(catalog, Path(d))]
    lines = []
    for r in results:
        place = f"{r.file}:{r.line}" if r.line else r.file
        if r.passed:
            lines.append(f"PASS  {place}  {r.rule_id}  {r.name}")
        else:
            lines.append(f"FAIL  {place}  {r.rule_id}  {r.name}: {r.problem}")
    failed = sum(not r.passed for r in results)
    if not results:
        lines.append(f"ptclint: no rules and no case files in {', '.join(directories)}")
        return lines, 1
    lines.append(f"ptclint: {len(results)} case{'s' if len(results) != 1 else ''}: {len(results) - failed} passed, "
                 f"{failed} failed")
    return lines, 1 if failed else 0
