"""The compiled catalog on disk, keyed by the content of every rule file, the schema and ptclint's
version: a missing, stale or corrupt cache is rebuilt, never trusted."""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from pathlib import Path

from ptclint import __version__
from ptclint.rule import Catalog

CACHE_FORMAT = 5  # 3: rule variables; 4: compiled CEL (cel.program.Program) instead of lark trees; 5: causes


def _cache_dir() -> Path | None:
    if os.environ.get("PTCLINT_NO_CACHE"):
        return None
    base = os.environ.get("PTCLINT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "ptclint"
    )
    return Path(base)


def cache_key(schema: bytes, blobs: list[tuple[str, bytes]]) -> str:
    h = hashlib.sha256(f"{CACHE_FORMAT}\0{__version__}\0{sys.implementation.cache_tag}\0".encode())
    h.update(schema)
    for name, raw in blobs:
        h.update(name.encode() + b"\0" + hashlib.sha256(raw).digest())
    return h.hexdigest()[:32]


class _DeepRecursion:
    """Long CEL expressions make deep parse trees; pickling walks them recursively."""

    def __enter__(self) -> None:
        import sys

        self.old = sys.getrecursionlimit()
        sys.setrecursionlimit(max(self.old, 20000))

    def __exit__(self, *exc: object) -> None:
        import sys

        sys.setrecursionlimit(self.old)


def read_cache(key: str) -> Catalog | None:
    base = _cache_dir()
    if base is None:
        return None
    try:
        with open(base / f"catalog-{key}.pickle", "rb") as fh, _DeepRecursion():
            catalog = pickle.load(fh)
        return catalog if isinstance(catalog, Catalog) else None
    except Exception:  # a missing, stale or corrupt cache is simply rebuilt
        return None


def write_cache(key: str, catalog: Catalog) -> None:
    base = _cache_dir()
    if base is None:
        return
    tmp = base / f".catalog-{key}.{os.getpid()}.tmp"
    try:
        base.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh, _DeepRecursion():
            pickle.dump(catalog, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, base / f"catalog-{key}.pickle")
    except (OSError, RecursionError, pickle.PicklingError):  # no cache is slower, never wrong
        try:
            os.unlink(tmp)
        except OSError:
            pass
