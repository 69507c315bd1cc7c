"""ARNs, upstream registry hosts and kinds, and symbolic pseudo parameters.

A value IaC could not resolve to a concrete account or Region stays symbolic
(`${AWS::AccountId}`): `same()` compares it with a concrete one as unknown, never as different.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from ptclint.model import Unknown
from ptclint.rulelib.prefixes import norm_prefix
from ptclint.rulelib.tri import known, known_str

_FIXED_HOSTS = {
    "public.ecr.aws": "ecr-public",
    "registry.k8s.io": "k8s",
    "quay.io": "quay",
    "registry-1.docker.io": "docker-hub",
    "ghcr.io": "github-container-registry",
    "registry.gitlab.com": "gitlab-container-registry",
    "cgr.dev": "chainguard",
}


_CANONICAL = {kind: host for host, kind in _FIXED_HOSTS.items()}

#: Every `upstreamRegistry` name ECR knows (the API's UpstreamRegistry enum).
UPSTREAM_KINDS = frozenset({*_FIXED_HOSTS.values(), "ecr", "azure-container-registry"})


_ECR_HOST = re.compile(r"^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$")


_ACR_HOST = re.compile(r"^[a-z0-9]+\.azurecr\.io$")


_ARN = re.compile(r"^arn:([^:]*):([^:]*):([^:]*):([^:]*):(.+)$", re.S)


# ---------------------------------------------------------------- upstream hosts


def url_host(url: str) -> str:
    """The host of `url`, lower-cased, without scheme, path, port or surrounding space."""
    s = str(url).strip().lower()
    s = re.sub(r"^[a-z][a-z0-9+.-]*://", "", s)
    s = s.split("/", 1)[0].split("@")[-1]
    return s.split(":", 1)[0]


def upstream_kind(url: str) -> str:
    """The `upstreamRegistry` enum value the host implies (`docker-hub` for `registry-1.docker.io`,
    `ecr` for `<12 digits>.dkr.ecr.<region>.amazonaws.com`, `azure-container-registry` for
    `<name>.azurecr.io`, ...), or `""` when the host is not a supported upstream."""
    host = url_host(url)
    if host in _FIXED_HOSTS:
        return _FIXED_HOSTS[host]
    if _ECR_HOST.match(host):
        return "ecr"
    if _ACR_HOST.match(host):
        return "azure-container-registry"
    return ""


def rule_kind(rule: Mapping[str, Any]) -> str:
    """`rule.upstreamRegistry` when present, else `upstreamKind(rule.upstreamRegistryUrl)`."""
    if rule.get("upstreamRegistry"):
        return str(known(rule["upstreamRegistry"]))
    return upstream_kind(known(rule.get("upstreamRegistryUrl", "")))


def canonical_host(kind: Any) -> str:
    """The documented host of an `upstreamRegistry` value (`docker-hub` -> `registry-1.docker.io`); `""` for
    kinds without one fixed host (`ecr`, `azure-container-registry`) or unknown kinds."""
    return _CANONICAL.get(kind, "")


def ecr_host_account(url: str) -> str:
    """The account of an ECR private registry host (`<12 digits>.dkr.ecr.<region>.amazonaws.com`), `""`
    for any other host."""
    m = _ECR_HOST.match(url_host(url))
    return m.group(1) if m else ""


def ecr_host_region(url: str) -> str:
    """The Region of an ECR private registry host (`<12 digits>.dkr.ecr.<region>.amazonaws.com`), `""`
    for any other host."""
    m = _ECR_HOST.match(url_host(url))
    return m.group(2) if m else ""


# ---------------------------------------------------------------- ARNs


_TOKEN = re.compile(r"\$\{[^}]*\}")


def parse_arn(s: str) -> dict[str, Any]:
    """`{valid: bool, partition, service, region, account, resource}`; all parts `""` when `s` is
    not an ARN."""
    tokens: list[str] = []

    def hide(m: re.Match[str]) -> str:
        tokens.append(m.group(0))
        return f"\x00{len(tokens) - 1}\x00"

    m = _ARN.match(_TOKEN.sub(hide, str(s)))
    parts = m.groups() if m else ("",) * 5

    def restore(p: str) -> str:
        return re.sub(r"\x00(\d+)\x00", lambda t: tokens[int(t.group(1))], p)

    names = ("partition", "service", "region", "account", "resource")
    return {"valid": bool(m), **{n: restore(p) for n, p in zip(names, parts)}}


def repo_arn_pattern(registry: Any, prefix: Any) -> str:
    """`arn:<partition>:ecr:<region>:<account>:repository/<prefix>/*` for a registry map
    (`registry`, or `{partition, region, account}`); `ROOT` gives `repository/*`; empty or symbolic
    parts become `*`."""
    registry = known(registry)
    parts = []
    for key, default in (("partition", "aws"), ("region", ""), ("account", "")):
        value = known(registry.get(key, default)) if isinstance(registry, Mapping) else default
        parts.append("*" if not isinstance(value, str) or not value or is_symbolic(value) else value)
    p = norm_prefix(known_str(prefix))
    repo = "repository/*" if p == "ROOT" else f"repository/{p}/*"
    return f"arn:{parts[0]}:ecr:{parts[1]}:{parts[2]}:{repo}"


def cache_repo_arn(registry: Any, prefix: Any) -> str:
    """`arn:<partition>:ecr:<region>:<account>:repository/<prefix>/*` with the registry's values as
    they are (`repository/*` for `ROOT`); see `repoArnPattern` for a pattern with `*` for missing parts."""
    p = norm_prefix(known(prefix))
    repo = "repository/*" if p == "ROOT" else f"repository/{p}/*"
    return f"arn:{registry['partition']}:ecr:{registry['region']}:{registry['account']}:{repo}"


# ---------------------------------------------------------------- symbolic values


def is_symbolic(value: Any) -> bool:
    """A pseudo parameter left unresolved, such as `${AWS::AccountId}` (see design: symbolic values)."""
    return isinstance(value, str) and "${" in value


_PSEUDO_EXAMPLES = {
    "${AWS::Partition}": "aws",
    "${AWS::Region}": "us-east-1",
    "${AWS::AccountId}": "000000000000",
    "${AWS::URLSuffix}": "amazonaws.com",
}


def concrete(s: str) -> str:
    """`s` with typical values for pseudo parameters (`${AWS::Partition}` -> `aws`, `${AWS::Region}`
    -> `us-east-1`, `${AWS::AccountId}` -> `000000000000`), for pattern and length checks of ARNs
    built from them."""
    for token, example in _PSEUDO_EXAMPLES.items():
        s = s.replace(token, example)
    return s


def same(a: Any, b: Any) -> Any:
    """True when equal; unknown when they differ and one is symbolic (an unresolved pseudo parameter
    such as `${AWS::AccountId}`, which the registry's own account may be); else false. Use it to
    compare accounts and Regions."""
    if a == b:
        return True
    if is_symbolic(a) or is_symbolic(b):
        return Unknown("compares a value that depends on an unresolved pseudo parameter")
    return False


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "urlHost": url_host,
    "upstreamKind": upstream_kind,
    "ruleKind": rule_kind,
    "canonicalHost": canonical_host,
    "ecrHostAccount": ecr_host_account,
    "ecrHostRegion": ecr_host_region,
    "arn": parse_arn,
    "repoArnPattern": repo_arn_pattern,
    "cacheRepoArn": cache_repo_arn,
    "same": same,
    "isSymbolic": is_symbolic,
    "concrete": concrete,
}
