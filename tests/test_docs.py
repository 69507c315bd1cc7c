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
