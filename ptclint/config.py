"""Project configuration: `[tool.ptclint]` in pyproject.toml or a `.ptclint.toml`.

Found by looking in the working directory and its parents (up to the repository root). Command-line
flags override it. A bad entry is a ConfigError naming the file and the key.
"""

from __future__ import annotations

import fnmatch
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ptclint.errors import ConfigError


@dataclass(frozen=True)
class RegistryMapping:
    paths: tuple[str, ...]
    account: str = ""
    region: str = ""
    base: str = "."

    def matches(self, path: str) -> bool:
        rel = os.path.relpath(os.path.abspath(path), self.base).replace(os.sep, "/")
        return any(fnmatch.fnmatch(rel, pattern) or rel.startswith(pattern.rstrip("/") + "/") for pattern in self.paths)


@dataclass(frozen=True)
class Config:
    file: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    registries: tuple[RegistryMapping, ...] = ()

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def params(self) -> list[str]:
        """Params as `RULE.NAME=VALUE` strings, the form --param takes."""
        out = []
        for rule_id, values in self.values.get("params", {}).items():
            for name, value in values.items():
                text = ",".join(map(str, value)) if isinstance(value, list) else str(value).lower() if isinstance(value, bool) else str(value)
                out.append(f"{rule_id}.{name}={text}")
        return out

    def context_for(self, path: str) -> tuple[str, str]:
        for mapping in self.registries:
            if mapping.matches(path):
                return mapping.account, mapping.region
        return "", ""


def find(start: str = ".") -> Path | None:
    here = Path(start).resolve()
    for directory in (here, *here.parents):
        for name in (".ptclint.toml", "pyproject.toml"):
            candidate = directory / name
            if candidate.is_file() and (name == ".ptclint.toml" or "[tool.ptclint" in candidate.read_text(errors="replace")):
                return candidate
        if (directory / ".git").exists():
            break
    return None


def load(path: Path | None) -> Config:
    if path is None:
        return Config()
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("ptclint", {})
    _validate(path, data)
    base = str(path.parent)
    mappings = tuple(
        RegistryMapping(tuple(m["paths"]), m.get("account", ""), m.get("region", ""), base)
        for m in data.get("registry", [])
    )
    if "rules" in data:
        data = {**data, "rules": [str((path.parent / r).resolve()) for r in data["rules"]]}
    return Config(str(path), data, mappings)


def _validate(path: Path, data: dict[str, Any]) -> None:
    from ptclint import schemas
    from ptclint.parsing import Document

    schemas.validate(Document(str(path), data, {}, {}, "toml"), "config")
