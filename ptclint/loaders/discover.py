"""Discovery: the paths a user names become sources. Directories are walked; JSON and YAML files
become file sources, and loaders that assemble inputs from other files (Terraform) take theirs."""

from __future__ import annotations

import os
from pathlib import Path

from ptclint.loaders import Loader
from ptclint.loaders.sources import FileSource, Source, TagHandler
from ptclint.report import InputProblem

SKIP_DIRS = frozenset({".git", "node_modules", ".venv", "venv", "__pycache__", ".terraform", ".tox", "cdk.out.bak"})
DOCUMENT_EXTENSIONS = (".json", ".yaml", ".yml")


def expand(paths: list[str], loaders: list[Loader], max_bytes: int,
           problems: list[InputProblem]) -> list[Source]:
    """Sources in a stable order: per named path, its JSON/YAML files as walked, then the units
    loaders assemble. A named file no loader assembles is a file source whatever its extension."""
    tags = next((lo.yaml_tags for lo in loaders if lo.yaml_tags is not None), None)
    out: list[Source] = []
    seen: set[tuple[str, str]] = set()

    def add(source: Source) -> None:
        key = (type(source).__name__, os.path.normpath(source.path))
        if key not in seen:
            seen.add(key)
            out.append(source)

    for p in paths:
        if os.path.isdir(p):
            files = _walk(p)
            for f in files:
                if Path(f).suffix.lower() in DOCUMENT_EXTENSIONS:
                    add(FileSource(f, False, max_bytes, tags))
            for lo in loaders:
                for source in lo.find(files, named=False):
                    add(source)
        elif os.path.exists(p):
            units = [s for lo in loaders for s in lo.find([p], named=True)]
            for source in units or [FileSource(p, True, max_bytes, tags)]:
                add(source)
        else:
            problems.append(InputProblem(p, "no such file or directory"))
    return out


def _walk(top: str) -> list[str]:
    files: list[str] = []
    for root, dirs, names in os.walk(top):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        files.extend(os.path.join(root, n) for n in sorted(names))
    return files


def sniffed(source: Source, sniff: tuple[str, ...], max_bytes: int) -> bool:
    """Whether a source found by walking looks PTC-related; unreadable ones (FIFOs, oversized) do not."""
    if not source.readable(max_bytes):
        return False
    return any(s in text for text in source.texts(max_bytes) for s in sniff)


__all__ = ["DOCUMENT_EXTENSIONS", "SKIP_DIRS", "TagHandler", "expand", "sniffed"]
