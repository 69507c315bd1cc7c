"""The CEL runtime: unknown values, Kleene && and ||, has() and known(), errors, syntax errors."""

from __future__ import annotations

import pytest

from ptclint.cel import functions, runtime
from ptclint.model import Unknown


def ev(expr: str, **variables):
    return runtime.evaluate(runtime.compile_expr(expr), {k: runtime.to_cel(v) for k, v in variables.items()}, functions.FUNCTIONS)



# ---------------------------------------------------------------- unknown values

U = {"u": Unknown("parameter P has no default"), "v": Unknown("known after apply"), "s": "x", "n": None}


def test_unknown_makes_the_expression_unknown() -> None:
    with pytest.raises(runtime.UnknownResult, match="parameter P"):
        ev("r.u == 'x'", r=U)
    with pytest.raises(runtime.UnknownResult):
        ev("r.u == 'x' && r.v == 'y'", r=U)
    with pytest.raises(runtime.UnknownResult):
        ev("upstreamKind(r.u) == ''", r=U)
    with pytest.raises(runtime.UnknownResult):
        ev("ruleKind({'upstreamRegistryUrl': r.u}) == ''", r=U)


def test_logical_operators_absorb_unknowns_where_the_result_does_not_depend_on_them() -> None:
    assert ev("r.u == 'x' || true", r=U) is True
    assert ev("false && r.u == 'x'", r=U) is False
    assert ev("r.s == 'x' || r.u == 'y'", r=U) is True


def test_has_and_known() -> None:
    assert ev("has(r.u)", r=U) is True
    assert ev("known(r.u)", r=U) is False
    assert ev("known(r.s)", r=U) is True
    assert ev("has(r.n)", r=U) is False  # null is absent
    assert ev("has(r.missing)", r=U) is False


def test_real_errors_are_not_unknown() -> None:
    with pytest.raises(runtime.EvaluationFailed):
        ev("r.missing == 1", r=U)
    with pytest.raises(runtime.EvaluationFailed):
        ev("r.u == 'x' && r.missing == 1", r=U)


def test_syntax_error_has_a_position() -> None:
    with pytest.raises(runtime.CelSyntaxError) as info:
        runtime.compile_expr("a &&\n (b")
    assert info.value.line == 2


def test_membership_and_filter_with_unknown_elements() -> None:
    data = {"l": ["a", Unknown("b")]}
    assert ev("'a' in r.l", r=data) is True
    with pytest.raises(runtime.UnknownResult):
        ev("'z' in r.l", r=data)
    with pytest.raises(runtime.UnknownResult):
        ev("r.l.filter(x, x == 'a')", r=data)
    assert ev("[1, 2, 3].filter(x, x > 1)") == [2, 3]
    with pytest.raises(runtime.UnknownResult):
        ev("r.l.exists(x, x == 'z')", r=data)
    assert ev("r.l.exists(x, x == 'a')", r=data) is True
