"""SARIF 2.1.0 for GitHub code scanning (see shared/reference/sarif-for-github.md).

Every result has a physical location in a real file (relative URI, startLine >= 1), a logical
location naming the cloud resource, and partialFingerprints built from rule id + resource
identity, never from line numbers. Objects come from sarif-om; `_to_json` writes them out.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

import attr
import sarif_om as om

from ptclint import INFORMATION_URI, __version__
from ptclint.report import Outcome, OutcomeKind, Report
from ptclint.reporters import docs_uri, fingerprint, sort_key
from ptclint.rule import Rule

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) else text + "."


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))


def _rule_descriptor(rule: Rule) -> om.ReportingDescriptor:
    docs = rule.docs
    help_text = f"{_sentence(docs['fix'])} Documentation: {docs_uri(rule)}"
    refs = "\n".join(f"- <{r}>" for r in rule.references)
    markdown = (
        f"**{rule.title}** ({rule.id})\n\n{docs['what'].strip()}\n\n**Why it matters.** {docs['why'].strip()}\n\n"
        f"**How to fix.** {docs['fix'].strip()}\n\n"
        f"**Compliant example**\n\n```yaml\n{docs['compliant'].rstrip()}\n```\n\n"
        f"**References**\n\n{refs}\n- [ptclint docs for {rule.id}]({docs_uri(rule)})\n"
    )
    props: dict[str, Any] = {"tags": sorted({"pull-through-cache", "ecr", *rule.tags}), "precision": rule.precision}
    if rule.security_severity:
        props["security-severity"] = rule.security_severity
        props["tags"] = sorted({*props["tags"], "security"})
    return om.ReportingDescriptor(
        id=rule.id,
        name=_pascal(rule.name),
        short_description=om.MultiformatMessageString(text=_sentence(rule.title)),
        full_description=om.MultiformatMessageString(text=_sentence(docs["what"])[:1024]),
        help=om.MultiformatMessageString(text=help_text, markdown=markdown),
        help_uri=docs_uri(rule),
        default_configuration=om.ReportingConfiguration(level=rule.severity.value),
        properties=props,
    )


def _uri(file: str) -> tuple[str, str | None]:
    """A repository-relative URI with the %SRCROOT% base, or a file:// URI outside the working tree."""
    if os.path.isabs(file):
        return Path(file).as_uri(), None
    return quote(file.replace(os.sep, "/")), SRCROOT


def _result(o: Outcome, index: int) -> om.Result:
    uri, base = _uri(o.origin.file)
    ident = o.identity
    fp = fingerprint(o)
    logical = om.LogicalLocation(
        name=ident.name or ident.key or ident.kind,
        fully_qualified_name=ident.fqn() + (f"#{ident.name}" if ident.name else ""),
        kind="resource",
    )
    related = [
        om.Location(
            id=i + 1,
            physical_location=om.PhysicalLocation(
                artifact_location=om.ArtifactLocation(uri=_uri(origin.file)[0], uri_base_id=_uri(origin.file)[1]),
                region=om.Region(start_line=origin.line, start_column=origin.column),
            ),
            message=om.Message(text=_sentence(label)),
        )
        for i, (label, origin) in enumerate(o.related)
    ]
    return om.Result(
        rule_id=o.rule_id,
        rule_index=index,
        level=o.severity.value if o.severity else "warning",
        message=om.Message(text=_sentence(o.message)),
        locations=[
            om.Location(
                physical_location=om.PhysicalLocation(
                    artifact_location=om.ArtifactLocation(uri=uri, uri_base_id=base),
                    region=om.Region(start_line=max(1, o.origin.line), start_column=max(1, o.origin.column)),
                ),
                logical_locations=[logical],
            )
        ],
        related_locations=related or None,
        partial_fingerprints={"primaryLocationLineHash": f"{fp}:1", "ptclint/resource/v1": fp},
        properties={"account": ident.account, "region": ident.region, "resourceKind": ident.kind},
    )


def build(result: Report, category: str = "ptclint/scan/") -> om.SarifLog:
    rules = sorted(result.rules, key=lambda r: r.id)
    index = {r.id: i for i, r in enumerate(rules)}
    findings = sorted(result.findings, key=sort_key)
    notifications = [
        om.Notification(
            message=om.Message(text=_sentence(str(p))),
            level="error",
            descriptor=om.ReportingDescriptorReference(id="ptclint/input-error"),
        )
        for p in result.problems
    ] + [
        om.Notification(
            message=om.Message(text=_sentence(f"{o.rule_id} could not be evaluated on {o.identity}: {o.detail}")),
            level="error",
            descriptor=om.ReportingDescriptorReference(id="ptclint/evaluation-error"),
        )
        for o in sorted((o for o in result.outcomes if o.kind is OutcomeKind.ERROR), key=sort_key)
    ] + [
        om.Notification(  # what could not be covered: account, Region, call (or lookup) and error code
            message=om.Message(text=_sentence(f"Coverage gap: {gap}")),
            level="warning",
            descriptor=om.ReportingDescriptorReference(id="ptclint/coverage-gap"),
        )
        for gap in result.gaps
    ] + [
        om.Notification(  # an IaC resource that could not be seen whole: never a silent clean run
            message=om.Message(text=_sentence(f"Not judged: {n.name} ({n.origin}): {n.reason}")),
            level="warning",
            descriptor=om.ReportingDescriptorReference(id="ptclint/not-judged"),
        )
        for n in result.not_judged
    ]
    invocation = om.Invocation(
        execution_successful=not result.problems and not result.partial,
        tool_execution_notifications=notifications or None,
    )
    run = om.Run(
        tool=om.Tool(
            driver=om.ToolComponent(
                name="ptclint",
                full_name=f"ptclint {__version__}",
                version=__version__,
                semantic_version=__version__,
                information_uri=INFORMATION_URI,
                rules=[_rule_descriptor(r) for r in rules],
            )
        ),
        automation_details=om.RunAutomationDetails(id=category),
        original_uri_base_ids={SRCROOT: om.ArtifactLocation(uri=Path(result.root or os.getcwd()).as_uri() + "/")},
        invocations=[invocation],
        results=[_result(f, index[f.rule_id]) for f in findings],
        column_kind="unicodeCodePoints",
    )
    return om.SarifLog(version="2.1.0", schema_uri=SCHEMA_URI, runs=[run])


def _to_json(obj: Any) -> Any:
    if attr.has(type(obj)):
        out = {}
        for f in attr.fields(type(obj)):
            value = getattr(obj, f.name)
            # sarif-om's defaults (kind "fail", rank -1, ...) add noise; level is kept so that a
            # warning rule still says so (GitHub shows defaultConfiguration.level).
            if value is None or (value == f.default and f.name not in ("version", "level")):
                continue
            out[f.metadata.get("schema_property_name", f.name)] = _to_json(value)
        return out
    if isinstance(obj, dict):
        return {k: _to_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_to_json(v) for v in obj]
    return obj


def render(result: Report) -> str:
    return json.dumps(_to_json(build(result)), indent=2, ensure_ascii=False) + "\n"
