"""Paths in every report are relative to the repository root, not the working directory.

GitHub code scanning, GitLab and the annotations resolve a path against the repository root, so
`cd infra && ptclint scan cfn -f sarif` must still write `infra/cfn/...`. The root is `--root`
when given, else the git top-level of the scanned files (the nearest directory above the first
path holding `.git`), else the working directory, as before. A file outside the root keeps the
path it was given by.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from ptclint.model import Origin
from ptclint.report import Outcome, Report


def find_root(paths: list[str], explicit: str | None = None) -> str:
    if explicit:
        return os.path.abspath(explicit)
    for path in paths[:1]:
        start = Path(os.path.abspath(path))
        for directory in (start, *start.parents):
            if (directory / ".git").exists():
                return str(directory)
    return os.getcwd()


def relative_to_root(report: Report, root: str) -> Report:
    """The report with every file path made relative to `root` (unchanged when root is the cwd)."""
    cwd = os.getcwd()
    root = os.path.abspath(root)
    if os.path.normcase(root) == os.path.normcase(cwd):
        return dataclasses.replace(report, root=root)
    cache: dict[str, str] = {}

    def rel(file: str) -> str:
        if file not in cache:
            absolute = os.path.normpath(os.path.join(cwd, file))
            inside = os.path.relpath(absolute, root) if os.path.splitdrive(absolute)[0] == os.path.splitdrive(root)[0] \
                else os.pardir
            cache[file] = file if inside == os.pardir or inside.startswith(os.pardir + os.sep) else inside
        return cache[file]

    def origin(o: Origin) -> Origin:
        return dataclasses.replace(o, file=rel(o.file)) if o.file else o

    def outcome(o: Outcome) -> Outcome:
        return dataclasses.replace(o, origin=origin(o.origin),
                                   related=tuple((label, origin(at)) for label, at in o.related))

    return dataclasses.replace(
        report,
        outcomes=[outcome(o) for o in report.outcomes],
        problems=[dataclasses.replace(p, file=rel(p.file)) if p.file else p for p in report.problems],
        files=[rel(f) for f in report.files],
        registries=[dataclasses.replace(r, not_judged=[dataclasses.replace(n, origin=origin(n.origin))
                                                       for n in r.not_judged]) if r.not_judged else r
                    for r in report.registries],
        root=root,
    )
