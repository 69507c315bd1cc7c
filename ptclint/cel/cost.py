"""The CEL cost budget: how much work one rule may do on one resource before it is stopped.

A rule's expressions are bounded by their text, but not by the input: `all()` nested in `all()`
over a registry of 10,000 PTC rules is 10^8 steps, and a `reduce()` that doubles a list doubles
its memory at each element. So every evaluation of a rule on a resource (its `when`, `assert`,
`variables`, `severity_when`, message and `related` together) runs under a `Meter`, and both ways
of evaluating CEL (the interpreter in `runtime`, the compiled code in `compiled`) charge it alike:

- one step for each iteration of a macro body (`all`, `exists`, `exists_one`, `map`, `filter`,
  `reduce`) and for each function or method call;
- the number of elements looked through by `x in list` (or keys, for a map);
- the length of the result of `+` on strings and lists (what the concatenation copied).

Going over the budget raises `CostExceeded`, which no CEL operator absorbs (it is not a CEL error
value): the engine reports an error outcome for that rule and resource, and the rule's other
resources in the same registry as not judged (errors too, so a costly rule costs one budget per
registry rather than one per resource); every other rule is still judged. This module imports
nothing, so both evaluators can use it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


class CostExceeded(Exception):
    """A rule's evaluation on one resource went over its budget. The message names no value."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(
            f"CEL evaluation goes over the cel_steps budget of {limit:,} (macro iterations, function calls, "
            f"elements searched or concatenated); raise cel-steps in [tool.ptclint.budgets] if it is genuine"
        )


class Meter:
    """Steps left for the evaluation under way."""

    __slots__ = ("left", "limit")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.left = limit


_meter: Meter | None = None  # the evaluation under way (evaluation is single-threaded per process)


def spend(steps: int = 1) -> None:
    """Charge the evaluation under way (nothing outside `limited()`)."""
    meter = _meter
    if meter is not None:
        meter.left -= steps
        if meter.left < 0:
            raise CostExceeded(meter.limit)


def sized(value: object) -> int:
    """What `+` copied or `in` searched: the length of a string, list or map, else 0."""
    return len(value) if isinstance(value, (str, bytes, list, dict)) else 0


@contextlib.contextmanager
def limited(limit: int) -> Iterator[Meter]:
    """Evaluate inside under a fresh meter of `limit` steps (nested uses restore the outer one)."""
    global _meter
    outer, _meter = _meter, Meter(limit)
    try:
        yield _meter
    finally:
        _meter = outer
