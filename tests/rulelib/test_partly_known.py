"""Partly known values (issue 12 parts 3, 4, 6): a string known only as far as its beginning, a
JSON document with unknown leaves, ARNs ptclint made up, and Kleene verdicts over policy statements.
(ptclint.model, ptclint.rulelib, ptclint.cel, ptclint.loaders.terraform)"""

from __future__ import annotations

from typing import Any

import pytest

from ptclint.cel import runtime
from ptclint.cel.functions import FUNCTIONS
from ptclint.loaders.terraform import objects
from ptclint.loaders.terraform.values import json_encode, opaque
from ptclint.model import PartlyKnown, Unknown, UnknownLeaves, partly_known
from ptclint.rulelib import iam, statements, tri
from ptclint.rulelib.secrets import made_up_arn
from ptclint.rulelib.values import known_prefix, shown, starts_with_known

PTC = "ecr-pullthroughcache/"


def test_a_partly_known_string_is_unknown_to_everything_else() -> None:
    name = PartlyKnown("var.env has no value", "ecr-pullthroughcache/x-")
    assert isinstance(name, Unknown)
    assert tri.undecided(name) and tri.is_known(name) is False
    assert isinstance(tri.starts_with(name, PTC), Unknown)  # CEL's own startsWith does not look inside
    assert partly_known(Unknown("r"), "") == Unknown("r")  # nothing known before it: a plain unknown
    assert partly_known(PartlyKnown("r", "b-"), "a/") == PartlyKnown("r", "a/b-")


@pytest.mark.parametrize(("value", "expected"), [
    (PartlyKnown("r", "ecr-pullthroughcache/x-"), True),
    (PartlyKnown("r", "ecr-pullthroughcache/"), True),
    (PartlyKnown("r", "dockerhub-"), False),
    (PartlyKnown("r", "ECR-PullThroughCache/"), False),  # case-sensitive, as Secrets Manager names are
    (PartlyKnown("r", "ecr-pull"), None),  # the known part does not decide
    (Unknown("r"), None),
    ("ecr-pullthroughcache/docker-hub", True),
    ("dockerhub", False),
])
def test_starts_with_known_judges_the_known_beginning(value: Any, expected: bool | None) -> None:
    answer = starts_with_known(value, PTC)
    assert (isinstance(answer, Unknown) if expected is None else answer is expected)


def test_known_prefix_and_shown() -> None:
    assert known_prefix(PartlyKnown("r", "gitlab-")) == "gitlab-"
    assert known_prefix(Unknown("r")) == "" and known_prefix("abc") == "abc"
    assert shown(PartlyKnown("r", "gitlab-")) == "gitlab-..." and shown(Unknown("r")) == "(unknown)"


def test_a_partly_known_string_keeps_its_prefix_through_cel() -> None:
    value = runtime.to_cel(PartlyKnown("r", "dockerhub-"))
    assert isinstance(value, runtime.UnknownValue)
    assert runtime.to_python(value) == PartlyKnown("r", "dockerhub-")
    start = runtime.to_cel(PTC)
    assert bool(FUNCTIONS["startsWithKnown"](value, start)) is False
    assert bool(FUNCTIONS["startsWithKnown"](runtime.to_cel(PartlyKnown("r", PTC + "a")), start)) is True


def test_made_up_arn_is_marked_by_its_lookup() -> None:
    made = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:dockerhub-* (aws_secretsmanager_secret.x)"
    written = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:dockerhub-AbCdEf"
    secrets = {made: {"status": "found", "arnFrom": "the name_prefix of aws_secretsmanager_secret.x"},
               written: {"status": "found", "declared": {"name": "dockerhub"}}}
    assert made_up_arn(made, secrets) is True
    assert made_up_arn(written, secrets) is False
    assert made_up_arn("arn:aws:secretsmanager:eu-west-1:111122223333:secret:other", secrets) is False
    assert isinstance(made_up_arn(Unknown("r"), secrets), Unknown)


# ---------------------------------------------------------------- Terraform values


def test_opaque_forgets_what_was_known_in_part() -> None:
    assert type(opaque(PartlyKnown("r", "ECR-"))) is Unknown  # lower("ECR-${x}") does not start with ECR-
    assert type(opaque(UnknownLeaves("r", {"a": Unknown("r")}))) is Unknown
    assert opaque("x") == "x"


def test_jsonencode_with_unknown_values_keeps_the_keys() -> None:
    encoded = json_encode({"username": Unknown("var.u"), "accessToken": Unknown("var.t")})
    assert isinstance(encoded, UnknownLeaves) and isinstance(encoded, Unknown)
    reduced = objects.reduce_secret_value(encoded, literal_token=False)
    assert reduced == {"valueKeys": ["accessToken", "username"], "valueIsJsonObject": True, "literalToken": False}
    assert objects.reduce_secret_value(encoded, literal_token=True, write_only=True) == {"literalToken": False}
    # a literal token beside an unknown username is still a literal token
    mixed = json_encode({"username": Unknown("var.u"), "accessToken": "dckr_pat_x"})
    assert objects.reduce_secret_value(mixed, literal_token=True)["literalToken"] is True
    assert isinstance(json_encode(Unknown("r")), Unknown) and not isinstance(json_encode(Unknown("r")), UnknownLeaves)


def test_a_policy_with_unknown_leaves_decodes_to_its_structure() -> None:
    doc = {"Statement": [{"Effect": "Allow", "Principal": "*", "Resource": Unknown("r")}]}
    assert objects.decode_policy(json_encode(doc)) == doc


# ---------------------------------------------------------------- policies, statement by statement


def doc(*sts: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(sts)}


ALLOW = {"Effect": "Allow", "Action": "ecr:BatchImportUpstreamImage", "Resource": "*"}
UNKNOWN_RESOURCE = {"Effect": "Allow", "Action": "ecr:BatchImportUpstreamImage", "Resource": Unknown("aws_x.arn")}
UNKNOWN_DENY = {"Effect": "Deny", "Action": "ecr:BatchImportUpstreamImage", "Resource": Unknown("aws_x.arn")}


def test_a_known_allow_decides_beside_an_unknown_allow() -> None:
    assert iam.allows(doc(ALLOW, UNKNOWN_RESOURCE), "ecr:BatchImportUpstreamImage") is True
    assert iam.allows(doc(UNKNOWN_RESOURCE, ALLOW), "ecr:BatchImportUpstreamImage") is True


def test_an_unknown_statement_matters_only_when_the_known_ones_do_not_decide() -> None:
    with pytest.raises(tri.Unresolved):  # only the unknown one may allow it
        iam.allows(doc(UNKNOWN_RESOURCE), "ecr:BatchImportUpstreamImage")
    with pytest.raises(tri.Unresolved):  # a known Allow, but the unknown Deny may cover it
        iam.allows(doc(ALLOW, UNKNOWN_DENY), "ecr:BatchImportUpstreamImage")
    # nothing allows it, whatever the unknown Deny covers
    assert iam.allows(doc(UNKNOWN_DENY), "ecr:BatchImportUpstreamImage") is False
    # a known unconditional Deny decides
    deny = {"Effect": "Deny", "Action": "ecr:*", "Resource": "*"}
    assert iam.denies(doc(UNKNOWN_RESOURCE, deny), "ecr:BatchImportUpstreamImage") is True
    # a statement that is itself unresolved (Statement = [..., var.extra]) never vanishes
    with pytest.raises(tri.Unresolved):
        iam.allows(doc(ALLOW, Unknown("var.extra")), "ecr:BatchImportUpstreamImage")
    with pytest.raises(tri.Unresolved):
        iam.allows(doc(Unknown("var.extra")), "ecr:PutImage")


def test_judged_statements_keep_an_unresolved_statement() -> None:
    listed = statements.judged_statements(doc(ALLOW, Unknown("var.extra")))
    assert listed[0]["Action"] == ["ecr:BatchImportUpstreamImage"] and listed[1] == Unknown("var.extra")
    assert statements.statements_of(doc(ALLOW, Unknown("var.extra"))) == listed[:1]
    verdicts = list(statements.each(listed, lambda st: st["Effect"] == "Allow"))
    assert verdicts == [True, Unknown("var.extra")]
    assert tri.any_(verdicts) is True and isinstance(tri.every(verdicts), Unknown)
