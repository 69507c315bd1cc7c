"""ptclint's CEL functions and its unknown-value semantics."""

from __future__ import annotations

import pytest

from ptclint.cel import functions, runtime
from ptclint.model import Unknown


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


# ---------------------------------------------------------------- unknown values

U = {"u": Unknown("parameter P has no default"), "v": Unknown("known after apply"), "s": "x", "n": None}


def test_unknown_makes_the_expression_unknown() -> None:
    with pytest.raises(runtime.UnknownResult, match="parameter P"):
        ev("r.u == 'x'", r=U)
    with pytest.raises(runtime.UnknownResult):
        ev("r.u == 'x' && r.v == 'y'", r=U)
    with pytest.raises(runtime.UnknownResult):
        ev("upstreamKind(r.u) == ''", r=U)
    with pytest.raises(runtime.UnknownResult):
        ev("ruleKind({'upstreamRegistryUrl': r.u}) == ''", r=U)


def test_logical_operators_absorb_unknowns_where_the_result_does_not_depend_on_them() -> None:
    assert ev("r.u == 'x' || true", r=U) is True
    assert ev("false && r.u == 'x'", r=U) is False
    assert ev("r.s == 'x' || r.u == 'y'", r=U) is True


def test_has_and_known() -> None:
    assert ev("has(r.u)", r=U) is True
    assert ev("known(r.u)", r=U) is False
    assert ev("known(r.s)", r=U) is True
    assert ev("has(r.n)", r=U) is False  # null is absent
    assert ev("has(r.missing)", r=U) is False


def test_real_errors_are_not_unknown() -> None:
    with pytest.raises(runtime.EvaluationFailed):
        ev("r.missing == 1", r=U)
    with pytest.raises(runtime.EvaluationFailed):
        ev("r.u == 'x' && r.missing == 1", r=U)


def test_syntax_error_has_a_position() -> None:
    with pytest.raises(runtime.CelSyntaxError) as info:
        runtime.compile_expr("a &&\n (b")
    assert info.value.line == 2


def test_membership_and_filter_with_unknown_elements() -> None:
    data = {"l": ["a", Unknown("b")]}
    assert ev("'a' in r.l", r=data) is True
    with pytest.raises(runtime.UnknownResult):
        ev("'z' in r.l", r=data)
    with pytest.raises(runtime.UnknownResult):
        ev("r.l.filter(x, x == 'a')", r=data)
    assert ev("[1, 2, 3].filter(x, x > 1)") == [2, 3]
    with pytest.raises(runtime.UnknownResult):
        ev("r.l.exists(x, x == 'z')", r=data)
    assert ev("r.l.exists(x, x == 'a')", r=data) is True


def test_arn_with_pseudo_parameter_tokens() -> None:
    parts = ev("arn('arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:ecr-pullthroughcache/x')")
    assert parts["partition"] == "${AWS::Partition}" and parts["region"] == "${AWS::Region}"
    assert parts["account"] == "${AWS::AccountId}" and parts["resource"] == "secret:ecr-pullthroughcache/x"
    assert ev("concrete('arn:${AWS::Partition}:iam::${AWS::AccountId}:role/x')") == "arn:aws:iam::000000000000:role/x"
