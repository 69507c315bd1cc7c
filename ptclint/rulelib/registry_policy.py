"""Analyses of the registry policy's pull through cache grants: where they point, whom they admit,
whether the principals they admit can read what they import, grants on ECR Public ARNs."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from ptclint.model import Unknown
from ptclint.rulelib.aws import cache_repo_arn, is_symbolic, parse_arn, same
from ptclint.rulelib.iam import action_matches, allows, allows_on, for_principal, policy_statements
from ptclint.rulelib.prefixes import ancestors, norm_prefix, templates_for
from ptclint.rulelib.statements import (
    BATCH_IMPORT,
    PTC_ACTIONS,
    READ_ACTIONS,
    account_of,
    aws_principals,
    caller_unrestricted,
    deny_limits_caller,
    each,
    is_allow,
    judged_statements,
    matches_any,
    open_principal,
    reaches,
    statements_of,
)
from ptclint.rulelib.templates import PTC
from ptclint.rulelib.tri import any_, elements, every, fields, guard, known, not_, some, string, text
from ptclint.rulelib.values import is_json

_ACCOUNT_ID = re.compile(r"[0-9]{12}")


_WILDCARD = re.compile(r"[*?]")


_REPOSITORY_PATH = re.compile(r"^repository/[^*?]*\*?\Z")  # RE2 `$`: the end of the text


_ECR_PUBLIC_ARN = re.compile(r"^arn:([^:]*|\$\{AWS::Partition\}):ecr-public:")


def policy_found(lookup: Any) -> bool:
    """The lookup (`registry.registryPolicy`) found a policy that is a decoded map (or unresolved)."""
    if not isinstance(lookup, Mapping) or lookup.get("status") != "found" or "policy" not in lookup:
        return False
    return isinstance(lookup["policy"], (Mapping, Unknown))


# ---------------------------------------------------------------- grants that fit no rule


def _ptc_grant(st: Mapping[str, Any]) -> Any:
    """An Allow statement with Action and Resource whose Action reaches ecr:BatchImportUpstreamImage."""
    if not (is_allow(st) and "Action" in st and "Resource" in st):
        return False
    return some(st["Action"], lambda a: isinstance(a, str) and action_matches(a, BATCH_IMPORT))


def _names_batch_import(st: Mapping[str, Any]) -> Any:
    """The Action names ecr:BatchImportUpstreamImage, not only by the catch-alls `*` / `ecr:*`."""
    return some(
        st["Action"],
        lambda a: isinstance(a, str) and action_matches(a, BATCH_IMPORT) and a != "*" and a.lower() != "ecr:*",
    )


def _named_ptc_grant(st: Mapping[str, Any]) -> Any:
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
    return not_(same(part, mine))


def _elsewhere(resource: Any, region: str, account: str) -> Any:
    """An ECR ARN in another Region or account than the registry's."""
    if isinstance(resource, Unknown):
        return every((resource, any_((_part_differs(resource, region), _part_differs(resource, account)))))
    if not isinstance(resource, str):
        return False
    a = parse_arn(resource)
    if not (a["valid"] and a["service"] == "ecr"):
        return False
    return any_((_part_differs(a["region"], region), _part_differs(a["account"], account)))


def _rule_near(rule: Mapping[str, Any], path: Any) -> Any:
    """Repository path `path` is in, inside or around the namespace of PTC rule `rule`."""
    prefix = rule["ecrRepositoryPrefix"]
    if isinstance(prefix, Unknown):
        return prefix
    p = norm_prefix(prefix)
    if p == "ROOT":
        return True
    if isinstance(path, Unknown):
        return path
    return path.startswith(f"repository/{p}/") or action_matches(path, f"repository/{p}/x")


def _outside_rules(resource: Any, st: Mapping[str, Any], rules: list[Any]) -> Any:
    """For a statement naming the action: an ECR repository path (`repository/<p>/*`, `<p>*` or
    an exact repository) that is no rule's namespace, inside one or around one."""
    named = _names_batch_import(st)
    if named is False or not rules:
        return False
    if isinstance(resource, Unknown):
        return every((named, resource, not_(any_(_rule_near(r, resource) for r in rules))))
    if not isinstance(resource, str):
        return False
    a = parse_arn(resource)
    if not (a["valid"] and a["service"] == "ecr" and _REPOSITORY_PATH.search(a["resource"])):
        return False
    return every((named, not_(any_(_rule_near(r, a["resource"]) for r in rules))))


def _misplaced(registry: Any) -> Any:
    """Some Allow of ecr:BatchImportUpstreamImage in the registry policy names an ECR
    resource in another Region or account than the registry, or (naming the action itself, not
    `*` / `ecr:*`, while the registry has rules) a repository path no rule's namespace is in,
    inside or around. Unknown when that depends on an unresolved value."""
    statements = judged_statements(registry["registryPolicy"].get("policy"))
    if isinstance(statements, Unknown):
        return statements
    region, account, rules = registry["region"], registry["account"], registry["pullThroughCacheRules"]

    def misplaced(st: Mapping[str, Any]) -> Any:
        grant = _ptc_grant(st)
        if grant is False:
            return False
        resources = some(
            st["Resource"], lambda r: any_((_elsewhere(r, region, account), _outside_rules(r, st, rules)))
        )
        return every((grant, resources))

    return any_(each(statements, misplaced))


def _elsewhere_shown(resource: Any, region: str, account: str) -> bool:
    """`_elsewhere` for the message: known ARNs whose Region or account certainly differs."""
    if not isinstance(resource, str):
        return False
    a = parse_arn(resource)
    if not (a["valid"] and a["service"] == "ecr"):
        return False

    def differs(part: str, mine: str) -> bool:
        if not mine or not part or _WILDCARD.search(part) or is_symbolic(mine) or is_symbolic(part):
            return False
        return part != mine

    return differs(a["region"], region) or differs(a["account"], account)


def _outside_rules_shown(resource: Any, rules: list[Any]) -> bool:
    """`_outside_rules` for the message: known ARNs, judged only when every rule prefix is known."""
    if not isinstance(resource, str):
        return False
    a = parse_arn(resource)
    if not (a["valid"] and a["service"] == "ecr" and _REPOSITORY_PATH.search(a["resource"])):
        return False
    if any(isinstance(r["ecrRepositoryPrefix"], Unknown) for r in rules):
        return False
    return not any(_rule_near(r, a["resource"]) is True for r in rules)


def _misplaced_summary(registry: Any) -> str:
    """The misplaced resources: `in another Region or account,
    <ARNs>; under no rule prefix, <ARNs>` (each part only when it has ARNs)."""
    statements = statements_of(registry["registryPolicy"].get("policy"))
    if isinstance(statements, Unknown):
        return ""
    region, account, rules = registry["region"], registry["account"], registry["pullThroughCacheRules"]

    def shown(statements: list[Any], keep: Callable[[Any], bool]) -> list[Any]:
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


# ---------------------------------------------------------------- grants to everyone


def _open_ptc_grant(st: Mapping[str, Any]) -> Any:
    """An Allow reaching ecr:CreateRepository or ecr:BatchImportUpstreamImage for every AWS
    principal, with no condition on who the caller is."""
    if not is_allow(st):
        return False
    return every((reaches(st, PTC_ACTIONS), open_principal(st), caller_unrestricted(st)))


def _open(policy: Any) -> Any:
    """A registry policy lets every AWS principal (`*`, `{"AWS": "*"}`, NotPrincipal)
    perform ecr:CreateRepository or ecr:BatchImportUpstreamImage with no condition on the caller,
    and no Deny statement is conditioned on a caller key."""
    statements = judged_statements(policy)
    if isinstance(statements, Unknown):
        return statements
    limited = any_(each(statements, deny_limits_caller))  # an unresolved statement may be such a Deny
    return every((not_(limited), any_(each(statements, _open_ptc_grant)))) if limited is not True else False


def _open_summary(policy: Any) -> str:
    """The open grants: `<actions> to every AWS principal (<where>)`."""
    statements = statements_of(policy)
    grants = [] if isinstance(statements, Unknown) else [st for st in statements if _open_ptc_grant(st) is True]

    def actions(st: Mapping[str, Any]) -> list[Any]:
        if "Action" not in st:
            return ["every action but those in its NotAction"]
        if isinstance(st["Action"], Unknown):
            return []
        return [a for a in elements(st["Action"]) if isinstance(a, str) and matches_any(a, PTC_ACTIONS)]

    def where(st: Mapping[str, Any]) -> str:
        who = "NotPrincipal" if "NotPrincipal" in st else 'Principal "*"'
        sid = st.get("Sid")
        if "Sid" in st and not isinstance(sid, Unknown):
            return f"{who} in statement '{text(string(sid))}'"
        return f"{who} in a statement without Sid"

    return f"{text([actions(st) for st in grants])} to every AWS principal ({text([where(st) for st in grants])})"


# ---------------------------------------------------------------- consumers in other accounts


def applied_to_ptc(template: Mapping[str, Any]) -> bool:
    """`appliedFor` is known and names PULL_THROUGH_CACHE."""
    applied = template.get("appliedFor")
    return isinstance(applied, list) and any(f == PTC for f in applied if not isinstance(f, Unknown))


def _template_reads(template: Mapping[str, Any], principal: str) -> Any:
    """The template (applied to PULL_THROUGH_CACHE, or not known not to be) has a repositoryPolicy
    that grants `principal` both read actions, or that names its account and grants them."""
    if "appliedFor" not in template or "repositoryPolicy" not in template:
        return False
    applied = template["appliedFor"]
    if not isinstance(applied, Unknown) and not any(isinstance(f, Unknown) or f == PTC for f in elements(applied)):
        return False
    policy = template["repositoryPolicy"]
    if isinstance(policy, Unknown):
        return policy
    if not is_json(policy):
        return False
    account = account_of(principal)
    names_account = account in policy and every(guard(allows, policy, a) for a in READ_ACTIONS)
    scoped = guard(for_principal, policy, principal)
    return any_((names_account, every(guard(allows, scoped, a) for a in READ_ACTIONS)))


def _consumer_outcomes(registry: Any, rule: Any) -> Any:
    """(consumer, cannot-read) pairs of the statements that let another account import on the rule's
    repositories, or an Unknown when the policy itself is unresolved."""
    lookup = registry["registryPolicy"]
    policy = lookup.get("policy")
    statements = judged_statements(policy)
    if isinstance(statements, Unknown):
        return statements
    prefix = rule["ecrRepositoryPrefix"]
    if isinstance(prefix, Unknown):
        return prefix
    resource = cache_repo_arn(registry, prefix)
    scope = lookup.get("policyScope")
    scope_ok = scope if isinstance(scope, Unknown) else scope != "V1"
    templates = guard(templates_for, registry["repositoryCreationTemplates"], prefix)

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

    out: list[tuple[str | None, Any]] = []
    for st in statements:
        if isinstance(st, Unknown):  # it may let another account import: who is not known
            out.append((None, st))
            continue
        imports = guard(allows_on, {"Statement": [st]}, BATCH_IMPORT, resource) if is_allow(st) else False
        if imports is False:
            continue
        if isinstance(imports, Unknown):
            out.append((None, imports))
            continue
        for v in aws_principals(st) or []:
            if not isinstance(v, str) or "${" in v:
                continue
            account = account_of(v)
            if _ACCOUNT_ID.fullmatch(account) and account != registry["account"]:
                out.append((v, cannot_read(v)))
    return out


def _without_read(registry: Any, rule: Any) -> Any:
    """The principals of other accounts (12-digit ids, IAM ARNs; not `*`) that an Allow of
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


def _read_gaps(registry: Any, rule: Any) -> str:
    """Why the consumers cannot read: what the covering creation
    template (applied to PULL_THROUGH_CACHE) lacks, and what the registry policy lacks."""
    covering = templates_for(registry["repositoryCreationTemplates"], rule["ecrRepositoryPrefix"])
    templates = [t for t in covering if applied_to_ptc(t)]
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


def ptc_template_refs(templates: list[Any], prefix: Any) -> list[Any]:
    """`template:<i>` for the creation templates applied to PULL_THROUGH_CACHE whose prefix covers
    `prefix` (the prefix itself, an ancestor, ROOT), nearest first."""
    indexes = ancestors(templates, "prefix", norm_prefix(known(prefix)) + "/x")
    return [f"template:{i}" for i in indexes if applied_to_ptc(templates[i])]


# ---------------------------------------------------------------- grants on ECR Public ARNs


def _ecr_public_grant(st: Mapping[str, Any]) -> Any:
    """An Allow naming ecr:CreateRepository or ecr:BatchImportUpstreamImage (not by the catch-all
    `*`) on an ARN of service ecr-public."""
    if not (is_allow(st) and "Action" in st and "Resource" in st):
        return False
    named = some(st["Action"], lambda a: isinstance(a, str) and a != "*" and matches_any(a, PTC_ACTIONS))
    if named is False:
        return False
    return every((named, some(st["Resource"], lambda r: isinstance(r, str) and bool(_ECR_PUBLIC_ARN.search(r)))))


def _ecr_public_policies(registry: Any) -> list[Any]:
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
        if not isinstance(doc, (Mapping, Unknown)) and not (isinstance(doc, str) and is_json(doc)):
            continue
        name = entry.get("PolicyName", Unknown("no PolicyName"))
        label = "IAM policy '" + ("(name not known)" if isinstance(name, Unknown) else text(string(name))) + "'"
        out.append((f"iamPolicy:{i}", label, doc))
    return [(ref, label, doc, _ecr_public_verdict(doc)) for ref, label, doc in out]


def _ecr_public_verdict(doc: Any) -> Any:
    statements = judged_statements(doc)
    return statements if isinstance(statements, Unknown) else any_(each(statements, _ecr_public_grant))


def _ecr_public_refs(registry: Any) -> Any:
    """References (`registryPolicy`, `iamPolicy:<i>`) to the policies of the input (the
    registry policy when found, the IAM policies) with an Allow of ecr:CreateRepository or
    ecr:BatchImportUpstreamImage on an ecr-public ARN. Unknown when none certainly has one but
    some cannot be judged."""
    verdicts = _ecr_public_policies(registry)
    found = [ref for ref, _, _, verdict in verdicts if verdict is True]
    if found:
        return found
    return next((v for _, _, _, v in verdicts if isinstance(v, Unknown)), [])


def _ecr_public_summary(registry: Any) -> str:
    """The grants: `<policies> grant(s) ecr:CreateRepository /
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


# ---------------------------------------------------------------- the analyses rules call


def ptc_grant_placement(registry: Any) -> dict[str, Any]:
    """Where the registry policy's pull through cache grants point. A PTC grant is an Allow whose
    Action reaches ecr:BatchImportUpstreamImage. `misplaced`: some PTC grant names an ECR resource
    in another Region or account than the registry (`same()`: a symbolic value on one side only is
    unknown; wildcards match), or, when it names the action itself (not `*` / `ecr:*`) and the
    registry has rules, a repository path (`repository/<p>/*`, `<p>*`, an exact repository) that
    no rule's namespace is in, inside or around; unknown when that depends on an unresolved value.
    `summary`: `in another Region or account, <ARNs>; under no rule prefix, <ARNs>` (each part only
    when it has ARNs). Returns `{misplaced, summary}`."""
    return fields(misplaced=lambda: _misplaced(registry), summary=lambda: _misplaced_summary(registry))


def open_ptc_grants(policy: Any) -> dict[str, Any]:
    """Pull through cache grants of registry policy `policy` open to every AWS principal. `open`: an
    Allow reaching ecr:CreateRepository or ecr:BatchImportUpstreamImage (Action, wildcards, or a
    NotAction leaving one out) for every AWS principal (`*`, `{"AWS": "*"}`, NotPrincipal) with no
    condition on who the caller is, while no Deny statement is conditioned on a caller key; unknown
    when that depends on an unresolved value. `summary`: `<actions> to every AWS principal
    (<where>)`. Returns `{open, summary}`."""
    return fields(open=lambda: _open(policy), summary=lambda: _open_summary(policy))


def ptc_consumers(registry: Any, rule: Any) -> dict[str, Any]:
    """The principals of other accounts (12-digit ids, IAM ARNs; not `*`) that an Allow of the registry
    policy lets perform ecr:BatchImportUpstreamImage on PTC rule `rule`'s repositories. `withoutRead`:
    those that nothing lets read the repositories: neither the registry policy (unless its scope is
    V1) nor the repositoryPolicy of a creation template covering the prefix (applied to
    PULL_THROUGH_CACHE, or not known not to be) grants them ecr:BatchGetImage and
    ecr:GetDownloadUrlForLayer; one entry per statement that names them; unknown when none is certain
    but some cannot be judged. `gaps`: what the covering creation template applied to
    PULL_THROUGH_CACHE lacks, and what the registry policy lacks. Returns `{withoutRead, gaps}`."""
    return fields(withoutRead=lambda: _without_read(registry, rule), gaps=lambda: _read_gaps(registry, rule))


def ecr_public_references(registry: Any) -> dict[str, Any]:
    """Policies of the input (the registry policy when found, the IAM policies) with an Allow naming
    ecr:CreateRepository or ecr:BatchImportUpstreamImage (not by the catch-all `*`) on an ARN of
    service ecr-public, which pull through cache never creates. `policies`: their references
    (`registryPolicy`, `iamPolicy:<i>`); unknown when none certainly has one but some cannot be
    judged. `summary`: `<policies> grant(s) ecr:CreateRepository / ecr:BatchImportUpstreamImage on
    <ecr-public ARNs>`. Returns `{policies, summary}`."""
    return fields(policies=lambda: _ecr_public_refs(registry), summary=lambda: _ecr_public_summary(registry))


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "policyFound": policy_found,
    "ptcGrantPlacement": ptc_grant_placement,
    "openPtcGrants": open_ptc_grants,
    "ptcConsumers": ptc_consumers,
    "ptcTemplateRefs": ptc_template_refs,
    "ecrPublicReferences": ecr_public_references,
}
