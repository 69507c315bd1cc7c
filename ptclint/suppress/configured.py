"""Suppressions in the configuration: a rule id, a resource matcher and a reason.

    [[tool.ptclint.suppress]]
    id = "PTC-RCT-012"
    reason = "cache repositories are cleaned by the nightly job (OPS-123)"
    prefix = "tmp-*"          # glob on the rule's prefix / template's prefix
    account = "111122223333"  # account, region: globs on the registry's
    file = "infra/legacy/**"  # glob on the file, relative to the configuration file
    name = "Legacy*"          # glob on the logical id / Terraform address
    expires = 2027-06-30      # optional: after this day it suppresses nothing, and says so

At least one matcher is required (`ignore = [...]` turns a whole rule off). A bad entry is a
ConfigError naming the file and the entry.
"""

from __future__ import annotations

import fnmatch
import os
from typing import Any

from ptclint.errors import ConfigError
from ptclint.model import Origin
from ptclint.report import Outcome, Suppression
from ptclint.suppress import Candidate

MATCHERS = ("account", "region", "prefix", "file", "name")


def read(conf: Any, rule_ids: frozenset[str]) -> list[Candidate]:
    from ptclint.suppress.inline import check_id, parse_date

    entries = conf.get("suppress") or []
    file = conf.file or "configuration"
    table = "[[tool.ptclint.suppress]]" if file.endswith("pyproject.toml") else "[[suppress]]"
    base = os.path.dirname(os.path.abspath(file))
    out = []
    for n, entry in enumerate(entries, 1):
        where = f"{file}: {table} #{n}"
        try:
            rule_id = check_id(entry.get("id"), rule_ids)
        except ValueError as exc:
            raise ConfigError(f"{where}: id: {exc}") from None
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise ConfigError(f"{where}: reason: a reason is required (why {rule_id} is accepted here)")
        matchers = {k: str(entry[k]) for k in MATCHERS if k in entry}
        if not matchers:
            raise ConfigError(f"{where}: give at least one of {', '.join(MATCHERS)} (to turn {rule_id} off "
                              "everywhere, use ignore = [...])")
        expires = None
        if "expires" in entry:
            try:
                expires = parse_date(entry["expires"])
            except ValueError as exc:
                raise ConfigError(f"{where}: expires: {exc}") from None
        target = ", ".join(f"{k} {v}" for k, v in matchers.items())
        s = Suppression(rule_id, " ".join(reason.split()), "config", file, None, expires, target, f"{table} #{n}")
        out.append(Candidate(s, _matcher(matchers, base)))
    return out


def _matcher(matchers: dict[str, str], base: str) -> Any:
    def matches(outcome: Outcome, at: Origin) -> bool:
        i = outcome.identity
        values = {"account": i.account, "region": i.region, "prefix": i.key, "name": i.name}
        for key, pattern in matchers.items():
            if key == "file":
                if not any(_file_matches(f, pattern, base) for f in {at.file, outcome.origin.file}):
                    return False
            elif not fnmatch.fnmatchcase(values[key], pattern):
                return False
        return True
    return matches


def _file_matches(file: str, pattern: str, base: str) -> bool:
    rel = os.path.relpath(os.path.abspath(file), base).replace(os.sep, "/")
    return (fnmatch.fnmatchcase(rel, pattern) or fnmatch.fnmatchcase(rel, pattern.replace("**/", ""))
            or rel.startswith(pattern.rstrip("/") + "/"))
