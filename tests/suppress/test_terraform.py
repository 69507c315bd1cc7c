"""Suppressions in Terraform comments: on or above the block, or on or above one of its attributes."""

from __future__ import annotations

from pathlib import Path

from ptclint.suppress.inline import block_ranges

from .helpers import accepted, found, scan

HUB = '''resource "aws_ecr_pull_through_cache_rule" "{name}" {{
  ecr_repository_prefix = "{name}"
  upstream_registry_url = "registry-1.docker.io"
}}
'''


def _module(tmp_path: Path, text: str) -> Path:
    (tmp_path / "main.tf").write_text('provider "aws" {\n  region = "eu-west-1"\n}\n\n' + text)
    return tmp_path


def test_a_comment_above_the_block_silences_that_rule_on_that_block(catalog, tmp_path: Path) -> None:
    text = ("# a note about the block\n# ptclint:ignore PTC-AUTH-001 anonymous pulls are enough (OPS-2)\n"
            + HUB.format(name="quiet") + "\n" + HUB.format(name="loud"))
    report = scan(catalog, _module(tmp_path, text))
    assert accepted(report) == {("PTC-AUTH-001", "aws_ecr_pull_through_cache_rule.quiet"):
                                ("terraform-comment", "anonymous pulls are enough (OPS-2)")}
    assert ("PTC-AUTH-001", "aws_ecr_pull_through_cache_rule.loud") in found(report)
    assert not report.suppression_notes and not report.problems


def test_a_comment_on_or_above_an_attribute_covers_its_block(catalog, tmp_path: Path) -> None:
    text = ('resource "aws_ecr_pull_through_cache_rule" "a" {\n  ecr_repository_prefix = "a"\n'
            '  // ptclint:ignore PTC-AUTH-001 first\n  upstream_registry_url = "registry-1.docker.io"\n}\n'
            'resource "aws_ecr_pull_through_cache_rule" "b" {\n'
            '  ecr_repository_prefix = "b" # ptclint:ignore PTC-AUTH-001 second\n'
            '  upstream_registry_url = "registry-1.docker.io"\n}\n')
    report = scan(catalog, _module(tmp_path, text))
    assert {k: v[1] for k, v in accepted(report).items()} == {
        ("PTC-AUTH-001", "aws_ecr_pull_through_cache_rule.a"): "first",
        ("PTC-AUTH-001", "aws_ecr_pull_through_cache_rule.b"): "second"}


def test_a_comment_above_a_for_each_block_covers_every_instance(catalog, tmp_path: Path) -> None:
    text = ('# ptclint:ignore PTC-AUTH-001 mirrors of public images\n'
            'resource "aws_ecr_pull_through_cache_rule" "hub" {\n  for_each = toset(["a", "b"])\n'
            '  ecr_repository_prefix = each.key\n  upstream_registry_url = "registry-1.docker.io"\n}\n')
    report = scan(catalog, _module(tmp_path, text))
    assert len(accepted(report)) == 2 and not any(r == "PTC-AUTH-001" for r, _ in found(report))


def test_an_expired_comment_no_longer_silences_and_says_so(catalog, tmp_path: Path) -> None:
    text = "# ptclint:ignore PTC-AUTH-001 expires=2026-01-01 until the secret exists\n" + HUB.format(name="hub")
    report = scan(catalog, _module(tmp_path, text))
    assert ("PTC-AUTH-001", "aws_ecr_pull_through_cache_rule.hub") in found(report)
    (note,) = report.suppression_notes
    assert (note.status, note.findings, note.suppression.line) == ("expired", 1, 5)
    assert "expired on 2026-01-01" in str(note)


def test_a_comment_that_matches_nothing_is_reported(catalog, tmp_path: Path) -> None:
    text = "# ptclint:ignore PTC-UP-004 it was GitLab once\n" + HUB.format(name="hub")
    report = scan(catalog, _module(tmp_path, text))
    (note,) = report.suppression_notes
    assert note.status == "unused" and note.suppression.rule_id == "PTC-UP-004"


def test_a_comment_without_a_reason_is_an_input_error_at_its_line(catalog, tmp_path: Path) -> None:
    text = "# ptclint:ignore PTC-AUTH-001\n" + HUB.format(name="hub") + "# ptclint:ignore PTC-AUTH-001 expires=soon x\n"
    report = scan(catalog, _module(tmp_path, text))
    problems = sorted((p.line, p.message) for p in report.problems)
    assert problems[0][0] == 5 and "a reason is required" in problems[0][1]
    assert problems[1][0] == 10 and "expected a date YYYY-MM-DD" in problems[1][1]
    assert ("PTC-AUTH-001", "aws_ecr_pull_through_cache_rule.hub") in found(report)
    assert report.exit_code() == 2


def test_a_comment_separated_from_the_block_by_code_covers_nothing(catalog, tmp_path: Path) -> None:
    text = ('# ptclint:ignore PTC-AUTH-001 meant for the rule below\nlocals {\n  x = 1\n}\n'
            + HUB.format(name="hub"))
    report = scan(catalog, _module(tmp_path, text))
    assert ("PTC-AUTH-001", "aws_ecr_pull_through_cache_rule.hub") in found(report)
    assert [n.status for n in report.suppression_notes] == ["unused"]


def test_block_ranges_skip_braces_in_strings_comments_and_heredocs() -> None:
    lines = '''resource "a" "b" {
  x = "{ not a brace"
  # } nor this
  policy = <<-EOT
    { "Version": "2012-10-17"
  EOT
  /* { */ y = 1
}
module "m" { source = "./m" }
'''.splitlines()
    assert block_ranges(lines) == [(1, 8), (9, 9)]


def test_the_directive_must_open_a_comment(catalog, tmp_path: Path) -> None:
    """Prose that mentions the directive, or a `#` inside a string, is not a suppression."""
    text = ('# to accept it, write `# ptclint:ignore ID reason` above the block\n'
            'resource "aws_ecr_pull_through_cache_rule" "hub" {\n  ecr_repository_prefix = "hub"\n'
            '  upstream_registry_url = "registry-1.docker.io" // ptclint:ignore PTC-AUTH-001 kept\n'
            '  custom_role_arn = "x # ptclint:ignore PTC-UP-001 in a string"\n}\n')
    report = scan(catalog, _module(tmp_path, text))
    assert not report.problems
    assert [(x.outcome.rule_id, x.by.line) for x in report.suppressed] == [("PTC-AUTH-001", 8)]
    assert not report.suppression_notes


def test_a_plan_finding_is_suppressed_by_the_comment_in_its_tf_file(catalog, tmp_path: Path) -> None:
    """A plan JSON's findings point at the .tf lines beside it, so the same comment accepts them."""
    import shutil

    from conftest import ROOT

    shutil.copytree(ROOT / "tests" / "fixtures" / "terraform" / "foreach", tmp_path / "foreach")
    main = tmp_path / "foreach" / "main.tf"
    before = scan(catalog, tmp_path / "foreach" / "plan.json")
    assert ("PTC-UP-004", 'aws_ecr_pull_through_cache_rule.this["gitlab"]') in found(before)
    main.write_text(main.read_text().replace(
        'resource "aws_ecr_pull_through_cache_rule" "this" {',
        '# ptclint:ignore PTC-UP-004 the GitLab mirror is retired next month\n'
        'resource "aws_ecr_pull_through_cache_rule" "this" {'))
    after = scan(catalog, tmp_path / "foreach" / "plan.json")
    assert not any(r == "PTC-UP-004" for r, _ in found(after))
    assert [(x.outcome.rule_id, x.by.source) for x in after.suppressed] == [("PTC-UP-004", "terraform-comment")]
