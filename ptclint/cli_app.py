"""The Typer application and what every command shares: the metavar-only help, `--version`, failing
with one line, and writing a report atomically. Commands live in cli.py, cli_audit.py, cli_rules.py."""

from __future__ import annotations

import os
import stat
import sys
from typing import Any

import typer

from ptclint.about import EXIT_CODES


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


def fail(message: str, code: int = 2) -> None:
    typer.echo(f"ptclint: error: {message}", err=True)
    raise typer.Exit(code)


def write(text: str, output: str | None) -> None:
    if not output:
        sys.stdout.write(text)
        return
    try:
        mode = os.stat(output).st_mode
    except OSError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        _write_in_place(text, output, mode)  # a device or pipe (/dev/null, /dev/fd/3) is never replaced
        return
    # Write beside the target and rename, so CI never uploads a half-written file.
    directory = os.path.dirname(os.path.abspath(output))
    tmp = os.path.join(directory, f".{os.path.basename(output)}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, output)
    except OSError as exc:
        fail(f"--output {output}: {exc.strerror or exc}")
    finally:  # any failure (Ctrl-C included) leaves neither a partial report nor a temporary file
        if os.path.exists(tmp):
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _write_in_place(text: str, output: str, mode: int) -> None:
    if stat.S_ISDIR(mode):
        fail(f"--output {output}: is a directory")
    try:
        with open(output, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    except OSError as exc:
        fail(f"--output {output}: {exc.strerror or exc}")
