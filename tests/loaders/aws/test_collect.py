"""Live collection against a mocked organization (issue 10, "Done when" 1-4): real boto3 clients,
moto for STS / Organizations / IAM / Secrets Manager, FakeEcr for the ECR calls moto lacks, faults
and call counting at botocore's events."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from ptclint.cli import app

from . import world as W
from .fakes import Installed

REGION_FLAGS = [arg for region in W.REGIONS for arg in ("--region", region)]
ORG_FLAGS = ["--org", "--role-name", W.ROLE, *REGION_FLAGS]
PLANTED = [arg for rule in ("PTC-AUTH-001", "PTC-AUTH-006", "PTC-IAM-001", "PTC-IAM-005") for arg in ("--select", rule)]


def ptclint(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result.exit_code, result.stdout, result.stderr


def findings(report: str) -> set[tuple[str, str, str]]:
    return {(f["ruleId"], f["resource"]["account"], f["resource"]["key"]) for f in json.loads(report)["findings"]}


def comparable(report: str) -> list[tuple[Any, ...]]:
    """Findings without the file name (the live scan's snapshot is in memory, the replay's on disk)."""
    return sorted((f["ruleId"], f["resource"]["fqn"], f["message"], f["location"]["line"], f["fingerprint"])
                  for f in json.loads(report)["findings"])


def test_planted_problems_in_an_organization_are_found_and_replayed_from_the_export(aws: Installed) -> None:
    """Done when 1: 21 accounts x 3 Regions; each planted problem with its id, nothing on the correct
    rules; `export` then `scan snapshot.json` gives exactly the same findings."""
    world = W.build(aws.ecr, members=20)
    code, live, err = ptclint("scan", "--live", *ORG_FLAGS, "-f", "json")
    report = json.loads(live)
    assert findings(live) == world.expected
    assert report["summary"]["registries"] == 21 * 3 and report["coverageGaps"] == []
    assert {f["location"]["file"] for f in report["findings"]} == {"<live>"}
    assert code == 1, err
    code, _, err = ptclint("export", "-o", "snapshot.json", *ORG_FLAGS)
    assert code == 0, err
    assert "wrote snapshot.json (63 registries)" in err
    code, replay, err = ptclint("scan", "snapshot.json", "-f", "json")
    assert code == 1, err
    assert comparable(replay) == comparable(live) and len(comparable(live)) == 4
    assert {f["location"]["file"] for f in json.loads(replay)["findings"]} == {"snapshot.json"}


def test_a_denied_account_and_a_throttled_one_leave_a_partial_but_complete_scan(aws: Installed) -> None:
    world = W.build(aws.ecr, members=6)
    denied = world.members[5]
    throttled = world.members[0]  # holds a planted problem, which must still be found
    aws.faults.deny_assume.add(denied)
    aws.faults.throttle.add(throttled)
    aws.faults.throttle_times = 2
    code, out, err = ptclint("scan", "--live", *ORG_FLAGS, *PLANTED, "-f", "json")
    report = json.loads(out)
    assert code == 3, err
    assert findings(out) == world.expected  # everything else still judged, the throttled account included
    gaps = report["coverageGaps"]
    assert len(gaps) == 3 and all(g.startswith(f"{denied}/") and ": AssumeRole: AccessDenied: " in g for g in gaps)
    assert f"ptclint: coverage gap: {denied}/eu-west-1: AssumeRole: AccessDenied" in err
    # every ECR call of the throttled account was answered ThrottlingException twice, then retried
    assert aws.faults.throttled and set(aws.faults.throttled.values()) == {2}
    retried = sum(aws.faults.throttled.values())
    ecr_calls = aws.calls.count("ecr")
    ecr_attempts = sum(n for (s, _), n in aws.calls.attempts.items() if s == "ecr")
    assert ecr_attempts == ecr_calls + retried
    aws.faults.throttle.clear()
    code, _, _ = ptclint("scan", "--live", *ORG_FLAGS, *PLANTED, "-f", "json", "--allow-partial")
    assert code == 1


def expected_calls(accounts: int, regions: int, secrets: int, roles: int, inline: int, managed: int,
                   pages: int, org: bool, assumed: int) -> int:
    """The README's formula (section "API calls"): one GetCallerIdentity, ListAccounts with --org,
    one AssumeRole per account other than the caller's, five calls per (account, Region) (plus
    extra pages), one DescribeSecret per distinct secret, per distinct role GetRole +
    ListAttachedRolePolicies + ListRolePolicies + one GetRolePolicy per inline policy, two calls
    per distinct managed policy."""
    return (1 + (1 if org else 0) + assumed + 5 * accounts * regions + pages + secrets
            + 3 * roles + inline + 2 * managed)


def test_the_api_call_count_equals_the_readme_formula(aws: Installed) -> None:
    world = W.build(aws.ecr, members=6)
    before = sum(aws.calls.calls.values())
    aws.calls.lookups.clear()
    code, _, err = ptclint("export", "-o", "snapshot.json", *ORG_FLAGS)
    assert code == 0, err
    made = sum(aws.calls.calls.values()) - before
    # extra pages: FakeEcr answers 2 items a page, and the management account's eu-west-1 has 3 rules
    extra = sum(math.ceil(len(r.rules) / aws.ecr.page_size) - 1 + math.ceil(len(r.templates) / aws.ecr.page_size) - 1
                for r in aws.ecr.registries.values() if r.rules or r.templates)
    # distinct secrets: the management account's (2 rules, 1 secret) and the missing one; roles: two
    assert made == expected_calls(accounts=7, regions=3, secrets=2, roles=2, inline=2, managed=0, pages=extra,
                                  org=True, assumed=6)
    secret_lookups = [x for x in aws.calls.lookups if x[1] == "DescribeSecret"]
    role_lookups = [x for x in aws.calls.lookups if x[1] == "GetRole"]
    assert len(secret_lookups) == len(set(secret_lookups)) == 2
    assert len(role_lookups) == len(set(role_lookups)) == 2
    assert {arn for _, _, arn in secret_lookups} == {world.secrets[world.management],
                                                    f"arn:aws:secretsmanager:eu-west-1:{world.members[1]}:secret:"
                                                    "ecr-pullthroughcache/gone-AbCdEf"}


def test_get_secret_value_only_when_the_opt_in_rule_is_selected(aws: Installed) -> None:
    world = W.build(aws.ecr, members=6)
    for args in ([], ["--extend-select", "PTC-AUTH-009"], ["--select", "PTC-AUTH"]):
        assert ptclint("export", "-o", "snapshot.json", *ORG_FLAGS, *args)[0] == 0
        assert aws.calls.count("secretsmanager", "GetSecretValue") == 0, args
    assert aws.calls.count("ecr", "ValidatePullThroughCacheRule") == 3  # the three rules with a credential
    code, _, err = ptclint("export", "-o", "opt-in.json", *ORG_FLAGS, "--extend-select", "PTC-AUTH-008")
    assert code == 0, err
    assert aws.calls.count("secretsmanager", "GetSecretValue") == 1  # one found secret, read once
    text = Path("opt-in.json").read_text()
    assert "dckr_pat" not in text and "someone" not in text  # key names only, never values
    registry = next(r for r in json.loads(text)["registries"]
                    if r["account"] == world.management and r["region"] == "eu-west-1")
    assert registry["secrets"][world.secrets[world.management]]["valueShape"] == {
        "isJsonObject": True, "keys": ["accessToken", "username"]}
