"""Work budgets: how much evaluation one input may cost before it is refused.

A 2 KB file must not be able to hang a scan or exhaust its memory (nested `for` over `range()`,
strings doubled through locals, `Fn::Join` over YAML aliases). Every source is read under its own
`Meter` (`metered()`, used by `loaders/inputs.py`); loaders call `spend()` for each step of
evaluation and `check_size()` for each value they build. Going over a budget raises
`BudgetExceeded`, which the input loop reports as an input problem for that file (exit 2); the
other files are still judged.

The defaults are generous for real configurations; `Budgets` can be overridden per scan (the
`[tool.ptclint.budgets]` table of the configuration file), and tests use small ones.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Budgets:
    """Limits per input (one file, one Terraform root module, one plan)."""

    evaluation_steps: int = 400_000
    """Expression nodes evaluated (Terraform) or intrinsic functions resolved (CloudFormation)."""
    loop_iterations: int = 100_000
    """Iterations of Terraform `for` expressions and elements produced by `range()`."""
    value_size: int = 1_000_000
    """Characters in any string, or elements in any list or map, a loader builds."""
    cel_steps: int = 100_000
    """CEL work of one rule on one resource (`ptclint.cel.cost`): macro iterations, function calls,
    elements searched by `in` or concatenated by `+`."""


DEFAULT = Budgets()
NAMES = tuple(f.name for f in fields(Budgets))


class BudgetExceeded(Exception):
    """An input needs more work than its budget allows. The message names the budget, never a value."""

    def __init__(self, budget: str, limit: int, what: str) -> None:
        self.budget, self.limit, self.what = budget, limit, what
        self.subject: str | None = None  # what was being read: a resource address, a logical id
        self.file: str | None = None
        self.line: int | None = None
        self.column: int | None = None
        self.path: tuple[object, ...] | None = None  # a place in a document, for a loader to turn into a line
        super().__init__(budget)

    def locate(self, file: str | None = None, line: int | None = None, column: int | None = None,
               subject: str | None = None) -> BudgetExceeded:
        """Add the place (the first, innermost one given wins)."""
        if self.line is None and line is not None:
            self.file, self.line, self.column = file or self.file, line, column
        self.subject = self.subject or subject
        return self

    def __str__(self) -> str:
        head = f"{self.subject}: " if self.subject else ""
        return (f"{head}{self.what} goes over the {self.budget} budget of {self.limit:,} (an input this costly is "
                f"refused; raise {self.budget.replace('_', '-')} in [tool.ptclint.budgets] if it is genuine)")


class Meter:
    """What one input has spent so far."""

    def __init__(self, budgets: Budgets = DEFAULT) -> None:
        self.budgets = budgets
        self.steps = 0
        self.iterations = 0

    def spend(self, steps: int = 1, what: str = "evaluation") -> None:
        self.steps += steps
        if self.steps > self.budgets.evaluation_steps:
            raise BudgetExceeded("evaluation_steps", self.budgets.evaluation_steps, what)

    def iterate(self, count: int, what: str) -> None:
        self.iterations += count
        if self.iterations > self.budgets.loop_iterations:
            raise BudgetExceeded("loop_iterations", self.budgets.loop_iterations, what)

    def check_size(self, size: int, what: str) -> None:
        if size > self.budgets.value_size:
            raise BudgetExceeded("value_size", self.budgets.value_size, what)


_current: contextvars.ContextVar[Meter | None] = contextvars.ContextVar("ptclint_meter", default=None)
_budgets: contextvars.ContextVar[Budgets] = contextvars.ContextVar("ptclint_budgets", default=DEFAULT)


def meter() -> Meter:
    """The meter of the input being read (a fresh, unshared one outside `metered()`)."""
    current = _current.get()
    return current if current is not None else Meter(_budgets.get())


def current_budgets() -> Budgets:
    current = _current.get()
    return current.budgets if current is not None else _budgets.get()


@contextlib.contextmanager
def metered(budgets: Budgets | None = None) -> Iterator[Meter]:
    """Read one input under a fresh meter."""
    token = _current.set(Meter(budgets or _budgets.get()))
    try:
        yield _current.get()  # type: ignore[misc]
    finally:
        _current.reset(token)


@contextlib.contextmanager
def using(budgets: Budgets) -> Iterator[Budgets]:
    """Budgets for everything read inside (a scan's configured ones; small ones in tests)."""
    token = _budgets.set(budgets)
    try:
        yield budgets
    finally:
        _budgets.reset(token)


def sized(value: object) -> int:
    """The size `value_size` limits: characters of a string, elements of a list or map, else 0."""
    return len(value) if isinstance(value, (str, bytes, list, tuple, dict, set, frozenset)) else 0
