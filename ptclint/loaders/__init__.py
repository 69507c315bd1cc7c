"""Input kinds as plug-ins: the `Loader` protocol and `LOADERS`, the one table that names them.

A loader module satisfies `Loader` at module level (pre-commit's languages do the same): it says
what text its inputs contain (`sniff`), which sources it reads (`find` for inputs it assembles
from several files, such as a Terraform module directory; JSON and YAML files are found for every
loader alike), whether it `claims` a source, how it `load`s one into registries, and how those
registries `merge` with others. Adding an input kind is: the module, its line in `LOADERS`, its
tests (`docs/loaders.md` walks through one).
"""

from __future__ import annotations

import datetime as _dt
import importlib
import os
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ptclint.model import Origin, Registry

if TYPE_CHECKING:
    from ptclint.loaders.sources import Source, TagHandler

# Module of each input kind, in the order they are asked whether they claim a source. Imported
# on first use, so a scan imports only the table, and boto3 is never imported for files.
LOADERS: dict[str, str] = {
    "snapshot": "ptclint.loaders.snapshot",
    "cloudformation": "ptclint.loaders.cloudformation.template",
    "awscli": "ptclint.loaders.awscli",
    "terraform_plan": "ptclint.loaders.terraform.plan",
    "terraform_hcl": "ptclint.loaders.terraform.config",
}


@dataclass(frozen=True)
class LoadContext:
    """What a loader is told besides its source. `options` is the loader's own `Options` instance."""

    account: str = ""
    region: str = ""
    display_path: str = ""  # the path findings name (relative to the working directory)
    max_file_bytes: int = 10 * 1024 * 1024
    options: Any = None


class Loader(Protocol):
    name: str
    sniff: tuple[str, ...]  # text that any input of this kind contains; found sources holding none are skipped
    yaml_tags: TagHandler | None  # YAML tags this kind's documents use (CloudFormation's !Ref), else None
    def options(self, scan: Any) -> Any:
        """The kind's own settings (a frozen dataclass, or None) from the scan's options; given to
        `load` as `ctx.options`."""

    def find(self, files: list[str], named: bool) -> list[Source]:
        """Sources this kind assembles from the given files (a Terraform unit from .tf files); [] for
        JSON/YAML kinds."""

    def claims(self, source: Source) -> bool:
        """Whether this loader reads the source (asked in `LOADERS` order; the first that claims it loads it)."""

    def load(self, source: Source, ctx: LoadContext) -> list[Registry]:
        """The registries the source describes; raises `InputError` with a place for bad input."""

    def merge_key(self, registry: Registry) -> Hashable | None:
        """Registries with equal keys describe one registry and are joined; None: the registry stands alone."""

    def attaches(self, registry: Registry) -> bool:
        """A registry holding only lookups (an exported secret or role) that joins a registry of its
        account from the same loader, or the only one, instead of standing alone."""


_loaded: dict[str, Loader] = {}


def loader(name: str) -> Loader:
    if name not in _loaded:
        # a ModuleType passes for any protocol (its __getattr__ is typed Any), so mypy cannot check
        # the module here: tests/loaders/test_protocol.py does
        _loaded[name] = importlib.import_module(LOADERS[name])
    return _loaded[name]


def all_loaders() -> list[Loader]:
    return [loader(name) for name in LOADERS]


def by_account_and_region(registry: Registry) -> Hashable | None:
    """The usual merge key: inputs naming the same account and Region describe one registry; a
    registry whose account or Region is unknown or symbolic stands alone."""
    if registry.account and registry.region and "${" not in registry.account + registry.region:
        return (registry.account, registry.region)
    return None


def stands_alone(registry: Registry) -> Hashable | None:
    """The merge key of infrastructure-as-code units: each template, root module or plan is deployed
    on its own, so it is its own registry even when --account / --region give several the same
    account and Region; only the configuration's [[tool.ptclint.registry]] mappings join units."""
    return None


def never_attaches(registry: Registry) -> bool:
    return False


def no_options(scan: Any) -> None:
    return None


def finds_nothing(files: list[str], named: bool) -> list[Source]:
    return []


def claims_document(detect: Callable[[Any], bool]) -> Callable[[Source], bool]:
    """`claims` of a JSON/YAML kind: the file's parsed document has the kind's shape."""
    from ptclint.loaders.sources import FileSource

    def claims(source: Source) -> bool:
        return isinstance(source, FileSource) and detect(source.document().data)

    return claims


def origin_at(doc: Any, ctx: LoadContext, path: tuple[str | int, ...]) -> Origin:
    pos = doc.position(path)
    pointer = "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path)
    return Origin(ctx.display_path or doc.path, pos.line, pos.column, pointer if path else "")


def field_origins(doc: Any, ctx: LoadContext, path: tuple[str | int, ...],
                  data: dict[str, Any]) -> dict[str, Origin]:
    return {k: origin_at(doc, ctx, (*path, k)) for k in data}


def display_path(path: str) -> str:
    """A path relative to the working directory when it lies below it (SARIF wants repo-relative)."""
    absolute = os.path.abspath(path)
    rel = os.path.relpath(absolute)
    shown = absolute if rel.startswith("..") else rel.replace(os.sep, "/")
    return printable_path(shown)


def printable_path(path: str) -> str:
    """A file name every report can write: bytes that are not UTF-8 (kept by the OS as surrogates)
    are shown as `\\xff` escapes instead of making a reporter or stderr fail."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace").encode(
            "utf-8", "backslashreplace").decode("utf-8")
    return path


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
        if isinstance(value, (int, float)) or (isinstance(value, str) and value.strip().replace(".", "", 1).isdigit()):
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
