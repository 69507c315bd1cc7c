"""Compound expression forms the evaluator delegates: operators, `for` expressions, string templates.

Each takes the `Evaluator` that called it, to evaluate its operands in the same environment
(and under the same nesting limit).
"""

from __future__ import annotations

import math
import re
from typing import Any, Protocol

from lark import Token, Tree

from ptclint import budgets
from ptclint.loaders.terraform.hcl import children, name_of, parse_expression, split_template, unescape
from ptclint.loaders.terraform.scope import Env
from ptclint.loaders.terraform.values import (
    TfError,
    TfSet,
    first_unknown,
    kind_of,
    norm_number,
    plain,
    tf_equal,
    to_bool,
    to_number,
    to_string,
)
from ptclint.model import Unknown, partly_known


class Evaluator(Protocol):
    """What the forms here need of `expr.Evaluator` (a protocol, so this module does not import it)."""

    def eval(self, node: Any, env: Env) -> Any: ...


def template(ev: Evaluator, parts: list, env: Env) -> Any:
    """A quoted string: literal parts and `${...}` interpolations (directives are not evaluated)."""
    pieces: list[Any] = []
    for part in parts:
        inner = part.children[0] if part.children else None
        if isinstance(inner, Token):
            if inner.type == "STRING_CHARS":
                pieces.append(unescape(str(inner)))
            elif inner.type == "ESCAPED_INTERPOLATION" or inner.type == "ESCAPED_DIRECTIVE":
                pieces.append(str(inner)[1:])
            else:
                pieces.append(str(inner))
        elif isinstance(inner, Tree) and inner.data == "interpolation":
            expr = [k for k in children(inner) if isinstance(k, Tree)][0]
            pieces.append(("expr", expr))
        else:
            raise TfError("template directives (%{ ... }) are not evaluated by ptclint")
    return join_template(ev, pieces, env)


def join_template(ev: Evaluator, pieces: list, env: Env) -> Any:
    """Literal strings and ("expr", tree) pieces -> one string, or the piece's own value for `"${x}"`."""
    if len(pieces) == 1 and isinstance(pieces[0], tuple):
        return ev.eval(pieces[0][1], env)  # "${x}" is x itself, not converted
    out: list[str] = []
    unknown: Unknown | None = None
    size = 0
    meter = budgets.meter()
    for piece in pieces:
        if isinstance(piece, tuple):
            value = plain(ev.eval(piece[1], env))
            value = to_string(value)
            if isinstance(value, Unknown):
                unknown = unknown or partly_known(value, "".join(out))
                continue
            out.append(value)
        else:
            out.append(piece)
        size += len(out[-1])
        meter.check_size(size, "a string template")
    return unknown if unknown is not None else "".join(out)



def heredoc(ev: Evaluator, raw: str, trim: bool, env: Env) -> Any:
    """`<<EOT` / `<<-EOT` (indentation trimmed) text, evaluated as a template."""
    m = re.match(r"<<-?([a-zA-Z][a-zA-Z0-9._-]*)\r?\n", raw)
    if not m:
        raise TfError("heredoc could not be read")
    body = raw[m.end():]
    body = body.rstrip("\n")
    lines = body.split("\n")
    lines = lines[:-1]  # the closing marker line
    if trim:
        indents = [len(ln) - len(ln.lstrip(" \t")) for ln in lines if ln.strip()]
        cut = min(indents) if indents else 0
        lines = [ln[cut:] for ln in lines]
    text = "\n".join(lines) + ("\n" if lines else "")
    return template_text(ev, text, env)


def template_text(ev: Evaluator, text: str, env: Env) -> Any:
    """A template given as raw text (heredoc bodies, templatefile)."""
    pieces = split_template(text)
    if pieces is None:
        raise TfError("template directives (%{ ... }) are not evaluated by ptclint")
    out: list[Any] = []
    for piece in pieces:
        if isinstance(piece, tuple):
            out.append(("expr", parse_expression(piece[1])))
        else:
            out.append(piece)
    return join_template(ev, out, env)


def binary(ev: Evaluator, kids: list, env: Env) -> Any:
    """`a op b`: `&&` and `||` as Terraform (false && unknown is false), comparisons, arithmetic."""
    lhs_node = kids[0]
    term = [k for k in kids[1:] if isinstance(k, Tree) and k.data == "binary_term"][0]
    term_kids = children(term)
    op = name_of(term_kids[0]).strip()
    rhs_node = [k for k in term_kids[1:] if isinstance(k, Tree)][-1]
    lhs = plain(ev.eval(lhs_node, env))
    if op in ("&&", "||"):
        a = to_bool(lhs)
        if a is False and op == "&&":
            return False
        if a is True and op == "||":
            return True
        b = to_bool(plain(ev.eval(rhs_node, env)))
        if (b is False and op == "&&") or (b is True and op == "||"):
            return b
        if isinstance(a, Unknown):
            return a
        return b
    rhs = plain(ev.eval(rhs_node, env))
    if op in ("==", "!="):
        unknown = first_unknown(lhs) or first_unknown(rhs)
        if unknown is not None:
            return unknown
        equal = tf_equal(lhs, rhs)
        return equal if op == "==" else not equal
    a, b = to_number(lhs), to_number(rhs)
    if isinstance(a, Unknown):
        return a
    if isinstance(b, Unknown):
        return b
    if op == "+":
        return norm_number(a + b) if isinstance(a, float) or isinstance(b, float) else a + b
    if op == "-":
        return norm_number(a - b) if isinstance(a, float) or isinstance(b, float) else a - b
    if op == "*":
        return norm_number(a * b) if isinstance(a, float) or isinstance(b, float) else a * b
    if op == "/":
        if b == 0:
            raise TfError("division by zero")
        return norm_number(a / b)
    if op == "%":
        if b == 0:
            raise TfError("division by zero")
        return norm_number(math.fmod(a, b))
    if op == "<":
        return a < b
    if op == ">":
        return a > b
    if op == "<=":
        return a <= b
    if op == ">=":
        return a >= b
    raise TfError(f"operator {op} is not evaluated by ptclint")


def for_expr(ev: Evaluator, node: Tree, env: Env) -> Any:
    """`[for k, v in coll : ...]` and `{for k, v in coll : key => value...}`, with `if` and grouping."""
    kids = children(node)
    intro = next(k for k in kids if isinstance(k, Tree) and k.data == "for_intro")
    cond = next((k for k in kids if isinstance(k, Tree) and k.data == "for_cond"), None)
    exprs = [k for k in kids if isinstance(k, Tree) and k.data not in ("for_intro", "for_cond")]
    grouping = any(isinstance(k, Token) and k.type == "ELLIPSIS" for k in kids)
    names: list[str] = []
    collection_node = None
    seen_in = False
    for k in children(intro):
        if isinstance(k, Token):
            if k.type == "IN":
                seen_in = True
            continue
        if not seen_in and k.data == "identifier":
            names.append(name_of(k))
        elif seen_in:
            collection_node = k
    collection = plain(ev.eval(collection_node, env))
    if isinstance(collection, Unknown):
        return collection
    if isinstance(collection, dict):
        pairs = list(collection.items())
    elif isinstance(collection, (list, tuple)):
        pairs = list(enumerate(collection)) if not isinstance(collection, TfSet) else [(v, v) for v in collection]
    else:
        raise TfError(f"a for expression cannot iterate over {kind_of(collection)}")
    budgets.meter().iterate(len(pairs), "a for expression")
    object_form = node.data == "for_object_expr"
    result_list: list[Any] = []
    result_map: dict[str, Any] = {}
    for key, value in pairs:
        bound = env.bind(**({names[0]: key, names[1]: value} if len(names) == 2 else {names[0]: value}))
        if cond is not None:
            cexpr = [k for k in children(cond) if isinstance(k, Tree)][0]
            keep = to_bool(plain(ev.eval(cexpr, bound)))
            if isinstance(keep, Unknown):
                return keep
            if not keep:
                continue
        if object_form:
            k = to_string(plain(ev.eval(exprs[0], bound)))
            if isinstance(k, Unknown):
                return k
            v = ev.eval(exprs[1], bound)
            if grouping:
                result_map.setdefault(k, []).append(v)
            elif k in result_map:
                raise TfError("a for expression produced the same key twice (use ... to group)")
            else:
                result_map[k] = v
        else:
            result_list.append(ev.eval(exprs[0], bound))
    return result_map if object_form else result_list
