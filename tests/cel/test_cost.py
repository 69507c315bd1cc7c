"""The CEL cost budget (issue 11): one rule's work on one resource is bounded, in the interpreter
and in compiled code alike; going over it is an error outcome naming the rule and the resource,
never a hang, and every other finding is still reported. Small budgets keep the tests quick; a
thread with a generous timeout is only a safety net, never a timed assertion."""

from __future__ import annotations

import re
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from casefiles import case_registry
from conftest import ROOT

from ptclint import budgets
from ptclint.catalog import load_catalog
from ptclint.cel import compiled, cost, runtime
from ptclint.cel.compiler import compile_program
from ptclint.cel.functions import FUNCTIONS
from ptclint.engine import evaluate
from ptclint.report import OutcomeKind

NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)
L = "[" + ", ".join(str(i) for i in range(60)) + "]"
NESTED = f"{L}.all(a, {L}.all(b, {L}.exists(c, a + b + c < 0)))"  # 216,000 iterations
DOUBLING = "[" + ", ".join(["1"] * 40) + "].reduce(acc, x, ['a'], acc + acc).size() > 0"  # 2^40 elements


def _interpreted(cel: str, activation: dict[str, Any] | None = None) -> Any:
    return runtime.evaluate(runtime.compile_expr(cel), activation or {}, FUNCTIONS)


def _compiled(cel: str, activation: dict[str, Any] | None = None) -> Any:
    program = compile_program(cel, runtime.compile_expr(cel))
    assert program.code, "the expression is compiled, not left to the interpreter"
    return compiled.evaluate(program, activation or {}, FUNCTIONS)


WAYS = [pytest.param(_interpreted, id="interpreter"), pytest.param(_compiled, id="compiled")]


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("cel", [NESTED, DOUBLING], ids=["nested-macros", "doubling-reduce"])
def test_a_pathological_expression_goes_over_the_budget(way, cel: str) -> None:
    with cost.limited(5_000), pytest.raises(cost.CostExceeded, match="cel_steps budget of 5,000"):
        way(cel)


@pytest.mark.parametrize("way", WAYS)
def test_no_cel_operator_absorbs_the_budget(way) -> None:
    """`true || x`, `exists()` and `has()` absorb CEL error values; going over the budget is not one."""
    for cel in (f"{NESTED} || true", f"[1].exists(x, {NESTED})", f"has({L}.map(a, {L}.map(b, {L}.map(c, c))).x)"):
        with cost.limited(2_000), pytest.raises(cost.CostExceeded):
            way(cel)


CHARGED = [
    ("[1, 2, 3].map(x, x * 2)", 3),
    ("[1, 2, 3].filter(x, x > 1).all(y, y > 0)", 5),
    ("[1, 2, 3].exists(x, x == 2) && [1, 2].exists_one(x, x == 2)", 5),
    ("[1, 2, 3].reduce(a, x, 0, a + x)", 3),
    ("size('abc') + 'abc'.size()", 2),
    ("'ab' + 'cde'", 5),
    ("[1] + [2, 3]", 3),
    ("3 in [1, 2, 3, 4]", 4),
    ("'k' in {'k': 1, 'j': 2}", 2),
    ("known(1) && has({'a': 1}.a) && dyn(1) == 1", 0),
    ("urlHost('https://quay.io/x') == 'quay.io'", 1),
]


@pytest.mark.parametrize(("cel", "steps"), CHARGED, ids=[c for c, _ in CHARGED])
def test_both_ways_charge_the_same_steps(cel: str, steps: int) -> None:
    spent = []
    for way in (_interpreted, _compiled):
        with cost.limited(1_000) as meter:
            way(cel)
        spent.append(meter.limit - meter.left)
    assert spent == [steps, steps]


def test_outside_an_evaluation_nothing_is_charged() -> None:
    small = "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]"
    cel = f"{small}.all(a, {small}.all(b, {small}.exists(c, a + b + c < 0)))"  # 1,110 iterations
    assert _compiled(cel) is False  # no meter: the library's own callers are not limited


# ---------------------------------------------------------------- through the engine and a scan

GOOD = (ROOT / "rules" / "up" / "PTC-UP-002.yaml").read_text()
COSTLY = ("assert: \"registry.pullThroughCacheRules.all(a, registry.pullThroughCacheRules.all(b, "
          "registry.pullThroughCacheRules.all(c, a.ecrRepositoryPrefix != 'never-' + b.ecrRepositoryPrefix "
          "+ c.ecrRepositoryPrefix)))\"\nmessage: \"never shown\"\n")


def _costly_rules(tmp_path: Path) -> Path:
    """A rule whose work is cubic in the registry's PTC rules (id PTC-UP-902)."""
    text = re.sub(r"^id: .*$", "id: PTC-UP-902", GOOD, flags=re.M)
    text = re.sub(r"^name: .*$", "name: cost-budget-test-rule", text, flags=re.M)
    text = re.sub(r"^when: .*$\n", "", text, flags=re.M)
    text = re.sub(r"^(assert|message): (>-\n(  .*\n)+|.*\n)", "", text, flags=re.M)
    text = text.replace("\ndocs:", "\n" + COSTLY + "docs:", 1)
    folder = tmp_path / "extra" / "up"
    folder.mkdir(parents=True)
    (folder / "PTC-UP-902.yaml").write_text(text)
    return tmp_path / "extra"


def _registry(count: int) -> list:
    rules = [{"ecrRepositoryPrefix": f"p{i}", "upstreamRegistryUrl": "public.ecr.aws"} for i in range(count)]
    return case_registry({"pullThroughCacheRules": rules})


def test_the_engine_reports_an_error_outcome_naming_rule_and_resource(tmp_path: Path) -> None:
    rule = load_catalog([str(_costly_rules(tmp_path))], use_cache=False).get("PTC-UP-902")
    outcomes, _ = evaluate([rule], _registry(40), {}, NOW, cel_steps=10_000)  # 64,000 steps each
    assert len(outcomes) == 40
    assert {o.kind for o in outcomes} == {OutcomeKind.ERROR}
    assert {o.rule_id for o in outcomes} == {"PTC-UP-902"}
    assert [o.identity.key for o in outcomes] == [f"p{i}" for i in range(40)]
    assert "goes over the cel_steps budget of 10,000" in outcomes[0].detail
    # the rule's other resources in this registry would cost as much: reported as not judged
    assert {o.detail for o in outcomes[1:]} == {"not evaluated: the rule went over its cel_steps budget on p0 "
                                                "in this registry"}
    quiet, _ = evaluate([rule], _registry(5), {}, NOW, cel_steps=10_000)  # 125 steps: judged
    assert {o.kind for o in quiet} == {OutcomeKind.PASS}


def _scan_in_thread(options: Any, limits: budgets.Budgets | None = None) -> Any:
    from ptclint.scan import run

    results: list = []

    def work() -> None:
        if limits is None:
            results.append(run(options))
            return
        with budgets.using(limits):
            results.append(run(options))

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(600)
    assert not worker.is_alive(), "the scan did not end"
    assert results, "the scan raised"
    return results[0]


def _costly_export(tmp_path: Path, count: int) -> Path:
    import json

    rules = [{"ecrRepositoryPrefix": f"p{i}", "upstreamRegistryUrl": "public.ecr.aws", "registryId": "123456789012"}
             for i in range(count)]
    path = tmp_path / "describe-pull-through-cache-rules.json"
    path.write_text(json.dumps({"pullThroughCacheRules": rules}))
    return path


@pytest.mark.parametrize("limits", [budgets.Budgets(cel_steps=20_000), None], ids=["small-budget", "default-budget"])
def test_a_costly_rule_stops_and_the_other_findings_are_still_reported(tmp_path: Path, limits) -> None:
    """200 PTC rules: 8,000,000 steps per resource, 1.6 billion in all, without a budget."""
    from ptclint.scan import ScanOptions

    good = ROOT / "examples" / "awscli" / "describe-pull-through-cache-rules.json"
    costly = _costly_export(tmp_path, 200)
    options = ScanOptions(paths=[str(good), str(costly)], rules_dirs=[str(_costly_rules(tmp_path))],
                          extend_select=["PTC-UP-902"], region="us-east-1", now=NOW)
    report = _scan_in_thread(options, limits)
    errors = [o for o in report.outcomes if o.kind is OutcomeKind.ERROR]
    assert len(errors) == 200 and {o.rule_id for o in errors} == {"PTC-UP-902"}
    assert {o.origin.file for o in errors} == {str(costly)}
    limit = (limits or budgets.DEFAULT).cel_steps
    assert f"cel_steps budget of {limit:,}" in errors[0].detail and errors[0].identity.key == "p0"
    assert all(o.detail.startswith("not evaluated: ") for o in errors[1:])
    assert {f.rule_id for f in report.findings if f.origin.file.endswith(str(good.name)) and
            f.origin.file != str(costly)} >= {"PTC-AUTH-001", "PTC-UP-004"}
    assert report.exit_code() == 3  # a rule failed to evaluate: partial


def test_the_budget_is_overridden_by_the_config_file(tmp_path: Path, monkeypatch) -> None:
    from ptclint.config import Flags, options

    (tmp_path / ".ptclint.toml").write_text("[budgets]\ncel-steps = 50\n")
    monkeypatch.chdir(tmp_path)
    scan = options(Flags(paths=[str(_costly_export(tmp_path, 5))], config=str(tmp_path / ".ptclint.toml"),
                         rules_dirs=[str(_costly_rules(tmp_path))], extend_select=["PTC-UP-902"]))
    assert scan.budgets == budgets.Budgets(cel_steps=50)
    report = _scan_in_thread(scan)
    errors = [o for o in report.outcomes if o.kind is OutcomeKind.ERROR]
    assert len(errors) == 5 and "cel_steps budget of 50 " in errors[0].detail
