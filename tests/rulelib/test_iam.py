"""The CEL helpers that evaluate IAM policies for the live-IAM rules (ptclint.rulelib.iam)."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from ptclint.cel import functions, runtime
from ptclint.model import Unknown


def ev(expr: str, **variables):
    return runtime.evaluate(runtime.compile_expr(expr), {k: runtime.to_cel(v) for k, v in variables.items()}, functions.FUNCTIONS)


def doc(*statements) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


ALLOW_GET = {"Effect": "Allow", "Action": "ecr:Get*", "Resource": "*"}


# ---------------------------------------------------------------- actionMatches

@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("ecr:BatchGetImage", "ecr:BatchGetImage", True),
        ("ECR:batchgetimage", "ecr:BatchGetImage", True),  # case-insensitive
        ("ecr:*", "ecr:PutImage", True),
        ("*", "kms:CreateGrant", True),
        ("ecr:Get*", "ecr:GetDownloadUrlForLayer", True),
        ("ecr:Get*", "ecr:BatchGetImage", False),
        ("ecr:?utImage", "ecr:PutImage", True),
        ("ecr:Put", "ecr:PutImage", False),
        ("ecr-public:*", "ecr:PutImage", False),
    ],
)
def test_action_matches(pattern: str, action: str, expected: bool) -> None:
    assert ev("actionMatches(p, a)", p=pattern, a=action) is expected


# ---------------------------------------------------------------- allows / denies

def test_wildcards_allow() -> None:
    docs = [doc(ALLOW_GET)]
    assert ev("allows(d, 'ecr:GetAuthorizationToken')", d=docs) is True
    assert ev("allows(d, 'ecr:PutImage')", d=docs) is False
    assert ev("allows(d, 'ecr:PutImage')", d=[doc({"Effect": "Allow", "Action": "*", "Resource": "*"})]) is True
    assert ev("allows(d, 'ecr:PutImage')", d=[doc({"Effect": "Allow", "Action": ["ecr:*"], "Resource": "*"})]) is True


def test_deny_overrides_allow_across_documents() -> None:
    docs = [doc({"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}),
            doc({"Effect": "Deny", "Action": "ecr:PutImage", "Resource": "*"})]
    assert ev("allows(d, 'ecr:PutImage')", d=docs) is False
    assert ev("denies(d, 'ecr:PutImage')", d=docs) is True
    assert ev("allows(d, 'ecr:BatchGetImage')", d=docs) is True
    assert ev("denies(d, 'ecr:BatchGetImage')", d=docs) is False


def test_conditional_deny_and_scoped_deny_do_not_count_without_a_resource() -> None:
    allow = {"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}
    conditional = {"Effect": "Deny", "Action": "ecr:PutImage", "Resource": "*",
                   "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    scoped = {"Effect": "Deny", "Action": "ecr:PutImage", "Resource": "arn:aws:ecr:*:*:repository/prod/*"}
    assert ev("allows(d, 'ecr:PutImage')", d=[doc(allow, conditional)]) is True
    assert ev("allows(d, 'ecr:PutImage')", d=[doc(allow, scoped)]) is True
    # ... but the scoped Deny does count for a repository it covers
    assert ev("allowsOn(d, 'ecr:PutImage', 'arn:aws:ecr:eu-west-1:111122223333:repository/prod/*')",
              d=[doc(allow, scoped)]) is False


def test_conditional_allow_counts() -> None:
    st = {"Effect": "Allow", "Action": "ecr:TagResource", "Resource": "*",
          "Condition": {"StringEquals": {"aws:RequestTag/team": "a"}}}
    assert ev("allows(d, 'ecr:TagResource')", d=[doc(st)]) is True


def test_string_and_list_action_and_single_statement_object() -> None:
    single = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "ecr:PutImage", "Resource": "*"}}
    listed = doc({"Effect": "Allow", "Action": ["ecr:PutImage", "ecr:BatchGetImage"], "Resource": ["*"]})
    assert ev("allows(d, 'ecr:PutImage')", d=[single]) is True
    assert ev("allows(d, 'ecr:BatchGetImage')", d=[listed]) is True
    assert ev("allows(d, 'ecr:BatchGetImage')", d=[single]) is False


def test_not_action() -> None:
    allow_all_but_iam = doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    assert ev("allows(d, 'ecr:PutImage')", d=[allow_all_but_iam]) is True
    assert ev("allows(d, 'iam:PassRole')", d=[allow_all_but_iam]) is False
    deny_all_but_ecr = doc({"Effect": "Allow", "Action": "*", "Resource": "*"},
                           {"Effect": "Deny", "NotAction": ["ecr:*"], "Resource": "*"})
    assert ev("allows(d, 'ecr:PutImage')", d=[deny_all_but_ecr]) is True
    assert ev("allows(d, 'kms:CreateGrant')", d=[deny_all_but_ecr]) is False


def test_document_forms() -> None:
    policy = doc({"Effect": "Allow", "Action": "ecr:PutImage", "Resource": "*"})
    as_json = json.dumps(policy)
    url_encoded = quote(as_json)
    entry = {"PolicyName": "p", "document": policy}
    for form in (policy, as_json, url_encoded, entry):
        assert ev("allows(d, 'ecr:PutImage')", d=[form]) is True
    # one document instead of a list
    assert ev("allows(d, 'ecr:PutImage')", d=policy) is True
    assert ev("allows(d, 'ecr:PutImage')", d=[]) is False


def test_allows_on_resource_overlap() -> None:
    repo = "arn:aws:ecr:eu-west-1:111122223333:repository/docker-hub/*"
    def on(resource):
        return ev("allowsOn(d, 'ecr:CreateRepository', r)",
                  d=[doc({"Effect": "Allow", "Action": "ecr:CreateRepository", "Resource": resource})], r=repo)
    assert on("*") is True
    assert on("arn:aws:ecr:*:111122223333:repository/*") is True
    assert on("arn:aws:ecr:eu-west-1:111122223333:repository/docker-hub/library/*") is True  # part of it
    assert on("arn:aws:ecr:eu-west-1:111122223333:repository/quay/*") is False
    assert on("arn:aws:ecr:us-east-1:111122223333:repository/docker-hub/*") is False
    not_resource = doc({"Effect": "Allow", "Action": "ecr:*", "NotResource": "arn:aws:ecr:*:*:repository/docker-hub/*"})
    assert ev("allowsOn(d, 'ecr:PutImage', r)", d=[not_resource], r=repo) is False


# ---------------------------------------------------------------- trusts

def test_trusts() -> None:
    ecr = doc({"Effect": "Allow", "Principal": {"Service": "ecr.amazonaws.com"}, "Action": "sts:AssumeRole"})
    both = doc({"Effect": "Allow", "Principal": {"Service": ["pullthroughcache.ecr.amazonaws.com", "ecr.amazonaws.com"]},
                "Action": ["sts:AssumeRole", "sts:TagSession"]})
    star_action = {"Version": "2012-10-17",
                   "Statement": {"Effect": "Allow", "Principal": {"Service": "ecr.amazonaws.com"}, "Action": "sts:*"}}
    denied = doc({"Effect": "Allow", "Principal": {"Service": "ecr.amazonaws.com"}, "Action": "sts:AssumeRole"},
                 {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"})
    account = doc({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"})
    assert ev("trusts(d, 'ecr.amazonaws.com')", d=ecr) is True
    assert ev("trusts(d, 'pullthroughcache.ecr.amazonaws.com')", d=ecr) is False
    assert ev("trusts(d, 'ecr.amazonaws.com')", d=both) is True
    assert ev("trusts(d, 'ecr.amazonaws.com')", d=json.dumps(star_action)) is True
    assert ev("trusts(d, 'ecr.amazonaws.com')", d=denied) is False
    assert ev("trusts(d, 'ecr.amazonaws.com')", d=account) is False


# ---------------------------------------------------------------- forPrincipal, resourcePolicyFor

REGISTRY_POLICY = doc(
    {"Sid": "root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
     "Action": "ecr:CreateRepository", "Resource": "*"},
    {"Sid": "role", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:role/node"]},
     "Action": "ecr:BatchImportUpstreamImage", "Resource": "*"},
    {"Sid": "other", "Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "ecr:*", "Resource": "*"},
    {"Sid": "all", "Effect": "Deny", "Principal": "*", "Action": "ecr:DeleteRepository", "Resource": "*"},
)


def test_for_principal() -> None:
    sids = ev("forPrincipal(p, 'arn:aws:iam::111122223333:role/node').Statement.map(s, s.Sid)", p=REGISTRY_POLICY)
    assert sids == ["root", "role", "all"]
    sids = ev("forPrincipal(p, 'arn:aws:iam::111122223333:role/ci').Statement.map(s, s.Sid)", p=json.dumps(REGISTRY_POLICY))
    assert sids == ["root", "all"]
    sids = ev("forPrincipal(p, 'arn:aws:iam::444455556666:root').Statement.map(s, s.Sid)", p=REGISTRY_POLICY)
    assert sids == ["other", "all"]


def test_resource_policy_for() -> None:
    found = {"status": "found", "policy": REGISTRY_POLICY}
    assert len(ev("resourcePolicyFor(l, 'arn:aws:iam::111122223333:role/node')", l=found)) == 1
    assert ev("resourcePolicyFor(l, 'x')", l={"status": "notFound"}) == []
    assert ev("resourcePolicyFor(l, 'x')", l={"status": "accessDenied"}) == []
    expr = ("allows(roleDocs(r) + resourcePolicyFor(l, 'arn:aws:iam::111122223333:role/node'),"
            " 'ecr:BatchImportUpstreamImage')")
    role = {"status": "found", "attachedPolicies": [], "inlinePolicies": []}
    assert ev(expr, r=role, l=found) is True
    assert ev(expr, r=role, l={"status": "notFound"}) is False


# ---------------------------------------------------------------- roleDocs, roleDocsKnown

def test_role_docs_known() -> None:
    p = doc(ALLOW_GET)
    full = {"status": "found", "attachedPolicies": [{"PolicyArn": "arn:aws:iam::aws:policy/x", "document": p}],
            "inlinePolicies": [{"PolicyName": "i", "document": json.dumps(p)}]}
    assert ev("roleDocsKnown(r)", r=full) is True
    assert len(ev("roleDocs(r)", r=full)) == 2
    assert ev("roleDocsKnown(r)", r={"status": "found", "role": {"RoleName": "x"}}) is False
    assert ev("roleDocsKnown(r)", r={**full, "inlinePolicies": None}) is False
    no_document = {**full, "attachedPolicies": [{"PolicyArn": "arn:aws:iam::aws:policy/x"}]}
    assert ev("roleDocsKnown(r)", r=no_document) is False
    assert ev("roleDocsKnown(r)", r={**full, "inlinePolicies": [{"PolicyName": "i", "document": "not json"}]}) is False
    assert ev("roleDocsKnown(r)", r={"status": "accessDenied"}) is False
    assert ev("roleDocsKnown(r)", r={"status": "found", "attachedPolicies": [], "inlinePolicies": []}) is True


# ---------------------------------------------------------------- repoArnPattern, policyActions

def test_repo_arn_pattern() -> None:
    reg = {"partition": "aws", "region": "eu-west-1", "account": "111122223333"}
    assert ev("repoArnPattern(r, 'docker-hub/')", r=reg) == "arn:aws:ecr:eu-west-1:111122223333:repository/docker-hub/*"
    assert ev("repoArnPattern(r, 'ROOT')", r=reg) == "arn:aws:ecr:eu-west-1:111122223333:repository/*"
    symbolic = {"partition": "${AWS::Partition}", "region": "", "account": "${AWS::AccountId}"}
    assert ev("repoArnPattern(r, 'x')", r=symbolic) == "arn:*:ecr:*:*:repository/x/*"


def test_policy_actions() -> None:
    p = doc({"Effect": "Allow", "Action": "ecr:ReplicateImage"}, {"Effect": "Allow", "Action": ["ecr:A", "ecr:B"]},
            {"Effect": "Allow", "NotAction": "ecr:C"})
    assert ev("policyActions(p)", p=p) == ["ecr:ReplicateImage", "ecr:A", "ecr:B"]


# ---------------------------------------------------------------- unknown values

def test_unknown_inside_a_policy_is_unknown() -> None:
    p = doc({"Effect": "Allow", "Action": Unknown("var.actions"), "Resource": "*"})
    with pytest.raises(runtime.UnknownResult):
        ev("allows(d, 'ecr:PutImage')", d=[p])


# ---------------------------------------------------------------- principalCan

def test_principal_can_same_and_other_account() -> None:
    repo = "arn:aws:ecr:eu-west-1:111122223333:repository/docker-hub/*"
    expr = "principalCan(r, l, p, '111122223333', 'ecr:CreateRepository', res)"
    empty_role = {"status": "found", "attachedPolicies": [], "inlinePolicies": []}
    ecr_all = {"status": "found", "attachedPolicies": [],
               "inlinePolicies": [{"PolicyName": "e", "document": doc({"Effect": "Allow", "Action": "ecr:*", "Resource": "*"})}]}
    grant = {"status": "found", "policy": doc(
        {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:role/node", "arn:aws:iam::444455556666:root"]},
         "Action": "ecr:CreateRepository", "Resource": "arn:aws:ecr:eu-west-1:111122223333:repository/docker-hub/*"})}
    deny = {"status": "found", "policy": doc(
        {"Effect": "Deny", "Principal": "*", "Action": "ecr:CreateRepository", "Resource": "*"})}
    same, other = "arn:aws:iam::111122223333:role/node", "arn:aws:iam::444455556666:role/team"
    # same account: either grant suffices
    assert ev(expr, r=empty_role, l=grant, p=same, res=repo) is True
    assert ev(expr, r=ecr_all, l={"status": "notFound"}, p=same, res=repo) is True
    assert ev(expr, r=empty_role, l={"status": "notFound"}, p=same, res=repo) is False
    # an explicit Deny in the registry policy wins
    assert ev(expr, r=ecr_all, l=deny, p=same, res=repo) is False
    # another account: both must allow
    assert ev(expr, r=ecr_all, l={"status": "notFound"}, p=other, res=repo) is False
    assert ev(expr, r=empty_role, l=grant, p=other, res=repo) is False
    assert ev(expr, r=ecr_all, l=grant, p=other, res=repo) is True
