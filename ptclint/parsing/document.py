"""What both readers share: the Document they return, positions, the nesting limit, text clean-up and
the rules for quoting input in error messages.

A leaf module (no ptclint imports): `json` and `yaml` take what they share from here rather than
from the package `__init__`, which imports them, so there is no import cycle.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: Deepest nesting of lists/objects accepted, in both formats (the root container is level 1).
MAX_DEPTH = 200

#: UTF-16 surrogate code points: a string may not keep one unpaired (libyaml and UTF-8 reject them).
SURROGATE_RE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class Position:
    line: int  # 1-based
    column: int  # 1-based, in characters


_START = Position(1, 1)


@dataclass(frozen=True)
class Document:
    path: str
    data: Any
    positions: Mapping[tuple, Position]
    key_positions: Mapping[tuple, Position]
    fmt: str

    def position(self, path: tuple) -> Position:
        """Position of the value at `path`, else of its closest ancestor with one, else 1:1."""
        p = tuple(path)
        positions = self.positions
        while True:
            pos = positions.get(p)
            if pos is not None:
                return pos
            if not p:
                return _START
            p = p[:-1]


# ---------------------------------------------------------------- text


def normalise_newlines(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def normalise(text: str) -> str:
    """What read_text guarantees, applied again so that parse_* accept text from any source."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return normalise_newlines(text)


def line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


# ---------------------------------------------------------------- quoting input in messages

#: Longest piece of input text an error message repeats. Longer text (an unquoted word, a malformed
#: number, a scalar that does not fit its tag) may be a token or password typed where it does not
#: belong, so messages name its place and not its content.
ECHO_LIMIT = 8


def echo(s: str, instead: str) -> str:
    return s if len(s) <= ECHO_LIMIT else instead


def echo_after(message: str, s: str) -> str:
    return f"{message} {s}" if len(s) <= ECHO_LIMIT else message


def clip(s: str, limit: int = 40) -> str:
    return s if len(s) <= limit else s[: limit - 3] + "..."


def quote(key: str) -> str:
    return '"' + clip(key).replace("\\", "\\\\").replace('"', '\\"') + '"'
