"""Scan small inputs written into a temporary directory, in process."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from ptclint.cli import app
from ptclint.report import Report

NOW = datetime(2026, 11, 1, 12, 0, 0, tzinfo=timezone.utc)


def scan(catalog: Any, *paths: Path, config: Path | None = None, **options: Any) -> Report:
    from ptclint.config import load
    from ptclint.scan import ScanOptions, run

    return run(ScanOptions(paths=[str(p) for p in paths], now=NOW, config=load(config) if config else None,
                           **options), catalog=catalog)


def found(report: Report) -> set[tuple[str, str]]:
    """(rule id, resource name or key) of every finding still reported."""
    return {(o.rule_id, o.identity.name or o.identity.key) for o in report.findings}


def accepted(report: Report) -> dict[tuple[str, str], tuple[str, str]]:
    """(rule id, resource) -> (source, reason) of every suppressed finding."""
    return {(x.outcome.rule_id, x.outcome.identity.name or x.outcome.identity.key): (x.by.source, x.by.reason)
            for x in report.suppressed}


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stdout, result.stderr


def rules_cfn(*rules: str) -> str:
    """A CloudFormation template of PTC rules; each argument is one resource's YAML (indented 2)."""
    return "Resources:\n" + "".join(rules)


def ghcr_rule(lid: str, prefix: str, metadata: str = "", url: str = "ghcr.io") -> str:
    """A GHCR rule without a credential: PTC-AUTH-001 fires on it (and PTC-UP-002 when url has a scheme)."""
    return (f"  {lid}:\n    Type: AWS::ECR::PullThroughCacheRule\n{metadata}"
            f"    Properties:\n      EcrRepositoryPrefix: {prefix}\n"
            f"      UpstreamRegistry: github-container-registry\n      UpstreamRegistryUrl: {url}\n")


def ignore_metadata(*entries: str) -> str:
    return "    Metadata:\n      ptclint:\n        ignore:\n" + "".join(f"          - {e}\n" for e in entries)
