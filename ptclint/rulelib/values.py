"""Generic value helpers: JSON text, ASCII case, joining strings."""

from __future__ import annotations

import json as _json
from collections.abc import Callable
from typing import Any

from ptclint.model import PartlyKnown, Unknown
from ptclint.rulelib.tri import sees_unknowns


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


@sees_unknowns
def starts_with_known(s: Any, prefix: Any) -> Any:
    """`s.startsWith(prefix)`, judged on what is known of `s`: a partly known string (a Terraform
    `name_prefix`, `"ecr-pullthroughcache/${var.env}"`) starts with `prefix` when its known beginning
    does, and does not when its known beginning already differs from `prefix`; else unknown (as for
    any other unresolved value)."""
    if isinstance(s, str):
        return isinstance(prefix, str) and s.startswith(prefix)
    if isinstance(s, PartlyKnown) and isinstance(prefix, str):
        if s.prefix.startswith(prefix):
            return True
        if not prefix.startswith(s.prefix):
            return False
    if isinstance(s, Unknown):
        return s
    return False


@sees_unknowns
def known_prefix(s: Any) -> Any:
    """The known beginning of a string: the string itself, a partly known string's prefix, `""` for
    another unresolved value."""
    if isinstance(s, str):
        return s
    return s.prefix if isinstance(s, PartlyKnown) else ""


@sees_unknowns
def shown(s: Any) -> str:
    """A value as a message prints it: a partly known string as its known beginning and `...`
    (`dockerhub-...`), another unresolved value as `(unknown)`."""
    if isinstance(s, PartlyKnown):
        return s.prefix + "..."
    if isinstance(s, Unknown):
        return "(unknown)"
    return s if isinstance(s, str) else _json.dumps(s)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "startsWithKnown": starts_with_known,
    "knownPrefix": known_prefix,
    "shown": shown,
    "json": json_decode,
    "isJson": is_json,
    "lowerAscii": lower_ascii,
    "joinText": join_text,
}
