"""`ptclint merge` and `ptclint report`: join the outputs of sharded runs, draw the audit page."""

from __future__ import annotations

from enum import Enum

import typer

from ptclint.cli_app import fail, write


def merge(
    files: list[str] = typer.Argument(..., metavar="FILE", help="Snapshots, JSON reports or SARIF logs of the "
                                      "shards of one run (all of one kind)."),
    output: str | None = typer.Option(None, "--output", "-o", metavar="FILE",
                                      help="Write the merged document to FILE (atomically; default stdout)."),
    accounts_file: str | None = typer.Option(None, "--accounts-file", metavar="FILE", help="Snapshots: keep only "
                                             "these accounts (one id a line), e.g. one SARIF category's."),
) -> None:
    """Join the outputs of `--shard I/N` runs into one document (de-duplicated, in a fixed order).

    Merged snapshots link cross-account upstreams again, so scanning the merged snapshot judges
    pairs whose accounts fell in different shards: it gives what one unsharded run gives."""
    from ptclint.errors import PtclintError
    from ptclint.loaders.aws.shard import file_accounts
    from ptclint.merging import merge_files

    try:
        which, text = merge_files(list(files), file_accounts(accounts_file) if accounts_file else None)
    except PtclintError as exc:
        fail(str(exc))
        return
    write(text, output)
    typer.echo(f"ptclint: merged {len(set(files))} {which} file{'s' if len(set(files)) != 1 else ''}", err=True)


class ReportFormat(str, Enum):
    html = "html"
    markdown = "markdown"


def report(
    json_report: str = typer.Argument(..., metavar="REPORT.json", help="A JSON report (`scan --format json`, or "
                                      "`merge` of several)."),
    compare: list[str] | None = typer.Option(None, "--compare", metavar="PREVIOUS.json", help="An earlier JSON "
                                             "report: adds the trend (new, fixed, unchanged findings since the "
                                             "latest; a chart of counts per run when several). Repeatable."),
    format: ReportFormat = typer.Option(ReportFormat.html, "--format", "-f", help="html: one self-contained page; "
                                        "markdown: its summary, for chat and tickets."),
    output: str | None = typer.Option(None, "--output", "-o", metavar="FILE",
                                      help="Write to FILE (atomically; default stdout)."),
    title: str = typer.Option("ptclint audit", "--title", help="The page's title."),
    rules: list[str] | None = typer.Option(None, "--rules", metavar="DIR", help="Directory of extra rule files "
                                           "(their documentation is shown)."),
) -> None:
    """Draw an audit report (HTML page or Markdown summary) from a JSON report."""
    from ptclint.errors import PtclintError
    from ptclint.reporting import audit_report

    try:
        text = audit_report(json_report, list(compare or []), format.value, title, list(rules or []))
    except PtclintError as exc:
        fail(str(exc))
        return
    write(text, output)
