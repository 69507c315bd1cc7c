"""Rule `variables:` (Kubernetes ValidatingAdmissionPolicy style): compiled with the rule, evaluated
at most once per (rule, resource) on first use, visible to later variables and to when, assert,
message, related and severity_when; an unknown or failing variable matters only where it is read."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from casefiles import case_registry
from conftest import ROOT

from ptclint.catalog import load_catalog
from ptclint.cel import functions, runtime
from ptclint.engine import evaluate
from ptclint.errors import CatalogError
from ptclint.report import OutcomeKind

GOOD = (ROOT / "rules" / "up" / "PTC-UP-002.yaml").read_text()
NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)

BODY = """variables:
  - name: host
    expression: "urlHost(resource.upstreamRegistryUrl)"
  - name: dotted
    expression: "variables.host.contains('.')"
  - name: broken
    expression: "resource.noSuchField + 1"
when: "has(resource.upstreamRegistryUrl)"
assert: "variables.dotted || variables.host == 'localhost'"
related: "[ 'rule:' + string(index) + ' ' + variables.host ]"
message: "Host {{variables.host}}, broken {{variables.broken}}"
"""


def _rule(tmp_path: Path, body: str) -> Path:
    text = re.sub(r"^id: .*$", "id: PTC-UP-901", GOOD, flags=re.M)
    text = re.sub(r"^name: .*$", "name: variables-test-rule", text, flags=re.M)
    text = re.sub(r"^when: .*$\n", "", text, flags=re.M)
    text = re.sub(r"^(assert|message): (>-\n(  .*\n)+|.*\n)", "", text, flags=re.M)
    text = text.replace("\ndocs:", "\n" + body + "docs:", 1)
    folder = tmp_path / "extra" / "up"
    folder.mkdir(parents=True)
    (folder / "PTC-UP-901.yaml").write_text(text)
    return tmp_path / "extra"


def _judge(tmp_path: Path, body: str, url: object) -> list:
    catalog = load_catalog([str(_rule(tmp_path, body))], use_cache=False)
    rule = catalog.get("PTC-UP-901")
    registries = case_registry({"pullThroughCacheRules": [{"ecrRepositoryPrefix": "x", "upstreamRegistryUrl": url}]})
    outcomes, _ = evaluate([rule], registries, {}, NOW)
    return outcomes


def test_variables_feed_assert_message_and_related(tmp_path: Path) -> None:
    [outcome] = _judge(tmp_path, BODY, "https://quay/x")
    assert outcome.kind is OutcomeKind.FINDING
    assert outcome.message == "Host quay, broken (?)"  # a failing variable matters only where it is read
    assert [label for label, _ in outcome.related] == ["quay"]
    [passing] = _judge(tmp_path / "2", BODY, "quay.io")
    assert passing.kind is OutcomeKind.PASS


def test_an_unknown_variable_makes_only_its_readers_unknown(tmp_path: Path) -> None:
    [outcome] = _judge(tmp_path, BODY, {"$unknown": "var.url"})
    assert outcome.kind is OutcomeKind.UNKNOWN
    body = BODY.replace('assert: "variables.dotted || variables.host == \'localhost\'"', 'assert: "true || variables.dotted"')
    [passing] = _judge(tmp_path / "2", body, {"$unknown": "var.url"})
    assert passing.kind is OutcomeKind.PASS


def test_a_variable_is_evaluated_once_per_activation() -> None:
    calls: list[str] = []

    def count(x: object) -> object:
        calls.append("x")
        return x

    table = {**functions.FUNCTIONS, "count": count}
    program = runtime.compile_expr("variables.v + variables.v")
    variables = runtime.Variables([("v", runtime.compile_expr("count(2)"))], {}, table)
    assert runtime.evaluate(program, {}, table, variables) == 4
    assert runtime.evaluate(runtime.compile_expr("variables.v"), {}, table, variables) == 2
    assert calls == ["x"]


@pytest.mark.parametrize(("body", "message"), [
    (BODY.replace("variables.host.contains", "variables.later.contains"), "reads variables.later, which is not defined"),
    (BODY.replace("name: dotted", "name: host"), "variable 'host' is defined twice"),
    (BODY.replace("variables.host == 'localhost'", "variables.hots == 'localhost'"),
     "assert: variables.hots is not defined"),
])
def test_variable_mistakes_are_catalog_errors(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(CatalogError) as info:
        load_catalog([str(_rule(tmp_path, body))], use_cache=False)
    assert message in info.value.message


def test_a_syntax_error_in_a_variable_names_its_line(tmp_path: Path) -> None:
    body = BODY.replace("resource.noSuchField + 1", "resource.noSuchField + (")
    with pytest.raises(CatalogError) as info:
        load_catalog([str(_rule(tmp_path, body))], use_cache=False)
    text = (tmp_path / "extra" / "up" / "PTC-UP-901.yaml").read_text().splitlines()
    assert "CEL syntax error in variables/2/expression" in info.value.message
    assert text[info.value.line - 1].strip().startswith("expression: \"resource.noSuchField")
