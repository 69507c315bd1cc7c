"""Terraform values as the evaluator sees them: sets, lazy objects, errors, conversions, equality.

A value is plain Python (str, int, float, bool, None, list, dict), a `TfSet`, a `Lazy` object
computed on demand, or `model.Unknown`. Messages name the kind of a value, never the value.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ptclint.model import Unknown, UnknownLeaves


class TfSet(tuple):
    """A Terraform set (from toset() or a set-typed variable): ordered for determinism."""


class TfError(Exception):
    """Terraform itself would reject the expression (missing attribute, wrong type, ...).

    Inside `try()` / `can()` this selects the fallback; elsewhere the value becomes Unknown.
    The message never contains a value."""


class Lazy:
    """A value whose attributes are computed on demand (resource instances, module outputs)."""

    describe = "an object"

    def get(self, name: str) -> Any:  # pragma: no cover - interface
        raise TfError(f"{self.describe} has no attribute {name!r}")

    def index(self, key: Any) -> Any:
        raise TfError(f"{self.describe} cannot be indexed")

    def materialize(self) -> Any:
        return Unknown(f"{self.describe} used as a whole value")


def kind_of(value: Any) -> str:
    """A type name for messages (never the value)."""
    if isinstance(value, Unknown):
        return "an unknown value"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a bool"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, TfSet):
        return "a set"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a map or object"
    if isinstance(value, Lazy):
        return value.describe
    return type(value).__name__


def first_unknown(value: Any, depth: int = 0) -> Unknown | None:
    """The first Unknown inside a (plain) value, searching containers."""
    if isinstance(value, Unknown):
        return value
    if depth > 64:
        return None
    if isinstance(value, dict):
        items: Iterable = value.values()
    elif isinstance(value, (list, tuple)):
        items = value
    else:
        return None
    for item in items:
        found = first_unknown(item, depth + 1)
        if found is not None:
            return found
    return None



def opaque(value: Any) -> Any:
    """`value`, but an unknown that knows part of itself (a `PartlyKnown` prefix, `UnknownLeaves`)
    as a plain `Unknown`: what an operator or a function makes of it is not known in part (the
    prefix of `lower(x)` or of a comparison is not the prefix of `x`)."""
    return Unknown(value.reason) if isinstance(value, Unknown) and type(value) is not Unknown else value


def plain(value: Any, depth: int = 0) -> Any:
    """Materialise lazy objects so a value can be passed to a function or stored."""
    if depth > 64:
        return Unknown("value nested too deeply")
    if isinstance(value, Lazy):
        return plain(value.materialize(), depth + 1)
    if isinstance(value, TfSet):
        return TfSet(plain(v, depth + 1) for v in value)
    if isinstance(value, list):
        return [plain(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {k: plain(v, depth + 1) for k, v in value.items()}
    return value


def to_string(value: Any) -> Any:
    """Terraform's automatic conversion to string (templates, string-typed arguments)."""
    if isinstance(value, (Unknown, str)):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_number(value)
    if value is None:
        raise TfError("a null value cannot be used in a string template")
    raise TfError(f"{kind_of(value)} cannot be converted to a string")


def format_number(value: float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def to_number(value: Any) -> Any:
    if isinstance(value, Unknown):
        return value
    if isinstance(value, bool):
        raise TfError("a bool cannot be used as a number")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise TfError("a string that is not a number cannot be used as a number") from None
        return int(number) if number.is_integer() and "." not in value and "e" not in value.lower() else number
    raise TfError(f"{kind_of(value)} cannot be used as a number")


def to_bool(value: Any) -> Any:
    if isinstance(value, (Unknown, bool)):
        return value
    if value == "true":
        return True
    if value == "false":
        return False
    raise TfError(f"{kind_of(value)} cannot be used as a bool")


def norm_number(n: float) -> float | int:
    if isinstance(n, float) and n.is_integer() and abs(n) < 2**63:
        return int(n)
    return n


def tf_equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(tf_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(tf_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def json_encode(value: Any) -> Any:
    """Terraform's jsonencode: object keys sorted, compact, HTML characters escaped like Go's."""
    value = plain(value)
    unknown = first_unknown(value)
    if unknown is not None:  # the text is unknown; the structure around the unknown leaves is not
        return UnknownLeaves(unknown.reason, value) if isinstance(value, (dict, list, tuple)) else unknown

    def prepare(v: Any) -> Any:
        if isinstance(v, dict):
            return {str(k): prepare(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [prepare(x) for x in v]
        if isinstance(v, float):
            return norm_number(v)
        return v

    try:
        text = json.dumps(prepare(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False)
    except (TypeError, ValueError):
        raise TfError("jsonencode: value cannot be encoded") from None
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") \
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
