"""Every input kind satisfies the Loader protocol, and the catalog's `needs` are the model's data kinds."""

from __future__ import annotations

import inspect
import json

import pytest
from conftest import ROOT

from ptclint import loaders
from ptclint.model import MISSING, DataKind, Registry, Status

MEMBERS = ("sniff", "yaml_tags", "options", "find", "claims", "load", "merge_key", "attaches")


@pytest.mark.parametrize("name", list(loaders.LOADERS))
def test_each_loader_satisfies_the_protocol(name: str) -> None:
    module = loaders.loader(name)
    assert module.name == name
    missing = [m for m in MEMBERS if not hasattr(module, m)]
    assert missing == []
    assert module.sniff and all(isinstance(s, str) and s for s in module.sniff)
    for member in ("options", "find", "claims", "load", "merge_key", "attaches"):
        assert callable(getattr(module, member)), member
    assert list(inspect.signature(module.load).parameters) == ["source", "ctx"]


def test_the_rule_schema_needs_exactly_the_data_kinds() -> None:
    schema = json.loads((ROOT / "schemas" / "rule.schema.json").read_text(encoding="utf-8"))
    assert set(schema["properties"]["needs"]["items"]["enum"]) == {k.value for k in DataKind}
    assert set(MISSING) == set(DataKind)  # every kind says what its absence means


def test_coverage_decides_what_a_registry_can_judge() -> None:
    reg = Registry("111122223333", "")
    assert reg.has(DataKind.RULES) and reg.has(DataKind.ACCOUNT) and not reg.has(DataKind.REGION)
    assert not reg.has(DataKind.TEMPLATES)
    reg.carries(DataKind.TEMPLATES, Status.ACCESS_DENIED)
    assert not reg.has(DataKind.TEMPLATES) and reg.gaps == ["repositoryCreationTemplates: access denied"]
    other = Registry("111122223333", "eu-west-1")
    other.carries(DataKind.TEMPLATES)
    other.carries(DataKind.SECRETS)
    reg.join(other)
    assert reg.has(DataKind.TEMPLATES) and reg.has(DataKind.SECRETS) and reg.region == "eu-west-1"
