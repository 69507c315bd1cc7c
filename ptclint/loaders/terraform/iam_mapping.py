"""Terraform IAM resources -> the roles (`registry.roles`) and IAM policies (`registry.iam_policies`) of the model.

Roles are keyed by ARN, with their trust policy, attached policies and inline policies, so that
rules can follow a PTC rule's or template's `customRoleArn` to the role declared beside it.
Every policy document declared in the unit is also listed on its own, unless a role, policy or
ECR resource already consumes it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ptclint.loaders.terraform.objects import (
    ATTACHMENT,
    POLICY,
    POLICY_DOCUMENT,
    REGISTRY_POLICY,
    ROLE,
    ROLE_POLICY,
    TEMPLATE,
    ProviderInfo,
    TfObject,
    decode_policy,
    iam_path,
    is_set,
    linked,
    policy_arn,
    role_arn,
)
from ptclint.model import DataKind, Lookup, Registry, Resource, Status, Unknown

RegistryFor = Callable[[ProviderInfo], Registry]
Policies = dict[str, tuple[Any, Any, Any]]  # address -> (arn, name, document)


def roles_and_policies(by_type: dict, by_address: dict, registry_for: RegistryFor, registries: dict) -> None:
    """Add the unit's roles and IAM policies to their registries (called once registries exist)."""
    consumed = _consumed_documents(by_type)
    policies_by_address = _managed_policies(by_type, registry_for)
    role_names = _roles(by_type, by_address, registry_for, policies_by_address)
    _share_roles(registries)
    _role_policies(by_type, by_address, registry_for, role_names)
    _policy_documents(by_type, registry_for, consumed)


def _consumed_documents(by_type: dict) -> set[str]:
    """Addresses of policy documents that a role, policy or ECR resource uses (not listed on their own)."""
    consumed: set[str] = set()
    for o in [*by_type.get(ROLE, []), *by_type.get(ROLE_POLICY, []), *by_type.get(POLICY, []),
              *by_type.get(REGISTRY_POLICY, []), *by_type.get(TEMPLATE, [])]:
        for arg in ("policy", "assume_role_policy", "repository_policy", "lifecycle_policy"):
            if arg in o.refs:
                consumed.add(o.refs[arg])
        for arg, target in o.refs.items():
            if arg.startswith("inline_policy"):
                consumed.add(target)
    return consumed


def _managed_policies(by_type: dict, registry_for: RegistryFor) -> Policies:
    """`aws_iam_policy` -> iamPolicy resources; returns each one's (arn, name, document) for attachments."""
    policies_by_address: Policies = {}
    for p in by_type.get(POLICY, []):
        name = p.values.get("name")
        arn = p.values["arn"] if isinstance(p.values.get("arn"), str) else \
            policy_arn(name, p.values.get("path"), p.provider) if isinstance(name, str) and name else \
            Unknown(f"the ARN of {p.address} is known only after apply")
        document = decode_policy(p.values.get("policy", Unknown(f"{p.address} has no policy")))
        policies_by_address[p.address] = (arn, name, document)
        data: dict[str, Any] = {"document": document}
        origins = {"document": p.origins.get("policy", p.origin)}
        if isinstance(name, str) and name:
            data["PolicyName"] = name
            origins["PolicyName"] = p.origins.get("name", p.origin)
        _add_policy(registry_for(p.provider), Resource("iamPolicy", data, p.origin, origins, p.address))
    return policies_by_address


def _roles(by_type: dict, by_address: dict, registry_for: RegistryFor, policies_by_address: Policies) -> dict[str, Any]:
    """`aws_iam_role` -> a role lookup in its registry, keyed by ARN; returns address -> role name."""
    role_policies = by_type.get(ROLE_POLICY, [])
    attachments = by_type.get(ATTACHMENT, [])
    role_names: dict[str, Any] = {}
    for r in by_type.get(ROLE, []):
        name = r.values.get("name")
        role_names[r.address] = name
        if not (isinstance(name, str) and name):
            continue  # name_prefix: the ARN is generated at apply, nothing can reference it by value
        arn = r.values["arn"] if isinstance(r.values.get("arn"), str) else \
            role_arn(name, r.values.get("path"), r.provider)
        role = {"RoleName": name, "Arn": arn, "Path": iam_path(r.values.get("path"))}
        if "assume_role_policy" in r.values:
            role["AssumeRolePolicyDocument"] = decode_policy(r.values["assume_role_policy"])
        attached = _attached(r, name, attachments, by_address, policies_by_address)
        inline = _inline(r, name, role_policies, registry_for)
        lookup = Lookup(Status.FOUND, {"role": role, "attachedPolicies": attached, "inlinePolicies": inline},
                        r.origins.get("name", r.origin))
        reg = registry_for(r.provider)
        reg.roles[arn] = lookup
        reg.carries(DataKind.ROLES)
    return role_names


def _attached(r: TfObject, name: str, attachments: list[TfObject], by_address: dict,
              policies_by_address: Policies) -> list[dict[str, Any]]:
    """A role's managed policies: attachments that name it, then its `managed_policy_arns`."""
    attached = []
    for a in attachments:
        if not linked(a, "role", r, name):
            continue
        target = by_address.get(a.refs.get("policy_arn", ""))
        if target is not None and target.address in policies_by_address:
            parn, pname, doc = policies_by_address[target.address]
            attached.append({"PolicyArn": parn, "PolicyName": pname if isinstance(pname, str) else
                             Unknown("generated policy name"), "document": doc})
        elif isinstance(a.values.get("policy_arn"), str):
            parn = a.values["policy_arn"]
            attached.append({"PolicyArn": parn, "PolicyName": parn.rsplit("/", 1)[-1]})
    managed = r.values.get("managed_policy_arns")
    if isinstance(managed, (list, tuple)):
        for parn in managed:
            match = next((pa for pa in policies_by_address.values() if isinstance(parn, str) and pa[0] == parn), None)
            if match:
                attached.append({"PolicyArn": parn, "PolicyName": match[1], "document": match[2]})
            elif isinstance(parn, str):
                attached.append({"PolicyArn": parn, "PolicyName": parn.rsplit("/", 1)[-1]})
    return attached


def _inline(r: TfObject, name: str, role_policies: list[TfObject], registry_for: RegistryFor) -> list[dict[str, Any]]:
    """A role's inline policies: its `inline_policy` blocks (each also an iamPolicy), then role policies."""
    inline = []
    blocks = r.values.get("inline_policy")
    if isinstance(blocks, (list, tuple)):
        for i, block in enumerate(blocks):
            if not isinstance(block, dict) or not is_set(block.get("policy")):
                continue
            doc = decode_policy(block.get("policy"))
            pname = block.get("name") if is_set(block.get("name")) else f"{r.address}.inline_policy[{i}]"
            inline.append({"PolicyName": pname, "document": doc})
            _add_policy(registry_for(r.provider), Resource(
                "iamPolicy", {"PolicyName": pname, "document": doc, "roles": [name]},
                r.origins.get("inline_policy", r.origin), {"document": r.origins.get("inline_policy", r.origin)},
                f"{r.address}.inline_policy[{i}]"))
    for rp in role_policies:
        if linked(rp, "role", r, name):
            inline.append({"PolicyName": rp.values.get("name", Unknown("generated policy name")),
                           "document": decode_policy(rp.values.get("policy", Unknown("no policy")))})
    return inline


def _share_roles(registries: dict) -> None:
    """A rule or template in another registry (another provider) that names a declared role sees it too."""
    for reg in registries.values():
        for item in [*reg.rules, *reg.templates]:
            ref = item.data.get("customRoleArn")
            if isinstance(ref, str) and ref not in reg.roles:
                for other in registries.values():
                    if ref in other.roles:
                        reg.roles[ref] = other.roles[ref]
                        reg.carries(DataKind.ROLES)
                        break


def _role_policies(by_type: dict, by_address: dict, registry_for: RegistryFor, role_names: dict[str, Any]) -> None:
    """`aws_iam_role_policy` -> iamPolicy resources naming their role."""
    for rp in by_type.get(ROLE_POLICY, []):
        target = by_address.get(rp.refs.get("role", ""))
        role_name = role_names.get(target.address) if target else rp.values.get("role")
        data: dict[str, Any] = {"document": decode_policy(rp.values.get("policy",
                                                                         Unknown(f"{rp.address} has no policy")))}
        origins = {"document": rp.origins.get("policy", rp.origin)}
        if is_set(rp.values.get("name")):
            data["PolicyName"] = rp.values["name"]
            origins["PolicyName"] = rp.origins.get("name", rp.origin)
        if isinstance(role_name, str):
            data["roles"] = [role_name]
        _add_policy(registry_for(rp.provider), Resource("iamPolicy", data, rp.origin, origins, rp.address))


def _policy_documents(by_type: dict, registry_for: RegistryFor, consumed: set[str]) -> None:
    """`data.aws_iam_policy_document` that nothing else consumes -> iamPolicy resources of their own."""
    for d in by_type.get("data." + POLICY_DOCUMENT, []):
        if d.address in consumed:
            continue
        document = decode_policy(d.values.get("json", Unknown(f"{d.address} is not known statically")))
        _add_policy(registry_for(d.provider), Resource("iamPolicy", {"PolicyName": d.address, "document": document},
                                                       d.origin, {"document": d.origin}, d.address))


def _add_policy(reg: Registry, resource: Resource) -> None:
    reg.iam_policies.append(resource)
    reg.carries(DataKind.IAM_POLICIES)
