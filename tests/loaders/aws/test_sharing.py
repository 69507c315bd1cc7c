"""What the collector builds once per run, whatever the number of accounts: botocore sessions (each
registers some 130 event handlers), service models read from disk, and clients (one per service and
Region, each call signed for its account). Counted through the real boto3 clients of a collection of
11 accounts x 3 Regions; the cost of each is botocore CPU time under the GIL, which is what kept
`bench/live_latency.py` from its target (issue 10, "Done when" 5)."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import botocore.loaders
import botocore.session
import pytest

from ptclint.loaders.aws import session, signing
from ptclint.loaders.aws.calls import CallFailed, call

from . import world as W
from .fakes import Installed
from .test_collect import ORG_FLAGS, ptclint


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """Counts of botocore sessions made, of clients made by (service, Region) and of service model
    files read, by service."""
    counts: Counter = Counter()
    real_init = botocore.session.Session.__init__
    real_load = botocore.loaders.JSONFileLoader.load_file
    real_client = botocore.session.Session.create_client

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        counts["sessions"] += 1
        real_init(self, *args, **kwargs)

    def load_file(self: Any, file_path: str) -> Any:
        parts = str(file_path).replace("\\", "/").split("/")
        if parts[-1] == "service-2":
            counts[f"model {parts[-3]}"] += 1
        return real_load(self, file_path)

    def create_client(self: Any, service: str, region_name: str | None = None, **kwargs: Any) -> Any:
        counts[("client", service, region_name)] += 1
        return real_client(self, service, region_name, **kwargs)

    monkeypatch.setattr(botocore.session.Session, "__init__", init)
    monkeypatch.setattr(botocore.session.Session, "create_client", create_client)
    monkeypatch.setattr(botocore.loaders.JSONFileLoader, "load_file", load_file)
    return counts


def test_sessions_models_and_clients_are_made_once_for_many_accounts(aws: Installed, counted: Counter) -> None:
    W.build(aws.ecr, members=10)
    counted.clear()
    assumed = aws.calls.count("sts", "AssumeRole")  # the world's set-up assumes roles too
    code, _, err = ptclint("export", "-o", "snapshot.json", *ORG_FLAGS)
    assert code == 0, err
    assert aws.calls.count("sts", "AssumeRole") - assumed == 10  # ten assumed roles, 11 accounts read
    # one session for the configuration and the home credentials, one that makes every client
    assert counted["sessions"] == 2
    models = {key: n for key, n in counted.items() if str(key).startswith("model ")}
    assert models == {f"model {s}": 1 for s in ("sts", "organizations", "ecr", "secretsmanager", "iam")}
    clients = {key[1:]: n for key, n in counted.items() if key[0] == "client"}
    home = W.REGIONS[0]  # the first --region
    assert clients == {("sts", home): 1, ("organizations", home): 1, ("iam", "us-east-1"): 1,
                       **{(s, r): 1 for s in ("ecr", "secretsmanager") for r in W.REGIONS}}


def test_each_call_is_signed_for_its_own_account_under_concurrency(aws: Installed) -> None:
    """Threads calling one shared client for two accounts at once each get their own account's answer;
    a call made outside any account has no credentials at all (it cannot borrow another's)."""
    management, members = W.organization(2)
    shared = signing.Shared(boto3.Session(), None, session.client_config(8))
    home = session.Clients(shared)
    member = session.assume(home, "us-east-1", f"arn:aws:iam::{members[1]}:role/{W.ROLE}", None)
    accounts = [(home, management), (member, members[1])] * 40

    def who(pair: tuple[session.Clients, str]) -> tuple[str, str]:
        return str(call(pair[0].get("sts", "us-east-1").get_caller_identity, "GetCallerIdentity")["Account"]), pair[1]

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(who, accounts))
    assert all(got == expected for got, expected in answers) and len({a for a, _ in answers}) == 2
    assert len(shared._clients) == 1  # both accounts used the one STS client
    with pytest.raises(CallFailed) as failed:
        call(shared.client("sts", "us-east-1").get_caller_identity, "GetCallerIdentity")
    assert failed.value.code == "NoCredentialsError"
    assert "Secret" not in repr(member) + repr(member.get("sts", "us-east-1"))
