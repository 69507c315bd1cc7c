"""Suppressions in a CloudFormation resource's Metadata: one rule on one resource, with a reason."""

from __future__ import annotations

from pathlib import Path

from ptclint.report import EXIT_ERROR, EXIT_OK

from .helpers import accepted, found, ghcr_rule, ignore_metadata, rules_cfn, scan


def _template(tmp_path: Path, *rules: str) -> Path:
    path = tmp_path / "ptc.yaml"
    path.write_text(rules_cfn(*rules))
    return path


def test_a_suppression_silences_that_rule_on_that_resource_only(catalog, tmp_path: Path) -> None:
    meta = ignore_metadata("{id: PTC-AUTH-001, reason: public images only (OPS-1)}")
    path = _template(tmp_path, ghcr_rule("Quiet", "ghcr", meta, url="https://ghcr.io"), ghcr_rule("Loud", "ghcr2"))
    report = scan(catalog, path)
    assert accepted(report) == {("PTC-AUTH-001", "Quiet"): ("cloudformation-metadata", "public images only (OPS-1)")}
    # the same rule on another resource, and another rule on the same resource, are still reported
    assert ("PTC-AUTH-001", "Loud") in found(report)
    assert ("PTC-UP-002", "Quiet") in found(report)
    assert not report.suppression_notes


def test_suppressed_findings_fail_nothing(catalog, tmp_path: Path) -> None:
    meta = ignore_metadata("{id: PTC-AUTH-001, reason: accepted}")
    report = scan(catalog, _template(tmp_path, ghcr_rule("Only", "ghcr", meta)), select=["PTC-AUTH-001"])
    assert not report.findings and len(report.suppressed) == 1
    assert report.exit_code() == EXIT_OK


def test_an_expired_suppression_no_longer_silences_and_says_so(catalog, tmp_path: Path) -> None:
    meta = ignore_metadata("{id: PTC-AUTH-001, reason: until the migration, expires: 2026-10-31}")
    report = scan(catalog, _template(tmp_path, ghcr_rule("Late", "ghcr", meta)))
    assert ("PTC-AUTH-001", "Late") in found(report) and not report.suppressed
    (note,) = report.suppression_notes
    assert note.status == "expired" and note.findings == 1
    assert "expired on 2026-10-31" in str(note) and "ptc.yaml:" in str(note)


def test_expiry_is_judged_on_the_scan_date(catalog, tmp_path: Path) -> None:
    meta = ignore_metadata("{id: PTC-AUTH-001, reason: until the migration, expires: '2026-11-01'}")
    report = scan(catalog, _template(tmp_path, ghcr_rule("Today", "ghcr", meta)))
    assert ("PTC-AUTH-001", "Today") in accepted(report)  # valid through the day it names


def test_a_suppression_that_matches_nothing_is_reported(catalog, tmp_path: Path) -> None:
    meta = ignore_metadata("{id: PTC-UP-004, reason: was a self-managed GitLab once}")
    path = _template(tmp_path, ghcr_rule("Clean", "ghcr", meta))
    report = scan(catalog, path)
    (note,) = report.suppression_notes
    assert note.status == "unused" and note.suppression.rule_id == "PTC-UP-004"
    assert note.suppression.line == 7  # the entry's line
    assert str(note).endswith("matches no finding")


def test_a_suppression_without_a_reason_is_an_input_error_at_its_line(catalog, tmp_path: Path) -> None:
    meta = ignore_metadata("{id: PTC-AUTH-001}")
    report = scan(catalog, _template(tmp_path, ghcr_rule("NoReason", "ghcr", meta)))
    (problem,) = report.problems
    assert problem.file.endswith("ptc.yaml") and problem.line == 7
    assert "a reason is required" in problem.message
    assert ("PTC-AUTH-001", "NoReason") in found(report)  # not silently accepted
    assert report.exit_code() == EXIT_ERROR


def test_bad_dates_unknown_ids_and_keys_are_input_errors(catalog, tmp_path: Path) -> None:
    meta = ignore_metadata("{id: PTC-AUTH-001, reason: r, expires: next year}",
                           "{id: PTC-NOPE-001, reason: r}",
                           "{id: PTC-AUTH-001, reason: r, until: 2027-01-01}")
    report = scan(catalog, _template(tmp_path, ghcr_rule("Bad", "ghcr", meta)))
    messages = sorted(p.message for p in report.problems)
    assert len(messages) == 3, messages
    assert any("expires: expected a date YYYY-MM-DD" in m for m in messages)
    assert any("no rule PTC-NOPE-001" in m for m in messages)
    assert any("unknown key 'until'" in m for m in messages)
    assert all(p.line is not None for p in report.problems)


def test_metadata_that_is_not_an_ignore_list_is_an_input_error(catalog, tmp_path: Path) -> None:
    meta = "    Metadata:\n      ptclint: {ignore: PTC-AUTH-001}\n"
    report = scan(catalog, _template(tmp_path, ghcr_rule("Odd", "ghcr", meta)))
    (problem,) = report.problems
    assert "expected {ignore: [{id, reason, expires}]}" in problem.message


def test_json_templates_are_read_too(catalog, tmp_path: Path) -> None:
    import json

    doc = {"Resources": {"Rule": {
        "Type": "AWS::ECR::PullThroughCacheRule",
        "Metadata": {"ptclint": {"ignore": [{"id": "PTC-AUTH-001", "reason": "from CDK"}]}},
        "Properties": {"EcrRepositoryPrefix": "ghcr", "UpstreamRegistry": "github-container-registry",
                       "UpstreamRegistryUrl": "ghcr.io"}}}}
    path = tmp_path / "stack.template.json"
    path.write_text(json.dumps(doc, indent=2))
    report = scan(catalog, path)
    assert accepted(report) == {("PTC-AUTH-001", "Rule"): ("cloudformation-metadata", "from CDK")}


def test_an_unused_suppression_of_a_rule_that_did_not_run_says_so(catalog, tmp_path: Path) -> None:
    meta = ignore_metadata("{id: PTC-AUTH-001, reason: accepted}")
    report = scan(catalog, _template(tmp_path, ghcr_rule("Off", "ghcr", meta)), ignore=["PTC-AUTH-001"])
    (note,) = report.suppression_notes
    assert str(note).endswith("matches no finding (PTC-AUTH-001 did not run)")
