"""Where ptclint's shipped data lives (rules/, schemas/)."""

from __future__ import annotations

from pathlib import Path


def package_dir(name: str) -> Path:
    """Locate shipped data (rules/, schemas/): inside the package in a wheel, beside it in a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / f"_{name}", here.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"ptclint's {name}/ directory is missing from the installation")
