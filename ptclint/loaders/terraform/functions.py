"""Terraform's built-in functions that ptclint evaluates statically (pure ones only).

A function either returns a value, returns the first Unknown among its inputs, or raises
`TfError` (Terraform would reject the call); `try()` / `can()` rely on that. File functions
(`file`, `templatefile`, `fileexists`) and `try` / `can` need the evaluator and live in `expr`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

import re2

from ptclint import budgets
from ptclint.loaders.terraform.values import (
    TfError,
    TfSet,
    first_unknown,
    json_encode,
    norm_number,
    tf_equal,
    to_bool,
    to_number,
    to_string,
)
from ptclint.model import Unknown, partly_known


def _need(cond: bool, message: str) -> None:
    if not cond:
        raise TfError(message)


def _str_arg(name: str, value: Any) -> str:
    value = to_string(value)
    _need(isinstance(value, str), f"{name}(): expected a string")
    return value


_FORMAT_RE = re.compile(r"%(?:\[(\d+)\])?([-+# 0]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])")


def _format(fmt: Any, *args: Any) -> Any:
    fmt = _str_arg("format", fmt)
    out: list[str] = []
    pos = 0
    argi = 0
    for m in _FORMAT_RE.finditer(fmt):
        out.append(fmt[pos:m.start()])
        pos = m.end()
        explicit, flags, width, prec, verb = m.groups()
        if verb == "%":
            out.append("%")
            continue
        if explicit:
            argi = int(explicit) - 1
        _need(0 <= argi < len(args), "format(): not enough arguments")
        arg = args[argi]
        argi += 1
        if isinstance(arg, Unknown):  # the text before it is known (unless a width pads it on the left)
            return arg if width and "-" not in flags else partly_known(arg, "".join(out))
        if verb in ("s", "v"):
            if verb == "v" and not isinstance(arg, (str, int, float, bool)):
                text = json_encode(arg)
                if isinstance(text, Unknown):
                    return text
            else:
                text = to_string(arg)
        elif verb == "q":
            text = json.dumps(_str_arg("format", arg), ensure_ascii=False)
        elif verb == "d":
            n = to_number(arg)
            _need(isinstance(n, int) or (isinstance(n, float) and n.is_integer()), "format(): %d needs a whole number")
            text = str(int(n))
        elif verb in ("f", "e", "g"):
            n = to_number(arg)
            spec = f".{prec}{verb}" if prec is not None else ("f" if verb == "f" else verb)
            text = format(float(n), spec)
        elif verb == "t":
            b = to_bool(arg)
            text = "true" if b else "false"
        else:
            raise TfError(f"format(): verb %{verb} is not evaluated by ptclint")
        if width and int(width) > 4096:
            raise TfError("format(): field width too large")
        if width:
            text = text.ljust(int(width)) if "-" in flags else text.rjust(int(width), "0" if "0" in flags else " ")
        out.append(text)
    out.append(fmt[pos:])
    return "".join(out)


def _join(sep: Any, *lists: Any) -> Any:
    sep = _str_arg("join", sep)
    items: list[Any] = []
    for lst in lists:
        _need(isinstance(lst, (list, tuple)), "join(): expected lists")
        items.extend(lst)
    strings = []
    for item in items:
        s = to_string(item)
        if isinstance(s, Unknown):
            return s
        strings.append(s)
    return sep.join(strings)


def _concat(*lists: Any) -> Any:
    out: list[Any] = []
    for lst in lists:
        _need(isinstance(lst, (list, tuple)), "concat(): expected lists")
        out.extend(lst)
    return out


def _merge(*maps: Any) -> Any:
    out: dict[str, Any] = {}
    for m in maps:
        if m is None:
            continue
        _need(isinstance(m, dict), "merge(): expected maps or objects")
        out.update(m)
    return out


def _lookup(m: Any, key: Any, *default: Any) -> Any:
    _need(isinstance(m, dict), "lookup(): expected a map")
    key = _str_arg("lookup", key)
    if key in m:
        return m[key]
    _need(bool(default), "lookup(): the key is not in the map and no default is given")
    return default[0]


def _tomap(m: Any) -> Any:
    _need(isinstance(m, dict), "tomap(): expected a map or object")
    return dict(m)


def _toset(v: Any) -> Any:
    _need(isinstance(v, (list, tuple)), "toset(): expected a list or set")
    seen: list[Any] = []
    for item in v:
        if isinstance(item, Unknown):
            return item
        if not any(tf_equal(item, s) for s in seen):
            seen.append(item)
    if all(isinstance(s, str) for s in seen):
        seen.sort()
    return TfSet(seen)


def _tolist(v: Any) -> Any:
    _need(isinstance(v, (list, tuple)), "tolist(): expected a list or set")
    return list(v)


def _keys(m: Any) -> Any:
    _need(isinstance(m, dict), "keys(): expected a map or object")
    return sorted(m)


def _values(m: Any) -> Any:
    _need(isinstance(m, dict), "values(): expected a map or object")
    return [m[k] for k in sorted(m)]


def _replace(s: Any, old: Any, new: Any) -> Any:
    s, old, new = _str_arg("replace", s), _str_arg("replace", old), _str_arg("replace", new)
    if len(old) > 1 and old.startswith("/") and old.endswith("/"):
        pattern = _re2(old[1:-1])
        # Terraform's (Go's) `$1` / `${1}` / `${name}` in the replacement; `$$` is a literal `$`
        template = re.sub(r"\\", r"\\\\", new)
        template = re.sub(r"\$(?:\$|(\d+)|\{(\w+)\})",
                          lambda m: "$" if m.group(0) == "$$" else "\\g<" + (m.group(1) or m.group(2)) + ">",
                          template)
        try:
            out = pattern.sub(template, s)
        except (re2.error, IndexError, KeyError, ValueError):
            raise TfError("replace(): the replacement refers to a group the expression does not have") from None
        budgets.meter().check_size(len(out), "replace()")
        return out
    if old and new and len(new) > len(old):
        budgets.meter().check_size(len(s) // len(old) * len(new) + len(s), "replace()")
    return s.replace(old, new)


_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # RE2 would print the (user's) pattern to stderr


def _re2(pattern: str) -> Any:
    """A configuration's pattern, compiled with RE2 as Terraform does (linear time, RE2 syntax)."""
    try:
        return re2.compile(pattern, options=_RE2_OPTIONS)
    except re2.error:
        raise TfError("the regular expression is not valid RE2 syntax") from None


def _trimsuffix(s: Any, suffix: Any) -> Any:
    s, suffix = _str_arg("trimsuffix", s), _str_arg("trimsuffix", suffix)
    return s[: -len(suffix)] if suffix and s.endswith(suffix) else s


def _trimprefix(s: Any, prefix: Any) -> Any:
    s, prefix = _str_arg("trimprefix", s), _str_arg("trimprefix", prefix)
    return s[len(prefix):] if prefix and s.startswith(prefix) else s


def _length(v: Any) -> Any:
    if isinstance(v, str):
        return len(v)
    _need(isinstance(v, (list, tuple, dict)), "length(): expected a string, list or map")
    return len(v)


def _coalesce(*args: Any) -> Any:
    for a in args:
        if isinstance(a, Unknown):
            return a
        if a is not None and a != "":
            return a
    raise TfError("coalesce(): no non-empty argument")


def _coalescelist(*args: Any) -> Any:
    for a in args:
        if isinstance(a, Unknown):
            return a
        _need(isinstance(a, (list, tuple)), "coalescelist(): expected lists")
        if a:
            return list(a)
    raise TfError("coalescelist(): no non-empty list")


def _compact(v: Any) -> Any:
    _need(isinstance(v, (list, tuple)), "compact(): expected a list")
    for item in v:
        if isinstance(item, Unknown):
            return item
    return [x for x in v if x is not None and x != ""]


def _contains(v: Any, x: Any) -> Any:
    _need(isinstance(v, (list, tuple)), "contains(): expected a list or set")
    unknown = first_unknown(v) or first_unknown(x)
    if unknown is not None:
        return unknown
    return any(tf_equal(x, y) for y in v)


def _distinct(v: Any) -> Any:
    _need(isinstance(v, (list, tuple)), "distinct(): expected a list")
    out: list[Any] = []
    for item in v:
        if isinstance(item, Unknown):
            return item
        if not any(tf_equal(item, o) for o in out):
            out.append(item)
    return out


def _element(v: Any, i: Any) -> Any:
    _need(isinstance(v, (list, tuple)) and not isinstance(v, TfSet), "element(): expected a list")
    _need(len(v) > 0, "element(): the list is empty")
    n = to_number(i)
    return v[int(n) % len(v)]


def _flatten(v: Any) -> Any:
    _need(isinstance(v, (list, tuple)), "flatten(): expected a list")
    out: list[Any] = []

    def walk(x: Any) -> None:
        for item in x:
            if isinstance(item, (list, tuple)):
                walk(item)
            else:
                out.append(item)

    walk(v)
    return out


def _jsondecode(s: Any) -> Any:
    s = _str_arg("jsondecode", s)
    try:
        return json.loads(s)
    except ValueError:
        raise TfError("jsondecode(): the string is not valid JSON") from None


def _split(sep: Any, s: Any) -> Any:
    sep, s = _str_arg("split", sep), _str_arg("split", s)
    _need(sep != "", "split(): the separator is empty")
    return s.split(sep)


def _substr(s: Any, offset: Any, length: Any) -> Any:
    s = _str_arg("substr", s)
    o, n = int(to_number(offset)), int(to_number(length))
    if o < 0:
        o = max(len(s) + o, 0)
    return s[o:] if n < 0 else s[o:o + n]


def _zipmap(keys: Any, values: Any) -> Any:
    _need(isinstance(keys, (list, tuple)) and isinstance(values, (list, tuple)) and len(keys) == len(values),
          "zipmap(): expected two lists of the same length")
    out = {}
    for k, v in zip(keys, values):
        k = to_string(k)
        if isinstance(k, Unknown):
            return k
        out[k] = v
    return out


def _one(v: Any) -> Any:
    _need(isinstance(v, (list, tuple)) and len(v) <= 1, "one(): expected a list of zero or one element")
    return v[0] if v else None


def _sort(v: Any) -> Any:
    _need(isinstance(v, (list, tuple)), "sort(): expected a list")
    strings = [to_string(x) for x in v]
    for s in strings:
        if isinstance(s, Unknown):
            return s
    return sorted(strings)


def _tostring(v: Any) -> Any:
    if v is None:
        return None
    return to_string(v)


def _tonumber(v: Any) -> Any:
    return None if v is None else to_number(v)


def _tobool(v: Any) -> Any:
    return None if v is None else to_bool(v)


def _range(*args: Any) -> Any:
    nums = [to_number(a) for a in args]
    _need(1 <= len(nums) <= 3, "range(): one to three arguments")
    start, stop, step = (0, nums[0], 1) if len(nums) == 1 else (nums[0], nums[1], nums[2] if len(nums) == 3 else 1)
    _need(step != 0, "range(): step is zero")
    _need(all(isinstance(n, (int, float)) and math.isfinite(n) for n in (start, stop, step)),
          "range(): expected finite numbers")
    meter = budgets.meter()
    length = max(0, math.ceil((stop - start) / step))
    _need(length <= 1024, "range(): more than 1024 elements")  # Terraform's own limit: refused, never cut short
    meter.iterate(length, "range()")
    out: list[Any] = []
    x = start
    while x < stop if step > 0 else x > stop:
        out.append(norm_number(x))
        x += step
    return out


def _setunion(*sets: Any) -> Any:
    items: list[Any] = []
    for s in sets:
        _need(isinstance(s, (list, tuple)), "setunion(): expected sets")
        items.extend(s)
    return _toset(items)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "format": _format,
    "lower": lambda s: _str_arg("lower", s).lower(),
    "upper": lambda s: _str_arg("upper", s).upper(),
    "title": lambda s: re.sub(r"\b([a-z])", lambda m: m.group(1).upper(), _str_arg("title", s)),
    "join": _join,
    "concat": _concat,
    "merge": _merge,
    "lookup": _lookup,
    "tomap": _tomap,
    "toset": _toset,
    "tolist": _tolist,
    "tostring": _tostring,
    "tonumber": _tonumber,
    "tobool": _tobool,
    "keys": _keys,
    "values": _values,
    "replace": _replace,
    "trimsuffix": _trimsuffix,
    "trimprefix": _trimprefix,
    "trimspace": lambda s: _str_arg("trimspace", s).strip(),
    "trim": lambda s, chars: _str_arg("trim", s).strip(_str_arg("trim", chars)),
    "startswith": lambda s, p: _str_arg("startswith", s).startswith(_str_arg("startswith", p)),
    "endswith": lambda s, p: _str_arg("endswith", s).endswith(_str_arg("endswith", p)),
    "substr": _substr,
    "split": _split,
    "length": _length,
    "coalesce": _coalesce,
    "coalescelist": _coalescelist,
    "compact": _compact,
    "contains": _contains,
    "distinct": _distinct,
    "element": _element,
    "flatten": _flatten,
    "jsonencode": json_encode,
    "jsondecode": _jsondecode,
    "zipmap": _zipmap,
    "one": _one,
    "sort": _sort,
    "reverse": lambda v: list(reversed(v)) if isinstance(v, (list, tuple))
    else _need(False, "reverse(): expected a list"),
    "range": _range,
    "setunion": _setunion,
    "min": lambda *a: min(to_number(x) for x in a),
    "max": lambda *a: max(to_number(x) for x in a),
    "abs": lambda n: abs(to_number(n)),
    "sensitive": lambda v: v,
    "nonsensitive": lambda v: v,
}
