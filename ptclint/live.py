"""Live scans and exports on the command line: the collection flags, the snapshot collected for a
scan (in memory, or written beside it for SARIF), and documents read from stdin (`ptclint scan -`).

Imports nothing from boto3 itself: `loaders.aws.snapshot_text` does, and only when called.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import datetime, timezone

from ptclint.config import ScanOptions
from ptclint.errors import ConfigError
from ptclint.loaders.aws import CollectOptions, for_rules, snapshot_text
from ptclint.loaders.sources import TextSource
from ptclint.parsing import MAX_FILE_BYTES

IN_MEMORY = "<live>"  # what findings of a live scan name when the snapshot is not written
STDIN = "<stdin>"


def checked(flags: CollectOptions) -> CollectOptions:
    """The collection flags as given, once they are known to fit together."""
    if flags.role_name and flags.role_arn_template:
        raise ConfigError("--role-name and --role-arn-template: give one of them")
    if flags.regions and flags.all_regions:
        raise ConfigError("--region and --all-regions: give one of them")
    if flags.external_id and not (flags.role_name or flags.role_arn_template):
        raise ConfigError("--external-id needs --role-name or --role-arn-template")
    return flags


def collect(flags: CollectOptions, options: ScanOptions, now: datetime | None = None) -> str:
    """The snapshot text for the rules `options` selects (opt-in data only for opt-in rules selected)."""
    from ptclint.catalog import load_catalog, resolve_params, select_rules

    catalog = load_catalog(options.rules_dirs)
    rules = select_rules(catalog, options.select, options.extend_select, options.ignore, policy=options.policy)
    params = resolve_params(rules, options.params, catalog)
    wanted = for_rules(checked(flags), {r.id for r in rules}, params)
    return snapshot_text(wanted, now or datetime.now(timezone.utc))


def with_snapshot(options: ScanOptions, text: str, shown: str) -> ScanOptions:
    """The scan options with the collected snapshot as an input named `shown`."""
    source = TextSource(shown, text, options.max_file_bytes or MAX_FILE_BYTES)
    return replace(options, sources=(*options.sources, source))


def with_stdin(options: ScanOptions) -> ScanOptions:
    """`-` among the paths: the document on stdin (raw AWS CLI output, a snapshot) is one input."""
    if "-" not in options.paths:
        return options
    limit = options.max_file_bytes or MAX_FILE_BYTES
    text = sys.stdin.read(limit + 1)
    if len(text) > limit:
        raise ConfigError(f"stdin: larger than {limit} bytes (see --max-file-size)")
    if not text.strip():
        raise ConfigError("stdin: empty (pipe the JSON output of an AWS CLI command, e.g. "
                          "`aws ecr describe-pull-through-cache-rules | ptclint scan - --region eu-west-1`)")
    source = TextSource(STDIN, text, limit)
    return replace(options, paths=[p for p in options.paths if p != "-"], sources=(*options.sources, source))
