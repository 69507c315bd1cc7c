"""ARNs, upstream hosts and kinds, symbolic values, prefixes (ptclint.rulelib.aws, .prefixes), through CEL."""

from __future__ import annotations

import pytest

from ptclint.cel import functions, runtime


def ev(expr: str, **variables):
    return runtime.evaluate(runtime.compile_expr(expr), {k: runtime.to_cel(v) for k, v in variables.items()}, functions.FUNCTIONS)


@pytest.mark.parametrize(
    ("url", "host", "kind"),
    [
        ("registry-1.docker.io", "registry-1.docker.io", "docker-hub"),
        ("HTTPS://Registry-1.Docker.IO/v2/", "registry-1.docker.io", "docker-hub"),
        (" quay.io ", "quay.io", "quay"),
        ("public.ecr.aws", "public.ecr.aws", "ecr-public"),
        ("registry.k8s.io:443", "registry.k8s.io", "k8s"),
        ("ghcr.io", "ghcr.io", "github-container-registry"),
        ("registry.gitlab.com", "registry.gitlab.com", "gitlab-container-registry"),
        ("cgr.dev", "cgr.dev", "chainguard"),
        ("myreg.azurecr.io", "myreg.azurecr.io", "azure-container-registry"),
        ("444455556666.dkr.ecr.us-east-1.amazonaws.com", "444455556666.dkr.ecr.us-east-1.amazonaws.com", "ecr"),
        ("gitlab.example.com", "gitlab.example.com", ""),
        ("docker.io", "docker.io", ""),
        ("my.reg.azurecr.io", "my.reg.azurecr.io", ""),
    ],
)
def test_url_host_and_kind(url: str, host: str, kind: str) -> None:
    assert ev("urlHost(u)", u=url) == host
    assert ev("upstreamKind(u)", u=url) == kind


def test_rule_kind_prefers_the_enum() -> None:
    assert ev("ruleKind(r)", r={"upstreamRegistry": "quay", "upstreamRegistryUrl": "ghcr.io"}) == "quay"
    assert ev("ruleKind(r)", r={"upstreamRegistryUrl": "ghcr.io"}) == "github-container-registry"


def test_arn_parts() -> None:
    parts = ev("arn(a)", a="arn:aws-cn:secretsmanager:cn-north-1:111122223333:secret:ecr-pullthroughcache/x-AbCdEf")
    assert parts == {"valid": True, "partition": "aws-cn", "service": "secretsmanager", "region": "cn-north-1",
                     "account": "111122223333", "resource": "secret:ecr-pullthroughcache/x-AbCdEf"}
    assert ev("arn('not-an-arn').valid") is False
    assert ev("arn('not-an-arn').account") == ""


def test_ecr_host_parts() -> None:
    assert ev("ecrHostAccount(u)", u="444455556666.dkr.ecr.eu-west-1.amazonaws.com") == "444455556666"
    assert ev("ecrHostRegion(u)", u="444455556666.dkr.ecr.eu-west-1.amazonaws.com") == "eu-west-1"
    assert ev("ecrHostAccount(u)", u="quay.io") == ""


@pytest.mark.parametrize(
    ("a", "p", "covers", "ancestor"),
    [
        ("ROOT", "docker-hub", True, True),
        ("docker-hub", "docker-hub/", True, False),
        ("docker-hub/", "docker-hub/team", True, True),
        ("docker-hub", "docker-hub2", False, False),
        ("docker-hub/team", "docker-hub", False, False),
    ],
)
def test_prefix_helpers(a: str, p: str, covers: bool, ancestor: bool) -> None:
    assert ev("prefixCovers(a, p)", a=a, p=p) is covers
    assert ev("isAncestor(a, p)", a=a, p=p) is ancestor
    assert ev("normPrefix('x/')") == "x"


def test_templates_for_orders_most_specific_first() -> None:
    templates = [{"prefix": "ROOT"}, {"prefix": "prod/"}, {"prefix": "prod/team"}, {"prefix": "other"}]
    assert ev("templatesFor(t, 'prod/team/app').map(x, x.prefix)", t=templates) == ["prod/team", "prod/", "ROOT"]


def test_policy_statements_normalise_lists() -> None:
    doc = '{"Statement": {"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}}'
    assert ev("policyStatements(d)", d=doc) == [{"Effect": "Allow", "Action": ["ecr:*"], "Resource": ["*"]}]
    assert ev("isJson(d)", d=doc) is True
    assert ev("isJson('{')") is False


def test_same_treats_symbolic_values_as_unknown() -> None:
    assert ev("same('111122223333', '111122223333')") is True
    assert ev("same('111122223333', '999999999999')") is False
    assert ev("same('${AWS::AccountId}', '${AWS::AccountId}')") is True
    with pytest.raises(runtime.UnknownResult):
        ev("same('999999999999', '${AWS::AccountId}')")


def test_arn_with_pseudo_parameter_tokens() -> None:
    parts = ev("arn('arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:ecr-pullthroughcache/x')")
    assert parts["partition"] == "${AWS::Partition}" and parts["region"] == "${AWS::Region}"
    assert parts["account"] == "${AWS::AccountId}" and parts["resource"] == "secret:ecr-pullthroughcache/x"
    assert ev("concrete('arn:${AWS::Partition}:iam::${AWS::AccountId}:role/x')") == "arn:aws:iam::000000000000:role/x"
