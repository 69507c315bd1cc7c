"""The strict RFC 8259 JSON reader, written by hand because Python's ``json`` gives no positions.

It records the character offset of every value and key (turned into line:column only when asked),
rejects duplicate keys, trailing commas, comments, NaN/Infinity, leading zeros, bad escapes and
unpaired surrogates with a positioned InputError, and is iterative, so nesting is limited by
MAX_DEPTH and never by the Python stack.
"""

from __future__ import annotations

import bisect
import gc
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, cast

from ptclint.errors import InputError
from ptclint.parsing.document import (
    MAX_DEPTH,
    SURROGATE_RE,
    Document,
    Position,
    clip,
    echo,
    echo_after,
    line_col,
    normalise,
    quote,
)

_WS_RE = re.compile(r"[ \t\n\r]*")
# the pattern matches the empty string, so its match() never returns None: typed so
_ws_match = cast("Callable[[str, int], re.Match[str]]", _WS_RE.match)
_STR_SIMPLE_RE = re.compile(r'"([^"\\\x00-\x1f]*)"')
_KEY_SIMPLE_RE = re.compile(r'"([^"\\\x00-\x1f]*)"[ \t\n\r]*:[ \t\n\r]*')
_AFTER_RE = re.compile(r"[ \t\n\r]*([,}\]])[ \t\n\r]*")
# "unrolled loop": plain run, then (escape, plain run)*; linear, no nested quantifiers to backtrack into
_STR_ESCAPED_RE = re.compile(r'"([^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*)"')
_ESCAPE_RE = re.compile(r'\\(?:(["\\/bfnrt])|u([0-9a-fA-F]{4}))')
_INF = float("inf")
_STR_CHUNK_RE = re.compile(r'([^"\\\x00-\x1f]*)(["\\\x00-\x1f])')
_NUMBER_RE = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_NUMBER_START = "-0123456789"
_HEX4_RE = re.compile(r"[0-9a-fA-F]{4}")
_WORD_RE = re.compile(r"[A-Za-z0-9_.+-]{1,20}")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_EOF_MESSAGE = "unexpected end of file (truncated JSON?)"


def parse_json(path: str, text: str) -> Document:
    """Parse strict RFC 8259 JSON. Duplicate keys, trailing commas, comments, NaN/Infinity, leading
    zeros, bad escapes and unpaired surrogates are errors."""
    text = normalise(text)
    if not text.strip(" \t\n\r"):
        raise InputError(path, "empty file")
    gc_was_enabled = gc.isenabled()
    gc.disable()  # the parse allocates many containers and tuples and frees none: collecting is wasted time
    try:
        data, offsets, key_offsets = _parse_json(path, text)
    finally:
        if gc_was_enabled:
            gc.enable()
    lines = _LineIndex(text)
    return Document(path, data, _OffsetPositions(offsets, lines), _OffsetPositions(key_offsets, lines), "json")


def _parse_json(path: str, text: str) -> tuple[Any, dict[tuple, int], dict[tuple, int]]:
    """The parser proper: the value, and the character offsets of every value and key by path
    (_OffsetPositions turns them into line:column)."""
    return _Reader(path, text).read()


class _Reader:
    """One parse of one text, as a state machine whose states are methods.

    Each state method reads what may come next, and returns the next state (None when done):
    `at_value` (a value is next), `after_value` (a comma or a closing bracket is next) and `at_key`
    (an object key is next). In `at_value` and `at_key`, `pos` is at a non-space character or at the
    end of the text. Iterative: `stack` holds the enclosing containers, the innermost one lives in
    attributes, so nesting never grows the Python stack.
    """

    __slots__ = (
        "comma",
        "container",
        "cpath",
        "cur",
        "depth",
        "index",
        "is_obj",
        "key",
        "key_offsets",
        "n",
        "offsets",
        "path",
        "pos",
        "root",
        "stack",
        "text",
    )

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.n = len(text)
        self.offsets: dict[tuple, int] = {}
        self.key_offsets: dict[tuple, int] = {}
        self.stack: list[tuple] = []  # saved (container, cpath, is_obj, index) of the enclosing containers
        self.container: Any = None  # the innermost open container (None at the top level)
        self.cpath: tuple = ()  # its path
        self.is_obj = False
        self.index = 0  # index of the list element being read
        self.depth = 0
        self.key = ""  # key of the object member being read
        self.root: Any = None
        self.cur: tuple = ()  # path of the value about to be read
        self.comma = -1  # offset of the comma just read, for trailing-comma messages
        self.pos = _ws_match(text, 0).end()

    def read(self) -> tuple[Any, dict[tuple, int], dict[tuple, int]]:
        state: Callable[[], Any] | None = self.at_value
        while state is not None:
            state = state()
        return self.root, self.offsets, self.key_offsets

    def fail(self, message: str, offset: int) -> InputError:
        line, column = line_col(self.text, offset)
        return InputError(self.path, message, line, column)

    # ------------------------------------------------------------ states

    def at_value(self) -> Callable[[], Any] | None:
        pos = self.pos
        if pos >= self.n:
            raise self.fail(_EOF_MESSAGE, self.n)
        c = self.text[pos]
        self.offsets[self.cur] = pos
        value: str | int | float | bool | None
        if c == '"':
            value = self.string(pos)
        elif c in _NUMBER_START:
            value = self.number(pos)
        elif c == "{":
            return self.open_object(pos)
        elif c == "[":
            return self.open_array(pos)
        else:
            value = self.literal(pos, c)
        if self.is_obj:  # self.store(value), inlined: this is the parser's hottest line
            self.container[self.key] = value
        elif self.depth:
            self.container.append(value)
        else:
            self.root = value
        return self.after_value

    def after_value(self) -> Callable[[], Any] | None:
        text = self.text
        if not self.depth:
            pos = _ws_match(text, self.pos).end()
            if pos < self.n:
                raise self.fail(f"unexpected {_describe(text, pos)} after the JSON value", pos)
            return None
        m = _AFTER_RE.match(text, self.pos)
        if m is None:
            pos = _ws_match(text, self.pos).end()
            if pos >= self.n:
                raise self.fail(_EOF_MESSAGE, self.n)
            raise self.fail(self.expected_comma(), pos)
        c = m.group(1)
        if c == ",":
            self.comma = m.start(1)
            self.pos = m.end()
            if self.is_obj:
                return self.at_key
            self.index += 1
            self.cur = self.cpath + (self.index,)
            return self.at_value
        if c == ("}" if self.is_obj else "]"):
            self.pos = m.end(1)
            self.container, self.cpath, self.is_obj, self.index = self.stack.pop()
            self.depth -= 1
            return self.after_value
        raise self.fail(self.expected_comma(), m.start(1))

    def at_key(self) -> Callable[[], Any] | None:
        """After '{' or after ',' in an object."""
        key_at = self.pos
        m = _KEY_SIMPLE_RE.match(self.text, key_at)
        if m is not None:
            key = m.group(1)
            self.pos = m.end()
        else:
            key = self.unusual_key(key_at)
        cur = self.cpath + (key,)
        if key in self.container:
            first = line_col(self.text, self.key_offsets[cur])[0]
            raise self.fail(f"duplicate key {quote(key)} (first at line {first})", key_at)
        self.key_offsets[cur] = key_at
        self.key = key
        self.cur = cur
        self.comma = -1
        return self.at_value

    # ------------------------------------------------------------ token kinds

    def string(self, pos: int) -> str:
        m = _STR_SIMPLE_RE.match(self.text, pos)
        if m is not None:
            self.pos = m.end()
            return m.group(1)
        value, self.pos = _read_string(self.text, pos, self.fail)
        return value

    def number(self, pos: int) -> int | float:
        text = self.text
        m = _NUMBER_RE.match(text, pos)
        if m is None:
            raise self.fail(_bad_value_message(text, pos), pos)
        end = m.end()
        if end < self.n and (text[end] in ".+-" or text[end].isalnum()):
            raise self.fail(_bad_number_message(text, pos, end), pos)
        value: int | float
        if m.group(1) is None and m.group(2) is None:
            try:
                value = int(m.group())
            except ValueError:  # more digits than int() accepts
                raise self.fail(f"integer with {end - pos} digits is too long", pos) from None
        else:
            value = float(m.group())
            if value == _INF or value == -_INF:
                raise self.fail(echo_after("number", m.group()) + " is out of range", pos)
        self.pos = end
        return value

    def literal(self, pos: int, c: str) -> bool | None:
        """true, false or null; anything else here is not a JSON value."""
        text = self.text
        if c == "t" and text.startswith("true", pos):
            self.pos = pos + 4
            return True
        if c == "f" and text.startswith("false", pos):
            self.pos = pos + 5
            return False
        if c == "n" and text.startswith("null", pos):
            self.pos = pos + 4
            return None
        if c == "]" and self.comma >= 0:
            raise self.fail("trailing comma before ']' is not allowed in JSON", self.comma)
        raise self.fail(_bad_value_message(text, pos), pos)

    def open_object(self, pos: int) -> Callable[[], Any] | None:
        if not self.open(pos, {}, "}"):
            return self.after_value
        self.is_obj = True
        return self.at_key

    def open_array(self, pos: int) -> Callable[[], Any] | None:
        if not self.open(pos, [], "]"):
            return self.after_value
        self.is_obj = False
        self.index = 0
        self.cur = self.cur + (0,)
        return self.at_value

    def open(self, pos: int, value: dict | list, close: str) -> bool:
        """Store a new container in its parent; enter it unless it is empty (then it is complete)."""
        if self.depth >= MAX_DEPTH:
            raise self.fail(f"nesting deeper than {MAX_DEPTH} levels", pos)
        self.store(value)
        pos = _ws_match(self.text, pos + 1).end()
        if pos < self.n and self.text[pos] == close:
            self.pos = pos + 1
            return False
        self.pos = pos
        self.stack.append((self.container, self.cpath, self.is_obj, self.index))
        self.container = value
        self.cpath = self.cur
        self.depth += 1
        self.comma = -1
        return True

    def store(self, value: Any) -> None:
        if self.is_obj:
            self.container[self.key] = value
        elif self.depth:
            self.container.append(value)
        else:
            self.root = value

    def unusual_key(self, pos: int) -> str:
        """A key with escapes or spaces before the colon, or the error for what stands there instead."""
        text = self.text
        if pos >= self.n:
            raise self.fail(_EOF_MESSAGE, self.n)
        c = text[pos]
        if c == '"':
            key, pos = _read_string(text, pos, self.fail)
            pos = _ws_match(text, pos).end()
            if pos >= self.n:
                raise self.fail(_EOF_MESSAGE, self.n)
            if text[pos] != ":":
                raise self.fail("expected ':' after object key", pos)
            self.pos = _ws_match(text, pos + 1).end()
            return key
        if c == "}" and self.comma >= 0:
            raise self.fail("trailing comma before '}' is not allowed in JSON", self.comma)
        if c == "'":
            raise self.fail("object keys must be strings in double quotes", pos)
        if c == "/":
            raise self.fail("comments are not allowed in JSON", pos)
        raise self.fail(f"expected a string key in double quotes, found {_describe(text, pos)}", pos)

    def expected_comma(self) -> str:
        return "expected ',' or '}' after object member" if self.is_obj else "expected ',' or ']' after array element"


def _read_string(text: str, start: int, fail: Callable[[str, int], InputError]) -> tuple[str, int]:
    """A string with escapes (the opening quote is at `start`): one regex for the common case,
    _scan_string for unusual escapes and for precise error messages."""
    m = _STR_ESCAPED_RE.match(text, start)
    if m is not None:
        value = _ESCAPE_RE.sub(_unescape, m.group(1))
        if not SURROGATE_RE.search(value):
            return value, m.end()
        try:  # join \uD83D\uDE00-style pairs; an unpaired surrogate fails here and is reported below
            return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le"), m.end()
        except UnicodeDecodeError:
            pass
    return _scan_string(text, start, fail)


def _unescape(m: re.Match) -> str:
    esc = m.group(1)
    if esc is not None:
        return _ESCAPES[esc]
    return chr(int(m.group(2), 16))


class _LineIndex:
    """Offsets -> line:column for one text, computed on first use."""

    __slots__ = ("starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts: list[int] | None = None

    def position(self, offset: int) -> Position:
        starts = self.starts
        if starts is None:
            starts = [0]
            find = self.text.find
            i = find("\n")
            while i >= 0:
                starts.append(i + 1)
                i = find("\n", i + 1)
            self.starts = starts
            self.text = ""  # no longer needed
        i = bisect.bisect_right(starts, offset) - 1
        return Position(i + 1, offset - starts[i] + 1)


class _OffsetPositions(Mapping):
    """A read-only Mapping[path, Position] over recorded character offsets (JSON documents)."""

    __slots__ = ("_lines", "_offsets")

    def __init__(self, offsets: dict[tuple, int], lines: _LineIndex) -> None:
        self._offsets = offsets
        self._lines = lines

    def __getitem__(self, path: tuple) -> Position:
        return self._lines.position(self._offsets[path])

    def get(self, path: tuple, default: Any = None) -> Any:
        offset = self._offsets.get(path)
        return default if offset is None else self._lines.position(offset)

    def __contains__(self, path: object) -> bool:
        return path in self._offsets

    def __iter__(self) -> Iterator[tuple]:
        return iter(self._offsets)

    def __len__(self) -> int:
        return len(self._offsets)

    def __repr__(self) -> str:
        return f"{{{', '.join(f'{k!r}: {v!r}' for k, v in self.items())}}}"


def _scan_string(text: str, start: int, fail: Callable[[str, int], InputError]) -> tuple[str, int]:
    """Read the string whose opening quote is at `start` (the slow path: escapes or errors)."""
    chunks: list[str] = []
    append = chunks.append
    chunk = _STR_CHUNK_RE.match
    pos = start + 1
    n = len(text)
    while True:
        m = chunk(text, pos)
        if m is None:
            raise fail("unexpected end of file inside a string (truncated JSON?)", n)
        append(m.group(1))
        term = m.group(2)
        pos = m.end()
        if term == '"':
            return "".join(chunks), pos
        if term != "\\":
            if term == "\n":
                raise fail("string is not closed at the end of the line (missing '\"'?)", pos - 1)
            raise fail(f"control character U+{ord(term):04X} in a string must be escaped", pos - 1)
        if pos >= n:
            raise fail(_EOF_MESSAGE, n)
        esc = text[pos]
        if esc != "u":
            replacement = _ESCAPES.get(esc)
            if replacement is None:
                raise fail(f"invalid escape {clip(chr(92) + esc)} in a string", pos - 1)
            append(replacement)
            pos += 1
            continue
        hex4 = text[pos + 1: pos + 5]
        if not _HEX4_RE.fullmatch(hex4):
            if len(hex4) < 4 and pos + 5 > n:
                raise fail(_EOF_MESSAGE, n)
            raise fail("invalid \\u escape (it needs exactly 4 hex digits)", pos - 1)
        code = int(hex4, 16)
        if 0xD800 <= code <= 0xDBFF:
            low = text[pos + 7: pos + 11] if text.startswith("\\u", pos + 5) else ""
            if _HEX4_RE.fullmatch(low) and 0xDC00 <= int(low, 16) <= 0xDFFF:
                code = 0x10000 + ((code - 0xD800) << 10) + (int(low, 16) - 0xDC00)
                pos += 11
            else:
                raise fail(f"unpaired surrogate \\u{hex4} (a high surrogate must be followed by a low one)", pos - 1)
        elif 0xDC00 <= code <= 0xDFFF:
            raise fail(f"unpaired surrogate \\u{hex4} (a low surrogate without a high one before it)", pos - 1)
        else:
            pos += 5
        append(chr(code))


def _bad_value_message(text: str, pos: int) -> str:
    c = text[pos]
    if c in "}]":
        return f"expected a value, found '{c}'"
    if c == ",":
        return "expected a value, found ','"
    if c == "'":
        return "strings must be in double quotes"
    if c == "/":
        return "comments are not allowed in JSON"
    word = _WORD_RE.match(text, pos)
    if word is not None:
        w = word.group()
        if w.lstrip("+-").startswith(("NaN", "Infinity", "nan", "inf", "Inf")):
            return f"{echo(w, 'NaN or Infinity')} is not valid JSON (JSON has no NaN or Infinity)"
        if c in "+.-" or c.isdigit():
            return echo_after("invalid number", w)
        for literal in ("true", "false", "null"):
            if literal.startswith(w) and pos + len(w) == len(text):
                return _EOF_MESSAGE
        if w.lower() in ("true", "false", "null", "none"):
            return f"expected a JSON value, found '{w}' (JSON literals are true, false and null, in lower case)"
        # an unquoted word may be a token or password pasted without quotes: it is not repeated
        return "expected a JSON value, found an unquoted word (strings must be in double quotes)"
    return f"expected a JSON value, found {_describe(text, pos)}"


def _bad_number_message(text: str, start: int, end: int) -> str:
    digits = text[start:end].lstrip("-")
    if text[end].isdigit() and digits == "0":
        return "numbers cannot have leading zeros"
    word = _WORD_RE.match(text, start)
    return echo_after("invalid number", word.group() if word else text[start:end + 1])


def _describe(text: str, pos: int) -> str:
    c = text[pos]
    if c.isprintable() and not c.isspace():
        return f"'{c}'"
    return f"character U+{ord(c):04X}"
