"""Sharding (`--shard I/N`) and `ptclint merge` of shard snapshots (issue 15, "Done when" 1)."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from typer.testing import CliRunner

from ptclint.cli import app
from ptclint.loaders.aws import shard

from .conftest import ACCOUNTS, REGIONS, Audit
from .fakeorg import accounts


def test_each_account_falls_in_exactly_one_shard_and_shares_are_balanced() -> None:
    ids = accounts(ACCOUNTS)
    parts = [shard.select(ids, (i, 4)) for i in range(1, 5)]
    assert sorted(a for p in parts for a in p) == sorted(ids)
    assert all(30 <= len(p) <= 70 for p in parts), [len(p) for p in parts]


def test_adding_an_account_moves_no_other_account() -> None:
    ids = accounts(ACCOUNTS)
    for count in (2, 4, 7):
        before = {a: shard.of(a, count) for a in ids}
        grown = [*ids[:100], "999999999999", *ids[100:]]  # inserted in the middle of the list
        after = {a: i for i in range(1, count + 1) for a in shard.select(grown, (i, count))}
        moved = {a for a in grown if before.get(a) != after[a]}
        assert moved == {"999999999999"}


@pytest.mark.parametrize("value", ["0/4", "5/4", "1/0", "x", "1/2/3", ""])
def test_a_bad_shard_is_a_usage_error(value: str) -> None:
    result = CliRunner().invoke(app, ["export", "-o", "out.json", "--org", "--shard", value])
    assert result.exit_code == 2
    assert "--shard" in result.output and "Traceback" not in result.output


def test_shard_is_live_only() -> None:
    result = CliRunner().invoke(app, ["scan", "examples/", "--shard", "1/2"])
    assert result.exit_code == 2 and "--shard: only with --live" in result.output


def test_shards_cover_the_organization_once(audit: Audit) -> None:
    keys = [(r["account"], r["region"]) for s in audit.shards for r in s["registries"]]
    assert len(keys) == len(set(keys)) == ACCOUNTS * len(REGIONS)
    for i, snap in enumerate(audit.shards, 1):
        assert {shard.of(r["account"], 4) for r in snap["registries"]} == {i}


def test_merged_shards_equal_one_unsharded_run(audit: Audit) -> None:
    assert audit.merged_snapshot["registries"] == audit.single_snapshot["registries"]
    merged, single = audit.merged_report["findings"], audit.single_report["findings"]
    assert json.dumps(merged, indent=2) == json.dumps(single, indent=2)  # byte-identical findings
    assert audit.merged_text.split('"findings": [', 1)[1].split('"unknown"')[0] == \
        audit.single_text.split('"findings": [', 1)[1].split('"unknown"')[0]
    planted = Counter(f["ruleId"] for f in single)
    assert {"PTC-AUTH-001", "PTC-RCT-001", "PTC-IAM-004", "PTC-IAM-007"} <= set(planted)
    assert audit.merged_report["summary"] == audit.single_report["summary"]


def test_cross_shard_upstreams_are_judged_after_the_merge(audit: Audit) -> None:
    """PTC-IAM-007 needs the upstream account's registry policy: a shard lacks it when the upstream
    account fell in another shard; the merged snapshot has it and the finding appears."""
    crossing = []
    for snap in audit.shards:
        for reg in snap["registries"]:
            for rule in reg["pullThroughCacheRules"]["items"]:
                if rule.get("upstreamRegistry") == "ecr":
                    upstream = rule["upstreamRegistryUrl"].split(".")[0]
                    if shard.of(upstream, 4) != shard.of(reg["account"], 4):
                        assert rule["upstreamRegistryUrl"] not in reg.get("upstreamPolicies", {})
                        crossing.append((reg["account"], reg["region"]))
    assert crossing  # the planted organization has pairs across shards
    judged = {(f["resource"]["account"], f["resource"]["region"]) for f in audit.merged_report["findings"]
              if f["ruleId"] == "PTC-IAM-007"}
    assert set(crossing) <= judged
