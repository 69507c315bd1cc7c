"""Command line: flags -> config.options() -> scan.run() -> REPORTERS[format] -> exit code. Typer only."""

from __future__ import annotations

import sys
from enum import Enum
from typing import TYPE_CHECKING, Any

import typer

from ptclint import cli_audit, cli_rules, frontend
from ptclint.cli_app import app
from ptclint.frontend import TableView, guarded
from ptclint.frontend import fail as _fail
from ptclint.frontend import write as _write
from ptclint.reporters import REPORTERS

if TYPE_CHECKING:
    pass


# --format choices: one per REPORTERS entry, in its order
Format = Enum("Format", [(name, name) for name in REPORTERS], type=str)  # type: ignore[misc]


class FailOn(str, Enum):
    error = "error"
    warning = "warning"
    note = "note"
    never = "never"


class Color(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


class TableMode(str, Enum):
    full = "full"
    concise = "concise"




# Collection flags, shared by `export` and `scan --live`.
PROFILE = typer.Option(None, "--profile", metavar="NAME",
                       help="Live: AWS profile (default: the standard credential chain).")
ALL_REGIONS = typer.Option(False, "--all-regions", help="Live: every enabled Region of each account where ECR offers"
                                                        " pull through cache.")
ORG = typer.Option(False, "--org", help="Live: every active account of the AWS Organization (run from the management"
                                        " or a delegated administrator account).")
ACCOUNTS_FILE = typer.Option(None, "--accounts-file", metavar="FILE",
                             help="Live: FILE of account ids to collect, one a line (# comments).")
ROLE_NAME = typer.Option(None, "--role-name", metavar="NAME", help="Live: role to assume in each account"
                                                   " (arn:<partition>:iam::<account>:role/NAME).")
ROLE_ARN_TEMPLATE = typer.Option(None, "--role-arn-template", metavar="TEMPLATE",
                                 help="Live: ARN of the role to assume, with {account} and {partition}.")
EXTERNAL_ID = typer.Option(None, "--external-id", metavar="ID", help="Live: external id for the role to assume.")
CONCURRENCY = typer.Option(8, "--concurrency", metavar="N", help="Live: accounts and Regions collected at once.")
SHARD = typer.Option(None, "--shard", metavar="I/N", help="Live: collect only shard I of N of the accounts (by a hash "
                     "of the account id; N CI jobs cover them once); join the outputs with `ptclint merge`.")


def _live_flags(profile: str | None, region: list[str] | None, all_regions: bool, org: bool, account: list[str] | None,
                accounts_file: str | None, role_name: str | None, role_arn_template: str | None,
                external_id: str | None, concurrency: int, shard: str | None = None) -> Any:
    from ptclint.errors import ConfigError
    from ptclint.loaders.aws import CollectOptions
    from ptclint.loaders.aws import shard as shards

    try:
        parts = shards.parse(shard)
    except ConfigError as exc:
        _fail(str(exc))
        raise  # unreachable: _fail exits
    return CollectOptions(profile=profile, regions=tuple(dict.fromkeys(region or ())), all_regions=all_regions,
                          org=org, accounts=tuple(account or ()), accounts_file=accounts_file, role_name=role_name,
                          role_arn_template=role_arn_template, external_id=external_id, concurrency=concurrency,
                          progress=sys.stderr.isatty(), shard=parts)


def _one(values: list[str] | None, flag: str) -> str:
    """Offline, --account and --region give one context value."""
    if values and len(set(values)) > 1:
        _fail(f"{flag}: give one value for offline inputs (several are for live collection: --live)")
    return values[0] if values else ""


PATHS_OPTION = typer.Argument(None, metavar="PATH", help="Files or directories: ptclint snapshots, AWS CLI JSON "
                              "output, CloudFormation, Terraform; `-` reads one document from stdin.")
FAIL_ON_OPTION = typer.Option(None, "--fail-on",
                              help="Lowest severity that makes the exit code 1 [default: warning].")
SELECT_OPTION = typer.Option(None, "--select", metavar="SEL", help="Run only these rules (id, category such as "
                             "PTC-AUTH, name or tag). Repeatable.")
EXTEND_SELECT_OPTION = typer.Option(None, "--extend-select", metavar="SEL", help="Add rules to the default set "
                                    "(opt-in rules by exact id). Repeatable.")
ACCOUNT_OPTION = typer.Option(None, "--account", metavar="ID", help="Account id for inputs that do not name one "
                              "(AWS CLI output). Live: an account to collect (repeatable).")
REGION_OPTION = typer.Option(None, "--region", metavar="REGION", help="Region for inputs that do not name one (AWS CLI "
                             "output). Live: a Region to collect (repeatable).")
RULES_OPTION = typer.Option(None, "--rules", metavar="DIR",
                            help="Directory of extra rule files, validated like the shipped ones.")
ALLOW_PARTIAL_OPTION = typer.Option(False, "--allow-partial",
                                    help="Do not exit 3 for coverage gaps or rule evaluation errors.")
MAX_FILE_SIZE_OPTION = typer.Option(None, "--max-file-size", metavar="BYTES",
                                    help="Refuse input files larger than this many bytes (default 10 MiB).")
CFN_PARAMETER_OPTION = typer.Option(None, "--cfn-parameter", metavar="KEY=VALUE", help="Set a CloudFormation template "
                                    "parameter, overriding its Default: KEY=VALUE. Repeatable.")
VAR_OPTION = typer.Option(None, "--var", metavar="KEY=VALUE", help="Set a Terraform root module variable: KEY=VALUE. "
                          "Repeatable.")
VAR_FILE_OPTION = typer.Option(None, "--var-file", metavar="FILE", help="Read Terraform variables from a .tfvars or "
                               ".tfvars.json FILE. Repeatable.")
TF_ROOT_OPTION = typer.Option(None, "--tf-root", metavar="DIR",
                              help="Directory of the .tf files behind a Terraform plan "
                              "JSON (default: the plan's directory), so plan findings point at .tf lines.")
CONFIG_OPTION = typer.Option(None, "--config", metavar="FILE", help="Configuration file (default: .ptclint.toml or "
                             "[tool.ptclint] in pyproject.toml, looked up from the working directory).")
HOOK_OPTION = typer.Option(False, "--hook", help="pre-commit mode: named files that hold nothing PTC-related are "
                           "skipped; each file is judged with its whole unit.")
SNAPSHOT_OPTION = typer.Option(None, "--snapshot", metavar="FILE",
                               help="Live: also write the collected snapshot to FILE "
                               "(with --format sarif: default ptclint-snapshot.json; results point at its "
                               "lines).")
ROOT_OPTION = typer.Option(None, "--root", metavar="DIR", help="Directory that report paths are relative to (default: "
                           "the git top-level of the scanned files, else the working directory).")
OUTPUT_FORMAT_OPTION = typer.Option(TableMode.full, "--output-format", help="Table layout: full (grouped "
                                    "by file, with the source line) or concise (file:line:col: ID message).")
SHOW_UNJUDGED_OPTION = typer.Option(False, "--show-unjudged", help="Table: list every check that could not "
                                    "be judged and every coverage gap, not the first few.")

BASELINE_OPTION = typer.Option(None, "--baseline", metavar="FILE", help="Report only findings not in FILE (written "
                               "by `ptclint baseline`); say how many it accepted and which of its entries are gone.")
INCLUDE_SUPPRESSED_OPTION = typer.Option(False, "--include-suppressed", help="SARIF: also report suppressed and "
                                         "baselined findings, as results with `suppressions` (GitHub opens alerts "
                                         "for them all the same).")




@app.command()
def scan(
    paths: list[str] | None = PATHS_OPTION,
    format: Format = typer.Option(Format("table"), "--format", "-f", help="Output format."),
    output: str | None = typer.Option(None, "--output", "-o", metavar="FILE",
                                      help="Write the report to FILE (atomically)."),
    fail_on: FailOn | None = FAIL_ON_OPTION,
    select: list[str] | None = SELECT_OPTION,
    extend_select: list[str] | None = EXTEND_SELECT_OPTION,
    ignore: list[str] | None = typer.Option(None, "--ignore", metavar="SEL",
                                            help="Do not run these rules. Repeatable."),
    param: list[str] | None = typer.Option(None, "--param", metavar="RULE.NAME=VALUE",
                                           help="Set a rule parameter: RULE.NAME=VALUE. Repeatable."),
    account: list[str] | None = ACCOUNT_OPTION,
    region: list[str] | None = REGION_OPTION,
    rules: list[str] | None = RULES_OPTION,
    allow_partial: bool = ALLOW_PARTIAL_OPTION,
    max_file_size: int | None = MAX_FILE_SIZE_OPTION,
    cfn_parameter: list[str] | None = CFN_PARAMETER_OPTION,
    var: list[str] | None = VAR_OPTION,
    var_file: list[str] | None = VAR_FILE_OPTION,
    tf_root: str | None = TF_ROOT_OPTION,
    config: str | None = CONFIG_OPTION,
    hook: bool = HOOK_OPTION,
    live: bool = typer.Option(False, "--live", help="Collect from AWS (read-only) and scan that; see the Live flags."),
    snapshot: str | None = SNAPSHOT_OPTION,
    profile: str | None = PROFILE,
    all_regions: bool = ALL_REGIONS,
    org: bool = ORG,
    accounts_file: str | None = ACCOUNTS_FILE,
    role_name: str | None = ROLE_NAME,
    role_arn_template: str | None = ROLE_ARN_TEMPLATE,
    external_id: str | None = EXTERNAL_ID,
    concurrency: int = CONCURRENCY,
    shard: str | None = SHARD,
    root: str | None = ROOT_OPTION,
    color: Color = typer.Option(Color.auto, "--color", help="Colour the table: auto (a terminal without NO_COLOR)."),
    output_format: TableMode = OUTPUT_FORMAT_OPTION,
    statistics: bool = typer.Option(False, "--statistics", help="Table: count findings per rule instead."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print findings and errors only, no summary."),
    show_unjudged: bool = SHOW_UNJUDGED_OPTION,
    baseline: str | None = BASELINE_OPTION,
    include_suppressed: bool = INCLUDE_SUPPRESSED_OPTION,
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
        baseline=baseline or "", include_suppressed=include_suppressed,
    )
    live_flags = _live_flags(profile, region, all_regions, org, account, accounts_file, role_name, role_arn_template,
                             external_id, concurrency, shard) if live else None
    snapshot = _snapshot_path(live, snapshot, format.value, shard)
    view = TableView(color.value, output_format.value, statistics, quiet, show_unjudged)
    raise typer.Exit(frontend.scan(flags, live_flags, snapshot, root, format.value, output, view))


def _snapshot_path(live: bool, snapshot: str | None, fmt: str, shard: str | None) -> str | None:
    """Where a live scan writes its snapshot; live-only flags are refused offline."""
    if not live and (snapshot or shard):
        _fail(f"{'--snapshot' if snapshot else '--shard'}: only with --live")
    if live and not snapshot and fmt == "sarif":
        return "ptclint-snapshot.json"  # GitHub rejects results without a file: they point at its lines
    return snapshot





@app.command("baseline")
def write_baseline(
    paths: list[str] = typer.Argument(..., metavar="PATH", help="What `ptclint scan` will judge: files or "
                                      "directories."),
    output: str = typer.Option(..., "--output", "-o", metavar="FILE", help="Write the baseline to FILE."),
    select: list[str] | None = SELECT_OPTION,
    extend_select: list[str] | None = EXTEND_SELECT_OPTION,
    ignore: list[str] | None = typer.Option(None, "--ignore", metavar="SEL", help="Do not run these rules."),
    param: list[str] | None = typer.Option(None, "--param", metavar="RULE.NAME=VALUE", help="Set a rule parameter."),
    account: list[str] | None = ACCOUNT_OPTION,
    region: list[str] | None = REGION_OPTION,
    rules: list[str] | None = RULES_OPTION,
    cfn_parameter: list[str] | None = CFN_PARAMETER_OPTION,
    var: list[str] | None = VAR_OPTION,
    var_file: list[str] | None = VAR_FILE_OPTION,
    tf_root: str | None = TF_ROOT_OPTION,
    config: str | None = CONFIG_OPTION,
) -> None:
    """Write the current findings to a baseline FILE; `scan --baseline FILE` then reports only new ones.

    Entries are keyed by rule, resource identity and file, never by line: moving or reformatting a
    resource keeps its entry. Findings suppressed with a reason are not written."""
    from ptclint import config as project_config
    from ptclint.suppress.baseline import render

    flags = project_config.Flags(
        paths=list(paths), account=_one(account, "--account"), region=_one(region, "--region"),
        select=list(select) if select else None, extend_select=list(extend_select or []), ignore=list(ignore or []),
        params=list(param or []), rules_dirs=list(rules or []), cfn_parameters=list(cfn_parameter or []),
        tf_vars=list(var or []), tf_var_files=list(var_file or []), tf_root=tf_root or "", config=config,
    )
    result = frontend.run(flags)
    frontend.print_errors(result, False)
    _write(render(result, output), output)
    n = len(result.findings)
    typer.echo(f"ptclint: wrote {output} ({n} finding{'s' if n != 1 else ''})", err=True)
    raise typer.Exit(2 if result.problems else 0)


@app.command("config")
def show_config(
    config: str | None = typer.Option(None, "--config", metavar="FILE",
                                      help="Configuration file (default: the one a scan here "
                                      "would use)."),
) -> None:
    """Show the configuration file a scan here uses and the settings it merges to."""
    from ptclint.errors import PtclintError
    from ptclint.showconfig import describe

    try:
        typer.echo("\n".join(describe(config)))
    except PtclintError as exc:
        _fail(str(exc))



@app.command()
def export(
    output: str = typer.Option(..., "--output", "-o", metavar="FILE", help="Write the snapshot to FILE (atomically)."),
    profile: str | None = PROFILE,
    region: list[str] | None = typer.Option(None, "--region", metavar="REGION",
                                            help="A Region to collect (repeatable; default: the"
                                                 " session's Region)."),
    all_regions: bool = ALL_REGIONS,
    org: bool = ORG,
    account: list[str] | None = typer.Option(None, "--account", metavar="ID",
                                             help="An account to collect (repeatable; default: the"
                                                  " caller's)."),
    accounts_file: str | None = ACCOUNTS_FILE,
    role_name: str | None = ROLE_NAME,
    role_arn_template: str | None = ROLE_ARN_TEMPLATE,
    external_id: str | None = EXTERNAL_ID,
    concurrency: int = CONCURRENCY,
    shard: str | None = SHARD,
    select: list[str] | None = typer.Option(None, "--select", metavar="SEL",
                                            help="The rules the snapshot serves (opt-in rules' "
                                            "data, such as PTC-AUTH-008's, is collected only when selected by id)."),
    extend_select: list[str] | None = typer.Option(None, "--extend-select", metavar="SEL",
                                                   help="Add rules to the default set "
                                                   "(opt-in rules by exact id). Repeatable."),
    param: list[str] | None = typer.Option(None, "--param", metavar="RULE.NAME=VALUE",
                                           help="Rule parameters the collection needs"
                                                " (PTC-IAM-011.pullers=ARN,...)."),
    config: str | None = typer.Option(None, "--config", metavar="FILE",
                                      help="Configuration file (its select, extend-select and params"
                                           " apply)."),
) -> None:
    """Collect the PTC configuration of AWS accounts (read-only) into a snapshot that `ptclint scan` reads."""
    from ptclint import config as project_config
    from ptclint.errors import PtclintError

    flags = project_config.Flags(paths=[], select=list(select) if select else None,
                                 extend_select=list(extend_select or []), params=list(param or []), config=config)
    live_flags = _live_flags(profile, region, all_regions, org, account, accounts_file, role_name, role_arn_template,
                             external_id, concurrency, shard)
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




# the other commands, in the order `ptclint --help` lists them
app.command()(cli_audit.merge)
app.command()(cli_audit.report)
app.add_typer(cli_rules.rules_app, name="rules")
app.command()(cli_rules.explain)


def run_main() -> None:
    """Entry point through typer for every command (the installed one, `entry.main`, runs a plain
    `scan` without typer first)."""
    guarded(app)


if __name__ == "__main__":  # pragma: no cover
    run_main()
