"""Live collection under latency: N accounts x 3 Regions behind endpoints that add 50 ms to every
call, compared with the ideal (calls x latency / concurrency). Issue 10, "Done when" 5.

No network and no moto: every AWS call of real boto3 clients is answered at botocore's
`before-send` event after sleeping the latency (the sleep releases the GIL, as a socket wait does),
so what is measured is ptclint's scheduling plus botocore's own work per call. The `cpu` column is
the process's CPU time during the collection (with the import of boto3), which moves less with the
load of a shared machine than the wall time does.

    python bench/live_latency.py [--accounts 50] [--latency 0.05] [--concurrency 8] [--tree CHECKOUT]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs

import botocore.handlers
from botocore.awsrequest import AWSResponse

REGIONS = ("eu-west-1", "us-east-1", "ap-southeast-2")
CALLER = "100000000000"
_STS = "https://sts.amazonaws.com/doc/2011-06-15/"


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        yield self._body


def _reply(request: Any, body: Any, status: int = 200) -> AWSResponse:
    if isinstance(body, str):
        return AWSResponse(request.url, status, {"Content-Type": "text/xml"}, _Raw(body.encode()))
    headers = {"Content-Type": "application/x-amz-json-1.1"}
    return AWSResponse(request.url, status, headers, _Raw(json.dumps(body).encode()))


def _account(request: Any) -> str:
    auth = request.headers.get("Authorization", b"")
    auth = auth.decode() if isinstance(auth, bytes) else str(auth)
    match = re.search(r"Credential=ASIA([0-9]{12})/", auth)
    return match.group(1) if match else CALLER


class Endpoints:
    def __init__(self, accounts: list[str], latency: float) -> None:
        self.accounts = accounts
        self.latency = latency
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self, request: Any, event_name: str, **kwargs: Any) -> AWSResponse:
        time.sleep(self.latency)
        with self._lock:
            self.calls += 1
        service = event_name.split(".")[1]
        body = request.body.decode() if isinstance(request.body, bytes) else (request.body or "")
        target = request.headers.get("X-Amz-Target", b"")
        operation = (target.decode() if isinstance(target, bytes) else str(target)).rsplit(".", 1)[-1]
        if service == "sts":
            return self.sts(request, parse_qs(body))
        if service == "organizations":
            start = int(json.loads(body or "{}").get("NextToken") or 0)
            page = [{"Id": a, "Status": "ACTIVE", "State": "ACTIVE"} for a in self.accounts[start:start + 20]]
            more = {"NextToken": str(start + 20)} if start + 20 < len(self.accounts) else {}
            return _reply(request, {"Accounts": page, **more})
        if service == "secrets-manager" and operation == "ListSecrets":
            return _reply(request, {"SecretList": []})
        if service == "ecr":
            return self.ecr(request, operation, _account(request))
        raise AssertionError(f"unexpected call {event_name}")

    def sts(self, request: Any, form: dict[str, list[str]]) -> AWSResponse:
        if form["Action"][0] == "GetCallerIdentity":
            return _reply(request, f'<GetCallerIdentityResponse xmlns="{_STS}"><GetCallerIdentityResult>'
                                   f"<Arn>arn:aws:iam::{CALLER}:user/bench</Arn><UserId>AIDABENCH</UserId>"
                                   f"<Account>{CALLER}</Account></GetCallerIdentityResult></GetCallerIdentityResponse>")
        account = form["RoleArn"][0].split(":")[4]
        return _reply(request, f'<AssumeRoleResponse xmlns="{_STS}"><AssumeRoleResult><Credentials>'
                               f"<AccessKeyId>ASIA{account}</AccessKeyId><SecretAccessKey>x</SecretAccessKey>"
                               "<SessionToken>x</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration>"
                               f"</Credentials><AssumedRoleUser><Arn>arn:aws:sts::{account}:assumed-role/r/ptclint</Arn>"
                               "<AssumedRoleId>AROABENCH:ptclint</AssumedRoleId></AssumedRoleUser></AssumeRoleResult>"
                               "</AssumeRoleResponse>")

    def ecr(self, request: Any, operation: str, account: str) -> AWSResponse:
        if operation == "DescribePullThroughCacheRules":
            return _reply(request, {"pullThroughCacheRules": [
                {"ecrRepositoryPrefix": "ecr-public", "upstreamRegistryUrl": "public.ecr.aws",
                 "upstreamRegistry": "ecr-public", "registryId": account, "createdAt": 1767225600.0}]})
        if operation == "DescribeRepositoryCreationTemplates":
            return _reply(request, {"registryId": account, "repositoryCreationTemplates": [
                {"prefix": "ecr-public", "appliedFor": ["PULL_THROUGH_CACHE"], "imageTagMutability": "MUTABLE"}]})
        if operation == "GetRegistryPolicy":
            return _reply(request, {"__type": "RegistryPolicyNotFoundException", "message": "none"}, 400)
        if operation == "GetAccountSetting":
            return _reply(request, {"name": "REGISTRY_POLICY_SCOPE", "value": "V2"})
        raise AssertionError(f"unexpected ECR call {operation}")


def _import_from(tree: str) -> None:
    """ptclint from `tree`: ahead of the editable install's finder, which precedes sys.path."""
    sys.meta_path[:] = [finder for finder in sys.meta_path if "editable" not in repr(finder).lower()]
    sys.path.insert(0, os.path.abspath(tree))
    import ptclint

    if not os.path.abspath(ptclint.__file__).startswith(os.path.abspath(tree)):
        raise SystemExit(f"--tree {tree}: ptclint was imported from {ptclint.__file__}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--tree", help="import ptclint from this checkout (e.g. `git archive REV | tar -x -C "
                                       "/tmp/before`) instead of the installed one, to time it with this script")
    args = parser.parse_args(argv)
    if args.tree:
        _import_from(args.tree)
    nowhere = "/nonexistent/ptclint-bench"  # no config or credentials file of the machine is read
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_EC2_METADATA_DISABLED="true",
                      AWS_CONFIG_FILE=nowhere, AWS_SHARED_CREDENTIALS_FILE=nowhere)
    accounts = [CALLER, *(f"{200000000000 + i}" for i in range(1, args.accounts))]
    endpoints = Endpoints(accounts, args.latency)
    botocore.handlers.BUILTIN_HANDLERS.append(("before-send", endpoints, botocore.handlers.REGISTER_FIRST))

    from ptclint.loaders.aws import CollectOptions, snapshot_text

    options = CollectOptions(org=True, role_name="PtclintAudit", regions=REGIONS, concurrency=args.concurrency)
    started, cpu = time.perf_counter(), time.process_time()
    text = snapshot_text(options, datetime.now(timezone.utc))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    registries = len(json.loads(text)["registries"])
    ideal = endpoints.calls * args.latency / args.concurrency
    print(f"| {args.accounts} x {len(REGIONS)} | {registries} | {endpoints.calls} | {args.latency * 1000:.0f} ms | "
          f"{args.concurrency} | {ideal:.2f} s | {elapsed:.2f} s | {cpu:.2f} s | "
          f"{f'{elapsed / ideal:.2f}' if ideal else '-'} |")
    return 0 if elapsed <= 1.5 * ideal else 1


if __name__ == "__main__":
    sys.exit(main())
