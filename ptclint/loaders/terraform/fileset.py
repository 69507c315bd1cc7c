"""Terraform's `fileset(path, pattern)`: the files under a directory of the scanned unit that match a
glob, as Terraform gives them (paths relative to `path`, `/`-separated, a sorted set).

Glob syntax is Terraform's (doublestar): `*` and `?` stay inside one path segment, `**` crosses
segments, `[...]` is a class, `{a,b}` alternatives. The pattern becomes an RE2 expression (linear
time). The walk never follows a symbolic link, only descends as deep as the pattern can match,
and counts every directory entry against the input's loop budget.
"""

from __future__ import annotations

import os
import re

from ptclint import budgets
from ptclint.loaders.terraform.functions import _re2
from ptclint.loaders.terraform.values import TfError, TfSet


def glob_to_regex(pattern: str) -> str:
    """A doublestar glob -> an anchored regular expression over `/`-separated relative paths."""
    out: list[str] = []
    i, depth = 0, 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 2)
            if end < 0:
                raise TfError("fileset(): the pattern has an unclosed [")
            body = pattern[i + 1:end]
            negate = body[:1] in ("!", "^")
            body = body[1:] if negate else body
            out.append("[" + ("^/" if negate else "") + body.replace("\\", "\\\\") + "]")
            i = end + 1
            continue
        elif c == "{":
            depth += 1
            out.append("(?:")
        elif c == "}" and depth:
            depth -= 1
            out.append(")")
        elif c == "," and depth:
            out.append("|")
        elif c == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(c))
        i += 1
    if depth:
        raise TfError("fileset(): the pattern has an unclosed {")
    return "^" + "".join(out) + "$"


def fileset(directory: str, pattern: str) -> TfSet:
    """The regular files under `directory` whose relative path matches `pattern` (no symlinks)."""
    pattern = pattern.lstrip("/") if not pattern.startswith("./") else pattern[2:]
    matcher = _re2(glob_to_regex(pattern))
    deepest = None if "**" in pattern else pattern.count("/")
    meter = budgets.meter()
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(directory, followlinks=False):
        rel_dir = os.path.relpath(dirpath, directory)
        level = 0 if rel_dir == "." else rel_dir.count(os.sep) + 1
        meter.iterate(len(dirnames) + len(filenames) + 1, "fileset()")
        dirnames[:] = sorted(d for d in dirnames if deepest is None or level < deepest)
        for name in filenames:
            full = os.path.join(dirpath, name)
            if os.path.islink(full) or not os.path.isfile(full):
                continue
            rel = os.path.relpath(full, directory).replace(os.sep, "/")
            if matcher.search(rel):
                found.append(rel)
    return TfSet(sorted(found))
