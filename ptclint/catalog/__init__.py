"""The rule catalog: `load` walks rules/, validates each file against its schema and compiles its CEL
once; `cache` keeps the compiled catalog on disk keyed by the content of every rule file and the
schema, so a pre-commit run neither re-parses YAML nor re-compiles CEL; `select` applies
--select / --ignore and --param.
"""

from __future__ import annotations

from ptclint.catalog.load import load_catalog, rule_files
from ptclint.catalog.select import resolve_params, select_rules
from ptclint.rule import Catalog, Param, Rule

__all__ = ["Catalog", "Param", "Rule", "load_catalog", "resolve_params", "rule_files", "select_rules"]
