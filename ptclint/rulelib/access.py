"""Who can reach a PTC rule's repositories: the upstream ECR registry's grant to the downstream
role, and what configured pullers may do by their IAM policies and the registry policy together."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ptclint.rulelib.aws import ecr_host_account, ecr_host_region, parse_arn, repo_arn_pattern, rule_kind, url_host
from ptclint.rulelib.iam import allows_on, principal_can, resource_policy_for, role_docs_known
from ptclint.rulelib.tri import (
    all_,
    and_,
    apply,
    at,
    concat,
    eq,
    exists,
    fields,
    filter_,
    get,
    has,
    in_,
    is_known,
    map_,
    ne,
    not_,
    or_,
    ternary,
    text,
    undecided,
)

_UPSTREAM_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchImportUpstreamImage",
                     "ecr:GetImageCopyStatus"]


def upstream_policy_grant(rule: Any, upstream_policies: Any, partition: Any) -> Any:
    """Does the registry policy of the PTC rule's cross-account ECR upstream grant its
    custom role (Principal "*", its account or the role) the actions pull through cache needs on the
    upstream repositories (under upstreamRepositoryPrefix; all when absent or ROOT)?
    `upstream_policies` maps upstream hosts to registry-policy lookups. Returns `{judged, granted,
    message}`: `judged` for a cross-account ECR upstream with a custom role whose lookup found a
    policy or found none; `message` goes on from "but " and names what is not granted, and where."""
    role, url = get(rule, "customRoleArn"), get(rule, "upstreamRegistryUrl")
    host, account, region = apply(url_host, url), apply(ecr_host_account, url), apply(ecr_host_region, url)
    lookup = at(upstream_policies, host)
    status, role_account = get(lookup, "status"), apply(lambda r: parse_arn(r)["account"], role)
    judged = and_(
        has(rule, "customRoleArn"), lambda: is_known(role), lambda: apply(lambda r: isinstance(r, str), role),
        lambda: eq(apply(rule_kind, rule), "ecr"), lambda: in_(host, upstream_policies),
        lambda: ne(account, ""), lambda: ne(account, role_account),
        lambda: or_(lambda: eq(status, "notFound"),
                    lambda: and_(lambda: eq(status, "found"), has(lookup, "policy"))),
    )
    prefix = get(rule, "upstreamRepositoryPrefix") if has(rule, "upstreamRepositoryPrefix") else "ROOT"
    pattern = repo_arn_pattern
    repository = apply(lambda *parts: pattern(dict(zip(("partition", "region", "account"), parts[:3])), parts[3]),
                        partition, region, account, prefix)
    grants = apply(resource_policy_for, lookup, role)

    def allowed(action: str) -> Any:
        return apply(allows_on, grants, action, repository)

    message = [
        ternary(lambda: eq(status, "notFound"), lambda: "that registry has no registry policy, so it does not grant",
                 lambda: "its registry policy does not grant"),
        " account ", role_account, " (or the role) the actions ",
        filter_(_UPSTREAM_ACTIONS, lambda a: not_(allowed(a))), " on ", repository,
    ]
    return fields(judged=judged, granted=all_(_UPSTREAM_ACTIONS, allowed),
                  message="".join(text(part) for part in message))


_POPULATE = ("ecr:CreateRepository", "ecr:BatchImportUpstreamImage")


def puller_access(pullers: Any, roles: Any, registry: Any, rule: Any) -> Any:
    """Can each configured puller (role ARNs `pullers`) perform ecr:CreateRepository and
    ecr:BatchImportUpstreamImage on the PTC rule's repositories (repository/<prefix>/*) by its IAM
    policies (`roles` lookups) and the registry policy together (principalCan: same account, either
    may allow; another account, both must; an unconditional Deny in either wins)? A puller is judged
    when its role was found with all its policies collected and the registry policy was read (found or
    not found); when it was not read, only if its IAM policies alone allow both. Returns `{judged,
    found, message, related}`: `message` lists the pullers that fall short with the actions they lack,
    `related` names their roles and the registry policy."""
    policy = get(registry, "registryPolicy")
    status = get(policy, "status")
    repository = apply(repo_arn_pattern, registry, get(rule, "ecrRepositoryPrefix"))
    docs_known, can = role_docs_known, principal_can
    policy_read = in_(status, ["found", "notFound"])

    def collected(p: Any) -> Any:
        return and_(lambda: in_(p, roles), lambda: apply(docs_known, at(roles, p)))

    def allowed(p: Any, action: str) -> Any:
        return apply(can, at(roles, p), policy, p, get(registry, "account"), action, repository)

    def populates(p: Any) -> Any:
        return and_(lambda: allowed(p, _POPULATE[0]), lambda: allowed(p, _POPULATE[1]))

    def falls_short(p: Any) -> Any:
        return and_(lambda: collected(p), policy_read, lambda: not_(populates(p)))

    def lacking(p: Any) -> Any:
        return concat(p, " ", ternary(
            lambda: allowed(p, _POPULATE[0]), lambda: "(ecr:BatchImportUpstreamImage)",
            lambda: ternary(lambda: allowed(p, _POPULATE[1]), lambda: "(ecr:CreateRepository)",
                             lambda: "(ecr:CreateRepository, ecr:BatchImportUpstreamImage)")))

    short = filter_(pullers, falls_short)
    related = map_(short, lambda p: concat("role:", p))
    if not undecided(related) and eq(status, "found") is True:
        related.append("registryPolicy")
    return fields(
        judged=exists(pullers, lambda p: and_(lambda: collected(p), lambda: or_(policy_read, lambda: populates(p)))),
        found=not_(all_(pullers, lambda p: or_(lambda: not_(and_(lambda: collected(p), policy_read)),
                                               lambda: populates(p)))),
        message=text(map_(short, lacking)),
        related=[] if undecided(related) else related,
    )


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "upstreamPolicyGrant": upstream_policy_grant,
    "pullerAccess": puller_access,
}
