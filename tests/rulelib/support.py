"""What the rule library's tests share: evaluating CEL with ptclint's functions, and small builders
for policies, role lookups and a registry."""

from __future__ import annotations

from ptclint.cel import functions, runtime
from ptclint.model import Unknown

U = Unknown("resolved at deployment")
PTC = "PULL_THROUGH_CACHE"
ACCOUNT = "111122223333"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/ecr-template"


def ev(expr: str, **variables):
    return runtime.evaluate(runtime.compile_expr(expr), {k: runtime.to_cel(v) for k, v in variables.items()}, functions.FUNCTIONS)


def is_unknown(value) -> bool:
    return isinstance(value, Unknown)


def doc(*statements) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(actions, resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": actions, "Resource": resource, **extra}


def role_lookup(policy=None, trust_service="ecr.amazonaws.com") -> dict:
    trust = doc({"Effect": "Allow", "Principal": {"Service": trust_service}, "Action": "sts:AssumeRole"})
    inline = [] if policy is None else [{"PolicyName": "p", "document": policy}]
    return {"status": "found", "role": {"Arn": ROLE, "AssumeRolePolicyDocument": trust},
            "attachedPolicies": [], "inlinePolicies": inline}


REGISTRY = {"account": ACCOUNT, "region": "eu-west-1", "partition": "aws", "registryPolicy": {"status": "notFound"}}
