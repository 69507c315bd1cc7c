"""CEL for ptclint rules: the only module that imports celpy.

Adds ptclint's functions (URL and ARN parsing, prefix helpers) and "unknown" values: a value an
IaC input could not resolve becomes an `UnknownValue`, an error value that CEL's `&&` / `||`
absorb where the result does not depend on it and that otherwise makes the whole expression
unknown, so a rule never fires on it. `has()` sees an unknown field as present and `known(x)`
tells the two apart.
"""

from __future__ import annotations

import json as _json
import re
from typing import Any, Callable, Mapping

import celpy
import lark
from celpy import celtypes
from celpy.evaluation import Activation, CELEvalError, Evaluator

from ptclint.model import Unknown


class CelSyntaxError(Exception):
    def __init__(self, message: str, line: int | None, column: int | None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class UnknownValue(CELEvalError):
    """An IaC value that could not be resolved; carries the reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"unknown: {reason}")
        self.reason = reason


class EvaluationFailed(Exception):
    """A rule expression failed at run time (not an unknown value)."""


class UnknownResult(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnknownInside(Exception):
    """A helper met an unknown value nested in its argument (a template prefix, a rule URL)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def known_value(value: Any) -> Any:
    if isinstance(value, Unknown):
        raise UnknownInside(value.reason)
    return value


# ---------------------------------------------------------------- hosts and kinds

_FIXED_HOSTS = {
    "public.ecr.aws": "ecr-public",
    "registry.k8s.io": "k8s",
    "quay.io": "quay",
    "registry-1.docker.io": "docker-hub",
    "ghcr.io": "github-container-registry",
    "registry.gitlab.com": "gitlab-container-registry",
    "cgr.dev": "chainguard",
}
_CANONICAL = {kind: host for host, kind in _FIXED_HOSTS.items()}
_ECR_HOST = re.compile(r"^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$")
_ACR_HOST = re.compile(r"^[a-z0-9]+\.azurecr\.io$")
_ARN = re.compile(r"^arn:([^:]*):([^:]*):([^:]*):([^:]*):(.+)$", re.S)


def url_host(url: str) -> str:
    s = str(url).strip().lower()
    s = re.sub(r"^[a-z][a-z0-9+.-]*://", "", s)
    s = s.split("/", 1)[0].split("@")[-1]
    return s.split(":", 1)[0]


def upstream_kind(url: str) -> str:
    host = url_host(url)
    if host in _FIXED_HOSTS:
        return _FIXED_HOSTS[host]
    if _ECR_HOST.match(host):
        return "ecr"
    if _ACR_HOST.match(host):
        return "azure-container-registry"
    return ""


_TOKEN = re.compile(r"\$\{[^}]*\}")


def parse_arn(s: str) -> dict[str, Any]:
    """ARN parts; `${AWS::Region}`-style tokens (which contain colons) stay whole."""
    tokens: list[str] = []

    def hide(m: re.Match) -> str:
        tokens.append(m.group(0))
        return f"\x00{len(tokens) - 1}\x00"

    m = _ARN.match(_TOKEN.sub(hide, str(s)))
    parts = m.groups() if m else ("",) * 5
    restore = lambda p: re.sub(r"\x00(\d+)\x00", lambda t: tokens[int(t.group(1))], p)  # noqa: E731
    names = ("partition", "service", "region", "account", "resource")
    return {"valid": bool(m), **{n: restore(p) for n, p in zip(names, parts)}}


def norm_prefix(p: str) -> str:
    p = str(p)
    return p[:-1] if p.endswith("/") else p


def prefix_covers(ancestor: str, p: str) -> bool:
    a, q = norm_prefix(ancestor), norm_prefix(p)
    return a == "ROOT" or a == q or q.startswith(a + "/")


def templates_for(templates: list, p: str) -> list:
    covering = [t for t in templates if "prefix" in t and prefix_covers(known_value(t["prefix"]), p)]

    def specificity(t: Mapping) -> int:
        pre = norm_prefix(t["prefix"])
        return -1 if pre == "ROOT" else len(pre)

    return sorted(covering, key=specificity, reverse=True)


def policy_statements(doc: Any) -> list:
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


# ---------------------------------------------------------------- conversion

def to_cel(value: Any) -> Any:
    """Plain Python (and model.Unknown) to CEL values."""
    if isinstance(value, Unknown):
        return UnknownValue(value.reason)
    if isinstance(value, CELEvalError):
        return value
    if isinstance(value, bool):
        return celtypes.BoolType(value)
    if isinstance(value, int):
        return celtypes.IntType(value)
    if isinstance(value, float):
        return celtypes.DoubleType(value)
    if isinstance(value, str):
        return celtypes.StringType(value)
    if value is None:
        return None
    if isinstance(value, Mapping):  # a null field is an absent field, as in the API
        return celtypes.MapType({celtypes.StringType(k): to_cel(v) for k, v in value.items() if v is not None})
    if isinstance(value, (list, tuple)):
        return celtypes.ListType([to_cel(v) for v in value])
    return celtypes.StringType(str(value))


def to_python(value: Any) -> Any:
    if isinstance(value, UnknownValue):
        return Unknown(value.reason)
    if isinstance(value, celtypes.BoolType):
        return bool(value)
    if isinstance(value, celtypes.IntType):
        return int(value)
    if isinstance(value, celtypes.DoubleType):
        return float(value)
    if isinstance(value, celtypes.StringType):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): to_python(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_python(v) for v in value]
    return value


def _wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Expose a plain-Python helper to CEL: convert arguments in and the result out."""

    def call(*args: Any) -> Any:
        try:
            return to_cel(fn(*(to_python(a) for a in args)))
        except UnknownInside as exc:
            return UnknownValue(exc.reason)
        except (ValueError, TypeError, KeyError) as exc:
            return CELEvalError(f"{fn.__name__}: {exc}", exc.__class__, exc.args)

    call.__name__ = fn.__name__
    return call


def _rule_kind(rule: Mapping) -> str:
    if rule.get("upstreamRegistry"):
        return str(known_value(rule["upstreamRegistry"]))
    return upstream_kind(known_value(rule.get("upstreamRegistryUrl", "")))


def _ecr_account(url: str) -> str:
    m = _ECR_HOST.match(url_host(url))
    return m.group(1) if m else ""


def _ecr_region(url: str) -> str:
    m = _ECR_HOST.match(url_host(url))
    return m.group(2) if m else ""


def _json_decode(s: str) -> Any:
    return _json.loads(s)


def is_symbolic(value: Any) -> bool:
    """A pseudo parameter left unresolved, such as `${AWS::AccountId}` (see design: symbolic values)."""
    return isinstance(value, str) and "${" in value


_PSEUDO_EXAMPLES = {
    "${AWS::Partition}": "aws",
    "${AWS::Region}": "us-east-1",
    "${AWS::AccountId}": "000000000000",
    "${AWS::URLSuffix}": "amazonaws.com",
}


def _concrete(s: str) -> str:
    """A symbolic string with typical values in place of pseudo parameters, for shape checks."""
    for token, example in _PSEUDO_EXAMPLES.items():
        s = s.replace(token, example)
    return s


def _same(a: Any, b: Any) -> Any:
    """Equal values are the same; a symbolic value differs from a concrete one only by chance: unknown."""
    if a == b:
        return True
    if is_symbolic(a) or is_symbolic(b):
        return Unknown("compares a value that depends on an unresolved pseudo parameter")
    return False


def _prefix_of(item: Any, field: str) -> Any:
    return known_value(item.get(field)) if isinstance(item, Mapping) else None


def _earlier_same_prefix(items: list, field: str, index: int) -> int:
    """Index of the first item before `index` whose `field` is the same prefix (x == x/), else -1."""
    mine = _prefix_of(items[index], field)
    if not isinstance(mine, str):
        return -1
    for i in range(index):
        other = _prefix_of(items[i], field)
        if isinstance(other, str) and norm_prefix(other) == norm_prefix(mine):
            return i
    return -1


def _ancestors(items: list, field: str, prefix: str) -> list:
    """Indexes of the items whose `field` is a strict ancestor of `prefix` (ROOT included), nearest first."""
    found = []
    for i, item in enumerate(items):
        other = _prefix_of(item, field)
        if isinstance(other, str) and _is_ancestor(other, prefix):
            found.append(i)
    return sorted(found, key=lambda i: 0 if norm_prefix(items[i][field]) == "ROOT" else -len(norm_prefix(items[i][field])))


def _is_json(s: Any) -> bool:
    try:
        _json.loads(s)
    except (TypeError, ValueError):
        return False
    return True


def _is_ancestor(a: str, p: str) -> bool:
    return prefix_covers(a, p) and norm_prefix(a) != norm_prefix(p)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    name: _wrap(fn)
    for name, fn in {
        "urlHost": url_host,
        "upstreamKind": upstream_kind,
        "ruleKind": _rule_kind,
        "canonicalHost": lambda kind: _CANONICAL.get(kind, ""),
        "arn": parse_arn,
        "ecrHostAccount": _ecr_account,
        "ecrHostRegion": _ecr_region,
        "normPrefix": norm_prefix,
        "prefixCovers": prefix_covers,
        "isAncestor": _is_ancestor,
        "templatesFor": templates_for,
        "json": _json_decode,
        "isJson": _is_json,
        "earlierSamePrefix": _earlier_same_prefix,
        "ancestors": _ancestors,
        "policyStatements": policy_statements,
        "lowerAscii": lambda s: str(s).lower(),
        "same": _same,
        "isSymbolic": is_symbolic,
        "concrete": _concrete,
    }.items()
}


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
        if account and (v == account or (parse_arn(v)["account"] == account and parse_arn(v)["resource"] == "root")):
            return True
    return False


def for_principal(doc: Any, principal: Any) -> dict:
    """The statements of a resource policy (registry policy) that apply to `principal` (a role ARN,
    an account root ARN, an account id or a service name): Principal `*`, the ARN itself, or its
    account (id or root ARN); a NotPrincipal statement applies unless it names the principal."""
    who = _known_str(principal)
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
    if not account or is_symbolic(account) or parse_arn(_known_str(principal))["account"] == account:
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
        parts.append("*" if not isinstance(value, str) or not value or is_symbolic(value) else value)
    p = norm_prefix(_known_str(prefix))
    repo = "repository/*" if p == "ROOT" else f"repository/{p}/*"
    return f"arn:{parts[0]}:ecr:{parts[1]}:{parts[2]}:{repo}"


def policy_actions(doc: Any) -> list:
    """Every `Action` entry of every statement (not `NotAction`), in order."""
    return [a for st in policy_statements(_policy_doc(doc)) for a in _documents(st.get("Action", []))]


FUNCTIONS.update(
    {
        name: _wrap(fn)
        for name, fn in {
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
        }.items()
    }
)


# ---------------------------------------------------------------- compile and evaluate

def _register_helper_modules() -> None:
    """Plain-Python helpers of other modules (policy analysis, templates), wrapped for CEL."""
    from ptclint import policy, templates

    for module in (policy, templates):
        for name, fn in module.FUNCTIONS.items():
            FUNCTIONS[name] = _wrap(fn)


_register_helper_modules()


def _logical(op: str) -> Callable[[Any, Any], Any]:
    """CEL's commutative && and ||, where two unknowns stay unknown (celpy raises a TypeError)."""

    def combine(x: Any, y: Any) -> Any:
        absorbing = celtypes.BoolType(op == "||")  # true || anything, false && anything
        if isinstance(x, celtypes.BoolType) and isinstance(y, celtypes.BoolType):
            return celtypes.BoolType((x or y) if op == "||" else (x and y))
        for a, b in ((x, y), (y, x)):
            if isinstance(a, celtypes.BoolType):
                return a if a == absorbing else b
        # neither is a bool: a real error outranks an unknown
        for v in (x, y):
            if isinstance(v, CELEvalError) and not isinstance(v, UnknownValue):
                return v
        if isinstance(x, UnknownValue):
            return x
        return CELEvalError(f"no such overload: {type(x).__name__} {op} {type(y).__name__}")

    return combine


def _index(container: Any, key: Any) -> Any:
    """`a[k]` where an unknown container or key makes the result unknown (celpy raises instead)."""
    for v in (container, key):
        if isinstance(v, CELEvalError):
            return v
    return container[key]


def _contains(item: Any, container: Any) -> Any:
    """`x in list`: not found among known elements but the list holds an unknown one -> unknown."""
    for v in (item, container):
        if isinstance(v, CELEvalError):
            return v
    unknown = None
    for element in container:
        if isinstance(element, UnknownValue):
            unknown = unknown or element
            continue
        try:
            if element == item:
                return celtypes.BoolType(True)
        except TypeError:
            continue
    return unknown if unknown is not None else celtypes.BoolType(False)


FUNCTIONS["_in_"] = _contains
FUNCTIONS["_&&_"] = _logical("&&")
FUNCTIONS["_||_"] = _logical("||")
FUNCTIONS["_[_]"] = _index
# exists()/all() reduce with celtypes.logical_or/_and directly; give them the same semantics.
celtypes.logical_or = _logical("||")  # type: ignore[assignment]
celtypes.logical_and = _logical("&&")  # type: ignore[assignment]


class _Evaluator(Evaluator):
    """celpy's evaluator, aware of unknown values."""

    def sub_evaluator(self, ast: lark.Tree) -> Evaluator:  # macros (exists, map, ...) evaluate alike
        return _Evaluator(ast, activation=self.activation)

    def member_dot_arg(self, tree: lark.Tree) -> Any:
        """`list.filter(x, p)`: an unknown (or failed) predicate makes the whole list unknown."""
        if tree.children[1].value != "filter":
            return super().member_dot_arg(tree)
        items = self.visit(tree.children[0])
        if isinstance(items, CELEvalError):
            return items
        predicate = self.build_macro_eval(tree)

        def judge(item: Any) -> Any:
            try:
                return predicate(item)
            except CELEvalError as err:  # the nested evaluator raises error results
                return err

        results = [(item, judge(item)) for item in items]
        errors = [r for _, r in results if isinstance(r, CELEvalError)]
        if errors:
            return next((e for e in errors if not isinstance(e, UnknownValue)), errors[0])
        return celtypes.ListType([item for item, r in results if r])

    def expr(self, tree: lark.Tree) -> Any:
        if len(tree.children) == 3:  # c ? a : b with an unknown or failed condition is that value
            cond = self.visit(tree.children[0])
            if isinstance(cond, CELEvalError):
                return cond
            return self.visit(tree.children[1] if cond else tree.children[2])
        return super().expr(tree)

    def macro_has_eval(self, exprlist: lark.Tree) -> celtypes.BoolType:
        value = self.visit_children(exprlist)[0]
        return celtypes.BoolType(isinstance(value, UnknownValue) or not isinstance(value, CELEvalError))

    def function_eval(self, name_token: lark.Token, exprlist: Any = None) -> Any:
        if name_token.value == "known":
            args = list(exprlist or [])
            if len(args) != 1:
                return CELEvalError("known() takes one argument")
            if isinstance(args[0], UnknownValue):
                return celtypes.BoolType(False)
            if isinstance(args[0], CELEvalError):
                return args[0]
            return celtypes.BoolType(True)
        return super().function_eval(name_token, exprlist)


_PARSER: Any = None


def _parser() -> Any:
    global _PARSER
    if _PARSER is None:
        from celpy.celparser import CELParser

        _PARSER = CELParser()
    return _PARSER


def compile_expr(text: str) -> lark.Tree:
    """Parse a CEL expression; raises CelSyntaxError with the position inside the expression."""
    from celpy.celparser import CELParseError

    try:
        return _parser().parse(text)
    except CELParseError as exc:
        first = str(exc.args[0]).strip().splitlines()[0] if exc.args else "syntax error"
        raise CelSyntaxError(first, exc.line, exc.column) from None
    except lark.exceptions.LarkError as exc:  # defensive: lark errors the wrapper missed
        raise CelSyntaxError(str(exc).splitlines()[0], None, None) from None


def evaluate(ast: lark.Tree, variables: Mapping[str, Any]) -> Any:
    """Evaluate a compiled expression. `variables` must already be CEL values (see to_cel).

    Returns a plain Python value; raises UnknownResult or EvaluationFailed.
    """
    activation = Activation(annotations={}, functions=FUNCTIONS, vars=dict(variables))
    evaluator = _Evaluator(ast=ast, activation=activation)
    try:
        value = evaluator.visit(ast)
    except RecursionError:
        raise EvaluationFailed("expression nested too deeply") from None
    except Exception as exc:  # celpy raises assorted exceptions for type misuse
        raise EvaluationFailed(f"{exc.__class__.__name__}: {exc}") from None
    if isinstance(value, UnknownValue):
        raise UnknownResult(value.reason)
    if isinstance(value, CELEvalError):
        raise EvaluationFailed(_error_text(value))
    return to_python(value)


def _error_text(err: CELEvalError) -> str:
    text = str(err.args[0]) if err.args else "evaluation error"
    return text.split(" (in activation", 1)[0]


__all__ = [
    "CelSyntaxError",
    "EvaluationFailed",
    "UnknownResult",
    "UnknownValue",
    "compile_expr",
    "evaluate",
    "to_cel",
    "celpy",
]
