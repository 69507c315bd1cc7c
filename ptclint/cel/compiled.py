"""Running compiled CEL: the helpers the generated code calls, and `evaluate` / `Variables` with
exactly the contract of `runtime.evaluate` / `runtime.Variables`.

Each helper is one step of celpy's `Evaluator` (as `runtime._Evaluator` adapts it): it calls the same
operator or function from the same table, catches the same exceptions and makes the same error
values with the same texts, so compiled and interpreted evaluation agree value for value (the
differential tests hold them to it). The generated code holds no celpy object: it is linked here.
"""

from __future__ import annotations

import marshal
import operator
from collections.abc import Callable, Mapping
from functools import reduce
from typing import Any

from celpy import celtypes
from celpy.evaluation import CELEvalError, NameContainer, base_functions, boolean, eval_error

from ptclint.cel import cost, runtime
from ptclint.cel.program import Compiled, Program

Functions = Mapping[str, Callable[..., Any]]
_ACTIVATION = "...')"  # the part of "undeclared reference" texts that runtime._error_text drops
_E = CELEvalError


def _ident(A: Mapping[str, Any], F: Functions, name: str) -> Any:
    if name in A:
        return A[name]
    if name in F:
        return F[name]
    return _E(f"undeclared reference to '{name}' (in activation '{_ACTIVATION}", KeyError, (name,))


def _var(V: Any, name: str) -> Any:
    return V.value(name) if V is not None else _E(f"no such variable: {name}")


def _cond(c: Any, a: Callable[[], Any], b: Callable[[], Any]) -> Any:
    if isinstance(c, _E):
        return c
    return a() if c else b()


def _mismatch(label: str, ex: Exception, *operands: Any) -> CELEvalError:
    """celpy's "found no matching overload" error for an operator applied to `operands`."""
    types = ", ".join(str(type(v)) for v in operands)
    return _E(f"found no matching overload for {label} applied to '({types})'", ex.__class__, ex.args)


def _logic(fn: Callable[..., Any], op: str, left: Any, right: Any) -> Any:
    try:
        return fn(left, right)
    except TypeError as ex:
        return _mismatch(op, ex, left, right)


def _rel(fn: Callable[..., Any], label: str, left: Any, right: Any) -> Any:
    try:
        return fn(left, right)
    except TypeError as ex:
        return _mismatch(label, ex, left, right)


def _add(fn: Callable[..., Any], label: str, left: Any, right: Any) -> Any:
    try:
        result = fn(left, right)
        cost.spend(cost.sized(result))
        return result
    except TypeError as ex:
        return _mismatch(label, ex, left, right)
    except (ValueError, OverflowError) as ex:
        return _E("return error for overflow", ex.__class__, ex.args)


def _mul(fn: Callable[..., Any], label: str, left: Any, right: Any) -> Any:
    try:
        return fn(left, right)
    except TypeError as ex:
        return _mismatch(label, ex, left, right)
    except ZeroDivisionError as ex:
        return _E("modulus or divide by zero", ex.__class__, ex.args)
    except (ValueError, OverflowError) as ex:
        return _E("return error for overflow", ex.__class__, ex.args)


def _unary(fn: Callable[..., Any], label: str, right: Any) -> Any:
    try:
        return fn(right)
    except TypeError as ex:
        return _mismatch(label, ex, right)
    except ValueError as ex:
        return _E("return error for overflow", ex.__class__, ex.args)


def _dot(member: Any, name: str) -> Any:
    if isinstance(member, _E):
        return member
    if isinstance(member, NameContainer):
        if name in member:
            return member[name].value
        return _E(f"No {name!r} in bindings {sorted(member.keys())}", KeyError, None)
    if isinstance(member, celtypes.MessageType):
        return member.get(name)
    if isinstance(member, celtypes.MapType):
        try:
            return member[name]
        except KeyError:
            return _E(f"no such member in mapping: {name!r}", KeyError, None)
    return _E(f"{member!r} with type: '{type(member)}' does not support field selection", TypeError, None)


def _index(F: Functions, member: Any, index: Any) -> Any:
    try:
        return F["_[_]"](member, index)
    except TypeError as ex:
        return _mismatch("_[_]", ex, member, index)
    except KeyError as ex:
        return _E("no such key", ex.__class__, ex.args)
    except IndexError as ex:
        return _E("invalid_argument", ex.__class__, ex.args)


def _exprlist(values: list[Any]) -> Any:
    for v in values:
        if isinstance(v, _E):
            return v
    return celtypes.ListType(values)


def _maplit(pairs: Callable[[], list[Any]]) -> Any:
    try:
        keys_values = pairs()
        result = celtypes.MapType()
        for key, value in zip(keys_values[0::2], keys_values[1::2]):
            if key in result:
                raise ValueError(f"Duplicate key {key!r}")
            result[key] = value
        return result
    except (ValueError, TypeError) as ex:
        return _E(ex.args[0], ex.__class__, ex.args)


def _overload(ex: Exception) -> CELEvalError:
    if isinstance(ex, ValueError):
        return _E("return error for overflow", ex.__class__, ex.args)
    return _E("no such overload", ex.__class__, ex.args)


def _call(F: Functions, name: str, values: list[Any]) -> Any:
    cost.spend()
    fn = F.get(name)
    if fn is None:
        return _E(f"undeclared reference to '{name}' (in activation '{_ACTIVATION}", KeyError, (name,))
    lenient = getattr(fn, "sees_unknowns", False)  # judges what is known of an unknown argument
    for v in values:
        if isinstance(v, _E) and not (lenient and isinstance(v, runtime.UnknownValue)):
            return v
    key = _memo_key(name, values)
    if key is not None and key in _MEMO:
        return _MEMO[key][0]
    try:
        result = fn(*values)
    except (ValueError, TypeError, AttributeError) as ex:
        result = _overload(ex)
    if key is not None:
        if len(_MEMO) >= _MEMO_SIZE:
            _MEMO.clear()
        _MEMO[key] = (result, values)  # the arguments are kept alive, so their ids stay theirs
    return result


# A function over a registry's data answers the same for the same arguments (the rule library is
# pure), and many rules ask the same question of one registry: answers to calls with a map or
# list argument are remembered, keyed by the arguments' identity (scalars by type and value).
_MEMO: dict[tuple[Any, ...], tuple[Any, list[Any]]] = {}
_MEMO_SIZE = 50_000
_CONTAINERS = (celtypes.MapType, celtypes.ListType)
_SCALARS = (celtypes.StringType, celtypes.IntType, celtypes.BoolType, celtypes.DoubleType)


def _memo_key(name: str, values: list[Any]) -> tuple[Any, ...] | None:
    key: list[Any] = [name]
    container = False
    for v in values:
        if isinstance(v, _CONTAINERS):
            key.append(id(v))
            container = True
        elif v is None or isinstance(v, _SCALARS):
            key.append((type(v), v))
        else:
            return None
    return tuple(key) if container else None


def _method(F: Functions, name: str, obj: Any, args: Any) -> Any:
    cost.spend()
    fn = F.get(name)
    if fn is None:
        return _E(f"undeclared reference to {name!r} (in activation '{_ACTIVATION}", KeyError, (name,))
    if isinstance(obj, _E):
        return obj
    if isinstance(args, _E):
        return args
    try:
        return fn(obj, *(args or []))
    except (ValueError, TypeError, AttributeError) as ex:
        return _overload(ex)


def _known(values: list[Any]) -> Any:
    if len(values) != 1:
        return _E("known() takes one argument")
    if isinstance(values[0], runtime.UnknownValue):
        return celtypes.BoolType(False)
    if isinstance(values[0], _E):
        return values[0]
    return celtypes.BoolType(True)


def _has(values: list[Any]) -> Any:
    value = values[0]
    return celtypes.BoolType(isinstance(value, runtime.UnknownValue) or not isinstance(value, _E))


# ---------------------------------------------------------------- macros


def _strict(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A macro body as celpy's `build_macro_eval` runs it: an error result is raised."""

    def body(*v: Any) -> Any:
        cost.spend()
        result = fn(*v)
        if isinstance(result, _E):
            raise result
        return result

    return body


def _soft(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A macro body as `build_ss_macro_eval` runs it: an error (result or raised) is a value."""

    def body(v: Any) -> Any:
        cost.spend()
        try:
            return fn(v)
        except _E as ex:
            return ex

    return body


def _map(items: Any, fn: Callable[[Any], Any]) -> Any:
    if isinstance(items, _E):
        return items
    return celtypes.ListType(map(_strict(fn), items))


def _filter(items: Any, fn: Callable[[Any], Any]) -> Any:
    """runtime._Evaluator's `filter`: an unknown (or failed) predicate makes the whole list unknown."""
    if isinstance(items, _E):
        return items
    predicate = _strict(fn)

    def judge(item: Any) -> Any:
        try:
            return predicate(item)
        except _E as err:
            return err

    results = [(item, judge(item)) for item in items]
    errors = [r for _, r in results if isinstance(r, _E)]
    if errors:
        return next((e for e in errors if not isinstance(e, runtime.UnknownValue)), errors[0])
    return celtypes.ListType([item for item, r in results if r])


_REDUCERS: dict[Callable[..., Any], Callable[[Any, Any], Any]] = {}


def _reducer(logical: Callable[..., Any]) -> Callable[[Any, Any], Any]:
    """celpy's `all()` / `exists()` reduction: `logical` (looked up at call time, as celpy does) with a
    TypeError as "no such overload"; wrapped once, not at every call."""
    reducer = _REDUCERS.get(logical)
    if reducer is None:
        reducer = _REDUCERS[logical] = eval_error("no such overload", TypeError)(logical)
    return reducer


def _all(items: Any, fn: Callable[[Any], Any]) -> Any:
    if isinstance(items, _E):
        return items
    return reduce(_reducer(celtypes.logical_and), map(_soft(fn), items), celtypes.BoolType(True))


def _exists(items: Any, fn: Callable[[Any], Any]) -> Any:
    if isinstance(items, _E):
        return items
    return reduce(_reducer(celtypes.logical_or), map(_soft(fn), items), celtypes.BoolType(False))


def _exists_one(items: Any, fn: Callable[[Any], Any]) -> Any:
    if isinstance(items, _E):
        return items
    body = _strict(fn)
    return celtypes.BoolType(sum(1 for value in items if bool(body(value))) == 1)


def _reduce(items: Any, init: Callable[[], Any], fn: Callable[[Any, Any], Any]) -> Any:
    if isinstance(items, _E):
        return items
    return reduce(_strict(fn), items, init())


def _min(items: Any) -> Any:
    if isinstance(items, _E):
        return items
    try:
        return min(items)
    except ValueError as ex:
        return _E("Attempt to reduce an empty sequence or a sequence with a None value", ex.__class__, ex.args)


NAMESPACE: dict[str, Any] = {
    "S": celtypes.StringType, "I": celtypes.IntType, "U": celtypes.UintType, "D": celtypes.DoubleType,
    "B": celtypes.BoolType, "Y": celtypes.BytesType, "L": celtypes.ListType, "M": celtypes.MapType,
    **{name: value for name, value in globals().items() if name.startswith("_") and callable(value)
       and name not in ("_E",)},
}


# ---------------------------------------------------------------- link and evaluate


def link(code: bytes) -> Compiled:
    """The function a compiled program's code defines (its constants built once, here)."""
    namespace = dict(NAMESPACE)
    exec(marshal.loads(code), namespace)
    run: Compiled = namespace["run"]
    return run


_TABLES: dict[int, tuple[Functions, dict[str, Callable[..., Any]]]] = {}
# celpy's comparisons (`bool_lt` ...) wrap `operator.lt` ... with `boolean()` at every call; the same
# wrappers, made once.
_COMPARISONS = {name: boolean(op) for name, op in (("_<_", operator.lt), ("_<=_", operator.le), ("_>_", operator.gt),
                                                   ("_>=_", operator.ge), ("_==_", operator.eq), ("_!=_", operator.ne))}


def table(functions: Functions) -> dict[str, Callable[..., Any]]:
    """What a name resolves to in celpy: the operators aware of unknowns, then `functions`, then
    celpy's own functions (merged once per table)."""
    cached = _TABLES.get(id(functions))
    if cached is None or cached[0] is not functions:
        merged = {**base_functions, **_COMPARISONS, **functions, **runtime.OPERATORS}
        cached = _TABLES[id(functions)] = (functions, merged)
    return cached[1]


def run(program: Program, activation: Mapping[str, Any], functions: Functions, variables: Any) -> Any:
    """The CEL value of `program` (error values included); raises EvaluationFailed for a crash."""
    runtime.use_unknown_aware_reduction()
    try:
        fn = program.linked or program.link(link(program.code) if program.code else interpret(program.cel))
        return fn(activation, variables, table(functions))
    except RecursionError:
        raise runtime.EvaluationFailed("expression nested too deeply") from None
    except cost.CostExceeded:
        raise
    except Exception as exc:  # as runtime._run: celpy raises assorted exceptions for type misuse
        raise runtime.EvaluationFailed(f"{exc.__class__.__name__}: {exc}") from None


class Variables(runtime.LazyVariables[Program]):
    """`runtime.Variables` for compiled programs: each evaluated on first use, then remembered."""

    def _evaluate(self, program: Program) -> Any:
        return run(program, self._activation, self._functions, self)


def evaluate(program: Program, activation: Mapping[str, Any], functions: Functions,
             variables: Variables | None = None) -> Any:
    """`runtime.evaluate` for a compiled program: a plain Python value, or UnknownResult /
    EvaluationFailed."""
    value = run(program, activation, functions, variables)
    if isinstance(value, runtime.UnknownValue):
        raise runtime.UnknownResult(value.reason)
    if isinstance(value, _E):
        raise runtime.EvaluationFailed(runtime._error_text(value))
    return runtime.to_python(value)


def interpret(cel: str) -> Compiled:
    """The fallback for an expression the compiler does not translate: celpy's interpreter."""
    tree = runtime.compile_expr(cel)

    def interpreted(A: Mapping[str, Any], V: Any, F: Functions) -> Any:
        from celpy.evaluation import Activation

        bound = Activation(annotations={}, functions=F, vars=dict(A))
        return runtime._Evaluator(ast=tree, activation=bound, variables=V).visit(tree)

    return interpreted
