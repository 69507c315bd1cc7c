"""rulelib.tri: the one three-valued logic, judged as ptclint's CEL judges."""

from __future__ import annotations

import itertools
import re

from ptclint.model import Unknown
from ptclint.rulelib import tri

U = Unknown("var.x")
E = tri.Error("no such key: x")


def test_kleene_and_or() -> None:
    assert tri.and_(False, U) is False and tri.and_(U, E) == E and tri.and_(True, U) == U
    assert tri.or_(True, E) is True and tri.or_(False, U) == U and tri.or_(E, U) == E
    assert tri.and_(True, lambda: {}["x"]) == tri.Error("KeyError: 'x'")
    assert tri.and_(False, lambda: {}["x"]) is False
    assert isinstance(tri.and_(True, "yes"), tri.Error)


def test_lazy_any_every_stop_at_the_deciding_value() -> None:
    def boom():
        raise AssertionError("evaluated past the deciding value")
        yield

    assert tri.any_(itertools.chain([True], boom())) is True
    assert tri.every([U, False]) is False and tri.every([U, True]) == U and tri.any_([]) is False


def test_not_ternary_and_known() -> None:
    assert tri.not_(U) == U and tri.not_(True) is False and isinstance(tri.not_("x"), tri.Error)
    assert tri.ternary(U, lambda: 1, lambda: 2) == U and tri.ternary(False, lambda: 1, lambda: 2) == 2
    assert tri.is_known(U) is False and tri.is_known(E) == E and tri.is_known(3) is True
    assert tri.guard(lambda: tri.known(U)) == U


def test_macros() -> None:
    assert tri.exists([1, U], lambda x: tri.eq(x, 1)) is True
    assert tri.exists([2, U], lambda x: tri.eq(x, 1)) == U
    assert tri.all_(U, lambda x: True) == U
    assert tri.filter_([1, 2, U], lambda x: tri.gt(x, 1)) == U
    assert tri.filter_([1, 2, 3], lambda x: tri.gt(x, 1)) == [2, 3]
    assert isinstance(tri.map_([1, U], lambda x: x), tri.Error)
    assert tri.some(U, lambda x: True) == U and tri.some([1, 2], lambda x: x == 2) is True


def test_access_and_comparison() -> None:
    assert tri.get({"a": {"b": 1}}, "a", "b") == 1 and isinstance(tri.get({"a": None}, "a"), tri.Error)
    assert tri.get({"a": U}, "a", "b") == U and tri.has({"a": U}, "a", "b") is True
    assert tri.in_("x", ["y", U]) == U and tri.in_("x", ["x", U]) is True
    assert tri.eq("true", True) is False and isinstance(tri.eq(1, "1"), tri.Error)
    assert tri.matches("abc", re.compile("b")) is True and tri.concat("a", U) == U


def test_string_is_cels_spelling() -> None:
    """cel-python's string(true) is 'True'; an old copy of this logic in policy.py said 'true'."""
    assert tri.string(True) == "True" and tri.string(3) == "3" and isinstance(tri.string([1]), tri.Error)


def test_text_prints_as_a_message_does() -> None:
    assert tri.text(U) == "(unknown)" and tri.text(E) == "(?)" and tri.text([True, ["a", "b"]]) == "true, a, b"
    assert tri.text([U]) == "<unknown: var.x>"


def test_problems() -> None:
    assert tri.problems([(True, lambda: "a"), (U, lambda: "b")]) == ["a"]
    assert tri.problems([(False, lambda: "a"), (U, lambda: "b")]) == U
    assert tri.problems([(False, lambda: "a")]) == []
