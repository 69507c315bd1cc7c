"""Literals in the parse tree: is an access token written into the configuration as a literal?

Purely syntactic (the tree, never an evaluated value), so nothing here can hold or leak a secret.
"""

from __future__ import annotations

from typing import Any

from lark import Token, Tree

from ptclint.loaders.terraform.hcl import children, name_of, unwrap
from ptclint.loaders.terraform.objects import is_token_key


def literal_token_syntax(expr: Any) -> bool:
    """Is an access token / password written as a literal in this secret_string expression?

    True for a literal string (or heredoc without interpolation) holding a token, and for
    `jsonencode({... accessToken = "literal" ...})`. Purely syntactic: no value is kept."""
    node = unwrap(expr)
    if _is_literal_string(node):
        return True  # reduce_secret_value then checks that a token is in it
    if isinstance(node, Tree) and node.data == "function_call":
        names = [name_of(k) for k in children(node) if isinstance(k, Tree) and k.data == "identifier"]
        args = next((k for k in children(node) if isinstance(k, Tree) and k.data == "arguments"), None)
        if names != ["jsonencode"] or args is None:
            return False
        arg_nodes = [k for k in children(args) if isinstance(k, Tree)]
        if len(arg_nodes) != 1:
            return False
        obj = unwrap(arg_nodes[0])
        if not isinstance(obj, Tree) or obj.data != "object":
            return False
        for elem in children(obj):
            if not isinstance(elem, Tree) or elem.data != "object_elem":
                continue
            parts = [p for p in children(elem) if isinstance(p, Tree)]
            key_node, value_node = parts[0], parts[-1]
            key = literal_key(key_node)
            if key and is_token_key(key) and _is_literal_string(value_node, nonempty=True):
                return True
    return False


def literal_key(key_node: Any) -> str | None:
    """The key of an object element when written literally (`name`, `"name"`), else None."""
    inner = [k for k in children(key_node) if isinstance(k, Tree)]
    if not inner:
        return None
    node = unwrap(inner[0])
    if isinstance(node, Tree) and node.data in ("identifier", "keyword"):
        return name_of(node)
    if _is_literal_string(node):
        return "".join(str(p.children[0]) for p in children(node) if isinstance(p, Tree))
    return None


def _is_literal_string(node: Any, nonempty: bool = False) -> bool:
    node = unwrap(node)
    if not isinstance(node, Tree):
        return False
    if node.data == "string":
        parts = [p for p in children(node) if isinstance(p, Tree)]
        if not all(p.children and isinstance(p.children[0], Token) for p in parts):
            return False
        return bool(parts) or not nonempty
    if node.data in ("heredoc_template", "heredoc_template_trim"):
        text = str(node.children[0])
        return "${" not in text.replace("$${", "") and "%{" not in text.replace("%%{", "")
    return False
