"""Command line: flags -> config.options() -> scan.run() -> REPORTERS[format] -> exit code. Typer only."""

from __future__ import annotations

import os
import sys
from enum import Enum
from typing import Any

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
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
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


# Collection flags, shared by `export` and `scan --live`.
PROFILE = typer.Option(None, "--profile", help="Live: AWS profile (default: the standard credential chain).")
ALL_REGIONS = typer.Option(False, "--all-regions", help="Live: every enabled Region of each account where ECR offers"
                                                        " pull through cache.")
ORG = typer.Option(False, "--org", help="Live: every active account of the AWS Organization (run from the management"
                                        " or a delegated administrator account).")
ACCOUNTS_FILE = typer.Option(None, "--accounts-file", help="Live: FILE of account ids to collect, one a line (#"
                                                           " comments).")
ROLE_NAME = typer.Option(None, "--role-name", help="Live: role to assume in each account"
                                                   " (arn:<partition>:iam::<account>:role/NAME).")
ROLE_ARN_TEMPLATE = typer.Option(None, "--role-arn-template", help="Live: ARN of the role to assume, with {account}"
                                                                   " and {partition}.")
EXTERNAL_ID = typer.Option(None, "--external-id", help="Live: external id for the role to assume.")
CONCURRENCY = typer.Option(8, "--concurrency", help="Live: accounts and Regions collected at once.")


def _live_flags(profile: str | None, region: list[str] | None, all_regions: bool, org: bool, account: list[str] | None,
                accounts_file: str | None, role_name: str | None, role_arn_template: str | None,
                external_id: str | None, concurrency: int) -> Any:
    from ptclint.live import LiveFlags

    return LiveFlags(profile, tuple(region or ()), all_regions, org, tuple(account or ()), accounts_file, role_name,
                     role_arn_template, external_id, concurrency)


def _one(values: list[str] | None, flag: str) -> str:
    """Offline, --account and --region give one context value."""
    if values and len(set(values)) > 1:
        _fail(f"{flag}: give one value for offline inputs (several are for live collection: --live)")
    return values[0] if values else ""


@app.command()
def scan(
    paths: list[str] | None = typer.Argument(None, help="Files or directories: ptclint snapshots, AWS CLI JSON "
                                             "output, CloudFormation, Terraform; `-` reads one document from stdin."),
    format: Format = typer.Option(Format("table"), "--format", "-f", help="Output format."),
    output: str | None = typer.Option(None, "--output", "-o", help="Write the report to FILE (atomically)."),
    fail_on: FailOn | None = typer.Option(None, "--fail-on",
                                          help="Lowest severity that makes the exit code 1 [default: warning]."),
    select: list[str] | None = typer.Option(None, "--select", help="Run only these rules (id, category such as "
                                            "PTC-AUTH, name or tag). Repeatable."),
    extend_select: list[str] | None = typer.Option(None, "--extend-select", help="Add rules to the default set "
                                                   "(opt-in rules by exact id). Repeatable."),
    ignore: list[str] | None = typer.Option(None, "--ignore", help="Do not run these rules. Repeatable."),
    param: list[str] | None = typer.Option(None, "--param", help="Set a rule parameter: RULE.NAME=VALUE. Repeatable."),
    account: list[str] | None = typer.Option(None, "--account", help="Account id for inputs that do not name one "
                                             "(AWS CLI output). Live: an account to collect (repeatable)."),
    region: list[str] | None = typer.Option(None, "--region", help="Region for inputs that do not name one (AWS CLI "
                                            "output). Live: a Region to collect (repeatable)."),
    rules: list[str] | None = typer.Option(None, "--rules",
                                           help="Directory of extra rule files, validated like the shipped ones."),
    allow_partial: bool = typer.Option(False, "--allow-partial",
                                       help="Do not exit 3 for coverage gaps or rule evaluation errors."),
    max_file_size: int | None = typer.Option(None, "--max-file-size",
                                             help="Refuse input files larger than this many bytes (default 10 MiB)."),
    cfn_parameter: list[str] | None = typer.Option(None, "--cfn-parameter", help="Set a CloudFormation template "
                                                   "parameter, overriding its Default: KEY=VALUE. Repeatable."),
    var: list[str] | None = typer.Option(None, "--var", help="Set a Terraform root module variable: KEY=VALUE. "
                                         "Repeatable."),
    var_file: list[str] | None = typer.Option(None, "--var-file", help="Read Terraform variables from a .tfvars or "
                                              ".tfvars.json FILE. Repeatable."),
    tf_root: str | None = typer.Option(None, "--tf-root", help="Directory of the .tf files behind a Terraform plan "
                                       "JSON (default: the plan's directory), so plan findings point at .tf lines."),
    config: str | None = typer.Option(None, "--config", help="Configuration file (default: .ptclint.toml or "
                                      "[tool.ptclint] in pyproject.toml, looked up from the working directory)."),
    hook: bool = typer.Option(False, "--hook", help="pre-commit mode: named files that hold nothing PTC-related are "
                              "skipped; each file is judged with its whole unit."),
    live: bool = typer.Option(False, "--live", help="Collect from AWS (read-only) and scan that; see the Live flags."),
    snapshot: str | None = typer.Option(None, "--snapshot", help="Live: also write the collected snapshot to FILE "
                                        "(with --format sarif: default ptclint-snapshot.json; results point at its "
                                        "lines)."),
    profile: str | None = PROFILE,
    all_regions: bool = ALL_REGIONS,
    org: bool = ORG,
    accounts_file: str | None = ACCOUNTS_FILE,
    role_name: str | None = ROLE_NAME,
    role_arn_template: str | None = ROLE_ARN_TEMPLATE,
    external_id: str | None = EXTERNAL_ID,
    concurrency: int = CONCURRENCY,
) -> None:
    """Judge the configuration in PATHS (or, with --live, in AWS accounts) against the rule catalog."""
    from ptclint import config as project_config

    if not paths and not live:
        _fail("missing PATHS: files or directories to scan, `-` for stdin, or --live")
    flags = project_config.Flags(
        paths=list(paths or []),
        account="" if live else _one(account, "--account"),
        region="" if live else _one(region, "--region"),
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
    live_flags = _live_flags(profile, region, all_regions, org, account, accounts_file, role_name, role_arn_template,
                             external_id, concurrency) if live else None
    if not live and snapshot:
        _fail("--snapshot: only with --live")
    if live and not snapshot and format.value == "sarif":
        snapshot = "ptclint-snapshot.json"  # GitHub rejects results without a file: they point at its lines
    _scan(flags, format.value, output, live_flags, snapshot)


def _scan(flags: Any, fmt: str, output: str | None, live_flags: Any, snapshot: str | None) -> None:
    from ptclint import config as project_config
    from ptclint.errors import PtclintError
    from ptclint.reporters.table import summary
    from ptclint.scan import run

    try:
        options = project_config.options(flags)
        from ptclint.live import IN_MEMORY, collect, with_snapshot, with_stdin

        options = with_stdin(options)
        if live_flags is not None:
            text = collect(live_flags, options)
            if snapshot:
                _write(text, snapshot)
            options = with_snapshot(options, text, _shown(snapshot) if snapshot else IN_MEMORY)
        result = run(options)
    except PtclintError as exc:
        _fail(str(exc))
        return
    except KeyboardInterrupt:  # typer would turn it into a silent exit 130
        typer.echo("ptclint: interrupted", err=True)
        raise typer.Exit(130) from None
    for problem in result.problems:
        typer.echo(f"ptclint: error: {problem}", err=True)
    if live_flags is not None:
        for gap in result.gaps:
            typer.echo(f"ptclint: coverage gap: {gap}", err=True)
    _write(REPORTERS[fmt].render(result), output)
    typer.echo(summary(result), err=True)
    raise typer.Exit(result.exit_code())


def _shown(path: str) -> str:
    from ptclint.loaders import display_path

    return display_path(path)


@app.command()
def export(
    output: str = typer.Option(..., "--output", "-o", help="Write the snapshot to FILE (atomically)."),
    profile: str | None = PROFILE,
    region: list[str] | None = typer.Option(None, "--region", help="A Region to collect (repeatable; default: the"
                                                                   " session's Region)."),
    all_regions: bool = ALL_REGIONS,
    org: bool = ORG,
    account: list[str] | None = typer.Option(None, "--account", help="An account to collect (repeatable; default: the"
                                                                     " caller's)."),
    accounts_file: str | None = ACCOUNTS_FILE,
    role_name: str | None = ROLE_NAME,
    role_arn_template: str | None = ROLE_ARN_TEMPLATE,
    external_id: str | None = EXTERNAL_ID,
    concurrency: int = CONCURRENCY,
    select: list[str] | None = typer.Option(None, "--select", help="The rules the snapshot serves (opt-in rules' "
                                            "data, such as PTC-AUTH-008's, is collected only when selected by id)."),
    extend_select: list[str] | None = typer.Option(None, "--extend-select", help="Add rules to the default set "
                                                   "(opt-in rules by exact id). Repeatable."),
    param: list[str] | None = typer.Option(None, "--param", help="Rule parameters the collection needs"
                                                                 " (PTC-IAM-011.pullers=ARN,...)."),
    config: str | None = typer.Option(None, "--config", help="Configuration file (its select, extend-select and params"
                                                             " apply)."),
) -> None:
    """Collect the PTC configuration of AWS accounts (read-only) into a snapshot that `ptclint scan` reads."""
    from ptclint import config as project_config
    from ptclint.errors import PtclintError

    flags = project_config.Flags(paths=[], select=list(select) if select else None,
                                 extend_select=list(extend_select or []), params=list(param or []), config=config)
    live_flags = _live_flags(profile, region, all_regions, org, account, accounts_file, role_name, role_arn_template,
                             external_id, concurrency)
    try:
        from ptclint.live import collect

        text = collect(live_flags, project_config.options(flags))
    except PtclintError as exc:
        _fail(str(exc))
        return
    except KeyboardInterrupt:
        typer.echo("ptclint: interrupted", err=True)
        raise typer.Exit(130) from None
    _write(text, output)
    registries = text.count('"partition":')
    typer.echo(f"ptclint: wrote {output} ({registries} registr{'y' if registries == 1 else 'ies'})", err=True)


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
        sys.stderr.write(f"ptclint: internal error: {exc.__class__.__name__}: {exc} "
                         "(set PTCLINT_DEBUG=1 for details)\n")
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    run_main()
