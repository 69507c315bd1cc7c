"""Rule case files (tests/rules/<category>/<ID>.yaml, beside rules/<category>/<ID>.yaml): the format
and its judge live in `ptclint.ruletests`, shared with `ptclint rules test DIR`; this names where the
shipped catalog keeps its case files."""

from __future__ import annotations

from pathlib import Path

from ptclint.ruletests import (  # noqa: F401 - re-exported for the tests
    NOW,
    build_registry,
    case_policy,
    case_registry,
    judge_case,
    load_case_file,
    run_case,
    unknowns,
)

CASE_DIR = Path(__file__).parent / "rules"


def case_path(rule_id: str) -> Path:
    """Where a rule's case file lives: the folder named like its category (PTC-UP-001 -> up/)."""
    return CASE_DIR / rule_id.split("-")[1].lower() / f"{rule_id}.yaml"


def case_files() -> list[Path]:
    return sorted(CASE_DIR.rglob("*.yaml"))
