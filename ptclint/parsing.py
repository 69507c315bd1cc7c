"""Read JSON and YAML files into plain Python values, remembering where every value and key starts.

Every problem with the input is reported as an :class:`~ptclint.errors.InputError` naming the file,
line and column; nothing else escapes for bad input (no RecursionError, UnicodeDecodeError or
yaml.YAMLError).

* JSON is read by a strict RFC 8259 parser written here (Python's ``json`` does not give positions).
  It is iterative, so nesting is limited by :data:`MAX_DEPTH` and never by the Python stack.
* YAML is read with PyYAML at the event level (libyaml when available). The node graph is composed
  here, so that depth (:data:`MAX_DEPTH`) and alias expansion (:data:`MAX_YAML_NODES`) are checked
  *while* composing, before anything is materialised. Plain values are then built from the graph.
  Scalars resolve to bool/int/float/null with PyYAML's safe (YAML 1.1) resolver; everything else,
  timestamps included, stays a string.

Positions are 1-based; columns count characters (code points), not bytes.
"""

from __future__ import annotations

import bisect
import codecs
import gc
import os
import re
import stat
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode

from ptclint.errors import InputError

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_DEPTH",
    "MAX_YAML_NODES",
    "Position",
    "Document",
    "read_text",
    "decode_text",
    "parse_json",
    "parse_yaml",
    "load",
]

#: Default limit on the size of an input file, in bytes (the CLI's --max-file-size overrides it).
MAX_FILE_BYTES = 10 * 1024 * 1024
#: Deepest nesting of lists/objects accepted, in both formats (the root container is level 1).
MAX_DEPTH = 200
#: Most values a YAML document may expand to once aliases are followed ("billion laughs" guard).
#: Checked only for documents that use aliases: without aliases the file-size limit bounds the work.
MAX_YAML_NODES = 1_000_000


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


# ---------------------------------------------------------------- reading files

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),  # before UTF-16 LE: same first two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)


def read_text(path: str, max_bytes: int = MAX_FILE_BYTES) -> str:
    """The file's text: size-checked, decoded (UTF-8, or UTF-16/32 with a BOM), BOM removed, LF line ends."""
    try:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            if stat.S_ISREG(st.st_mode) and st.st_size > max_bytes:
                raise InputError(path, _too_big(st.st_size, max_bytes))
            data = f.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(path, f"cannot read the file: {exc.strerror or exc}") from None
    if len(data) > max_bytes:  # not a regular file (pipe, device) or it grew while we read it
        raise InputError(path, _too_big(None, max_bytes))
    return decode_text(path, data)


def _too_big(size: int | None, max_bytes: int) -> str:
    what = f"file is {size} bytes" if size is not None else f"input is more than {max_bytes} bytes"
    return f"{what}, over the {max_bytes}-byte limit (set --max-file-size to raise it)"


def decode_text(path: str, data: bytes) -> str:
    """Decode file bytes as read_text does (for callers that got the bytes elsewhere, e.g. stdin)."""
    encoding, label, skip = "utf-8", "UTF-8", 0
    for bom, enc, name in _BOMS:
        if data.startswith(bom):
            encoding, label, skip = enc, name, len(bom)
            break
    body = data[skip:] if skip else data
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        prefix = _normalise_newlines(body[: exc.start].decode(encoding, errors="replace"))
        line = prefix.count("\n") + 1
        column = len(prefix) - (prefix.rfind("\n") + 1) + 1
        offset = skip + exc.start
        if encoding == "utf-8":
            message = f"invalid UTF-8 (byte 0x{body[exc.start]:02x} at byte offset {offset}); save the file as UTF-8"
        else:
            message = f"invalid {label} data at byte offset {offset} ({exc.reason})"
        raise InputError(path, message, line, column) from None
    text = _normalise_newlines(text)
    nul = text.find("\x00")
    if nul >= 0:
        line, column = _line_col(text, nul)
        message = "the file contains a NUL character (a binary file, or UTF-16 without a byte-order mark?)"
        raise InputError(path, message, line, column)
    return text


def _normalise_newlines(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _normalise(text: str) -> str:
    """What read_text guarantees, applied again so that parse_* accept text from any source."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return _normalise_newlines(text)


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def load(path: str, max_bytes: int = MAX_FILE_BYTES) -> Document:
    """read_text, then JSON for .json, YAML for .yaml/.yml; otherwise JSON if the text starts with { or [
    (falling back to YAML, e.g. for a flow mapping; the JSON error is reported if both fail), else YAML."""
    text = read_text(path, max_bytes)
    ext = os.path.splitext(path)[1].lower()
    if ext == ".json":
        return parse_json(path, text)
    if ext in (".yaml", ".yml"):
        return parse_yaml(path, text)
    if text.lstrip()[:1] in ("{", "["):
        try:
            return parse_json(path, text)
        except InputError as json_error:
            try:
                return parse_yaml(path, text)
            except InputError:
                raise json_error from None
    return parse_yaml(path, text)


# ---------------------------------------------------------------- JSON

_WS_RE = re.compile(r"[ \t\n\r]*")
_STR_SIMPLE_RE = re.compile(r'"([^"\\\x00-\x1f]*)"')
_KEY_SIMPLE_RE = re.compile(r'"([^"\\\x00-\x1f]*)"[ \t\n\r]*:[ \t\n\r]*')
_AFTER_RE = re.compile(r"[ \t\n\r]*([,}\]])[ \t\n\r]*")
# "unrolled loop": plain run, then (escape, plain run)*; linear, no nested quantifiers to backtrack into
_STR_ESCAPED_RE = re.compile(r'"([^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*)"')
_ESCAPE_RE = re.compile(r'\\(?:(["\\/bfnrt])|u([0-9a-fA-F]{4}))')
_INF = float("inf")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_STR_CHUNK_RE = re.compile(r'([^"\\\x00-\x1f]*)(["\\\x00-\x1f])')
_NUMBER_RE = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_HEX4_RE = re.compile(r"[0-9a-fA-F]{4}")
_WORD_RE = re.compile(r"[A-Za-z0-9_.+-]{1,20}")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_EOF_MESSAGE = "unexpected end of file (truncated JSON?)"

def parse_json(path: str, text: str) -> Document:
    """Parse strict RFC 8259 JSON. Duplicate keys, trailing commas, comments, NaN/Infinity, leading
    zeros, bad escapes and unpaired surrogates are errors."""
    text = _normalise(text)
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
    """The parser proper. Records character offsets; _OffsetPositions turns them into line:column.

    Iterative: `stack` holds the enclosing containers, the innermost one lives in local variables.
    States: 0 = a value is next, 1 = after a value, 2 = an object key is next. In states 0 and 2
    `pos` is at a non-space character or at the end of the text.
    """
    n = len(text)
    max_depth = MAX_DEPTH
    offsets: dict[tuple, int] = {}
    key_offsets: dict[tuple, int] = {}
    ws_end = _WS_RE.match
    str_match = _STR_SIMPLE_RE.match
    key_match = _KEY_SIMPLE_RE.match
    after_match = _AFTER_RE.match
    num_match = _NUMBER_RE.match
    num_start = "-0123456789"
    inf = _INF

    def fail(message: str, offset: int) -> InputError:
        line, column = _line_col(text, offset)
        return InputError(path, message, line, column)

    stack: list[tuple] = []  # saved (container, path, is_obj, index) of the enclosing containers
    container: Any = None  # the innermost open container (None at the top level)
    cpath: tuple = ()  # its path
    is_obj = False
    index = 0  # index of the list element being read
    depth = 0
    key = ""  # key of the object member being read
    root: Any = None
    cur: tuple = ()  # path of the value about to be read
    comma = -1  # offset of the comma just read, for trailing-comma messages
    pos = ws_end(text, 0).end()
    state = 0
    while True:
        if state == 0:
            if pos >= n:
                raise fail(_EOF_MESSAGE, n)
            c = text[pos]
            offsets[cur] = pos
            if c == '"':
                m = str_match(text, pos)
                if m is not None:
                    value = m.group(1)
                    pos = m.end()
                else:
                    value, pos = _read_string(text, pos, fail)
            elif c in num_start:
                m = num_match(text, pos)
                if m is None:
                    raise fail(_bad_value_message(text, pos), pos)
                end = m.end()
                if end < n and (text[end] in ".+-" or text[end].isalnum()):
                    raise fail(_bad_number_message(text, pos, end), pos)
                if m.group(1) is None and m.group(2) is None:
                    try:
                        value = int(m.group())
                    except ValueError:  # more digits than int() accepts
                        raise fail(f"integer with {end - pos} digits is too long", pos) from None
                else:
                    value = float(m.group())
                    if value == inf or value == -inf:
                        raise fail(_echo_after("number", m.group()) + " is out of range", pos)
                pos = end
            elif c == "{" or c == "[":
                if depth >= max_depth:
                    raise fail(f"nesting deeper than {max_depth} levels", pos)
                value = {} if c == "{" else []
                if is_obj:
                    container[key] = value
                elif depth:
                    container.append(value)
                else:
                    root = value
                pos = ws_end(text, pos + 1).end()
                if pos < n and text[pos] == ("}" if c == "{" else "]"):
                    pos += 1  # empty: complete already
                    state = 1
                    continue
                stack.append((container, cpath, is_obj, index))
                container = value
                cpath = cur
                depth += 1
                comma = -1
                if c == "{":
                    is_obj = True
                    state = 2
                else:
                    is_obj = False
                    index = 0
                    cur = cur + (0,)
                continue
            elif c == "t" and text.startswith("true", pos):
                value = True
                pos += 4
            elif c == "f" and text.startswith("false", pos):
                value = False
                pos += 5
            elif c == "n" and text.startswith("null", pos):
                value = None
                pos += 4
            else:
                if c == "]" and comma >= 0:
                    raise fail("trailing comma before ']' is not allowed in JSON", comma)
                raise fail(_bad_value_message(text, pos), pos)
            if is_obj:
                container[key] = value
            elif depth:
                container.append(value)
            else:
                root = value
            state = 1

        elif state == 1:
            if not depth:
                pos = ws_end(text, pos).end()
                if pos < n:
                    raise fail(f"unexpected {_describe(text, pos)} after the JSON value", pos)
                return root, offsets, key_offsets
            m = after_match(text, pos)
            if m is None:
                pos = ws_end(text, pos).end()
                if pos >= n:
                    raise fail(_EOF_MESSAGE, n)
                raise fail("expected ',' or '}' after object member" if is_obj
                           else "expected ',' or ']' after array element", pos)
            c = m.group(1)
            if c == ",":
                comma = m.start(1)
                pos = m.end()
                if is_obj:
                    state = 2
                else:
                    index += 1
                    cur = cpath + (index,)
                    state = 0
            elif c == ("}" if is_obj else "]"):
                pos = m.end(1)
                container, cpath, is_obj, index = stack.pop()
                depth -= 1
            else:
                raise fail("expected ',' or '}' after object member" if is_obj
                           else "expected ',' or ']' after array element", m.start(1))

        else:  # state 2: after '{' or after ',' in an object
            key_at = pos
            m = key_match(text, pos)
            if m is not None:
                key = m.group(1)
                pos = m.end()
            else:
                if pos >= n:
                    raise fail(_EOF_MESSAGE, n)
                c = text[pos]
                if c == '"':
                    key, pos = _read_string(text, pos, fail)
                    pos = ws_end(text, pos).end()
                    if pos >= n:
                        raise fail(_EOF_MESSAGE, n)
                    if text[pos] != ":":
                        raise fail("expected ':' after object key", pos)
                    pos = ws_end(text, pos + 1).end()
                elif c == "}" and comma >= 0:
                    raise fail("trailing comma before '}' is not allowed in JSON", comma)
                elif c == "'":
                    raise fail("object keys must be strings in double quotes", pos)
                elif c == "/":
                    raise fail("comments are not allowed in JSON", pos)
                else:
                    raise fail(f"expected a string key in double quotes, found {_describe(text, pos)}", pos)
            cur = cpath + (key,)
            if key in container:
                first = _line_col(text, key_offsets[cur])[0]
                raise fail(f"duplicate key {_quote(key)} (first at line {first})", key_at)
            key_offsets[cur] = key_at
            comma = -1
            state = 0


def _read_string(text: str, start: int, fail: Callable[[str, int], InputError]) -> tuple[str, int]:
    """A string with escapes (the opening quote is at `start`): one regex for the common case,
    _scan_string for unusual escapes and for precise error messages."""
    m = _STR_ESCAPED_RE.match(text, start)
    if m is not None:
        value = _ESCAPE_RE.sub(_unescape, m.group(1))
        if not _SURROGATE_RE.search(value):
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

    __slots__ = ("text", "starts")

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

    __slots__ = ("_offsets", "_lines")

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
                raise fail(f"invalid escape {_clip(chr(92) + esc)} in a string", pos - 1)
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
            return f"{_echo(w, 'NaN or Infinity')} is not valid JSON (JSON has no NaN or Infinity)"
        if c in "+.-" or c.isdigit():
            return _echo_after("invalid number", w)
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
    return _echo_after("invalid number", word.group() if word else text[start:end + 1])


def _describe(text: str, pos: int) -> str:
    c = text[pos]
    if c.isprintable() and not c.isspace():
        return f"'{c}'"
    return f"character U+{ord(c):04X}"


#: Longest piece of input text an error message repeats. Longer text (an unquoted word, a malformed
#: number, a scalar that does not fit its tag) may be a token or password typed where it does not
#: belong, so messages name its place and not its content.
_ECHO_LIMIT = 8


def _echo(s: str, instead: str) -> str:
    return s if len(s) <= _ECHO_LIMIT else instead


def _echo_after(message: str, s: str) -> str:
    return f"{message} {s}" if len(s) <= _ECHO_LIMIT else message


def _clip(s: str, limit: int = 40) -> str:
    return s if len(s) <= limit else s[: limit - 3] + "..."


def _quote(key: str) -> str:
    return '"' + _clip(key).replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---------------------------------------------------------------- YAML

_Loader = yaml.CSafeLoader if getattr(yaml, "__with_libyaml__", False) else yaml.SafeLoader

_Y = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = _Y + "str", _Y + "int", _Y + "float", _Y + "bool", _Y + "null"
_SEQ, _MAP, _SET = _Y + "seq", _Y + "map", _Y + "set"
_MERGE = _Y + "merge"
_STRING_TAGS = frozenset((_STR, _Y + "timestamp", _MERGE, _Y + "value", _Y + "yaml"))  # stay strings
_KIND_NAMES = {"str": "scalar", "int": "scalar", "float": "scalar", "bool": "scalar", "null": "scalar",
               "timestamp": "scalar", "seq": "sequence", "map": "mapping", "set": "mapping"}
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_CONSTRUCT = {
    _INT: ("an integer", _CONSTRUCTOR.construct_yaml_int),
    _FLOAT: ("a float", _CONSTRUCTOR.construct_yaml_float),
    _BOOL: ("a boolean", _CONSTRUCTOR.construct_yaml_bool),
    _NULL: ("null", _CONSTRUCTOR.construct_yaml_null),
}

_SCALAR, _SEQUENCE, _MAPPING, _ALIAS = 0, 1, 2, 3


class _Node:
    """One composed YAML node. `value`: the built scalar (or the raw text when `custom` is set),
    a list of child nodes (mappings: k0, v0, k1, v1, ...), or for an alias the target node."""

    __slots__ = ("kind", "pos", "tag", "custom", "value", "size", "height", "done")

    def __init__(self, kind: int, pos: Position, tag: str | None, custom: str | None, value: Any) -> None:
        self.kind = kind
        self.pos = pos
        self.tag = tag
        self.custom = custom  # the tag as shown to users ("!Ref", "!!binary") when not a standard one
        self.value = value
        self.size = 1  # values this node expands to, aliases followed
        self.height = 0  # levels of nesting below and including this node (a scalar is 0)
        self.done = True  # False while a collection's children are still being composed


def _pos(mark: Any) -> Position:
    return Position(mark.line + 1, mark.column + 1)


def _show_tag(tag: str) -> str:
    return "!!" + tag[len(_Y):] if tag.startswith(_Y) else tag


def parse_yaml(path: str, text: str, tag_handler: Callable[[str, Any], Any] | None = None) -> Document:
    """Parse a single YAML document. An empty stream gives data None.

    tag_handler(tag, value) is called for each node with a non-standard tag ("!Ref", "!!binary", ...)
    with the plain value built from the node (a string for scalars, else a list or dict) and its
    result is used instead. An InputError it raises without a line gets the tagged node's position.
    Without a handler such a tag is an error.
    """
    text = _normalise(text)
    loader = None
    try:
        loader = _Loader(text)
        composer = _Composer(path, loader)
        root = composer.compose()
    except yaml.MarkedYAMLError as exc:
        raise _marked_error(path, exc) from None
    except yaml.reader.ReaderError as exc:
        raise _reader_error(path, text, exc) from None
    except yaml.YAMLError as exc:
        raise InputError(path, f"invalid YAML: {exc}") from None
    except UnicodeError:  # libyaml wants UTF-8: only reachable with unpaired surrogates in `text`
        found = _SURROGATE_RE.search(text)
        line, column = _line_col(text, found.start()) if found else (None, None)
        raise InputError(path, "the text contains an unpaired surrogate character", line, column) from None
    except RecursionError:  # not expected: the composer is iterative; kept as a last guard
        raise InputError(path, f"nesting deeper than {MAX_DEPTH} levels") from None
    finally:
        if loader is not None:
            loader.dispose()
    builder = _Builder(path, tag_handler, MAX_YAML_NODES if composer.aliases else None)
    if root is None:
        return Document(path, None, builder.positions, builder.key_positions, "yaml")
    try:
        data = builder.build(root, ())
    except RecursionError:  # not expected: depth is bounded while composing; kept as a last guard
        raise InputError(path, f"nesting deeper than {MAX_DEPTH} levels", root.pos.line, root.pos.column) from None
    return Document(path, data, builder.positions, builder.key_positions, "yaml")


def _marked_error(path: str, exc: yaml.MarkedYAMLError) -> InputError:
    mark = exc.problem_mark or exc.context_mark
    message = exc.problem or exc.context or "invalid YAML"
    if exc.problem and exc.context:
        ctx = exc.context
        if exc.context_mark is not None and exc.context_mark is not mark:
            ctx += f" at line {exc.context_mark.line + 1}"
        message += f" ({ctx})"
    if mark is None:
        return InputError(path, message)
    return InputError(path, message, mark.line + 1, mark.column + 1)


def _reader_error(path: str, text: str, exc: yaml.reader.ReaderError) -> InputError:
    char = exc.character
    code = char if isinstance(char, int) else ord(char) if isinstance(char, str) and char else None
    what = f"character U+{code:04X}" if code is not None else "character"
    offset = exc.position
    if _Loader is not yaml.SafeLoader:  # libyaml reports a byte offset into the UTF-8 text
        offset = len(text.encode("utf-8", "surrogatepass")[:offset].decode("utf-8", "ignore"))
    line, column = _line_col(text, min(max(offset, 0), len(text)))
    return InputError(path, f"{what} is not allowed in YAML ({exc.reason})", line, column)


class _Composer:
    """Events -> node graph, iteratively, with the depth and expansion limits checked as it goes."""

    def __init__(self, path: str, loader: Any) -> None:
        self.path = path
        self.loader = loader
        self.anchors: dict[str, _Node] = {}
        self.aliases = 0

    def error(self, message: str, pos: Position) -> InputError:
        return InputError(self.path, message, pos.line, pos.column)

    def compose(self) -> _Node | None:
        get = self.loader.get_event
        get()  # StreamStartEvent
        event = get()
        if isinstance(event, StreamEndEvent):
            return None
        root = self.compose_document()
        get()  # DocumentEndEvent
        event = get()
        if isinstance(event, DocumentStartEvent):
            raise self.error("multiple YAML documents are not supported", _pos(event.start_mark))
        return root

    def compose_document(self) -> _Node:
        get = self.loader.get_event
        stack: list[_Node] = []
        max_depth = MAX_DEPTH
        max_nodes = MAX_YAML_NODES
        while True:
            event = get()
            cls = type(event)
            if cls is ScalarEvent:
                node = self.scalar(event)
                if event.anchor:
                    self.anchors[event.anchor] = node
            elif cls is AliasEvent:
                pos = _pos(event.start_mark)
                target = self.anchors.get(event.anchor)
                if target is None:
                    raise self.error(f"alias *{event.anchor} has no anchor &{event.anchor} before it", pos)
                if not target.done:
                    raise self.error(f"recursive alias *{event.anchor}: the node anchored &{event.anchor} "
                                     "would contain itself", pos)
                node = _Node(_ALIAS, pos, None, None, target)
                node.size = target.size
                node.height = target.height
                self.aliases += 1
            elif cls is SequenceStartEvent or cls is MappingStartEvent:
                pos = _pos(event.start_mark)
                if len(stack) >= max_depth:
                    raise self.error(f"nesting deeper than {max_depth} levels", pos)
                node = self.collection(event, _SEQUENCE if cls is SequenceStartEvent else _MAPPING, pos)
                node.done = False
                if event.anchor:
                    self.anchors[event.anchor] = node
                stack.append(node)
                continue
            elif cls is SequenceEndEvent or cls is MappingEndEvent:
                node = stack.pop()
                node.done = True
                node.height += 1
                if len(stack) + node.height > max_depth:
                    raise self.error(f"nesting deeper than {max_depth} levels (counting what aliases expand to)",
                                     node.pos)
            else:  # pragma: no cover - the parser emits nothing else inside a document
                raise self.error(f"unexpected YAML event {cls.__name__}", _pos(event.start_mark))
            if not stack:
                return node
            parent = stack[-1]
            parent.value.append(node)
            parent.size += node.size
            if node.height > parent.height:
                parent.height = node.height
            if parent.size > max_nodes and self.aliases:
                raise self.error(f"document expands to more than {max_nodes} nodes (YAML alias bomb?)", parent.pos)

    def scalar(self, event: ScalarEvent) -> _Node:
        pos = _pos(event.start_mark)
        raw = event.value
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(ScalarNode, raw, event.implicit)
        if event.style == '"' and _SURROGATE_RE.search(raw):
            raise self.error("\\u escapes of surrogates (D800-DFFF) are not allowed in YAML: "
                             "write the character itself or use \\U followed by 8 hex digits", pos)
        if tag in _STRING_TAGS:
            return _Node(_SCALAR, pos, tag, None, raw)
        construct = _CONSTRUCT.get(tag)
        if construct is not None:
            what, fn = construct
            try:
                value = fn(ScalarNode(tag, raw))
            except (ValueError, KeyError, TypeError, yaml.YAMLError):
                raise self.error(f"cannot read {repr(raw) if len(raw) <= _ECHO_LIMIT else 'the value'} as {what}",
                                 pos) from None
            return _Node(_SCALAR, pos, tag, None, value)
        self.check_kind(tag, "scalar", pos)
        return _Node(_SCALAR, pos, tag, _show_tag(tag), raw)

    def collection(self, event: Any, kind: int, pos: Position) -> _Node:
        tag = event.tag
        if kind == _SEQUENCE:
            if tag is None or tag == "!" or tag == _SEQ:
                return _Node(kind, pos, _SEQ, None, [])
            self.check_kind(tag, "sequence", pos)
        else:
            if tag is None or tag == "!" or tag == _MAP or tag == _SET:
                return _Node(kind, pos, _MAP, None, [])
            self.check_kind(tag, "mapping", pos)
        return _Node(kind, pos, tag, _show_tag(tag), [])

    def check_kind(self, tag: str, kind: str, pos: Position) -> None:
        """A standard tag on the wrong kind of node (e.g. !!int on a mapping) is an error."""
        if tag.startswith(_Y):
            expected = _KIND_NAMES.get(tag[len(_Y):])
            if expected is not None and expected != kind:
                raise self.error(f"tag {_show_tag(tag)} cannot be used on a {kind}", pos)


class _Builder:
    """Node graph -> plain values, recording positions. Depth and size were bounded by _Composer."""

    def __init__(self, path: str, tag_handler: Callable[[str, Any], Any] | None, max_nodes: int | None) -> None:
        self.path = path
        self.handler = tag_handler
        # a second guard against alias bombs: _Composer's count is exact, so this never fires unless it breaks
        self.budget = max_nodes + 1 if max_nodes is not None else -1  # reaching 0 means one too many
        self.max_nodes = max_nodes
        self.positions: dict[tuple, Position] = {}
        self.key_positions: dict[tuple, Position] = {}

    def error(self, message: str, pos: Position) -> InputError:
        return InputError(self.path, message, pos.line, pos.column)

    def build(self, node: _Node, p: tuple) -> Any:
        if node.kind == _ALIAS:
            value = self.build(node.value, p)
            self.positions[p] = node.pos  # an alias's value starts where the alias is written
            return value
        self.positions[p] = node.pos
        self.budget -= 1
        if self.budget == 0:  # only reachable when counting (budget starts at -1 otherwise)
            raise self.error(f"document expands to more than {self.max_nodes} nodes (YAML alias bomb?)", node.pos)
        if node.custom is not None:
            return self.tagged(node, p)
        return self.plain(node, p)

    def plain(self, node: _Node, p: tuple) -> Any:
        kind = node.kind
        if kind == _SCALAR:
            return node.value
        if kind == _SEQUENCE:
            build = self.build
            return [build(child, p + (i,)) for i, child in enumerate(node.value)]
        return self.mapping(node, p)

    def mapping(self, node: _Node, p: tuple) -> dict:
        own: dict[str, Position] = {}
        entries: list[tuple[str | None, _Node, _Node]] = []
        children = iter(node.value)
        for knode, vnode in zip(children, children):
            target = knode.value if knode.kind == _ALIAS else knode
            if target.kind == _SCALAR and target.tag == _MERGE and target.custom is None:
                entries.append((None, knode, vnode))
                continue
            key = self.key(knode)
            first = own.get(key)
            if first is not None:
                raise self.error(f"duplicate key {_quote(key)} (first at line {first.line})", knode.pos)
            own[key] = knode.pos
            entries.append((key, knode, vnode))
        result: dict[str, Any] = {}
        for key, knode, vnode in entries:
            if key is None:
                self.merge(vnode, p, result, own)
            else:
                kp = p + (key,)
                self.key_positions[kp] = knode.pos
                result[key] = self.build(vnode, kp)
        return result

    def merge(self, vnode: _Node, p: tuple, result: dict, own: Mapping[str, Position]) -> None:
        """`<<: *base` or `<<: [*a, *b]`: keys of the mapping itself win, then earlier sources."""
        target = vnode.value if vnode.kind == _ALIAS else vnode
        sources = target.value if target.kind == _SEQUENCE and target.custom is None else [vnode]
        for source in sources:
            mapping = source.value if source.kind == _ALIAS else source
            if mapping.kind != _MAPPING or mapping.custom is not None:
                raise self.error("the merge key '<<' needs a mapping or a list of mappings", source.pos)
            built, positions, key_positions = self.isolated(source)
            taken = set()
            for k, v in built.items():
                if k not in own and k not in result:
                    result[k] = v
                    taken.add(k)
            self.graft(positions, self.positions, p, taken)
            self.graft(key_positions, self.key_positions, p, taken)

    def isolated(self, node: _Node) -> tuple[Any, dict, dict]:
        """Build `node` at path () into fresh position maps (to be grafted elsewhere)."""
        saved = self.positions, self.key_positions
        self.positions, self.key_positions = {}, {}
        try:
            value = self.build(node, ())
            return value, self.positions, self.key_positions
        finally:
            self.positions, self.key_positions = saved

    @staticmethod
    def graft(relative: Mapping[tuple, Position], into: dict, prefix: tuple, keys: set) -> None:
        """Copy positions recorded at relative paths whose first step is in `keys` to `prefix` + path."""
        for rp, pos in relative.items():
            if rp and rp[0] in keys:
                into[prefix + rp] = pos

    def key(self, knode: _Node) -> str:
        target = knode.value if knode.kind == _ALIAS else knode
        if target.kind != _SCALAR:
            raise self.error("a list or mapping cannot be used as a mapping key", knode.pos)
        value = self.call_handler(target, target.value) if target.custom is not None else target.value
        if isinstance(value, (dict, list)):
            raise self.error("a list or mapping cannot be used as a mapping key", knode.pos)
        return value if isinstance(value, str) else str(value)

    def call_handler(self, node: _Node, value: Any) -> Any:
        if self.handler is None:
            raise self.error(f"unknown tag {node.custom}", node.pos)
        try:
            return self.handler(node.custom, value)
        except InputError as exc:
            if exc.line is None:
                raise InputError(self.path, exc.message, node.pos.line, node.pos.column, exc.pointer) from exc
            raise

    def tagged(self, node: _Node, p: tuple) -> Any:
        if node.kind == _SCALAR:
            raw, positions, key_positions = node.value, {(): node.pos}, {}
        else:
            saved = self.positions, self.key_positions
            self.positions, self.key_positions = {(): node.pos}, {}
            try:
                raw = self.plain(node, ())
                positions, key_positions = self.positions, self.key_positions
            finally:
                self.positions, self.key_positions = saved
        result = self.call_handler(node, raw)
        where = _locate(result, raw)
        if where is not None:
            # the handler wrapped the value (e.g. {"Fn::GetAtt": [...]}): keep the inner positions
            for i in range(1, len(where) + 1):
                self.positions[p + where[:i]] = node.pos
                if isinstance(where[i - 1], str):
                    self.key_positions[p + where[:i]] = node.pos
            base = p + where
            for rp, pos in positions.items():
                if rp:
                    self.positions[base + rp] = pos
            for rp, pos in key_positions.items():
                self.key_positions[base + rp] = pos
        return result


def _locate(result: Any, raw: Any) -> tuple | None:
    """Where `raw` sits inside the handler's `result` (by identity, at most two levels down)."""
    if result is raw:
        return ()
    for k, v in _members(result):
        if v is raw:
            return (k,)
    for k, v in _members(result):
        for k2, v2 in _members(v):
            if v2 is raw:
                return (k, k2)
    return None


def _members(value: Any) -> Any:
    if isinstance(value, dict):
        return value.items()
    if isinstance(value, list):
        return enumerate(value)
    return ()
