"""Wire it together: files -> loaders -> registries -> catalog -> engine -> report."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ptclint.catalog import Catalog, Rule, load_catalog, resolve_params, select_rules
from ptclint.engine import Skip, evaluate
from ptclint.model import InputProblem, Outcome, OutcomeKind, Registry, Severity

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR, EXIT_PARTIAL = 0, 1, 2, 3


@dataclass
class ScanOptions:
    paths: list[str]
    account: str = ""
    region: str = ""
    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    params: list[str] = field(default_factory=list)
    rules_dirs: list[str] = field(default_factory=list)
    fail_on: str = "warning"
    allow_partial: bool = False
    max_file_bytes: int | None = None
    now: datetime | None = None
    cfn_parameters: dict[str, str] = field(default_factory=dict)
    tf_vars: list[str] = field(default_factory=list)  # --var KEY=VALUE (Terraform root module variables)
    tf_var_files: list[str] = field(default_factory=list)  # --var-file FILE
    tf_root: str = ""  # --tf-root DIR: the .tf files of a plan JSON
    hook: bool = False  # pre-commit: named files that hold nothing PTC-related are skipped, not errors
    config: Any = None  # ptclint.config.Config: maps paths to an account and Region

    def context_for(self, path: str) -> tuple[str, str]:
        """Account and Region of an input: --account/--region win, else the configuration's [[registry]] mapping."""
        account, region = self.config.context_for(path) if self.config else ("", "")
        return self.account or account, self.region or region

    def expanded_paths(self) -> list[str]:
        """In hook mode a changed file is judged with the rest of its configured registry, so rules
        about something missing do not fire just because the other files did not change."""
        paths = list(self.paths)
        if not (self.hook and self.config):
            return paths
        import glob

        for mapping in self.config.registries:
            if any(mapping.matches(p) for p in self.paths):
                for pattern in mapping.paths:
                    paths.extend(sorted(glob.glob(os.path.join(mapping.base, pattern), recursive=True)))
        return list(dict.fromkeys(paths))


@dataclass
class ScanResult:
    rules: list[Rule]
    outcomes: list[Outcome]
    skips: list[Skip]
    problems: list[InputProblem]
    registries: list[Registry]
    files: list[str]
    fail_on: str
    allow_partial: bool
    started: datetime

    @property
    def findings(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.kind is OutcomeKind.FINDING]

    def count(self, kind: OutcomeKind) -> int:
        return sum(1 for o in self.outcomes if o.kind is kind)

    @property
    def gaps(self) -> list[str]:
        return [f"{r.label()}: {g}" for r in self.registries for g in r.gaps]

    @property
    def partial(self) -> bool:
        return bool(self.gaps) or self.count(OutcomeKind.ERROR) > 0

    def exit_code(self) -> int:
        codes = [EXIT_OK]
        if self.fail_on != "never":
            threshold = Severity(self.fail_on)
            if any(o.severity and o.severity.rank >= threshold.rank for o in self.findings):
                codes.append(EXIT_FINDINGS)
        if self.problems:
            codes.append(EXIT_ERROR)
        if self.partial and not self.allow_partial:
            codes.append(EXIT_PARTIAL)
        return max(codes)


def run(options: ScanOptions, catalog: Catalog | None = None) -> ScanResult:
    """Raises CatalogError / ConfigError before judging anything; input problems are collected."""
    started = options.now or datetime.now(timezone.utc)
    if catalog is None:
        catalog = load_catalog(options.rules_dirs)
    rules = select_rules(catalog, options.select, options.extend_select, options.ignore)
    params = resolve_params(rules, options.params, catalog)
    from ptclint.loaders.inputs import load_inputs

    registries, problems, files = load_inputs(options)
    outcomes, skips = evaluate(rules, registries, params, started)
    return ScanResult(rules, outcomes, skips, problems, registries, files, options.fail_on,
                      options.allow_partial, started)
