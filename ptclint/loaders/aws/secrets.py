"""Secrets Manager and KMS: DescribeSecret for each distinct `credentialArn`, KMS DescribeKey for
its key, ListSecrets under the `ecr-pullthroughcache/` prefix (orphaned secrets). GetSecretValue
only when PTC-AUTH-008 is selected, and then only the value's JSON key names are kept: the value
itself is dropped at once and never stored, printed or logged."""

from __future__ import annotations

import json
from typing import Any

from ptclint.loaders.aws.calls import CallFailed, Once, call, pages, plain
from ptclint.loaders.aws.session import Clients
from ptclint.model import Status

PREFIX = "ecr-pullthroughcache/"
_DROP = frozenset({"SecretString", "SecretBinary"})


def arn_region(arn: str, default: str) -> str:
    parts = arn.split(":")
    return parts[3] if len(parts) > 5 and parts[3] else default


class Secrets:
    """Lookups shared by every registry of the run, each fetched once."""

    def __init__(self, secret_values: bool) -> None:
        self.secret_values = secret_values
        self._secrets = Once()
        self._keys = Once()

    def lookup(self, clients: Clients, account: str, arn: str, region: str) -> dict[str, Any]:
        return dict(self._secrets.get((account, arn), lambda: self._describe(clients, account, arn, region)))

    def _describe(self, clients: Clients, account: str, arn: str, region: str) -> dict[str, Any]:
        client = clients.get("secretsmanager", arn_region(arn, region))
        try:
            found = call(client.describe_secret, "DescribeSecret", SecretId=arn)
        except CallFailed as exc:
            return {"status": exc.status.value, "error": exc.short()}
        secret = {k: v for k, v in plain(found).items() if k not in _DROP}
        out: dict[str, Any] = {"status": Status.FOUND.value, "secret": secret}
        manager = self._key_manager(clients, account, arn_region(arn, region), secret.get("KmsKeyId"))
        if manager:
            out["kmsKeyManager"] = manager
        if self.secret_values:
            shape = _value_shape(client, arn)
            if shape is not None:
                out["valueShape"] = shape
        return out

    def _key_manager(self, clients: Clients, account: str, region: str, key_id: Any) -> str | None:
        """AWS for the default aws/secretsmanager key (no KmsKeyId), else KMS DescribeKey's KeyManager."""
        if not key_id:
            return "AWS"

        def describe() -> str | None:
            try:
                meta = call(clients.get("kms", region).describe_key, "DescribeKey", KeyId=str(key_id))["KeyMetadata"]
            except CallFailed:
                return None  # rules on the key manager are not judged without it
            return str(meta.get("KeyManager")) if meta.get("KeyManager") in ("AWS", "CUSTOMER") else None

        result: str | None = self._keys.get((account, region, str(key_id)), describe)
        return result


def _value_shape(client: Any, arn: str) -> dict[str, Any] | None:
    """Whether the value is a JSON object, and its key names. The value never leaves this function."""
    try:
        found = client.get_secret_value(SecretId=arn)
    except Exception:  # no message of this call is kept: it could quote the value
        return None
    text = found.get("SecretString")
    del found
    try:
        value = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        value = None
    shape: dict[str, Any] = {"isJsonObject": isinstance(value, dict)}
    if isinstance(value, dict):
        shape["keys"] = sorted(str(k) for k in value)
    del value, text
    return shape


def listed(clients: Clients, region: str, errors: list[dict[str, str]]) -> dict[str, dict[str, Any]]:
    """Secrets named ecr-pullthroughcache/... in the registry's account and Region (ListSecrets, filtered)."""
    client = clients.get("secretsmanager", region)
    try:
        items = pages(client, "list_secrets", "SecretList", Filters=[{"Key": "name", "Values": [PREFIX]}])
    except CallFailed as exc:
        errors.append(exc.entry())
        return {}
    return {str(s["ARN"]): {"status": Status.FOUND.value, "secret": plain(s)} for s in items
            if str(s.get("Name", "")).startswith(PREFIX)}
