"""A compiled CEL expression: the CEL text plus the Python code ptclint's compiler made of it.

This module imports neither celpy nor lark, so unpickling a cached catalog of `Program`s is cheap.
The Python code is kept as marshal'd bytes (a code object of this interpreter's version; the
catalog cache key names that version) and linked into a function on first use, so a scan pays
only for the expressions it evaluates.
"""

from __future__ import annotations

import marshal
from collections.abc import Callable
from typing import Any

Compiled = Callable[[Any, Any, Any], Any]  # (activation, variables, functions) -> CEL value


class Program:
    """One CEL expression: `cel` (its text), `source` (the generated Python; empty for the rare
    expression the compiler leaves to celpy's interpreter), `variables` (the names it reads as
    `variables.<name>`). `ptclint.cel.compiled` links the code on first use."""

    __slots__ = ("_code", "_run", "cel", "source", "variables")

    def __init__(self, cel: str, source: str, variables: frozenset[str], code: bytes | None = None) -> None:
        self.cel = cel
        self.source = source
        self.variables = variables
        if code is None:
            code = marshal.dumps(compile(source, "<cel>", "exec")) if source else b""
        self._code = code
        self._run: Compiled | None = None

    @property
    def code(self) -> bytes:
        """The marshal'd code object (empty when the interpreter runs this expression)."""
        return self._code

    @property
    def linked(self) -> Compiled | None:
        """The function `ptclint.cel.compiled` linked from the code, once it has."""
        return self._run

    def link(self, run: Compiled) -> Compiled:
        self._run = run
        return run

    def __getstate__(self) -> tuple[str, str, frozenset[str], bytes]:
        return (self.cel, self.source, self.variables, self._code)

    def __setstate__(self, state: tuple[str, str, frozenset[str], bytes]) -> None:
        self.cel, self.source, self.variables, self._code = state
        self._run = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Program) and (self.cel, self.source) == (other.cel, other.source)

    def __hash__(self) -> int:
        return hash((self.cel, self.source))

    def __repr__(self) -> str:
        return f"Program({self.cel!r})"
