"""`ptclint report`: the audit page (or its Markdown summary) from saved JSON reports."""

from __future__ import annotations

from typing import Any

from ptclint.errors import ConfigError
from ptclint.merging import kind, read


def _report(path: str) -> dict[str, Any]:
    doc = read(path)
    if kind(doc) != "json":
        raise ConfigError(f"{path}: not a ptclint JSON report (write one with `ptclint scan --format json`)")
    if not isinstance(doc.get("findings"), list):
        raise ConfigError(f"{path}: JSON report without a `findings` list")
    return doc


def audit_report(path: str, previous: list[str], fmt: str, title: str, rules_dirs: list[str]) -> str:
    """The HTML page (fmt "html") or Markdown summary of the JSON report at `path`, with the trend
    since the `previous` reports; rule documentation from the catalog (plus `rules_dirs`)."""
    from ptclint.catalog import load_catalog

    doc = _report(path)
    earlier = [_report(p) for p in previous]
    catalog = load_catalog(rules_dirs)
    if fmt == "markdown":
        from ptclint.reporters.markdown import audit_summary

        return audit_summary(doc, {r.id: r.title for r in catalog.rules}, earlier)
    from ptclint.reporters.html import RuleDoc, page

    return page(doc, {r.id: RuleDoc.of(r) for r in catalog.rules}, earlier, title)
