"""The functions ptclint's rules may call in CEL: an explicit table, CEL name -> function.

Each rule library module lists its own in `FUNCTIONS`; `MODULES` below names the modules, so adding
a function is one entry in its module's table. `wrap` is the one place where the rule library's
three-valued answers (`model.Unknown`, `tri.Error`, a raised `tri.Unresolved`) become CEL's
unknown and error values. The table is handed to `runtime.evaluate`; the runtime never imports it.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

from ptclint.cel import runtime
from ptclint.rulelib import (
    access,
    api_shapes,
    aws,
    iam,
    plan,
    prefixes,
    registry_policy,
    secrets,
    template_checks,
    templates,
    tri,
    values,
)

MODULES: tuple[ModuleType, ...] = (
    aws, prefixes, values, iam, registry_policy, templates, template_checks, api_shapes, secrets, access, plan,
)


def _leaf(value: Any) -> Any:
    """tri's error marker as CEL's error value (`runtime.to_cel` converts the rest)."""
    return runtime.error_value(value.why) if isinstance(value, tri.Error) else None


def to_cel(value: Any) -> Any:
    """A rule library answer as a CEL value."""
    return runtime.to_cel(value, _leaf)


def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Expose a rule library function to CEL: CEL arguments to plain Python, the answer back, and
    an unresolved value it met (`tri.Unresolved`) or a failure as CEL's unknown or error value."""

    def call(*args: Any) -> Any:
        try:
            return to_cel(fn(*(runtime.to_python(a) for a in args)))
        except tri.Unresolved as exc:
            return runtime.UnknownValue(exc.reason)
        except (ValueError, TypeError, KeyError) as exc:
            return runtime.error_value_from(f"{fn.__name__}: {exc}", exc)

    call.__name__ = fn.__name__
    call.__doc__ = fn.__doc__
    if getattr(fn, "sees_unknowns", False):  # see runtime.sees_unknowns
        call.sees_unknowns = True  # type: ignore[attr-defined]
    return call


def _table() -> dict[str, Callable[..., Any]]:
    table: dict[str, Callable[..., Any]] = {}
    for module in MODULES:
        for name, fn in module.FUNCTIONS.items():
            if name in table:
                raise RuntimeError(f"CEL function {name} defined twice ({module.__name__})")
            table[name] = fn
    return table


DOCUMENTED: dict[str, Callable[..., Any]] = _table()  # CEL name -> rule library function (for docs)
FUNCTIONS: dict[str, Callable[..., Any]] = {name: wrap(fn) for name, fn in DOCUMENTED.items()}
