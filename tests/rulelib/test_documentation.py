"""The rule library is a library, not rule bodies (redesign 3.3.2): every CEL function is documented
by its docstring, and none is named for a rule or documented as one rule's logic."""

from __future__ import annotations

import inspect
import re

import pytest

from ptclint.cel import functions

RULE_ID = re.compile(r"PTC-[A-Z]+-\d{3}")
CEL_FUNCTIONS = sorted(functions.DOCUMENTED.items())


def _words(name: str) -> set[str]:
    """`ptcGrantsToEveryone` / `ptc_grants_to_everyone` / `ptc-grant-to-everyone` -> singular words."""
    parts = re.split(r"[-_]|(?<=[a-z0-9])(?=[A-Z])", name)
    return {p.lower().removesuffix("s") for p in parts if p}


@pytest.mark.parametrize(("name", "fn"), CEL_FUNCTIONS, ids=[n for n, _ in CEL_FUNCTIONS])
def test_every_cel_function_is_documented(name: str, fn) -> None:
    doc = inspect.getdoc(fn) or ""
    assert len(doc.split()) >= 4, f"{name} ({fn.__module__}.{fn.__name__}) has no docstring worth the name"


@pytest.mark.parametrize(("name", "fn"), CEL_FUNCTIONS, ids=[n for n, _ in CEL_FUNCTIONS])
def test_no_helper_is_one_rules_logic(catalog, name: str, fn) -> None:
    doc = inspect.getdoc(fn) or ""
    cited = set(RULE_ID.findall(doc))
    assert len(cited) != 1, f"{name}'s docstring cites only {cited}: name and document it for its concept"
    for rule in catalog.rules:
        if _named_for(name, rule.name):
            pytest.fail(f"{name} is named for rule {rule.id} ({rule.name}): name it for its concept")


def _named_for(helper: str, rule: str) -> bool:
    mine, theirs = _words(helper), _words(rule)
    return len(mine) >= 2 and mine <= theirs and 2 * len(mine) >= len(theirs)


def test_the_meta_test_catches_rule_names() -> None:
    assert _named_for("orphanedPtcSecrets", "orphaned-ptc-secret")
    assert _named_for("repositoryPolicyTooOpen", "template-repository-policy-too-open")
    assert _named_for("ecrPublicGrants", "ptc-grant-on-ecr-public-arn")
    assert not _named_for("repositoryPolicyExposure", "template-repository-policy-too-open")
    assert not _named_for("urlHost", "upstream-url-not-bare-host")
