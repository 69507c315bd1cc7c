"""docs/rules.md is generated from the catalog; this fails when it is stale."""

from __future__ import annotations

from conftest import ROOT

from ptclint.docs import catalog_markdown, rule_markdown


def test_rules_md_is_up_to_date(catalog) -> None:
    expected = catalog_markdown(catalog)
    actual = (ROOT / "docs" / "rules.md").read_text()
    assert actual == expected, "docs/rules.md is stale: run `python -m ptclint.docs > docs/rules.md`"


def test_explain_text_has_every_section(catalog) -> None:
    for rule in catalog.rules:
        text = rule_markdown(rule)
        for heading in ("What it checks", "Why it matters", "How to fix it", "Compliant", "Noncompliant", "References"):
            assert f"## {heading}" in text, (rule.id, heading)
        if rule.opt_in:
            assert "Opt-in" in text


def test_cel_function_tables_are_up_to_date() -> None:
    from ptclint.docs import with_functions

    actual = (ROOT / "docs" / "writing-rules.md").read_text()
    assert actual == with_functions(actual), (
        "docs/writing-rules.md's CEL function tables are stale: run `python -m ptclint.docs --functions`")


def test_terraform_function_list_is_up_to_date() -> None:
    from ptclint.docs import with_tf_functions

    actual = (ROOT / "docs" / "loaders.md").read_text()
    assert actual == with_tf_functions(actual), (
        "docs/loaders.md's Terraform function list is stale: run `python -m ptclint.docs --tf-functions`")
    assert "`basename`" in actual and "`regexall`" in actual  # the list is there, not just its markers


def test_readme_names_every_command_and_flag() -> None:
    """The README documents every command and every long option of the command line."""
    import typer.main

    from ptclint.cli import app

    readme = (ROOT / "README.md").read_text()
    command = typer.main.get_command(app)
    missing = [f"ptclint {name}" for name in command.commands if f"ptclint {name}" not in readme]  # type: ignore[attr-defined]
    missing += [f"ptclint {name} {opt}" for name, sub in command.commands.items()  # type: ignore[attr-defined]
                for param in sub.params for opt in param.opts if opt.startswith("--") and opt not in readme]
    assert not missing, f"README.md does not mention: {', '.join(missing)}"


def test_readme_suppression_examples_work(catalog, tmp_path, monkeypatch) -> None:
    """The CloudFormation, Terraform and configuration examples of "Suppressing a finding" suppress
    what they say they do (the dates they carry are judged on a fixed scan date before them)."""
    import re
    from datetime import datetime, timezone

    from ptclint.config import load
    from ptclint.scan import ScanOptions, run

    readme = (ROOT / "README.md").read_text()
    section = readme.split("### Suppressing a finding", 1)[1].split("\n### ", 1)[0]
    blocks = dict(re.findall(r"```(yaml|hcl|toml)\n(.*?)```", section, re.S))
    cfn = tmp_path / "cfn" / "ptc.yaml"
    cfn.parent.mkdir()
    cfn.write_text("Resources:\n" + "".join(f"  {line}\n" for line in blocks["yaml"].splitlines()[1:])
                   + "    Properties: {EcrRepositoryPrefix: ghcr, UpstreamRegistry: github-container-registry,"
                     " UpstreamRegistryUrl: ghcr.io}\n")
    (tmp_path / "tf").mkdir()
    (tmp_path / "tf" / "main.tf").write_text(blocks["hcl"] + '\nresource "aws_secretsmanager_secret" "gitlab" {\n'
                                             '  name = "ecr-pullthroughcache/gitlab"\n}\n')
    config = tmp_path / "pyproject.toml"
    config.write_text(blocks["toml"])
    monkeypatch.chdir(tmp_path)
    report = run(ScanOptions(paths=["cfn", "tf"], config=load(config),
                             now=datetime(2026, 12, 1, tzinfo=timezone.utc)), catalog=catalog)
    assert not report.problems, report.problems
    assert {(x.outcome.rule_id, x.by.source) for x in report.suppressed} == {
        ("PTC-AUTH-001", "cloudformation-metadata"), ("PTC-AUTH-001", "terraform-comment"),
        ("PTC-UP-004", "terraform-comment")}
    assert [n.suppression.rule_id for n in report.suppression_notes] == ["PTC-RCT-012"]  # nothing named tmp-*
