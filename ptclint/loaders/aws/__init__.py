"""Live collection: AWS accounts and organizations read with boto3 into a ptclint snapshot.

Live equals snapshot: the collector produces exactly the document `ptclint export` writes and the
snapshot loader reads, so a live scan is collect -> snapshot document -> snapshot loader -> engine,
and every live run can be replayed offline. Modules: `session` (credentials, roles, botocore
Config), `signing` (one client per service and Region for the whole run, each call signed for its
account), `calls` (one API call, its failure as a status), `org` (accounts and Regions), `ecr`,
`secrets` (Secrets Manager and KMS), `iam`, `collect` (accounts x Regions on a bounded pool),
`progress`. boto3 is imported only by these modules, and only when a live scan or export runs:
this file imports none of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

# Opt-in rules whose data costs extra calls: collected only when the rule is selected by its id.
SECRET_VALUE_RULE = "PTC-AUTH-008"  # GetSecretValue (key names kept, never values)
VALIDATE_RULE = "PTC-AUTH-009"  # ValidatePullThroughCacheRule
PULLER_RULES = ("PTC-IAM-011", "PTC-IAM-012")  # param `pullers`: roles whose policies are read


@dataclass(frozen=True)
class CollectOptions:
    """What to collect: from the `export` / `scan --live` flags and the rules selected."""

    profile: str | None = None
    regions: tuple[str, ...] = ()
    all_regions: bool = False
    org: bool = False
    accounts: tuple[str, ...] = ()
    accounts_file: str | None = None
    role_name: str | None = None
    role_arn_template: str | None = None  # e.g. arn:aws:iam::{account}:role/PtclintAudit
    external_id: str | None = None
    concurrency: int = 8
    secret_values: bool = False
    validate_rules: bool = False
    pullers: tuple[str, ...] = ()
    progress: bool = False
    shard: tuple[int, int] | None = None  # (I, N): only the accounts of shard I of N (loaders/aws/shard.py)


def for_rules(options: CollectOptions, rule_ids: set[str], params: dict[str, dict[str, Any]]) -> CollectOptions:
    """The options with what the selected rules need: opt-in calls and the pulling principals."""
    from dataclasses import replace

    pullers = {p for rid in PULLER_RULES if rid in rule_ids for p in params.get(rid, {}).get("pullers") or []}
    return replace(options, secret_values=SECRET_VALUE_RULE in rule_ids, validate_rules=VALIDATE_RULE in rule_ids,
                   pullers=tuple(sorted(str(p) for p in pullers)))


def snapshot_text(options: CollectOptions, now: datetime) -> str:
    """Collect and return the snapshot as `ptclint export` writes it. Raises ConfigError for what
    stops a collection before it starts (no credentials, bad flags); failures after that are
    recorded in the snapshot as coverage gaps."""
    from ptclint.loaders.aws.collect import collect, dumps

    return dumps(collect(options, now))
