"""ptclint's one three-valued (Kleene) logic, as ptclint's CEL judges: the rule library decides with it.

A judged value is `True` / `False` (or any plain value), an `Unknown` (`model.Unknown`: the input
could not resolve a value the answer needs) or an `Error` (a missing field, a value of the wrong
type). As in ptclint's CEL:

- `&&` (`and_`, `every`) is false when any part is false, else an error when any part is one, else
  unknown when any part is; `||` (`or_`, `any_`) likewise with true. A part whose answer does not
  matter is ignored, so a known problem is still found next to a field the input could not resolve.
- a function of an undecided argument is that argument (`apply`); `c ? a : b` with an undecided
  condition is the condition (`ternary`); `filter` is undecided as a whole when its predicate is for
  any item.

Failures travel in one of two channels, and each helper says which it uses:

- as values: the parts of `and_`, `or_`, `ternary`, `exists`, `all_`, `filter_` and `map_` may be
  thunks; `value_of` calls them and turns an unresolved value they meet into `Unknown` and a
  failure into `Error` (CEL evaluates both sides of `&&`, so an error on one side must not stop the
  other from deciding);
- as exceptions: a helper deep in plain Python calls `known(x)`, which raises `Unresolved` for an
  `Unknown`; `guard` turns that into an `Unknown`, and `ptclint.cel.functions.wrap` turns what
  escapes a CEL function into CEL's own unknown and error values.

This module knows nothing of CEL's runtime (celpy): `cel.functions.wrap` is the one place that maps
`Unknown` and `Error` to celpy values.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from ptclint.model import Unknown

__all__ = ["UNKNOWN_TEXT", "Error", "Unknown", "Unresolved"]

T = TypeVar("T")
UNKNOWN_TEXT = "(unknown)"  # how a message prints a part it could not judge
ERROR_TEXT = "(?)"  # how a message prints a part that failed
Thunk = Callable[[], Any]
Predicate = Callable[[Any], Any]


class Error:
    """A judged part that failed (CEL's error value): a missing field, a value of the wrong type."""

    __slots__ = ("why",)

    def __init__(self, why: str) -> None:
        self.why = why

    def __repr__(self) -> str:
        return f"<error: {self.why}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Error) and other.why == self.why

    def __hash__(self) -> int:
        return hash(("Error", self.why))


class Unresolved(Exception):
    """Raised by `known()` where plain Python meets an unresolved value; the answer is then unknown."""

    def __init__(self, unknown: Unknown) -> None:
        super().__init__(unknown.reason)
        self.reason = unknown.reason


def sees_unknowns(fn: Callable[..., T]) -> Callable[..., T]:
    """Mark a rule library function that judges what is known of an unknown argument (the known
    beginning of a `model.PartlyKnown` string): CEL calls it with the unknown instead of answering
    unknown for it. It must itself answer unknown where what is known does not decide."""
    fn.sees_unknowns = True  # type: ignore[attr-defined]
    return fn


# ---------------------------------------------------------------- the two channels


def known(value: T) -> T:
    """`value`, or raise `Unresolved` when it is an `Unknown` (the helper's answer is then unknown)."""
    if isinstance(value, Unknown):
        raise Unresolved(value)
    return value


def known_str(value: Any) -> str:
    """`value` when it is a string, `""` for another known value; raises `Unresolved` for an `Unknown`."""
    value = known(value)
    return value if isinstance(value, str) else ""


def guard(fn: Callable[..., Any], *args: Any) -> Any:
    """`fn(*args)`, or the `Unknown` it met (other failures propagate as exceptions)."""
    try:
        return fn(*args)
    except Unresolved as exc:
        return Unknown(exc.reason)


def undecided(v: object) -> bool:
    """`v` is an `Unknown` or an `Error`."""
    return isinstance(v, (Unknown, Error))


def value_of(part: Any) -> Any:
    """The value of a part: a thunk is called; an unresolved value it meets makes it `Unknown`, a
    failure an `Error`."""
    if not callable(part):
        return part
    try:
        return part()
    except Unresolved as exc:
        return Unknown(exc.reason)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        return Error(f"{exc.__class__.__name__}: {exc}")


# ---------------------------------------------------------------- Kleene connectives


def _decide(values: Iterable[Any], absorbing: bool) -> Any:
    """The Kleene combination of `values`, stopping at the first absorbing one (True for or, False
    for and): else the first `Error`, else the first `Unknown`, else the other bool."""
    first_error: Error | None = None
    first_unknown: Unknown | None = None
    all_bool = True
    for v in values:
        if v is absorbing:
            return absorbing
        if isinstance(v, Error):
            first_error = first_error or v
        elif isinstance(v, Unknown):
            first_unknown = first_unknown or v
        elif not isinstance(v, bool):
            all_bool = False
    if first_error is not None:
        return first_error
    if first_unknown is not None:
        return first_unknown
    if all_bool:
        return not absorbing
    return Error("no such overload: a logical operator on a value that is not a bool")


def any_(values: Iterable[Any]) -> Any:
    """Kleene or of already judged values (CEL `exists`), lazily: True at the first True."""
    return _decide(values, True)


def every(values: Iterable[Any]) -> Any:
    """Kleene and of already judged values (CEL `all`), lazily: False at the first False."""
    return _decide(values, False)


def and_(*parts: Any) -> Any:
    """CEL `a && b && ...`: every part (value or thunk) is evaluated."""
    return _decide([value_of(p) for p in parts], False)


def or_(*parts: Any) -> Any:
    """CEL `a || b || ...`: every part (value or thunk) is evaluated."""
    return _decide([value_of(p) for p in parts], True)


def not_(part: Any) -> Any:
    """CEL `!x`."""
    v = value_of(part)
    if isinstance(v, bool):
        return not v
    return v if undecided(v) else Error("no such overload: ! on a value that is not a bool")


def ternary(cond: Any, yes: Thunk, no: Thunk) -> Any:
    """CEL `cond ? yes : no`: an undecided condition is the answer."""
    c = value_of(cond)
    if undecided(c):
        return c
    if not isinstance(c, bool):
        return Error("no such overload: ?: on a value that is not a bool")
    return value_of(yes if c else no)


# ---------------------------------------------------------------- macros


def members(container: Any) -> Any:
    """What a CEL macro iterates: list items, map keys, or a string's characters (an `Error` for
    anything else; an undecided container is itself)."""
    if undecided(container):
        return container
    if isinstance(container, (list, tuple, str)):
        return list(container)
    if isinstance(container, Mapping):
        return list(container.keys())
    return Error(f"cannot iterate over a {type(container).__name__}")


def elements(x: Any) -> list[Any]:
    """The elements CEL's list macros iterate (a list's items, a map's keys); raises TypeError for
    anything else (the exception channel's `members`)."""
    if isinstance(x, (list, str, Mapping)):
        return list(x)
    raise TypeError(f"{type(x).__name__} is not a list")


def exists(container: Any, pred: Predicate) -> Any:
    """CEL `container.exists(x, pred(x))`; the predicate's failures are values."""
    items = members(container)
    return items if undecided(items) else _decide([value_of(lambda x=x: pred(x)) for x in items], True)


def all_(container: Any, pred: Predicate) -> Any:
    """CEL `container.all(x, pred(x))`; the predicate's failures are values."""
    items = members(container)
    return items if undecided(items) else _decide([value_of(lambda x=x: pred(x)) for x in items], False)


def some(container: Any, pred: Predicate) -> Any:
    """CEL `container.exists(x, pred(x))` in the exception channel: an unknown container is the
    answer, the predicate's failures propagate, and the first True stops the walk."""
    return container if isinstance(container, Unknown) else any_(pred(e) for e in elements(container))


def filter_(container: Any, pred: Predicate) -> Any:
    """CEL `filter`: undecided as a whole when the predicate is for any item (an error first)."""
    items = members(container)
    if undecided(items):
        return items
    judged = [value_of(lambda x=x: pred(x)) for x in items]
    for marker in (Error, Unknown):
        for v in judged:
            if isinstance(v, marker):
                return v
    return [x for x, v in zip(items, judged) if v is True]


def map_(container: Any, fn: Predicate) -> Any:
    """CEL `map`: an item whose value is undecided fails the whole map (an error)."""
    items = members(container)
    if undecided(items):
        return items
    out = [value_of(lambda x=x: fn(x)) for x in items]
    bad = next((v for v in out if undecided(v)), None)
    return Error(f"map: {bad!r}") if bad is not None else out


# ---------------------------------------------------------------- access


def apply(fn: Callable[..., Any], *args: Any) -> Any:
    """A function call: the first undecided argument is the answer, as CEL does."""
    for a in args:
        if undecided(a):
            return a
    return value_of(lambda: fn(*args))


def get(obj: Any, *path: str) -> Any:
    """CEL `obj.a.b`: unknown when a step is, an error when a field is missing (null counts as missing)."""
    for name in path:
        if undecided(obj):
            return obj
        if not isinstance(obj, Mapping) or obj.get(name) is None:
            return Error(f"no such key: {name}")
        obj = obj[name]
    return obj


def has(obj: Any, *path: str) -> bool:
    """CEL `has(obj.a.b)`: the last field is present, or the object holding it is unresolved."""
    parent = get(obj, *path[:-1])
    if isinstance(parent, Unknown):
        return True
    return isinstance(parent, Mapping) and parent.get(path[-1]) is not None


def at(container: Any, key: Any) -> Any:
    """CEL `container[key]` for a map."""
    for v in (container, key):
        if undecided(v):
            return v
    if isinstance(container, Mapping) and key in container:
        return container[key]
    return Error(f"no such key: {key}")


def index(items: Any, i: int) -> Any:
    """CEL `items[i]` for a list."""
    if undecided(items):
        return items
    return items[i] if isinstance(items, list) and -len(items) <= i < len(items) else Error("index out of range")


def is_known(v: Any) -> Any:
    """CEL `known(v)` (an error stays an error)."""
    return v if isinstance(v, Error) else not isinstance(v, Unknown)


def kind_of(v: Any) -> str:
    """CEL's type name of a plain value: bool, int, double, string, list, map, null."""
    if isinstance(v, bool):
        return "bool"
    for kind, types in (("int", int), ("double", float), ("string", str), ("list", (list, tuple)), ("map", Mapping)):
        if isinstance(v, types):
            return kind
    return "null" if v is None else type(v).__name__


# ---------------------------------------------------------------- comparison and functions


def cel_equal(x: Any, y: Any) -> bool:
    """cel-python's `==`: values of one type compare; a string and a bool, or a string and null, are
    unequal; a bool equals the int it stands for; other mixes raise TypeError."""
    kx, ky = kind_of(x), kind_of(y)
    if kx == ky or (kx, ky) == ("bool", "int"):
        return bool(x == y)
    if {kx, ky} == {"string", "bool"} or (kx, ky) == ("string", "null"):
        return False
    raise TypeError(f"no such overload: {kx} == {ky}")


def eq(a: Any, b: Any) -> Any:
    """CEL `a == b`."""
    return apply(cel_equal, a, b)


def ne(a: Any, b: Any) -> Any:
    """CEL `a != b`."""
    return not_(eq(a, b))


def in_(item: Any, container: Any) -> Any:
    """CEL `item in container` (list items, map keys, a string's characters): not found among the
    known items of a list that holds an unresolved one is unknown."""
    for v in (item, container):
        if undecided(v):
            return v
    items = members(container)
    if undecided(items):
        return items
    unknown = None
    for x in items:
        if isinstance(x, Unknown):
            unknown = unknown or x
            continue
        try:
            if cel_equal(x, item):
                return True
        except TypeError:
            continue
    return unknown if unknown is not None else False


def typed(fn: Callable[..., Any], *types: type | tuple[type, ...]) -> Callable[..., Any]:
    """`fn`, raising CEL's "no such overload" TypeError for arguments not of `types`."""

    def call(*args: Any) -> Any:
        if not all(isinstance(a, t) for a, t in zip(args, types)):
            raise TypeError(f"no such overload: {fn.__name__} on {', '.join(kind_of(a) for a in args)}")
        return fn(*args)

    call.__name__ = fn.__name__
    return call


def size(v: Any) -> Any:
    """CEL `size(v)`."""
    return apply(typed(len, (str, list, tuple, Mapping)), v)


def gt(v: Any, n: int) -> Any:
    """CEL `v > n`."""
    return apply(lambda x: x > n, v)


def matches(s: Any, regex: re.Pattern[str]) -> Any:
    """CEL `s.matches(regex)` (a search, as RE2's)."""
    return apply(typed(lambda x: regex.search(x) is not None, str), s)


def starts_with(s: Any, prefix: Any) -> Any:
    """CEL `s.startsWith(prefix)`."""
    return apply(typed(str.startswith, str, str), s, prefix)


def ends_with(s: Any, suffix: Any) -> Any:
    """CEL `s.endsWith(suffix)`."""
    return apply(typed(str.endswith, str, str), s, suffix)


def concat(*parts: Any) -> Any:
    """CEL `a + b + ...` for strings."""
    return apply(typed(lambda *xs: "".join(xs), *(str,) * len(parts)), *parts)


def string(v: Any) -> Any:
    """CEL's `string(x)` as cel-python spells it (`True` for true); an error for lists and maps."""
    return apply(typed(lambda x: ("True" if x else "False") if isinstance(x, bool) else str(x), (str, int, float)), v)


def decodes(s: Any) -> bool:
    """`s` is a string holding valid JSON."""
    try:
        json.loads(s)
    except (TypeError, ValueError):
        return False
    return True


# ---------------------------------------------------------------- answers


def text(v: Any, nested: bool = False) -> str:
    """A value as a rule message prints it: lists comma-joined (nested lists flattened), bools
    `true` / `false`, `(unknown)` for an unresolved value (one inside a list keeps its
    representation), `(?)` for an error."""
    if isinstance(v, Unknown) and not nested:
        return UNKNOWN_TEXT
    if isinstance(v, Error):
        return ERROR_TEXT
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return ", ".join(text(x, True) for x in v)
    return str(v)


def result(v: Any) -> Any:
    """A helper's answer for CEL: an `Error` becomes an exception (an evaluation error)."""
    if isinstance(v, Error):
        raise ValueError(v.why)
    return v


def fields(**parts: Any) -> dict[str, Any]:
    """A map answer whose fields are judged independently: each part (value or thunk) is evaluated
    with `value_of`, so a field that failed or is unknown matters only where a rule reads it."""
    return {name: value_of(part) for name, part in parts.items()}


def problems(checks: Iterable[tuple[Any, Callable[[], str]]]) -> Any:
    """Run `(judged, text)` checks: the texts of those judged true; without any, `Unknown` (or an
    error) when some check could not be judged, else []."""
    checks = list(checks)
    judged = [value_of(j) for j, _ in checks]
    hits = [describe() for v, (_, describe) in zip(judged, checks) if v is True]
    if hits or not any(undecided(v) for v in judged):
        return hits
    return result(_decide(judged, True))
