"""Validate a parsed document against one of ptclint's shipped JSON Schemas (schemas/<name>.schema.json).

One helper for every kind of file. Each kind keeps its own wording of the error it reports, because
users (and the tests) rely on it:

- ``rule``: a CatalogError at the offending value's file:line:col, ``where/in/the/file: message``;
- ``config``: a ConfigError naming the file and the dotted key (TOML carries no positions);
- ``snapshot``: an InputError at file:line:col, ``at /json/pointer: explanation``, where the
  explanation comes from the caller (the snapshot loader words it so no secret value is repeated).

Only the first error is reported; which one is "first" is part of each kind's wording.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ptclint.errors import CatalogError, ConfigError, InputError, PtclintError
from ptclint.paths import package_dir

if TYPE_CHECKING:
    from jsonschema import ValidationError

    from ptclint.parsing import Document

SchemaName = Literal["rule", "config", "snapshot"]
Explain = Callable[["ValidationError"], str]


def path(name: SchemaName) -> Path:
    """The shipped schema file (the catalog hashes it into its cache key)."""
    return package_dir("schemas") / f"{name}.schema.json"


@functools.cache
def _validator(name: SchemaName) -> Any:
    import jsonschema  # ~60 ms: only when a file is actually validated

    schema = json.loads(path(name).read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def validate(doc: Document, name: SchemaName, *, file: str | None = None, explain: Explain | None = None) -> None:
    """Raise the kind's positioned error for the first schema violation in `doc`, if any.

    `file` is the name shown to the user (default: the document's path); `explain` turns a
    ValidationError into the message text (default: jsonschema's own message).
    """
    errors = list(_validator(name).iter_errors(doc.data))
    if errors:
        raise _STYLES[name](doc, errors, file or doc.path, explain or _message)


def _message(err: ValidationError) -> str:
    return str(err.message)


def _first_by_path(errors: list[ValidationError]) -> ValidationError:
    return sorted(errors, key=lambda e: list(e.absolute_path))[0]


def _rule_error(doc: Document, errors: list[ValidationError], file: str, explain: Explain) -> PtclintError:
    err = _first_by_path(errors)
    pos = doc.position(tuple(err.absolute_path))
    where = "/".join(str(p) for p in err.absolute_path) or "(top level)"
    return CatalogError(file, f"{where}: {explain(err)}", pos.line, pos.column)


def _config_error(doc: Document, errors: list[ValidationError], file: str, explain: Explain) -> PtclintError:
    err = _first_by_path(errors)
    where = ".".join(str(p) for p in err.absolute_path) or "(top level)"
    section = "[tool.ptclint]" if Path(file).name == "pyproject.toml" else ""
    return ConfigError(f"{file}: {section}{' ' if section else ''}{where}: {explain(err)}")


def _snapshot_error(doc: Document, errors: list[ValidationError], file: str, explain: Explain) -> PtclintError:
    # the shallowest error; at one place, a secret value first (it says the most)
    err = min(errors, key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path)), e.validator != "not"))
    where = tuple(err.absolute_path)
    pos = doc.position(where)
    pointer = "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in where)
    return InputError(file, f"at {pointer}: {explain(err)}", pos.line, pos.column)


_STYLES: dict[SchemaName, Callable[[Document, list[ValidationError], str, Explain], PtclintError]] = {
    "rule": _rule_error,
    "config": _config_error,
    "snapshot": _snapshot_error,
}
