"""Generic value helpers: JSON text, ASCII case, joining strings."""

from __future__ import annotations

import json as _json
from collections.abc import Callable
from typing import Any


def json_decode(s: str) -> Any:
    """The decoded JSON of string `s`; an error value when `s` is not JSON."""
    return _json.loads(s)


def is_json(s: Any) -> bool:
    """True when `s` is a string holding valid JSON."""
    try:
        _json.loads(s)
    except (TypeError, ValueError):
        return False
    return True


def lower_ascii(s: Any) -> str:
    """`s` as a string in lower case."""
    return str(s).lower()


def join_text(items: Any, separator: Any) -> str:
    """The strings of `items` joined with `separator`."""
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ValueError("joinText() takes a list of strings")
    return str(separator).join(items)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "json": json_decode,
    "isJson": is_json,
    "lowerAscii": lower_ascii,
    "joinText": join_text,
}
