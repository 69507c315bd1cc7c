"""Credentials and clients: the standard boto3 credential chain (or `--profile`), a role assumed in
each account, and one botocore Config on every client (adaptive retries, connect and read timeouts)."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import BotoCoreError

from ptclint.errors import ConfigError
from ptclint.loaders.aws import signing
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
    """One account's clients: the run's shared clients (`signing.Shared`, one per service and Region)
    bound to the account's credentials, which are the home session's (the standard chain or
    `--profile`, resolved on first use) or an assumed role's temporary ones."""

    def __init__(self, shared: signing.Shared, credentials: Any = None) -> None:
        self.shared = shared
        self.session = shared.base
        self._credentials = credentials  # never printed: only handed to the signer

    def __repr__(self) -> str:
        return "<Clients of one account>"

    def assumed(self, credentials: dict[str, Any]) -> Clients:
        """The clients of another account: the same shared clients, the role's credentials."""
        return Clients(self.shared, Credentials(credentials["AccessKeyId"], credentials["SecretAccessKey"],
                                                credentials["SessionToken"], method="assume-role"))

    def get(self, service: str, region: str) -> Any:
        if self._credentials is None:  # the home account's, from the standard chain
            self._credentials = self.session.get_credentials()
        return signing.Bound(self.shared.client(service, region), self._credentials)


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
    return home.assumed(call(home.get("sts", region).assume_role, "AssumeRole", **kwargs)["Credentials"])


def caller(home: Clients, region: str) -> tuple[str, str]:
    """(account, partition) of the credentials; a ConfigError when there are none that work."""
    try:
        ident = call(home.get("sts", region).get_caller_identity, "GetCallerIdentity")
    except CallFailed as exc:
        raise ConfigError(f"cannot use the AWS credentials: GetCallerIdentity: {exc.code}: {exc.message}") from None
    except (BotoCoreError, ValueError) as exc:  # an unparsable config file, a malformed setting
        raise ConfigError(f"cannot use the AWS credentials: {exc}") from None
    return str(ident["Account"]), str(ident["Arn"]).split(":")[1]
