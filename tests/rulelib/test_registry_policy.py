"""The registry-policy and repository-policy analyses of ptclint.rulelib (PTC-IAM-009/010/013/015, PTC-RCT-016).

Each helper is tested directly in Python and, for the CEL wiring (names, conversion of unknown
values), through `runtime.evaluate`: for each, a case that finds something, one that does not, and
what an unresolved value does.
"""

from __future__ import annotations

import json

import pytest

from ptclint.cel import functions, runtime
from ptclint.model import Unknown
from ptclint.rulelib import aws, registry_policy, template_checks, tri

ACCOUNT = "111122223333"
OTHER = "444455556666"
OTHER_ROOT = f"arn:aws:iam::{OTHER}:root"
THIRD_ROLE = "arn:aws:iam::777788889999:role/ci"
REPO = f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository"
US_EAST = f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/docker-hub/*"
PUBLIC = f"arn:aws:ecr-public::{ACCOUNT}:repository/*"
PTC = ["ecr:CreateRepository", "ecr:BatchImportUpstreamImage"]
U = Unknown("var.x")


def ev(expr: str, **variables):
    return runtime.evaluate(runtime.compile_expr(expr), {k: runtime.to_cel(v) for k, v in variables.items()}, functions.FUNCTIONS)


def _field(analysis, name):
    """One field of an analysis, raised as the helper used to raise it when it failed."""
    def call(*args):
        value = analysis(*args)[name]
        if isinstance(value, tri.Error):
            raise ValueError(value.why)
        return value

    return call


misplaced = _field(registry_policy.ptc_grant_placement, "misplaced")
misplaced_summary = _field(registry_policy.ptc_grant_placement, "summary")
open_grant = _field(registry_policy.open_ptc_grants, "open")
open_summary = _field(registry_policy.open_ptc_grants, "summary")
without_read = _field(registry_policy.ptc_consumers, "withoutRead")
read_gaps = _field(registry_policy.ptc_consumers, "gaps")
ecr_public = _field(registry_policy.ecr_public_references, "policies")
ecr_public_summary = _field(registry_policy.ecr_public_references, "summary")
exposed = _field(template_checks.repository_policy_exposure, "exposed")
exposure_summary = _field(template_checks.repository_policy_exposure, "summary")


def doc(*statements) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def registry(policy_doc=None, rules=(), templates=(), iam=(), account=ACCOUNT, region="eu-west-1", **lookup) -> dict:
    found = {"status": "found", "policy": policy_doc, **lookup}
    return {
        "account": account,
        "region": region,
        "partition": "aws",
        "pullThroughCacheRules": [{"ecrRepositoryPrefix": p} for p in rules],
        "repositoryCreationTemplates": list(templates),
        "iamPolicies": list(iam),
        "registryPolicy": found if policy_doc is not None else {"status": "notFound"},
    }


def ptc_grant(resource, principal=None, action=PTC, **extra) -> dict:
    return {"Effect": "Allow", "Principal": principal or {"AWS": OTHER_ROOT}, "Action": list(action),
            "Resource": resource, **extra}


def template(prefix, repository_policy=None, applied=("PULL_THROUGH_CACHE",)) -> dict:
    t = {"prefix": prefix, "appliedFor": list(applied)}
    if isinstance(repository_policy, dict):
        repository_policy = json.dumps(repository_policy)
    if repository_policy is not None:
        t["repositoryPolicy"] = repository_policy
    return t


def iam(name, document) -> dict:
    return {"PolicyName": name, "document": document}


# ---------------------------------------------------------------- policyFound, cacheRepoArn


def test_policy_found() -> None:
    assert registry_policy.policy_found({"status": "found", "policy": doc()}) is True
    assert registry_policy.policy_found({"status": "found", "policy": U}) is True  # judged, as unknown, by the rule
    assert registry_policy.policy_found({"status": "found", "policy": "not JSON"}) is False
    assert registry_policy.policy_found({"status": "found"}) is False
    assert registry_policy.policy_found({"status": "notFound"}) is False
    assert ev("policyFound(l)", l={"status": "found", "policy": doc()}) is True


def test_cache_repo_arn() -> None:
    reg = registry()
    assert aws.cache_repo_arn(reg, "docker-hub/") == f"{REPO}/docker-hub/*"
    assert aws.cache_repo_arn(reg, "ROOT") == f"{REPO}/*"
    # the registry's values as they are, unlike repoArnPattern
    assert ev("cacheRepoArn(r, 'quay')", r=registry(region="${AWS::Region}")) == (
        f"arn:aws:ecr:${{AWS::Region}}:{ACCOUNT}:repository/quay/*")
    with pytest.raises(runtime.UnknownResult):
        ev("cacheRepoArn(r, p)", r=reg, p=U)


# ---------------------------------------------------------------- PTC-IAM-009


def test_misplaced_ptc_grants_other_region_or_prefix() -> None:
    assert misplaced(registry(doc(ptc_grant(US_EAST)), rules=["docker-hub"])) is True
    no_rule = registry(doc(ptc_grant(f"{REPO}/dockerhub/*")), rules=["docker-hub"])
    assert misplaced(no_rule) is True
    assert ev("ptcGrantPlacement(r).misplaced", r=no_rule) is True


def test_misplaced_ptc_grants_fitting_grants() -> None:
    fitting = [f"{REPO}/docker-hub/*", f"{REPO}/docker-hub/library/*", f"{REPO}/docker-*",
               f"arn:aws:ecr:*:{ACCOUNT}:repository/docker-hub/*", f"{REPO}/*/library/*"]
    assert misplaced(registry(doc(ptc_grant(fitting)), rules=["docker-hub"])) is False
    # catch-all actions: prefixes are not judged; no rules: prefixes are not judged
    catch_all = doc(ptc_grant(f"{REPO}/x/*", action=["ecr:*"]))
    assert misplaced(registry(catch_all, rules=["docker-hub"])) is False
    assert misplaced(registry(doc(ptc_grant(f"{REPO}/x/*")))) is False
    # a ROOT rule covers everything; statements without the import action are left alone
    assert misplaced(registry(doc(ptc_grant(f"{REPO}/x/*")), rules=["ROOT"])) is False
    create_only = doc(ptc_grant(f"{REPO}/x/*", action=["ecr:CreateRepository"]))
    assert misplaced(registry(create_only, rules=["quay"])) is False


def test_misplaced_ptc_grants_unknown() -> None:
    symbolic = registry(doc(ptc_grant(US_EAST)), rules=["docker-hub"], region="${AWS::Region}")
    assert isinstance(misplaced(symbolic), Unknown)
    unknown_resource = registry(doc(ptc_grant([U, f"{REPO}/docker-hub/*"])), rules=["docker-hub"])
    assert isinstance(misplaced(unknown_resource), Unknown)
    unknown_prefix = registry(doc(ptc_grant(f"{REPO}/quay/*")), rules=[U])
    assert isinstance(misplaced(unknown_prefix), Unknown)
    # a certain misfit decides whatever else is unknown
    assert misplaced(registry(doc(ptc_grant([U, US_EAST])), rules=["docker-hub"])) is True
    with pytest.raises(runtime.UnknownResult):
        ev("ptcGrantPlacement(r).misplaced", r=registry(U))


def test_misplaced_ptc_grant_summary() -> None:
    reg = registry(doc(ptc_grant([f"{REPO}/dockerhub/*", US_EAST])), rules=["docker-hub"])
    assert misplaced_summary(reg) == (
        f"in another Region or account, {US_EAST}; under no rule prefix, {REPO}/dockerhub/*")
    fitting = registry(doc(ptc_grant(f"{REPO}/docker-hub/*")), rules=["docker-hub"])
    assert misplaced_summary(fitting) == ""
    # unresolved resources and rule prefixes are left out
    unresolved = registry(doc(ptc_grant([U, f"{REPO}/quay/*"])), rules=["docker-hub", U])
    assert misplaced_summary(unresolved) == ""
    assert ev("ptcGrantPlacement(r).summary", r=registry(U)) == ""


# ---------------------------------------------------------------- PTC-IAM-010

OPEN = {"Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": PTC, "Resource": "*"}
NOT_ACTION = {k: v for k, v in OPEN.items() if k != "Action"}


def conditioned(op, key, value) -> dict:
    return {**OPEN, "Condition": {op: {key: value}}}


def test_open_ptc_grant_found() -> None:
    assert open_grant(doc(OPEN)) is True
    assert open_grant(doc({**OPEN, "Principal": {"AWS": [OTHER_ROOT, "*"]}, "Action": "ecr:*"})) is True
    assert open_grant(doc(conditioned("StringEqualsIfExists", "aws:PrincipalOrgID", "o-a"))) is True
    assert open_grant(doc(conditioned("StringLike", "aws:PrincipalOrgID", "*"))) is True
    assert open_grant(doc(conditioned("StringEquals", "aws:RequestedRegion", "eu-west-1"))) is True
    assert open_grant(doc({**NOT_ACTION, "NotAction": ["ecr:CreateRepository"]})) is True
    assert ev("openPtcGrants(p).open", p=doc(OPEN)) is True


def test_open_ptc_grant_restricted() -> None:
    assert open_grant(doc(conditioned("stringequals", "AWS:principalOrgId", "o-a"))) is False
    assert open_grant(doc({**OPEN, "Principal": {"AWS": OTHER_ROOT}})) is False
    assert open_grant(doc({**OPEN, "Action": ["ecr:BatchGetImage"]})) is False
    assert open_grant(doc({**NOT_ACTION, "NotAction": ["ecr:CreateRepository", "ecr:Batch*"]})) is False
    deny = {"Effect": "Deny", "Principal": "*", "Action": "ecr:*", "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-a"}}}
    assert open_grant(doc(OPEN, deny)) is False


def test_open_ptc_grant_unknown() -> None:
    # an unresolved value of a caller key: cannot tell
    assert isinstance(open_grant(doc(conditioned("StringEquals", "aws:PrincipalOrgID", U))), Unknown)
    assert isinstance(open_grant(doc({**OPEN, "Action": U})), Unknown)
    # an unresolved Principal or Condition leans towards "restricted"
    assert open_grant(doc({**OPEN, "Principal": U})) is False
    assert open_grant(doc({**OPEN, "Condition": U})) is False
    with pytest.raises(runtime.UnknownResult):
        ev("openPtcGrants(p).open", p=U)


def test_open_ptc_grant_summary() -> None:
    not_principal = {"Effect": "Allow", "NotPrincipal": {"AWS": "x"}, "NotAction": ["ecr:Delete*"], "Resource": "*"}
    assert open_summary(doc(OPEN, not_principal)) == (
        "ecr:CreateRepository, ecr:BatchImportUpstreamImage, every action but those in its NotAction to every AWS "
        "principal (Principal \"*\" in statement 'Open', NotPrincipal in a statement without Sid)")
    assert open_summary(doc({**OPEN, "Principal": {"AWS": OTHER}})) == " to every AWS principal ()"
    assert ev("openPtcGrants(p).summary", p=doc({**OPEN, "Sid": U})) == (
        "ecr:CreateRepository, ecr:BatchImportUpstreamImage to every AWS principal "
        "(Principal \"*\" in a statement without Sid)")


# ---------------------------------------------------------------- PTC-IAM-013

IMPORT = ptc_grant(f"{REPO}/docker-hub/*", principal={"AWS": [OTHER_ROOT, THIRD_ROLE]})
READS = {"Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}
RULE = {"ecrRepositoryPrefix": "docker-hub"}


def test_consumers_without_read_found() -> None:
    reg = registry(doc(IMPORT), templates=[template("docker-hub")])
    assert without_read(reg, RULE) == [OTHER_ROOT, THIRD_ROLE]
    partly = registry(doc(IMPORT), templates=[template("ROOT", doc({**READS, "Principal": {"AWS": OTHER}}))])
    assert ev("ptcConsumers(r, rule).withoutRead", r=partly, rule=RULE) == [THIRD_ROLE]
    # reads granted in a registry policy of scope V1 do not count
    v1 = registry(doc(IMPORT, {**READS, "Principal": "*", "Resource": "*"}), policyScope="V1")
    assert without_read(v1, RULE) == [OTHER_ROOT, THIRD_ROLE]


def test_consumers_without_read_none() -> None:
    org = {"StringEquals": {"aws:PrincipalOrgID": "o-a"}}
    org_reads = template("ROOT", doc({**READS, "Principal": "*", "Condition": org}))
    assert without_read(registry(doc(IMPORT), templates=[org_reads]), RULE) == []
    registry_reads = registry(doc(IMPORT, {**READS, "Principal": "*", "Resource": f"{REPO}/*"}))
    assert without_read(registry_reads, RULE) == []
    own_account = ptc_grant("*", principal={"AWS": f"arn:aws:iam::{ACCOUNT}:role/ci"})
    assert without_read(registry(doc(own_account)), RULE) == []
    assert without_read(registry(doc(ptc_grant(f"{REPO}/ghcr/*"))), RULE) == []


def test_consumers_without_read_unknown() -> None:
    unknown_template_policy = registry(doc(IMPORT), templates=[template("docker-hub", U)])
    assert isinstance(without_read(unknown_template_policy, RULE), Unknown)
    unknown_resource = registry(doc({**IMPORT, "Resource": U}), templates=[template("docker-hub")])
    assert isinstance(without_read(unknown_resource, RULE), Unknown)
    # an unknown template prefix may be this rule's
    unknown_prefix = registry(doc(IMPORT), templates=[template(U)])
    assert isinstance(without_read(unknown_prefix, RULE), Unknown)
    with pytest.raises(runtime.UnknownResult):
        ev("size(ptcConsumers(r, rule).withoutRead) == 0", r=unknown_template_policy, rule=RULE)


def test_consumer_read_gaps() -> None:
    replication_only = registry(doc(IMPORT), templates=[template("docker-hub", applied=["REPLICATION"])])
    assert read_gaps(replication_only, RULE) == (
        "no creation template applied to PULL_THROUGH_CACHE covers this prefix, so the repositories get no repository "
        "policy, and the registry policy does not grant them either")
    v1 = registry(doc(IMPORT), templates=[template("ROOT", doc(READS))], policyScope="V1")
    assert read_gaps(v1, RULE) == (
        "creation template 'ROOT' has a repositoryPolicy that does not grant them both actions, and the registry "
        "policy scope is V1, which does not enforce read grants in the registry policy")
    no_policy = registry(doc(IMPORT), templates=[template("docker-hub")])
    assert ev("ptcConsumers(r, rule).gaps", r=no_policy, rule=RULE).startswith(
        "creation template 'docker-hub' sets no repositoryPolicy")
    with pytest.raises(runtime.UnknownResult):
        ev("ptcConsumers(r, rule).gaps", r=registry(doc(IMPORT), templates=[template(U)]), rule=RULE)


def test_ptc_template_refs() -> None:
    templates = [template("ROOT"), template("docker-hub", applied=["REPLICATION"]), template("docker-hub/"),
                 template("quay"), template("docker-hub/library")]
    assert registry_policy.ptc_template_refs(templates, "docker-hub") == ["template:2", "template:0"]
    assert ev("ptcTemplateRefs(t, 'ghcr')", t=templates) == ["template:0"]
    assert registry_policy.ptc_template_refs([template("quay")], "docker-hub") == []
    with pytest.raises(runtime.UnknownResult):
        ev("ptcTemplateRefs(t, 'ghcr')", t=[template(U)])


# ---------------------------------------------------------------- PTC-IAM-015


def test_ecr_public_grants_found() -> None:
    reg = registry(doc(ptc_grant(PUBLIC)), iam=[
        iam("nodes", json.dumps(doc(allow("ecr:createrepository", PUBLIC)))),
        iam("other", doc(allow("s3:*")))])
    assert ecr_public(reg) == ["registryPolicy", "iamPolicy:0"]
    symbolic_partition = doc(allow("ecr:*", ["arn:${AWS::Partition}:ecr-public::1:repository/x"]))
    assert ev("ecrPublicReferences(r).policies", r=registry(iam=[iam("p", symbolic_partition)])) == ["iamPolicy:0"]


def test_ecr_public_grants_none() -> None:
    other_grants = doc(allow("*", PUBLIC), allow("ecr-public:*", PUBLIC), allow("ecr:BatchGetImage", PUBLIC),
                       {"Effect": "Deny", "Action": "ecr:*", "Resource": PUBLIC})
    reg = registry(doc(ptc_grant(f"{REPO}/ecr-public/*")), iam=[iam("p", other_grants)])
    assert ecr_public(reg) == []
    assert ecr_public(registry(iam=[iam("p", "{not json")])) == []


def test_ecr_public_grants_unknown() -> None:
    assert isinstance(ecr_public(registry(iam=[iam("p", U)])), Unknown)
    assert isinstance(ecr_public(registry(doc(ptc_grant(U)))), Unknown)
    # a certain grant elsewhere decides
    assert ecr_public(registry(U, iam=[iam(U, doc(allow("ecr:*", PUBLIC)))])) == ["iamPolicy:0"]
    with pytest.raises(runtime.UnknownResult):
        ev("size(ecrPublicReferences(r).policies) == 0", r=registry(U))


def test_ecr_public_grant_summary() -> None:
    one = registry(doc(ptc_grant([PUBLIC, f"{REPO}/x/*"])))
    assert ecr_public_summary(one) == (
        f"the registry policy grants ecr:CreateRepository / ecr:BatchImportUpstreamImage on {PUBLIC}")
    two = registry(U, iam=[iam(U, doc(allow("ecr:*", PUBLIC))), iam("b", doc(allow("ecr:Create*", PUBLIC)))])
    assert ev("ecrPublicReferences(r).summary", r=two) == (
        "IAM policy '(name not known)', IAM policy 'b' grant ecr:CreateRepository / ecr:BatchImportUpstreamImage "
        f"on {PUBLIC}, {PUBLIC}")


# ---------------------------------------------------------------- PTC-RCT-016


def repo_policy(*statements) -> str:
    return json.dumps(doc(*statements))


def grant(principal, action, **extra) -> dict:
    return {"Effect": "Allow", "Principal": principal, "Action": action, **extra}


ORG = {"StringEquals": {"aws:PrincipalOrgID": "o-a"}}


def test_repository_policy_too_open_found() -> None:
    public_pull = repo_policy(grant("*", ["ecr:BatchGetImage"], Sid="PublicPull"))
    assert exposed(public_pull, ACCOUNT) is True
    other_writes = repo_policy(grant({"AWS": OTHER_ROOT}, "ecr:*"))
    assert exposed(other_writes, ACCOUNT) is True
    org_writes = repo_policy(grant({"AWS": "*"}, ["ecr:Put*"], Condition=ORG))
    assert ev("repositoryPolicyExposure(p, a).exposed", p=org_writes, a=ACCOUNT) is True


def test_repository_policy_too_open_compliant() -> None:
    own_account = {"StringEquals": {"aws:PrincipalAccount": [ACCOUNT]}}
    compliant = repo_policy(
        grant("*", ["ecr:BatchGetImage"], Condition=ORG),
        grant({"AWS": [OTHER_ROOT]}, ["ecr:BatchGetImage"]),
        grant({"AWS": f"arn:aws:iam::{ACCOUNT}:role/ci"}, ["ecr:PutImage"]),
        grant("*", "ecr:*", Condition=own_account),
        {"Effect": "Deny", "Principal": "*", "Action": "ecr:*"})
    assert exposed(compliant, ACCOUNT) is False
    service = repo_policy(grant({"Service": "lambda.amazonaws.com"}, "ecr:*"))
    assert exposed(service, ACCOUNT) is False


def test_repository_policy_too_open_unknown() -> None:
    other_writes = repo_policy(grant({"AWS": OTHER}, "ecr:PutImage"))
    assert isinstance(exposed(other_writes, "${AWS::AccountId}"), Unknown)
    assert exposed(other_writes, "") is False  # no account: other accounts are not judged
    with pytest.raises(runtime.UnknownResult):
        ev("repositoryPolicyExposure(p, a).exposed", p=U, a=ACCOUNT)


def test_repository_policy_too_open_summary() -> None:
    both = repo_policy(
        grant("*", ["ecr:BatchGetImage"], Sid="PublicPull"),
        grant({"AWS": [f"arn:aws:iam::{ACCOUNT}:role/ci", THIRD_ROLE]},
              ["ecr:PutImage", "ecr:BatchDeleteImage", "ecr:BatchGetImage"]))
    assert exposure_summary(both, ACCOUNT) == (
        "it allows every AWS principal with no condition on the caller (statement 'PublicPull'); it grants write "
        f"actions (ecr:PutImage, ecr:BatchDeleteImage) to principals outside this registry's account {ACCOUNT} "
        f"({THIRD_ROLE})")
    assert exposure_summary(repo_policy(grant({"AWS": OTHER}, READS["Action"])), ACCOUNT) == ""
    # writes whose principals' account cannot be compared (symbolic registry account) are not listed
    other_writes = repo_policy(grant({"AWS": OTHER}, "ecr:PutImage"))
    assert ev("repositoryPolicyExposure(p, a).summary", p=other_writes, a="${AWS::AccountId}") == ""


# ---------------------------------------------------------------- registration


def test_every_policy_helper_is_a_cel_function() -> None:
    for module in functions.MODULES:
        for name in module.FUNCTIONS:
            assert name in functions.FUNCTIONS, name
