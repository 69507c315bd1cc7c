"""CloudFormation's `Fn::*` intrinsic functions, one handler each, and the table that names them.

A handler gets the resolver, the function's argument as written and the path of the `Fn::*` key,
and returns the resolved value: plain Python, `model.Unknown` for what only deployment decides (in
opaque mode `OPAQUE` instead), or it raises through `r.fail` for a malformed call. `Fn::ForEach`
and unknown names are handled by the resolver before the table is consulted.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any, Protocol

from ptclint import budgets
from ptclint.loaders.cloudformation.values import (
    DYNAMIC_REFERENCE,
    OPAQUE,
    SUB_VAR,
    Fail,
    has_unknown,
    kind_of,
    scalar_text,
    shape_of,
    unknown_name,
)
from ptclint.model import Unknown, partly_known


class Resolving(Protocol):
    """What a handler may ask of the resolver (`intrinsics.Resolver`; a protocol, so that this module
    needs no import of it and the two do not import each other)."""

    resources: dict
    parameters: dict
    mappings: dict
    opaque: bool  # opaque mode: values not written in the file become OPAQUE
    fail: Fail

    def value(self, node: Any, path: tuple) -> Any: ...

    def ref(self, name: Any, path: tuple) -> Any: ...

    def pseudo(self, name: str, path: tuple) -> Any: ...

    def getatt(self, lid: Any, attr: Any, path: tuple) -> Any: ...

    def condition(self, name: Any, path: tuple) -> bool | None: ...

    def condition_expr(self, node: Any, path: tuple) -> bool | None: ...

    def args(self, arg: Any, path: tuple, fn: str, low: int, high: int) -> list: ...

    def unknown(self, reason: str) -> Any: ...

    def is_unknown(self, value: Any) -> bool: ...


def _fn_getatt(r: Resolving, arg: Any, path: tuple) -> Any:
    if isinstance(arg, str) and "." in arg:
        lid, attr = arg.split(".", 1)
    elif isinstance(arg, list) and len(arg) == 2:
        lid, attr = arg
    else:
        r.fail(path, f"Fn::GetAtt expects [LogicalId, Attribute] or 'LogicalId.Attribute', got {shape_of(arg)}")
    return r.getatt(lid, attr, path)


def _fn_sub(r: Resolving, arg: Any, path: tuple) -> Any:
    variables: dict = {}
    if isinstance(arg, str):
        template = arg
    elif isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and isinstance(arg[1], dict):
        template, variables = arg
    else:
        r.fail(path, f"Fn::Sub expects a string or [string, {{variables}}], got {shape_of(arg)}")
    out: list[str] = []
    pos = size = 0
    meter = budgets.meter()
    resolved: dict[str, Any] = {}  # each variable once, however often the template names it
    for m in SUB_VAR.finditer(template):
        out.append(template[pos:m.start()])
        pos = m.end()
        name = m.group(1)
        if name.startswith("!"):
            out.append("${" + name[1:] + "}")
            continue
        if name in resolved:
            value = resolved[name]
        elif name in variables:
            value = r.value(variables[name], path + (1, name))
        elif name.startswith("AWS::"):
            value = r.pseudo(name, path)
        elif "." in name:
            lid, attr = name.split(".", 1)
            if lid not in r.resources:
                r.fail(path, f"Fn::Sub: a ${{...}} names no resource of this template{unknown_name(lid, r.resources)}")
            value = r.getatt(lid, attr, path)
        elif name in r.parameters or name in r.resources:
            value = r.ref(name, path)
        else:
            r.fail(path, f"Fn::Sub: a ${{...}} names no parameter, resource or variable"
                         f"{unknown_name(name, [*r.parameters, *r.resources, *variables])}")
        resolved[name] = value
        if r.is_unknown(value):
            if not r.opaque:  # the text before it is known (unless a dynamic reference is resolved later)
                return value if DYNAMIC_REFERENCE in template else partly_known(value, "".join(out))
            value = OPAQUE
        text = scalar_text(value)
        if text is None:
            r.fail(path, f"Fn::Sub: a ${{...}} is {kind_of(value)}, not a string")
        out.append(text)
        size += len(text)
        meter.check_size(size, "Fn::Sub")
    out.append(template[pos:])
    result = "".join(out)
    if DYNAMIC_REFERENCE in template:
        return r.unknown("a dynamic reference ({{resolve:...}}) is resolved at deployment")
    return result


def _fn_join(r: Resolving, arg: Any, path: tuple) -> Any:
    if not isinstance(arg, list) or len(arg) != 2:
        r.fail(path, f"Fn::Join expects [delimiter, [values]], got {shape_of(arg)}")
    delimiter = r.value(arg[0], path + (0,))
    if not isinstance(delimiter, str):
        if r.is_unknown(delimiter):
            return delimiter
        r.fail(path + (0,), f"Fn::Join: the delimiter must be a string, got {kind_of(delimiter)}")
    items = r.value(arg[1], path + (1,))
    if r.is_unknown(items):
        return items
    if not isinstance(items, list):
        r.fail(path + (1,), f"Fn::Join: the values must be a list, got {kind_of(items)}")
    parts: list[str] = []
    for i, item in enumerate(items):
        if r.is_unknown(item):
            if not r.opaque:  # the values before it are known
                return partly_known(item, "".join(p + delimiter for p in parts))
            item = OPAQUE
        text = scalar_text(item)
        if text is None:
            r.fail(path + (1, i), f"Fn::Join: value {i} is {kind_of(item)}, not a string")
        parts.append(text)
    budgets.meter().check_size(sum(map(len, parts)) + len(delimiter) * len(parts), "Fn::Join")
    return delimiter.join(parts)


def _fn_select(r: Resolving, arg: Any, path: tuple) -> Any:
    args = r.args(arg, path, "Fn::Select", 2, 2)
    index = r.value(args[0], path + (0,))
    items = r.value(args[1], path + (1,))
    if r.is_unknown(index):
        return index
    if r.is_unknown(items):
        return items
    try:
        i = int(index) if not isinstance(index, bool) else None
    except (TypeError, ValueError):
        i = None
    if i is None:
        r.fail(path + (0,), f"Fn::Select: the index must be a number, got {kind_of(index)}")
    if not isinstance(items, list):
        r.fail(path + (1,), f"Fn::Select: expected a list to select from, got {kind_of(items)}")
    if not 0 <= i < len(items):
        r.fail(path + (0,), f"Fn::Select: index {i} is out of range for a list of {len(items)}")
    return items[i]


def _fn_split(r: Resolving, arg: Any, path: tuple) -> Any:
    args = r.args(arg, path, "Fn::Split", 2, 2)
    delimiter = r.value(args[0], path + (0,))
    source = r.value(args[1], path + (1,))
    for part, where in ((delimiter, 0), (source, 1)):
        if r.is_unknown(part):
            return part
        if not isinstance(part, str):
            r.fail(path + (where,), f"Fn::Split expects strings, got {kind_of(part)}")
    if delimiter == "":
        r.fail(path + (0,), "Fn::Split: the delimiter must not be empty")
    return source.split(delimiter)


def _fn_if(r: Resolving, arg: Any, path: tuple) -> Any:
    args = r.args(arg, path, "Fn::If", 3, 3)
    decided = r.condition(args[0], path + (0,))
    if decided is True:
        return r.value(args[1], path + (1,))
    if decided is False:
        return r.value(args[2], path + (2,))
    then, other = r.value(args[1], path + (1,)), r.value(args[2], path + (2,))
    if then == other and not has_unknown(then):
        return then
    return r.unknown(f"condition {args[0]} cannot be decided statically")


def _fn_condition(r: Resolving, arg: Any, path: tuple) -> Any:
    result = r.condition_expr({path[-1]: arg}, path[:-1])
    return r.unknown("the condition cannot be decided statically") if result is None else result


def _fn_find_in_map(r: Resolving, arg: Any, path: tuple) -> Any:
    args = r.args(arg, path, "Fn::FindInMap", 3, 4)
    keys = [r.value(a, path + (i,)) for i, a in enumerate(args[:3])]
    for k in keys:
        if r.is_unknown(k):
            return k
    names = [scalar_text(k) for k in keys]
    for i, name in enumerate(names):
        if name is None:
            r.fail(path + (i,), f"Fn::FindInMap: key {i} must be a string, got {kind_of(keys[i])}")
    mapping = r.mappings.get(names[0])
    if not isinstance(mapping, dict):
        r.fail(path + (0,), f"Fn::FindInMap: no such mapping in Mappings{unknown_name(names[0], r.mappings)}")
    top = mapping.get(names[1])
    if isinstance(top, dict) and names[2] in top:
        return r.value(top[names[2]], ("Mappings", names[0], names[1], names[2]))
    if len(args) == 4 and isinstance(args[3], dict) and "DefaultValue" in args[3]:
        return r.value(args[3]["DefaultValue"], path + (3, "DefaultValue"))
    missing = names[1] if not isinstance(top, dict) else names[2]
    r.fail(path, f"Fn::FindInMap: mapping {names[0]!r} has no such key"
                 f"{unknown_name(missing, top if isinstance(top, dict) else mapping)}")


def _fn_base64(r: Resolving, arg: Any, path: tuple) -> Any:
    value = r.value(arg, path)
    if r.is_unknown(value):
        return value
    text = scalar_text(value)
    if text is None:
        r.fail(path, f"Fn::Base64 expects a string, got {kind_of(value)}")
    budgets.meter().check_size(len(text) * 4 // 3 + 4, "Fn::Base64")
    try:
        return base64.b64encode(text.encode("utf-8")).decode("ascii")
    except (UnicodeError, binascii.Error):
        return r.unknown("Fn::Base64 of text that is not valid UTF-8")


def _fn_length(r: Resolving, arg: Any, path: tuple) -> Any:
    value = r.value(arg, path)
    if r.is_unknown(value):
        return value
    if not isinstance(value, list):
        r.fail(path, f"Fn::Length expects a list, got {kind_of(value)}")
    return len(value)


def _fn_to_json_string(r: Resolving, arg: Any, path: tuple) -> Any:
    value = r.value(arg, path)
    if not r.opaque and has_unknown(value):
        return Unknown("Fn::ToJsonString of a value known only at deployment")
    if not isinstance(value, (dict, list)):
        r.fail(path, f"Fn::ToJsonString expects a mapping or a list, got {kind_of(value)}")
    return json.dumps(value, separators=(",", ":"))


def _fn_deploy_time(r: Resolving, arg: Any, path: tuple) -> Any:
    fn = path[-1]
    if fn == "Fn::ImportValue":
        return r.unknown("Fn::ImportValue: the value is exported by another stack")
    if fn == "Fn::Cidr":
        r.args(arg, path, fn, 3, 3)
    return r.unknown(f"{fn} is evaluated by CloudFormation at deployment")

# ------------------------------------------------------------ dependencies


FUNCTIONS: dict[str, Callable[[Resolving, Any, tuple], Any]] = {
    "Fn::GetAtt": _fn_getatt,
    "Fn::Sub": _fn_sub,
    "Fn::Join": _fn_join,
    "Fn::Select": _fn_select,
    "Fn::Split": _fn_split,
    "Fn::If": _fn_if,
    "Fn::FindInMap": _fn_find_in_map,
    "Fn::Base64": _fn_base64,
    "Fn::Length": _fn_length,
    "Fn::ToJsonString": _fn_to_json_string,
    "Fn::Equals": _fn_condition,
    "Fn::And": _fn_condition,
    "Fn::Or": _fn_condition,
    "Fn::Not": _fn_condition,
    "Fn::ImportValue": _fn_deploy_time,
    "Fn::GetAZs": _fn_deploy_time,
    "Fn::Cidr": _fn_deploy_time,
    "Fn::Transform": _fn_deploy_time,
}
