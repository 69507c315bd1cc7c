"""ptclint's CEL compiler: celpy's parse tree to Python source, run by `ptclint.cel.compiled`.

One node of the tree becomes one Python expression that calls the helper of `compiled` doing
what celpy's `Evaluator` (as `runtime._Evaluator` adapts it to unknown values) does for that node,
in the same order: operands are evaluated eagerly where the interpreter visits them eagerly, and
lazily (a lambda) where it does not (`c ? a : b`, macro bodies). Macro variables become lambda
parameters, so name resolution is lexical, as the interpreter's nested activations are.

A construct the compiler does not translate (protobuf message literals, `.name` root-scope
references, `has()` without an argument, a literal the interpreter rejects, a tree too deep for
Python's own compiler) leaves the whole expression to the interpreter: the answer is the same,
only slower.
"""

from __future__ import annotations

from typing import Any

import lark
from celpy import celtypes
from celpy.evaluation import celbytes, celstr

from ptclint.cel import runtime
from ptclint.cel.program import Program

_RELATION = {"relation_lt": "_<_", "relation_le": "_<=_", "relation_ge": "_>=_", "relation_gt": "_>_",
             "relation_eq": "_==_", "relation_ne": "_!=_", "relation_in": "_in_"}
_ADDITION = {"addition_add": "_+_", "addition_sub": "_-_"}
_MULTIPLICATION = {"multiplication_div": "_/_", "multiplication_mul": "_*_", "multiplication_mod": "_%_"}
_UNARY = {"unary_not": "!_", "unary_neg": "-_"}
_MACROS = {"map": "_map", "filter": "_filter", "all": "_all", "exists": "_exists", "exists_one": "_exists_one"}


class Unsupported(Exception):
    """A construct left to the interpreter."""


def compile_program(cel: str, tree: lark.Tree[Any]) -> Program:
    """The compiled form of `cel`, whose parse tree is `tree`."""
    names = frozenset(runtime.variable_references(tree))
    try:
        source = _Compiler().module(tree)
        return Program(cel, source, names)
    except (Unsupported, RecursionError, SyntaxError, MemoryError, ValueError):
        return Program(cel, "", names)


class _Compiler:
    def __init__(self) -> None:
        self.constants: list[str] = []
        self.scope: list[str] = []  # macro variables, innermost last

    def module(self, tree: lark.Tree[Any]) -> str:
        body = self.node(tree)
        lines = [f"K{i} = {c}" for i, c in enumerate(self.constants)]
        return "\n".join([*lines, "def run(A, V, F):", f"    return {body}", ""])

    def constant(self, code: str) -> str:
        self.constants.append(code)
        return f"K{len(self.constants) - 1}"

    def node(self, tree: Any) -> str:
        if not isinstance(tree, lark.Tree):
            raise Unsupported(repr(tree))
        method = getattr(self, f"n_{tree.data}", None)
        if method is None:
            raise Unsupported(str(tree.data))
        code: str = method(tree)
        return code

    def only(self, tree: lark.Tree[Any]) -> str:
        if len(tree.children) != 1:
            raise Unsupported(str(tree.data))
        return self.node(tree.children[0])

    # ------------------------------------------------------------ operators

    def n_expr(self, tree: lark.Tree[Any]) -> str:
        if len(tree.children) == 1:
            return self.node(tree.children[0])
        if len(tree.children) != 3:
            raise Unsupported("expr")
        cond, yes, no = (self.node(c) for c in tree.children)
        return f"_cond({cond}, lambda: {yes}, lambda: {no})"

    def _logical(self, tree: lark.Tree[Any], op: str) -> str:
        if len(tree.children) == 1:
            return self.node(tree.children[0])
        left, right = (self.node(c) for c in tree.children)
        return f"_logic(F[{op!r}], {op!r}, {left}, {right})"

    def n_conditionalor(self, tree: lark.Tree[Any]) -> str:
        return self._logical(tree, "_||_")

    def n_conditionaland(self, tree: lark.Tree[Any]) -> str:
        return self._logical(tree, "_&&_")

    def _binary(self, tree: lark.Tree[Any], helper: str, names: dict[str, str]) -> str:
        if len(tree.children) == 1:
            return self.node(tree.children[0])
        op_tree, right_tree = tree.children
        if not isinstance(op_tree, lark.Tree) or op_tree.data not in names or len(op_tree.children) != 1:
            raise Unsupported("operator")
        left, right = self.node(op_tree.children[0]), self.node(right_tree)
        label = repr(op_tree.data)  # celpy's message shows the rule token's repr
        return f"{helper}(F[{names[op_tree.data]!r}], {label!r}, {left}, {right})"

    def n_relation(self, tree: lark.Tree[Any]) -> str:
        return self._binary(tree, "_rel", _RELATION)

    def n_addition(self, tree: lark.Tree[Any]) -> str:
        return self._binary(tree, "_add", _ADDITION)

    def n_multiplication(self, tree: lark.Tree[Any]) -> str:
        return self._binary(tree, "_mul", _MULTIPLICATION)

    def n_unary(self, tree: lark.Tree[Any]) -> str:
        if len(tree.children) == 1:
            return self.node(tree.children[0])
        op_tree, right_tree = tree.children
        if not isinstance(op_tree, lark.Tree) or op_tree.data not in _UNARY or op_tree.children:
            raise Unsupported("unary")
        return f"_unary(F[{_UNARY[op_tree.data]!r}], {repr(op_tree.data)!r}, {self.node(right_tree)})"

    # ------------------------------------------------------------ members

    def n_member(self, tree: lark.Tree[Any]) -> str:
        return self.only(tree)

    def n_member_dot(self, tree: lark.Tree[Any]) -> str:
        name = runtime._variable_name(tree)
        if name is not None:
            return f"_var(V, {name!r})"
        member, ident = tree.children
        return f"_dot({self.node(member)}, {str(ident)!r})"

    def n_member_index(self, tree: lark.Tree[Any]) -> str:
        member, index = (self.node(c) for c in tree.children)
        return f"_index(F, {member}, {index})"

    def n_member_dot_arg(self, tree: lark.Tree[Any]) -> str:
        member_tree, ident = tree.children[:2]
        name = str(ident)
        if name in _MACROS or name in ("reduce", "min"):
            return self.macro(tree, name)
        member = self.node(member_tree)
        if len(tree.children) == 2:
            return f"_method(F, {name!r}, {member}, None)"
        return f"_method(F, {name!r}, {member}, {self.node(tree.children[2])})"

    def macro(self, tree: lark.Tree[Any], name: str) -> str:
        items = self.node(tree.children[0])
        if name == "min":
            if len(tree.children) != 2:
                raise Unsupported("min()")
            return f"_min({items})"
        if len(tree.children) != 3 or not isinstance(tree.children[2], lark.Tree):
            raise Unsupported("macro")
        args = tree.children[2].children
        if name == "reduce":
            if len(args) != 4:
                raise Unsupported("reduce")
            acc, var = self.macro_var(args[0]), self.macro_var(args[1])
            init = self.node(args[2])
            body = self.in_scope([acc, var], args[3])
            return f"_reduce({items}, lambda: {init}, lambda m_{acc}, m_{var}: {body})"
        if len(args) != 2:
            raise Unsupported(name)
        var = self.macro_var(args[0])
        body = self.in_scope([var], args[1])
        return f"{_MACROS[name]}({items}, lambda m_{var}: {body})"

    def macro_var(self, tree: Any) -> str:
        idents = list(tree.find_data("ident")) if isinstance(tree, lark.Tree) else []
        if len(idents) != 1:
            raise Unsupported("macro variable")
        return str(idents[0].children[0])

    def in_scope(self, names: list[str], tree: Any) -> str:
        self.scope.extend(names)
        try:
            return self.node(tree)
        finally:
            del self.scope[-len(names):]

    # ------------------------------------------------------------ primaries

    def n_primary(self, tree: lark.Tree[Any]) -> str:
        return self.only(tree)

    def n_paren_expr(self, tree: lark.Tree[Any]) -> str:
        return self.only(tree)

    def n_exprlist(self, tree: lark.Tree[Any]) -> str:
        return f"_exprlist([{', '.join(self.node(c) for c in tree.children)}])"

    def n_list_lit(self, tree: lark.Tree[Any]) -> str:
        return self.only(tree) if tree.children else "L()"

    def n_map_lit(self, tree: lark.Tree[Any]) -> str:
        if not tree.children:
            return "M()"
        (inits,) = tree.children
        if not isinstance(inits, lark.Tree) or inits.data != "mapinits":
            raise Unsupported("map literal")
        return f"_maplit(lambda: [{', '.join(self.node(c) for c in inits.children)}])"

    def n_ident(self, tree: lark.Tree[Any]) -> str:
        name = str(tree.children[0])
        if name in self.scope:
            return f"m_{name}"
        return f"_ident(A, F, {name!r})"

    def n_ident_arg(self, tree: lark.Tree[Any]) -> str:
        name = str(tree.children[0])
        args = [self.node(c) for c in tree.children[1].children] if len(tree.children) == 2 else []
        if name in ("has", "dyn") and not args:
            raise Unsupported(f"{name}()")
        values = f"[{', '.join(args)}]"
        if name == "has":
            return f"_has({values})"
        if name == "dyn":
            return f"{values}[0]"
        if name == "known":
            return f"_known({values})"
        return f"_call(F, {name!r}, {values})"

    def n_literal(self, tree: lark.Tree[Any]) -> str:
        token = tree.children[0]
        if not isinstance(token, lark.Token):
            raise Unsupported("literal")
        kind, value = token.type, token.value
        if kind == "FLOAT_LIT":
            celtypes.DoubleType(value)
            return self.constant(f"D({value!r})")
        if kind == "INT_LIT":
            celtypes.IntType(value)
            return self.constant(f"I({value!r})")
        if kind == "UINT_LIT":
            if value[-1].lower() != "u":
                raise Unsupported("uint literal")
            celtypes.UintType(value[:-1])
            return self.constant(f"U({value[:-1]!r})")
        if kind in ("MLSTRING_LIT", "STRING_LIT"):
            return self.constant(f"S({str(celstr(token))!r})")
        if kind == "BYTES_LIT":
            return self.constant(f"Y({bytes(celbytes(token))!r})")
        if kind == "BOOL_LIT":
            return "B(True)" if value.lower() == "true" else "B(False)"
        if kind == "NULL_LIT":
            return "None"
        raise Unsupported(kind)
