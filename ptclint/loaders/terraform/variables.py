"""Input variables: the values the root module is given, and conversion to a variable's declared type.

Precedence, lowest first: defaults < terraform.tfvars(.json) < *.auto.tfvars(.json) < --var-file < --var.
A value given with --var is a string unless the variable's type says otherwise; it is never echoed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from lark import Tree

from ptclint.errors import InputError
from ptclint.loaders import display_path
from ptclint.loaders.terraform.expr import Evaluator
from ptclint.loaders.terraform.functions import FUNCTIONS
from ptclint.loaders.terraform.hcl import Block, children, name_of, parse_hcl, traversal, unwrap
from ptclint.loaders.terraform.literals import literal_key
from ptclint.loaders.terraform.objects import Options
from ptclint.loaders.terraform.scope import Env, NoReferences
from ptclint.loaders.terraform.values import TfError, kind_of, to_bool, to_number, to_string
from ptclint.model import Unknown


def root_variable_values(root_dir: str, options: Options, read: Callable[[str, str], str]) -> dict[str, Any]:
    """The root module's variables as given: name -> ("value", v) | ("expr", tree) | ("cli", text), each with
    the place it was given (file, line, column)."""
    values: dict[str, Any] = {}
    files = []
    for fname in ("terraform.tfvars", "terraform.tfvars.json"):
        path = os.path.join(root_dir, fname)
        if os.path.isfile(path):
            files.append(path)
    try:
        names = sorted(os.listdir(root_dir))
    except OSError:
        names = []
    files += [os.path.join(root_dir, n) for n in names
              if n.endswith((".auto.tfvars", ".auto.tfvars.json"))
              and os.path.isfile(os.path.join(root_dir, n))]
    files += list(options.var_files)
    for path in files:
        values.update(_read_var_file(path, read))
    for item in options.vars:
        key, sep, raw = str(item).partition("=")
        key = key.strip()
        if not sep or not key:
            raise InputError("--var", "expected KEY=VALUE with a non-empty KEY")  # the value is not echoed
        values[key] = ("cli", raw, ("--var", None, None))
    return values


def _read_var_file(path: str, read: Callable[[str, str], str]) -> dict[str, Any]:
    shown = display_path(path)
    if not os.path.isfile(path):
        raise InputError(shown, "no such variables file")
    text = read(path, shown)
    if path.endswith(".json"):
        from ptclint import parsing

        doc = parsing.parse_json(shown, text)
        if not isinstance(doc.data, dict):
            raise InputError(shown, "a .tfvars.json file must hold a JSON object", 1, 1)
        return {k: ("value", v, (shown, *_line_col(doc.key_positions.get((k,))))) for k, v in doc.data.items()}
    out: dict[str, Any] = {}
    for block in parse_hcl(text, shown, path):
        if block.type != "":
            raise InputError(shown, f"a variables file holds only NAME = value lines, not a {block.type} block",
                             block.origin.line, block.origin.column)
        for attr in block.attrs.values():
            out[attr.name] = ("expr", attr.expr, (shown, attr.origin.line, attr.origin.column))
    return out


def _line_col(pos: Any) -> tuple[int | None, int | None]:
    return (pos.line, pos.column) if pos is not None else (None, None)


def is_sensitive(decl: Block | None) -> bool:
    """`sensitive = true` on a variable declaration."""
    attr = decl.attrs.get("sensitive") if decl is not None else None
    return attr is not None and Evaluator().value(attr.expr, Env(NoReferences())) is True


def non_nullable(decl: Block) -> bool:
    """`nullable = false`: a null given for the variable means its default."""
    attr = decl.attrs.get("nullable")
    if attr is None:
        return False
    return Evaluator().value(attr.expr, Env(NoReferences())) is False


def type_name(expr: Any) -> str:
    """`string` for `type = string`; "" for a compound type."""
    t = traversal(expr)
    return t[0] if t and not t[1] else ""


# ---------------------------------------------------------------- declared types

MISMATCH = "a variable's value does not match its type"


def convert(value: Any, type_expr: Any) -> Any:
    """Convert a variable's value to its declared type (fills optional object attributes)."""
    try:
        spec = _type_spec(type_expr)
    except TfError:
        return value
    try:
        return _convert(value, spec)
    except TfError as exc:
        return Unknown(f"{MISMATCH} ({exc})")


def _type_spec(expr: Any) -> Any:
    node = unwrap(expr)
    if isinstance(node, Tree) and node.data == "identifier":
        return name_of(node)
    if isinstance(node, Tree) and node.data == "function_call":
        fname = name_of([k for k in children(node) if isinstance(k, Tree) and k.data == "identifier"][0])
        args_tree = next((k for k in children(node) if isinstance(k, Tree) and k.data == "arguments"), None)
        args = [k for k in children(args_tree) if isinstance(k, Tree)] if args_tree is not None else []
        if fname in ("list", "set", "map") and len(args) == 1:
            return (fname, _type_spec(args[0]))
        if fname == "optional" and args:
            default = Evaluator().value(args[1], Env(NoReferences())) if len(args) > 1 else None
            return ("optional", _type_spec(args[0]), default)
        if fname == "object" and len(args) == 1:
            obj = unwrap(args[0])
            attrs = {}
            for elem in children(obj):
                if isinstance(elem, Tree) and elem.data == "object_elem":
                    parts = [p for p in children(elem) if isinstance(p, Tree)]
                    key = literal_key(parts[0])
                    if key is None:
                        raise TfError("object type attribute")
                    attrs[key] = _type_spec(parts[-1])
            return ("object", attrs)
        if fname == "tuple" and len(args) == 1:
            inner = unwrap(args[0])
            return ("tuple", [_type_spec(e) for e in children(inner) if isinstance(e, Tree)])
    raise TfError("type expression")


def _convert(value: Any, spec: Any) -> Any:
    if isinstance(value, Unknown) or value is None:
        return value
    if spec == "any":
        return value
    if spec == "string":
        if isinstance(value, (dict, list, tuple)):
            raise TfError(f"{kind_of(value)} is not a string")
        return to_string(value)
    if spec == "number":
        return to_number(value)
    if spec == "bool":
        return to_bool(value)
    if isinstance(spec, tuple):
        kind = spec[0]
        if kind == "optional":
            return _convert(value, spec[1])
        if kind in ("list", "set"):
            if not isinstance(value, (list, tuple)):
                raise TfError(f"{kind_of(value)} is not a {kind}")
            items = [_convert(v, spec[1]) for v in value]
            if kind == "set":
                return FUNCTIONS["toset"](items)
            return items
        if kind == "map":
            if not isinstance(value, dict):
                raise TfError(f"{kind_of(value)} is not a map")
            return {k: _convert(v, spec[1]) for k, v in value.items()}
        if kind == "object":
            if not isinstance(value, dict):
                raise TfError(f"{kind_of(value)} is not an object")
            out = {}
            for attr, aspec in spec[1].items():
                if attr in value:
                    v = value[attr]
                    if v is None and isinstance(aspec, tuple) and aspec[0] == "optional" and len(aspec) > 2:
                        v = aspec[2]
                    out[attr] = _convert(v, aspec)
                elif isinstance(aspec, tuple) and aspec[0] == "optional":
                    out[attr] = _convert(aspec[2], aspec[1]) if len(aspec) > 2 else None
                else:
                    raise TfError(f"attribute {attr!r} is required")
            return out
        if kind == "tuple":
            if not isinstance(value, (list, tuple)) or len(value) != len(spec[1]):
                raise TfError("the value does not match the tuple type")
            return [_convert(v, s) for v, s in zip(value, spec[1])]
    return value
