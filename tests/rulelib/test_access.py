"""Who can reach a PTC rule's repositories: the upstream registry grant, configured pullers. (ptclint.rulelib)"""

from __future__ import annotations

from ptclint.rulelib import access

from .support import ACCOUNT, REGISTRY, ROLE, U, allow, doc, is_unknown, role_lookup

# ---------------------------------------------------------------- upstream registry grant


UPSTREAM = "444455556666.dkr.ecr.us-east-1.amazonaws.com"


def upstream_rule(**extra) -> dict:
    return {"ecrRepositoryPrefix": "upstream", "upstreamRegistryUrl": UPSTREAM, "customRoleArn": ROLE, **extra}


def upstream_policy(*statements) -> dict:
    return {UPSTREAM: {"status": "found", "policy": doc(*statements)}}


def test_upstream_grant_check() -> None:
    grant = allow("ecr:*", "arn:aws:ecr:us-east-1:444455556666:repository/*",
                  Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"})
    answer = access.upstream_policy_grant(upstream_rule(), upstream_policy(grant), "aws")
    assert answer["judged"] is True and answer["granted"] is True
    partial = dict(grant, Action=["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"])
    answer = access.upstream_policy_grant(upstream_rule(), upstream_policy(partial), "aws")
    assert answer["granted"] is False
    assert answer["message"] == (
        f"its registry policy does not grant account {ACCOUNT} (or the role) the actions "
        "ecr:BatchImportUpstreamImage, ecr:GetImageCopyStatus on arn:aws:ecr:us-east-1:444455556666:repository/*")
    none = access.upstream_policy_grant(upstream_rule(), {UPSTREAM: {"status": "notFound"}}, "aws")
    assert none["judged"] is True and none["granted"] is False
    assert none["message"].startswith("that registry has no registry policy, so it does not grant")
    # same account, a coverage gap, no role: not judged
    own = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"
    assert access.upstream_policy_grant(upstream_rule(upstreamRegistryUrl=own), {own: {"status": "notFound"}},
                                          "aws")["judged"] is False
    denied = {UPSTREAM: {"status": "accessDenied"}}
    assert access.upstream_policy_grant(upstream_rule(), denied, "aws")["judged"] is False
    no_role = {"upstreamRegistryUrl": UPSTREAM}
    assert access.upstream_policy_grant(no_role, upstream_policy(grant), "aws")["judged"] is False
    unresolved = access.upstream_policy_grant(upstream_rule(upstreamRepositoryPrefix=U), upstream_policy(grant),
                                                "aws")
    assert unresolved["judged"] is True and is_unknown(unresolved["granted"])
    unresolved = access.upstream_policy_grant(upstream_rule(upstreamRegistryUrl=U), upstream_policy(grant), "aws")
    assert is_unknown(unresolved["judged"])


# ---------------------------------------------------------------- pullers


def test_puller_check() -> None:
    node, ci = f"arn:aws:iam::{ACCOUNT}:role/node", f"arn:aws:iam::{ACCOUNT}:role/ci"
    roles = {node: role_lookup(doc(allow(["ecr:BatchGetImage", "ecr:CreateRepository"]))),
             ci: role_lookup(doc(allow("ecr:*")))}
    rule = {"ecrRepositoryPrefix": "docker-hub"}
    answer = access.puller_access([node, ci], roles, REGISTRY, rule)
    assert answer["judged"] is True and answer["found"] is True
    assert answer["message"] == f"{node} (ecr:BatchImportUpstreamImage)"
    assert answer["related"] == [f"role:{node}"]
    assert access.puller_access([ci], roles, REGISTRY, rule)["found"] is False
    # no pullers, or none whose policies were collected: not judged
    assert access.puller_access([], roles, REGISTRY, rule)["judged"] is False
    assert access.puller_access(["arn:aws:iam::111122223333:role/other"], roles, REGISTRY, rule)["judged"] is False
    # the registry policy was not read: judged only when the IAM policies alone allow both
    unread = dict(REGISTRY, registryPolicy={"status": "accessDenied"})
    assert access.puller_access([node], roles, unread, rule)["judged"] is False
    assert access.puller_access([ci], roles, unread, rule)["judged"] is True
    unresolved = access.puller_access([node], roles, REGISTRY, {"ecrRepositoryPrefix": U})
    assert unresolved["judged"] is True and is_unknown(unresolved["found"])
