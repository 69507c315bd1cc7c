"""Catalog meta-tests: every shipped rule is schema-valid, compiles, is unique and documented,
and has a case file with at least one finding case and one pass case."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from casefiles import case_files, case_path, load_case_file
from conftest import ROOT

from ptclint.catalog import load_catalog, rule_files, select_rules
from ptclint.errors import CatalogError, ConfigError

RULE_FILES = rule_files(ROOT / "rules")


def test_catalog_is_not_empty(catalog) -> None:
    assert len(catalog.rules) == len(RULE_FILES) > 0


def test_ids_and_names_are_unique(catalog) -> None:
    ids = [r.id for r in catalog.rules]
    names = [r.name for r in catalog.rules]
    assert len(ids) == len(set(ids))
    assert len(names) == len(set(names))


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_rule_file_name_and_folder_match_id(catalog, path: Path) -> None:
    rule = next(r for r in catalog.rules if Path(r.file).resolve() == path.resolve())
    assert path.stem == rule.id
    assert path.parent.name == rule.id.split("-")[1].lower()


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_rule_is_documented(catalog, path: Path) -> None:
    rule = catalog.get(path.stem)
    for section in ("what", "why", "fix", "compliant", "noncompliant"):
        assert len(rule.docs[section].strip()) >= 10, f"{rule.id}: docs.{section} is too short"
    assert all(ref.startswith("https://") for ref in rule.references)
    assert not rule.title.endswith(".")


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_rule_has_finding_and_pass_cases(path: Path) -> None:
    case_file = case_path(path.stem)
    assert case_file.exists(), f"missing case file {case_file}"
    expects = [c["expect"] for c in load_case_file(case_file)["cases"]]
    assert "finding" in expects and "pass" in expects, expects


def test_every_case_file_names_a_rule(catalog) -> None:
    ids = {r.id for r in catalog.rules}
    for case_file in case_files():
        assert case_file.stem in ids, f"{case_file.name} has no rule"
        assert case_file == case_path(case_file.stem), f"{case_file} is not in its category's folder"


def test_severity_rests_on_facts(catalog) -> None:
    """A rule whose docs admit uncertainty is never an error (rules.md)."""
    for rule in catalog.rules:
        if rule.docs.get("uncertain"):
            assert rule.severity.value != "error", f"{rule.id} is uncertain but severity error"


# ---------------------------------------------------------------- bad rule files

def _write_rule(tmp_path: Path, text: str) -> Path:
    d = tmp_path / "extra" / "up"
    d.mkdir(parents=True)
    (d / "PTC-UP-900.yaml").write_text(text)
    return tmp_path / "extra"


GOOD = (ROOT / "rules" / "up" / "PTC-UP-002.yaml").read_text()


def _variant(text: str) -> str:
    text = re.sub(r"^id: .*$", "id: PTC-UP-900", text, flags=re.M)
    return re.sub(r"^name: .*$", "name: extra-test-rule", text, flags=re.M)


def test_extra_rules_dir_is_loaded(tmp_path: Path) -> None:
    extra = _write_rule(tmp_path, _variant(GOOD))
    catalog = load_catalog([str(extra)], use_cache=False)
    assert catalog.get("PTC-UP-900") is not None


def test_cel_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    text = re.sub(r"^assert: .*$", "assert: \"resource.x && (\"", _variant(GOOD), flags=re.M)
    extra = _write_rule(tmp_path, text)
    with pytest.raises(CatalogError) as info:
        load_catalog([str(extra)], use_cache=False)
    err = info.value
    assert err.file.endswith("PTC-UP-900.yaml")
    line_of_assert = next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith("assert:"))
    assert err.line == line_of_assert
    assert "CEL syntax error" in err.message


def test_schema_error_names_the_field(tmp_path: Path) -> None:
    text = re.sub(r"^severity: .*$", "severity: fatal", _variant(GOOD), flags=re.M)
    extra = _write_rule(tmp_path, text)
    with pytest.raises(CatalogError) as info:
        load_catalog([str(extra)], use_cache=False)
    assert "severity" in info.value.message
    assert info.value.line == next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith("severity:"))


def test_a_team_rule_cannot_take_a_shipped_id(tmp_path: Path) -> None:
    extra = _write_rule(tmp_path, re.sub(r"^name: .*$", "name: extra-test-rule", GOOD, flags=re.M))
    with pytest.raises(CatalogError) as info:
        load_catalog([str(extra)], use_cache=False)
    assert "duplicate rule id PTC-UP-002: a shipped rule has it" in info.value.message
    assert info.value.file.endswith("PTC-UP-900.yaml") and info.value.line == 1


def test_a_team_rule_cannot_take_a_shipped_name(tmp_path: Path) -> None:
    extra = _write_rule(tmp_path, re.sub(r"^id: .*$", "id: PTC-UP-900", GOOD, flags=re.M))
    with pytest.raises(CatalogError, match="duplicate rule name 'upstream-url-not-bare-host': a shipped rule has it"):
        load_catalog([str(extra)], use_cache=False)


def test_two_team_rules_with_one_id_are_duplicates(tmp_path: Path) -> None:
    extra = _write_rule(tmp_path, _variant(GOOD))
    (extra / "up" / "copy.yaml").write_text(_variant(GOOD).replace("name: extra-test-rule", "name: extra-copy"))
    with pytest.raises(CatalogError, match="duplicate rule id PTC-UP-900"):
        load_catalog([str(extra)], use_cache=False)


def test_shipped_rules_use_the_shipped_categories(catalog) -> None:
    """The schema lets a team name its own category (PTC-ACME-001); ptclint's own rules keep to these."""
    assert {r.category for r in catalog.rules} <= {f"PTC-{c}" for c in ("UP", "AUTH", "IAM", "RCT", "NAME", "HYG", "POL")}


def test_a_team_directory_keeps_its_case_files_under_tests(tmp_path: Path) -> None:
    extra = _write_rule(tmp_path, _variant(GOOD))
    (extra / "tests").mkdir()
    (extra / "tests" / "PTC-UP-900.yaml").write_text("rule: PTC-UP-900\ncases: []\n")
    assert [r.id for r in load_catalog([str(extra)], use_cache=False).rules if r.id.endswith("900")] == ["PTC-UP-900"]


def test_the_cache_keys_on_team_rule_contents(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("PTCLINT_NO_CACHE", raising=False)
    monkeypatch.setenv("PTCLINT_CACHE_DIR", str(tmp_path / "cache"))
    extra = _write_rule(tmp_path, _variant(GOOD))
    assert load_catalog([str(extra)]).get("PTC-UP-900").severity.value == "warning"
    rule_file = extra / "up" / "PTC-UP-900.yaml"
    rule_file.write_text(re.sub(r"^severity: .*$", "severity: note", rule_file.read_text(), flags=re.M))
    assert load_catalog([str(extra)]).get("PTC-UP-900").severity.value == "note"
    assert len(list((tmp_path / "cache").glob("catalog-*.pickle"))) == 2


def test_cache_round_trip(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("PTCLINT_NO_CACHE", raising=False)
    monkeypatch.setenv("PTCLINT_CACHE_DIR", str(tmp_path / "cache"))
    first = load_catalog()
    assert list((tmp_path / "cache").glob("catalog-*.pickle"))
    second = load_catalog()
    assert [r.id for r in first.rules] == [r.id for r in second.rules]
    assert second.rules[0].assert_ast == first.rules[0].assert_ast


# ---------------------------------------------------------------- selection

def test_select_by_category_name_and_ignore(catalog) -> None:
    auth = select_rules(catalog, ["PTC-AUTH"])
    assert auth and all(r.id.startswith("PTC-AUTH-") for r in auth)
    by_name = select_rules(catalog, ["gitlab-self-managed"])
    assert [r.id for r in by_name] == ["PTC-UP-004"]
    rest = select_rules(catalog, None, ignore=["PTC-UP-004"])
    assert "PTC-UP-004" not in {r.id for r in rest} and len(rest) == len(select_rules(catalog)) - 1


def test_unknown_selector_is_an_error(catalog) -> None:
    with pytest.raises(ConfigError, match="PTC-NOPE"):
        select_rules(catalog, ["PTC-NOPE"])


def test_opt_in_rules_need_their_exact_id(catalog) -> None:
    opt_in = [r for r in catalog.rules if r.opt_in]
    if not opt_in:
        pytest.skip("no opt-in rule in the catalog yet")
    rule = opt_in[0]
    assert rule not in select_rules(catalog)
    assert rule not in select_rules(catalog, [rule.category])
    assert rule in select_rules(catalog, None, [rule.id])


def test_cel_error_in_a_block_scalar_names_the_line_inside_it(tmp_path: Path) -> None:
    text = re.sub(r"^assert: .*$", "assert: >-\n  has(resource.x)\n  && (", _variant(GOOD), flags=re.M)
    extra = _write_rule(tmp_path, text)
    with pytest.raises(CatalogError) as info:
        load_catalog([str(extra)], use_cache=False)
    lines = text.splitlines()
    assert lines[info.value.line - 1].strip() == "&& ("
