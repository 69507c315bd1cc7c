"""Read JSON and YAML files into plain Python values, remembering where every value and key starts.

This package's interface: read a file (:func:`read_text`, :func:`load`), parse text
(:func:`parse_json`, :func:`parse_yaml`), the :class:`Document` they return and the limits.

Every problem with the input is reported as an :class:`~ptclint.errors.InputError` naming the file,
line and column; nothing else escapes for bad input (no RecursionError, UnicodeDecodeError or
yaml.YAMLError).

* JSON is read by a strict RFC 8259 parser written here (Python's ``json`` does not give positions).
  It is iterative, so nesting is limited by :data:`MAX_DEPTH` and never by the Python stack.
  See :mod:`ptclint.parsing.json`.
* YAML is read with PyYAML at the event level (libyaml when available). The node graph is composed
  here, so that depth (:data:`MAX_DEPTH`) and alias expansion (:data:`MAX_YAML_NODES`) are checked
  *while* composing, before anything is materialised. Plain values are then built from the graph.
  Scalars resolve to bool/int/float/null with PyYAML's safe (YAML 1.1) resolver; everything else,
  timestamps included, stays a string. See :mod:`ptclint.parsing.yaml`.

Positions are 1-based; columns count characters (code points), not bytes.
"""

from __future__ import annotations

import codecs
import os
import stat
from typing import Any

from ptclint.errors import InputError
from ptclint.parsing.document import MAX_DEPTH, Document, Position, line_col, normalise_newlines
from ptclint.parsing.json import parse_json
from ptclint.parsing.yaml import MAX_YAML_NODES, parse_yaml

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_YAML_NODES",
    "Document",
    "Position",
    "decode_text",
    "load",
    "parse_json",
    "parse_yaml",
    "read_text",
]

#: Default limit on the size of an input file, in bytes (the CLI's --max-file-size overrides it).
MAX_FILE_BYTES = 10 * 1024 * 1024


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
            data = _read_at_most(f, max_bytes + 1)
    except OSError as exc:
        raise InputError(path, f"cannot read the file: {exc.strerror or exc}") from None
    if len(data) > max_bytes:  # not a regular file (pipe, device) or it grew while we read it
        raise InputError(path, _too_big(None, max_bytes))
    return decode_text(path, data)


def _read_at_most(f: Any, limit: int) -> bytes:
    """Up to `limit` bytes, in chunks: `read(limit)` would allocate the whole limit at once."""
    chunks: list[bytes] = []
    got = 0
    while got < limit:
        chunk = f.read(min(1 << 20, limit - got))
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


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
        prefix = normalise_newlines(body[: exc.start].decode(encoding, errors="replace"))
        line = prefix.count("\n") + 1
        column = len(prefix) - (prefix.rfind("\n") + 1) + 1
        offset = skip + exc.start
        if encoding == "utf-8":
            message = f"invalid UTF-8 (byte 0x{body[exc.start]:02x} at byte offset {offset}); save the file as UTF-8"
        else:
            message = f"invalid {label} data at byte offset {offset} ({exc.reason})"
        raise InputError(path, message, line, column) from None
    text = normalise_newlines(text)
    nul = text.find("\x00")
    if nul >= 0:
        line, column = line_col(text, nul)
        message = "the file contains a NUL character (a binary file, or UTF-16 without a byte-order mark?)"
        raise InputError(path, message, line, column)
    return text


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
