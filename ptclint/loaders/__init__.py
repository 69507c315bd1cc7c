"""Input loaders: recognise a parsed document by its shape and turn it into registries.

Each loader module exposes `detect(data) -> bool` and `load(doc, ctx) -> list[Registry]`.
The list below is the one place that names them, in the order shapes are tried.
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from ptclint.model import Origin, Registry


@dataclass(frozen=True)
class LoadContext:
    account: str = ""
    region: str = ""
    display_path: str = ""  # the path findings name (relative to the working directory)
    options: dict[str, Any] = field(default_factory=dict)


class Loader(Protocol):
    name: str

    def detect(self, data: Any) -> bool: ...

    def load(self, doc: Any, ctx: LoadContext) -> list[Registry]: ...


def loaders() -> list[Loader]:
    from ptclint.loaders import awscli, cloudformation, snapshot
    from ptclint.loaders.terraform import config as terraform_hcl, plan as terraform_plan

    return [snapshot, cloudformation, awscli, terraform_plan, terraform_hcl]  # type: ignore[list-item]


def detect(data: Any) -> Loader | None:
    for loader in loaders():
        if loader.detect(data):
            return loader
    return None


def origin_at(doc: Any, ctx: LoadContext, path: tuple) -> Origin:
    pos = doc.position(path)
    pointer = "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path)
    return Origin(ctx.display_path or doc.path, pos.line, pos.column, pointer if path else "")


def field_origins(doc: Any, ctx: LoadContext, path: tuple, data: dict) -> dict[str, Origin]:
    return {k: origin_at(doc, ctx, (*path, k)) for k in data}


def display_path(path: str) -> str:
    """A path relative to the working directory when it lies below it (SARIF wants repo-relative)."""
    absolute = os.path.abspath(path)
    rel = os.path.relpath(absolute)
    return absolute if rel.startswith("..") else rel.replace(os.sep, "/")


TIMESTAMP_FIELDS = frozenset(
    {
        "createdAt",
        "updatedAt",
        "CreatedDate",
        "LastAccessedDate",
        "LastChangedDate",
        "LastRotatedDate",
        "NextRotationDate",
        "DeletedDate",
        "CreateDate",
        "LastUsedDate",
    }
)


def normalise_timestamp(value: Any) -> Any:
    """Epoch numbers (CLI v1), `Z` and `+00:00` strings (CLI v2) -> `YYYY-MM-DDTHH:MM:SSZ` (UTC)."""
    try:
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)):
            moment = _dt.datetime.fromtimestamp(float(value), tz=_dt.timezone.utc)
        elif isinstance(value, str) and value.strip().replace(".", "", 1).isdigit():
            moment = _dt.datetime.fromtimestamp(float(value), tz=_dt.timezone.utc)
        elif isinstance(value, str):
            moment = _dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=_dt.timezone.utc)
        else:
            return value
    except (ValueError, OverflowError, OSError):
        return value  # left as written; rules treat an unparsable date as no date
    return moment.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def normalise(value: Any, convert: Callable[[Any], Any] = normalise_timestamp) -> Any:
    """Normalise every timestamp field in an API-shaped object, recursively."""
    if isinstance(value, dict):
        return {k: convert(v) if k in TIMESTAMP_FIELDS else normalise(v, convert) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v, convert) for v in value]
    return value
