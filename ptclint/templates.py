"""Creation-template and prefix analysis for rules, in plain Python (exposed to CEL by ptclint.cel).

Rules call these instead of spelling the logic out in CEL: cel-python parses and walks long
expressions slowly, and a helper here is easier to test than forty lines of CEL.

Every function in `FUNCTIONS` is registered under its CEL name by `ptclint.cel`, which converts the
CEL arguments to plain Python (dict, list, str, int, float, bool; `model.Unknown` for a value the
input could not resolve) and the result back. The helpers judge as ptclint's CEL does:

- a part whose answer does not matter is ignored (`false && x`, `true || x`), so a known problem is
  still found next to a field the input could not resolve;
- an answer that depends on an unresolved value is `Unknown(reason)`: the rule's outcome is then
  "could not be judged", never a finding;
- a value of the wrong type (a number where a string belongs) is an evaluation error: the helper
  raises `ValueError`, or a field of its answer holds CEL's error value.

Helpers that collect problems return the ones found; when none is found but one could not be
judged, they return `Unknown` (or raise for an error) instead of an empty list. Text for messages
prints a part that could not be judged as `(unknown)`, as the engine does.

This module imports nothing from `ptclint.cel` or `ptclint.policy` at import time (cel imports both
to register them): the helpers it shares with them (prefixes, ARNs, URLs, IAM policy evaluation)
are looked up when called.
"""

from __future__ import annotations

import json as _json
import re
from typing import Any, Callable, Mapping

from ptclint.model import Unknown

PTC = "PULL_THROUGH_CACHE"
SCENARIOS = ("PULL_THROUGH_CACHE", "REPLICATION", "CREATE_ON_PUSH")
_UNKNOWN_TEXT = "(unknown)"  # how the engine prints a message part it could not judge


# ---------------------------------------------------------------- shared with ptclint.cel


def _cel() -> Any:
    from ptclint import cel

    return cel


def _policy_fn(name: str) -> Callable[..., Any]:
    """An IAM-policy helper (trusts, allows_on, principal_can, ...): ptclint.policy's, or ptclint.cel's
    where an older tree still keeps it there."""
    from ptclint import policy

    fn = getattr(policy, name, None)
    return fn if fn is not None else getattr(_cel(), name)


def _norm(p: Any) -> str:
    return _cel().norm_prefix(p)


# ---------------------------------------------------------------- CEL semantics
#
# A judged part is True / False, an `Unknown` (the input could not resolve a value it needs) or an
# `_Error` (a missing field, a value of the wrong type). As in ptclint's CEL, `&&` is false when any
# part is false, else an error when any part is one, else unknown when any part is; `||` likewise
# with true. Parts are values or thunks (called, their failures caught): CEL evaluates both sides.


class _Error:
    """A part that failed."""

    __slots__ = ("why",)

    def __init__(self, why: str) -> None:
        self.why = why

    def __repr__(self) -> str:
        return f"<error: {self.why}>"


def _undecided(v: Any) -> bool:
    return isinstance(v, (Unknown, _Error))


def _eval(part: Any) -> Any:
    """The value of a part: a thunk is called; an unresolved value it meets makes it Unknown, a
    failure an _Error."""
    if not callable(part):
        return part
    try:
        return part()
    except _cel().UnknownInside as exc:
        return Unknown(exc.reason)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        return _Error(f"{exc.__class__.__name__}: {exc}")


def _combine(values: list, absorbing: bool) -> Any:
    if any(v is absorbing for v in values):
        return absorbing
    for kind in (_Error, Unknown):
        for v in values:
            if isinstance(v, kind):
                return v
    if all(isinstance(v, bool) for v in values):
        return not absorbing
    return _Error("no such overload: a logical operator on a value that is not a bool")


def _and(*parts: Any) -> Any:
    return _combine([_eval(p) for p in parts], False)


def _or(*parts: Any) -> Any:
    return _combine([_eval(p) for p in parts], True)


def _not(part: Any) -> Any:
    v = _eval(part)
    if isinstance(v, bool):
        return not v
    return v if _undecided(v) else _Error("no such overload: ! on a value that is not a bool")


def _ternary(cond: Any, yes: Callable[[], Any], no: Callable[[], Any]) -> Any:
    """`cond ? yes : no`: an undecided condition is the answer."""
    c = _eval(cond)
    if _undecided(c):
        return c
    if not isinstance(c, bool):
        return _Error("no such overload: ?: on a value that is not a bool")
    return _eval(yes if c else no)


def _members(container: Any) -> Any:
    """What a CEL macro iterates: list items, map keys, or a string's characters."""
    if _undecided(container):
        return container
    if isinstance(container, (list, tuple, str)):
        return list(container)
    if isinstance(container, Mapping):
        return list(container.keys())
    return _Error(f"cannot iterate over a {type(container).__name__}")


def _exists(container: Any, pred: Callable[[Any], Any]) -> Any:
    items = _members(container)
    return items if _undecided(items) else _combine([_eval(lambda x=x: pred(x)) for x in items], True)


def _all(container: Any, pred: Callable[[Any], Any]) -> Any:
    items = _members(container)
    return items if _undecided(items) else _combine([_eval(lambda x=x: pred(x)) for x in items], False)


def _filter(container: Any, pred: Callable[[Any], Any]) -> Any:
    """`filter`: undecided as a whole when the predicate is for any item (an error first)."""
    items = _members(container)
    if _undecided(items):
        return items
    judged = [_eval(lambda x=x: pred(x)) for x in items]
    for kind in (_Error, Unknown):
        for v in judged:
            if isinstance(v, kind):
                return v
    return [x for x, v in zip(items, judged) if v is True]


def _map(container: Any, fn: Callable[[Any], Any]) -> Any:
    """`map`: an item whose value is undecided fails the whole map (an error)."""
    items = _members(container)
    if _undecided(items):
        return items
    out = [_eval(lambda x=x: fn(x)) for x in items]
    bad = next((v for v in out if _undecided(v)), None)
    return _Error(f"map: {bad!r}") if bad is not None else out


def _apply(fn: Callable[..., Any], *args: Any) -> Any:
    """A function call: the first undecided argument is the answer, as CEL does."""
    for a in args:
        if _undecided(a):
            return a
    return _eval(lambda: fn(*args))


def _get(obj: Any, *path: str) -> Any:
    """`obj.a.b`: unknown when a step is, an error when a field is missing (null counts as missing)."""
    for name in path:
        if _undecided(obj):
            return obj
        if not isinstance(obj, Mapping) or obj.get(name) is None:
            return _Error(f"no such key: {name}")
        obj = obj[name]
    return obj


def _has(obj: Any, *path: str) -> bool:
    """`has(obj.a.b)`: the last field is present, or the object holding it is unresolved."""
    parent = _get(obj, *path[:-1])
    if isinstance(parent, Unknown):
        return True
    return isinstance(parent, Mapping) and parent.get(path[-1]) is not None


def _at(container: Any, key: Any) -> Any:
    """`container[key]` for a map."""
    for v in (container, key):
        if _undecided(v):
            return v
    if isinstance(container, Mapping) and key in container:
        return container[key]
    return _Error(f"no such key: {key}")


def _index(items: Any, i: int) -> Any:
    if _undecided(items):
        return items
    return items[i] if isinstance(items, list) and -len(items) <= i < len(items) else _Error("index out of range")


def _known(v: Any) -> Any:
    return v if isinstance(v, _Error) else not isinstance(v, Unknown)


def _kind(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    for kind, types in (("int", int), ("double", float), ("string", str), ("list", (list, tuple)), ("map", Mapping)):
        if isinstance(v, types):
            return kind
    return "null" if v is None else type(v).__name__


def _cel_equal(x: Any, y: Any) -> bool:
    """cel-python's `==`: values of one type compare; a string and a bool, or a string and null, are
    unequal; a bool equals the int it stands for; other mixes raise TypeError."""
    kx, ky = _kind(x), _kind(y)
    if kx == ky or (kx, ky) == ("bool", "int"):
        return x == y
    if {kx, ky} == {"string", "bool"} or (kx, ky) == ("string", "null"):
        return False
    raise TypeError(f"no such overload: {kx} == {ky}")


def _eq(a: Any, b: Any) -> Any:
    return _apply(_cel_equal, a, b)


def _ne(a: Any, b: Any) -> Any:
    return _not(_eq(a, b))


def _in(item: Any, container: Any) -> Any:
    """`item in container` (list items, map keys, a string's characters): not found among the known
    items of a list that holds an unresolved one is unknown."""
    for v in (item, container):
        if _undecided(v):
            return v
    items = _members(container)
    if _undecided(items):
        return items
    unknown = None
    for x in items:
        if isinstance(x, Unknown):
            unknown = unknown or x
            continue
        try:
            if _cel_equal(x, item):
                return True
        except TypeError:
            continue
    return unknown if unknown is not None else False


def _typed(fn: Callable[..., Any], *types: type) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        if not all(isinstance(a, t) for a, t in zip(args, types)):
            raise TypeError(f"no such overload: {fn.__name__} on {', '.join(_kind(a) for a in args)}")
        return fn(*args)

    call.__name__ = fn.__name__
    return call


def _size(v: Any) -> Any:
    return _apply(_typed(len, (str, list, tuple, Mapping)), v)


def _gt(v: Any, n: int) -> Any:
    return _apply(lambda x: x > n, v)


def _matches(s: Any, regex: re.Pattern) -> Any:
    return _apply(_typed(lambda x: regex.search(x) is not None, str), s)


def _starts_with(s: Any, prefix: Any) -> Any:
    return _apply(_typed(str.startswith, str, str), s, prefix)


def _ends_with(s: Any, suffix: Any) -> Any:
    return _apply(_typed(str.endswith, str, str), s, suffix)


def _concat(*parts: Any) -> Any:
    return _apply(_typed(lambda *xs: "".join(xs), *(str,) * len(parts)), *parts)


def _cel_string(v: Any) -> Any:
    """CEL's `string(x)` as cel-python spells it (`True` for true)."""
    return _apply(_typed(lambda x: ("True" if x else "False") if isinstance(x, bool) else str(x), (str, int, float)), v)


def _text(v: Any, nested: bool = False) -> str:
    """A value as a message prints it (engine._text): `(unknown)` for an unresolved value (one inside a
    list keeps its representation), `(?)` for an error."""
    if isinstance(v, Unknown) and not nested:
        return _UNKNOWN_TEXT
    if isinstance(v, _Error):
        return "(?)"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return ", ".join(_text(x, True) for x in v)
    return str(v)


def _result(v: Any) -> Any:
    """A helper's answer for CEL: an _Error becomes an evaluation error."""
    if isinstance(v, _Error):
        raise ValueError(v.why)
    return v


def _fields(answer: dict) -> dict:
    """A helper's map answer for CEL: a field that failed is an evaluation error where a rule reads it."""
    return {k: _cel().CELEvalError(v.why) if isinstance(v, _Error) else v for k, v in answer.items()}


def _problems(checks: list) -> Any:
    """Run `(judged, text)` checks: the texts of those judged true; without any, Unknown (or an
    error) when some check could not be judged, else []."""
    judged = [_eval(j) for j, _ in checks]
    hits = [text() for v, (_, text) in zip(judged, checks) if v is True]
    if hits or not any(_undecided(v) for v in judged):
        return hits
    return _result(_combine(judged, True))


def _decodes(s: Any) -> bool:
    try:
        _json.loads(s)
    except (TypeError, ValueError):
        return False
    return True


# ---------------------------------------------------------------- general


def applies_to(template: Any, scenario: Any) -> Any:
    """True when the template's `appliedFor` lists `scenario` (`PULL_THROUGH_CACHE`, ...); unknown when
    it could list it only through an unresolved value."""
    return _result(_applies(template, scenario))


def _applies(template: Any, scenario: Any) -> Any:
    return _and(lambda: _in("appliedFor", template),
                lambda: _exists(_get(template, "appliedFor"), lambda a: _eq(a, scenario)))


def join_text(items: Any, separator: Any) -> str:
    """The strings of `items` joined with `separator`."""
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ValueError("joinText() takes a list of strings")
    return str(separator).join(items)


def _covering(templates: Any, prefix: Any) -> Any:
    """Indexes of the templates covering `prefix`, most specific first (cel.templates_for); unknown
    when a template's prefix is unresolved."""
    def indexes(items: list, p: Any) -> list:
        position = {id(t): i for i, t in enumerate(items)}
        return [position[id(t)] for t in _cel().templates_for(items, p)]

    return _apply(indexes, templates, prefix)


def covers_ptc_rule(prefix: Any, rules: Any) -> Any:
    """True when template prefix `prefix` is ROOT or covers some PTC rule's prefix (the rule's own
    prefix or an ancestor of it); rules whose prefix is unresolved do not count."""
    covers = _cel().prefix_covers
    return _result(_or(
        lambda: _eq(_apply(_norm, prefix), "ROOT"),
        lambda: _exists(rules, lambda r: _and(lambda: _known(_get(r, "ecrRepositoryPrefix")),
                                              lambda: _apply(covers, prefix, _get(r, "ecrRepositoryPrefix")))),
    ))


# ---------------------------------------------------------------- PTC-RCT-013 API constraints

_PREFIX_PATTERN = re.compile(r"^([a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*\/?|ROOT)\Z")
_BLANK = re.compile(r"^[\t\n\f\r ]*\Z")  # RE2's \s, as CEL's matches() reads it
_FILTER_PATTERN = re.compile(r"^[0-9a-zA-Z._*-]{1,128}\Z")
_MUTABILITY = ["MUTABLE", "IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION"]
_WITH_EXCLUSION = ["IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION"]
_ENCRYPTION = ["AES256", "KMS", "KMS_DSSE"]


def _not_json_object(s: Any) -> Any:
    if _undecided(s):
        return s
    return not (isinstance(s, str) and _decodes(s) and isinstance(_json.loads(s), dict))


def _bad_exclusion_filter(f: Any) -> Any:
    return _or(lambda: _not(_in("filterType", f)), lambda: _ne(_get(f, "filterType"), "WILDCARD"),
               lambda: _not(_in("filter", f)), lambda: _not(_matches(_get(f, "filter"), _FILTER_PATTERN)))


def _exclusion_filter_text(f: Any) -> str:
    name = _text(_cel_string(_get(f, "filter"))) if _in("filter", f) is True else "(no filter)"
    if _in("filterType", f) is not True:
        return f"'{name}' (no filterType)"
    kind = _get(f, "filterType")
    return f"'{name}'" + ("" if kind == "WILDCARD" else f" (filterType {_text(_cel_string(kind))})")


def _prefix_pattern_reason(prefix: str) -> str:
    if _norm(prefix) == "ROOT":
        return "the keyword ROOT takes no trailing /."
    if re.search("[A-Z]", prefix):
        return "it contains upper-case letters."
    if re.search("[^a-z0-9._/-]", prefix):
        return "it contains characters other than lower-case letters, digits, ., _, - and /."
    return "a part starts or ends with a separator, or separators are doubled."


def _policy_checks(t: Mapping, name: str, limit: int, what: str) -> list:
    value = _get(t, name)
    return [
        (_and(_has(t, name), lambda: _gt(_size(value), limit)),
         lambda: f"Its {name} is {len(value)} characters long; the API allows {limit}."),
        (_and(_has(t, name), lambda: _not(_matches(value, _BLANK)), lambda: _not_json_object(value)),
         lambda: f"Its {name} is JSON but not a JSON object{what}." if _decodes(value)
         else f"Its {name} is not valid JSON."),
    ]


def _duplicates(applied_for: Any) -> Any:
    """The scenarios listed more than once (CEL compared each item with each scenario)."""
    items = _members(applied_for)
    if _undecided(items):
        return items
    for a in items:
        if _undecided(a) or not isinstance(a, str):
            return a if isinstance(a, Unknown) else _Error("no such overload: == on a value that is not a string")
    return [v for v in SCENARIOS if items.count(v) > 1]


def template_constraint_problems(template: Any) -> Any:
    """The constraints of the ECR API (CreateRepositoryCreationTemplate) that the template breaks,
    one sentence each (PTC-RCT-013): prefix present, 1 to 256 characters, matching the API pattern;
    description at most 256 characters; lifecycle and repository policies within their sizes and JSON
    objects; a known imageTagMutability, with an exclusion filter for the *_WITH_EXCLUSION modes;
    at most 5 exclusion filters, each WILDCARD with a valid filter; a known encryptionType; appliedFor
    present, not empty, known values only, no duplicates. Empty description and policies and an empty
    filter list count as not set."""
    t = template if isinstance(template, Mapping) else {}
    prefix, af, mutability = _get(t, "prefix"), _get(t, "appliedFor"), _get(t, "imageTagMutability")
    filters, encryption_type = _get(t, "imageTagMutabilityExclusionFilters"), _get(t, "encryptionConfiguration",
                                                                                       "encryptionType")
    some_filters = _and(_has(t, "imageTagMutabilityExclusionFilters"), lambda: _gt(_size(filters), 0))
    duplicates = _duplicates(af)

    def unknown_scenario(a: Any) -> Any:
        return _not(_in(a, list(SCENARIOS)))

    return _problems([
        (not _has(t, "prefix"), lambda: "It has no prefix, which is required."),
        (_and(_has(t, "prefix"), lambda: _apply(lambda n: n < 1 or n > 256, _size(prefix))),
         lambda: f"Its prefix is {len(prefix)} characters long; the API allows 1 to 256."),
        (_and(_has(t, "prefix"), lambda: _apply(lambda n: n >= 1, _size(prefix)),
              lambda: _not(_matches(prefix, _PREFIX_PATTERN))),
         lambda: "Its prefix does not match the API pattern (the keyword ROOT, or lower-case letters and digits in "
                 "/-separated parts, each part starting and ending with a letter or digit with single separators ., "
                 "_, __ or a run of - inside, and at most one trailing /): " + _prefix_pattern_reason(prefix)),
        (_and(_has(t, "description"), lambda: _gt(_size(_get(t, "description")), 256)),
         lambda: f"Its description is {len(t['description'])} characters long; the API allows 256."),
        *_policy_checks(t, "lifecyclePolicy", 30720, ""),
        *_policy_checks(t, "repositoryPolicy", 10240, " (a policy document)"),
        (_and(_has(t, "imageTagMutability"), lambda: _not(_in(mutability, _MUTABILITY))),
         lambda: f"Its imageTagMutability '{_text(_cel_string(mutability))}' is not one of MUTABLE, IMMUTABLE, "
                 "IMMUTABLE_WITH_EXCLUSION and MUTABLE_WITH_EXCLUSION."),
        (_and(_has(t, "imageTagMutability"), lambda: _in(mutability, _WITH_EXCLUSION), lambda: _not(some_filters)),
         lambda: f"Its imageTagMutability {mutability} needs at least one exclusion filter, and none is set."),
        (_and(_has(t, "imageTagMutabilityExclusionFilters"), lambda: _gt(_size(filters), 5)),
         lambda: f"It has {len(filters)} imageTagMutabilityExclusionFilters; the API allows 1 to 5."),
        (_and(_has(t, "imageTagMutabilityExclusionFilters"), lambda: _exists(filters, _bad_exclusion_filter)),
         lambda: "Each exclusion filter needs filterType WILDCARD and a filter of 1 to 128 letters, digits, ., _, * "
                 "or -; these are invalid: "
                 + ", ".join(_exclusion_filter_text(f) for f in _members(filters) if _bad_exclusion_filter(f) is True)
                 + "."),
        (_and(_has(t, "encryptionConfiguration"),
              lambda: _or(not _has(t, "encryptionConfiguration", "encryptionType"),
                          lambda: _not(_in(encryption_type, _ENCRYPTION)))),
         lambda: "Its encryptionConfiguration has no encryptionType, which is required."
         if not _has(t, "encryptionConfiguration", "encryptionType")
         else f"Its encryptionType '{_text(_cel_string(encryption_type))}' is not one of AES256, KMS and KMS_DSSE."),
        (not _has(t, "appliedFor"), lambda: "It has no appliedFor, which is required."),
        (_and(_has(t, "appliedFor"), lambda: _apply(lambda n: n == 0, _size(af))),
         lambda: "Its appliedFor is empty; it needs at least one of PULL_THROUGH_CACHE, REPLICATION and "
                 "CREATE_ON_PUSH."),
        (_and(_has(t, "appliedFor"), lambda: _exists(af, unknown_scenario)),
         lambda: "Its appliedFor holds values other than PULL_THROUGH_CACHE, REPLICATION and CREATE_ON_PUSH: "
                 + ", ".join(f"'{_text(_cel_string(a))}'" for a in _members(af) if unknown_scenario(a) is True) + "."),
        (_and(_has(t, "appliedFor"), lambda: _apply(lambda d: len(d) > 0, duplicates)),
         lambda: "Its appliedFor lists a value more than once: " + ", ".join(duplicates) + "."),
    ])


# ---------------------------------------------------------------- PTC-RCT-017 lifecycle policies


def _aggressive(r: Any, min_images: Any, min_days: Any) -> Any:
    """Lifecycle rule `r` expires tagged images in general (tagStatus any, or tagged with the pattern
    "*") and keeps at most `min_images` images or expires them within `min_days` days."""
    def lower(v: Any) -> Any:
        return _apply(lambda s: s.lower(), _cel_string(v))

    status = lower(_get(r, "selection", "tagStatus"))
    patterns, count = _get(r, "selection", "tagPatternList"), _get(r, "selection", "countNumber")
    kind = _get(r, "selection", "countType")

    def at_most(limit: Any) -> Any:
        return _apply(lambda n, m: float(n) <= float(m), count, limit)

    return _and(
        _kind(r) == "map", _has(r, "action"), _has(r, "action", "type"),
        lambda: _eq(lower(_get(r, "action", "type")), "expire"),
        _has(r, "selection"), _has(r, "selection", "tagStatus"), _has(r, "selection", "countType"),
        _has(r, "selection", "countNumber"),
        lambda: _or(lambda: _eq(status, "any"),
                    lambda: _and(lambda: _eq(status, "tagged"), _has(r, "selection", "tagPatternList"),
                                 _kind(patterns) == "list", lambda: _in("*", patterns))),
        _kind(count) in ("int", "double"),
        lambda: _or(lambda: _and(lambda: _eq(kind, "imageCountMoreThan"), lambda: at_most(min_images)),
                    lambda: _and(lambda: _eq(kind, "sinceImagePushed"), lambda: at_most(min_days))),
    )


def _lifecycle_rule_text(r: Mapping) -> str:
    who = f"rule {_text(_cel_string(r['rulePriority']))}" if _has(r, "rulePriority") else "a rule"
    count = _text(_cel_string(r["selection"]["countNumber"]))
    if r["selection"]["countType"] == "imageCountMoreThan":
        return f"{who} keeps only {count} image(s) per repository"
    return f"{who} expires images {count} day(s) after they were cached"


def aggressive_lifecycle_rules(policy: Any, min_images: Any, min_days: Any) -> Any:
    """The rules of lifecycle policy `policy` (a JSON string or a decoded map) that expire tagged
    images in general (tagStatus any, or tagged with the pattern "*") and keep `min_images` images or
    fewer per repository (imageCountMoreThan) or expire them `min_days` days or less after push
    (sinceImagePushed), described for a message (PTC-RCT-017): `rule 1 keeps only 1 image(s) per
    repository`. Rules for untagged images or chosen tags do not count."""
    if isinstance(policy, Unknown):
        return policy
    doc = _json.loads(policy) if isinstance(policy, str) else policy
    rules = doc.get("rules") if isinstance(doc, Mapping) else None
    if not isinstance(rules, list):
        return []
    return _problems([(lambda r=r: _aggressive(r, min_images, min_days), lambda r=r: _lifecycle_rule_text(r))
                      for r in rules])


# ---------------------------------------------------------------- PTC-RCT-005 repository creation role


def _kms_type(t: Any) -> Any:
    return _and(_has(t, "encryptionConfiguration"), _has(t, "encryptionConfiguration", "encryptionType"),
                lambda: _in(_get(t, "encryptionConfiguration", "encryptionType"), ["KMS", "KMS_DSSE"]))


def needs_creation_role(template: Any) -> Any:
    """True when the template sets resource tags or KMS / KMS_DSSE encryption, for which AWS requires a
    repository creation role (customRoleArn)."""
    t = template
    return _result(_or(lambda: _and(_has(t, "resourceTags"), lambda: _gt(_size(_get(t, "resourceTags")), 0)),
                       lambda: _kms_type(t)))


def kms_managed_key_only(template: Any) -> Any:
    """True when the template's only reason to need a role is encryptionType KMS with the AWS managed
    key: no resource tags (tags the input could not resolve count as tags) and no kmsKey (a key it
    could not resolve counts as a customer key). AWS does not say whether that case needs the role."""
    t = template
    tags, key = _get(t, "resourceTags"), _get(t, "encryptionConfiguration", "kmsKey")
    return _result(_and(
        lambda: _not(_and(_has(t, "resourceTags"),
                          lambda: _or(lambda: _not(_known(tags)), lambda: _gt(_size(tags), 0)))),
        lambda: _eq(_get(t, "encryptionConfiguration", "encryptionType"), "KMS"),
        lambda: _not(_and(_has(t, "encryptionConfiguration", "kmsKey"),
                          lambda: _or(lambda: _not(_known(key)), lambda: _ne(key, "")))),
    ))


def creation_role_trigger(template: Any) -> Any:
    """What makes the template need a repository creation role, for a message: `2 resource tags and
    encryptionType KMS`, `encryptionType KMS with key <arn>`, `encryptionType KMS with the AWS managed
    key`, `encryptionType KMS with a key resolved only at deployment`."""
    t = template
    tags, key = _get(t, "resourceTags"), _get(t, "encryptionConfiguration", "kmsKey")
    etype = _get(t, "encryptionConfiguration", "encryptionType")
    tagged = _and(_has(t, "resourceTags"), lambda: _known(tags), lambda: _gt(_size(tags), 0))
    if _undecided(tagged):
        return _result(tagged)
    if tagged:
        kms = _kms_type(t)
        if _undecided(kms):
            return _result(kms)
        count = f"{len(tags)} resource tag{'' if len(tags) == 1 else 's'}"
        return count + (f" and encryptionType {etype}" if kms else "")
    unresolved_key = _and(_has(t, "encryptionConfiguration", "kmsKey"), lambda: _not(_known(key)))
    own_key = _and(_has(t, "encryptionConfiguration", "kmsKey"), lambda: _ne(key, ""))
    key_text = _ternary(unresolved_key, lambda: " with a key resolved only at deployment",
                        lambda: _ternary(own_key, lambda: _concat(" with key ", key),
                                         lambda: " with the AWS managed key"))
    return _result(_concat("encryptionType ", etype, key_text))


# ---------------------------------------------------------------- PTC-RCT-006 template role

_KMS_ACTIONS = ("kms:CreateGrant", "kms:RetireGrant", "kms:DescribeKey")


def template_role_problems(template: Any, lookup: Any, registry: Any) -> Any:
    """What is wrong with the role of a creation template, given the lookup of its customRoleArn (as in
    `roles`), for a message (PTC-RCT-006): the role does not exist; its trust policy does not let
    ecr.amazonaws.com assume it; its policies do not allow ecr:CreateRepository on the template's
    repositories (`registry` gives partition, Region and account of their ARN), ecr:TagResource when
    the template sets tags, or kms:CreateGrant / RetireGrant / DescribeKey when it encrypts with a
    named KMS key. Permissions are judged only when all the role's policies were collected."""
    t, role = template, lookup
    trusts, allows, allows_on = _policy_fn("trusts"), _policy_fn("allows"), _policy_fn("allows_on")
    docs_known = _apply(_policy_fn("role_docs_known"), role)
    docs = _apply(_policy_fn("role_docs"), role)
    status, trust = _get(role, "status"), _get(role, "role", "AssumeRolePolicyDocument")
    repository = _apply(_policy_fn("repo_arn_pattern"), registry, _get(t, "prefix"))
    key = _get(t, "encryptionConfiguration", "kmsKey")
    kms_missing = _apply(lambda d: [a for a in _KMS_ACTIONS if not allows(d, a)], docs)

    def lacks(action: str) -> Any:
        return _and(docs_known, lambda: _not(_apply(allows_on, docs, action, repository)))

    def untrusted() -> str:
        ptc = _apply(trusts, trust, "pullthroughcache.ecr.amazonaws.com") is True
        return "its trust policy does not let the service principal ecr.amazonaws.com assume it" + (
            " (it trusts pullthroughcache.ecr.amazonaws.com, the principal of pull through cache rule roles)" if ptc
            else "")

    return _problems([
        (lambda: _eq(status, "notFound"), lambda: "the role does not exist (GetRole: NoSuchEntity)"),
        (lambda: _and(lambda: _eq(status, "found"), _has(role, "role"), _has(role, "role", "AssumeRolePolicyDocument"),
                      lambda: _not(_apply(trusts, trust, "ecr.amazonaws.com"))), untrusted),
        (lambda: lacks("ecr:CreateRepository"),
         lambda: f"its policies do not allow ecr:CreateRepository on {repository}"),
        (lambda: _and(_has(t, "resourceTags"), lambda: _gt(_size(_get(t, "resourceTags")), 0),
                      lambda: lacks("ecr:TagResource")),
         lambda: "the template sets resource tags but the role's policies do not allow ecr:TagResource on "
                 f"{repository}"),
        (lambda: _and(lambda: _kms_type(t), _has(t, "encryptionConfiguration", "kmsKey"), lambda: _gt(_size(key), 0),
                      docs_known, lambda: _apply(lambda m: len(m) > 0, kms_missing)),
         lambda: f"the template encrypts with KMS key {key} but the role's policies do not allow "
                 + ", ".join(kms_missing)),
    ])


# ---------------------------------------------------------------- PTC-RCT-002/003/004 templates and PTC rules

_DEFAULTS = "AES256 encryption, mutable tags, no lifecycle policy, no repository policy, no tags"


def _applied_for_text(t: Mapping) -> Any:
    """A template's appliedFor for a message: the list, `missing` or `empty`."""
    if _in("appliedFor", t) is False:
        return "missing"
    n = _size(_get(t, "appliedFor"))
    return n if _undecided(n) else ("empty" if n == 0 else t["appliedFor"])


def _first_applied(templates: list, indexes: list, judged: list | None = None) -> Any:
    """The first of `indexes` whose template is applied to PULL_THROUGH_CACHE (or judged true); None
    when there is none; unknown when one before it could not be judged."""
    judged = judged if judged is not None else [_applies(templates[i], PTC) for i in indexes]
    for i, v in zip(indexes, judged):
        if v is True:
            return i
        if _undecided(v):
            return Unknown("the appliedFor of a template is unresolved")
    return None


def _copies(templates: list, i: int, label: str) -> list:
    """`template:<j> <label>` for template `i` and any identical copy of it."""
    return [f"template:{j} {label}" for j, t in enumerate(templates) if t == templates[i]]


def own_template_not_for_ptc(templates: Any, prefix: Any) -> Any:
    """PTC-RCT-002: the creation templates with exactly the PTC rule's `prefix` (a trailing / is
    ignored) whose appliedFor does not list PULL_THROUGH_CACHE. Returns `{found, templates (indexes),
    message, related}`: `message` goes on from "has a repository creation template with the same
    prefix, " and names the broader template applied to PULL_THROUGH_CACHE, if any; `related` names
    the templates. Unknown when a template's prefix (or a deciding appliedFor) is unresolved."""
    covering = _covering(templates, prefix)
    if _undecided(covering):
        return _result(covering)
    own = _norm(prefix)
    judged = [_and(_eq(_norm(templates[i]["prefix"]), own), lambda i=i: _not(_applies(templates[i], PTC)))
              for i in covering]
    lacking = sorted(i for i, v in zip(covering, judged) if v is True)
    if not lacking:
        either = _combine(judged, True)
        return _result(either) if _undecided(either) else {"found": False, "templates": [], "message": "",
                                                           "related": []}
    broader = _first_applied(templates, covering, [
        _and(_ne(_norm(templates[i]["prefix"]), own), lambda i=i: _applies(templates[i], PTC)) for i in covering])
    if isinstance(broader, int):
        fallback = (f"the broader template '{_text(templates[broader]['prefix'])}' is applied to PULL_THROUGH_CACHE, "
                    f"but AWS does not document whether ECR then falls back to it or uses the defaults ({_DEFAULTS})")
    elif broader is None:
        fallback = ("they get the defaults instead: AES256 encryption, mutable tags, no lifecycle policy, no "
                    "repository policy and no tags")
    else:
        fallback = _UNKNOWN_TEXT
    first = templates[lacking[0]]
    where = "for this ROOT rule" if own == "ROOT" else f"under {own}/"
    message = (f"'{_text(first['prefix'])}', but its appliedFor ({_text(_applied_for_text(first))}) does not "
               f"include PULL_THROUGH_CACHE, so ECR does not use it for the cache repositories it creates {where}; "
               f"{fallback}")
    related = [f"template:{i}" for i in lacking]
    if isinstance(broader, int):
        related += _copies(templates, broader, f"broader template {_text(templates[broader]['prefix'])} ({PTC})")
    return {"found": True, "templates": lacking, "message": message, "related": related}


def specific_template_not_for_ptc(templates: Any, prefix: Any) -> Any:
    """PTC-RCT-003: the most specific creation template covering the PTC rule's `prefix` (the longest
    prefix equal to or enclosing it, ROOT last; copies of that prefix count together) is not applied
    to PULL_THROUGH_CACHE while a broader covering template is. Returns `{found, message, related}`:
    `message` goes on from "The most specific repository creation template covering PTC rule
    '<prefix>' is ", `related` names the templates. Unknown when a template's prefix is unresolved."""
    covering = _covering(templates, prefix)
    if _undecided(covering):
        return _result(covering)
    if not covering:
        return {"found": False, "message": "", "related": []}
    most = templates[covering[0]]
    applied = [_applies(templates[i], PTC) for i in covering]
    specific = [_norm(templates[i]["prefix"]) == _norm(most["prefix"]) for i in covering]
    compliant = _or(_combine([_and(s, a) for s, a in zip(specific, applied)], True), _not(_combine(applied, True)))
    if _undecided(compliant) or compliant:
        return _result(compliant) if _undecided(compliant) else {"found": False, "message": "", "related": []}
    broader = _first_applied(templates, covering, applied)
    name = _text(templates[broader]["prefix"]) if isinstance(broader, int) else _UNKNOWN_TEXT
    message = (f"'{_text(most['prefix'])}' (appliedFor: {_text(_applied_for_text(most))}), which is not applied to "
               f"PULL_THROUGH_CACHE, while the broader template '{name}' is. AWS does not document whether ECR then "
               f"uses '{name}' for the cache repositories it creates under {_norm(prefix)}/ or settles on "
               f"'{_text(most['prefix'])}', skips it and uses the defaults ({_DEFAULTS}).")
    related = [f"template:{i} most specific template {_text(templates[i]['prefix'])}"
               for i in sorted(i for i, s in zip(covering, specific) if s)]
    if isinstance(broader, int):
        related += _copies(templates, broader, f"broader template {_text(templates[broader]['prefix'])} ({PTC})")
    return {"found": True, "message": message, "related": related}


def template_prefix_mismatch(rules: Any, templates: Any, template: Any) -> Any:
    """PTC-RCT-004: a creation template (applied to PULL_THROUGH_CACHE, prefix not ROOT) whose prefix
    is no PTC rule's prefix but lies strictly inside a rule's namespace while that rule has no
    template of its own prefix applied to PULL_THROUGH_CACHE, or lies strictly above a rule's prefix
    while no longer non-ROOT template covers that rule. Returns `{found, rules (indexes), message}`:
    `message` goes on from "Repository creation template '<prefix>' is applied to
    PULL_THROUGH_CACHE"."""
    mine = _norm(template["prefix"])
    exact, inside, above = [], [], []
    for r in rules:
        present, theirs = _in("ecrRepositoryPrefix", r), _apply(_norm, _get(r, "ecrRepositoryPrefix"))
        covering = _covering(templates, _get(r, "ecrRepositoryPrefix"))

        def own_template_applied(i: int) -> Any:
            return _and(_eq(_norm(templates[i]["prefix"]), theirs), lambda: _applies(templates[i], PTC))

        def longer_template(i: int) -> Any:
            p = _norm(templates[i]["prefix"])
            return p != "ROOT" and len(p) > len(mine)

        exact.append(_and(present, lambda: _eq(theirs, mine)))
        inside.append(_and(present, lambda: _starts_with(mine, _concat(theirs, "/")),
                           lambda: _not(_exists(covering, own_template_applied))))
        above.append(_and(present, lambda: _starts_with(theirs, mine + "/"),
                          lambda: _not(_exists(covering, longer_template))))
    any_inside = _combine(inside, True)
    compliant = _or(_combine(exact, True), _and(_not(any_inside), _not(_combine(above, True))))
    if _undecided(compliant) or compliant:
        return _result(compliant) if _undecided(compliant) else {"found": False, "rules": [], "message": ""}
    if any_inside is True:
        theirs = rules[inside.index(True)]["ecrRepositoryPrefix"]
        covering = _covering(templates, theirs)
        settings = _first_applied(templates, covering)
        gets = (f"the settings of template '{_text(templates[settings]['prefix'])}'" if isinstance(settings, int)
                else f"the defaults ({_DEFAULTS})" if settings is None else _UNKNOWN_TEXT)
        message = (f", but its prefix lies inside the namespace of PTC rule '{_text(theirs)}' instead of matching "
                   f"it: it shapes only the cache repositories under {mine}/, and the rule's other cache repositories "
                   f"get {gets}. AWS advises giving a PTC rule's template the rule's own prefix.")
    else:
        theirs = rules[above.index(True)]["ecrRepositoryPrefix"]
        message = (f" and is the most specific template covering PTC rule '{_text(theirs)}', but its prefix is "
                   f"broader than the rule's: its settings also go to every other repository ECR creates under "
                   f"{mine}/ for its appliedFor scenarios ({_text(template.get('appliedFor'))}), so they cannot be "
                   f"tuned for this cache alone. AWS advises giving a PTC rule's template the rule's own prefix "
                   f"({_norm(theirs)}).")
    involved = [j for j in range(len(rules)) if inside[j] is True or above[j] is True]
    return {"found": True, "rules": involved, "message": message}


# ---------------------------------------------------------------- PTC-AUTH-013 orphaned secrets


def _references(rule: Any, key: str, secrets: Mapping) -> Any:
    """PTC rule `rule` references secret `secrets[key]`: by the key, by name (a partial ARN ending in
    :secret:<name>), as a partial ARN its full ARN extends, or through the secret its own reference
    was resolved to (the same ARN)."""
    ref, mine = _get(rule, "credentialArn"), secrets[key]
    full, theirs = _get(mine, "secret", "ARN"), _at(secrets, ref)
    return _and(
        _has(rule, "credentialArn"), lambda: _apply(lambda x: isinstance(x, str), ref),
        lambda: _or(
            lambda: _eq(ref, key),
            lambda: _ends_with(ref, _concat(":secret:", _get(mine, "secret", "Name"))),
            lambda: _and(_has(mine, "secret", "ARN"), lambda: _starts_with(_cel_string(full), _concat(ref, "-"))),
            lambda: _and(lambda: _in(ref, secrets), lambda: _eq(_get(theirs, "status"), "found"),
                         _has(theirs, "secret", "ARN"), _has(mine, "secret", "ARN"),
                         lambda: _eq(_get(theirs, "secret", "ARN"), full)),
        ),
    )


def _orphan(key: str, secrets: Mapping, rules: Any) -> Any:
    lookup = secrets[key]
    return _and(
        lambda: _eq(_get(lookup, "status"), "found"), _has(lookup, "secret", "Name"),
        lambda: _starts_with(_cel_string(_get(lookup, "secret", "Name")), "ecr-pullthroughcache/"),
        not _has(lookup, "secret", "DeletedDate"), not _has(lookup, "declared"),
        lambda: _not(_exists(rules, lambda r: _references(r, key, secrets))),
    )


def orphaned_ptc_secrets(secrets: Any, rules: Any) -> Any:
    """PTC-AUTH-013: the keys of `secrets` (lookups keyed by ARN) that are pull through cache secrets
    (found, Name starting with ecr-pullthroughcache/), not scheduled for deletion, not declared in the
    input's IaC, and referenced by none of the PTC rules `rules`: not by the key, not by name, not as
    a partial ARN, not through the secret a rule's reference was resolved to."""
    return _problems([(lambda k=k: _orphan(k, secrets, rules), lambda k=k: k) for k in secrets])


# ---------------------------------------------------------------- PTC-AUTH-015 placeholders in ARNs

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
    cel = _cel()
    p = cel.parse_arn(arn)
    if p["valid"] and p["account"] != "" and not cel.is_symbolic(p["account"]) and re.search("[^0-9]", p["account"]):
        return f"the account field '{p['account']}' where a 12-digit account id belongs"
    if p["valid"] and p["region"] != "" and not cel.is_symbolic(p["region"]) and not re.search("[0-9]", p["region"]):
        return f"the Region field '{p['region']}' where a Region name belongs"
    if (isinstance(account, str) and _ACCOUNT_ID.search(account) and p["valid"] and p["account"] in _DOC_ACCOUNTS
            and p["account"] != account):
        return f"the AWS documentation example account {p['account']}, while this registry is in account {account}"
    return ""


def _placeholder(arn: Any, account: Any) -> Any:
    """The first placeholder ARN `arn` holds, described; "" for none."""
    def has(regex: re.Pattern) -> Any:
        return _matches(arn, regex)

    return _ternary(lambda: has(_ANGLE), lambda: "an <...> placeholder", lambda: _ternary(
        lambda: _and(lambda: has(_BRACE), lambda: _not(has(_ONLY_PSEUDO_BRACES))), lambda: "a {...} placeholder",
        lambda: _ternary(lambda: has(_SHELL), lambda: "an unexpanded shell variable ($NAME)", lambda: _ternary(
            lambda: _or(lambda: has(_UPPER_WORD), lambda: has(_ANY_CASE_WORD)),
            lambda: "a placeholder word (YOUR..., CHANGEME, REPLACE..., TODO, XXXX)",
            lambda: _arn_fields_placeholder(arn, account)))))


def arn_placeholders(rule: Any, account: Any) -> Any:
    """PTC-AUTH-015: the ARNs of PTC rule `rule` (credentialArn, customRoleArn) that still hold a
    placeholder, each described for a message (`customRoleArn arn:aws:iam::<ACCOUNT_ID>:role/x
    contains an <...> placeholder`): <...>; {...} other than pseudo parameters (${AWS::AccountId}); a
    $NAME shell variable; a placeholder word (YOUR..., CHANGEME, REPLACE..., TODO, XXXX); an account
    field with letters; a Region field without a digit; an AWS documentation account id while the
    registry's `account` is known and another one. Unknown when either ARN is unresolved."""
    checks = []
    for name in ("credentialArn", "customRoleArn"):
        if not _has(rule, name):
            continue
        arn = rule[name]
        if isinstance(arn, Unknown):
            return arn
        reason = _placeholder(arn, account)
        checks.append((_ne(reason, ""), lambda name=name, arn=arn, reason=reason: f"{name} {arn} contains {reason}"))
    return _problems(checks)


# ---------------------------------------------------------------- PTC-AUTH-016 declared secret values

_LOOKALIKES = ["user", "username", "user_name", "login", "email", "password", "passwd", "token", "accesstoken",
               "access_token", "access-token", "pat", "apikey", "api_key", "secret"]


def declared_secret_value(lookup: Any) -> Any:
    """PTC-AUTH-016: the value of a secret as the input declares it (a found lookup's `declared`:
    `valueIsJsonObject`, and `valueKeys` for a JSON object). Returns `{judged, valid, message}`:
    `judged` when the loader could reduce the value to its shape; `valid` when it is a JSON object
    with the keys username and accessToken (case-sensitive); `message` (going on from "whose value as
    declared here ") describes it with its keys, the missing ones and look-alikes, never values."""
    declared = _get(lookup, "declared")
    json_object, keys = _get(declared, "valueIsJsonObject"), _get(declared, "valueKeys")
    is_object = _eq(json_object, True)
    with_keys = _and(is_object, lambda: _gt(_size(keys), 0))

    def lookalikes() -> Any:
        return _filter(keys, lambda k: _and(lambda: _ne(k, "username"), lambda: _ne(k, "accessToken"),
                                            lambda: _in(_apply(lambda x: str(x).lower(), k), _LOOKALIKES)))

    some_lookalikes = _and(is_object, lambda: _gt(_size(lookalikes()), 0))
    message = [
        _ternary(lambda: _not(is_object),
                 lambda: "is not a JSON object (it is a plain string, a generated random string or another JSON value)",
                 lambda: _ternary(lambda: _eq(_size(keys), 0), lambda: "is an empty JSON object",
                                  lambda: "is a JSON object with the keys ")),
        _ternary(with_keys, lambda: keys, lambda: ""),
        _ternary(with_keys, lambda: "; it lacks ", lambda: ""),
        _ternary(with_keys, lambda: _filter(["username", "accessToken"], lambda k: _not(_in(k, keys))), lambda: ""),
        _ternary(some_lookalikes, lambda: " (look-alikes that do not count: ", lambda: ""),
        _ternary(is_object, lookalikes, lambda: ""),
        _ternary(some_lookalikes, lambda: ")", lambda: ""),
    ]
    return _fields({
        "judged": _and(lambda: _eq(_get(lookup, "status"), "found"), _has(lookup, "declared", "valueIsJsonObject"),
                       lambda: _or(lambda: _eq(json_object, False), _has(lookup, "declared", "valueKeys"))),
        "valid": _and(is_object, lambda: _in("username", keys), lambda: _in("accessToken", keys)),
        "message": "".join(_text(part) for part in message),
    })


# ---------------------------------------------------------------- PTC-IAM-007 upstream registry policy

_UPSTREAM_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchImportUpstreamImage",
                     "ecr:GetImageCopyStatus"]


def upstream_grant_check(rule: Any, upstream_policies: Any, partition: Any) -> Any:
    """PTC-IAM-007: does the registry policy of the PTC rule's cross-account ECR upstream grant its
    custom role (Principal "*", its account or the role) the actions pull through cache needs on the
    upstream repositories (under upstreamRepositoryPrefix; all when absent or ROOT)?
    `upstream_policies` maps upstream hosts to registry-policy lookups. Returns `{judged, granted,
    message}`: `judged` for a cross-account ECR upstream with a custom role whose lookup found a
    policy or found none; `message` goes on from "but " and names what is not granted, and where."""
    cel = _cel()
    role, url = _get(rule, "customRoleArn"), _get(rule, "upstreamRegistryUrl")
    host, account, region = _apply(cel.url_host, url), _apply(cel._ecr_account, url), _apply(cel._ecr_region, url)
    lookup = _at(upstream_policies, host)
    status, role_account = _get(lookup, "status"), _apply(lambda r: cel.parse_arn(r)["account"], role)
    judged = _and(
        _has(rule, "customRoleArn"), lambda: _known(role), lambda: _apply(lambda r: isinstance(r, str), role),
        lambda: _eq(_apply(cel._rule_kind, rule), "ecr"), lambda: _in(host, upstream_policies),
        lambda: _ne(account, ""), lambda: _ne(account, role_account),
        lambda: _or(lambda: _eq(status, "notFound"),
                    lambda: _and(lambda: _eq(status, "found"), _has(lookup, "policy"))),
    )
    prefix = _get(rule, "upstreamRepositoryPrefix") if _has(rule, "upstreamRepositoryPrefix") else "ROOT"
    pattern = _policy_fn("repo_arn_pattern")
    repository = _apply(lambda *parts: pattern(dict(zip(("partition", "region", "account"), parts[:3])), parts[3]),
                        partition, region, account, prefix)
    grants = _apply(_policy_fn("resource_policy_for"), lookup, role)

    def allowed(action: str) -> Any:
        return _apply(_policy_fn("allows_on"), grants, action, repository)

    message = [
        _ternary(lambda: _eq(status, "notFound"), lambda: "that registry has no registry policy, so it does not grant",
                 lambda: "its registry policy does not grant"),
        " account ", role_account, " (or the role) the actions ",
        _filter(_UPSTREAM_ACTIONS, lambda a: _not(allowed(a))), " on ", repository,
    ]
    return _fields({"judged": judged, "granted": _all(_UPSTREAM_ACTIONS, allowed),
                    "message": "".join(_text(part) for part in message)})


# ---------------------------------------------------------------- PTC-IAM-011 pullers

_POPULATE = ("ecr:CreateRepository", "ecr:BatchImportUpstreamImage")


def puller_check(pullers: Any, roles: Any, registry: Any, rule: Any) -> Any:
    """PTC-IAM-011: can each configured puller (role ARNs `pullers`) perform ecr:CreateRepository and
    ecr:BatchImportUpstreamImage on the PTC rule's repositories (repository/<prefix>/*) by its IAM
    policies (`roles` lookups) and the registry policy together (principalCan: same account, either
    may allow; another account, both must; an unconditional Deny in either wins)? A puller is judged
    when its role was found with all its policies collected and the registry policy was read (found or
    not found); when it was not read, only if its IAM policies alone allow both. Returns `{judged,
    found, message, related}`: `message` lists the pullers that fall short with the actions they lack,
    `related` names their roles and the registry policy."""
    policy = _get(registry, "registryPolicy")
    status = _get(policy, "status")
    repository = _apply(_policy_fn("repo_arn_pattern"), registry, _get(rule, "ecrRepositoryPrefix"))
    docs_known, can = _policy_fn("role_docs_known"), _policy_fn("principal_can")
    policy_read = _in(status, ["found", "notFound"])

    def collected(p: Any) -> Any:
        return _and(lambda: _in(p, roles), lambda: _apply(docs_known, _at(roles, p)))

    def allowed(p: Any, action: str) -> Any:
        return _apply(can, _at(roles, p), policy, p, _get(registry, "account"), action, repository)

    def populates(p: Any) -> Any:
        return _and(lambda: allowed(p, _POPULATE[0]), lambda: allowed(p, _POPULATE[1]))

    def falls_short(p: Any) -> Any:
        return _and(lambda: collected(p), policy_read, lambda: _not(populates(p)))

    def lacking(p: Any) -> Any:
        return _concat(p, " ", _ternary(
            lambda: allowed(p, _POPULATE[0]), lambda: "(ecr:BatchImportUpstreamImage)",
            lambda: _ternary(lambda: allowed(p, _POPULATE[1]), lambda: "(ecr:CreateRepository)",
                             lambda: "(ecr:CreateRepository, ecr:BatchImportUpstreamImage)")))

    short = _filter(pullers, falls_short)
    related = _map(short, lambda p: _concat("role:", p))
    if not _undecided(related) and _eq(status, "found") is True:
        related.append("registryPolicy")
    return _fields({
        "judged": _exists(pullers, lambda p: _and(lambda: collected(p),
                                                  lambda: _or(policy_read, lambda: populates(p)))),
        "found": _not(_all(pullers, lambda p: _or(lambda: _not(_and(lambda: collected(p), policy_read)),
                                                  lambda: populates(p)))),
        "message": _text(_map(short, lacking)),
        "related": [] if _undecided(related) else related,
    })


# ---------------------------------------------------------------- PTC-NAME-012 plan moves


def _only(change: Any, action: str, other: str, side: str, prefix: str) -> Any:
    """Plan change `change` only does `action` (not `other`) to a PTC rule whose `side` (before /
    after) has the prefix `prefix` (x and x/ alike)."""
    value = _get(change, side, "ecrRepositoryPrefix")
    return _and(_has(change, "actions"), lambda: _in(action, _get(change, "actions")),
                lambda: _not(_in(other, _get(change, "actions"))), _has(change, side, "ecrRepositoryPrefix"),
                lambda: _known(value), lambda: _eq(_apply(_norm, value), _norm(prefix)))


def plan_recreate(changes: Any, prefix: Any) -> Any:
    """PTC-NAME-012: in Terraform plan resource changes `changes`, one that only deletes an address and
    one that only creates another address, both PTC rules with `prefix` (x and x/ alike); replacing
    one address does not count. Returns `{creating, recreated, destroys, creates, from, to}`:
    `creating` when a change only creates a rule with the prefix, `recreated` for such a pair, the
    addresses that destroy and that create it (comma-separated) and the first of each."""
    def deletes(c: Any) -> Any:
        return _only(c, "delete", "create", "before", prefix)

    def creates(c: Any) -> Any:
        return _only(c, "create", "delete", "after", prefix)

    destroying = _map(_filter(changes, deletes), lambda d: _get(d, "address"))
    creating = _map(_filter(changes, creates), lambda c: _get(c, "address"))
    return _fields({
        "creating": _exists(changes, creates),
        "recreated": _exists(changes, lambda d: _and(lambda: deletes(d), lambda: _exists(
            changes, lambda c: _and(lambda: creates(c), lambda: _ne(_get(c, "address"), _get(d, "address")))))),
        "destroys": _text(destroying), "creates": _text(creating),
        "from": _text(_index(destroying, 0)), "to": _text(_index(creating, 0)),
    })


# ---------------------------------------------------------------- registration

FUNCTIONS: dict[str, Callable[..., Any]] = {
    "appliesTo": applies_to,
    "joinText": join_text,
    "coversPtcRule": covers_ptc_rule,
    "templateConstraintProblems": template_constraint_problems,
    "aggressiveLifecycleRules": aggressive_lifecycle_rules,
    "needsCreationRole": needs_creation_role,
    "kmsManagedKeyOnly": kms_managed_key_only,
    "creationRoleTrigger": creation_role_trigger,
    "templateRoleProblems": template_role_problems,
    "ownTemplateNotForPtc": own_template_not_for_ptc,
    "specificTemplateNotForPtc": specific_template_not_for_ptc,
    "templatePrefixMismatch": template_prefix_mismatch,
    "orphanedPtcSecrets": orphaned_ptc_secrets,
    "arnPlaceholders": arn_placeholders,
    "declaredSecretValue": declared_secret_value,
    "upstreamGrantCheck": upstream_grant_check,
    "pullerCheck": puller_check,
    "planRecreate": plan_recreate,
}
