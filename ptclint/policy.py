"""IAM policy analysis for rules, in plain Python (exposed to CEL by ptclint.cel).

Rules call these instead of spelling policy logic out in CEL: cel-python walks long
expressions slowly, and one helper here is easier to test than forty lines of CEL.

Every function in `FUNCTIONS` is registered under its CEL name by `ptclint.cel`, which converts
CEL arguments to plain Python (dict, list, str, int, bool; `model.Unknown` for a value the input
could not resolve) and the result back. A helper whose answer depends on an unresolved value
returns an `Unknown` (or raises `rulelib.tri.Unresolved`, see `tri.known`); the rule then has an
unknown outcome, never a finding. Its three-valued logic is `ptclint.rulelib.tri`.

This module imports nothing from `ptclint.cel` at import time (cel imports this module to
register it): the few generic helpers it shares with cel (ARN parsing, prefixes, symbolic
values) are looked up when called.
"""

from __future__ import annotations

import json as _json
import re
from typing import Any, Callable, Iterable, Mapping

from ptclint.model import Unknown
from ptclint.rulelib.tri import any_, elements, every, guard, known, not_, some, string, text

# ---------------------------------------------------------------- shared with ptclint.cel


known_value = known


def _arn(s: Any) -> dict[str, Any]:
    from ptclint.cel import parse_arn

    return parse_arn(s)


def _symbolic(value: Any) -> bool:
    from ptclint.cel import is_symbolic

    return is_symbolic(value)


def _norm(p: Any) -> str:
    from ptclint.cel import norm_prefix

    return norm_prefix(p)


def _same(a: Any, b: Any) -> Any:
    from ptclint.cel import _same as same

    return same(a, b)


def _is_json(s: Any) -> bool:
    from ptclint.cel import _is_json as is_json

    return is_json(s)


def policy_statements(doc: Any) -> list:
    """The `Statement` list of a policy document (a decoded map or a JSON string), each statement
    with `Action`, `NotAction`, `Resource` and `NotResource` normalised to lists."""
    if isinstance(doc, str):
        doc = _json.loads(doc)
    if not isinstance(doc, Mapping):
        return []
    statements = doc.get("Statement", [])
    if isinstance(statements, Mapping):
        statements = [statements]
    out = []
    for st in statements:
        if not isinstance(st, Mapping):
            continue
        st = dict(st)
        for key in ("Action", "NotAction", "Resource", "NotResource"):
            if key in st and isinstance(st[key], str):
                st[key] = [st[key]]
        out.append(st)
    return out


# ---------------------------------------------------------------- IAM policy evaluation
#
# A deliberately simple, conservative evaluator for the live-IAM rules: rules fire when an action
# is NOT allowed, so every doubt leans towards "allowed". An Allow counts whatever its Condition;
# a Deny counts only without a Condition; without a resource to judge, an Allow on any resource
# counts while a Deny counts only when it covers every resource. Permission boundaries, SCPs and
# session policies are not modelled.


def _known_str(value: Any) -> str:
    value = known_value(value)
    return value if isinstance(value, str) else ""


def _policy_doc(doc: Any) -> Mapping:
    """A policy document as a map: a decoded map, a JSON string, a URL-encoded JSON string (as the
    IAM API returns them), or a policy entry `{PolicyName, document}`."""
    doc = known_value(doc)
    if isinstance(doc, Mapping) and "Statement" not in doc and "document" in doc:
        doc = known_value(doc["document"])
    if isinstance(doc, str):
        text = doc.strip()
        if text[:3].upper() == "%7B":
            from urllib.parse import unquote

            text = unquote(text)
        doc = _json.loads(text)
    return doc if isinstance(doc, Mapping) else {}


def _is_policy_doc(doc: Any) -> bool:
    if isinstance(doc, Unknown):
        return True  # judged (as unknown) by the helper that reads it
    if isinstance(doc, str):
        try:
            return isinstance(_policy_doc(doc), Mapping) and "Statement" in _policy_doc(doc)
        except ValueError:
            return False
    return isinstance(doc, Mapping) and "Statement" in doc


def _documents(documents: Any) -> list:
    documents = known_value(documents)
    return list(documents) if isinstance(documents, list) else [documents]


def _glob_regex(pattern: str, ignore_case: bool) -> re.Pattern:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.S | (re.I if ignore_case else 0))


def action_matches(pattern: Any, action: Any) -> bool:
    """IAM action matching: `*` and `?` wildcards, case-insensitive (`ecr:Get*` matches `ecr:GetImageCopyStatus`)."""
    return bool(_glob_regex(_known_str(pattern), True).fullmatch(_known_str(action)))


def _glob_overlap(a: str, b: str) -> bool:
    """True when some string matches both glob patterns (`*`, `?`)."""
    from functools import lru_cache

    @lru_cache(maxsize=None)
    def go(i: int, j: int) -> bool:
        if i == len(a) and j == len(b):
            return True
        if i < len(a) and a[i] == "*":
            if go(i + 1, j) or (j < len(b) and go(i, j + 1)):
                return True
            return False
        if j < len(b) and b[j] == "*":
            return go(i, j + 1) or (i < len(a) and go(i + 1, j))
        if i < len(a) and j < len(b) and (a[i] == "?" or b[j] == "?" or a[i] == b[j]):
            return go(i + 1, j + 1)
        return False

    return go(0, 0)


def _glob_covers(pattern: str, target: str) -> bool:
    """True when `pattern` matches `target` read literally (so `repository/*` covers `repository/x/*`)."""
    return bool(_glob_regex(pattern, False).fullmatch(target))


def _statement_has_action(st: Mapping, action: str) -> bool:
    if "Action" in st:
        return any(action_matches(p, action) for p in _documents(st["Action"]))
    if "NotAction" in st:
        return not any(action_matches(p, action) for p in _documents(st["NotAction"]))
    return False


def _statement_has_resource(st: Mapping, resource: str | None, deny: bool) -> bool:
    """Does the statement reach `resource`? Allow: some resource in common; Deny: all of it."""
    has_res, has_not = "Resource" in st, "NotResource" in st
    if not has_res and not has_not:
        return True  # resource policies may omit Resource: the resource they are attached to
    patterns = [_known_str(p) for p in _documents(st["Resource" if has_res else "NotResource"])]
    if resource is None:
        if not deny:
            return True
        return has_res and any(p and set(p) == {"*"} for p in patterns)
    if has_res:
        match = _glob_covers if deny else _glob_overlap
        return any(match(p, resource) for p in patterns)
    match = _glob_overlap if deny else _glob_covers
    return not any(match(p, resource) for p in patterns)


def _decision(documents: Any, action: Any, resource: Any = None) -> str:
    """'deny' (an unconditional Deny reaches the action), 'allow', or 'implicit' (nothing allows it)."""
    action = _known_str(action)
    resource = None if resource is None else _known_str(resource)
    allowed = False
    for doc in _documents(documents):
        for st in policy_statements(_policy_doc(doc)):
            if not _statement_has_action(st, action):
                continue
            effect = _known_str(st.get("Effect"))
            if effect == "Deny" and not st.get("Condition") and _statement_has_resource(st, resource, True):
                return "deny"
            if effect == "Allow" and _statement_has_resource(st, resource, False):
                allowed = True
    return "allow" if allowed else "implicit"


def allows(documents: Any, action: Any) -> bool:
    """Some Allow statement in the policy documents grants `action` and no unconditional Deny covers it."""
    return _decision(documents, action) == "allow"


def allows_on(documents: Any, action: Any, resource: Any) -> bool:
    """`allows` for one resource ARN (which may itself end in `*`: `repository/docker-hub/*`)."""
    return _decision(documents, action, resource) == "allow"


def denies(documents: Any, action: Any) -> bool:
    """An unconditional Deny statement covers `action` on every resource."""
    return _decision(documents, action) == "deny"


def _principal_values(principal: Any, key: str) -> list[str]:
    principal = known_value(principal)
    if principal == "*":
        return ["*"]
    if isinstance(principal, Mapping) and key in principal:
        return [_known_str(v) for v in _documents(principal[key])]
    return []


def trusts(doc: Any, service: Any) -> bool:
    """The trust policy lets service principal `service` perform sts:AssumeRole: an Allow statement
    names it (or `Principal: "*"`) and no unconditional Deny does."""
    service = _known_str(service).lower()
    allowed = False
    for st in policy_statements(_policy_doc(doc)):
        if "NotPrincipal" in st or not _statement_has_action(st, "sts:AssumeRole"):
            continue
        names = [v.lower() for v in _principal_values(st.get("Principal"), "Service")]
        if not ("*" in names or service in names):
            continue
        effect = _known_str(st.get("Effect"))
        if effect == "Deny" and not st.get("Condition"):
            return False
        allowed = allowed or effect == "Allow"
    return allowed


def _principal_matches(principal: Any, who: str, account: str) -> bool:
    if known_value(principal) == "*":
        return True
    for v in _principal_values(principal, "AWS") + _principal_values(principal, "Service"):
        if v in ("*", who):
            return True
        if account and (v == account or (_arn(v)["account"] == account and _arn(v)["resource"] == "root")):
            return True
    return False


def for_principal(doc: Any, principal: Any) -> dict:
    """The statements of a resource policy (registry policy) that apply to `principal` (a role ARN,
    an account root ARN, an account id or a service name): Principal `*`, the ARN itself, or its
    account (id or root ARN); a NotPrincipal statement applies unless it names the principal."""
    who = _known_str(principal)
    arn = _arn(who)
    account = arn["account"] if arn["valid"] else (who if re.fullmatch(r"\d{12}", who) else "")
    keep = []
    for st in policy_statements(_policy_doc(doc)):
        if "NotPrincipal" in st:
            if not _principal_matches(st["NotPrincipal"], who, account):
                keep.append({k: v for k, v in st.items() if k != "NotPrincipal"})
        elif _principal_matches(st.get("Principal"), who, account):
            keep.append(st)
    return {"Version": "2012-10-17", "Statement": keep}


def resource_policy_for(lookup: Any, principal: Any) -> list:
    """`[forPrincipal(policy, principal)]` for a found registry-policy lookup, else `[]`."""
    lookup = known_value(lookup)
    if not isinstance(lookup, Mapping) or lookup.get("status") != "found":
        return []
    policy = lookup.get("policy", lookup.get("policyText"))
    if policy is None:
        return []
    return [for_principal(policy, principal)]


def principal_can(role_lookup: Any, policy_lookup: Any, principal: Any, account: Any, action: Any, resource: Any) -> bool:
    """Can role `principal` perform `action` on `resource` (in `account`), by the role's policies
    (`role_lookup`) and the resource policy (`policy_lookup`, a registry-policy lookup)? Same
    account (or account unknown): either may allow; another account: both must allow. An
    unconditional Deny in either wins."""
    identity = role_docs(role_lookup)
    granted = resource_policy_for(policy_lookup, principal)
    if _decision(identity + granted, action, resource) != "allow":
        return False
    account = _known_str(account)
    if not account or _symbolic(account) or _arn(_known_str(principal))["account"] == account:
        return True
    return _decision(identity, action, resource) == "allow" and _decision(granted, action, resource) == "allow"


def role_docs(lookup: Any) -> list:
    """The documents of a role lookup's attached and inline policies (those present)."""
    lookup = known_value(lookup)
    if not isinstance(lookup, Mapping):
        return []
    out = []
    for key in ("attachedPolicies", "inlinePolicies"):
        for entry in known_value(lookup.get(key)) or []:
            if isinstance(entry, Mapping) and "document" in entry:
                out.append(entry["document"])
    return out


def role_docs_known(lookup: Any) -> bool:
    """The role was found and both its attached and inline policy lists were collected, every
    policy with its document: only then can a missing permission be told from missing data."""
    lookup = known_value(lookup)
    if not isinstance(lookup, Mapping) or lookup.get("status") != "found":
        return False
    for key in ("attachedPolicies", "inlinePolicies"):
        entries = known_value(lookup.get(key))
        if not isinstance(entries, list):
            return False
        for entry in entries:
            if not isinstance(entry, Mapping) or not _is_policy_doc(entry.get("document")):
                return False
    return True


def repo_arn_pattern(registry: Any, prefix: Any) -> str:
    """`arn:<partition>:ecr:<region>:<account>:repository/<prefix>/*` for the registry (parts that
    are empty or symbolic become `*`; prefix `ROOT` gives `repository/*`)."""
    registry = known_value(registry)
    parts = []
    for key, default in (("partition", "aws"), ("region", ""), ("account", "")):
        value = known_value(registry.get(key, default)) if isinstance(registry, Mapping) else default
        parts.append("*" if not isinstance(value, str) or not value or _symbolic(value) else value)
    p = _norm(_known_str(prefix))
    repo = "repository/*" if p == "ROOT" else f"repository/{p}/*"
    return f"arn:{parts[0]}:ecr:{parts[1]}:{parts[2]}:{repo}"


def policy_actions(doc: Any) -> list:
    """Every `Action` entry of every statement (not `NotAction`), in order."""
    return [a for st in policy_statements(_policy_doc(doc)) for a in _documents(st.get("Action", []))]




# ---------------------------------------------------------------- three-valued logic (rulelib.tri)


def _statements(doc: Any) -> Any:
    """`policy_statements(doc)`, or the Unknown that `doc` is."""
    return doc if isinstance(doc, Unknown) else policy_statements(doc)


# ---------------------------------------------------------------- statement predicates

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
# Condition keys that limit who the caller is (identity, organisation, network), lower case.
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
_ACCOUNT_KEYS = ("aws:principalaccount", "aws:sourceaccount")
_ACCOUNT_ID = re.compile(r"[0-9]{12}")
_WILDCARD = re.compile(r"[*?]")
_REPOSITORY_PATH = re.compile(r"^repository/[^*?]*\*?\Z")  # RE2 `$`: the end of the text
_ECR_PUBLIC_ARN = re.compile(r"^arn:([^:]*|\$\{AWS::Partition\}):ecr-public:")
_PTC = "PULL_THROUGH_CACHE"


def _matches_any(action: str, patterns: Iterable[str]) -> bool:
    """IAM action (pattern) `action` matches one of `patterns` (`ecr:Put*` matches ecr:PutImage)."""
    return any(action_matches(action, p) for p in patterns)


def _allow(st: Mapping) -> bool:
    return st.get("Effect") == "Allow"


def _reaches(st: Mapping, actions: Iterable[str]) -> Any:
    """The statement's Action names one of `actions` (wildcards count), or its NotAction (known)
    leaves one out (an unresolved NotAction entry counts as excluding)."""
    actions = tuple(actions)
    named: Any = False
    if "Action" in st:
        named = some(st["Action"], lambda a: isinstance(a, str) and _matches_any(a, actions))
    left_out = False
    not_action = st.get("NotAction")
    if "NotAction" in st and not isinstance(not_action, Unknown):
        left_out = any(
            not any(isinstance(a, Unknown) or isinstance(a, str) and action_matches(a, w) for a in elements(not_action))
            for w in actions
        )
    return named if left_out is False else True


def _open_principal(st: Mapping) -> bool:
    """`NotPrincipal`, `Principal: "*"` or `{"AWS": "*"}` (alone or in a list)."""
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


def _caller_unrestricted(st: Mapping) -> Any:
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


def _deny_limits_caller(st: Mapping) -> bool:
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
        isinstance(block, Unknown) or isinstance(block, Mapping) and any(str(k).lower() in CALLER_KEYS for k in block)
        for block in condition.values()
    )


def _account_of(principal: str) -> str:
    """The account of an AWS principal: a 12-digit id itself, else the account part of its ARN."""
    return principal if _ACCOUNT_ID.fullmatch(principal) else _arn(principal)["account"]


def _aws_principals(st: Mapping) -> list | None:
    """The `Principal.AWS` entries as a list, None when the statement has no (known) AWS principal."""
    principal = st.get("Principal")
    if not isinstance(principal, Mapping) or "AWS" not in principal or isinstance(principal["AWS"], Unknown):
        return None
    aws = principal["AWS"]
    return [aws] if isinstance(aws, str) else elements(aws)


def policy_found(lookup: Any) -> bool:
    """The lookup (`registry.registryPolicy`) found a policy that is a decoded map (or unresolved)."""
    if not isinstance(lookup, Mapping) or lookup.get("status") != "found" or "policy" not in lookup:
        return False
    return isinstance(lookup["policy"], (Mapping, Unknown))


def cache_repo_arn(registry: Any, prefix: Any) -> str:
    """`arn:<partition>:ecr:<region>:<account>:repository/<prefix>/*` with the registry's values as
    they are (`repository/*` for `ROOT`); see `repoArnPattern` for a pattern with `*` for missing parts."""
    p = _norm(known_value(prefix))
    repo = "repository/*" if p == "ROOT" else f"repository/{p}/*"
    return f"arn:{registry['partition']}:ecr:{registry['region']}:{registry['account']}:{repo}"


# ---------------------------------------------------------------- PTC-IAM-009: grants that fit no rule


def _ptc_grant(st: Mapping) -> Any:
    """An Allow statement with Action and Resource whose Action reaches ecr:BatchImportUpstreamImage."""
    if not (_allow(st) and "Action" in st and "Resource" in st):
        return False
    return some(st["Action"], lambda a: isinstance(a, str) and action_matches(a, BATCH_IMPORT))


def _names_batch_import(st: Mapping) -> Any:
    """The Action names ecr:BatchImportUpstreamImage, not only by the catch-alls `*` / `ecr:*`."""
    return some(
        st["Action"],
        lambda a: isinstance(a, str) and action_matches(a, BATCH_IMPORT) and a != "*" and a.lower() != "ecr:*",
    )


def _named_ptc_grant(st: Mapping) -> Any:
    grant = _ptc_grant(st)
    return False if grant is False else every((grant, _names_batch_import(st)))


def _part_differs(part: Any, mine: str) -> Any:
    """An ARN's Region or account differs from the registry's (wildcards match; a symbolic value on
    one side only is unknown)."""
    if mine == "":
        return False
    if isinstance(part, Unknown):
        return part
    if part == "" or _WILDCARD.search(part):
        return False
    return not_(_same(part, mine))


def _elsewhere(resource: Any, region: str, account: str) -> Any:
    """An ECR ARN in another Region or account than the registry's."""
    if isinstance(resource, Unknown):
        return every((resource, any_((_part_differs(resource, region), _part_differs(resource, account)))))
    if not isinstance(resource, str):
        return False
    a = _arn(resource)
    if not (a["valid"] and a["service"] == "ecr"):
        return False
    return any_((_part_differs(a["region"], region), _part_differs(a["account"], account)))


def _rule_near(rule: Mapping, path: Any) -> Any:
    """Repository path `path` is in, inside or around the namespace of PTC rule `rule`."""
    prefix = rule["ecrRepositoryPrefix"]
    if isinstance(prefix, Unknown):
        return prefix
    p = _norm(prefix)
    if p == "ROOT":
        return True
    if isinstance(path, Unknown):
        return path
    return path.startswith(f"repository/{p}/") or action_matches(path, f"repository/{p}/x")


def _outside_rules(resource: Any, st: Mapping, rules: list) -> Any:
    """For a statement naming the action: an ECR repository path (`repository/<p>/*`, `<p>*` or
    an exact repository) that is no rule's namespace, inside one or around one."""
    named = _names_batch_import(st)
    if named is False or not rules:
        return False
    if isinstance(resource, Unknown):
        return every((named, resource, not_(any_(_rule_near(r, resource) for r in rules))))
    if not isinstance(resource, str):
        return False
    a = _arn(resource)
    if not (a["valid"] and a["service"] == "ecr" and _REPOSITORY_PATH.search(a["resource"])):
        return False
    return every((named, not_(any_(_rule_near(r, a["resource"]) for r in rules))))


def misplaced_ptc_grants(registry: Any) -> Any:
    """PTC-IAM-009: some Allow of ecr:BatchImportUpstreamImage in the registry policy names an ECR
    resource in another Region or account than the registry, or (naming the action itself, not
    `*` / `ecr:*`, while the registry has rules) a repository path no rule's namespace is in,
    inside or around. Unknown when that depends on an unresolved value."""
    statements = _statements(registry["registryPolicy"].get("policy"))
    if isinstance(statements, Unknown):
        return statements
    region, account, rules = registry["region"], registry["account"], registry["pullThroughCacheRules"]

    def misplaced(st: Mapping) -> Any:
        grant = _ptc_grant(st)
        if grant is False:
            return False
        resources = some(
            st["Resource"], lambda r: any_((_elsewhere(r, region, account), _outside_rules(r, st, rules)))
        )
        return every((grant, resources))

    return any_(misplaced(st) for st in statements)


def _elsewhere_shown(resource: Any, region: str, account: str) -> bool:
    """`_elsewhere` for the message: known ARNs whose Region or account certainly differs."""
    if not isinstance(resource, str):
        return False
    a = _arn(resource)
    if not (a["valid"] and a["service"] == "ecr"):
        return False

    def differs(part: str, mine: str) -> bool:
        if not mine or not part or _WILDCARD.search(part) or _symbolic(mine) or _symbolic(part):
            return False
        return part != mine

    return differs(a["region"], region) or differs(a["account"], account)


def _outside_rules_shown(resource: Any, rules: list) -> bool:
    """`_outside_rules` for the message: known ARNs, judged only when every rule prefix is known."""
    if not isinstance(resource, str):
        return False
    a = _arn(resource)
    if not (a["valid"] and a["service"] == "ecr" and _REPOSITORY_PATH.search(a["resource"])):
        return False
    if any(isinstance(r["ecrRepositoryPrefix"], Unknown) for r in rules):
        return False
    return not any(_rule_near(r, a["resource"]) is True for r in rules)


def misplaced_ptc_grant_summary(registry: Any) -> str:
    """PTC-IAM-009's description of the misplaced resources: `in another Region or account,
    <ARNs>; under no rule prefix, <ARNs>` (each part only when it has ARNs)."""
    statements = _statements(registry["registryPolicy"].get("policy"))
    if isinstance(statements, Unknown):
        return ""
    region, account, rules = registry["region"], registry["account"], registry["pullThroughCacheRules"]

    def shown(statements: list, keep: Callable[[Any], bool]) -> list:
        """Per statement, its resources that `keep` holds for; statements without any left out."""
        groups = [[] if isinstance(st["Resource"], Unknown) else [r for r in elements(st["Resource"]) if keep(r)]
                  for st in statements]
        return [group for group in groups if group]

    grants = [st for st in statements if _ptc_grant(st) is True]
    named = [st for st in grants if _named_ptc_grant(st) is True]
    elsewhere = shown(grants, lambda r: _elsewhere_shown(r, region, account))
    unruled = shown(named, lambda r: _outside_rules_shown(r, rules)) if rules else []
    summary = ("in another Region or account, " + text(elsewhere)) if elsewhere else ""
    if unruled:
        summary += ("; " if elsewhere else "") + "under no rule prefix, " + text(unruled)
    return summary


# ---------------------------------------------------------------- PTC-IAM-010: PTC grant to everyone


def _open_ptc_grant(st: Mapping) -> Any:
    """An Allow reaching ecr:CreateRepository or ecr:BatchImportUpstreamImage for every AWS
    principal, with no condition on who the caller is."""
    if not _allow(st):
        return False
    return every((_reaches(st, PTC_ACTIONS), _open_principal(st), _caller_unrestricted(st)))


def open_ptc_grant(policy: Any) -> Any:
    """PTC-IAM-010: a registry policy lets every AWS principal (`*`, `{"AWS": "*"}`, NotPrincipal)
    perform ecr:CreateRepository or ecr:BatchImportUpstreamImage with no condition on the caller,
    and no Deny statement is conditioned on a caller key."""
    statements = _statements(policy)
    if isinstance(statements, Unknown):
        return statements
    if any(_deny_limits_caller(st) for st in statements):
        return False
    return any_(_open_ptc_grant(st) for st in statements)


def open_ptc_grant_summary(policy: Any) -> str:
    """PTC-IAM-010's description: `<actions> to every AWS principal (<where>)`."""
    statements = _statements(policy)
    grants = [] if isinstance(statements, Unknown) else [st for st in statements if _open_ptc_grant(st) is True]

    def actions(st: Mapping) -> list:
        if "Action" not in st:
            return ["every action but those in its NotAction"]
        if isinstance(st["Action"], Unknown):
            return []
        return [a for a in elements(st["Action"]) if isinstance(a, str) and _matches_any(a, PTC_ACTIONS)]

    def where(st: Mapping) -> str:
        who = "NotPrincipal" if "NotPrincipal" in st else 'Principal "*"'
        sid = st.get("Sid")
        if "Sid" in st and not isinstance(sid, Unknown):
            return f"{who} in statement '{text(string(sid))}'"
        return f"{who} in a statement without Sid"

    return f"{text([actions(st) for st in grants])} to every AWS principal ({text([where(st) for st in grants])})"


# ---------------------------------------------------------------- PTC-IAM-013: consumers that cannot read


def _applied_to_ptc(template: Mapping) -> bool:
    """`appliedFor` is known and names PULL_THROUGH_CACHE."""
    applied = template.get("appliedFor")
    return isinstance(applied, list) and any(f == _PTC for f in applied if not isinstance(f, Unknown))


def _template_reads(template: Mapping, principal: str) -> Any:
    """The template (applied to PULL_THROUGH_CACHE, or not known not to be) has a repositoryPolicy
    that grants `principal` both read actions, or that names its account and grants them."""
    if "appliedFor" not in template or "repositoryPolicy" not in template:
        return False
    applied = template["appliedFor"]
    if not isinstance(applied, Unknown) and not any(isinstance(f, Unknown) or f == _PTC for f in elements(applied)):
        return False
    policy = template["repositoryPolicy"]
    if isinstance(policy, Unknown):
        return policy
    if not _is_json(policy):
        return False
    account = _account_of(principal)
    names_account = account in policy and every(guard(allows, policy, a) for a in READ_ACTIONS)
    scoped = guard(for_principal, policy, principal)
    return any_((names_account, every(guard(allows, scoped, a) for a in READ_ACTIONS)))


def _consumer_outcomes(registry: Any, rule: Any) -> Any:
    """(consumer, cannot-read) pairs of the statements that let another account import on the rule's
    repositories, or an Unknown when the policy itself is unresolved."""
    lookup = registry["registryPolicy"]
    policy = lookup.get("policy")
    statements = _statements(policy)
    if isinstance(statements, Unknown):
        return statements
    prefix = rule["ecrRepositoryPrefix"]
    if isinstance(prefix, Unknown):
        return prefix
    resource = cache_repo_arn(registry, prefix)
    scope = lookup.get("policyScope")
    scope_ok = scope if isinstance(scope, Unknown) else scope != "V1"
    templates = guard(_templates_for, registry["repositoryCreationTemplates"], prefix)

    def cannot_read(principal: str) -> Any:
        registry_reads = scope_ok
        if scope_ok is not False:
            scoped = guard(for_principal, policy, principal)
            registry_reads = every((scope_ok, *(guard(allows_on, scoped, a, resource) for a in READ_ACTIONS)))
        if registry_reads is True:
            return False
        if isinstance(registry_reads, Unknown):
            return registry_reads
        if isinstance(templates, Unknown):
            return templates
        return not_(any_(_template_reads(t, principal) for t in templates))

    out: list = []
    for st in statements:
        imports = guard(allows_on, {"Statement": [st]}, BATCH_IMPORT, resource) if _allow(st) else False
        if imports is False:
            continue
        if isinstance(imports, Unknown):
            out.append((None, imports))
            continue
        for v in _aws_principals(st) or []:
            if not isinstance(v, str) or "${" in v:
                continue
            account = _account_of(v)
            if _ACCOUNT_ID.fullmatch(account) and account != registry["account"]:
                out.append((v, cannot_read(v)))
    return out


def _templates_for(templates: list, prefix: str) -> list:
    from ptclint.cel import templates_for

    return templates_for(templates, prefix)


def consumers_without_read(registry: Any, rule: Any) -> Any:
    """PTC-IAM-013: the principals of other accounts (12-digit ids, IAM ARNs; not `*`) that an Allow of
    the registry policy lets perform ecr:BatchImportUpstreamImage on PTC rule `rule`'s repositories
    and that nothing lets read them: neither the registry policy (unless its scope is V1) nor the
    repositoryPolicy of a creation template covering the prefix (applied to PULL_THROUGH_CACHE, or
    not known not to be) grants them ecr:BatchGetImage and ecr:GetDownloadUrlForLayer. One entry
    per statement that names them. Unknown when none is certain but some cannot be judged."""
    outcomes = _consumer_outcomes(registry, rule)
    if isinstance(outcomes, Unknown):
        return outcomes
    found = [v for v, cannot in outcomes if cannot is True]
    if found:
        return found
    return next((c for _, c in outcomes if isinstance(c, Unknown)), [])


def consumer_read_gaps(registry: Any, rule: Any) -> str:
    """PTC-IAM-013's description of why the consumers cannot read: what the covering creation
    template (applied to PULL_THROUGH_CACHE) lacks, and what the registry policy lacks."""
    covering = _templates_for(registry["repositoryCreationTemplates"], rule["ecrRepositoryPrefix"])
    templates = [t for t in covering if _applied_to_ptc(t)]
    if not templates:
        template = ("no creation template applied to PULL_THROUGH_CACHE covers this prefix, so the repositories "
                    "get no repository policy")
    elif "repositoryPolicy" in templates[0]:
        template = (f"creation template '{templates[0]['prefix']}' has a repositoryPolicy that does not grant them "
                    "both actions")
    else:
        template = f"creation template '{templates[0]['prefix']}' sets no repositoryPolicy"
    if registry["registryPolicy"].get("policyScope") == "V1":
        scope = "the registry policy scope is V1, which does not enforce read grants in the registry policy"
    else:
        scope = "the registry policy does not grant them either"
    return f"{template}, and {scope}"


def ptc_template_refs(templates: list, prefix: Any) -> list:
    """`template:<i>` for the creation templates applied to PULL_THROUGH_CACHE whose prefix covers
    `prefix` (the prefix itself, an ancestor, ROOT), nearest first."""
    from ptclint.cel import _ancestors

    indexes = _ancestors(templates, "prefix", _norm(known_value(prefix)) + "/x")
    return [f"template:{i}" for i in indexes if _applied_to_ptc(templates[i])]


# ---------------------------------------------------------------- PTC-IAM-015: grants on ecr-public ARNs


def _ecr_public_grant(st: Mapping) -> Any:
    """An Allow naming ecr:CreateRepository or ecr:BatchImportUpstreamImage (not by the catch-all
    `*`) on an ARN of service ecr-public."""
    if not (_allow(st) and "Action" in st and "Resource" in st):
        return False
    named = some(st["Action"], lambda a: isinstance(a, str) and a != "*" and _matches_any(a, PTC_ACTIONS))
    if named is False:
        return False
    return every((named, some(st["Resource"], lambda r: isinstance(r, str) and bool(_ECR_PUBLIC_ARN.search(r)))))


def _ecr_public_policies(registry: Any) -> list:
    """(reference, label, document-or-Unknown, verdict) for the registry policy (when found) and each
    IAM policy with a document."""
    out = []
    lookup = registry["registryPolicy"]
    if policy_found(lookup):
        out.append(("registryPolicy", "the registry policy", lookup["policy"]))
    for i, entry in enumerate(registry.get("iamPolicies") or []):
        if not isinstance(entry, Mapping) or "document" not in entry:
            continue
        doc = entry["document"]
        if not isinstance(doc, (Mapping, Unknown)) and not (isinstance(doc, str) and _is_json(doc)):
            continue
        name = entry.get("PolicyName", Unknown("no PolicyName"))
        label = "IAM policy '" + ("(name not known)" if isinstance(name, Unknown) else text(string(name))) + "'"
        out.append((f"iamPolicy:{i}", label, doc))
    return [(ref, label, doc, _ecr_public_verdict(doc)) for ref, label, doc in out]


def _ecr_public_verdict(doc: Any) -> Any:
    statements = _statements(doc)
    return statements if isinstance(statements, Unknown) else any_(_ecr_public_grant(st) for st in statements)


def ecr_public_grants(registry: Any) -> Any:
    """PTC-IAM-015: references (`registryPolicy`, `iamPolicy:<i>`) to the policies of the input (the
    registry policy when found, the IAM policies) with an Allow of ecr:CreateRepository or
    ecr:BatchImportUpstreamImage on an ecr-public ARN. Unknown when none certainly has one but
    some cannot be judged."""
    verdicts = _ecr_public_policies(registry)
    found = [ref for ref, _, _, verdict in verdicts if verdict is True]
    if found:
        return found
    return next((v for _, _, _, v in verdicts if isinstance(v, Unknown)), [])


def ecr_public_grant_summary(registry: Any) -> str:
    """PTC-IAM-015's description: `<policies> grant(s) ecr:CreateRepository /
    ecr:BatchImportUpstreamImage on <ecr-public ARNs>`."""
    names, arns = [], []
    for _, label, doc, verdict in _ecr_public_policies(registry):
        if verdict is not True:
            continue
        names.append(label)
        arns.append([
            [r for r in st["Resource"] if isinstance(r, str) and _ECR_PUBLIC_ARN.search(r)]
            for st in policy_statements(doc)
            if _ecr_public_grant(st) is True
        ])
    verb = "grants" if len(names) == 1 else "grant"
    return f"{text(names)} {verb} ecr:CreateRepository / ecr:BatchImportUpstreamImage on {text(arns)}"


# ---------------------------------------------------------------- PTC-RCT-016: template policy too open


def _open_to_everyone(st: Mapping) -> Any:
    """An Allow (any action) for every AWS principal with no condition on who the caller is."""
    if not (_allow(st) and _open_principal(st)):
        return False
    return _caller_unrestricted(st)


def _foreign_principal(principal: Any, account: str) -> Any:
    """An AWS principal (id or ARN, not `*`) of another account than `account`; a symbolic account
    makes it unknown."""
    if not isinstance(principal, str) or principal == "*" or "${" in principal or account == "":
        return False
    return not_(_same(_account_of(principal), account))


def _pins_own_account(st: Mapping, account: str) -> Any:
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
        return isinstance(value, str) and value == account or isinstance(value, list) and value == [account]

    return any_(pins(op, block) for op, block in condition.items())


def _writes_outside(st: Mapping, account: str) -> Any:
    """An Allow of a write action (wildcards, NotAction) for principals of another account, or for
    every principal unless a condition pins the caller's account to `account`."""
    if not _allow(st):
        return False
    writes = _reaches(st, WRITE_ACTIONS)
    if writes is not True:
        return writes
    aws = _aws_principals(st)
    foreign = False if aws is None else any_(_foreign_principal(v, account) for v in aws)
    if foreign is not False:
        return foreign
    if not _open_principal(st):
        return False
    if "Condition" not in st:
        return True
    if not isinstance(st["Condition"], Mapping):
        return False
    return not_(_pins_own_account(st, account))


def repository_policy_too_open(policy: Any, account: Any) -> Any:
    """PTC-RCT-016: the repository policy `policy` has a statement open to every AWS principal with no
    condition on the caller, or one granting write actions to principals outside `account`."""
    statements = _statements(policy)
    if isinstance(statements, Unknown):
        return statements
    return any_(any_((_open_to_everyone(st), _writes_outside(st, account))) for st in statements)


def repository_policy_too_open_summary(policy: Any, account: Any) -> str:
    """PTC-RCT-016's description: `it allows every AWS principal with no condition on the caller
    (<statements>); it grants write actions (<actions>) to principals outside this registry's
    account <account> (<principals>)`, each part only when it applies."""
    statements = _statements(policy)
    statements = [] if isinstance(statements, Unknown) else statements
    opened = [st for st in statements if _open_to_everyone(st) is True]
    writes = [st for st in statements if _writes_outside(st, account) is True]

    def label(st: Mapping) -> str:
        sid = st.get("Sid")
        if "Sid" in st and not isinstance(sid, Unknown):
            return f"statement '{text(string(sid))}'"
        return "a statement without Sid"

    def actions(st: Mapping) -> list:
        if "Action" not in st:
            return ["every action but its NotAction"]
        return [a for a in elements(st["Action"]) if isinstance(a, str) and _matches_any(a, WRITE_ACTIONS)]

    def principals(st: Mapping) -> list:
        if "NotPrincipal" in st:
            return ["every principal but its NotPrincipal"]
        if isinstance(st.get("Principal"), str):
            return [st["Principal"]]
        return [
            v for v in _aws_principals(st) or []
            if isinstance(v, str) and (v == "*" or "${" not in v and _account_of(v) != account)
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


FUNCTIONS: dict[str, Callable[..., Any]] = {
    # IAM policy evaluation (see the live-IAM rules)
    "policyStatements": policy_statements,
    "actionMatches": action_matches,
    "allows": allows,
    "allowsOn": allows_on,
    "denies": denies,
    "trusts": trusts,
    "forPrincipal": for_principal,
    "resourcePolicyFor": resource_policy_for,
    "principalCan": principal_can,
    "roleDocs": role_docs,
    "roleDocsKnown": role_docs_known,
    "repoArnPattern": repo_arn_pattern,
    "policyActions": policy_actions,
    # registry policy and PTC grants
    "policyFound": policy_found,
    "cacheRepoArn": cache_repo_arn,
    "misplacedPtcGrants": misplaced_ptc_grants,
    "misplacedPtcGrantSummary": misplaced_ptc_grant_summary,
    "openPtcGrant": open_ptc_grant,
    "openPtcGrantSummary": open_ptc_grant_summary,
    "consumersWithoutRead": consumers_without_read,
    "consumerReadGaps": consumer_read_gaps,
    "ptcTemplateRefs": ptc_template_refs,
    "ecrPublicGrants": ecr_public_grants,
    "ecrPublicGrantSummary": ecr_public_grant_summary,
    # creation-template repository policies
    "repositoryPolicyTooOpen": repository_policy_too_open,
    "repositoryPolicyTooOpenSummary": repository_policy_too_open_summary,
}
