"""One boto3 client per (service, Region) for the whole run, each call signed with the credentials of
the account it is made for.

Making a botocore client costs about 6 ms of CPU, and its first calls about 1.3 ms more each (event
name aliases, operation and error models, endpoint rules: all cached per client), all under the GIL.
With a client per (account, Region, service) that was most of a collection's CPU time: 300 clients
for 50 accounts x 3 Regions, 180 KiB each. Shared clients make that cost independent of the number of
accounts, and share the HTTP connection pool too.

How a call gets its account's credentials: the shared clients are made by a botocore session whose
only credentials are `_PerCall`, which signs with whatever `_SIGNING` (a context variable, so per
thread) holds. `Bound`, the client handed to the collectors, sets it to its account's credentials
for the duration of each call or page, and resets it after. Outside such a call it holds nothing and
the request fails with NoCredentialsError: a call can never borrow another account's credentials.

What accounts share besides: botocore's retry quota and, in adaptive mode, its client-side rate
limiter are per client, so throttling in one account paces the calls of the others to the same
service and Region for a while (the run slows down; nothing is dropped).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.credentials import CredentialProvider, CredentialResolver, Credentials

_SIGNING: ContextVar[Any] = ContextVar("ptclint_signing_credentials", default=None)


class _PerCall(Credentials):  # type: ignore[misc]  # botocore publishes no types
    """Stands in for credentials on the shared clients; holds no keys itself."""

    method = "ptclint-per-call"

    def __init__(self) -> None:
        pass

    def get_frozen_credentials(self) -> Any:
        current = _SIGNING.get()
        return None if current is None else current.get_frozen_credentials()

    @property
    def account_id(self) -> Any:  # botocore's endpoint rules may ask (DynamoDB's do)
        return getattr(_SIGNING.get(), "account_id", None)


class _PerCallProvider(CredentialProvider):  # type: ignore[misc]
    METHOD = _PerCall.method

    def load(self) -> _PerCall:
        return _PerCall()


class Shared:
    """The run's clients, one per (service, Region), made on first use by their own botocore session
    (same profile as the home session; its only credentials `_PerCall`). Sessions are not
    thread-safe: clients are made under a lock."""

    def __init__(self, base: boto3.Session, profile: str | None, config: Config,
                 on_call: Callable[[], None] | None = None) -> None:
        self.base = base
        core = botocore.session.Session(profile=profile)
        core.register_component("credential_provider", CredentialResolver([_PerCallProvider()]))
        self._session = boto3.Session(botocore_session=core)
        self._config = config
        self._on_call = on_call
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str], Any] = {}

    def client(self, service: str, region: str) -> Any:
        key = (service, region)
        found = self._clients.get(key)
        if found is not None:
            return found
        with self._lock:
            if key not in self._clients:
                client = self._session.client(service, region_name=region, config=self._config)
                if self._on_call is not None:
                    on_call = self._on_call
                    client.meta.events.register("before-call", lambda **_: on_call())
                self._clients[key] = client
            return self._clients[key]


class Bound:
    """A shared client as one account uses it: its API methods and paginators sign with `credentials`."""

    def __init__(self, client: Any, credentials: Any) -> None:
        self._client = client
        self._credentials = credentials  # never printed: only handed to the signer

    def __repr__(self) -> str:
        return f"<{self._client.meta.service_model.service_name} client of one account>"

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._client, name)
        if name == "get_paginator":
            return lambda operation: _BoundPaginator(attr(operation), self._credentials)
        if name not in self._client.meta.method_to_api_mapping:
            return attr

        def signed(*args: Any, **kwargs: Any) -> Any:
            token = _SIGNING.set(self._credentials)
            try:
                return attr(*args, **kwargs)
            finally:
                _SIGNING.reset(token)

        return signed


class _BoundPaginator:
    def __init__(self, paginator: Any, credentials: Any) -> None:
        self._paginator = paginator
        self._credentials = credentials

    def paginate(self, **kwargs: Any) -> Iterator[Any]:
        """The pages, each requested with the account's credentials (set while the page is fetched only)."""
        pages = iter(self._paginator.paginate(**kwargs))
        end = object()
        while True:
            token = _SIGNING.set(self._credentials)
            try:
                page = next(pages, end)
            finally:
                _SIGNING.reset(token)
            if page is end:
                return
            yield page
