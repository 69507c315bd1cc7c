"""The Typer application and what every command shares: the metavar-only help, `--version`, and
(from `frontend`, which the typer-free hook path uses too) failing with one line and writing a
report atomically. Commands live in cli.py, cli_audit.py, cli_rules.py."""

from __future__ import annotations

from typing import Any

import typer

from ptclint.about import EXIT_CODES
from ptclint.frontend import fail as fail  # the commands' one-line failure and atomic write, typer-free
from ptclint.frontend import write as write


class Group(typer.core.TyperGroup):
    """Arguments show their metavar alone; typer would add the Python type ("PATH <list[str]>")."""

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        for param in getattr(command, "params", ()):
            if isinstance(param, typer.core.TyperArgument):
                param.display_type_rich = _no_type  # type: ignore[method-assign]
        return command


def _no_type(ctx: Any) -> None:
    return None


app = typer.Typer(
    cls=Group,
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Lint Amazon ECR pull through cache rules and repository creation templates.",
    epilog=EXIT_CODES,
    rich_markup_mode=None,  # rich markup ate "[default: warning]" and "[tool.ptclint]" in help texts
)


def _version(value: bool) -> None:
    if value:
        from ptclint.about import version_text

        typer.echo(version_text())
        raise typer.Exit(0)


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version, the catalog version and rule count, and exit."),
) -> None:
    """ptclint: a policy linter for Amazon ECR pull through cache configuration.

    Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it; 2 usage, config,
    catalog or input error; 3 partial (a lookup could not be covered or a rule failed to evaluate).
    """
