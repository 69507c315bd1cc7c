"""Static evaluation of Terraform expressions: the `Evaluator`, its environment, attribute and index access.

Evaluation is deliberately partial. What Terraform knows before apply and what we can compute
without provider schemas or AWS calls is evaluated: literals, operators, conditionals, string
templates, `for` expressions, splats, variables, locals, references to arguments of other
resources, and a set of pure functions. Everything else is `model.Unknown(reason)`, never a
guess. The reason names references and functions only, never a value, because values may be
secrets.

Operators, `for` expressions and templates are in `operators`; the pure functions in `functions`.
"""

from __future__ import annotations

import os
import stat
from typing import Any

from lark import Token, Tree

from ptclint import budgets
from ptclint.loaders.terraform import operators
from ptclint.loaders.terraform.fileset import fileset
from ptclint.loaders.terraform.function_table import FUNCTIONS, NOT_PURE
from ptclint.loaders.terraform.hcl import children, name_of
from ptclint.loaders.terraform.scope import Env, TemplateVariables
from ptclint.loaders.terraform.values import (
    Lazy,
    TfError,
    TfSet,
    first_unknown,
    kind_of,
    norm_number,
    opaque,
    plain,
    to_bool,
    to_number,
    to_string,
)
from ptclint.model import Unknown

_MAX_DEPTH = 200


class Evaluator:
    """Evaluates expression trees. `functions` may be extended by the loader (file access)."""

    def __init__(self, base_dir: str = "", root_dir: str = "", max_file_bytes: int = 10 * 1024 * 1024) -> None:
        self.base_dir = base_dir
        self.root_dir = root_dir
        self.max_file_bytes = max_file_bytes
        self.reveal = False  # True only while a secret's value is reduced to its key names
        self.module_dirs: set[str] = set()  # module directories the unit reads: file() may read there too
        self.depth = 0
        self.meter = budgets.meter()  # the budget of the input being read

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
            self.meter.spend(1, "evaluating expressions")
            value = self._eval(node, env)
            if budgets.sized(value) > self.meter.budgets.value_size:
                self.meter.check_size(budgets.sized(value), "a value built by an expression")
            return value
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
        kids = children(node)
        if kind == "expr_term":
            inner = [k for k in kids if isinstance(k, Tree)]
            return self.eval(inner[0], env)
        if kind == "int_lit":
            return int(str(kids[0]))
        if kind == "float_lit":
            return norm_number(float(str(kids[0])))
        if kind == "literal_value":
            return {"true": True, "false": False, "null": None}[str(kids[0])]
        if kind == "string":
            return operators.template(self, [k for k in kids if isinstance(k, Tree)], env)
        if kind in ("heredoc_template", "heredoc_template_trim"):
            return operators.heredoc(self, str(kids[0]), kind.endswith("trim"), env)
        if kind == "template_string":
            raise TfError("escaped-quote template strings are not evaluated by ptclint")
        if kind == "tuple":
            return [self.eval(k, env) for k in kids if isinstance(k, Tree)]
        if kind == "object":
            return self._object(kids, env)
        if kind == "identifier":
            return self._root(name_of(node), env)
        if kind == "get_attr_expr_term":
            base = self.eval(kids[0], env)
            return get_attr(base, name_of(children(kids[1])[-1]))
        if kind == "index_expr_term":
            base = self.eval(kids[0], env)
            return get_index(base, self._index_key(kids[1], env))
        if kind in ("attr_splat_expr_term", "full_splat_expr_term"):
            return self._splat(kids[0], kids[1], env)
        if kind == "conditional":
            cond, yes, no = [k for k in kids if isinstance(k, Tree)]
            c = to_bool(plain(self.eval(cond, env)))
            if isinstance(c, Unknown):
                return opaque(c)
            return self.eval(yes if c else no, env)
        if kind == "binary_op":
            return opaque(operators.binary(self, kids, env))
        if kind == "unary_op":
            op = str(kids[0]).strip()
            value = plain(self.eval(kids[1], env))
            if op == "!":
                b = to_bool(value)
                return opaque(b) if isinstance(b, Unknown) else not b
            n = to_number(value)
            return opaque(n) if isinstance(n, Unknown) else -n
        if kind == "function_call":
            return self._call(kids, env)
        if kind == "for_tuple_expr" or kind == "for_object_expr":
            return operators.for_expr(self, node, env)
        raise TfError(f"expression kind {kind} is not evaluated by ptclint")

    def _index_key(self, index: Tree, env: Env) -> Any:
        kids = children(index)
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
            parts = [p for p in children(elem) if isinstance(p, Tree)]
            key_node, value_node = parts[0], parts[-1]
            key = self._object_key(key_node, env)
            value = self.eval(value_node, env)
            if isinstance(key, Unknown):
                return key
            out[key] = value
        return out

    def _object_key(self, key_node: Tree, env: Env) -> Any:
        inner = [k for k in children(key_node) if isinstance(k, Tree)]
        if not inner:
            return name_of(key_node)
        expr = inner[0]
        if expr.data == "keyword":
            return name_of(expr)
        if expr.data == "expr_term":
            sub = children(expr)
            if len(sub) == 1 and isinstance(sub[0], Tree) and sub[0].data == "identifier":
                return name_of(sub[0])  # a bare name is a literal key
            if len(sub) == 1 and isinstance(sub[0], Tree) and sub[0].data == "literal_value":
                return name_of(sub[0])
        key = plain(self.eval(expr, env))
        if isinstance(key, Unknown):
            return key
        return to_string(key)

    def _splat(self, base_node: Any, splat: Tree, env: Env) -> Any:
        base = self.eval(base_node, env)
        if isinstance(base, Unknown):
            return base
        if base is None:
            return []
        items = list(base) if isinstance(base, (list, tuple)) else [base]
        steps = [k for k in children(splat) if isinstance(k, Tree)]
        out = []
        for item in items:
            value = item
            for step in steps:
                if step.data == "get_attr":
                    value = get_attr(value, name_of(children(step)[-1]))
                else:
                    value = get_index(value, self._index_key(step, env))
            out.append(value)
        return out

    def _call(self, kids: list, env: Env) -> Any:
        names = [name_of(k) for k in kids if isinstance(k, Tree) and k.data == "identifier"]
        name = "::".join(names)
        args_tree = next((k for k in kids if isinstance(k, Tree) and k.data == "arguments"), None)
        arg_nodes = [k for k in children(args_tree) if isinstance(k, Tree)] if args_tree is not None else []
        expand = args_tree is not None and any(isinstance(k, Token) and k.type == "ELLIPSIS"
                                               for k in args_tree.children)
        if name in ("try", "can"):
            return self._try(name, arg_nodes, env)
        fn = FUNCTIONS.get(name)
        if fn is None and name in ("file", "templatefile", "fileexists", "fileset"):
            return self._file_function(name, arg_nodes, env)
        if fn is None and name == "abspath":
            fn = self._abspath
        if fn is None and name in NOT_PURE:
            raise TfError(f"function {name}() is not evaluated by ptclint (its result depends on when or where "
                          "Terraform runs)")
        if fn is None:
            raise TfError(f"function {name}() is not evaluated by ptclint")
        args = [plain(self.eval(a, env)) for a in arg_nodes]
        if expand and args:
            last = args.pop()
            if isinstance(last, Unknown):
                return opaque(last)
            if not isinstance(last, (list, tuple)):
                raise TfError(f"{name}(): the argument expanded with ... must be a list")
            args.extend(last)
        # an unknown argument makes the result unknown (unknowns inside containers stay in place);
        # format() keeps the text before its first unknown argument
        for i, a in enumerate(args):
            if isinstance(a, Unknown) and not (name == "format" and i > 0):
                return opaque(a)
        # only format() (the text before an unknown) and jsonencode() (the structure around unknown
        # leaves) know part of what they make
        return fn(*args) if name in ("format", "jsonencode") else opaque(fn(*args))

    def _abspath(self, path: Any) -> Any:
        """Terraform runs in the root module's directory: a relative path is taken from there."""
        if not isinstance(path, str):
            raise TfError("abspath(): expected a string")
        base = self.root_dir or os.getcwd()
        return os.path.normpath(os.path.join(base, path)).replace(os.sep, "/")

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
        # Only files inside the scanned unit (its root module directory and the module directories it
        # reads): a configuration under review must not make ptclint read (and print in a finding)
        # ../.git/config or /proc/self/environ. The working directory is not a reason to read a file.
        roots = [os.path.realpath(r) for r in (self.root_dir, *self.module_dirs) if r]
        if not any(real == r or real.startswith(r.rstrip(os.sep) + os.sep) for r in roots):
            raise TfError(f"{name}(): the file lies outside the scanned directory and is not read")
        if name == "fileexists":
            return os.path.isfile(real)
        if name == "fileset":
            if len(args) != 2 or not isinstance(args[1], str):
                raise TfError("fileset() needs a directory and a pattern")
            return fileset(real, args[1])
        text = read_regular_file(real, self.max_file_bytes, name)
        text = text.replace("\r\n", "\n")
        if name == "file":
            return text
        variables = args[1] if len(args) > 1 else {}
        if not isinstance(variables, dict):
            raise TfError("templatefile(): the second argument must be a map")
        return operators.template_text(self, text, Env(TemplateVariables(), dict(variables)))


def read_regular_file(path: str, max_bytes: int, what: str) -> str:
    """A regular file's UTF-8 text. Opened without blocking and checked before reading: a FIFO or a
    device named by a configuration would otherwise block the scan forever."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        raise TfError(f"{what}(): the file cannot be read") from None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise TfError(f"{what}(): not a regular file, not read")
        if st.st_size > max_bytes:
            raise TfError(f"{what}(): the file is larger than the input size limit")
        try:
            return fh.read(st.st_size + 1).decode("utf-8")
        except (OSError, UnicodeDecodeError):
            raise TfError(f"{what}(): the file cannot be read") from None


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
