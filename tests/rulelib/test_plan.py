"""Terraform plan changes that move a PTC rule's prefix. (ptclint.rulelib)"""

from __future__ import annotations

from ptclint.rulelib import plan

from .support import U, is_unknown

# ---------------------------------------------------------------- plan prefix moves


def change(address: str, actions: list, before=None, after=None) -> dict:
    return {"address": address, "actions": actions,
            "before": before and {"ecrRepositoryPrefix": before}, "after": after and {"ecrRepositoryPrefix": after}}


def test_plan_recreate() -> None:
    moved = [change("aws_ecr_pull_through_cache_rule.old", ["delete"], before="quay"),
             change('aws_ecr_pull_through_cache_rule.this["quay"]', ["create"], after="quay/")]
    answer = plan.plan_prefix_moves(moved, "quay")
    assert answer["creating"] is True and answer["recreated"] is True
    assert answer["destroys"] == answer["from"] == "aws_ecr_pull_through_cache_rule.old"
    assert answer["creates"] == answer["to"] == 'aws_ecr_pull_through_cache_rule.this["quay"]'
    replaced = [change("aws_ecr_pull_through_cache_rule.q", ["delete", "create"], before="quay", after="quay")]
    assert plan.plan_prefix_moves(replaced, "quay")["recreated"] is False
    other = [moved[0], change("aws_ecr_pull_through_cache_rule.new", ["create"], after="ghcr")]
    assert plan.plan_prefix_moves(other, "ghcr")["recreated"] is False
    unresolved = [moved[0], {"address": "aws_ecr_pull_through_cache_rule.new", "actions": [U], "after": {
        "ecrRepositoryPrefix": "quay"}}]
    answer = plan.plan_prefix_moves(unresolved, "quay")
    assert is_unknown(answer["creating"]) and is_unknown(answer["recreated"])
    # a prefix the plan could not resolve is not counted
    assert plan.plan_prefix_moves([moved[0], change("x", ["create"], after=U)], "quay")["creating"] is False
