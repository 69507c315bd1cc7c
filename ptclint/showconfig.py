"""`ptclint config`: which configuration file a scan here would use, what it merges to, and a
warning when two files in one directory both configure ptclint (only one of them is read)."""

from __future__ import annotations

import json
from pathlib import Path

from ptclint.config import Config, Flags, ScanOptions, find, load, merge


def shadowed(config_file: str | None) -> Path | None:
    """The pyproject.toml with a [tool.ptclint] table beside the .ptclint.toml that wins over it."""
    if not config_file or Path(config_file).name != ".ptclint.toml":
        return None
    sibling = Path(config_file).with_name("pyproject.toml")
    if sibling.is_file() and "[tool.ptclint" in sibling.read_text(encoding="utf-8", errors="replace"):
        return sibling
    return None


def shadow_warning(config_file: str | None) -> str | None:
    other = shadowed(config_file)
    if other is None:
        return None
    return (f"ptclint: warning: both {config_file} and [tool.ptclint] in {other} configure ptclint; "
            f"{Path(config_file or '').name} wins and [tool.ptclint] in pyproject.toml is ignored")


def describe(config_path: str | None = None) -> list[str]:
    """The lines `ptclint config` prints: the file, then the merged settings as TOML."""
    path = Path(config_path) if config_path else find()
    conf: Config = load(path)
    options: ScanOptions = merge(conf, Flags(paths=[]))
    out = [f"# configuration file: {conf.file or 'none (defaults)'}"]
    warning = shadow_warning(conf.file)
    if warning:
        out.append(f"# {warning.removeprefix('ptclint: ')}")
    settings = {
        "fail-on": options.fail_on,
        "select": options.select if options.select is not None else ["ALL"],
        "extend-select": options.extend_select,
        "ignore": options.ignore,
        "rules": options.rules_dirs,
        "allow-partial": options.allow_partial,
        "max-file-size": options.max_file_bytes or 10 * 1024 * 1024,
    }
    if options.baseline:
        settings["baseline"] = options.baseline
    out += [f"{key} = {json.dumps(value)}" for key, value in settings.items()]
    params = conf.get("params") or {}
    for rule_id in sorted(params):
        out.append(f"\n[params.{json.dumps(rule_id)}]")
        out += [f"{name} = {json.dumps(value)}" for name, value in sorted(params[rule_id].items())]
    if options.policy:  # the organization policy: which policy rules run (ptclint.policy)
        out.append("\n[policy]")
        out += [f"{name} = {json.dumps(value)}" for name, value in options.policy.items()]
    for mapping in conf.registries:
        out.append("\n[[registry]]")
        out.append(f"paths = {json.dumps(list(mapping.paths))}")
        out += [f"{k} = {json.dumps(v)}" for k, v in (("account", mapping.account), ("region", mapping.region)) if v]
    for entry in conf.get("suppress") or []:
        out.append("\n[[suppress]]")
        out += [f"{k} = {json.dumps(v if isinstance(v, str) else str(v))}" for k, v in entry.items()]  # dates too
    return out
