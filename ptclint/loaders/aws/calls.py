"""One AWS API call and how its failure is recorded: the lookup status it means (access denied,
not found, not collected) and the `errors` entry (operation, code, message) of the snapshot."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ptclint.model import Status

DENIED = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError",
                    "UnauthorizedAccess", "AccessDeniedFault", "AWSOrganizationsNotInUseException"})
NOT_FOUND = frozenset({"ResourceNotFoundException", "NoSuchEntity", "NoSuchEntityException",
                       "RegistryPolicyNotFoundException", "NotFoundException"})
# A Region that is not enabled for the account answers every call with one of these.
NOT_ENABLED = frozenset({"UnrecognizedClientException", "InvalidClientTokenId", "OptInRequired", "AuthFailure"})
_MESSAGE_LIMIT = 300


class CallFailed(Exception):
    """A failed call: `status` is what it means for the lookup it served."""

    def __init__(self, operation: str, code: str, message: str) -> None:
        super().__init__(f"{operation}: {code}: {message}")
        self.operation = operation
        self.code = code
        self.message = " ".join(message.split())[:_MESSAGE_LIMIT]

    @property
    def status(self) -> Status:
        if self.code in DENIED:
            return Status.ACCESS_DENIED
        if self.code in NOT_FOUND:
            return Status.NOT_FOUND
        return Status.NOT_COLLECTED

    @property
    def region_not_enabled(self) -> bool:
        return self.code in NOT_ENABLED

    def entry(self) -> dict[str, str]:
        """The snapshot's `errors` item."""
        return {"operation": self.operation, "code": self.code, "message": self.message}

    def short(self) -> str:
        """The lookup's `error` field."""
        return f"{self.code}: {self.message}"


def call(fn: Callable[..., Any], operation: str, **kwargs: Any) -> dict[str, Any]:
    """Run one call (botocore retries throttling and transient errors itself); any failure is CallFailed."""
    try:
        response = fn(**kwargs)
    except ClientError as exc:
        err = exc.response.get("Error", {})
        raise CallFailed(operation, str(err.get("Code") or "ClientError"), str(err.get("Message") or exc)) from None
    except BotoCoreError as exc:  # timeouts, connection errors, retries exhausted on the network
        raise CallFailed(operation, type(exc).__name__, str(exc)) from None
    out: dict[str, Any] = dict(response)
    out.pop("ResponseMetadata", None)
    return out


def pages(client: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
    """Every item of a paginated call, `operation` in its Python name (describe_pull_through_cache_rules)."""
    name = "".join(part.capitalize() for part in operation.split("_"))
    items: list[Any] = []
    try:
        for page in client.get_paginator(operation).paginate(**kwargs):
            items.extend(page.get(key, []))
    except ClientError as exc:
        err = exc.response.get("Error", {})
        raise CallFailed(name, str(err.get("Code") or "ClientError"), str(err.get("Message") or exc)) from None
    except BotoCoreError as exc:
        raise CallFailed(name, type(exc).__name__, str(exc)) from None
    return items


def plain(value: Any) -> Any:
    """API data as the snapshot holds it: timestamps as YYYY-MM-DDTHH:MM:SSZ, no ResponseMetadata."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


class Once:
    """Results by key, each computed once even when several threads ask at the same time (so every
    distinct secret, role, policy and key is fetched once per run)."""

    def __init__(self) -> None:
        import threading

        self._lock = threading.Lock()
        self._locks: dict[Any, Any] = {}
        self._done: dict[Any, Any] = {}

    def get(self, key: Any, compute: Callable[[], Any]) -> Any:
        import threading

        with self._lock:
            if key in self._done:
                return self._done[key]
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._done:
                value = compute()
                with self._lock:
                    self._done[key] = value
            return self._done[key]
