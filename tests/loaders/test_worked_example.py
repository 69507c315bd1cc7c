"""docs/loaders.md's worked example is real: its code, added to LOADERS and nothing else, reads a
Pulumi stack export, and the shipped rules judge what it loaded."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from conftest import ROOT

DOC = ROOT / "docs" / "loaders.md"
EXPORT = {
    "version": 3,
    "deployment": {
        "manifest": {"time": "2026-11-01T00:00:00Z"},
        "resources": [
            {"urn": "urn:pulumi:prod::ecr::pulumi:providers:aws::default", "type": "pulumi:providers:aws",
             "inputs": {"region": "eu-west-1"}},
            {"urn": "urn:pulumi:prod::ecr::aws:ecr/pullThroughCacheRule:PullThroughCacheRule::hub",
             "type": "aws:ecr/pullThroughCacheRule:PullThroughCacheRule",
             "inputs": {"ecrRepositoryPrefix": "docker-hub", "upstreamRegistryUrl": "registry-1.docker.io"}},
            {"urn": "urn:pulumi:prod::ecr::aws:ecr/pullThroughCacheRule:PullThroughCacheRule::public",
             "type": "aws:ecr/pullThroughCacheRule:PullThroughCacheRule",
             "inputs": {"ecrRepositoryPrefix": "ecr-public", "upstreamRegistryUrl": "public.ecr.aws"}},
        ],
    },
}


def _example_code() -> str:
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## A worked example"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


@pytest.fixture
def with_pulumi(tmp_path: Path, monkeypatch):
    """The example module on the path and in LOADERS (before awscli), as docs/loaders.md says."""
    from ptclint import loaders

    (tmp_path / "worked_example_pulumi.py").write_text(_example_code(), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    table = {}
    for name, module in loaders.LOADERS.items():
        if name == "awscli":
            table["pulumi"] = "worked_example_pulumi"
        table[name] = module
    monkeypatch.setattr(loaders, "LOADERS", table)
    monkeypatch.setattr(loaders, "_loaded", {})
    yield
    sys.modules.pop("worked_example_pulumi", None)


def _write_inputs(directory: Path) -> Path:
    directory.mkdir()
    export = directory / "stack.json"
    export.write_text(json.dumps(EXPORT, indent=2), encoding="utf-8")
    (directory / "package.json").write_text('{"name": "infra", "dependencies": {"@pulumi/aws": "^6"}}')
    return export


def test_the_example_loader_reads_a_stack_export(with_pulumi, tmp_path: Path, catalog) -> None:
    from ptclint.config import ScanOptions
    from ptclint.scan import run

    export = _write_inputs(tmp_path / "infra")
    report = run(ScanOptions(paths=[str(tmp_path / "infra")], account="111122223333", region="eu-west-1"),
                 catalog=catalog)
    assert report.problems == []
    assert len(report.registries) == 1 and len(report.registries[0].rules) == 2
    assert [f.rule_id for f in report.findings] == ["PTC-AUTH-001"]
    finding = report.findings[0]
    assert finding.identity.key == "docker-hub"
    assert finding.identity.name.endswith("PullThroughCacheRule::hub")
    lines = export.read_text().splitlines()
    assert '"urn": "urn:pulumi:prod::ecr::aws:ecr/pullThroughCacheRule:PullThroughCacheRule::hub"' in \
        lines[finding.origin.line]  # the resource's object starts on the line before its urn
    assert len(report.files) == 1 and report.files[0].endswith("infra/stack.json")  # package.json: skipped unread


def test_without_the_example_the_export_is_not_recognised(tmp_path: Path, catalog) -> None:
    from ptclint.config import ScanOptions
    from ptclint.scan import run

    export = _write_inputs(tmp_path / "infra")
    report = run(ScanOptions(paths=[str(export)]), catalog=catalog)
    assert report.registries == [] and report.findings == []
    assert len(report.problems) == 1 and "not a recognised ptclint input" in report.problems[0].message


def test_a_malformed_export_is_reported_with_its_place(with_pulumi, tmp_path: Path, catalog) -> None:
    from ptclint.config import ScanOptions
    from ptclint.scan import run

    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "deployment": {\n    "resources": {"x": 1}\n  }\n}\n', encoding="utf-8")
    report = run(ScanOptions(paths=[str(bad)]), catalog=catalog)
    (problem,) = report.problems
    assert problem.message == "deployment.resources: expected a list" and problem.line == 3
