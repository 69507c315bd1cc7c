"""The five families the product is known for: a compliant example that yields no finding and a
broken one that yields the expected ids (examples/families/)."""

from __future__ import annotations

import pytest
from conftest import ROOT

from ptclint.report import OutcomeKind
from ptclint.scan import ScanOptions, run

FAMILIES = ROOT / "examples" / "families"
EXPECTED = {
    "upstreams": {"PTC-UP-001", "PTC-UP-003", "PTC-UP-005"},
    "gitlab": {"PTC-UP-004"},
    "secrets": {"PTC-AUTH-001", "PTC-AUTH-004", "PTC-AUTH-006"},
    "cross-account": {"PTC-IAM-001", "PTC-IAM-002", "PTC-IAM-004"},
    "prefix-overlap": {"PTC-RCT-001", "PTC-RCT-011", "PTC-NAME-005", "PTC-NAME-006"},
}


@pytest.mark.parametrize("family", sorted(EXPECTED))
def test_compliant_example_yields_nothing(catalog, family: str) -> None:
    result = run(ScanOptions(paths=[str(FAMILIES / f"{family}.compliant.snapshot.json")]), catalog=catalog)
    assert not result.problems and not result.findings, [f.message for f in result.findings]
    assert result.count(OutcomeKind.PASS) > 0 and result.exit_code() == 0


@pytest.mark.parametrize("family", sorted(EXPECTED))
def test_broken_example_yields_the_expected_ids(catalog, family: str) -> None:
    result = run(ScanOptions(paths=[str(FAMILIES / f"{family}.broken.snapshot.json")]), catalog=catalog)
    assert not result.problems
    assert EXPECTED[family] <= {f.rule_id for f in result.findings}
    assert result.exit_code() == 1
