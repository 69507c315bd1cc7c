"""Credentials and clients: the standard boto3 credential chain (or `--profile`), a role assumed in
each account, and one botocore Config on every client (adaptive retries, connect and read timeouts)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError

from ptclint.errors import ConfigError
from ptclint.loaders.aws.calls import CallFailed, call

CONNECT_TIMEOUT = 5  # seconds
READ_TIMEOUT = 30
MAX_ATTEMPTS = 8  # botocore's adaptive mode: throttling and transient errors are retried with backoff
SESSION_NAME = "ptclint"


def client_config(concurrency: int) -> Config:
    return Config(
        retries={"mode": "adaptive", "max_attempts": MAX_ATTEMPTS},
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        max_pool_connections=max(10, concurrency),
        user_agent_extra="ptclint",
    )


def base_session(profile: str | None) -> boto3.Session:
    try:
        return boto3.Session(profile_name=profile) if profile else boto3.Session()
    except BotoCoreError as exc:  # ProfileNotFound, a config file that cannot be parsed
        raise ConfigError(f"--profile {profile}: {exc}" if profile else f"AWS configuration: {exc}") from None


class Clients:
    """One account's clients, each made once per (service, Region) and shared by the threads
    (botocore clients are thread-safe).

    Every account's clients come from the one home session: an assumed role's clients are made by it
    with the role's temporary credentials as arguments, so botocore's event handlers are registered,
    and service models and endpoint rulesets loaded, once per run rather than once per account. The
    session itself is not thread-safe, so all client creation of a run is under one lock."""

    def __init__(self, session: boto3.Session, config: Config, on_call: Callable[[], None] | None = None,
                 *, credentials: dict[str, str] | None = None, create_lock: threading.Lock | None = None) -> None:
        self.session = session
        self._config = config
        self._on_call = on_call
        self._credentials = dict(credentials or {})  # never printed: only passed to client()
        self._create_lock = create_lock or threading.Lock()
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str], Any] = {}

    def __repr__(self) -> str:  # the credentials stay out of tracebacks and logs
        return f"<Clients of {'an assumed role' if self._credentials else 'the home session'}>"

    def assumed(self, credentials: dict[str, str]) -> Clients:
        """The clients of another account: same session, config and lock, the role's credentials."""
        return Clients(self.session, self._config, self._on_call, credentials=credentials,
                       create_lock=self._create_lock)

    def get(self, service: str, region: str) -> Any:
        key = (service, region)
        with self._lock:
            if key not in self._clients:
                with self._create_lock:
                    client = self.session.client(service, region_name=region, config=self._config,
                                                 **self._credentials)
                if self._on_call is not None:
                    on_call = self._on_call
                    client.meta.events.register("before-call", lambda **_: on_call())
                self._clients[key] = client
            return self._clients[key]


def role_arn(account: str, partition: str, role_name: str | None, template: str | None) -> str | None:
    """The role to assume in `account`: `--role-arn-template` ({account}, {partition}) or `--role-name`."""
    if template:
        try:
            return template.format(account=account, partition=partition)
        except (KeyError, IndexError, ValueError) as exc:
            raise ConfigError(f"--role-arn-template {template}: use {{account}} and {{partition}} only "
                              f"({exc})") from None
    if role_name:
        return f"arn:{partition}:iam::{account}:role/{role_name}"
    return None


def assume(home: Clients, region: str, arn: str, external_id: str | None) -> Clients:
    """The clients of the role's account, with its temporary credentials; CallFailed when it cannot be assumed."""
    kwargs: dict[str, Any] = {"RoleArn": arn, "RoleSessionName": SESSION_NAME}
    if external_id:
        kwargs["ExternalId"] = external_id
    creds = call(home.get("sts", region).assume_role, "AssumeRole", **kwargs)["Credentials"]
    return home.assumed({"aws_access_key_id": creds["AccessKeyId"], "aws_secret_access_key": creds["SecretAccessKey"],
                         "aws_session_token": creds["SessionToken"]})


def caller(home: Clients, region: str) -> tuple[str, str]:
    """(account, partition) of the credentials; a ConfigError when there are none that work."""
    try:
        ident = call(home.get("sts", region).get_caller_identity, "GetCallerIdentity")
    except CallFailed as exc:
        raise ConfigError(f"cannot use the AWS credentials: GetCallerIdentity: {exc.code}: {exc.message}") from None
    except (BotoCoreError, ValueError) as exc:  # an unparsable config file, a malformed setting
        raise ConfigError(f"cannot use the AWS credentials: {exc}") from None
    return str(ident["Account"]), str(ident["Arn"]).split(":")[1]
