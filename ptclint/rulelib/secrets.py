"""Pull through cache secrets and the ARNs that name them: secrets no rule references, placeholders
left in ARNs, the shape of a secret value an input declares."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from ptclint.model import Unknown
from ptclint.rulelib.aws import is_symbolic, parse_arn
from ptclint.rulelib.tri import (
    and_,
    apply,
    at,
    concat,
    ends_with,
    eq,
    exists,
    fields,
    filter_,
    get,
    gt,
    has,
    in_,
    known,
    known_str,
    matches,
    ne,
    not_,
    or_,
    problems,
    size,
    starts_with,
    string,
    ternary,
    text,
)


def _references(rule: Any, key: str, secrets: Mapping[str, Any]) -> Any:
    """PTC rule `rule` references secret `secrets[key]`: by the key, by name (a partial ARN ending in
    :secret:<name>), as a partial ARN its full ARN extends, or through the secret its own reference
    was resolved to (the same ARN)."""
    ref, mine = get(rule, "credentialArn"), secrets[key]
    full, theirs = get(mine, "secret", "ARN"), at(secrets, ref)
    return and_(
        has(rule, "credentialArn"), lambda: apply(lambda x: isinstance(x, str), ref),
        lambda: or_(
            lambda: eq(ref, key),
            lambda: ends_with(ref, concat(":secret:", get(mine, "secret", "Name"))),
            lambda: and_(has(mine, "secret", "ARN"), lambda: starts_with(string(full), concat(ref, "-"))),
            lambda: and_(lambda: in_(ref, secrets), lambda: eq(get(theirs, "status"), "found"),
                         has(theirs, "secret", "ARN"), has(mine, "secret", "ARN"),
                         lambda: eq(get(theirs, "secret", "ARN"), full)),
        ),
    )


def _orphan(key: str, secrets: Mapping[str, Any], rules: Any) -> Any:
    lookup = secrets[key]
    return and_(
        lambda: eq(get(lookup, "status"), "found"), has(lookup, "secret", "Name"),
        lambda: starts_with(string(get(lookup, "secret", "Name")), "ecr-pullthroughcache/"),
        not has(lookup, "secret", "DeletedDate"), not has(lookup, "declared"),
        lambda: not_(exists(rules, lambda r: _references(r, key, secrets))),
    )


def unreferenced_ptc_secrets(secrets: Any, rules: Any) -> Any:
    """The keys of `secrets` (lookups keyed by ARN) that are pull through cache secrets
    (found, Name starting with ecr-pullthroughcache/), not scheduled for deletion, not declared in the
    input's IaC, and referenced by none of the PTC rules `rules`: not by the key, not by name, not as
    a partial ARN, not through the secret a rule's reference was resolved to."""
    def check(key: str) -> tuple[Callable[[], Any], Callable[[], str]]:
        return (lambda: _orphan(key, secrets, rules), lambda: key)

    return problems([check(k) for k in secrets])


# ---------------------------------------------------------------- placeholders in ARNs


_ANGLE = re.compile(r"<[^<>]*>")


_BRACE = re.compile(r"[{}]")


_ONLY_PSEUDO_BRACES = re.compile(r"^(?:[^{}]|\$\{AWS::[A-Za-z]+\})*\Z")


_SHELL = re.compile(r"\$[A-Za-z_]")


_UPPER_WORD = re.compile(r"(^|[^A-Za-z0-9])(YOUR|TODO|FIXME|CHANGEME|CHANGE_ME|REPLACE|PLACEHOLDER|EXAMPLE)([^a-z]|\Z)")


_ANY_CASE_WORD = re.compile(
    r"(?i)(^|[^a-z0-9])(change[-_]?me|replace[-_]?(me|this|with)|your[-_]?(aws[-_]?)?"
    r"(account|acct|role|secret|region|registry|org|company|name|arn)([-_]?(id|name|number|arn))?|placeholder|x{4,})"
    r"([^a-z0-9]|\Z)")


_ACCOUNT_ID = re.compile(r"^[0-9]{12}\Z")


_DOC_ACCOUNTS = ("123456789012", "111122223333", "444455556666")


def _arn_fields_placeholder(arn: str, account: Any) -> str:
    p = parse_arn(arn)
    if p["valid"] and p["account"] != "" and not is_symbolic(p["account"]) and re.search("[^0-9]", p["account"]):
        return f"the account field '{p['account']}' where a 12-digit account id belongs"
    if p["valid"] and p["region"] != "" and not is_symbolic(p["region"]) and not re.search("[0-9]", p["region"]):
        return f"the Region field '{p['region']}' where a Region name belongs"
    if (isinstance(account, str) and _ACCOUNT_ID.search(account) and p["valid"] and p["account"] in _DOC_ACCOUNTS
            and p["account"] != account):
        return f"the AWS documentation example account {p['account']}, while this registry is in account {account}"
    return ""


def _placeholder(arn: Any, account: Any) -> Any:
    """The first placeholder ARN `arn` holds, described; "" for none."""
    def has(regex: re.Pattern[str]) -> Any:
        return matches(arn, regex)

    return ternary(lambda: has(_ANGLE), lambda: "an <...> placeholder", lambda: ternary(
        lambda: and_(lambda: has(_BRACE), lambda: not_(has(_ONLY_PSEUDO_BRACES))), lambda: "a {...} placeholder",
        lambda: ternary(lambda: has(_SHELL), lambda: "an unexpanded shell variable ($NAME)", lambda: ternary(
            lambda: or_(lambda: has(_UPPER_WORD), lambda: has(_ANY_CASE_WORD)),
            lambda: "a placeholder word (YOUR..., CHANGEME, REPLACE..., TODO, XXXX)",
            lambda: _arn_fields_placeholder(arn, account)))))


def unfilled_arns(rule: Any, account: Any) -> Any:
    """The ARNs of PTC rule `rule` (credentialArn, customRoleArn) that still hold a
    placeholder, each described for a message (`customRoleArn arn:aws:iam::<ACCOUNT_ID>:role/x
    contains an <...> placeholder`): <...>; {...} other than pseudo parameters (${AWS::AccountId}); a
    $NAME shell variable; a placeholder word (YOUR..., CHANGEME, REPLACE..., TODO, XXXX); an account
    field with letters; a Region field without a digit; an AWS documentation account id while the
    registry's `account` is known and another one. Unknown when either ARN is unresolved."""
    checks = []
    for name in ("credentialArn", "customRoleArn"):
        if not has(rule, name):
            continue
        arn = rule[name]
        if isinstance(arn, Unknown):
            return arn
        reason = _placeholder(arn, account)
        checks.append((ne(reason, ""), lambda name=name, arn=arn, reason=reason: f"{name} {arn} contains {reason}"))
    return problems(checks)


# ---------------------------------------------------------------- declared secret values


_LOOKALIKES = ["user", "username", "user_name", "login", "email", "password", "passwd", "token", "accesstoken",
               "access_token", "access-token", "pat", "apikey", "api_key", "secret"]


def declared_secret_shape(lookup: Any) -> Any:
    """The value of a secret as the input declares it (a found lookup's `declared`:
    `valueIsJsonObject`, and `valueKeys` for a JSON object). Returns `{judged, valid, message}`:
    `judged` when the loader could reduce the value to its shape; `valid` when it is a JSON object
    with the keys username and accessToken (case-sensitive); `message` (going on from "whose value as
    declared here ") describes it with its keys, the missing ones and look-alikes, never values."""
    declared = get(lookup, "declared")
    json_object, keys = get(declared, "valueIsJsonObject"), get(declared, "valueKeys")
    is_object = eq(json_object, True)
    with_keys = and_(is_object, lambda: gt(size(keys), 0))

    def lookalikes() -> Any:
        return filter_(keys, lambda k: and_(lambda: ne(k, "username"), lambda: ne(k, "accessToken"),
                                            lambda: in_(apply(lambda x: str(x).lower(), k), _LOOKALIKES)))

    some_lookalikes = and_(is_object, lambda: gt(size(lookalikes()), 0))
    message = [
        ternary(lambda: not_(is_object),
                 lambda: "is not a JSON object (it is a plain string, a generated random string or another JSON value)",
                 lambda: ternary(lambda: eq(size(keys), 0), lambda: "is an empty JSON object",
                                  lambda: "is a JSON object with the keys ")),
        ternary(with_keys, lambda: keys, lambda: ""),
        ternary(with_keys, lambda: "; it lacks ", lambda: ""),
        ternary(with_keys, lambda: filter_(["username", "accessToken"], lambda k: not_(in_(k, keys))), lambda: ""),
        ternary(some_lookalikes, lambda: " (look-alikes that do not count: ", lambda: ""),
        ternary(is_object, lookalikes, lambda: ""),
        ternary(some_lookalikes, lambda: ")", lambda: ""),
    ]
    return fields(
        judged=and_(lambda: eq(get(lookup, "status"), "found"), has(lookup, "declared", "valueIsJsonObject"),
                    lambda: or_(lambda: eq(json_object, False), has(lookup, "declared", "valueKeys"))),
        valid=and_(is_object, lambda: in_("username", keys), lambda: in_("accessToken", keys)),
        message="".join(text(part) for part in message),
    )


def secret_name(arn: Any, secrets: Any) -> str:
    """The name of the secret `arn` names: the name the input declares for it or the looked-up
    secret's `Name` when the input carries that secret, else the part of the ARN after `:secret:`
    (which, in a complete ARN, ends with the six characters Secrets Manager appends); `""` when
    `arn` is not a Secrets Manager secret ARN. Unknown when a name it needs is unknown."""
    ref = known_str(arn)
    lookup = secrets.get(ref) if isinstance(secrets, Mapping) else None
    if isinstance(lookup, Mapping) and known(lookup.get("status")) == "found":
        for section, key in (("declared", "name"), ("secret", "Name")):
            part = known(lookup.get(section))
            if isinstance(part, Mapping) and isinstance(known(part.get(key)), str):
                return str(part[key])
    parts = parse_arn(ref)
    resource = str(parts["resource"])
    if not parts["valid"] or parts["service"] != "secretsmanager" or not resource.startswith("secret:"):
        return ""
    return resource.removeprefix("secret:")



def made_up_arn(arn: Any, secrets: Any) -> Any:
    """`arn` is an ARN ptclint made up, not one the input wrote: the key of a secret lookup with
    `arnFrom` (an IaC loader built it from a declared secret's name or name_prefix, or from a data
    source that finds a secret by name). Rules judge the name the user wrote, never such an ARN's
    shape. Unknown for an unresolved `arn`."""
    if isinstance(arn, Unknown):
        return arn
    if not isinstance(arn, str) or not isinstance(secrets, Mapping) or arn not in secrets:
        return False
    lookup = secrets[arn]
    return isinstance(lookup, Mapping) and lookup.get("arnFrom") is not None


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "madeUpArn": made_up_arn,
    "secretName": secret_name,
    "unreferencedPtcSecrets": unreferenced_ptc_secrets,
    "unfilledArns": unfilled_arns,
    "declaredSecretShape": declared_secret_shape,
}
