"""ECR: the registry's pull through cache rules, creation templates, registry policy and its scope,
and (only with PTC-AUTH-009 selected) ValidatePullThroughCacheRule for each rule with a credential."""

from __future__ import annotations

from typing import Any

from ptclint.loaders.aws.calls import CallFailed, call, pages, plain
from ptclint.model import Status

SCOPE_SETTING = "REGISTRY_POLICY_SCOPE"


def _collection_status(exc: CallFailed) -> str:
    status = Status.ACCESS_DENIED if exc.status is Status.ACCESS_DENIED else Status.NOT_COLLECTED
    return str(status.value)


def collect(ecr: Any, reg: dict[str, Any], validate: bool) -> bool:
    """Fill `reg` (a snapshot registry) in; False when the Region is not enabled for the account."""
    errors: list[dict[str, str]] = reg["errors"]
    for field, operation in (("pullThroughCacheRules", "describe_pull_through_cache_rules"),
                             ("repositoryCreationTemplates", "describe_repository_creation_templates")):
        try:
            items = [plain(item) for item in pages(ecr, operation, field)]
            reg[field] = {"status": Status.FOUND.value, "items": items}
        except CallFailed as exc:
            if exc.region_not_enabled:
                errors.append({**exc.entry(), "message": f"Region not enabled for this account ({exc.message})"})
                reg["pullThroughCacheRules"] = {"status": Status.NOT_COLLECTED.value}
                return False
            reg[field] = {"status": _collection_status(exc)}
            if exc.status is not Status.ACCESS_DENIED:  # a denied collection is a gap by its status already
                errors.append(exc.entry())
    reg["registryPolicy"] = registry_policy(ecr, errors)
    if validate:
        for rule in reg["pullThroughCacheRules"].get("items", []):
            if rule.get("credentialArn"):
                _validate(ecr, rule, reg["account"], errors)
    return True


def registry_policy(ecr: Any, errors: list[dict[str, str]]) -> dict[str, Any]:
    """GetRegistryPolicy (none set: notFound, which is data) and the policy scope (V1 / V2)."""
    try:
        found = call(ecr.get_registry_policy, "GetRegistryPolicy")
        out: dict[str, Any] = {"status": Status.FOUND.value, "policyText": str(found.get("policyText", ""))}
    except CallFailed as exc:
        if exc.status is Status.NOT_COLLECTED:  # notFound is data, accessDenied a gap by its status
            errors.append(exc.entry())
        out = {"status": exc.status.value}
    try:
        scope = call(ecr.get_account_setting, "GetAccountSetting", name=SCOPE_SETTING).get("value")
        if scope in ("V1", "V2"):
            out["policyScope"] = scope
    except CallFailed as exc:
        errors.append(exc.entry())
    return out


def _validate(ecr: Any, rule: dict[str, Any], account: str, errors: list[dict[str, str]]) -> None:
    try:
        found = call(ecr.validate_pull_through_cache_rule, "ValidatePullThroughCacheRule",
                     ecrRepositoryPrefix=rule["ecrRepositoryPrefix"], registryId=account)
    except CallFailed as exc:
        errors.append(exc.entry())
        return
    result: dict[str, Any] = {"isValid": bool(found.get("isValid"))}
    if found.get("failure"):
        result["failure"] = str(found["failure"])
    rule["validation"] = result
