"""Predicates on one policy statement, judged three-valued (`tri`): who it admits, what it reaches,
what its Condition limits."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from ptclint.model import Unknown
from ptclint.rulelib.aws import parse_arn
from ptclint.rulelib.iam import action_matches, policy_statements
from ptclint.rulelib.tri import elements, every, some

CREATE_REPOSITORY = "ecr:CreateRepository"


BATCH_IMPORT = "ecr:BatchImportUpstreamImage"


PTC_ACTIONS = (CREATE_REPOSITORY, BATCH_IMPORT)


READ_ACTIONS = ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")


WRITE_ACTIONS = (
    "ecr:PutImage",
    "ecr:BatchDeleteImage",
    "ecr:SetRepositoryPolicy",
    "ecr:DeleteRepositoryPolicy",
    "ecr:DeleteRepository",
    "ecr:PutLifecyclePolicy",
    "ecr:DeleteLifecyclePolicy",
    "ecr:PutImageTagMutability",
)


CALLER_KEYS = frozenset(
    {
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:principalaccount",
        "aws:principalarn",
        "aws:sourceaccount",
        "aws:sourcearn",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "aws:userid",
        "aws:sourcevpce",
        "aws:sourcevpc",
        "aws:sourceip",
        "aws:vpcsourceip",
    }
)


_ACCOUNT_ID = re.compile(r"[0-9]{12}")


def statements_of(doc: Any) -> Any:
    """`policy_statements(doc)`, or the Unknown that `doc` is."""
    return doc if isinstance(doc, Unknown) else policy_statements(doc)


def judged_statements(doc: Any) -> Any:
    """`statements_of(doc)`, with each statement the input could not resolve as an `Unknown` in its
    place (`Statement = [{...}, var.extra]`): a verdict over the statements (`each`) then stays
    unknown only when the known statements do not decide it, and an unknown statement never
    vanishes."""
    if isinstance(doc, Unknown):
        return doc
    statements = policy_statements(doc)
    raw = doc.get("Statement") if isinstance(doc, Mapping) else None
    if isinstance(raw, Unknown):
        return raw
    return [*statements, *(st for st in raw if isinstance(st, Unknown))] if isinstance(raw, list) else statements


def each(statements: Iterable[Any], judge: Callable[[Mapping[str, Any]], Any]) -> Iterator[Any]:
    """`judge(st)` for each statement of `judged_statements`; an unresolved statement is its own
    (unknown) verdict. Combine with `tri.any_` / `tri.every` (Kleene)."""
    for st in statements:
        yield st if isinstance(st, Unknown) else judge(st)


def matches_any(action: str, patterns: Iterable[str]) -> bool:
    """IAM action (pattern) `action` matches one of `patterns` (`ecr:Put*` matches ecr:PutImage)."""
    return any(action_matches(action, p) for p in patterns)


def is_allow(st: Mapping[str, Any]) -> bool:
    return st.get("Effect") == "Allow"


def reaches(st: Mapping[str, Any], actions: Iterable[str]) -> Any:
    """The statement's Action names one of `actions` (wildcards count), or its NotAction (known)
    leaves one out (an unresolved NotAction entry counts as excluding)."""
    actions = tuple(actions)
    named: Any = False
    if "Action" in st:
        named = some(st["Action"], lambda a: isinstance(a, str) and matches_any(a, actions))
    left_out = False
    not_action = st.get("NotAction")
    if "NotAction" in st and not isinstance(not_action, Unknown):
        left_out = any(
            not any(isinstance(a, Unknown) or (isinstance(a, str) and action_matches(a, w))
                    for a in elements(not_action))
            for w in actions
        )
    return named if left_out is False else True


def open_principal(st: Mapping[str, Any]) -> bool:
    """`NotPrincipal`, `Principal: "*"` or `{"AWS": "*"}` (alone or in a list). An unresolved
    principal leans towards "restricted" (an open grant is reported only when it is written)."""
    if "NotPrincipal" in st:
        return True
    principal = st.get("Principal")
    if isinstance(principal, str):
        return principal == "*"
    if not isinstance(principal, Mapping) or "AWS" not in principal:
        return False
    aws = principal["AWS"]
    if isinstance(aws, str):
        return aws == "*"
    return isinstance(aws, list) and any(v == "*" for v in aws if isinstance(v, str))


def caller_unrestricted(st: Mapping[str, Any]) -> Any:
    """No condition limits who the caller is: no Condition, or each operator is negated,
    `...IfExists`, `ForAllValues:` or `Null`, or names no caller key (or only with the value `*`).
    An unresolved Condition or operator block counts as a restriction."""
    if "Condition" not in st:
        return True
    condition = st["Condition"]
    if not isinstance(condition, Mapping):
        return False

    def operator_free(op: str, block: Any) -> Any:
        low = str(op).lower()
        if "not" in low or low.endswith("ifexists") or low.startswith("forallvalues:") or low == "null":
            return True
        if not isinstance(block, Mapping):
            return False
        return every(key_free(k, v) for k, v in block.items())

    def key_free(key: str, value: Any) -> Any:
        if str(key).lower() not in CALLER_KEYS:
            return True
        return value if isinstance(value, Unknown) else isinstance(value, str) and value == "*"

    return every(operator_free(op, block) for op, block in condition.items())


def deny_limits_caller(st: Mapping[str, Any]) -> bool:
    """A Deny statement with a condition on a caller key (deny everyone outside the organisation);
    an unresolved Condition or operator block counts."""
    if st.get("Effect") != "Deny" or "Condition" not in st:
        return False
    condition = st["Condition"]
    if isinstance(condition, Unknown):
        return True
    if not isinstance(condition, Mapping):
        return False
    return any(
        isinstance(block, Unknown) or (isinstance(block, Mapping) and any(str(k).lower() in CALLER_KEYS for k in block))
        for block in condition.values()
    )


def account_of(principal: str) -> str:
    """The account of an AWS principal: a 12-digit id itself, else the account part of its ARN."""
    return principal if _ACCOUNT_ID.fullmatch(principal) else parse_arn(principal)["account"]


def aws_principals(st: Mapping[str, Any]) -> list[Any] | None:
    """The `Principal.AWS` entries as a list, None when the statement has no (known) AWS principal."""
    principal = st.get("Principal")
    if not isinstance(principal, Mapping) or "AWS" not in principal or isinstance(principal["AWS"], Unknown):
        return None
    aws = principal["AWS"]
    return [aws] if isinstance(aws, str) else elements(aws)
