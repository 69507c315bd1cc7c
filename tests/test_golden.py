"""Golden outputs: every byte of every format's report (and the summary line) for the
bundled examples and the IaC fixtures, recorded before the core redesign and kept equal after it.

The scan time is fixed and the checkout's path is replaced by `<ROOT>`, so the files hold nothing
that changes between machines or runs. A deliberate change of output is re-recorded with
`PTCLINT_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py` and committed on its own, with a
message that says why the output changed.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone

import pytest
from conftest import ROOT

GOLDEN = ROOT / "tests" / "golden"
NOW = datetime(2026, 11, 1, 12, 0, 0, tzinfo=timezone.utc)
FORMATS = {"table": "txt", "json": "json", "sarif": "sarif",
           "github": "github.txt", "gitlab": "gitlab.json", "junit": "junit.xml", "markdown": "md",
           "html": "html"}

# name -> ScanOptions keyword arguments (paths relative to the checkout, as a user types them)
CASES: dict[str, dict] = {
    "examples": {"paths": ["examples"]},
    "fixtures": {"paths": ["tests/fixtures"]},
    "fixtures-in-context": {"paths": ["tests/fixtures"], "account": "111122223333", "region": "eu-west-1"},
    # lookups denied or not collected, failed API calls: coverage gaps and skips, exit 3
    "coverage": {"paths": ["tests/golden/inputs/coverage.snapshot.json"]},
}


def _render(name: str, catalog) -> dict[str, str]:
    from ptclint.reporters import REPORTERS
    from ptclint.reporters.table import summary
    from ptclint.scan import ScanOptions, run

    result = run(ScanOptions(now=NOW, **CASES[name]), catalog=catalog)
    out = {fmt: REPORTERS[fmt].render(result) for fmt in FORMATS}
    # what the command line prints on stderr: one line per input problem, then the summary
    out["table"] += "".join(f"\n# stderr: ptclint: error: {p}" for p in result.problems)
    out["table"] += f"\n# stderr: {summary(result)}\n# exit: {result.exit_code()}\n"
    root = str(ROOT)
    return {fmt: text.replace(root, "<ROOT>") for fmt, text in out.items()}


@pytest.mark.parametrize("name", sorted(CASES))
def test_outputs_equal_the_recorded_ones(name: str, catalog, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    rendered = _render(name, catalog)
    for fmt, text in rendered.items():
        path = GOLDEN / f"{name}.{FORMATS[fmt]}"
        if os.environ.get("PTCLINT_UPDATE_GOLDEN"):
            path.parent.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8")
        assert path.is_file(), f"{path} missing: record it with PTCLINT_UPDATE_GOLDEN=1"
        expected = path.read_text(encoding="utf-8")
        assert text == expected, f"{fmt} output for {name} differs from {path.relative_to(ROOT)}"


def test_the_golden_files_are_not_trivial() -> None:
    """The recorded outputs hold findings from every input kind, so an empty scan cannot match them."""
    table = (GOLDEN / "examples.txt").read_text(encoding="utf-8")
    for place in ("examples/demo-account.snapshot.json", "examples/awscli/", "examples/iac/cloudformation/",
                  "examples/iac/terraform/"):
        assert place in table, place
    fixtures = (GOLDEN / "fixtures.txt").read_text(encoding="utf-8")
    assert "plan.json" in fixtures or "main.tf" in fixtures
    assert '"uri": "examples/demo-account.snapshot.json"' in (GOLDEN / "examples.sarif").read_text(encoding="utf-8")
