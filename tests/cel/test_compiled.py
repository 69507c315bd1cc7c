"""The interpreter is the oracle: compiled CEL must agree with celpy's interpreter (as
`runtime._Evaluator` adapts it) on every outcome — kind, unknown reason, error detail, severity,
message and related locations — for every rule on every case file, on the golden inputs, on a
generated organization snapshot, and on generated registries with unknown, missing and ill-typed
fields (hypothesis)."""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from casefiles import build_registry, case_files, case_policy, load_case_file
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ptclint import engine
from ptclint.catalog import Catalog, resolve_params
from ptclint.cel import compiled, runtime
from ptclint.cel.compiler import compile_program
from ptclint.cel.functions import FUNCTIONS
from ptclint.model import Registry
from ptclint.policy import read_policy
from ptclint.report import Outcome, Skip

NOW = datetime(2026, 11, 1, 12, 0, 0, tzinfo=timezone.utc)


@functools.cache
def _tree(cel: str) -> Any:
    return runtime.compile_expr(cel)


class _InterpretedBindings:
    """engine._Bindings on celpy's interpreter (the engine before compiled CEL)."""

    def __init__(self, rule: Any, names: dict[str, Any]) -> None:
        self._names = names
        trees = tuple((name, _tree(p.cel)) for name, p in rule.variable_asts)
        self._variables = runtime.Variables(trees, names, FUNCTIONS) if trees else None

    def evaluate(self, program: Any) -> Any:
        return runtime.evaluate(_tree(program.cel), self._names, FUNCTIONS, self._variables)


def both_ways(run: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    fast = run()
    with monkeypatch.context() as m:
        m.setattr(engine, "_Bindings", _InterpretedBindings)
        slow = run()
    return fast, slow


# Every organization policy setting, so the policy rules (PTC-POL) are judged on every generated input too.
FULL_POLICY = read_policy({"allowed-upstreams": ["ecr-public", "docker-hub"], "require-tag-immutability": True,
                           "require-kms-encryption": True, "require-lifecycle-policy": True,
                           "required-prefixes": ["docker-hub", "ecr-public"],
                           "secret-name-pattern": "^ecr-pullthroughcache/dh"}, "test")


def _evaluate_all(catalog: Catalog, registries: list[Registry],
                  policy: dict[str, Any] = FULL_POLICY) -> tuple[list[Outcome], list[Skip]]:
    params = resolve_params(catalog.rules, [], catalog)
    return engine.evaluate(catalog.rules, registries, params, NOW, policy)


def _assert_same(fast: tuple[list[Outcome], list[Skip]], slow: tuple[list[Outcome], list[Skip]]) -> None:
    assert len(fast[0]) == len(slow[0])
    for a, b in zip(fast[0], slow[0]):
        assert a == b, f"compiled {a}\ninterpreted {b}"
    assert fast[1] == slow[1]


def test_the_compiler_translates_every_shipped_expression(catalog: Catalog) -> None:
    """No shipped rule falls back to the interpreter (a fallback is correct, only slow)."""
    left = [(r.id, p.cel) for r in catalog.rules for p in _programs(r) if not p.source]
    assert left == []


def _programs(rule: Any) -> Iterator[Any]:
    yield from (p for p in (rule.when_ast, rule.assert_ast, rule.related_ast) if p is not None)
    yield from rule.severity_when_asts
    yield from (part[0] for part in rule.message_parts if isinstance(part, tuple))
    yield from (p for _, p in rule.variable_asts)


CASE_FILES = case_files()
assert len(CASE_FILES) >= 60, "the case files moved: the differential test must see them"


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.stem)
def test_every_rule_on_every_case_agrees_with_the_interpreter(catalog: Catalog, path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    for case in load_case_file(path)["cases"]:
        registries = [build_registry(case, str(path))]
        policy = case_policy(case) if "policy" in case else FULL_POLICY
        _assert_same(*both_ways(functools.partial(_evaluate_all, catalog, registries, policy), monkeypatch))


GOLDEN_INPUTS: dict[str, dict[str, Any]] = {
    "examples": {"paths": ["examples"]},
    "fixtures": {"paths": ["tests/fixtures"]},
    "fixtures-in-context": {"paths": ["tests/fixtures"], "account": "111122223333", "region": "eu-west-1"},
    "coverage": {"paths": ["tests/golden/inputs/coverage.snapshot.json"]},
}


@pytest.mark.parametrize("name", sorted(GOLDEN_INPUTS))
def test_golden_inputs_agree_with_the_interpreter(catalog: Catalog, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from ptclint.scan import ScanOptions, run

    monkeypatch.chdir(ROOT)

    def scan() -> Any:
        result = run(ScanOptions(now=NOW, policy=FULL_POLICY, **GOLDEN_INPUTS[name]), catalog=catalog)
        return result.outcomes, result.skips

    _assert_same(*both_ways(scan, monkeypatch))


def test_a_generated_organization_agrees_with_the_interpreter(catalog: Catalog, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from make_org_snapshot import snapshot
    finally:
        sys.path.remove(str(ROOT / "bench"))
    import json

    from ptclint.scan import ScanOptions, run

    path = tmp_path / "org.snapshot.json"
    path.write_text(json.dumps(snapshot(2, seed=4)), encoding="utf-8")

    def scan() -> Any:
        result = run(ScanOptions(now=NOW, paths=[str(path)], policy=FULL_POLICY), catalog=catalog)
        return result.outcomes, result.skips

    _assert_same(*both_ways(scan, monkeypatch))


# ---------------------------------------------------------------- generated registries

_UNKNOWN = st.builds(lambda r: {"$unknown": r}, st.sampled_from(["parameter P has no default", "known after apply"]))
_TEXT = st.sampled_from(["docker-hub", "ROOT", "registry-1.docker.io", "ghcr.io", "quay.io", "gitlab.example.com",
                         "123456789012.dkr.ecr.eu-west-1.amazonaws.com", "team/", "",
                         "arn:aws:secretsmanager:eu-west-1:111122223333:secret:ecr-pullthroughcache/dh-AbCdEf",
                         "arn:aws:secretsmanager:eu-west-1:111122223333:secret:creds-AbCdEf",
                         "arn:aws:iam::123456789012:role/ptc", "PULL_THROUGH_CACHE", "MUTABLE", "AES256", "KMS"])
_ODD = st.one_of(st.integers(-3, 2**64), st.booleans(), st.floats(allow_nan=False), st.just([]), st.just({}))
_VALUE = st.one_of(_TEXT, _TEXT, _TEXT, _UNKNOWN, _ODD)
_RULE_FIELDS = ["ecrRepositoryPrefix", "upstreamRegistryUrl", "upstreamRegistry", "credentialArn", "customRoleArn",
                "upstreamRepositoryPrefix"]
_TEMPLATE_FIELDS = ["prefix", "imageTagMutability", "repositoryPolicy", "lifecyclePolicy", "customRoleArn", "description"]


def _resource(fields: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.sampled_from(fields), _VALUE, max_size=len(fields))


_TEMPLATE = st.builds(lambda base, applied, enc: {**base, **applied, **enc}, _resource(_TEMPLATE_FIELDS),
                      st.one_of(st.just({}), st.builds(lambda v: {"appliedFor": v}, st.one_of(
                          st.lists(st.sampled_from(["PULL_THROUGH_CACHE", "CREATE_ON_PUSH"]), max_size=2), _UNKNOWN))),
                      st.one_of(st.just({}), st.builds(lambda v: {"encryptionConfiguration": {"encryptionType": v}}, _VALUE)))
_LOOKUP = st.one_of(st.just({"status": "notFound"}), st.just({"status": "accessDenied"}),
                    st.builds(lambda name: {"status": "found", "secret": {"Name": name}}, _VALUE))
_REGISTRY = st.fixed_dictionaries(
    {"pullThroughCacheRules": st.lists(_resource(_RULE_FIELDS), max_size=3)},
    optional={"repositoryCreationTemplates": st.lists(_TEMPLATE, max_size=2),
              "secrets": st.dictionaries(_TEXT, _LOOKUP, max_size=2),
              "roles": st.dictionaries(_TEXT, st.sampled_from([{"status": "notFound"}, {"status": "accessDenied"}]),
                                       max_size=1),
              "account": st.sampled_from(["111122223333", "123456789012"])})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(case=_REGISTRY)
def test_generated_registries_agree_with_the_interpreter(catalog: Catalog, case: dict[str, Any],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    registries = [build_registry(case)]
    _assert_same(*both_ways(lambda: _evaluate_all(catalog, registries), monkeypatch))


# ---------------------------------------------------------------- expressions, one by one

_EXPRESSIONS = [
    "1 + 2 * 3 - 4 / 2 % 3", "'a' + 1", "1 / 0", "9223372036854775807 + 1", "-(-9223372036854775807 - 1)",
    "x.missing", "x['k']", "x[1]", "[1, 2][5]", "{'a': 1, 'a': 2}", "{'a': 1}.a", "[1, 2].map(v, v * 2)",
    "[1, 0].map(v, 1 / v)", "[1, 0].exists(v, 1 / v == 1)", "[1, 0].all(v, 1 / v == 1)", "[1, 2].exists_one(v, v > 1)",
    "[3, 1].min()", "[].min()", "[1, u].filter(v, v > 0)", "u && false", "u || true", "u && true", "!u", "-'a'",
    "known(u)", "known(x.missing)", "has(x.k)", "has(x.zz)", "has(u.k)", "u ? 1 : 2", "true ? u : 2", "nope",
    "nope(1)", "x.nope()", "'abc'.startsWith('a') && 'abc'.matches('^a.c$')", "size(x) == 1u", "dyn(1) == 1.0",
    "type(1) == int && type('a') == string", "string(1) + 'x'", "int('12') + double('1.5')",
    "[[1, 2], [3]].map(l, l.exists(v, v == 3))", "[1, 2].map(v, [v].map(v, v + 1))", "u in [1, 2]", "3 in [1, u]",
    "b'ab' + b'c'", "'''multi\nline'''", "'\\x41\\u00e9'", "r'raw\\n'", "1.5e3 > 2", "0x10 == 16", "null == null",
    "[1, 2].reduce(a, v, 0, a + v)", "{'k': u}.k", "timestamp('2026-01-01T00:00:00Z') < timestamp('2026-06-01T00:00:00Z')",
    "duration('60s').getSeconds()", "x.k.size()", "1 < 'a'", "variables.v", "variables.w + 1",
]


@pytest.mark.parametrize("cel", _EXPRESSIONS)
def test_expression_agrees_with_the_interpreter(cel: str) -> None:
    tree = runtime.compile_expr(cel)
    program = compile_program(cel, tree)
    assert program.source, "the compiler translates the expression"
    names = {"x": runtime.to_cel({"k": "v"}), "u": runtime.UnknownValue("parameter P has no default")}
    definitions = [("v", "x.k"), ("w", "1 / 0")]
    fast_vars = compiled.Variables([(n, compile_program(s, runtime.compile_expr(s))) for n, s in definitions],
                                   names, FUNCTIONS)
    slow_vars = runtime.Variables([(n, runtime.compile_expr(s)) for n, s in definitions], names, FUNCTIONS)
    assert _outcome(lambda: compiled.evaluate(program, names, FUNCTIONS, fast_vars)) == _outcome(
        lambda: runtime.evaluate(tree, names, FUNCTIONS, slow_vars))


def _outcome(evaluate: Any) -> tuple[str, Any]:
    try:
        return "value", evaluate()
    except runtime.UnknownResult as exc:
        return "unknown", exc.reason
    except runtime.EvaluationFailed as exc:
        return "error", str(exc)


def test_an_untranslatable_expression_is_left_to_the_interpreter() -> None:
    cel = "has()"
    with pytest.raises(runtime.CelSyntaxError):  # not even CEL: nothing to fall back on
        runtime.compile_expr("1 +")
    program = compile_program(cel, runtime.compile_expr(cel))
    assert program.source == ""
    assert _outcome(lambda: compiled.evaluate(program, {}, FUNCTIONS)) == _outcome(
        lambda: runtime.evaluate(runtime.compile_expr(cel), {}, FUNCTIONS))
