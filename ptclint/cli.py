"""Command line: flags -> config.options() -> scan.run() -> REPORTERS[format] -> exit code. Typer only."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Any

import typer

from ptclint.about import EXIT_CODES
from ptclint.frontend import TableView, guarded
from ptclint.frontend import write as _write
from ptclint.reporters import REPORTERS

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Lint Amazon ECR pull through cache rules and repository creation templates.",
    epilog=EXIT_CODES,
    rich_markup_mode=None,  # rich markup ate "[default: warning]" and "[tool.ptclint]" in help texts
)


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


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"ptclint: error: {message}", err=True)
    raise typer.Exit(code)


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


def _live_flags(profile: str | None, region: list[str] | None, all_regions: bool, org: bool, account: list[str] | None,
                accounts_file: str | None, role_name: str | None, role_arn_template: str | None,
                external_id: str | None, concurrency: int) -> Any:
    from ptclint.loaders.aws import CollectOptions

    return CollectOptions(profile=profile, regions=tuple(dict.fromkeys(region or ())), all_regions=all_regions,
                          org=org, accounts=tuple(account or ()), accounts_file=accounts_file, role_name=role_name,
                          role_arn_template=role_arn_template, external_id=external_id, concurrency=concurrency,
                          progress=sys.stderr.isatty())


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
    root: str | None = ROOT_OPTION,
    color: Color = typer.Option(Color.auto, "--color", help="Colour the table: auto (a terminal without NO_COLOR)."),
    output_format: TableMode = OUTPUT_FORMAT_OPTION,
    statistics: bool = typer.Option(False, "--statistics", help="Table: count findings per rule instead."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print findings and errors only, no summary."),
    show_unjudged: bool = SHOW_UNJUDGED_OPTION,
) -> None:
    """Judge the configuration in PATHS (or, with --live, in AWS accounts) against the rule catalog."""
    from ptclint import config as project_config
    from ptclint import frontend

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
    view = TableView(color.value, output_format.value, statistics, quiet, show_unjudged)
    raise typer.Exit(frontend.scan(flags, live_flags, snapshot, root, format.value, output, view))


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
    rules: list[str] | None = typer.Option(None, "--rules", metavar="DIR", help="Directory of extra rule files."),
) -> None:
    """List every rule: id, name, severity, pack, title, tags.

    Opt-in rules are marked. Each id, name, pack (core, iac-correlation, live-secrets, live-iam) and
    tag is a --select selector."""
    from ptclint.catalog import load_catalog
    from ptclint.errors import PtclintError

    try:
        catalog = load_catalog(rules or [])
    except PtclintError as exc:
        _fail(str(exc))
        return
    from ptclint.catalog.select import pack_of

    width = max(len(r.name) for r in catalog.rules)
    for r in catalog.rules:
        flag = " (opt-in)" if r.opt_in else ""
        typer.echo(f"{r.id:<13} {r.name:<{width}}  {r.severity.value:<7}  {pack_of(r) or '-':<15}  {r.title}{flag}"
                   f"  [{', '.join(r.tags)}]")


@app.command()
def explain(
    rule_id: str = typer.Argument(..., help="Rule id (PTC-AUTH-001) or name."),
    rules: list[str] | None = typer.Option(None, "--rules", metavar="DIR", help="Directory of extra rule files."),
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
    """Entry point through typer for every command (the installed one, `entry.main`, runs a plain
    `scan` without typer first)."""
    guarded(app)


if __name__ == "__main__":  # pragma: no cover
    run_main()
