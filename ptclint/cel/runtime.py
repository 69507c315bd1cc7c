"""ptclint's CEL runtime: the only module that imports celpy (and lark). It knows no domain.

`compile_expr` parses an expression once (the catalog caches the trees); `evaluate(program,
activation, functions)` runs one with the names a rule sees and the function table it is handed
(`ptclint.cel.functions.FUNCTIONS`); this module never imports that table nor the rule library.

"Unknown" values: a value an IaC input could not resolve (`model.Unknown`) becomes an
`UnknownValue`, a CEL error value that `&&` / `||` absorb where the result does not depend on it and
that otherwise makes the whole expression unknown (`UnknownResult`), so a rule never fires on it.
`has()` sees an unknown field as present and `known(x)` tells the two apart; `filter` with an
unknown predicate and `c ? a : b` with an unknown condition are unknown.

A rule's `variables:` are a `Variables` object: each named expression is evaluated on first use,
once per activation, and read as `variables.<name>`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Generic, TypeVar

import celpy  # noqa: F401  (the package; celtypes and evaluation below)
import lark
from celpy import celtypes
from celpy.evaluation import Activation, CELEvalError, Evaluator

from ptclint.cel import cost
from ptclint.model import Unknown

Program = lark.Tree[Any]
Functions = Mapping[str, Callable[..., Any]]


class CelSyntaxError(Exception):
    """An expression that does not parse; `line` and `column` are inside the expression."""

    def __init__(self, message: str, line: int | None, column: int | None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class UnknownValue(CELEvalError):
    """CEL's form of a value the input could not resolve; carries the reason."""

    def __init__(self, reason: str, value: Unknown | None = None) -> None:
        super().__init__(f"unknown: {reason}")
        self.reason = reason
        self.value = value  # the model's unknown it stands for (a PartlyKnown keeps its prefix through CEL)


class EvaluationFailed(Exception):
    """An expression failed at run time (not an unknown value)."""


class UnknownResult(Exception):
    """An expression's value depends on a value the input could not resolve."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def error_value(why: str) -> CELEvalError:
    """CEL's error value, for a function that failed."""
    return CELEvalError(why)


def error_value_from(why: str, exc: BaseException) -> CELEvalError:
    """CEL's error value for a function that raised `exc`."""
    return CELEvalError(why, exc.__class__, exc.args)


# ---------------------------------------------------------------- conversion


def to_cel(value: Any, leaf: Callable[[Any], Any] | None = None) -> Any:
    """Plain Python (and `model.Unknown`) to CEL values. `leaf`, when given, converts first the values
    it knows (it returns None for the others)."""
    if leaf is not None:
        converted = leaf(value)
        if converted is not None:
            return converted
    if isinstance(value, Unknown):
        return UnknownValue(value.reason, value)
    if isinstance(value, CELEvalError):
        return value
    if isinstance(value, bool):
        return celtypes.BoolType(value)
    if isinstance(value, int):
        if -(2**63) <= value < 2**63:
            return celtypes.IntType(value)
        # CEL ints are 64-bit; JSON and YAML numbers are not
        return celtypes.DoubleType(float(value) if abs(value) < 2**1023 else float("inf") * (1 if value > 0 else -1))
    if isinstance(value, float):
        return celtypes.DoubleType(value)
    if isinstance(value, str):
        return celtypes.StringType(value)
    if value is None:
        return None
    if isinstance(value, Mapping):  # a null field is an absent field, as in the API
        return celtypes.MapType(
            {celtypes.StringType(k): to_cel(v, leaf) for k, v in value.items() if v is not None}
        )
    if isinstance(value, (list, tuple)):
        return celtypes.ListType([to_cel(v, leaf) for v in value])
    return celtypes.StringType(str(value))


def to_python(value: Any) -> Any:
    """CEL values to plain Python; an `UnknownValue` becomes a `model.Unknown`."""
    if isinstance(value, UnknownValue):
        return value.value if value.value is not None else Unknown(value.reason)
    if isinstance(value, celtypes.BoolType):
        return bool(value)
    if isinstance(value, celtypes.IntType):
        return int(value)
    if isinstance(value, celtypes.DoubleType):
        return float(value)
    if isinstance(value, celtypes.StringType):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): to_python(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_python(v) for v in value]
    return value


# ---------------------------------------------------------------- operators aware of unknowns


def _logical(op: str) -> Callable[[Any, Any], Any]:
    """CEL's commutative && and ||, where two unknowns stay unknown (celpy raises a TypeError)."""

    def combine(x: Any, y: Any) -> Any:
        absorbing = celtypes.BoolType(op == "||")  # true || anything, false && anything
        if isinstance(x, celtypes.BoolType) and isinstance(y, celtypes.BoolType):
            return celtypes.BoolType((x or y) if op == "||" else (x and y))
        for a, b in ((x, y), (y, x)):
            if isinstance(a, celtypes.BoolType):
                return a if a == absorbing else b
        # neither is a bool: a real error outranks an unknown
        for v in (x, y):
            if isinstance(v, CELEvalError) and not isinstance(v, UnknownValue):
                return v
        if isinstance(x, UnknownValue):
            return x
        return CELEvalError(f"no such overload: {type(x).__name__} {op} {type(y).__name__}")

    return combine


def _index(container: Any, key: Any) -> Any:
    """`a[k]` where an unknown container or key makes the result unknown (celpy raises instead)."""
    for v in (container, key):
        if isinstance(v, CELEvalError):
            return v
    return container[key]


def _contains(item: Any, container: Any) -> Any:
    """`x in list`: not found among known elements but the list holds an unknown one -> unknown."""
    for v in (item, container):
        if isinstance(v, CELEvalError):
            return v
    cost.spend(cost.sized(container))
    unknown = None
    for element in container:
        if isinstance(element, UnknownValue):
            unknown = unknown or element
            continue
        try:
            if element == item:
                return celtypes.BoolType(True)
        except TypeError:
            continue
    return unknown if unknown is not None else celtypes.BoolType(False)


OPERATORS: dict[str, Callable[..., Any]] = {
    "_in_": _contains,
    "_&&_": _logical("&&"),
    "_||_": _logical("||"),
    "_[_]": _index,
}

_REDUCTION_PATCHED = False


def use_unknown_aware_reduction() -> None:
    """Make celpy's `exists()` / `all()` macros (and list equality) reduce with the `&&` / `||` above.

    celpy's evaluator reduces those macros with `celtypes.logical_or` / `logical_and` looked up at
    call time and gives no other hook, so this replaces the two module attributes, process-wide.
    It is applied once, on the runtime's first evaluation (never when ptclint is merely imported).
    """
    global _REDUCTION_PATCHED
    if not _REDUCTION_PATCHED:
        celtypes.logical_or = _logical("||")  # type: ignore[assignment]
        celtypes.logical_and = _logical("&&")  # type: ignore[assignment]
        _REDUCTION_PATCHED = True


# ---------------------------------------------------------------- variables


def _variable_name(tree: lark.Tree[Any]) -> str | None:
    """`<name>` when `tree` (a member_dot) is `variables.<name>`, else None."""
    member, name = tree.children
    if isinstance(member, lark.Tree) and member.data == "member" and len(member.children) == 1:
        primary = member.children[0]
        if isinstance(primary, lark.Tree) and primary.data == "primary" and len(primary.children) == 1:
            ident = primary.children[0]
            if isinstance(ident, lark.Tree) and ident.data == "ident" and str(ident.children[0]) == "variables":
                return str(name)
    return None


def variable_references(program: Program) -> set[str]:
    """The names `program` reads as `variables.<name>`."""
    return {
        name
        for node in program.iter_subtrees()
        if node.data == "member_dot" and (name := _variable_name(node)) is not None
    }


P = TypeVar("P")


class LazyVariables(Generic[P]):
    """A rule's named expressions for one activation: each evaluated on first use, then remembered.

    A value is kept as CEL holds it, unknown and error values included, so a variable that cannot
    be judged matters only to an expression that reads it. Subclasses say how a program (a parse
    tree here, compiled code in `compiled`) is run.
    """

    def __init__(self, definitions: Sequence[tuple[str, P]], activation: Mapping[str, Any],
                 functions: Functions) -> None:
        self._definitions = dict(definitions)
        self._activation = activation
        self._functions = functions
        self._values: dict[str, Any] = {}

    def _evaluate(self, program: P) -> Any:
        raise NotImplementedError

    def value(self, name: str) -> Any:
        if name not in self._values:
            program = self._definitions.get(name)
            if program is None:
                return CELEvalError(f"no such variable: {name}")
            self._values[name] = CELEvalError(f"variable {name} depends on itself")
            try:
                self._values[name] = self._evaluate(program)
            except EvaluationFailed as exc:
                self._values[name] = CELEvalError(str(exc))
        return self._values[name]


class Variables(LazyVariables[Program]):
    """Variables whose programs the interpreter walks."""

    def _evaluate(self, program: Program) -> Any:
        return _run(program, self._activation, self._functions, self)


# ---------------------------------------------------------------- the evaluator


class _Evaluator(Evaluator):
    """celpy's evaluator, aware of unknown values and of a rule's variables."""

    def __init__(self, ast: lark.Tree[Any], activation: Activation, variables: Variables | None = None) -> None:
        super().__init__(ast=ast, activation=activation)
        self.variables = variables

    def sub_evaluator(self, ast: lark.Tree[Any]) -> Evaluator:  # macros (exists, map, ...) evaluate alike
        return _Evaluator(ast, activation=self.activation, variables=self.variables)

    def member_dot(self, tree: lark.Tree[Any]) -> Any:
        name = _variable_name(tree)
        if name is None:
            return super().member_dot(tree)
        if self.variables is None:
            return CELEvalError(f"no such variable: {name}")
        return self.variables.value(name)

    def member_dot_arg(self, tree: lark.Tree[Any]) -> Any:
        """`list.filter(x, p)`: an unknown (or failed) predicate makes the whole list unknown."""
        if str(tree.children[1]) != "filter":
            return super().member_dot_arg(tree)
        items = self.visit(tree.children[0])
        if isinstance(items, CELEvalError):
            return items
        predicate = self.build_macro_eval(tree)

        def judge(item: Any) -> Any:
            try:
                return predicate(item)
            except CELEvalError as err:  # the nested evaluator raises error results
                return err

        results = [(item, judge(item)) for item in items]
        errors = [r for _, r in results if isinstance(r, CELEvalError)]
        if errors:
            return next((e for e in errors if not isinstance(e, UnknownValue)), errors[0])
        return celtypes.ListType([item for item, r in results if r])

    def expr(self, tree: lark.Tree[Any]) -> Any:
        if len(tree.children) == 3:  # c ? a : b with an unknown or failed condition is that value
            cond = self.visit(tree.children[0])
            if isinstance(cond, CELEvalError):
                return cond
            return self.visit(tree.children[1] if cond else tree.children[2])
        return super().expr(tree)

    def macro_has_eval(self, exprlist: lark.Tree[Any]) -> celtypes.BoolType:
        value = self.visit_children(exprlist)[0]
        return celtypes.BoolType(isinstance(value, UnknownValue) or not isinstance(value, CELEvalError))

    # The cost budget (`cost`): what the compiled helpers charge, charged at the same steps.

    def build_macro_eval(self, child: lark.Tree[Any]) -> Callable[[Any], Any]:
        return _charged(super().build_macro_eval(child))

    def build_ss_macro_eval(self, child: lark.Tree[Any]) -> Callable[[Any], Any]:
        return _charged(super().build_ss_macro_eval(child))

    def build_reduce_macro_eval(self, child: lark.Tree[Any]) -> tuple[Callable[[Any, Any], Any], lark.Tree[Any]]:
        body, init = super().build_reduce_macro_eval(child)
        return _charged(body), init

    def method_eval(self, object: Any, method_ident: lark.Token, exprlist: Iterable[Any] | None = None) -> Any:
        cost.spend()
        return super().method_eval(object, method_ident, exprlist)

    def addition(self, tree: lark.Tree[Any]) -> Any:
        result = super().addition(tree)
        if len(tree.children) == 2:
            cost.spend(cost.sized(result))
        return result

    def function_eval(self, name_token: lark.Token, exprlist: Iterable[Any] | None = None) -> Any:
        if name_token.value != "known":
            cost.spend()
        if name_token.value == "known":
            args = list(exprlist or [])
            if len(args) != 1:
                return CELEvalError("known() takes one argument")
            if isinstance(args[0], UnknownValue):
                return celtypes.BoolType(False)
            if isinstance(args[0], CELEvalError):
                return args[0]
            return celtypes.BoolType(True)
        args = exprlist if isinstance(exprlist, CELEvalError) else list(exprlist or [])
        if sees_unknowns(self.activation, name_token.value, args):
            return self.activation.resolve_function(name_token.value)(*args)
        return super().function_eval(name_token, args)


def sees_unknowns(activation: Any, name: str, args: Any) -> bool:
    """A function marked `sees_unknowns` (it judges what is known of an unknown value, such as the
    prefix of a partly known string) is called with unknown arguments instead of being one; any
    other error argument still is the answer."""
    if isinstance(args, CELEvalError):
        return False
    try:
        fn = activation.resolve_function(name) if activation is not None else None
    except KeyError:
        return False
    return bool(getattr(fn, "sees_unknowns", False)) and not any(
        isinstance(a, CELEvalError) and not isinstance(a, UnknownValue) for a in args)


def _charged(body: Callable[..., Any]) -> Callable[..., Any]:
    """A macro body that charges one step of the cost budget per iteration."""

    def charged(*values: Any) -> Any:
        cost.spend()
        return body(*values)

    return charged


# ---------------------------------------------------------------- compile


_PARSER: Any = None


def _parser() -> Any:
    global _PARSER
    if _PARSER is None:
        from celpy.celparser import CELParser

        _PARSER = CELParser()
    return _PARSER


def compile_expr(text: str) -> Program:
    """Parse a CEL expression; raises CelSyntaxError with the position inside the expression."""
    from celpy.celparser import CELParseError

    try:
        program: Program = _parser().parse(text)
        return program
    except CELParseError as exc:
        first = str(exc.args[0]).strip().splitlines()[0] if exc.args else "syntax error"
        what = _syntax_problem(exc.__cause__ or exc.__context__)
        raise CelSyntaxError(f"{what} in: {first}" if what else first, exc.line, exc.column) from None
    except lark.exceptions.LarkError as exc:  # defensive: lark errors the wrapper missed
        raise CelSyntaxError(str(exc).splitlines()[0], None, None) from None


_CLOSERS = {"RPAR": "')'", "RSQB": "']'", "RBRACE": "'}'", "COLON": "':'", "COMMA": "','"}


def _syntax_problem(error: Any) -> str:
    """What the CEL parser expected where it stopped ("expected ')'", "unexpected end of the expression")."""
    token = getattr(error, "token", None)
    expected = set(getattr(error, "expected", None) or getattr(error, "allowed", None) or ())
    if getattr(token, "type", "") == "$END":
        closers = sorted(_CLOSERS[t] for t in expected if t in _CLOSERS)
        return f"unexpected end of the expression (expected {' or '.join(closers)})" if closers and len(
            closers) == len(expected) else "unexpected end of the expression (a value or a closing bracket missing?)"
    if expected and expected <= set(_CLOSERS):
        return "expected " + " or ".join(sorted(_CLOSERS[t] for t in expected))
    if token is not None and str(token):
        return f"unexpected {str(token)[:20]!r}"
    if isinstance(error, lark.exceptions.UnexpectedCharacters):
        return f"unexpected character {getattr(error, 'char', '')!r}"
    return ""


# ---------------------------------------------------------------- evaluate


_TABLES: dict[int, tuple[Functions, dict[str, Callable[..., Any]]]] = {}


def _with_operators(functions: Functions) -> dict[str, Callable[..., Any]]:
    """`functions` plus the operators aware of unknowns (merged once per table)."""
    cached = _TABLES.get(id(functions))
    if cached is None or cached[0] is not functions:
        cached = _TABLES[id(functions)] = (functions, {**functions, **OPERATORS})
    return cached[1]


def _run(program: Program, activation: Mapping[str, Any], functions: Functions, variables: Variables | None) -> Any:
    """The CEL value of `program` (error values included); raises EvaluationFailed for a crash."""
    use_unknown_aware_reduction()
    bound = Activation(annotations={}, functions=_with_operators(functions), vars=dict(activation))
    evaluator = _Evaluator(ast=program, activation=bound, variables=variables)
    try:
        return evaluator.visit(program)
    except RecursionError:
        raise EvaluationFailed("expression nested too deeply") from None
    except cost.CostExceeded:
        raise
    except Exception as exc:  # celpy raises assorted exceptions for type misuse
        raise EvaluationFailed(f"{exc.__class__.__name__}: {exc}") from None


def evaluate(program: Program, activation: Mapping[str, Any], functions: Functions,
             variables: Variables | None = None) -> Any:
    """Evaluate a compiled expression. `activation` values must already be CEL values (see to_cel);
    `functions` is the function table (CEL name -> callable on CEL values).

    Returns a plain Python value; raises UnknownResult or EvaluationFailed.
    """
    value = _run(program, activation, functions, variables)
    if isinstance(value, UnknownValue):
        raise UnknownResult(value.reason)
    if isinstance(value, CELEvalError):
        raise EvaluationFailed(_error_text(value))
    return to_python(value)


def _error_text(err: CELEvalError) -> str:
    text = str(err.args[0]) if err.args else "evaluation error"
    return text.split(" (in activation", 1)[0]
