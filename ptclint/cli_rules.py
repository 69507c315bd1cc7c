"""`ptclint rules` (list, `test DIR`) and `ptclint explain`: the catalog and a team's rules."""

from __future__ import annotations

import typer

from ptclint.cli_app import Group, fail

rules_app = typer.Typer(cls=Group, help="List the rules, or test a team's rules against their case files.",
                        rich_markup_mode=None)


@rules_app.callback(invoke_without_command=True)
def list_rules(
    ctx: typer.Context,
    rules: list[str] | None = typer.Option(None, "--rules", metavar="DIR", help="Directory of extra rule files "
                                           "(besides the configuration's `rules`)."),
) -> None:
    """List every rule: id, name, severity, pack, title, tags.

    Opt-in rules are marked. Each id, name, pack (core, iac-correlation, live-secrets, live-iam,
    policy) and tag is a --select selector. `ptclint rules test DIR` runs a team's case files."""
    if ctx.invoked_subcommand:
        return
    from ptclint.docs import rule_list
    from ptclint.errors import PtclintError

    try:
        typer.echo("\n".join(rule_list(rules or [])))
    except PtclintError as exc:
        fail(str(exc))


@rules_app.command("test")
def test_rules(
    directories: list[str] = typer.Argument(..., metavar="DIR", help="Team rule directories: rule files, and their "
                                            "case files under DIR/tests/."),
) -> None:
    """Run the case files of team rules and report each case's pass or fail (exit 1 on a failure)."""
    from ptclint.errors import PtclintError
    from ptclint.ruletests import run_rule_tests

    try:
        lines, code = run_rule_tests(list(directories))
    except PtclintError as exc:
        fail(str(exc))
        return
    typer.echo("\n".join(lines))
    raise typer.Exit(code)


def explain(
    rule_id: str = typer.Argument(..., help="Rule id (PTC-AUTH-001) or name."),
    rules: list[str] | None = typer.Option(None, "--rules", metavar="DIR", help="Directory of extra rule files."),
) -> None:
    """Print a rule's documentation."""
    from ptclint.catalog import load_catalog
    from ptclint.config import rule_dirs
    from ptclint.docs import rule_markdown
    from ptclint.errors import PtclintError

    try:
        catalog = load_catalog(rule_dirs(rules or []))
    except PtclintError as exc:
        fail(str(exc))
        return
    rule = catalog.get(rule_id) or next((r for r in catalog.rules if r.name == rule_id.lower()), None)
    if rule is None:
        fail(f"no rule {rule_id!r} (see `ptclint rules`)")
        return
    typer.echo(rule_markdown(rule))
