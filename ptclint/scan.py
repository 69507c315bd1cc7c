"""Wire it together: files -> loaders -> registries -> catalog -> engine -> report."""

from __future__ import annotations

from datetime import datetime, timezone

from ptclint import suppress
from ptclint.catalog import Catalog, load_catalog, resolve_params, select_rules
from ptclint.config import ScanOptions
from ptclint.engine import evaluate
from ptclint.loaders.inputs import load_inputs
from ptclint.report import Report


def run(options: ScanOptions, catalog: Catalog | None = None) -> Report:
    """Raises CatalogError / ConfigError before judging anything; input problems are collected."""
    started = options.now or datetime.now(timezone.utc)
    if catalog is None:
        catalog = load_catalog(options.rules_dirs)
    rules = select_rules(catalog, options.select, options.extend_select, options.ignore,
                         options.selector_sources(), options.policy)
    params = resolve_params(rules, options.params, catalog)
    plan = suppress.prepare(options, catalog, rules)  # a bad suppression entry or baseline stops here
    registries, problems, files = load_inputs(options)
    cel_steps = options.budgets.cel_steps if options.budgets else None  # None: the default budgets
    outcomes, skips = evaluate(rules, registries, params, started, options.policy, cel_steps)
    return suppress.apply(Report(rules, outcomes, skips, problems, registries, files, options.fail_on,
                                 options.allow_partial, started), plan)
