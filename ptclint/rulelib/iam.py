"""IAM policy evaluation primitives: statements, action and resource matching, allows / denies,
trust, resource policies for a principal, role documents.

A deliberately simple, conservative evaluator for the live-IAM rules: rules fire when an action is
NOT allowed, so every doubt leans towards "allowed". An Allow counts whatever its Condition; a Deny
counts only without a Condition; without a resource to judge, an Allow on any resource counts while
a Deny counts only when it covers every resource. Permission boundaries, SCPs and session policies
are not modelled. A value the input could not resolve makes the answer unknown (`tri.known`).
"""

from __future__ import annotations

import json as _json
import re
from collections.abc import Callable, Mapping
from typing import Any

from ptclint.model import Unknown
from ptclint.rulelib.aws import is_symbolic, parse_arn
from ptclint.rulelib.tri import Error, Unresolved, any_, known, known_str, value_of


def policy_statements(doc: Any) -> list[Any]:
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


def _policy_doc(doc: Any) -> Mapping[str, Any]:
    """A policy document as a map: a decoded map, a JSON string, a URL-encoded JSON string (as the
    IAM API returns them), or a policy entry `{PolicyName, document}`."""
    doc = known(doc)
    if isinstance(doc, Mapping) and "Statement" not in doc and "document" in doc:
        doc = known(doc["document"])
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


def _documents(documents: Any) -> list[Any]:
    documents = known(documents)
    return list(documents) if isinstance(documents, list) else [documents]


# ---------------------------------------------------------------- actions and resources


def _glob_match(pattern: str, text: str, ignore_case: bool) -> bool:
    """True when glob `pattern` (`*` any run, `?` one character) matches all of `text`.

    A forward scan over the pattern's states as a bit set (one big-integer step per character of
    `text`): linear in the text, with no backtracking, whatever the policy holds."""
    if ignore_case:
        pattern, text = pattern.lower(), text.lower()
    pattern = _collapse_stars(pattern)
    m = len(pattern)
    stars = _mask(pattern, lambda c: c == "*")
    anything = _mask(pattern, lambda c: c != "*")
    states = _star_closure(1, stars)
    by_char: dict[str, int] = {}
    for c in text:
        if not states:
            return False
        mask = by_char.get(c)
        if mask is None:
            mask = by_char[c] = _mask(pattern, lambda p, c=c: p == "?" or p == c)  # type: ignore[misc]
        states = _star_closure((states & stars) | ((states & mask & anything) << 1), stars)
    return bool(states >> m & 1)


def _collapse_stars(pattern: str) -> str:
    return re.sub(r"\*{2,}", "*", pattern) if "**" in pattern else pattern


def _mask(pattern: str, test: Callable[[str], bool]) -> int:
    out = 0
    for j, c in enumerate(pattern):
        if test(c):
            out |= 1 << j
    return out


def _star_closure(states: int, stars: int) -> int:
    """A `*` may match nothing: being before it is also being after it (stars never repeat)."""
    return states | ((states & stars) << 1)


def action_matches(pattern: Any, action: Any) -> bool:
    """True when IAM action `pattern` (`*` and `?` wildcards, case-insensitive: `ecr:Get*`, `ecr:*`,
    `*`) matches `action`."""
    return _glob_match(known_str(pattern), known_str(action), True)


def _glob_overlap(a: str, b: str) -> bool:
    """True when some string matches both glob patterns (`*`, `?`).

    The pairs (position in a, position in b) reachable from the start, one row of bit sets per
    position in `a`: quadratic at worst, never exponential, no recursion."""
    a, b = _collapse_stars(a), _collapse_stars(b)
    m = len(b)
    full = (1 << (m + 1)) - 1
    stars = _mask(b, lambda c: c == "*")
    plain_b = ((1 << m) - 1) & ~stars
    question = _mask(b, lambda c: c == "?")
    by_char: dict[str, int] = {}
    row = 1
    for c in a:
        # a's `*` can stay while b moves on (every later position of the row); b's may match nothing
        row = (full & ~((row & -row) - 1) if row else 0) if c == "*" else _star_closure(row, stars)
        if not row:
            return False
        if c == "*":
            continue  # (i + 1, j) for every j in the row: row is unchanged
        mask = by_char.get(c)
        if mask is None:
            mask = by_char[c] = plain_b if c == "?" else (question | _mask(b, c.__eq__))
        row = (row & stars) | ((row & mask & plain_b) << 1)
    row = _star_closure(row, stars)
    return bool(row >> m & 1)


def _glob_covers(pattern: str, target: str) -> bool:
    """True when `pattern` matches `target` read literally (so `repository/*` covers `repository/x/*`)."""
    return _glob_match(pattern, target, False)


def _statement_has_action(st: Mapping[str, Any], action: str) -> bool:
    if "Action" in st:
        return any(action_matches(p, action) for p in _documents(st["Action"]))
    if "NotAction" in st:
        return not any(action_matches(p, action) for p in _documents(st["NotAction"]))
    return False


def _statement_has_resource(st: Mapping[str, Any], resource: str | None, deny: bool) -> bool:
    """Does the statement reach `resource`? Allow: some resource in common; Deny: all of it."""
    has_res, has_not = "Resource" in st, "NotResource" in st
    if not has_res and not has_not:
        return True  # resource policies may omit Resource: the resource they are attached to
    patterns = [known_str(p) for p in _documents(st["Resource" if has_res else "NotResource"])]
    if resource is None:
        if not deny:
            return True
        return has_res and any(p and set(p) == {"*"} for p in patterns)
    if has_res:
        match = _glob_covers if deny else _glob_overlap
        return any(match(p, resource) for p in patterns)
    match = _glob_overlap if deny else _glob_covers
    return not any(match(p, resource) for p in patterns)


def _statements_judged(doc: Any) -> list[Any]:
    """The statements of one document, an unresolved document or statement as an `Unknown` in their
    place (it may allow or deny anything), so that the statements that are known still count."""
    if isinstance(doc, Unknown):
        return [doc]
    if isinstance(doc, Mapping) and "Statement" not in doc and "document" in doc:
        return _statements_judged(doc["document"])
    try:
        doc = _policy_doc(doc)
    except Unresolved as exc:
        return [Unknown(exc.reason)]
    raw = doc.get("Statement", [])
    if isinstance(raw, Unknown):
        return [raw]
    raw_list = [raw] if isinstance(raw, Mapping) else raw if isinstance(raw, list) else []
    unknown = [st for st in raw_list if isinstance(st, Unknown)]
    return [*policy_statements({"Statement": [st for st in raw_list if not isinstance(st, Unknown)]}), *unknown]


def _denies(st: Any, action: str, resource: str | None) -> bool:
    """Statement `st` is an unconditional Deny that reaches `action` (on all of `resource`)."""
    st = known(st)
    if not _statement_has_action(st, action) or known_str(st.get("Effect")) != "Deny":
        return False
    return not st.get("Condition") and _statement_has_resource(st, resource, True)  # any Condition: not counted


def _allows(st: Any, action: str, resource: str | None) -> bool:
    """Statement `st` is an Allow that reaches `action` (on some of `resource`)."""
    st = known(st)
    if not _statement_has_action(st, action) or known_str(st.get("Effect")) != "Allow":
        return False
    return _statement_has_resource(st, resource, False)


def _decision(documents: Any, action: Any, resource: Any = None) -> str:
    """'deny' (an unconditional Deny reaches the action), 'allow', or 'implicit' (nothing allows it).

    Judged statement by statement (Kleene): an unresolved statement makes the answer unknown (raises
    `Unresolved`) only when the statements that are known do not decide it: a known unconditional
    Deny decides 'deny'; a known Allow decides 'allow' only when no statement may deny."""
    action = known_str(action)
    resource = None if resource is None else known_str(resource)
    statements = [st for doc in _documents(documents) for st in _statements_judged(doc)]
    denied = any_(value_of(lambda st=st: _denies(st, action, resource)) for st in statements)
    if denied is True:
        return "deny"
    allowed = any_(value_of(lambda st=st: _allows(st, action, resource)) for st in statements)
    if allowed is False:
        return "implicit"  # nothing allows it, whatever the unresolved statements deny
    for verdict in (denied, allowed):
        if isinstance(verdict, Error):
            raise ValueError(verdict.why)
        known(verdict)
    return "allow"


def allows(documents: Any, action: Any) -> bool:
    """True when some `Allow` statement of the policy documents `docs` (a list, or one document;
    each a decoded map, a JSON string, a URL-encoded JSON string as IAM returns them, or a policy
    entry `{PolicyName, document}`) grants `action` and no `Deny` covers it. `Action`/`NotAction` as
    a string or a list, `Statement` as a list or one object. Leans towards "allowed", for rules that
    fire on a missing permission: an `Allow` counts whatever its `Resource` and `Condition`; a
    `Deny` counts only without `Condition` and on every resource (`Resource: "*"`). `Principal` is
    ignored: filter resource policies with `forPrincipal` first."""
    return _decision(documents, action) == "allow"


def allows_on(documents: Any, action: Any, resource: Any) -> bool:
    """`allows` for one resource ARN, which may end in `*`
    (`arn:aws:ecr:eu-west-1:111122223333:repository/docker-hub/*`): an `Allow` counts when its
    `Resource` has some ARN in common with it, a `Deny` (unconditional) when it covers all of it;
    `NotResource` likewise."""
    return _decision(documents, action, resource) == "allow"


def denies(documents: Any, action: Any) -> bool:
    """True when an unconditional `Deny` covers `action` on every resource (why `allows` is false,
    for messages)."""
    return _decision(documents, action) == "deny"


# ---------------------------------------------------------------- principals


def _principal_values(principal: Any, key: str) -> list[str]:
    principal = known(principal)
    if principal == "*":
        return ["*"]
    if isinstance(principal, Mapping) and key in principal:
        return [known_str(v) for v in _documents(principal[key])]
    return []


def trusts(doc: Any, service: Any) -> bool:
    """True when trust policy `doc` lets service principal `service` (`ecr.amazonaws.com`) perform
    `sts:AssumeRole` (action wildcards count; `Principal: "*"` counts; `Service` a string or a list)
    and no unconditional `Deny` names it."""
    service = known_str(service).lower()
    allowed = False
    for st in policy_statements(_policy_doc(doc)):
        if "NotPrincipal" in st or not _statement_has_action(st, "sts:AssumeRole"):
            continue
        names = [v.lower() for v in _principal_values(st.get("Principal"), "Service")]
        if not ("*" in names or service in names):
            continue
        effect = known_str(st.get("Effect"))
        if effect == "Deny" and not st.get("Condition"):
            return False
        allowed = allowed or effect == "Allow"
    return allowed


def _principal_matches(principal: Any, who: str, account: str) -> bool:
    if known(principal) == "*":
        return True
    for v in _principal_values(principal, "AWS") + _principal_values(principal, "Service"):
        if v in ("*", who):
            return True
        if account and (v == account or (parse_arn(v)["account"] == account and parse_arn(v)["resource"] == "root")):
            return True
    return False


def for_principal(doc: Any, principal: Any) -> dict[str, Any]:
    """Resource policy `doc` cut down to the statements that apply to `principal` (a role ARN, an
    account root ARN, an account id or a service): `Principal: "*"`, `{AWS: "*"}`, the ARN itself,
    or its account (id or root ARN); a `NotPrincipal` statement applies unless it names the
    principal."""
    who = known_str(principal)
    arn = parse_arn(who)
    account = arn["account"] if arn["valid"] else (who if re.fullmatch(r"\d{12}", who) else "")
    keep = []
    for st in policy_statements(_policy_doc(doc)):
        if "NotPrincipal" in st:
            if not _principal_matches(st["NotPrincipal"], who, account):
                keep.append({k: v for k, v in st.items() if k != "NotPrincipal"})
        elif _principal_matches(st.get("Principal"), who, account):
            keep.append(st)
    return {"Version": "2012-10-17", "Statement": keep}


def resource_policy_for(lookup: Any, principal: Any) -> list[Any]:
    """`[forPrincipal(lookup.policy, principal)]` for a found registry-policy lookup
    (`registry.registryPolicy`, `registry.upstreamPolicies[host]`), else `[]`: append it to a role's
    documents."""
    lookup = known(lookup)
    if not isinstance(lookup, Mapping) or lookup.get("status") != "found":
        return []
    policy = lookup.get("policy", lookup.get("policyText"))
    if policy is None:
        return []
    return [for_principal(policy, principal)]


def principal_can(role_lookup: Any, policy_lookup: Any, principal: Any, account: Any, action: Any,
                  resource: Any) -> bool:
    """Can role `principal` perform `action` on `resource` (in `account`), by the role's policies
    (`role_lookup`) and the resource policy (`policy_lookup`, a registry-policy lookup)? Same
    account (or account unknown): either may allow; another account: both must allow. An
    unconditional Deny in either wins."""
    identity = role_docs(role_lookup)
    granted = resource_policy_for(policy_lookup, principal)
    if _decision(identity + granted, action, resource) != "allow":
        return False
    account = known_str(account)
    if not account or is_symbolic(account) or parse_arn(known_str(principal))["account"] == account:
        return True
    return _decision(identity, action, resource) == "allow" and _decision(granted, action, resource) == "allow"


# ---------------------------------------------------------------- roles


def role_docs(lookup: Any) -> list[Any]:
    """The documents of a role lookup's attached and inline policies (those present)."""
    lookup = known(lookup)
    if not isinstance(lookup, Mapping):
        return []
    out = []
    for key in ("attachedPolicies", "inlinePolicies"):
        for entry in known(lookup.get(key)) or []:
            if isinstance(entry, Mapping) and "document" in entry:
                out.append(entry["document"])
    return out


def role_docs_known(lookup: Any) -> bool:
    """True when the role was found and both `attachedPolicies` and `inlinePolicies` were collected,
    each policy with a decodable document: test it before judging a missing permission, so a role
    whose policies were not read never fires."""
    lookup = known(lookup)
    if not isinstance(lookup, Mapping) or lookup.get("status") != "found":
        return False
    for key in ("attachedPolicies", "inlinePolicies"):
        entries = known(lookup.get(key))
        if not isinstance(entries, list):
            return False
        for entry in entries:
            if not isinstance(entry, Mapping) or not _is_policy_doc(entry.get("document")):
                return False
    return True


def policy_actions(doc: Any) -> list[Any]:
    """Every `Action` entry of every statement of `doc` (not `NotAction`), as a list of strings."""
    return [a for st in policy_statements(_policy_doc(doc)) for a in _documents(st.get("Action", []))]


FUNCTIONS: dict[str, Callable[..., Any]] = {
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
    "policyActions": policy_actions,
}
