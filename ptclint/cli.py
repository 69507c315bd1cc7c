"""Command line: flags -> config.options() -> scan.run() -> REPORTERS[format] -> exit code. Typer only."""

from __future__ import annotations

import os
import stat
import sys
from enum import Enum

import typer

from ptclint import __version__
from ptclint.reporters import REPORTERS

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Lint Amazon ECR pull through cache rules and repository creation templates.",
)


# --format choices: one per REPORTERS entry, in its order
Format = Enum("Format", [(name, name) for name in REPORTERS], type=str)  # type: ignore[misc]


class FailOn(str, Enum):
    error = "error"
    warning = "warning"
    note = "note"
    never = "never"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ptclint {__version__}")
        raise typer.Exit(0)


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """ptclint: a policy linter for Amazon ECR pull through cache configuration.

    Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it; 2 usage, config,
    catalog or input error; 3 partial (a lookup could not be covered or a rule failed to evaluate).
    """


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"ptclint: error: {message}", err=True)
    raise typer.Exit(code)


def _write(text: str, output: str | None) -> None:
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
        _fail(f"--output {output}: {exc.strerror or exc}")
    finally:  # any failure (Ctrl-C included) leaves neither a partial report nor a temporary file
        if os.path.exists(tmp):
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _write_in_place(text: str, output: str, mode: int) -> None:
    if stat.S_ISDIR(mode):
        _fail(f"--output {output}: is a directory")
    try:
        with open(output, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    except OSError as exc:
        _fail(f"--output {output}: {exc.strerror or exc}")


@app.command()
def scan(
    paths: list[str] = typer.Argument(..., help="Files or directories: ptclint snapshots, AWS CLI JSON output."),
    format: Format = typer.Option(Format("table"), "--format", "-f", help="Output format."),
    output: str | None = typer.Option(None, "--output", "-o", help="Write the report to FILE (atomically)."),
    fail_on: FailOn | None = typer.Option(None, "--fail-on", help="Lowest severity that makes the exit code 1 [default: warning]."),
    select: list[str] | None = typer.Option(None, "--select", help="Run only these rules (id, category such as PTC-AUTH, name or tag). Repeatable."),
    extend_select: list[str] | None = typer.Option(None, "--extend-select", help="Add rules to the default set (opt-in rules by exact id). Repeatable."),
    ignore: list[str] | None = typer.Option(None, "--ignore", help="Do not run these rules. Repeatable."),
    param: list[str] | None = typer.Option(None, "--param", help="Set a rule parameter: RULE.NAME=VALUE. Repeatable."),
    account: str = typer.Option("", "--account", help="Account id for inputs that do not name one (AWS CLI output)."),
    region: str = typer.Option("", "--region", help="Region for inputs that do not name one (AWS CLI output)."),
    rules: list[str] | None = typer.Option(None, "--rules", help="Directory of extra rule files, validated like the shipped ones."),
    allow_partial: bool = typer.Option(False, "--allow-partial", help="Do not exit 3 for coverage gaps or rule evaluation errors."),
    max_file_size: int | None = typer.Option(None, "--max-file-size", help="Refuse input files larger than this many bytes (default 10 MiB)."),
    cfn_parameter: list[str] | None = typer.Option(None, "--cfn-parameter", help="Set a CloudFormation template parameter, overriding its Default: KEY=VALUE. Repeatable."),
    var: list[str] | None = typer.Option(None, "--var", help="Set a Terraform root module variable: KEY=VALUE. Repeatable."),
    var_file: list[str] | None = typer.Option(None, "--var-file", help="Read Terraform variables from a .tfvars or .tfvars.json FILE. Repeatable."),
    tf_root: str | None = typer.Option(None, "--tf-root", help="Directory of the .tf files behind a Terraform plan JSON (default: the plan's directory), so plan findings point at .tf lines."),
    config: str | None = typer.Option(None, "--config", help="Configuration file (default: .ptclint.toml or [tool.ptclint] in pyproject.toml, looked up from the working directory)."),
    hook: bool = typer.Option(False, "--hook", help="pre-commit mode: named files that hold nothing PTC-related are skipped; each file is judged with its whole unit."),
) -> None:
    """Judge the configuration in PATHS against the rule catalog."""
    from ptclint import config as project_config
    from ptclint.errors import PtclintError
    from ptclint.reporters.table import summary
    from ptclint.scan import run

    flags = project_config.Flags(
        paths=list(paths),
        account=account,
        region=region,
        fail_on=fail_on.value if fail_on else None,
        select=list(select) if select else None,
        extend_select=list(extend_select or []),
        ignore=list(ignore or []),
        params=list(param or []),
        rules_dirs=list(rules or []),
        allow_partial=allow_partial,
        max_file_bytes=max_file_size,
        cfn_parameters=list(cfn_parameter or []),
        tf_vars=list(var or []),
        tf_var_files=list(var_file or []),
        tf_root=tf_root or "",
        hook=hook,
        config=config,
    )
    try:
        options = project_config.options(flags)
    except PtclintError as exc:
        _fail(str(exc))
        return
    try:
        result = run(options)
    except PtclintError as exc:
        _fail(str(exc))
        return
    except KeyboardInterrupt:  # typer would turn it into a silent exit 130
        typer.echo("ptclint: interrupted", err=True)
        raise typer.Exit(130) from None
    for problem in result.problems:
        typer.echo(f"ptclint: error: {problem}", err=True)
    _write(REPORTERS[format.value].render(result), output)
    typer.echo(summary(result), err=True)
    raise typer.Exit(result.exit_code())


@app.command("rules")
def list_rules(
    rules: list[str] | None = typer.Option(None, "--rules", help="Directory of extra rule files."),
) -> None:
    """List every rule: id, name, severity, title (opt-in rules are marked)."""
    from ptclint.catalog import load_catalog
    from ptclint.errors import PtclintError

    try:
        catalog = load_catalog(rules or [])
    except PtclintError as exc:
        _fail(str(exc))
        return
    width = max(len(r.name) for r in catalog.rules)
    for r in catalog.rules:
        flag = " (opt-in)" if r.opt_in else ""
        typer.echo(f"{r.id:<13} {r.name:<{width}}  {r.severity.value:<7}  {r.title}{flag}")


@app.command()
def explain(
    rule_id: str = typer.Argument(..., help="Rule id (PTC-AUTH-001) or name."),
    rules: list[str] | None = typer.Option(None, "--rules", help="Directory of extra rule files."),
) -> None:
    """Print a rule's documentation."""
    from ptclint.catalog import load_catalog
    from ptclint.docs import rule_markdown
    from ptclint.errors import PtclintError

    try:
        catalog = load_catalog(rules or [])
    except PtclintError as exc:
        _fail(str(exc))
        return
    rule = catalog.get(rule_id) or next((r for r in catalog.rules if r.name == rule_id.lower()), None)
    if rule is None:
        _fail(f"no rule {rule_id!r} (see `ptclint rules`)")
        return
    typer.echo(rule_markdown(rule))


def run_main() -> None:
    """Entry point: user errors are one line; an internal error is one line too unless PTCLINT_DEBUG is set."""
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("ptclint: interrupted\n")
        sys.exit(130)
    except Exception as exc:  # a bug in ptclint: say so briefly, keep the traceback for debugging
        if os.environ.get("PTCLINT_DEBUG"):
            raise
        sys.stderr.write(f"ptclint: internal error: {exc.__class__.__name__}: {exc} (set PTCLINT_DEBUG=1 for details)\n")
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    run_main()
