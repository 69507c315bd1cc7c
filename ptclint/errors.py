"""Errors the user caused. Each is reported as one line naming the file and the place, never a traceback."""

from __future__ import annotations


class PtclintError(Exception):
    """Base: an error the user caused, reported without a traceback."""


class InputError(PtclintError):
    """A file ptclint cannot read as the input it claims (or was taken) to be."""

    def __init__(
        self,
        file: str,
        message: str,
        line: int | None = None,
        column: int | None = None,
        pointer: str | None = None,
    ) -> None:
        self.file = file
        self.message = message
        self.line = line
        self.column = column
        self.pointer = pointer
        super().__init__(str(self))

    def __str__(self) -> str:
        place = self.file
        if self.line is not None:
            place += f":{self.line}"
            if self.column is not None:
                place += f":{self.column}"
        elif self.pointer:
            return f"{place}: at {self.pointer}: {self.message}"
        return f"{place}: {self.message}"


class CatalogError(InputError):
    """A rule file that fails its schema or whose CEL does not compile."""


class ConfigError(PtclintError):
    """A bad command-line value or configuration entry (names where it came from)."""
