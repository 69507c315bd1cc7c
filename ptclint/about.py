"""What `ptclint --version` and `ptclint --help` say about the tool itself."""

from __future__ import annotations

import hashlib

from ptclint import __version__
from ptclint.paths import package_dir

# "\b" keeps click from rewrapping the block (it broke "--fail-on" at its hyphen)
EXIT_CODES = """\b
Exit codes:
  0  nothing at or above --fail-on
  1  findings at or above --fail-on
  2  usage, configuration, catalog or input error
  3  partial: a lookup could not be covered or a rule failed to evaluate
     (--allow-partial turns 3 into the code the findings alone give)
When several apply, the highest wins."""


def catalog_version() -> tuple[str, int]:
    """A digest of the shipped rule files (changes whenever a rule does) and how many there are.
    Read as bytes, without loading the catalog, so `--version` stays fast."""
    root = package_dir("rules")
    files = sorted(root.rglob("*.yaml"))
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12], len(files)


def version_text() -> str:
    digest, count = catalog_version()
    return f"ptclint {__version__}\ncatalog {digest} ({count} rules)"
