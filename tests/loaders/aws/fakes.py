"""Test doubles for live collection, all at botocore's `before-send` event of real boto3 clients.

- `FakeEcr`: ECR's pull through cache, template and registry-policy calls, which moto lacks,
  answered per (account, Region) with responses checked against the ECR service model.
- `Faults`: AccessDenied for AssumeRole into chosen accounts, throttling for the calls of chosen
  accounts (answered at before-send, so botocore's retry handler sees them and retries).
- `Calls`: every API call (before-call: once per operation, whatever the retries) and every
  attempt (before-send).

`installed(...)` puts one dispatcher on every botocore session created while it is active (as moto
does, through botocore.handlers.BUILTIN_HANDLERS), ahead of moto's own responder.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import botocore.handlers
import botocore.session
from botocore.awsrequest import AWSResponse
from moto.iam.models import get_account_id_from

_ECR_HOST = re.compile(r"^https://api\.ecr\.([a-z0-9-]+)\.amazonaws\.com")
# moto must leave ECR to FakeEcr (botocore calls every before-send handler, and moto's raises
# NotImplementedError for the PTC operations): `mock_aws(config=MOTO_CONFIG)`.
MOTO_CONFIG: Any = {"core": {"passthrough": {"urls": [r"https://api\.ecr\.[a-z0-9-]+\.amazonaws\.com.*"]}}}
_MODEL = botocore.session.get_session().get_service_model("ecr")


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        yield self._body


def _response(url: str, status: int, body: bytes, content_type: str) -> AWSResponse:
    return AWSResponse(url, status, {"Content-Type": content_type, "x-amzn-RequestId": "fake"}, _Raw(body))


def account_of(request: Any) -> str:
    auth = request.headers.get("Authorization", b"")
    auth = auth.decode() if isinstance(auth, bytes) else str(auth)
    match = re.search(r"Credential=([A-Z0-9]+)/", auth)
    return get_account_id_from(match.group(1)) if match else ""


def check_shape(shape: Any, value: Any, path: str = "") -> None:
    """The canned value fits the ECR model's output shape (members, enums, types)."""
    if shape.type_name == "structure":
        assert isinstance(value, dict), path
        for key, item in value.items():
            assert key in shape.members, f"{path}.{key} is not in {shape.name}"
            check_shape(shape.members[key], item, f"{path}.{key}")
    elif shape.type_name == "list":
        assert isinstance(value, list), path
        for i, item in enumerate(value):
            check_shape(shape.member, item, f"{path}[{i}]")
    elif shape.type_name == "string":
        assert isinstance(value, str), path
        assert not shape.enum or value in shape.enum, f"{path}: {value} not in {shape.enum}"
    elif shape.type_name == "boolean":
        assert isinstance(value, bool), path
    elif shape.type_name == "timestamp":
        assert isinstance(value, (int, float)), path


@dataclass
class EcrRegistry:
    rules: list[dict[str, Any]] = field(default_factory=list)
    templates: list[dict[str, Any]] = field(default_factory=list)
    policy: str | None = None
    scope: str = "V2"
    validation: dict[str, tuple[bool, str]] = field(default_factory=dict)


class FakeEcr:
    def __init__(self) -> None:
        self.registries: dict[tuple[str, str], EcrRegistry] = {}
        self.page_size = 2  # small pages, so pagination is exercised

    def registry(self, account: str, region: str) -> EcrRegistry:
        return self.registries.setdefault((account, region), EcrRegistry())

    def answer(self, request: Any, operation: str, account: str, region: str) -> AWSResponse:
        body = json.loads(request.body or b"{}")
        reg = self.registries.get((account, region), EcrRegistry())
        if operation == "GetRegistryPolicy" and reg.policy is None:
            return self.error(request, "RegistryPolicyNotFoundException", "Registry policy does not exist")
        out = self._output(operation, body, reg, account)
        check_shape(_MODEL.operation_model(operation).output_shape, out, operation)
        return _response(request.url, 200, json.dumps(out).encode(), "application/x-amz-json-1.1")

    def _output(self, operation: str, body: dict[str, Any], reg: EcrRegistry, account: str) -> dict[str, Any]:
        if operation in ("DescribePullThroughCacheRules", "DescribeRepositoryCreationTemplates"):
            items = reg.rules if operation == "DescribePullThroughCacheRules" else reg.templates
            key = "pullThroughCacheRules" if operation == "DescribePullThroughCacheRules" else "repositoryCreationTemplates"
            start = int(body.get("nextToken") or 0)
            out: dict[str, Any] = {key: [dict(i, registryId=account) if "ecrRepositoryPrefix" in i else dict(i)
                                         for i in items[start:start + self.page_size]]}
            if start + self.page_size < len(items):
                out["nextToken"] = str(start + self.page_size)
            if key == "repositoryCreationTemplates":
                out["registryId"] = account
            return out
        if operation == "GetRegistryPolicy":
            return {"registryId": account, "policyText": reg.policy or ""}
        if operation == "GetAccountSetting":
            return {"name": body["name"], "value": reg.scope}
        if operation == "ValidatePullThroughCacheRule":
            rule = next(r for r in reg.rules if r["ecrRepositoryPrefix"] == body["ecrRepositoryPrefix"])
            valid, failure = reg.validation.get(rule["ecrRepositoryPrefix"], (True, ""))
            out = {k: rule[k] for k in ("ecrRepositoryPrefix", "upstreamRegistryUrl", "credentialArn") if k in rule}
            return {**out, "registryId": account, "isValid": valid, **({"failure": failure} if failure else {})}
        raise AssertionError(f"the collector called ECR {operation}, which it should not")

    @staticmethod
    def error(request: Any, code: str, message: str, status: int = 400) -> AWSResponse:
        body = json.dumps({"__type": code, "message": message}).encode()
        return _response(request.url, status, body, "application/x-amz-json-1.1")


def _query_error(request: Any, code: str, message: str, status: int) -> AWSResponse:
    body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
            "<RequestId>fake</RequestId></ErrorResponse>").encode()
    return _response(request.url, status, body, "text/xml")


@dataclass
class Faults:
    deny_assume: set[str] = field(default_factory=set)  # accounts whose role cannot be assumed
    throttle: set[str] = field(default_factory=set)  # accounts whose ECR calls are throttled at first
    throttle_times: int = 1  # per (account, Region, operation)
    deny_ecr: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (account, region) -> ECR operations
    deny_iam: set[str] = field(default_factory=set)  # IAM operations denied everywhere
    disabled_regions: set[str] = field(default_factory=set)  # Regions not enabled for any account
    throttled: Counter = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, request: Any, service: str, operation: str, account: str, region: str) -> AWSResponse | None:
        if service == "sts" and operation == "AssumeRole":
            role = parse_qs(request.body.decode() if isinstance(request.body, bytes) else request.body)["RoleArn"][0]
            target = role.split(":")[4]
            if target in self.deny_assume:
                return _query_error(request, "AccessDenied", f"User is not authorized to perform: sts:AssumeRole on "
                                                             f"resource: {role}", 403)
        if service == "iam" and operation in self.deny_iam:
            return _query_error(request, "AccessDenied", f"not authorized to perform iam:{operation}", 403)
        if service == "ecr" and region in self.disabled_regions:
            return FakeEcr.error(request, "UnrecognizedClientException",
                                 "The security token included in the request is invalid.")
        if service == "ecr" and operation in self.deny_ecr.get((account, region), set()):
            return FakeEcr.error(request, "AccessDeniedException", f"not authorized to perform ecr:{operation}")
        if service == "ecr" and account in self.throttle:
            with self._lock:
                key = (account, region, operation)
                if self.throttled[key] < self.throttle_times:
                    self.throttled[key] += 1
                    return FakeEcr.error(request, "ThrottlingException", "Rate exceeded")
        return None


@dataclass
class Calls:
    """API calls by (service, operation), and the parameters of the secret and role lookups."""

    calls: Counter = field(default_factory=Counter)
    attempts: Counter = field(default_factory=Counter)
    params: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    lookups: list[tuple[str, str, str]] = field(default_factory=list)  # (account, operation, secret or role)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def before_call(self, model: Any, params: dict[str, Any], **kwargs: Any) -> None:
        service = model.service_model.service_name
        with self._lock:
            self.calls[(service, model.name)] += 1
            self.params.append((service, model.name, dict(params)))

    def lookup(self, request: Any, service: str, operation: str, account: str) -> None:
        """Record which secret or role a DescribeSecret / GetRole attempt asked for, in which account."""
        body = request.body.decode() if isinstance(request.body, bytes) else (request.body or "")
        key = ""
        if operation in ("DescribeSecret", "GetSecretValue"):
            key = json.loads(body or "{}").get("SecretId", "")
        elif operation == "GetRole":
            key = parse_qs(body).get("RoleName", [""])[0]
        if key:
            with self._lock:
                self.lookups.append((account, operation, key))

    def count(self, service: str | None = None, operation: str | None = None) -> int:
        return sum(n for (s, o), n in self.calls.items() if service in (None, s) and operation in (None, o))


@dataclass
class Installed:
    ecr: FakeEcr
    faults: Faults
    calls: Calls


def _operation(request: Any, service: str) -> str:
    target = request.headers.get("X-Amz-Target", b"")
    target = target.decode() if isinstance(target, bytes) else str(target)
    if target:
        return target.rsplit(".", 1)[-1]
    body = request.body.decode() if isinstance(request.body, bytes) else (request.body or "")
    return parse_qs(body).get("Action", [""])[0]


@contextlib.contextmanager
def installed() -> Iterator[Installed]:
    """Fakes on every botocore session created inside the block (moto must be active too)."""
    state = Installed(FakeEcr(), Faults(), Calls())

    def dispatch(request: Any, event_name: str, **kwargs: Any) -> AWSResponse | None:
        service = event_name.split(".")[1]
        operation = _operation(request, service)
        account = account_of(request)
        region = match.group(1) if (match := _ECR_HOST.match(request.url)) else ""
        state.calls.attempts[(service, operation)] += 1
        state.calls.lookup(request, service, operation, account)
        fault = state.faults.answer(request, service, operation, account, region)
        if fault is not None:
            return fault
        if service == "ecr":
            return state.ecr.answer(request, operation, account, region)
        return None

    specs = [("before-send", dispatch, botocore.handlers.REGISTER_FIRST), ("before-call", state.calls.before_call)]
    botocore.handlers.BUILTIN_HANDLERS.extend(specs)
    try:
        yield state
    finally:
        for spec in specs:
            botocore.handlers.BUILTIN_HANDLERS.remove(spec)
