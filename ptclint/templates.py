"""Creation-template and prefix analysis for rules, in plain Python (exposed to CEL by ptclint.cel).

Rules call these instead of spelling the logic out in CEL: cel-python parses and walks long
expressions slowly, and a helper here is easier to test than forty lines of CEL.

Every function in `FUNCTIONS` is registered under its CEL name by `ptclint.cel`. The helpers
judge with `ptclint.rulelib.tri`, the one three-valued logic, as ptclint's CEL does.
"""

from __future__ import annotations

import json as _json
import re
from typing import Any, Callable, Mapping

from ptclint.model import Unknown
from ptclint.rulelib.tri import (
    UNKNOWN_TEXT, Error, all_, and_, any_, apply, at, concat, decodes, ends_with, eq, every, exists, fields, filter_, get,
    gt, has, in_, index, is_known, kind_of, map_, matches, members, ne, not_, or_, problems, result, size, starts_with,
    string, ternary, text, undecided,
)

PTC = "PULL_THROUGH_CACHE"
SCENARIOS = ("PULL_THROUGH_CACHE", "REPLICATION", "CREATE_ON_PUSH")


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


# ---------------------------------------------------------------- general


def applies_to(template: Any, scenario: Any) -> Any:
    """True when the template's `appliedFor` lists `scenario` (`PULL_THROUGH_CACHE`, ...); unknown when
    it could list it only through an unresolved value."""
    return result(_applies(template, scenario))


def _applies(template: Any, scenario: Any) -> Any:
    return and_(lambda: in_("appliedFor", template),
                lambda: exists(get(template, "appliedFor"), lambda a: eq(a, scenario)))


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

    return apply(indexes, templates, prefix)


def covers_ptc_rule(prefix: Any, rules: Any) -> Any:
    """True when template prefix `prefix` is ROOT or covers some PTC rule's prefix (the rule's own
    prefix or an ancestor of it); rules whose prefix is unresolved do not count."""
    covers = _cel().prefix_covers
    return result(or_(
        lambda: eq(apply(_norm, prefix), "ROOT"),
        lambda: exists(rules, lambda r: and_(lambda: is_known(get(r, "ecrRepositoryPrefix")),
                                              lambda: apply(covers, prefix, get(r, "ecrRepositoryPrefix")))),
    ))


# ---------------------------------------------------------------- PTC-RCT-013 API constraints

_PREFIX_PATTERN = re.compile(r"^([a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*\/?|ROOT)\Z")
_BLANK = re.compile(r"^[\t\n\f\r ]*\Z")  # RE2's \s, as CEL's matches() reads it
_FILTER_PATTERN = re.compile(r"^[0-9a-zA-Z._*-]{1,128}\Z")
_MUTABILITY = ["MUTABLE", "IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION"]
_WITH_EXCLUSION = ["IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION"]
_ENCRYPTION = ["AES256", "KMS", "KMS_DSSE"]


def _not_json_object(s: Any) -> Any:
    if undecided(s):
        return s
    return not (isinstance(s, str) and decodes(s) and isinstance(_json.loads(s), dict))


def _bad_exclusion_filter(f: Any) -> Any:
    return or_(lambda: not_(in_("filterType", f)), lambda: ne(get(f, "filterType"), "WILDCARD"),
               lambda: not_(in_("filter", f)), lambda: not_(matches(get(f, "filter"), _FILTER_PATTERN)))


def _exclusion_filter_text(f: Any) -> str:
    name = text(string(get(f, "filter"))) if in_("filter", f) is True else "(no filter)"
    if in_("filterType", f) is not True:
        return f"'{name}' (no filterType)"
    filter_type = get(f, "filterType")
    return f"'{name}'" + ("" if filter_type == "WILDCARD" else f" (filterType {text(string(filter_type))})")


def _prefix_pattern_reason(prefix: str) -> str:
    if _norm(prefix) == "ROOT":
        return "the keyword ROOT takes no trailing /."
    if re.search("[A-Z]", prefix):
        return "it contains upper-case letters."
    if re.search("[^a-z0-9._/-]", prefix):
        return "it contains characters other than lower-case letters, digits, ., _, - and /."
    return "a part starts or ends with a separator, or separators are doubled."


def _policy_checks(t: Mapping, name: str, limit: int, what: str) -> list:
    value = get(t, name)
    return [
        (and_(has(t, name), lambda: gt(size(value), limit)),
         lambda: f"Its {name} is {len(value)} characters long; the API allows {limit}."),
        (and_(has(t, name), lambda: not_(matches(value, _BLANK)), lambda: _not_json_object(value)),
         lambda: f"Its {name} is JSON but not a JSON object{what}." if decodes(value)
         else f"Its {name} is not valid JSON."),
    ]


def _duplicates(applied_for: Any) -> Any:
    """The scenarios listed more than once (CEL compared each item with each scenario)."""
    items = members(applied_for)
    if undecided(items):
        return items
    for a in items:
        if undecided(a) or not isinstance(a, str):
            return a if isinstance(a, Unknown) else Error("no such overload: == on a value that is not a string")
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
    prefix, af, mutability = get(t, "prefix"), get(t, "appliedFor"), get(t, "imageTagMutability")
    filters, encryption_type = get(t, "imageTagMutabilityExclusionFilters"), get(t, "encryptionConfiguration",
                                                                                       "encryptionType")
    some_filters = and_(has(t, "imageTagMutabilityExclusionFilters"), lambda: gt(size(filters), 0))
    duplicates = _duplicates(af)

    def unknown_scenario(a: Any) -> Any:
        return not_(in_(a, list(SCENARIOS)))

    return problems([
        (not has(t, "prefix"), lambda: "It has no prefix, which is required."),
        (and_(has(t, "prefix"), lambda: apply(lambda n: n < 1 or n > 256, size(prefix))),
         lambda: f"Its prefix is {len(prefix)} characters long; the API allows 1 to 256."),
        (and_(has(t, "prefix"), lambda: apply(lambda n: n >= 1, size(prefix)),
              lambda: not_(matches(prefix, _PREFIX_PATTERN))),
         lambda: "Its prefix does not match the API pattern (the keyword ROOT, or lower-case letters and digits in "
                 "/-separated parts, each part starting and ending with a letter or digit with single separators ., "
                 "_, __ or a run of - inside, and at most one trailing /): " + _prefix_pattern_reason(prefix)),
        (and_(has(t, "description"), lambda: gt(size(get(t, "description")), 256)),
         lambda: f"Its description is {len(t['description'])} characters long; the API allows 256."),
        *_policy_checks(t, "lifecyclePolicy", 30720, ""),
        *_policy_checks(t, "repositoryPolicy", 10240, " (a policy document)"),
        (and_(has(t, "imageTagMutability"), lambda: not_(in_(mutability, _MUTABILITY))),
         lambda: f"Its imageTagMutability '{text(string(mutability))}' is not one of MUTABLE, IMMUTABLE, "
                 "IMMUTABLE_WITH_EXCLUSION and MUTABLE_WITH_EXCLUSION."),
        (and_(has(t, "imageTagMutability"), lambda: in_(mutability, _WITH_EXCLUSION), lambda: not_(some_filters)),
         lambda: f"Its imageTagMutability {mutability} needs at least one exclusion filter, and none is set."),
        (and_(has(t, "imageTagMutabilityExclusionFilters"), lambda: gt(size(filters), 5)),
         lambda: f"It has {len(filters)} imageTagMutabilityExclusionFilters; the API allows 1 to 5."),
        (and_(has(t, "imageTagMutabilityExclusionFilters"), lambda: exists(filters, _bad_exclusion_filter)),
         lambda: "Each exclusion filter needs filterType WILDCARD and a filter of 1 to 128 letters, digits, ., _, * "
                 "or -; these are invalid: "
                 + ", ".join(_exclusion_filter_text(f) for f in members(filters) if _bad_exclusion_filter(f) is True)
                 + "."),
        (and_(has(t, "encryptionConfiguration"),
              lambda: or_(not has(t, "encryptionConfiguration", "encryptionType"),
                          lambda: not_(in_(encryption_type, _ENCRYPTION)))),
         lambda: "Its encryptionConfiguration has no encryptionType, which is required."
         if not has(t, "encryptionConfiguration", "encryptionType")
         else f"Its encryptionType '{text(string(encryption_type))}' is not one of AES256, KMS and KMS_DSSE."),
        (not has(t, "appliedFor"), lambda: "It has no appliedFor, which is required."),
        (and_(has(t, "appliedFor"), lambda: apply(lambda n: n == 0, size(af))),
         lambda: "Its appliedFor is empty; it needs at least one of PULL_THROUGH_CACHE, REPLICATION and "
                 "CREATE_ON_PUSH."),
        (and_(has(t, "appliedFor"), lambda: exists(af, unknown_scenario)),
         lambda: "Its appliedFor holds values other than PULL_THROUGH_CACHE, REPLICATION and CREATE_ON_PUSH: "
                 + ", ".join(f"'{text(string(a))}'" for a in members(af) if unknown_scenario(a) is True) + "."),
        (and_(has(t, "appliedFor"), lambda: apply(lambda d: len(d) > 0, duplicates)),
         lambda: "Its appliedFor lists a value more than once: " + ", ".join(duplicates) + "."),
    ])


# ---------------------------------------------------------------- PTC-RCT-017 lifecycle policies


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


def _lifecycle_rule_text(r: Mapping) -> str:
    who = f"rule {text(string(r['rulePriority']))}" if has(r, "rulePriority") else "a rule"
    count = text(string(r["selection"]["countNumber"]))
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
    return problems([(lambda r=r: _aggressive(r, min_images, min_days), lambda r=r: _lifecycle_rule_text(r))
                      for r in rules])


# ---------------------------------------------------------------- PTC-RCT-005 repository creation role


def _kms_type(t: Any) -> Any:
    return and_(has(t, "encryptionConfiguration"), has(t, "encryptionConfiguration", "encryptionType"),
                lambda: in_(get(t, "encryptionConfiguration", "encryptionType"), ["KMS", "KMS_DSSE"]))


def needs_creation_role(template: Any) -> Any:
    """True when the template sets resource tags or KMS / KMS_DSSE encryption, for which AWS requires a
    repository creation role (customRoleArn)."""
    t = template
    return result(or_(lambda: and_(has(t, "resourceTags"), lambda: gt(size(get(t, "resourceTags")), 0)),
                       lambda: _kms_type(t)))


def kms_managed_key_only(template: Any) -> Any:
    """True when the template's only reason to need a role is encryptionType KMS with the AWS managed
    key: no resource tags (tags the input could not resolve count as tags) and no kmsKey (a key it
    could not resolve counts as a customer key). AWS does not say whether that case needs the role."""
    t = template
    tags, key = get(t, "resourceTags"), get(t, "encryptionConfiguration", "kmsKey")
    return result(and_(
        lambda: not_(and_(has(t, "resourceTags"),
                          lambda: or_(lambda: not_(is_known(tags)), lambda: gt(size(tags), 0)))),
        lambda: eq(get(t, "encryptionConfiguration", "encryptionType"), "KMS"),
        lambda: not_(and_(has(t, "encryptionConfiguration", "kmsKey"),
                          lambda: or_(lambda: not_(is_known(key)), lambda: ne(key, "")))),
    ))


def creation_role_trigger(template: Any) -> Any:
    """What makes the template need a repository creation role, for a message: `2 resource tags and
    encryptionType KMS`, `encryptionType KMS with key <arn>`, `encryptionType KMS with the AWS managed
    key`, `encryptionType KMS with a key resolved only at deployment`."""
    t = template
    tags, key = get(t, "resourceTags"), get(t, "encryptionConfiguration", "kmsKey")
    etype = get(t, "encryptionConfiguration", "encryptionType")
    tagged = and_(has(t, "resourceTags"), lambda: is_known(tags), lambda: gt(size(tags), 0))
    if undecided(tagged):
        return result(tagged)
    if tagged:
        kms = _kms_type(t)
        if undecided(kms):
            return result(kms)
        count = f"{len(tags)} resource tag{'' if len(tags) == 1 else 's'}"
        return count + (f" and encryptionType {etype}" if kms else "")
    unresolved_key = and_(has(t, "encryptionConfiguration", "kmsKey"), lambda: not_(is_known(key)))
    own_key = and_(has(t, "encryptionConfiguration", "kmsKey"), lambda: ne(key, ""))
    key_text = ternary(unresolved_key, lambda: " with a key resolved only at deployment",
                        lambda: ternary(own_key, lambda: concat(" with key ", key),
                                         lambda: " with the AWS managed key"))
    return result(concat("encryptionType ", etype, key_text))


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
    docs_known = apply(_policy_fn("role_docs_known"), role)
    docs = apply(_policy_fn("role_docs"), role)
    status, trust = get(role, "status"), get(role, "role", "AssumeRolePolicyDocument")
    repository = apply(_policy_fn("repo_arn_pattern"), registry, get(t, "prefix"))
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
        (lambda: and_(lambda: _kms_type(t), has(t, "encryptionConfiguration", "kmsKey"), lambda: gt(size(key), 0),
                      docs_known, lambda: apply(lambda m: len(m) > 0, kms_missing)),
         lambda: f"the template encrypts with KMS key {key} but the role's policies do not allow "
                 + ", ".join(kms_missing)),
    ])


# ---------------------------------------------------------------- PTC-RCT-002/003/004 templates and PTC rules

_DEFAULTS = "AES256 encryption, mutable tags, no lifecycle policy, no repository policy, no tags"


def _applied_for_text(t: Mapping) -> Any:
    """A template's appliedFor for a message: the list, `missing` or `empty`."""
    if in_("appliedFor", t) is False:
        return "missing"
    n = size(get(t, "appliedFor"))
    return n if undecided(n) else ("empty" if n == 0 else t["appliedFor"])


def _first_applied(templates: list, indexes: list, judged: list | None = None) -> Any:
    """The first of `indexes` whose template is applied to PULL_THROUGH_CACHE (or judged true); None
    when there is none; unknown when one before it could not be judged."""
    judged = judged if judged is not None else [_applies(templates[i], PTC) for i in indexes]
    for i, v in zip(indexes, judged):
        if v is True:
            return i
        if undecided(v):
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
    if undecided(covering):
        return result(covering)
    own = _norm(prefix)
    judged = [and_(eq(_norm(templates[i]["prefix"]), own), lambda i=i: not_(_applies(templates[i], PTC)))
              for i in covering]
    lacking = sorted(i for i, v in zip(covering, judged) if v is True)
    if not lacking:
        either = any_(judged)
        return result(either) if undecided(either) else {"found": False, "templates": [], "message": "",
                                                           "related": []}
    broader = _first_applied(templates, covering, [
        and_(ne(_norm(templates[i]["prefix"]), own), lambda i=i: _applies(templates[i], PTC)) for i in covering])
    if isinstance(broader, int):
        fallback = (f"the broader template '{text(templates[broader]['prefix'])}' is applied to PULL_THROUGH_CACHE, "
                    f"but AWS does not document whether ECR then falls back to it or uses the defaults ({_DEFAULTS})")
    elif broader is None:
        fallback = ("they get the defaults instead: AES256 encryption, mutable tags, no lifecycle policy, no "
                    "repository policy and no tags")
    else:
        fallback = UNKNOWN_TEXT
    first = templates[lacking[0]]
    where = "for this ROOT rule" if own == "ROOT" else f"under {own}/"
    message = (f"'{text(first['prefix'])}', but its appliedFor ({text(_applied_for_text(first))}) does not "
               f"include PULL_THROUGH_CACHE, so ECR does not use it for the cache repositories it creates {where}; "
               f"{fallback}")
    related = [f"template:{i}" for i in lacking]
    if isinstance(broader, int):
        related += _copies(templates, broader, f"broader template {text(templates[broader]['prefix'])} ({PTC})")
    return {"found": True, "templates": lacking, "message": message, "related": related}


def specific_template_not_for_ptc(templates: Any, prefix: Any) -> Any:
    """PTC-RCT-003: the most specific creation template covering the PTC rule's `prefix` (the longest
    prefix equal to or enclosing it, ROOT last; copies of that prefix count together) is not applied
    to PULL_THROUGH_CACHE while a broader covering template is. Returns `{found, message, related}`:
    `message` goes on from "The most specific repository creation template covering PTC rule
    '<prefix>' is ", `related` names the templates. Unknown when a template's prefix is unresolved."""
    covering = _covering(templates, prefix)
    if undecided(covering):
        return result(covering)
    if not covering:
        return {"found": False, "message": "", "related": []}
    most = templates[covering[0]]
    applied = [_applies(templates[i], PTC) for i in covering]
    specific = [_norm(templates[i]["prefix"]) == _norm(most["prefix"]) for i in covering]
    compliant = or_(any_([and_(s, a) for s, a in zip(specific, applied)]), not_(any_(applied)))
    if undecided(compliant) or compliant:
        return result(compliant) if undecided(compliant) else {"found": False, "message": "", "related": []}
    broader = _first_applied(templates, covering, applied)
    name = text(templates[broader]["prefix"]) if isinstance(broader, int) else UNKNOWN_TEXT
    message = (f"'{text(most['prefix'])}' (appliedFor: {text(_applied_for_text(most))}), which is not applied to "
               f"PULL_THROUGH_CACHE, while the broader template '{name}' is. AWS does not document whether ECR then "
               f"uses '{name}' for the cache repositories it creates under {_norm(prefix)}/ or settles on "
               f"'{text(most['prefix'])}', skips it and uses the defaults ({_DEFAULTS}).")
    related = [f"template:{i} most specific template {text(templates[i]['prefix'])}"
               for i in sorted(i for i, s in zip(covering, specific) if s)]
    if isinstance(broader, int):
        related += _copies(templates, broader, f"broader template {text(templates[broader]['prefix'])} ({PTC})")
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
        present, theirs = in_("ecrRepositoryPrefix", r), apply(_norm, get(r, "ecrRepositoryPrefix"))
        covering = _covering(templates, get(r, "ecrRepositoryPrefix"))

        def own_template_applied(i: int) -> Any:
            return and_(eq(_norm(templates[i]["prefix"]), theirs), lambda: _applies(templates[i], PTC))

        def longer_template(i: int) -> Any:
            p = _norm(templates[i]["prefix"])
            return p != "ROOT" and len(p) > len(mine)

        exact.append(and_(present, lambda: eq(theirs, mine)))
        inside.append(and_(present, lambda: starts_with(mine, concat(theirs, "/")),
                           lambda: not_(exists(covering, own_template_applied))))
        above.append(and_(present, lambda: starts_with(theirs, mine + "/"),
                          lambda: not_(exists(covering, longer_template))))
    any_inside = any_(inside)
    compliant = or_(any_(exact), and_(not_(any_inside), not_(any_(above))))
    if undecided(compliant) or compliant:
        return result(compliant) if undecided(compliant) else {"found": False, "rules": [], "message": ""}
    if any_inside is True:
        theirs = rules[inside.index(True)]["ecrRepositoryPrefix"]
        covering = _covering(templates, theirs)
        settings = _first_applied(templates, covering)
        gets = (f"the settings of template '{text(templates[settings]['prefix'])}'" if isinstance(settings, int)
                else f"the defaults ({_DEFAULTS})" if settings is None else UNKNOWN_TEXT)
        message = (f", but its prefix lies inside the namespace of PTC rule '{text(theirs)}' instead of matching "
                   f"it: it shapes only the cache repositories under {mine}/, and the rule's other cache repositories "
                   f"get {gets}. AWS advises giving a PTC rule's template the rule's own prefix.")
    else:
        theirs = rules[above.index(True)]["ecrRepositoryPrefix"]
        message = (f" and is the most specific template covering PTC rule '{text(theirs)}', but its prefix is "
                   f"broader than the rule's: its settings also go to every other repository ECR creates under "
                   f"{mine}/ for its appliedFor scenarios ({text(template.get('appliedFor'))}), so they cannot be "
                   f"tuned for this cache alone. AWS advises giving a PTC rule's template the rule's own prefix "
                   f"({_norm(theirs)}).")
    involved = [j for j in range(len(rules)) if inside[j] is True or above[j] is True]
    return {"found": True, "rules": involved, "message": message}


# ---------------------------------------------------------------- PTC-AUTH-013 orphaned secrets


def _references(rule: Any, key: str, secrets: Mapping) -> Any:
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


def _orphan(key: str, secrets: Mapping, rules: Any) -> Any:
    lookup = secrets[key]
    return and_(
        lambda: eq(get(lookup, "status"), "found"), has(lookup, "secret", "Name"),
        lambda: starts_with(string(get(lookup, "secret", "Name")), "ecr-pullthroughcache/"),
        not has(lookup, "secret", "DeletedDate"), not has(lookup, "declared"),
        lambda: not_(exists(rules, lambda r: _references(r, key, secrets))),
    )


def orphaned_ptc_secrets(secrets: Any, rules: Any) -> Any:
    """PTC-AUTH-013: the keys of `secrets` (lookups keyed by ARN) that are pull through cache secrets
    (found, Name starting with ecr-pullthroughcache/), not scheduled for deletion, not declared in the
    input's IaC, and referenced by none of the PTC rules `rules`: not by the key, not by name, not as
    a partial ARN, not through the secret a rule's reference was resolved to."""
    return problems([(lambda k=k: _orphan(k, secrets, rules), lambda k=k: k) for k in secrets])


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
        return matches(arn, regex)

    return ternary(lambda: has(_ANGLE), lambda: "an <...> placeholder", lambda: ternary(
        lambda: and_(lambda: has(_BRACE), lambda: not_(has(_ONLY_PSEUDO_BRACES))), lambda: "a {...} placeholder",
        lambda: ternary(lambda: has(_SHELL), lambda: "an unexpanded shell variable ($NAME)", lambda: ternary(
            lambda: or_(lambda: has(_UPPER_WORD), lambda: has(_ANY_CASE_WORD)),
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
        if not has(rule, name):
            continue
        arn = rule[name]
        if isinstance(arn, Unknown):
            return arn
        reason = _placeholder(arn, account)
        checks.append((ne(reason, ""), lambda name=name, arn=arn, reason=reason: f"{name} {arn} contains {reason}"))
    return problems(checks)


# ---------------------------------------------------------------- PTC-AUTH-016 declared secret values

_LOOKALIKES = ["user", "username", "user_name", "login", "email", "password", "passwd", "token", "accesstoken",
               "access_token", "access-token", "pat", "apikey", "api_key", "secret"]


def declared_secret_value(lookup: Any) -> Any:
    """PTC-AUTH-016: the value of a secret as the input declares it (a found lookup's `declared`:
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
    return fields(**{
        "judged": and_(lambda: eq(get(lookup, "status"), "found"), has(lookup, "declared", "valueIsJsonObject"),
                       lambda: or_(lambda: eq(json_object, False), has(lookup, "declared", "valueKeys"))),
        "valid": and_(is_object, lambda: in_("username", keys), lambda: in_("accessToken", keys)),
        "message": "".join(text(part) for part in message),
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
    role, url = get(rule, "customRoleArn"), get(rule, "upstreamRegistryUrl")
    host, account, region = apply(cel.url_host, url), apply(cel._ecr_account, url), apply(cel._ecr_region, url)
    lookup = at(upstream_policies, host)
    status, role_account = get(lookup, "status"), apply(lambda r: cel.parse_arn(r)["account"], role)
    judged = and_(
        has(rule, "customRoleArn"), lambda: is_known(role), lambda: apply(lambda r: isinstance(r, str), role),
        lambda: eq(apply(cel._rule_kind, rule), "ecr"), lambda: in_(host, upstream_policies),
        lambda: ne(account, ""), lambda: ne(account, role_account),
        lambda: or_(lambda: eq(status, "notFound"),
                    lambda: and_(lambda: eq(status, "found"), has(lookup, "policy"))),
    )
    prefix = get(rule, "upstreamRepositoryPrefix") if has(rule, "upstreamRepositoryPrefix") else "ROOT"
    pattern = _policy_fn("repo_arn_pattern")
    repository = apply(lambda *parts: pattern(dict(zip(("partition", "region", "account"), parts[:3])), parts[3]),
                        partition, region, account, prefix)
    grants = apply(_policy_fn("resource_policy_for"), lookup, role)

    def allowed(action: str) -> Any:
        return apply(_policy_fn("allows_on"), grants, action, repository)

    message = [
        ternary(lambda: eq(status, "notFound"), lambda: "that registry has no registry policy, so it does not grant",
                 lambda: "its registry policy does not grant"),
        " account ", role_account, " (or the role) the actions ",
        filter_(_UPSTREAM_ACTIONS, lambda a: not_(allowed(a))), " on ", repository,
    ]
    return fields(**{"judged": judged, "granted": all_(_UPSTREAM_ACTIONS, allowed),
                    "message": "".join(text(part) for part in message)})


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
    policy = get(registry, "registryPolicy")
    status = get(policy, "status")
    repository = apply(_policy_fn("repo_arn_pattern"), registry, get(rule, "ecrRepositoryPrefix"))
    docs_known, can = _policy_fn("role_docs_known"), _policy_fn("principal_can")
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
    return fields(**{
        "judged": exists(pullers, lambda p: and_(lambda: collected(p),
                                                  lambda: or_(policy_read, lambda: populates(p)))),
        "found": not_(all_(pullers, lambda p: or_(lambda: not_(and_(lambda: collected(p), policy_read)),
                                                  lambda: populates(p)))),
        "message": text(map_(short, lacking)),
        "related": [] if undecided(related) else related,
    })


# ---------------------------------------------------------------- PTC-NAME-012 plan moves


def _only(change: Any, action: str, other: str, side: str, prefix: str) -> Any:
    """Plan change `change` only does `action` (not `other`) to a PTC rule whose `side` (before /
    after) has the prefix `prefix` (x and x/ alike)."""
    value = get(change, side, "ecrRepositoryPrefix")
    return and_(has(change, "actions"), lambda: in_(action, get(change, "actions")),
                lambda: not_(in_(other, get(change, "actions"))), has(change, side, "ecrRepositoryPrefix"),
                lambda: is_known(value), lambda: eq(apply(_norm, value), _norm(prefix)))


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

    destroying = map_(filter_(changes, deletes), lambda d: get(d, "address"))
    creating = map_(filter_(changes, creates), lambda c: get(c, "address"))
    return fields(**{
        "creating": exists(changes, creates),
        "recreated": exists(changes, lambda d: and_(lambda: deletes(d), lambda: exists(
            changes, lambda c: and_(lambda: creates(c), lambda: ne(get(c, "address"), get(d, "address")))))),
        "destroys": text(destroying), "creates": text(creating),
        "from": text(index(destroying, 0)), "to": text(index(creating, 0)),
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
