"""Terraform's pure collection and number functions beyond the core set in `functions`.

Same contract: a value, the first Unknown among the inputs, or `TfError`. Whatever multiplies
(setproduct, chunklist) counts its iterations against the input's loop budget before building.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ptclint import budgets
from ptclint.loaders.terraform.functions import _need, _str_arg, _toset
from ptclint.loaders.terraform.values import TfError, TfSet, first_unknown, norm_number, tf_equal, to_bool, to_number
from ptclint.model import Unknown


def _list(name: str, v: Any) -> Any:
    _need(isinstance(v, (list, tuple)), f"{name}(): expected a list or set")
    return v


def _whole(name: str, value: Any) -> int:
    n = to_number(value)
    _need(isinstance(n, int) or (isinstance(n, float) and n.is_integer()), f"{name}(): expected a whole number")
    return int(n)


def _sets(name: str, sets: tuple) -> list:
    _need(len(sets) >= 1, f"{name}(): expected at least one set")
    out = [_list(name, s) for s in sets]
    unknown = first_unknown(out)
    if unknown is not None:
        return [unknown]
    return out


def _setproduct(*sets: Any) -> Any:
    lists = _sets("setproduct", sets)
    if isinstance(lists[0], Unknown):
        return lists[0]
    budgets.meter().iterate(math.prod(len(s) for s in lists), "setproduct()")
    out: list[list[Any]] = [[]]
    for s in lists:
        out = [[*prefix, item] for prefix in out for item in s]
    return TfSet(out) if all(isinstance(s, TfSet) for s in lists) else out


def _setintersection(*sets: Any) -> Any:
    lists = _sets("setintersection", sets)
    if isinstance(lists[0], Unknown):
        return lists[0]
    first, rest = lists[0], lists[1:]
    return _toset([x for x in first if all(any(tf_equal(x, y) for y in other) for other in rest)])


def _setsubtract(a: Any, b: Any) -> Any:
    lists = _sets("setsubtract", (a, b))
    if isinstance(lists[0], Unknown):
        return lists[0]
    return _toset([x for x in lists[0] if not any(tf_equal(x, y) for y in lists[1])])


def _transpose(m: Any) -> Any:
    _need(isinstance(m, dict), "transpose(): expected a map of lists of strings")
    out: dict[str, list[str]] = {}
    for key in sorted(m):
        values = _list("transpose", m[key])
        for v in values:
            if isinstance(v, Unknown):
                return v
            v = _str_arg("transpose", v)
            out.setdefault(v, []).append(key)
    return out


def _sum(v: Any) -> Any:
    items = _list("sum", v)
    _need(len(items) > 0, "sum(): the list is empty")
    total: Any = 0
    for item in items:
        n = to_number(item)
        if isinstance(n, Unknown):
            return n
        total += n
    return norm_number(total) if isinstance(total, float) else total


def _alltrue(v: Any) -> Any:
    unknown = None
    for item in _list("alltrue", v):
        b = to_bool(item)
        if b is False:
            return False
        unknown = unknown or (b if isinstance(b, Unknown) else None)
    return unknown if unknown is not None else True


def _anytrue(v: Any) -> Any:
    unknown = None
    for item in _list("anytrue", v):
        b = to_bool(item)
        if b is True:
            return True
        unknown = unknown or (b if isinstance(b, Unknown) else None)
    return unknown if unknown is not None else False


def _chunklist(v: Any, size: Any) -> Any:
    items = list(_list("chunklist", v))
    n = _whole("chunklist", size)
    _need(n >= 0, "chunklist(): the size must not be negative")
    if n == 0:
        return [items]
    budgets.meter().iterate(len(items) // n + 1, "chunklist()")
    return [items[i:i + n] for i in range(0, len(items), n)]


def _slice(v: Any, start: Any, end: Any) -> Any:
    _need(isinstance(v, list), "slice(): expected a list")
    a, b = _whole("slice", start), _whole("slice", end)
    _need(0 <= a <= b <= len(v), "slice(): the indices are out of range")
    return v[a:b]


def _index(v: Any, value: Any) -> Any:
    items = _list("index", v)
    unknown = first_unknown(items) or first_unknown(value)
    if unknown is not None:
        return unknown
    for i, item in enumerate(items):
        if tf_equal(item, value):
            return i
    raise TfError("index(): the value is not in the list")


def _matchkeys(values: Any, keys: Any, searchset: Any) -> Any:
    values, keys, search = _list("matchkeys", values), _list("matchkeys", keys), _list("matchkeys", searchset)
    _need(len(values) == len(keys), "matchkeys(): values and keys must have the same length")
    unknown = first_unknown(list(keys)) or first_unknown(list(search))
    if unknown is not None:
        return unknown
    return [v for v, k in zip(values, keys) if any(tf_equal(k, s) for s in search)]


def _number(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def apply(*args: Any) -> Any:
        nums = [to_number(a) for a in args]
        try:
            return norm_number(fn(*nums))
        except (ValueError, OverflowError, ZeroDivisionError):
            raise TfError(f"{name}(): the result is not a finite number") from None

    return apply


def _parseint(s: Any, base: Any) -> Any:
    b = _whole("parseint", base)
    _need(2 <= b <= 62, "parseint(): the base must be between 2 and 62")
    text = _str_arg("parseint", s)
    _need(len(text) <= 4096, "parseint(): the number is too long")
    try:
        return int(text, b) if b <= 36 else _parse_base62(text, b)
    except ValueError:
        raise TfError("parseint(): the string is not a number in that base") from None


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _parse_base62(text: str, base: int) -> int:
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-")
    if not digits:
        raise ValueError
    n = 0
    for ch in digits:
        d = _DIGITS.find(ch)
        if d < 0 or d >= base:
            raise ValueError
        n = n * base + d
    return sign * n


def _pow(a: float, b: float) -> Any:
    if abs(b) > 4096 or (isinstance(a, int) and isinstance(b, int) and b >= 0 and abs(a) > 1 and b * math.log2(abs(a))
                         > 4096):
        raise OverflowError
    return math.pow(a, b) if isinstance(a, float) or isinstance(b, float) or b < 0 else a ** b


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "setproduct": _setproduct,
    "setintersection": _setintersection,
    "setsubtract": _setsubtract,
    "transpose": _transpose,
    "sum": _sum,
    "alltrue": _alltrue,
    "anytrue": _anytrue,
    "chunklist": _chunklist,
    "slice": _slice,
    "index": _index,
    "matchkeys": _matchkeys,
    "ceil": _number("ceil", math.ceil),
    "floor": _number("floor", math.floor),
    "signum": _number("signum", lambda n: (n > 0) - (n < 0)),
    "log": _number("log", math.log),
    "pow": _number("pow", _pow),
    "parseint": _parseint,
}
