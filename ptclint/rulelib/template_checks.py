"""Checks of what a creation template gives the repositories it creates: its repository creation
role, its lifecycle policy, its repository policy. (Its API constraints are JSON Schema: api_shapes.)"""

from __future__ import annotations

import json as _json
from collections.abc import Callable, Mapping
from typing import Any

from ptclint.model import Unknown
from ptclint.rulelib.aws import repo_arn_pattern, same
from ptclint.rulelib.iam import allows, allows_on, role_docs, role_docs_known, trusts
from ptclint.rulelib.statements import (
    WRITE_ACTIONS,
    account_of,
    aws_principals,
    caller_unrestricted,
    each,
    is_allow,
    judged_statements,
    matches_any,
    open_principal,
    reaches,
    statements_of,
)
from ptclint.rulelib.templates import kms_encrypted
from ptclint.rulelib.tri import (
    and_,
    any_,
    apply,
    elements,
    eq,
    fields,
    get,
    gt,
    has,
    in_,
    kind_of,
    not_,
    or_,
    problems,
    size,
    string,
    text,
)

# ---------------------------------------------------------------- lifecycle policies


def _aggressive(r: Any, min_images: Any, min_days: Any) -> Any:
    """Lifecycle rule `r` expires tagged images in general (tagStatus any, or tagged with the pattern
    "*") and keeps at most `min_images` images or expires them within `min_days` days."""
    def lower(v: Any) -> Any:
        return apply(lambda s: s.lower(), string(v))

    status = lower(get(r, "selection", "tagStatus"))
    patterns, count = get(r, "selection", "tagPatternList"), get(r, "selection", "countNumber")
    kind = get(r, "selection", "countType")

    def at_most(limit: Any) -> Any:
        return apply(lambda n, m: float(n) <= float(m), count, limit)

    return and_(
        kind_of(r) == "map", has(r, "action"), has(r, "action", "type"),
        lambda: eq(lower(get(r, "action", "type")), "expire"),
        has(r, "selection"), has(r, "selection", "tagStatus"), has(r, "selection", "countType"),
        has(r, "selection", "countNumber"),
        lambda: or_(lambda: eq(status, "any"),
                    lambda: and_(lambda: eq(status, "tagged"), has(r, "selection", "tagPatternList"),
                                 kind_of(patterns) == "list", lambda: in_("*", patterns))),
        kind_of(count) in ("int", "double"),
        lambda: or_(lambda: and_(lambda: eq(kind, "imageCountMoreThan"), lambda: at_most(min_images)),
                    lambda: and_(lambda: eq(kind, "sinceImagePushed"), lambda: at_most(min_days))),
    )


def _lifecycle_rule_text(r: Mapping[str, Any]) -> str:
    who = f"rule {text(string(r['rulePriority']))}" if has(r, "rulePriority") else "a rule"
    count = text(string(r["selection"]["countNumber"]))
    if r["selection"]["countType"] == "imageCountMoreThan":
        return f"{who} keeps only {count} image(s) per repository"
    return f"{who} expires images {count} day(s) after they were cached"


def aggressive_lifecycle_rules(policy: Any, min_images: Any, min_days: Any) -> Any:
    """The rules of lifecycle policy `policy` (a JSON string or a decoded map) that expire tagged
    images in general (tagStatus any, or tagged with the pattern "*") and keep `min_images` images or
    fewer per repository (imageCountMoreThan) or expire them `min_days` days or less after push
    (sinceImagePushed), described for a message: `rule 1 keeps only 1 image(s) per
    repository`. Rules for untagged images or chosen tags do not count."""
    if isinstance(policy, Unknown):
        return policy
    doc = _json.loads(policy) if isinstance(policy, str) else policy
    rules = doc.get("rules") if isinstance(doc, Mapping) else None
    if not isinstance(rules, list):
        return []
    def check(r: Any) -> tuple[Callable[[], Any], Callable[[], str]]:
        return (lambda: _aggressive(r, min_images, min_days), lambda: _lifecycle_rule_text(r))

    return problems([check(r) for r in rules])


# ---------------------------------------------------------------- repository creation role


_KMS_ACTIONS = ("kms:CreateGrant", "kms:RetireGrant", "kms:DescribeKey")


def creation_role_problems(template: Any, lookup: Any, registry: Any) -> Any:
    """What is wrong with the role of a creation template, given the lookup of its customRoleArn (as in
    `roles`), for a message: the role does not exist; its trust policy does not let
    ecr.amazonaws.com assume it; its policies do not allow ecr:CreateRepository on the template's
    repositories (`registry` gives partition, Region and account of their ARN), ecr:TagResource when
    the template sets tags, or kms:CreateGrant / RetireGrant / DescribeKey when it encrypts with a
    named KMS key. Permissions are judged only when all the role's policies were collected."""
    t, role = template, lookup
    docs_known = apply(role_docs_known, role)
    docs = apply(role_docs, role)
    status, trust = get(role, "status"), get(role, "role", "AssumeRolePolicyDocument")
    repository = apply(repo_arn_pattern, registry, get(t, "prefix"))
    key = get(t, "encryptionConfiguration", "kmsKey")
    kms_missing = apply(lambda d: [a for a in _KMS_ACTIONS if not allows(d, a)], docs)

    def lacks(action: str) -> Any:
        return and_(docs_known, lambda: not_(apply(allows_on, docs, action, repository)))

    def untrusted() -> str:
        ptc = apply(trusts, trust, "pullthroughcache.ecr.amazonaws.com") is True
        return "its trust policy does not let the service principal ecr.amazonaws.com assume it" + (
            " (it trusts pullthroughcache.ecr.amazonaws.com, the principal of pull through cache rule roles)" if ptc
            else "")

    return problems([
        (lambda: eq(status, "notFound"), lambda: "the role does not exist (GetRole: NoSuchEntity)"),
        (lambda: and_(lambda: eq(status, "found"), has(role, "role"), has(role, "role", "AssumeRolePolicyDocument"),
                      lambda: not_(apply(trusts, trust, "ecr.amazonaws.com"))), untrusted),
        (lambda: lacks("ecr:CreateRepository"),
         lambda: f"its policies do not allow ecr:CreateRepository on {repository}"),
        (lambda: and_(has(t, "resourceTags"), lambda: gt(size(get(t, "resourceTags")), 0),
                      lambda: lacks("ecr:TagResource")),
         lambda: "the template sets resource tags but the role's policies do not allow ecr:TagResource on "
                 f"{repository}"),
        (lambda: and_(lambda: kms_encrypted(t), has(t, "encryptionConfiguration", "kmsKey"), lambda: gt(size(key), 0),
                      docs_known, lambda: apply(lambda m: len(m) > 0, kms_missing)),
         lambda: f"the template encrypts with KMS key {key} but the role's policies do not allow "
                 + ", ".join(kms_missing)),
    ])


# ---------------------------------------------------------------- repository policies


_ACCOUNT_KEYS = ("aws:principalaccount", "aws:sourceaccount")


def _open_to_everyone(st: Mapping[str, Any]) -> Any:
    """An Allow (any action) for every AWS principal with no condition on who the caller is."""
    if not (is_allow(st) and open_principal(st)):
        return False
    return caller_unrestricted(st)


def _foreign_principal(principal: Any, account: str) -> Any:
    """An AWS principal (id or ARN, not `*`) of another account than `account`; a symbolic account
    makes it unknown."""
    if not isinstance(principal, str) or principal == "*" or "${" in principal or account == "":
        return False
    return not_(same(account_of(principal), account))


def _pins_own_account(st: Mapping[str, Any], account: str) -> Any:
    """A positive condition pins aws:PrincipalAccount / aws:SourceAccount to `account` (an
    unresolved operator block counts)."""
    condition = st["Condition"]

    def pins(op: str, block: Any) -> Any:
        low = str(op).lower()
        if "not" in low or low.endswith("ifexists"):
            return False
        if isinstance(block, Unknown):
            return True
        if not isinstance(block, Mapping):
            return False
        return any_(pins_key(k, v) for k, v in block.items())

    def pins_key(key: str, value: Any) -> Any:
        if str(key).lower() not in _ACCOUNT_KEYS:
            return False
        if isinstance(value, Unknown):
            return value
        return (isinstance(value, str) and value == account) or (isinstance(value, list) and value == [account])

    return any_(pins(op, block) for op, block in condition.items())


def _writes_outside(st: Mapping[str, Any], account: str) -> Any:
    """An Allow of a write action (wildcards, NotAction) for principals of another account, or for
    every principal unless a condition pins the caller's account to `account`."""
    if not is_allow(st):
        return False
    writes = reaches(st, WRITE_ACTIONS)
    if writes is not True:
        return writes
    aws = aws_principals(st)
    foreign = False if aws is None else any_(_foreign_principal(v, account) for v in aws)
    if foreign is not False:
        return foreign
    if not open_principal(st):
        return False
    if "Condition" not in st:
        return True
    if not isinstance(st["Condition"], Mapping):
        return False
    return not_(_pins_own_account(st, account))


def _exposed(policy: Any, account: Any) -> Any:
    """The repository policy `policy` has a statement open to every AWS principal with no
    condition on the caller, or one granting write actions to principals outside `account`."""
    statements = judged_statements(policy)
    if isinstance(statements, Unknown):
        return statements
    return any_(each(statements, lambda st: any_((_open_to_everyone(st), _writes_outside(st, account)))))


def _exposure_summary(policy: Any, account: Any) -> str:
    """The exposure: `it allows every AWS principal with no condition on the caller
    (<statements>); it grants write actions (<actions>) to principals outside this registry's
    account <account> (<principals>)`, each part only when it applies."""
    statements = statements_of(policy)
    statements = [] if isinstance(statements, Unknown) else statements
    opened = [st for st in statements if _open_to_everyone(st) is True]
    writes = [st for st in statements if _writes_outside(st, account) is True]

    def label(st: Mapping[str, Any]) -> str:
        sid = st.get("Sid")
        if "Sid" in st and not isinstance(sid, Unknown):
            return f"statement '{text(string(sid))}'"
        return "a statement without Sid"

    def actions(st: Mapping[str, Any]) -> list[Any]:
        if "Action" not in st:
            return ["every action but its NotAction"]
        return [a for a in elements(st["Action"]) if isinstance(a, str) and matches_any(a, WRITE_ACTIONS)]

    def principals(st: Mapping[str, Any]) -> list[Any]:
        if "NotPrincipal" in st:
            return ["every principal but its NotPrincipal"]
        if isinstance(st.get("Principal"), str):
            return [st["Principal"]]
        return [
            v for v in aws_principals(st) or []
            if isinstance(v, str) and (v == "*" or ("${" not in v and account_of(v) != account))
        ]

    parts = []
    if opened:
        labels = text([label(st) for st in opened])
        parts.append(f"it allows every AWS principal with no condition on the caller ({labels})")
    if writes:
        parts.append(
            f"it grants write actions ({text([actions(st) for st in writes])}) to principals outside this "
            f"registry's account {account} ({text([principals(st) for st in writes])})"
        )
    return "; ".join(parts)


def repository_policy_exposure(policy: Any, account: Any) -> dict[str, Any]:
    """Who a repository policy (a creation template's `repositoryPolicy`, JSON) admits beyond the
    registry's `account`. `exposed`: a statement is open to every AWS principal with no condition
    on the caller, or grants write actions (wildcards and NotAction count) to principals of another
    account, or to every principal unless a condition pins the caller's account to `account`;
    unknown when that depends on an unresolved value. `summary`: `it allows every AWS principal
    with no condition on the caller (<statements>); it grants write actions (<actions>) to
    principals outside this registry's account <account> (<principals>)`, each part only when it
    applies. Returns `{exposed, summary}`."""
    return fields(exposed=lambda: _exposed(policy, account), summary=lambda: _exposure_summary(policy, account))


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "aggressiveLifecycleRules": aggressive_lifecycle_rules,
    "creationRoleProblems": creation_role_problems,
    "repositoryPolicyExposure": repository_policy_exposure,
}
