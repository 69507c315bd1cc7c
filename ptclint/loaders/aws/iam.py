"""IAM: each distinct role (rules' and templates' `customRoleArn`, the pulling principals named in the
IAM rules' params) with its trust policy and its attached and inline policies. IAM is global, so a
role is fetched once per account whatever the number of Regions; a managed policy attached to
several roles is fetched once too."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from ptclint.loaders.aws.calls import CallFailed, Once, call, pages, plain
from ptclint.loaders.aws.session import Clients
from ptclint.model import Status


def _document(value: Any) -> Any:
    """botocore decodes policy documents; a string that is still URL-encoded JSON is decoded here."""
    if isinstance(value, str):
        import json

        try:
            return json.loads(unquote(value))
        except ValueError:
            return value
    return value


def _arn_account(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 else ""


class Roles:
    def __init__(self) -> None:
        self._roles = Once()
        self._policies = Once()

    def lookup(self, clients: Clients, account: str, region: str, arn: str) -> dict[str, Any]:
        if _arn_account(arn) != account or ":role/" not in arn:
            return {"status": Status.NOT_COLLECTED.value,
                    "error": "not a role of the scanned account: GetRole can only read the caller's own roles"}
        return dict(self._roles.get((account, arn), lambda: self._role(clients, account, region, arn)))

    def _role(self, clients: Clients, account: str, region: str, arn: str) -> dict[str, Any]:
        iam = clients.get("iam", region)
        name = arn.rsplit("/", 1)[-1]
        try:
            role = plain(call(iam.get_role, "GetRole", RoleName=name)["Role"])
        except CallFailed as exc:
            return {"status": exc.status.value, "error": exc.short()}
        role["AssumeRolePolicyDocument"] = _document(role.get("AssumeRolePolicyDocument"))
        out: dict[str, Any] = {"status": Status.FOUND.value, "role": role}
        try:
            attached = pages(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=name)
            out["attachedPolicies"] = [self._managed(iam, account, p) for p in attached]
        except CallFailed as exc:
            out["error"] = exc.short()  # attachedPolicies stays absent: the role's permissions are not judged
        try:
            inline = pages(iam, "list_role_policies", "PolicyNames", RoleName=name)
            out["inlinePolicies"] = [self._inline(iam, name, str(p)) for p in inline]
        except CallFailed as exc:
            out["error"] = exc.short()
        return out

    def _managed(self, iam: Any, account: str, attached: dict[str, Any]) -> dict[str, Any]:
        arn = str(attached["PolicyArn"])

        def fetch() -> dict[str, Any]:
            entry: dict[str, Any] = {"PolicyArn": arn, "PolicyName": str(attached.get("PolicyName", ""))}
            try:
                version = call(iam.get_policy, "GetPolicy", PolicyArn=arn)["Policy"]["DefaultVersionId"]
                found = call(iam.get_policy_version, "GetPolicyVersion", PolicyArn=arn, VersionId=version)
                entry["document"] = _document(found["PolicyVersion"]["Document"])
            except CallFailed as exc:
                entry["error"] = exc.short()  # no document: the role's permissions are not judged
            return entry

        return dict(self._policies.get((account, arn), fetch))

    def _inline(self, iam: Any, role: str, name: str) -> dict[str, Any]:
        try:
            found = call(iam.get_role_policy, "GetRolePolicy", RoleName=role, PolicyName=name)
        except CallFailed as exc:
            return {"PolicyName": name, "error": exc.short()}
        return {"PolicyName": name, "document": _document(found.get("PolicyDocument"))}
