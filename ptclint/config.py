"""Project configuration: `[tool.ptclint]` in pyproject.toml or a `.ptclint.toml`, merged with the
command-line flags into the typed ScanOptions a scan runs with.

Found by looking in the working directory and its parents (up to the repository root). Command-line
flags override it. A bad entry is a ConfigError naming the file and the key.
"""

from __future__ import annotations

import fnmatch
import glob
import os
import re
import sys
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from ptclint.budgets import DEFAULT as DEFAULT_BUDGETS
from ptclint.budgets import Budgets
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
                text = (",".join(map(str, value)) if isinstance(value, list)
                        else str(value).lower() if isinstance(value, bool) else str(value))
                out.append(f"{rule_id}.{name}={text}")
        return out

    def context_for(self, path: str) -> tuple[str, str]:
        for mapping in self.registries:
            if mapping.matches(path):
                return mapping.account, mapping.region
        return "", ""

    def unit_of(self, path: str) -> tuple[str, ...] | None:
        """The registry a [[registry]] mapping puts this path's inputs in: its account and Region
        when it names both (so they also join exports of that registry), else the mapping itself."""
        for index, mapping in enumerate(self.registries):
            if mapping.matches(path):
                if mapping.account and mapping.region:
                    return (mapping.account, mapping.region)
                return ("mapping", str(index))
        return None


#: The largest --max-file-size / max-file-size accepted (1 GiB): the limit is also a read buffer's bound.
MAX_FILE_SIZE_LIMIT = 1 << 30


def find(start: str = ".") -> Path | None:
    here = Path(start).resolve()
    for directory in (here, *here.parents):
        for name in (".ptclint.toml", "pyproject.toml"):
            candidate = directory / name
            if candidate.is_file() and (name == ".ptclint.toml"
                                        or "[tool.ptclint" in candidate.read_text(errors="replace")):
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
        tool = data.get("tool", {})
        data = tool.get("ptclint", {}) if isinstance(tool, dict) else {}
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: tool.ptclint: expected a table")
    _validate(path, data)
    base = str(path.parent)
    mappings = tuple(
        RegistryMapping(tuple(m["paths"]), m.get("account", ""), m.get("region", ""), base)
        for m in data.get("registry", [])
    )
    if "baseline" in data:
        data = {**data, "baseline": str((path.parent / data["baseline"]).resolve())}
    table = "[tool.ptclint] " if path.name == "pyproject.toml" else ""
    if "rules" in data:
        for given in data["rules"]:
            if not (path.parent / given).is_dir():
                raise ConfigError(f"{path}: {table}rules: {given!r}: not a directory (relative to {path.parent})")
        data = {**data, "rules": [str((path.parent / r).resolve()) for r in data["rules"]]}
    if "policy" in data:
        from ptclint.policy import read_policy

        where = "[tool.ptclint.policy]" if path.name == "pyproject.toml" else "[policy]"
        data = {**data, "policy": read_policy(data["policy"], f"{path}: {where}")}
    return Config(str(path), data, mappings)


def _validate(path: Path, data: dict[str, Any]) -> None:
    from ptclint import schemas
    from ptclint.parsing import Document

    _check_keys(path, data)
    schemas.validate(Document(str(path), data, {}, {}, "toml"), "config")


def _check_keys(path: Path, data: dict[str, Any]) -> None:
    """An unknown key names the key the user probably meant (`fail_on` -> `fail-on`)."""
    import difflib
    import json

    from ptclint.paths import package_dir

    schema = json.loads((package_dir("schemas") / "config.schema.json").read_text(encoding="utf-8"))
    known = sorted(schema.get("properties", {}))
    table = "[tool.ptclint] " if path.name == "pyproject.toml" else ""
    for key in data:
        if key in known:
            continue
        near = [key.replace("_", "-")] if key.replace("_", "-") in known else difflib.get_close_matches(key, known, 1)
        hint = f"; did you mean {near[0]!r}?" if near else f"; expected one of: {', '.join(known)}"
        raise ConfigError(f"{path}: {table}{key}: unknown key{hint}")


# ---------------------------------------------------------------- options of one scan


@dataclass(frozen=True)
class ScanOptions:
    """Everything a scan runs with: the flags merged over the configuration file."""

    paths: list[str]
    account: str = ""
    region: str = ""
    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    params: list[str] = field(default_factory=list)
    rules_dirs: list[str] = field(default_factory=list)
    fail_on: str = "warning"
    allow_partial: bool = False
    max_file_bytes: int | None = None
    now: datetime | None = None
    cfn_parameters: dict[str, str] = field(default_factory=dict)
    tf_vars: list[str] = field(default_factory=list)  # --var KEY=VALUE (Terraform root module variables)
    tf_var_files: list[str] = field(default_factory=list)  # --var-file FILE
    tf_root: str = ""  # --tf-root DIR: the .tf files of a plan JSON
    hook: bool = False  # pre-commit: named files that hold nothing PTC-related are skipped, not errors
    config: Config | None = None  # maps paths to an account and Region
    sources: tuple[Any, ...] = ()  # documents already in memory (a live collection, stdin), read before `paths`
    budgets: Budgets | None = None  # [tool.ptclint.budgets]; None: the defaults
    baseline: str = ""  # --baseline FILE / baseline = (ptclint.suppress.baseline)
    include_suppressed: bool = False  # --include-suppressed: SARIF reports suppressed findings too
    policy: dict[str, Any] = field(default_factory=dict)  # [tool.ptclint.policy], checked (ptclint.policy)

    def context_for(self, path: str) -> tuple[str, str]:
        """Account and Region of an input: --account/--region win, else the configuration's [[registry]] mapping."""
        account, region = self.config.context_for(path) if self.config else ("", "")
        return self.account or account, self.region or region

    def selector_sources(self) -> dict[tuple[str, str], str]:
        """(flag, selector) -> the configuration key it came from, so an error names the file, not the flag."""
        out: dict[tuple[str, str], str] = {}
        conf = self.config
        if conf is None or conf.file is None:
            return out
        table = "[tool.ptclint] " if conf.file.endswith("pyproject.toml") else ""
        for key in ("select", "extend-select", "ignore"):
            for item in conf.get(key) or []:
                for part in str(item).split(","):
                    out[(f"--{key}", part.strip())] = f"{conf.file}: {table}{key} ="
        return out

    def unit_of(self, path: str) -> tuple[str, ...] | None:
        """Which configured registry an input belongs to (None: it stands as its loader says)."""
        return self.config.unit_of(path) if self.config else None

    def expanded_paths(self) -> list[str]:
        """The paths to read. In hook mode a changed file is judged with the rest of its configured
        registry, so rules about something missing do not fire just because the others did not change."""
        paths = list(self.paths)
        if not (self.hook and self.config):
            return paths
        for mapping in self.config.registries:
            if any(mapping.matches(p) for p in self.paths):
                for pattern in mapping.paths:
                    paths.extend(_glob(mapping.base, pattern))
        return list(dict.fromkeys(paths))


def _glob(base: str, pattern: str) -> list[str]:
    """Files matching `pattern` under `base`, sorted. `**` walks without following symbolic links to
    directories: two links pointing at each other's directories would make 2^depth paths."""
    if "**" not in pattern:
        return sorted(glob.glob(os.path.join(base, pattern)))
    variants = {pattern, pattern.replace("**/", "")}
    out = []
    for root, dirs, names in os.walk(base, followlinks=False):
        dirs.sort()
        for name in [*names, *dirs]:
            full = os.path.join(root, name)
            rel = os.path.relpath(full, base).replace(os.sep, "/")
            if any(fnmatch.fnmatchcase(rel, v) for v in variants):
                out.append(full)
    return sorted(out)


@dataclass(frozen=True)
class Flags:
    """The `scan` command's flags as given; None, empty or false where not given, so the file decides."""

    paths: list[str]
    account: str = ""
    region: str = ""
    fail_on: str | None = None
    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    params: list[str] = field(default_factory=list)
    rules_dirs: list[str] = field(default_factory=list)
    allow_partial: bool = False
    max_file_bytes: int | None = None
    cfn_parameters: list[str] = field(default_factory=list)  # KEY=VALUE, as typed
    tf_vars: list[str] = field(default_factory=list)
    tf_var_files: list[str] = field(default_factory=list)
    tf_root: str = ""
    hook: bool = False
    config: str | None = None  # --config FILE; None: look for one (find())
    baseline: str = ""
    include_suppressed: bool = False


def options(flags: Flags) -> ScanOptions:
    """Check the flags that need no file, read the configuration file, merge the two."""
    if flags.account and not (len(flags.account) == 12 and flags.account.isdigit()):
        raise ConfigError(f"--account {flags.account}: expected a 12-digit AWS account id")
    if flags.region:
        flags = replace(flags, region=region_name(flags.region, "--region"))
    if flags.max_file_bytes is not None and not 1 <= flags.max_file_bytes <= MAX_FILE_SIZE_LIMIT:
        raise ConfigError(f"--max-file-size {flags.max_file_bytes}: expected 1 to {MAX_FILE_SIZE_LIMIT} bytes")
    return merge(load(Path(flags.config) if flags.config else find()), flags)


_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")


def region_name(value: str, source: str) -> str:
    """An AWS Region code, lower-cased (`EU-WEST-1` is eu-west-1); anything else is an error, so a
    mistyped Region never makes every ARN in the input look cross-Region."""
    region = value.strip().lower()
    if not _REGION.fullmatch(region):
        raise ConfigError(f"{source} {value}: expected an AWS Region code such as eu-west-1")
    return region


def merge(conf: Config, flags: Flags) -> ScanOptions:
    """Flags win over the file; list options (ignore, params, rules, ...) add the flags to the file's."""
    return ScanOptions(
        paths=list(flags.paths),
        account=flags.account,
        region=flags.region,
        select=list(flags.select) if flags.select else conf.get("select"),
        extend_select=[*conf.get("extend-select", []), *flags.extend_select],
        ignore=[*conf.get("ignore", []), *flags.ignore],
        params=[*conf.params(), *flags.params],
        rules_dirs=[*conf.get("rules", []), *flags.rules_dirs],
        fail_on=flags.fail_on or conf.get("fail-on", "warning"),
        allow_partial=flags.allow_partial or conf.get("allow-partial", False),
        max_file_bytes=flags.max_file_bytes or conf.get("max-file-size"),
        hook=flags.hook,
        config=conf,
        cfn_parameters=_cfn_parameters(flags.cfn_parameters),
        tf_vars=list(flags.tf_vars),
        tf_var_files=list(flags.tf_var_files),
        tf_root=flags.tf_root,
        policy=dict(conf.get("policy") or {}),
        budgets=replace(DEFAULT_BUDGETS, **{k.replace("-", "_"): v for k, v in conf.get("budgets").items()})
        if conf.get("budgets") else None,
        baseline=flags.baseline or conf.get("baseline", ""),
        include_suppressed=flags.include_suppressed,
    )


def _cfn_parameters(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            # the item is not echoed: it may hold a NoEcho parameter's secret value
            raise ConfigError("--cfn-parameter: expected KEY=VALUE with a non-empty KEY")
        out[key.strip()] = value
    return out


def rule_dirs(extra: list[str], config: str | None = None) -> list[str]:
    """Team rule directories for `ptclint rules` and `explain`: the configuration's `rules` (found as a
    scan here finds it, or `config`), then `extra` (--rules DIR)."""
    conf = load(Path(config) if config else find())
    return [*conf.get("rules", []), *extra]
