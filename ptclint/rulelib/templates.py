"""Repository creation templates: which template ECR uses for a PTC rule's repositories, whether it
is applied to pull through cache, and whether it needs a repository creation role."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ptclint.model import Unknown
from ptclint.rulelib.prefixes import norm_prefix, prefix_covers, templates_for
from ptclint.rulelib.tri import (
    UNKNOWN_TEXT,
    and_,
    any_,
    apply,
    concat,
    eq,
    exists,
    get,
    gt,
    has,
    in_,
    is_known,
    ne,
    not_,
    or_,
    result,
    size,
    starts_with,
    ternary,
    text,
    undecided,
)

PTC = "PULL_THROUGH_CACHE"


SCENARIOS = ("PULL_THROUGH_CACHE", "REPLICATION", "CREATE_ON_PUSH")


def applies_to(template: Any, scenario: Any) -> Any:
    """True when the template's `appliedFor` lists `scenario` (`PULL_THROUGH_CACHE`, ...); unknown when
    it could list it only through an unresolved value."""
    return result(applies(template, scenario))


def applies(template: Any, scenario: Any) -> Any:
    return and_(lambda: in_("appliedFor", template),
                lambda: exists(get(template, "appliedFor"), lambda a: eq(a, scenario)))


def covering_indexes(templates: Any, prefix: Any) -> Any:
    """Indexes of the templates covering `prefix`, most specific first (templates_for); unknown
    when a template's prefix is unresolved."""
    def indexes(items: list[Any], p: Any) -> list[Any]:
        position = {id(t): i for i, t in enumerate(items)}
        return [position[id(t)] for t in templates_for(items, p)]

    return apply(indexes, templates, prefix)


def covers_ptc_rule(prefix: Any, rules: Any) -> Any:
    """True when template prefix `prefix` is ROOT or covers some PTC rule's prefix (the rule's own
    prefix or an ancestor of it); rules whose prefix is unresolved do not count."""
    covers = prefix_covers
    return result(or_(
        lambda: eq(apply(norm_prefix, prefix), "ROOT"),
        lambda: exists(rules, lambda r: and_(lambda: is_known(get(r, "ecrRepositoryPrefix")),
                                              lambda: apply(covers, prefix, get(r, "ecrRepositoryPrefix")))),
    ))


# ---------------------------------------------------------------- repository creation role


def kms_encrypted(t: Any) -> Any:
    return and_(has(t, "encryptionConfiguration"), has(t, "encryptionConfiguration", "encryptionType"),
                lambda: in_(get(t, "encryptionConfiguration", "encryptionType"), ["KMS", "KMS_DSSE"]))


def needs_creation_role(template: Any) -> Any:
    """True when the template sets resource tags or KMS / KMS_DSSE encryption, for which AWS requires a
    repository creation role (customRoleArn)."""
    t = template
    return result(or_(lambda: and_(has(t, "resourceTags"), lambda: gt(size(get(t, "resourceTags")), 0)),
                       lambda: kms_encrypted(t)))


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
        kms = kms_encrypted(t)
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


# ---------------------------------------------------------------- the template a PTC rule gets


_DEFAULTS = "AES256 encryption, mutable tags, no lifecycle policy, no repository policy, no tags"


def _applied_for_text(t: Mapping[str, Any]) -> Any:
    """A template's appliedFor for a message: the list, `missing` or `empty`."""
    if in_("appliedFor", t) is False:
        return "missing"
    n = size(get(t, "appliedFor"))
    return n if undecided(n) else ("empty" if n == 0 else t["appliedFor"])


def _first_applied(templates: list[Any], indexes: list[Any], judged: list[Any] | None = None) -> Any:
    """The first of `indexes` whose template is applied to PULL_THROUGH_CACHE (or judged true); None
    when there is none; unknown when one before it could not be judged."""
    judged = judged if judged is not None else [applies(templates[i], PTC) for i in indexes]
    for i, v in zip(indexes, judged):
        if v is True:
            return i
        if undecided(v):
            return Unknown("the appliedFor of a template is unresolved")
    return None


def _copies(templates: list[Any], i: int, label: str) -> list[Any]:
    """`template:<j> <label>` for template `i` and any identical copy of it."""
    return [f"template:{j} {label}" for j, t in enumerate(templates) if t == templates[i]]


def own_prefix_templates(templates: Any, prefix: Any) -> Any:
    """The creation templates with exactly the PTC rule's `prefix` (a trailing / is
    ignored) whose appliedFor does not list PULL_THROUGH_CACHE. Returns `{found, templates (indexes),
    message, related}`: `message` goes on from "has a repository creation template with the same
    prefix, " and names the broader template applied to PULL_THROUGH_CACHE, if any; `related` names
    the templates. Unknown when a template's prefix (or a deciding appliedFor) is unresolved."""
    covering = covering_indexes(templates, prefix)
    if undecided(covering):
        return result(covering)
    own = norm_prefix(prefix)
    judged = [and_(eq(norm_prefix(templates[i]["prefix"]), own), lambda i=i: not_(applies(templates[i], PTC)))
              for i in covering]
    lacking = sorted(i for i, v in zip(covering, judged) if v is True)
    if not lacking:
        either = any_(judged)
        return result(either) if undecided(either) else {"found": False, "templates": [], "message": "",
                                                           "related": []}
    broader = _first_applied(templates, covering, [
        and_(ne(norm_prefix(templates[i]["prefix"]), own), lambda i=i: applies(templates[i], PTC)) for i in covering])
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


def most_specific_template(templates: Any, prefix: Any) -> Any:
    """The most specific creation template covering the PTC rule's `prefix` (the longest
    prefix equal to or enclosing it, ROOT last; copies of that prefix count together) is not applied
    to PULL_THROUGH_CACHE while a broader covering template is. Returns `{found, message, related}`:
    `message` goes on from "The most specific repository creation template covering PTC rule
    '<prefix>' is ", `related` names the templates. Unknown when a template's prefix is unresolved."""
    covering = covering_indexes(templates, prefix)
    if undecided(covering):
        return result(covering)
    if not covering:
        return {"found": False, "message": "", "related": []}
    most = templates[covering[0]]
    applied = [applies(templates[i], PTC) for i in covering]
    specific = [norm_prefix(templates[i]["prefix"]) == norm_prefix(most["prefix"]) for i in covering]
    compliant = or_(any_([and_(s, a) for s, a in zip(specific, applied)]), not_(any_(applied)))
    if undecided(compliant) or compliant:
        return result(compliant) if undecided(compliant) else {"found": False, "message": "", "related": []}
    broader = _first_applied(templates, covering, applied)
    name = text(templates[broader]["prefix"]) if isinstance(broader, int) else UNKNOWN_TEXT
    message = (f"'{text(most['prefix'])}' (appliedFor: {text(_applied_for_text(most))}), which is not applied to "
               f"PULL_THROUGH_CACHE, while the broader template '{name}' is. AWS does not document whether ECR then "
               f"uses '{name}' for the cache repositories it creates under {norm_prefix(prefix)}/ or settles on "
               f"'{text(most['prefix'])}', skips it and uses the defaults ({_DEFAULTS}).")
    related = [f"template:{i} most specific template {text(templates[i]['prefix'])}"
               for i in sorted(i for i, s in zip(covering, specific) if s)]
    if isinstance(broader, int):
        related += _copies(templates, broader, f"broader template {text(templates[broader]['prefix'])} ({PTC})")
    return {"found": True, "message": message, "related": related}


def template_prefix_fit(rules: Any, templates: Any, template: Any) -> Any:
    """A creation template (applied to PULL_THROUGH_CACHE, prefix not ROOT) whose prefix
    is no PTC rule's prefix but lies strictly inside a rule's namespace while that rule has no
    template of its own prefix applied to PULL_THROUGH_CACHE, or lies strictly above a rule's prefix
    while no longer non-ROOT template covers that rule. Returns `{found, rules (indexes), message}`:
    `message` goes on from "Repository creation template '<prefix>' is applied to
    PULL_THROUGH_CACHE"."""
    mine = norm_prefix(template["prefix"])
    exact, inside, above = [], [], []
    for r in rules:
        present, theirs = in_("ecrRepositoryPrefix", r), apply(norm_prefix, get(r, "ecrRepositoryPrefix"))
        covering = covering_indexes(templates, get(r, "ecrRepositoryPrefix"))

        def own_template_applied(i: int) -> Any:
            return and_(eq(norm_prefix(templates[i]["prefix"]), theirs), lambda: applies(templates[i], PTC))

        def longer_template(i: int) -> Any:
            p = norm_prefix(templates[i]["prefix"])
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
        covering = covering_indexes(templates, theirs)
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
                   f"({norm_prefix(theirs)}).")
    involved = [j for j in range(len(rules)) if inside[j] is True or above[j] is True]
    return {"found": True, "rules": involved, "message": message}


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "appliesTo": applies_to,
    "coversPtcRule": covers_ptc_rule,
    "needsCreationRole": needs_creation_role,
    "kmsManagedKeyOnly": kms_managed_key_only,
    "creationRoleTrigger": creation_role_trigger,
    "ownPrefixTemplates": own_prefix_templates,
    "mostSpecificTemplate": most_specific_template,
    "templatePrefixFit": template_prefix_fit,
}
