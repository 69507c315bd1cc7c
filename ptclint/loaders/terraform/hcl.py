"""HCL text -> blocks and attributes with positions, and access to python-hcl2's parse tree.

Parsing is python-hcl2's (a maintained HCL2 grammar; no point writing our own). We use its raw
Lark parse tree (`hcl2.parses_to_tree`) rather than its dict serialisation: the tree keeps the
line and column of every block and attribute (python-hcl2 8.x's `with_meta` option adds no
positions to the dict output), and it gives expressions as syntax rather than as `"${...}"`
strings that would have to be parsed again. Findings therefore point at the attribute's own
line; no text scanning is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lark import Token, Tree

from ptclint.errors import InputError
from ptclint.loaders.terraform.values import TfError
from ptclint.model import Origin


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
    blocks: list[Block]
    origin: Origin
    path: str = ""  # file system path of the file

    def blocks_of(self, kind: str) -> list[Block]:
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
        line = exc.line if exc.line and exc.line > 0 else None
        column = exc.column if exc.column and exc.column > 0 else None
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


def children(tree: Tree) -> list:
    return [c for c in tree.children if c is not None and not (isinstance(c, Tree) and c.data == "new_line_or_comment")]


def _origin(tree: Any, display: str) -> Origin:
    meta = getattr(tree, "meta", None)
    line = getattr(meta, "line", None) or getattr(tree, "line", None) or 1
    column = getattr(meta, "column", None) or getattr(tree, "column", None) or 1
    return Origin(display, line, column)


def name_of(node: Any) -> str:
    """Text of an identifier / keyword / literal_value tree (attribute names, block types)."""
    if isinstance(node, Token):
        return str(node)
    tokens = [c for c in node.children if isinstance(c, Token)]
    return str(tokens[0]) if tokens else ""


def _label(node: Any, display: str) -> str:
    if isinstance(node, Tree) and node.data == "string":
        parts = children(node)
        out = []
        for part in parts:
            if isinstance(part, Token):
                continue  # quotes
            inner = part.children[0] if part.children else None
            if not isinstance(inner, Token) or inner.type != "STRING_CHARS":
                raise InputError(display, "a block label cannot contain a template", *_pos(node))
            out.append(unescape(str(inner)))
        return "".join(out)
    return name_of(node)


def _pos(node: Any) -> tuple[int, int]:
    o = _origin(node, "")
    return o.line, o.column


def _body(body: Tree, display: str, path: str) -> tuple[dict[str, Attr], list[Block]]:
    attrs: dict[str, Attr] = {}
    blocks: list[Block] = []
    for child in children(body):
        if not isinstance(child, Tree):
            continue
        if child.data == "attribute":
            kids = children(child)
            name = name_of(kids[0])
            expr = kids[-1]
            if name in attrs:
                raise InputError(display, f"attribute {name!r} is set twice (first at line "
                                          f"{attrs[name].origin.line})", *_pos(child))
            attrs[name] = Attr(name, expr, _origin(child, display))
        elif child.data == "block":
            kids = children(child)
            head = []
            inner_body = None
            for k in kids:
                if isinstance(k, Tree) and k.data == "body":
                    inner_body = k
                    break
                if isinstance(k, Tree):
                    head.append(k)
            kind = name_of(head[0])
            labels = [_label(h, display) for h in head[1:]]
            a, b = _body(inner_body, display, path) if inner_body is not None else ({}, [])
            blocks.append(Block(kind, labels, a, b, _origin(child, display), path))
    return attrs, blocks


def unescape(text: str) -> str:
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
        kids = children(node)
        if kind == "expr_term":
            if len(kids) != 1 or isinstance(kids[0], Token):
                return None
            node = kids[0]
        elif kind == "get_attr_expr_term":
            steps.append(("attr", name_of(children(kids[1])[-1])))
            node = kids[0]
        elif kind == "index_expr_term":
            index = kids[1]
            if index.data == "short_index":
                steps.append(("index_int", int(str(children(index)[-1]))))
            else:
                steps.append(("index", [k for k in children(index) if isinstance(k, Tree)][0]))
            node = kids[0]
        elif kind == "identifier":
            return name_of(node), list(reversed(steps))
        else:
            return None


def reference_name(expr: Any) -> str | None:
    """`aws.east` / `var.x.y` as a dotted name: a reference made of attribute steps only, else None."""
    t = traversal(expr)
    if t is None:
        return None
    root, steps = t
    if any(kind != "attr" for kind, _ in steps):
        return None
    return ".".join([root, *[s for _, s in steps]])


def unwrap(node: Any) -> Any:
    """The expression inside `expr_term` nodes that wrap exactly one child."""
    while isinstance(node, Tree) and node.data == "expr_term" and len(children(node)) == 1:
        node = children(node)[0]
    return node


# ---------------------------------------------------------------- template text

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


def parse_expression(source: str) -> Any:
    """Parse one expression (a template interpolation, a --var value); raises TfError."""
    import hcl2
    import lark

    try:
        tree = hcl2.parses_to_tree(f"x = {source}\n")
    except (lark.exceptions.LarkError, RecursionError):
        raise TfError("an interpolation in a template could not be parsed") from None
    attr = [c for c in children(tree.children[0]) if isinstance(c, Tree) and c.data == "attribute"]
    if not attr:
        raise TfError("an interpolation in a template could not be parsed")
    return children(attr[0])[-1]
