"""Terraform configuration text -> blocks and attributes, and static evaluation of expressions.

Parsing is python-hcl2's (a maintained HCL2 grammar; no point writing our own). We use its raw
Lark parse tree (`hcl2.parses_to_tree`) rather than its dict serialisation: the tree keeps the
line and column of every block and attribute (python-hcl2 8.x's `with_meta` option adds no
positions to the dict output), and it gives expressions as syntax rather than as `"${...}"`
strings that would have to be parsed again. Findings therefore point at the attribute's own
line; no text scanning is needed.

Evaluation is deliberately partial. What Terraform knows before apply and what we can compute
without provider schemas or AWS calls is evaluated: literals, operators, conditionals, string
templates, `for` expressions, splats, variables, locals, references to arguments of other
resources, and a set of pure functions. Everything else is `model.Unknown(reason)`, never a
guess. The reason names references and functions only, never a value, because values may be
secrets.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from lark import Token, Tree

from ptclint.errors import InputError
from ptclint.model import Origin, Unknown

# ---------------------------------------------------------------- values


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
    if isinstance(value, Unknown) or isinstance(value, str):
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


def format_number(value: float | int) -> str:
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
    if isinstance(value, Unknown) or isinstance(value, bool):
        return value
    if value == "true":
        return True
    if value == "false":
        return False
    raise TfError(f"{kind_of(value)} cannot be used as a bool")


def _norm_number(n: float | int) -> float | int:
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
    if unknown is not None:
        return unknown

    def prepare(v: Any) -> Any:
        if isinstance(v, dict):
            return {str(k): prepare(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [prepare(x) for x in v]
        if isinstance(v, float):
            return _norm_number(v)
        return v

    try:
        text = json.dumps(prepare(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False)
    except (TypeError, ValueError):
        raise TfError("jsonencode: value cannot be encoded") from None
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") \
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


# ---------------------------------------------------------------- parsing

@dataclass
class Attr:
    name: str
    expr: Any  # lark Tree
    origin: Origin


@dataclass
class Block:
    type: str
    labels: list[str]
    attrs: dict[str, Attr]
    blocks: list["Block"]
    origin: Origin
    path: str = ""  # file system path of the file

    def blocks_of(self, kind: str) -> list["Block"]:
        return [b for b in self.blocks if b.type == kind]


def _describe_token(token: Any) -> str:
    kind = getattr(token, "type", "")
    if kind == "$END":
        return "end of file"
    if kind in ("STRING_CHARS", "NAME", "INT_LITERAL", "FLOAT_LITERAL"):
        return {"STRING_CHARS": "text", "NAME": "a name", "INT_LITERAL": "a number",
                "FLOAT_LITERAL": "a number"}[kind]
    text = str(token).strip()
    if text and len(text) <= 3 and not any(c.isalnum() for c in text):
        return repr(text)
    return kind.lower().replace("_", " ") or "input"


def parse_hcl(text: str, display: str, path: str = "") -> list[Block]:
    """Parse a .tf (or .tfvars) text into top-level blocks; attributes at top level become a
    pseudo block of type "" (used for .tfvars). Raises InputError with file, line and column."""
    import hcl2
    import lark

    try:
        tree = hcl2.parses_to_tree(text)
    except lark.exceptions.UnexpectedEOF:
        lines = text.split("\n")
        raise InputError(display, "unexpected end of file: the configuration is cut short (a '}' or ']' "
                                  "missing?)", len(lines), len(lines[-1]) + 1) from None
    except lark.exceptions.UnexpectedToken as exc:
        what = _describe_token(exc.token)
        if exc.token.type == "$END":
            message = "unexpected end of file: the configuration is cut short (a '}', ']' or '\"' missing?)"
        else:
            message = f"invalid HCL syntax: unexpected {what}"
        line, column = exc.line if exc.line and exc.line > 0 else None, exc.column if exc.column and exc.column > 0 else None
        if line is None:
            lines = text.split("\n")
            line, column = len(lines), len(lines[-1]) + 1
        raise InputError(display, message, line, column) from None
    except lark.exceptions.UnexpectedCharacters as exc:
        char = exc.char if exc.char and not exc.char.isalnum() else ""
        message = f"invalid HCL syntax: unexpected character {char!r}" if char else "invalid HCL syntax"
        raise InputError(display, message, exc.line, exc.column) from None
    except lark.exceptions.LarkError as exc:  # defensive: any other parser error
        raise InputError(display, f"invalid HCL syntax ({exc.__class__.__name__})") from None
    except RecursionError:
        raise InputError(display, "expression nested too deeply") from None
    body = tree.children[0]
    try:
        attrs, blocks = _body(body, display, path)
    except RecursionError:
        raise InputError(display, "blocks nested too deeply") from None
    if attrs:
        blocks.insert(0, Block("", [], attrs, [], Origin(display, 1, 1), path))
    return blocks


def _children(tree: Tree) -> list:
    return [c for c in tree.children if c is not None and not (isinstance(c, Tree) and c.data == "new_line_or_comment")]


def _origin(tree: Any, display: str) -> Origin:
    meta = getattr(tree, "meta", None)
    line = getattr(meta, "line", None) or getattr(tree, "line", None) or 1
    column = getattr(meta, "column", None) or getattr(tree, "column", None) or 1
    return Origin(display, line, column)


def _name_of(node: Any) -> str:
    """Text of an identifier / keyword / literal_value tree (attribute names, block types)."""
    if isinstance(node, Token):
        return str(node)
    tokens = [c for c in node.children if isinstance(c, Token)]
    return str(tokens[0]) if tokens else ""


def _label(node: Any, display: str) -> str:
    if isinstance(node, Tree) and node.data == "string":
        parts = _children(node)
        out = []
        for part in parts:
            if isinstance(part, Token):
                continue  # quotes
            inner = part.children[0] if part.children else None
            if not isinstance(inner, Token) or inner.type != "STRING_CHARS":
                raise InputError(display, "a block label cannot contain a template", *_pos(node))
            out.append(_unescape(str(inner)))
        return "".join(out)
    return _name_of(node)


def _pos(node: Any) -> tuple[int, int]:
    o = _origin(node, "")
    return o.line, o.column


def _body(body: Tree, display: str, path: str) -> tuple[dict[str, Attr], list[Block]]:
    attrs: dict[str, Attr] = {}
    blocks: list[Block] = []
    for child in _children(body):
        if not isinstance(child, Tree):
            continue
        if child.data == "attribute":
            kids = _children(child)
            name = _name_of(kids[0])
            expr = kids[-1]
            if name in attrs:
                raise InputError(display, f"attribute {name!r} is set twice (first at line "
                                          f"{attrs[name].origin.line})", *_pos(child))
            attrs[name] = Attr(name, expr, _origin(child, display))
        elif child.data == "block":
            kids = _children(child)
            head = []
            inner_body = None
            for k in kids:
                if isinstance(k, Tree) and k.data == "body":
                    inner_body = k
                    break
                if isinstance(k, Tree):
                    head.append(k)
            kind = _name_of(head[0])
            labels = [_label(h, display) for h in head[1:]]
            a, b = _body(inner_body, display, path) if inner_body is not None else ({}, [])
            blocks.append(Block(kind, labels, a, b, _origin(child, display), path))
    return attrs, blocks


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    from hcl2.utils import process_escape_sequences

    return process_escape_sequences(text)


# ---------------------------------------------------------------- traversals (for references)

def traversal(expr: Any) -> tuple[str, list[tuple[str, Any]]] | None:
    """`aws_x.y["k"].arn` -> ("aws_x", [("attr","y"), ("index", <expr>), ("attr","arn")]), else None."""
    steps: list[tuple[str, Any]] = []
    node = expr
    while True:
        if not isinstance(node, Tree):
            return None
        kind = node.data
        kids = _children(node)
        if kind == "expr_term":
            if len(kids) != 1 or isinstance(kids[0], Token):
                return None
            node = kids[0]
        elif kind == "get_attr_expr_term":
            steps.append(("attr", _name_of(_children(kids[1])[-1])))
            node = kids[0]
        elif kind == "index_expr_term":
            index = kids[1]
            if index.data == "short_index":
                steps.append(("index_int", int(str(_children(index)[-1]))))
            else:
                steps.append(("index", [k for k in _children(index) if isinstance(k, Tree)][0]))
            node = kids[0]
        elif kind == "identifier":
            return _name_of(node), list(reversed(steps))
        else:
            return None


# ---------------------------------------------------------------- evaluation

class Env:
    """What names mean where an expression is evaluated: a scope (module instance) plus local
    bindings (each, count, for-expression variables, dynamic-block iterators)."""

    def __init__(self, scope: Any, bindings: dict[str, Any] | None = None) -> None:
        self.scope = scope
        self.bindings = bindings or {}

    def bind(self, **names: Any) -> "Env":
        return Env(self.scope, {**self.bindings, **names})


class Namespace(Lazy):
    """`var`, `local`, `module`, `data`, a resource type: only attribute access is meaningful."""

    def __init__(self, describe: str, getter: Callable[[str], Any]) -> None:
        self.describe = describe
        self._get = getter

    def get(self, name: str) -> Any:
        return self._get(name)

    def materialize(self) -> Any:
        return Unknown(f"{self.describe} used as a whole value")


_MAX_DEPTH = 200


class Evaluator:
    """Evaluates expression trees. `functions` may be extended by the loader (file access)."""

    def __init__(self, base_dir: str = "", root_dir: str = "", max_file_bytes: int = 10 * 1024 * 1024) -> None:
        self.base_dir = base_dir
        self.root_dir = root_dir
        self.max_file_bytes = max_file_bytes
        self.depth = 0

    # -- entry points

    def value(self, expr: Any, env: Env) -> Any:
        """Evaluate; Terraform errors become Unknown with the reason (no value in it)."""
        try:
            return self.eval(expr, env)
        except TfError as exc:
            return Unknown(str(exc))
        except RecursionError:
            return Unknown("expression nested too deeply")

    def eval(self, node: Any, env: Env) -> Any:
        self.depth += 1
        try:
            if self.depth > _MAX_DEPTH:
                raise TfError("expression nested too deeply")
            return self._eval(node, env)
        except (TypeError, ValueError, IndexError, KeyError, AttributeError, OverflowError, ZeroDivisionError) as exc:
            # a shape we did not expect, or a function fed values it cannot take: unknown, never a crash.
            # The exception's text is not kept: it could quote a value.
            raise TfError(f"expression could not be evaluated ({exc.__class__.__name__})") from None
        finally:
            self.depth -= 1

    # -- node kinds

    def _eval(self, node: Any, env: Env) -> Any:
        if isinstance(node, Token):
            raise TfError("unexpected token in expression")
        kind = node.data
        kids = _children(node)
        if kind == "expr_term":
            inner = [k for k in kids if isinstance(k, Tree)]
            return self.eval(inner[0], env)
        if kind == "int_lit":
            return int(str(kids[0]))
        if kind == "float_lit":
            return _norm_number(float(str(kids[0])))
        if kind == "literal_value":
            return {"true": True, "false": False, "null": None}[str(kids[0])]
        if kind == "string":
            return self._template([k for k in kids if isinstance(k, Tree)], env)
        if kind in ("heredoc_template", "heredoc_template_trim"):
            return self._heredoc(str(kids[0]), kind.endswith("trim"), env)
        if kind == "template_string":
            raise TfError("escaped-quote template strings are not evaluated by ptclint")
        if kind == "tuple":
            return [self.eval(k, env) for k in kids if isinstance(k, Tree)]
        if kind == "object":
            return self._object(kids, env)
        if kind == "identifier":
            return self._root(_name_of(node), env)
        if kind == "get_attr_expr_term":
            base = self.eval(kids[0], env)
            return get_attr(base, _name_of(_children(kids[1])[-1]))
        if kind == "index_expr_term":
            base = self.eval(kids[0], env)
            return get_index(base, self._index_key(kids[1], env))
        if kind in ("attr_splat_expr_term", "full_splat_expr_term"):
            return self._splat(kids[0], kids[1], env)
        if kind == "conditional":
            cond, yes, no = [k for k in kids if isinstance(k, Tree)]
            c = to_bool(plain(self.eval(cond, env)))
            if isinstance(c, Unknown):
                return c
            return self.eval(yes if c else no, env)
        if kind == "binary_op":
            return self._binary(kids, env)
        if kind == "unary_op":
            op = str(kids[0]).strip()
            value = plain(self.eval(kids[1], env))
            if op == "!":
                b = to_bool(value)
                return b if isinstance(b, Unknown) else not b
            n = to_number(value)
            return n if isinstance(n, Unknown) else -n
        if kind == "function_call":
            return self._call(kids, env)
        if kind == "for_tuple_expr" or kind == "for_object_expr":
            return self._for(node, env)
        raise TfError(f"expression kind {kind} is not evaluated by ptclint")

    def _index_key(self, index: Tree, env: Env) -> Any:
        kids = _children(index)
        if index.data == "short_index":
            return int(str(kids[-1]))
        expr = [k for k in kids if isinstance(k, Tree)][0]
        return plain(self.eval(expr, env))

    def _root(self, name: str, env: Env) -> Any:
        if name in env.bindings:
            return env.bindings[name]
        if name in ("each", "count"):
            raise TfError(f"'{name}' is used outside a block with {'for_each' if name == 'each' else 'count'}")
        return env.scope.root(name, env)

    def _object(self, kids: list, env: Env) -> Any:
        out: dict[str, Any] = {}
        for elem in kids:
            if not isinstance(elem, Tree) or elem.data != "object_elem":
                continue
            parts = [p for p in _children(elem) if isinstance(p, Tree)]
            key_node, value_node = parts[0], parts[-1]
            key = self._object_key(key_node, env)
            value = self.eval(value_node, env)
            if isinstance(key, Unknown):
                return key
            out[key] = value
        return out

    def _object_key(self, key_node: Tree, env: Env) -> Any:
        inner = [k for k in _children(key_node) if isinstance(k, Tree)]
        if not inner:
            return _name_of(key_node)
        expr = inner[0]
        if expr.data == "keyword":
            return _name_of(expr)
        if expr.data == "expr_term":
            sub = _children(expr)
            if len(sub) == 1 and isinstance(sub[0], Tree) and sub[0].data == "identifier":
                return _name_of(sub[0])  # a bare name is a literal key
            if len(sub) == 1 and isinstance(sub[0], Tree) and sub[0].data == "literal_value":
                return _name_of(sub[0])
        key = plain(self.eval(expr, env))
        if isinstance(key, Unknown):
            return key
        return to_string(key)

    def _template(self, parts: list, env: Env) -> Any:
        pieces: list[Any] = []
        for part in parts:
            inner = part.children[0] if part.children else None
            if isinstance(inner, Token):
                if inner.type == "STRING_CHARS":
                    pieces.append(_unescape(str(inner)))
                elif inner.type == "ESCAPED_INTERPOLATION":
                    pieces.append(str(inner)[1:])
                elif inner.type == "ESCAPED_DIRECTIVE":
                    pieces.append(str(inner)[1:])
                else:
                    pieces.append(str(inner))
            elif isinstance(inner, Tree) and inner.data == "interpolation":
                expr = [k for k in _children(inner) if isinstance(k, Tree)][0]
                pieces.append(("expr", expr))
            else:
                raise TfError("template directives (%{ ... }) are not evaluated by ptclint")
        return self._join_template(pieces, env)

    def _join_template(self, pieces: list, env: Env) -> Any:
        if len(pieces) == 1 and isinstance(pieces[0], tuple):
            return self.eval(pieces[0][1], env)  # "${x}" is x itself, not converted
        out: list[str] = []
        unknown: Unknown | None = None
        for piece in pieces:
            if isinstance(piece, tuple):
                value = plain(self.eval(piece[1], env))
                value = to_string(value)
                if isinstance(value, Unknown):
                    unknown = unknown or value
                    continue
                out.append(value)
            else:
                out.append(piece)
        return unknown if unknown is not None else "".join(out)

    def _heredoc(self, raw: str, trim: bool, env: Env) -> Any:
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
        return self.template_text(text, env)

    def template_text(self, text: str, env: Env) -> Any:
        """A template given as raw text (heredoc bodies, templatefile)."""
        pieces = split_template(text)
        if pieces is None:
            raise TfError("template directives (%{ ... }) are not evaluated by ptclint")
        out: list[Any] = []
        for piece in pieces:
            if isinstance(piece, tuple):
                out.append(("expr", _parse_expression(piece[1])))
            else:
                out.append(piece)
        return self._join_template(out, env)

    def _splat(self, base_node: Any, splat: Tree, env: Env) -> Any:
        base = self.eval(base_node, env)
        if isinstance(base, Unknown):
            return base
        if base is None:
            return []
        items = list(base) if isinstance(base, (list, tuple)) else [base]
        steps = [k for k in _children(splat) if isinstance(k, Tree)]
        out = []
        for item in items:
            value = item
            for step in steps:
                if step.data == "get_attr":
                    value = get_attr(value, _name_of(_children(step)[-1]))
                else:
                    value = get_index(value, self._index_key(step, env))
            out.append(value)
        return out

    def _binary(self, kids: list, env: Env) -> Any:
        lhs_node = kids[0]
        term = [k for k in kids[1:] if isinstance(k, Tree) and k.data == "binary_term"][0]
        term_kids = _children(term)
        op = _name_of(term_kids[0]).strip()
        rhs_node = [k for k in term_kids[1:] if isinstance(k, Tree)][-1]
        lhs = plain(self.eval(lhs_node, env))
        if op in ("&&", "||"):
            a = to_bool(lhs)
            if a is False and op == "&&":
                return False
            if a is True and op == "||":
                return True
            b = to_bool(plain(self.eval(rhs_node, env)))
            if b is False and op == "&&" or b is True and op == "||":
                return b
            if isinstance(a, Unknown):
                return a
            return b
        rhs = plain(self.eval(rhs_node, env))
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
            return _norm_number(a + b) if isinstance(a, float) or isinstance(b, float) else a + b
        if op == "-":
            return _norm_number(a - b) if isinstance(a, float) or isinstance(b, float) else a - b
        if op == "*":
            return _norm_number(a * b) if isinstance(a, float) or isinstance(b, float) else a * b
        if op == "/":
            if b == 0:
                raise TfError("division by zero")
            return _norm_number(a / b)
        if op == "%":
            if b == 0:
                raise TfError("division by zero")
            return _norm_number(math.fmod(a, b))
        if op == "<":
            return a < b
        if op == ">":
            return a > b
        if op == "<=":
            return a <= b
        if op == ">=":
            return a >= b
        raise TfError(f"operator {op} is not evaluated by ptclint")

    def _for(self, node: Tree, env: Env) -> Any:
        kids = _children(node)
        intro = next(k for k in kids if isinstance(k, Tree) and k.data == "for_intro")
        cond = next((k for k in kids if isinstance(k, Tree) and k.data == "for_cond"), None)
        exprs = [k for k in kids if isinstance(k, Tree) and k.data not in ("for_intro", "for_cond")]
        grouping = any(isinstance(k, Token) and k.type == "ELLIPSIS" for k in kids)
        names: list[str] = []
        collection_node = None
        seen_in = False
        for k in _children(intro):
            if isinstance(k, Token):
                if k.type == "IN":
                    seen_in = True
                continue
            if not seen_in and k.data == "identifier":
                names.append(_name_of(k))
            elif seen_in:
                collection_node = k
        collection = plain(self.eval(collection_node, env))
        if isinstance(collection, Unknown):
            return collection
        if isinstance(collection, dict):
            pairs = list(collection.items())
        elif isinstance(collection, (list, tuple)):
            pairs = list(enumerate(collection)) if not isinstance(collection, TfSet) else [(v, v) for v in collection]
        else:
            raise TfError(f"a for expression cannot iterate over {kind_of(collection)}")
        object_form = node.data == "for_object_expr"
        result_list: list[Any] = []
        result_map: dict[str, Any] = {}
        for key, value in pairs:
            bound = env.bind(**({names[0]: key, names[1]: value} if len(names) == 2 else {names[0]: value}))
            if cond is not None:
                cexpr = [k for k in _children(cond) if isinstance(k, Tree)][0]
                keep = to_bool(plain(self.eval(cexpr, bound)))
                if isinstance(keep, Unknown):
                    return keep
                if not keep:
                    continue
            if object_form:
                k = to_string(plain(self.eval(exprs[0], bound)))
                if isinstance(k, Unknown):
                    return k
                v = self.eval(exprs[1], bound)
                if grouping:
                    result_map.setdefault(k, []).append(v)
                elif k in result_map:
                    raise TfError("a for expression produced the same key twice (use ... to group)")
                else:
                    result_map[k] = v
            else:
                result_list.append(self.eval(exprs[0], bound))
        return result_map if object_form else result_list

    def _call(self, kids: list, env: Env) -> Any:
        names = [_name_of(k) for k in kids if isinstance(k, Tree) and k.data == "identifier"]
        name = "::".join(names)
        args_tree = next((k for k in kids if isinstance(k, Tree) and k.data == "arguments"), None)
        arg_nodes = [k for k in _children(args_tree) if isinstance(k, Tree)] if args_tree is not None else []
        expand = args_tree is not None and any(isinstance(k, Token) and k.type == "ELLIPSIS" for k in args_tree.children)
        if name in ("try", "can"):
            return self._try(name, arg_nodes, env)
        fn = FUNCTIONS.get(name)
        if fn is None and name in ("file", "templatefile", "fileexists"):
            return self._file_function(name, arg_nodes, env)
        if fn is None:
            raise TfError(f"function {name}() is not evaluated by ptclint")
        args = [plain(self.eval(a, env)) for a in arg_nodes]
        if expand and args:
            last = args.pop()
            if isinstance(last, Unknown):
                return last
            if not isinstance(last, (list, tuple)):
                raise TfError(f"{name}(): the argument expanded with ... must be a list")
            args.extend(last)
        for a in args:  # an unknown argument makes the result unknown (unknowns inside containers stay in place)
            if isinstance(a, Unknown):
                return a
        return fn(*args)

    def _try(self, name: str, nodes: list, env: Env) -> Any:
        if name == "can":
            if len(nodes) != 1:
                raise TfError("can() takes one argument")
            try:
                value = plain(self.eval(nodes[0], env))
            except TfError:
                return False
            unknown = first_unknown(value)
            return unknown if unknown is not None else True
        for node in nodes:
            try:
                value = plain(self.eval(node, env))
            except TfError:
                continue
            return value  # an Unknown here may or may not have failed: it stays unknown
        raise TfError("try(): no argument could be evaluated")

    def _file_function(self, name: str, nodes: list, env: Env) -> Any:
        args = [plain(self.eval(a, env)) for a in nodes]
        for a in args:
            if isinstance(a, Unknown):
                return a
        if not args or not isinstance(args[0], str):
            raise TfError(f"{name}() needs a path")
        path = args[0]
        if not os.path.isabs(path):
            path = os.path.join(os.getcwd(), path) if not self.root_dir else os.path.join(self.root_dir, path)
        real = os.path.realpath(path)
        # Only files inside the scanned tree: a configuration under review must not make ptclint read
        # (and print in a finding) something like /proc/self/environ.
        roots = [os.path.realpath(os.getcwd())] + ([os.path.realpath(self.root_dir)] if self.root_dir else [])
        if not any(real == r or real.startswith(r.rstrip(os.sep) + os.sep) for r in roots):
            raise TfError(f"{name}(): the file lies outside the scanned directory and is not read")
        if name == "fileexists":
            return os.path.isfile(real)
        try:
            if os.path.getsize(real) > self.max_file_bytes:
                raise TfError(f"{name}(): the file is larger than the input size limit")
            with open(real, "rb") as fh:
                text = fh.read().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            raise TfError(f"{name}(): the file cannot be read") from None
        text = text.replace("\r\n", "\n")
        if name == "file":
            return text
        variables = args[1] if len(args) > 1 else {}
        if not isinstance(variables, dict):
            raise TfError("templatefile(): the second argument must be a map")
        return self.template_text(text, Env(_NoScope(), dict(variables)))


class _NoScope:
    def root(self, name: str, env: Env) -> Any:
        raise TfError(f"templatefile(): {name} is not one of the template's variables")


def get_attr(value: Any, name: str) -> Any:
    if isinstance(value, Unknown):
        return value
    if isinstance(value, Lazy):
        return value.get(name)
    if isinstance(value, dict):
        if name in value:
            return value[name]
        raise TfError(f"the object has no attribute {name!r}")
    if value is None:
        raise TfError(f"attribute {name!r} of a null value")
    raise TfError(f"{kind_of(value)} has no attribute {name!r}")


def get_index(value: Any, key: Any) -> Any:
    if isinstance(value, Unknown):
        return value
    if isinstance(key, Unknown):
        return key
    if isinstance(value, Lazy):
        return value.index(key)
    if isinstance(value, dict):
        k = to_string(key) if not isinstance(key, str) else key
        if k in value:
            return value[k]
        raise TfError("the map has no element for the given key")
    if isinstance(value, TfSet):
        raise TfError("a set cannot be indexed")
    if isinstance(value, list):
        n = to_number(key)
        if isinstance(n, Unknown):
            return n
        if not isinstance(n, int) and not (isinstance(n, float) and n.is_integer()):
            raise TfError("a list index must be a whole number")
        n = int(n)
        if 0 <= n < len(value):
            return value[n]
        raise TfError("list index out of range")
    if value is None:
        raise TfError("index of a null value")
    raise TfError(f"{kind_of(value)} cannot be indexed")


def split_template(text: str) -> list | None:
    """Split template text into literal strings and ("expr", source) pieces; None for directives."""
    out: list[Any] = []
    buf: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text.startswith("$${", i):
            buf.append("${")
            i += 3
            continue
        if text.startswith("%%{", i):
            buf.append("%{")
            i += 3
            continue
        if text.startswith("%{", i):
            return None
        if text.startswith("${", i):
            end = _matching_brace(text, i + 2)
            if end < 0:
                raise TfError("unterminated ${ in a template")
            if buf:
                out.append("".join(buf))
                buf = []
            source = text[i + 2:end].strip()
            if source.startswith("~") or source.endswith("~"):
                source = source.strip("~").strip()
            out.append(("expr", source))
            i = end + 1
            continue
        buf.append(text[i])
        i += 1
    if buf:
        out.append("".join(buf))
    return out


def _matching_brace(text: str, i: int) -> int:
    depth = 1
    n = len(text)
    while i < n:
        c = text[i]
        if c == '"':
            i += 1
            while i < n and text[i] != '"':
                if text[i] == "\\":
                    i += 1
                elif text.startswith("${", i):
                    end = _matching_brace(text, i + 2)
                    if end < 0:
                        return -1
                    i = end
                i += 1
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _parse_expression(source: str) -> Any:
    import hcl2
    import lark

    try:
        tree = hcl2.parses_to_tree(f"x = {source}\n")
    except (lark.exceptions.LarkError, RecursionError):
        raise TfError("an interpolation in a template could not be parsed") from None
    attr = [c for c in _children(tree.children[0]) if isinstance(c, Tree) and c.data == "attribute"]
    if not attr:
        raise TfError("an interpolation in a template could not be parsed")
    return _children(attr[0])[-1]


def parse_expression(source: str) -> Any:
    """Parse one expression (a --var value); raises TfError."""
    return _parse_expression(source)


# ---------------------------------------------------------------- functions

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
        if isinstance(arg, Unknown):
            return arg
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
        try:
            pattern = re.compile(old[1:-1])
        except re.error:
            raise TfError("replace(): the regular expression is not valid") from None
        return pattern.sub(re.sub(r"\$(\d+)|\$\{(\d+)\}", lambda m: "\\" + (m.group(1) or m.group(2)), new), s)
    return s.replace(old, new)


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
    out: list[Any] = []
    x = start
    while (x < stop if step > 0 else x > stop) and len(out) < 1024:
        out.append(_norm_number(x))
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
    "reverse": lambda v: list(reversed(v)) if isinstance(v, (list, tuple)) else _need(False, "reverse(): expected a list"),
    "range": _range,
    "setunion": _setunion,
    "min": lambda *a: min(to_number(x) for x in a),
    "max": lambda *a: max(to_number(x) for x in a),
    "abs": lambda n: abs(to_number(n)),
    "sensitive": lambda v: v,
    "nonsensitive": lambda v: v,
}


__all__ = [
    "Attr",
    "Block",
    "Env",
    "Evaluator",
    "Lazy",
    "Namespace",
    "TfError",
    "TfSet",
    "first_unknown",
    "get_attr",
    "get_index",
    "json_encode",
    "kind_of",
    "parse_expression",
    "parse_hcl",
    "plain",
    "to_string",
    "traversal",
]
