"""Accepting findings: suppressions that carry a reason (inline in CloudFormation and Terraform, or
in the configuration), the baseline, and the record of the rules that did not run.

A scan calls `prepare()` before judging anything (so a bad configuration entry or baseline file
stops it with exit 2) and `apply()` after: each finding that a live suppression matches moves from
`Report.outcomes` to `Report.suppressed` (kept in JSON with its reason and source; it fails
nothing); an expired suppression no longer suppresses and is noted, as is one that matched nothing.
Suppressions and the baseline are judged on the scan's time, never the clock.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ptclint.model import Origin
from ptclint.report import BaselineUse, InputProblem, Outcome, Report, Suppressed, Suppression, SuppressionNote

if TYPE_CHECKING:
    from ptclint.config import ScanOptions
    from ptclint.rule import Catalog, Rule
    from ptclint.suppress.baseline import Baseline

#: does a suppression cover this finding? (the finding, the origin of the resource it judged)
Matcher = Callable[[Outcome, Origin], bool]


@dataclass(frozen=True)
class Candidate:
    suppression: Suppression
    matches: Matcher


@dataclass(frozen=True)
class Plan:
    """What a scan's options ask for, read and checked before judging."""

    configured: tuple[Candidate, ...] = ()
    baseline: Baseline | None = None  # when --baseline FILE (or baseline =) was given
    rule_ids: frozenset[str] = frozenset()  # every rule id of the catalog, to check inline ids against
    not_run: tuple[tuple[str, str], ...] = ()
    include_suppressed: bool = False


def prepare(options: ScanOptions, catalog: Catalog, rules: list[Rule]) -> Plan:
    """Read the configuration's suppressions and the baseline; raises ConfigError / InputError."""
    from ptclint.catalog.select import rules_not_run
    from ptclint.suppress import baseline, configured

    ids = frozenset(r.id for r in catalog.rules)
    return Plan(
        configured=tuple(configured.read(options.config, ids)) if options.config is not None else (),
        baseline=baseline.read(options.baseline) if options.baseline else None,
        rule_ids=ids,
        not_run=tuple(rules_not_run(catalog, rules, options.select, options.ignore, options.selector_sources(),
                                    options.policy)),
        include_suppressed=options.include_suppressed,
    )


def apply(report: Report, plan: Plan) -> Report:
    """The report with suppressed findings moved aside, and notes on expired and unused suppressions."""
    from ptclint.suppress import inline

    today = report.started.date()
    problems: list[InputProblem] = []
    candidates = [*inline.read(report, plan.rule_ids, problems), *plan.configured]
    origins = _resource_origins(report)
    by_rule: dict[str, list[int]] = {}
    for i, c in enumerate(candidates):
        by_rule.setdefault(c.suppression.rule_id, []).append(i)
    used: dict[int, int] = {}  # candidate index -> findings matched
    again: dict[int, int] = {}  # expired candidate index -> findings reported because it expired
    kept: list[Outcome] = []
    suppressed: list[Suppressed] = []
    base = plan.baseline
    claims = base.claims() if base else None
    for o in report.outcomes:
        if o.kind.value != "finding":
            kept.append(o)
            continue
        at = origins.get(o.identity, o.origin)
        hits = [i for i in by_rule.get(o.rule_id, ()) if candidates[i].matches(o, at)]
        for i in hits:
            used[i] = used.get(i, 0) + 1
        live = [i for i in hits if not candidates[i].suppression.expired(today)]
        if live:
            suppressed.append(Suppressed(o, candidates[live[0]].suppression))
        elif claims is not None and (entry := claims.take(o)) is not None:
            suppressed.append(Suppressed(o, entry))
        else:
            kept.append(o)
            for i in hits:  # all expired: nothing else accepted the finding
                again[i] = again.get(i, 0) + 1
    ran = {r.id for r in report.rules}
    notes = [SuppressionNote(c.suppression, "expired", again.get(i, 0)) if c.suppression.expired(today)
             else SuppressionNote(c.suppression, "unused", rule_ran=c.suppression.rule_id in ran)
             for i, c in enumerate(candidates) if c.suppression.expired(today) or not used.get(i)]
    return dataclasses.replace(
        report,
        outcomes=kept,
        problems=[*report.problems, *problems],
        suppressed=suppressed,
        suppression_notes=notes,
        baseline=BaselineUse(base.file, len(base.entries), tuple(claims.left(report.files, ran)))
        if base and claims else None,
        not_run=list(plan.not_run),
        include_suppressed=plan.include_suppressed,
    )


def _resource_origins(report: Report) -> dict[object, Origin]:
    """Identity -> where its resource is declared (a finding may point at one of its properties)."""
    from ptclint.engine import identity_of

    out: dict[object, Origin] = {}
    for registry in report.registries:
        for resource in (*registry.rules, *registry.templates, *registry.iam_policies):
            out.setdefault(identity_of(registry, resource), resource.origin)
    return out


def summary_parts(report: Report) -> list[str]:
    """The summary line's words for what was accepted: `2 suppressed (1 expired suppression, 1
    unused suppression)`, `5 baselined (1 baseline entry no longer occurs)`."""
    parts = []
    notes = [f"{n} {status} suppression{'s' if n != 1 else ''}" for status in ("expired", "unused")
             if (n := sum(1 for x in report.suppression_notes if x.status == status))]
    count = len(report.suppressed_by(baseline=False))
    if count or notes:
        parts.append(f"{count} suppressed" + (f" ({', '.join(notes)})" if notes else ""))
    if report.baseline is not None:
        gone = len(report.baseline.gone)
        tail = f" ({gone} baseline entr{'y no longer occurs' if gone == 1 else 'ies no longer occur'})" if gone else ""
        parts.append(f"{len(report.suppressed_by(baseline=True))} baselined{tail}")
    return parts


def notes(report: Report) -> list[str]:
    """One stderr line per suppression that did not do its job, and per baseline entry gone."""
    out = [f"ptclint: warning: {n}" for n in report.suppression_notes]
    if report.baseline is not None:
        out += [f"ptclint: baseline entry gone: {s.rule_id} {s.target} ({s.place}): fixed, or the "
                "resource moved to another file; `ptclint baseline` rewrites the file" for s in report.baseline.gone]
    return out


def relocated(report: Report, rel: Callable[[str], str], outcome: Callable[[Outcome], Outcome]) -> dict[str, object]:
    """The report's suppression fields with every path passed through `rel` (rootpaths.relative_to_root)."""
    def moved(s: Suppression) -> Suppression:
        return dataclasses.replace(s, file=rel(s.file)) if s.file else s

    base = report.baseline
    return {
        "suppressed": [Suppressed(outcome(x.outcome), moved(x.by)) for x in report.suppressed],
        "suppression_notes": [dataclasses.replace(n, suppression=moved(n.suppression))
                              for n in report.suppression_notes],
        "baseline": dataclasses.replace(base, file=rel(base.file), gone=tuple(moved(s) for s in base.gone))
        if base else None,
    }
