"""The one table of Terraform built-in functions ptclint evaluates (`docs/loaders.md` lists it).

The pure functions come from `functions`, `functions_text` and `functions_collections`; a few
need the evaluator itself (the file and path functions read the scanned layout, confined to the unit, `try` / `can`
catch evaluation errors) and are named in `EVALUATOR_FUNCTIONS`. A call to any other function,
a provider function (`provider::aws::arn_parse`) included, is an unknown value whose reason names
the function: never a guess.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ptclint.loaders.terraform import functions, functions_collections, functions_text

FUNCTIONS: dict[str, Callable[..., Any]] = {
    **functions.FUNCTIONS,
    **functions_text.FUNCTIONS,
    **functions_collections.FUNCTIONS,
}

# Evaluated by expr.Evaluator: they need the scanned directory or catch errors of their arguments.
EVALUATOR_FUNCTIONS = ("abspath", "can", "file", "fileexists", "fileset", "templatefile", "try")

# Deliberately not evaluated: their result depends on the machine, the clock or chance, not on
# the configuration (`pathexpand` on the home directory of whoever runs Terraform).
NOT_PURE = ("bcrypt", "pathexpand", "plantimestamp", "timestamp", "uuid")


def supported() -> list[str]:
    """Every built-in function ptclint evaluates, sorted."""
    return sorted({*FUNCTIONS, *EVALUATOR_FUNCTIONS})
