"""The plain-Python rule helpers of ptclint.rulelib (templates, secrets, access, plan): each finds what it should, stays quiet
otherwise, and answers unknown (never a finding) when the answer depends on an unresolved value."""

from __future__ import annotations

import json

import jsonschema
import pytest

from ptclint.cel import functions, runtime
from ptclint.rulelib import access, api_shapes, tri, plan, template_checks, templates
from ptclint.rulelib import secrets as secret_helpers, values
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


# ---------------------------------------------------------------- registration


def test_every_helper_is_a_cel_function() -> None:
    for module in functions.MODULES:
        for name in module.FUNCTIONS:
            assert name in functions.FUNCTIONS, name
    assert ev("appliesTo(t, 'PULL_THROUGH_CACHE')", t={"appliedFor": [PTC]}) is True


def test_a_value_of_the_wrong_type_is_an_evaluation_error() -> None:
    with pytest.raises(ValueError):
        templates.applies_to({"appliedFor": [5]}, PTC)
    with pytest.raises(runtime.EvaluationFailed):
        ev("appliesTo(t, 'PULL_THROUGH_CACHE')", t={"appliedFor": [5]})


# ---------------------------------------------------------------- general


def test_applies_to() -> None:
    assert templates.applies_to({"appliedFor": ["REPLICATION", PTC]}, PTC) is True
    assert templates.applies_to({"appliedFor": ["REPLICATION"]}, PTC) is False
    assert templates.applies_to({"prefix": "x"}, PTC) is False
    assert templates.applies_to({"appliedFor": [PTC, U]}, PTC) is True  # decided by the known value
    assert is_unknown(templates.applies_to({"appliedFor": ["REPLICATION", U]}, PTC))
    assert is_unknown(templates.applies_to({"appliedFor": U}, PTC))
    with pytest.raises(runtime.UnknownResult):
        ev("appliesTo(t, 'PULL_THROUGH_CACHE')", t={"appliedFor": U})


def test_join_text() -> None:
    assert values.join_text(["It has no prefix.", "Its appliedFor is empty."], " ") == \
        "It has no prefix. Its appliedFor is empty."
    assert values.join_text([], " ") == ""
    with pytest.raises(runtime.UnknownResult):  # an unresolved list is never called with
        ev("joinText(x, ' ')", x=U)


def test_covers_ptc_rule() -> None:
    rules = [{"ecrRepositoryPrefix": "team/docker-hub"}]
    assert templates.covers_ptc_rule("team", rules) is True
    assert templates.covers_ptc_rule("team/docker-hub/", rules) is True
    assert templates.covers_ptc_rule("ROOT", []) is True
    assert templates.covers_ptc_rule("team/docker-hub/library", rules) is False
    assert templates.covers_ptc_rule("quay", rules + [{"ecrRepositoryPrefix": U}]) is False  # unresolved: not counted
    with pytest.raises(runtime.UnknownResult):
        ev("coversPtcRule(p, rules)", p=U, rules=rules)


# ---------------------------------------------------------------- PTC-RCT-013


def constraint_problems(template):
    return tri.result(api_shapes.schema_problems(template, "repositoryCreationTemplate"))


def test_the_api_schema_is_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(api_shapes.api_schema("repositoryCreationTemplate"))
    valid = {"prefix": "docker-hub", "appliedFor": [PTC], "imageTagMutability": "MUTABLE"}
    invalid = {"prefix": "Docker", "appliedFor": [PTC, PTC], "encryptionConfiguration": {}}
    validator = jsonschema.Draft202012Validator(api_shapes.api_schema("repositoryCreationTemplate"))
    assert validator.is_valid(valid) and constraint_problems(valid) == []
    assert not validator.is_valid(invalid) and len(constraint_problems(invalid)) == 3


def test_template_constraint_problems() -> None:
    assert constraint_problems({"prefix": "docker-hub", "appliedFor": [PTC]}) == []
    empty = {"description": "", "lifecyclePolicy": "", "imageTagMutabilityExclusionFilters": []}
    assert constraint_problems({"prefix": "ROOT", "appliedFor": [PTC], **empty}) == []
    problems = constraint_problems({"prefix": "Docker-Hub/", "appliedFor": [PTC, PTC]})
    assert problems == [
        "Its prefix does not match the API pattern (the keyword ROOT, or lower-case letters and digits in "
        "/-separated parts, each part starting and ending with a letter or digit with single separators ., _, __ "
        "or a run of - inside, and at most one trailing /): it contains upper-case letters.",
        "Its appliedFor lists a value more than once: PULL_THROUGH_CACHE.",
    ]
    problems = constraint_problems({
        "prefix": "ROOT/", "appliedFor": [], "repositoryPolicy": "[1]", "lifecyclePolicy": "{rules",
        "imageTagMutability": "IMMUTABLE_WITH_EXCLUSION",
        "imageTagMutabilityExclusionFilters": [{"filterType": "REGEX", "filter": "x"}, {"filter": "a/b"}],
        "encryptionConfiguration": {"encryptionType": "aws:kms"}})
    assert problems[0].endswith("the keyword ROOT takes no trailing /.")
    assert problems[1:] == [
        "Its lifecyclePolicy is not valid JSON.",
        "Its repositoryPolicy is JSON but not a JSON object (a policy document).",
        "Each exclusion filter needs filterType WILDCARD and a filter of 1 to 128 letters, digits, ., _, * or -; "
        "these are invalid: 'x' (filterType REGEX), 'a/b' (no filterType).",
        "Its encryptionType 'aws:kms' is not one of AES256, KMS and KMS_DSSE.",
        "Its appliedFor is empty; it needs at least one of PULL_THROUGH_CACHE, REPLICATION and CREATE_ON_PUSH.",
    ]
    assert constraint_problems({}) == ["It has no prefix, which is required.",
                                                          "It has no appliedFor, which is required."]


def test_template_constraint_problems_with_unresolved_fields() -> None:
    assert is_unknown(constraint_problems({"prefix": U, "appliedFor": [PTC]}))
    assert is_unknown(constraint_problems({"prefix": "x", "appliedFor": [PTC, U]}))
    # a known problem is still found next to an unresolved field
    assert constraint_problems({"prefix": "x", "appliedFor": [U], "description": "d" * 257}) == [
        "Its description is 257 characters long; the API allows 256."]
    # the exclusion mode with filters the input could not resolve is not judged
    assert is_unknown(constraint_problems(
        {"prefix": "x", "appliedFor": [PTC], "imageTagMutability": "MUTABLE_WITH_EXCLUSION",
         "imageTagMutabilityExclusionFilters": U}))


# ---------------------------------------------------------------- PTC-RCT-017


def lifecycle(*rules) -> str:
    return json.dumps({"rules": list(rules)})


def expire(priority, count_type, count, tag_status="any", **selection) -> dict:
    return {"rulePriority": priority, "action": {"type": "expire"},
            "selection": {"tagStatus": tag_status, "countType": count_type, "countNumber": count, **selection}}


def test_aggressive_lifecycle_rules() -> None:
    policy = lifecycle(expire(1, "sinceImagePushed", 1, "untagged"), expire(2, "imageCountMoreThan", 1),
                       expire(3, "sinceImagePushed", 3, "tagged", tagPatternList=["*"]),
                       expire(4, "imageCountMoreThan", 1, "tagged", tagPrefixList=["nightly-"]))
    assert template_checks.aggressive_lifecycle_rules(policy, 2, 7) == [
        "rule 2 keeps only 1 image(s) per repository", "rule 3 expires images 3 day(s) after they were cached"]
    assert template_checks.aggressive_lifecycle_rules(lifecycle(expire(1, "imageCountMoreThan", 30)), 2, 7) == []
    assert template_checks.aggressive_lifecycle_rules(lifecycle(expire(1, "imageCountMoreThan", 30)), 50, 7) == [
        "rule 1 keeps only 30 image(s) per repository"]
    assert template_checks.aggressive_lifecycle_rules("[]", 2, 7) == []
    assert is_unknown(template_checks.aggressive_lifecycle_rules(U, 2, 7))
    with pytest.raises(ValueError):  # countType of the wrong type, and no other rule decides
        template_checks.aggressive_lifecycle_rules(lifecycle(expire(1, 5, 1)), 2, 7)


# ---------------------------------------------------------------- PTC-RCT-005


KMS_KEY = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/1234abcd"
TAGS = [{"Key": "team", "Value": "platform"}]


def kms(key=None, **template) -> dict:
    encryption = {"encryptionType": "KMS", **({} if key is None else {"kmsKey": key})}
    return {"encryptionConfiguration": encryption, **template}


def test_needs_creation_role() -> None:
    assert templates.needs_creation_role({"resourceTags": TAGS}) is True
    assert templates.needs_creation_role({"encryptionConfiguration": {"encryptionType": "KMS_DSSE"}}) is True
    aes = {"resourceTags": [], "encryptionConfiguration": {"encryptionType": "AES256"}}
    assert templates.needs_creation_role(aes) is False
    assert is_unknown(templates.needs_creation_role({"resourceTags": U}))
    assert templates.needs_creation_role(kms(resourceTags=U)) is True


def test_kms_managed_key_only() -> None:
    assert templates.kms_managed_key_only(kms()) is True
    assert templates.kms_managed_key_only(kms("")) is True
    assert templates.kms_managed_key_only(kms(KMS_KEY)) is False
    assert templates.kms_managed_key_only(kms(resourceTags=TAGS)) is False
    # a key or tags the input could not resolve count as a customer key / as tags
    assert templates.kms_managed_key_only(kms(U)) is False
    assert templates.kms_managed_key_only(kms(resourceTags=U)) is False
    assert is_unknown(templates.kms_managed_key_only({"encryptionConfiguration": {"encryptionType": U}}))


def test_creation_role_trigger() -> None:
    assert templates.creation_role_trigger({"resourceTags": TAGS * 2}) == "2 resource tags"
    assert templates.creation_role_trigger(kms(resourceTags=TAGS)) == "1 resource tag and encryptionType KMS"
    assert templates.creation_role_trigger(kms(KMS_KEY)) == f"encryptionType KMS with key {KMS_KEY}"
    assert templates.creation_role_trigger(kms()) == "encryptionType KMS with the AWS managed key"
    assert templates.creation_role_trigger(kms(U)) == "encryptionType KMS with a key resolved only at deployment"
    assert is_unknown(templates.creation_role_trigger({"encryptionConfiguration": {"encryptionType": U}}))


# ---------------------------------------------------------------- PTC-RCT-006


def test_template_role_problems() -> None:
    template = {"prefix": "docker-hub", "appliedFor": [PTC], "resourceTags": TAGS}
    repository = f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/docker-hub/*"
    good = doc(allow(["ecr:CreateRepository", "ecr:TagResource"], repository))
    assert template_checks.creation_role_problems(template, role_lookup(good), REGISTRY) == []
    assert template_checks.creation_role_problems(template, {"status": "notFound"}, REGISTRY) == [
        "the role does not exist (GetRole: NoSuchEntity)"]
    wrong = role_lookup(doc(allow("ecr:CreateRepository")), trust_service="pullthroughcache.ecr.amazonaws.com")
    assert template_checks.creation_role_problems(template, wrong, REGISTRY) == [
        "its trust policy does not let the service principal ecr.amazonaws.com assume it (it trusts "
        "pullthroughcache.ecr.amazonaws.com, the principal of pull through cache rule roles)",
        f"the template sets resource tags but the role's policies do not allow ecr:TagResource on {repository}",
    ]
    encrypted = kms(KMS_KEY, prefix="ROOT")
    assert template_checks.creation_role_problems(encrypted, role_lookup(doc(allow(["ecr:*", "kms:DescribeKey"]))),
                                            REGISTRY) == [
        f"the template encrypts with KMS key {KMS_KEY} but the role's policies do not allow kms:CreateGrant, "
        "kms:RetireGrant"]


def test_template_role_problems_unresolved() -> None:
    template = {"prefix": U, "appliedFor": [PTC]}
    assert is_unknown(template_checks.creation_role_problems(template, role_lookup(doc(allow("ecr:TagResource"))), REGISTRY))
    # the role's absence does not depend on the unresolved prefix
    assert template_checks.creation_role_problems(template, {"status": "notFound"}, REGISTRY) == [
        "the role does not exist (GetRole: NoSuchEntity)"]
    # policies not collected: permissions are not judged
    assert template_checks.creation_role_problems({"prefix": "x"}, {"status": "found", "role": {"Arn": ROLE}}, REGISTRY) == []


# ---------------------------------------------------------------- PTC-RCT-002 / 003 / 004


def test_own_template_not_for_ptc() -> None:
    templates_ = [{"prefix": "ROOT", "appliedFor": [PTC, "REPLICATION"]},
                  {"prefix": "quay/", "appliedFor": ["REPLICATION"]}]
    answer = templates.own_prefix_templates(templates_, "quay")
    assert answer["found"] is True and answer["templates"] == [1]
    assert answer["message"].startswith("'quay/', but its appliedFor (REPLICATION) does not include PULL_THROUGH_CACHE")
    assert "the broader template 'ROOT' is applied to PULL_THROUGH_CACHE" in answer["message"]
    assert answer["related"] == ["template:1", "template:0 broader template ROOT (PULL_THROUGH_CACHE)"]
    assert templates.own_prefix_templates([{"prefix": "quay", "appliedFor": []}], "quay")["message"].endswith(
        "under quay/; they get the defaults instead: AES256 encryption, mutable tags, no lifecycle policy, no "
        "repository policy and no tags")
    assert templates.own_prefix_templates([{"prefix": "quay", "appliedFor": [PTC]}], "quay")["found"] is False
    assert templates.own_prefix_templates([{"prefix": "ROOT", "appliedFor": []}], "quay")["found"] is False
    assert is_unknown(templates.own_prefix_templates([{"prefix": U, "appliedFor": []}], "quay"))
    undecided = [{"prefix": "quay", "appliedFor": ["REPLICATION", U]}]
    assert is_unknown(templates.own_prefix_templates(undecided, "quay"))


def test_specific_template_not_for_ptc() -> None:
    templates_ = [{"prefix": "ROOT", "appliedFor": [PTC]}, {"prefix": "team", "appliedFor": ["CREATE_ON_PUSH"]}]
    answer = templates.most_specific_template(templates_, "team/docker-hub")
    assert answer["found"] is True
    assert answer["message"].startswith("'team' (appliedFor: CREATE_ON_PUSH), which is not applied to "
                                        "PULL_THROUGH_CACHE, while the broader template 'ROOT' is.")
    assert answer["related"] == ["template:1 most specific template team",
                                 "template:0 broader template ROOT (PULL_THROUGH_CACHE)"]
    # a copy of the most specific prefix applied to PTC, or no covering template applied at all: compliant
    assert templates.most_specific_template(templates_ + [{"prefix": "team/", "appliedFor": [PTC]}],
                                                   "team/docker-hub")["found"] is False
    assert templates.most_specific_template([{"prefix": "team", "appliedFor": []}], "team/x")["found"] is False
    assert templates.most_specific_template([], "team/x")["found"] is False
    assert is_unknown(templates.most_specific_template([{"prefix": "ROOT", "appliedFor": [PTC]},
                                                               {"prefix": "team", "appliedFor": U}], "team/x"))


def test_template_prefix_mismatch() -> None:
    rules = [{"ecrRepositoryPrefix": "docker-hub"}]
    deeper = {"prefix": "docker-hub/library", "appliedFor": [PTC]}
    answer = templates.template_prefix_fit(rules, [deeper], deeper)
    assert answer["found"] is True and answer["rules"] == [0]
    assert answer["message"] == (
        ", but its prefix lies inside the namespace of PTC rule 'docker-hub' instead of matching it: it shapes only "
        "the cache repositories under docker-hub/library/, and the rule's other cache repositories get the defaults "
        "(AES256 encryption, mutable tags, no lifecycle policy, no repository policy, no tags). AWS advises giving a "
        "PTC rule's template the rule's own prefix.")
    own = {"prefix": "docker-hub", "appliedFor": [PTC]}
    assert templates.template_prefix_fit(rules, [own, deeper], deeper)["found"] is False  # a refinement
    broader = {"prefix": "team", "appliedFor": [PTC]}
    answer = templates.template_prefix_fit([{"ecrRepositoryPrefix": "team/quay"}], [broader], broader)
    assert answer["found"] is True and "most specific template covering PTC rule 'team/quay'" in answer["message"]
    assert templates.template_prefix_fit([{"ecrRepositoryPrefix": "team"}], [broader], broader)["found"] is False
    assert is_unknown(templates.template_prefix_fit([{"ecrRepositoryPrefix": U}], [deeper], deeper))


# ---------------------------------------------------------------- PTC-AUTH-013


SECRET_ARN = f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:"


def secret(name: str, **extra) -> dict:
    return {"status": "found", "secret": {"ARN": f"{SECRET_ARN}{name}-AbCdEf", "Name": name, **extra}}


def test_orphaned_ptc_secrets() -> None:
    secrets = {f"{SECRET_ARN}ecr-pullthroughcache/a-AbCdEf": secret("ecr-pullthroughcache/a"),
               f"{SECRET_ARN}ecr-pullthroughcache/b-AbCdEf": secret("ecr-pullthroughcache/b"),
               f"{SECRET_ARN}ecr-pullthroughcache/old-AbCdEf": secret("ecr-pullthroughcache/old", DeletedDate="x"),
               f"{SECRET_ARN}app/db-AbCdEf": secret("app/db")}
    by_key = [{"credentialArn": f"{SECRET_ARN}ecr-pullthroughcache/a-AbCdEf"}]
    assert secret_helpers.unreferenced_ptc_secrets(secrets, by_key) == [f"{SECRET_ARN}ecr-pullthroughcache/b-AbCdEf"]
    by_name = by_key + [{"credentialArn": f"{SECRET_ARN}ecr-pullthroughcache/b"}]
    assert secret_helpers.unreferenced_ptc_secrets(secrets, by_name) == []
    assert is_unknown(secret_helpers.unreferenced_ptc_secrets(secrets, by_key + [{"credentialArn": U}]))
    unnamed = {f"{SECRET_ARN}x": {"status": "found", "secret": {"Name": U}}}
    assert is_unknown(secret_helpers.unreferenced_ptc_secrets(unnamed, by_key))


# ---------------------------------------------------------------- PTC-AUTH-015


def test_arn_placeholders() -> None:
    rule = {"ecrRepositoryPrefix": "x", "customRoleArn": "arn:aws:iam::<ACCOUNT_ID>:role/ecr",
            "credentialArn": f"{SECRET_ARN}ecr-pullthroughcache/x-XXXXXX"}
    assert secret_helpers.unfilled_arns(rule, ACCOUNT) == [
        f"credentialArn {SECRET_ARN}ecr-pullthroughcache/x-XXXXXX contains a placeholder word (YOUR..., CHANGEME, "
        "REPLACE..., TODO, XXXX)",
        "customRoleArn arn:aws:iam::<ACCOUNT_ID>:role/ecr contains an <...> placeholder"]
    docs_account = {"credentialArn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecr-pullthroughcache/x"}
    assert secret_helpers.unfilled_arns(docs_account, "999988887777") == [
        f"credentialArn {docs_account['credentialArn']} contains the AWS documentation example account "
        "123456789012, while this registry is in account 999988887777"]
    assert secret_helpers.unfilled_arns(docs_account, "") == []  # the registry's account is not known
    assert secret_helpers.unfilled_arns({"customRoleArn": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/todo-app"},
                                      ACCOUNT) == []
    assert is_unknown(secret_helpers.unfilled_arns({"credentialArn": U, "customRoleArn": rule["customRoleArn"]}, ACCOUNT))


# ---------------------------------------------------------------- PTC-AUTH-016


def declared(**shape) -> dict:
    return {"status": "found", "declared": {"name": "ecr-pullthroughcache/x", **shape}}


def test_declared_secret_value() -> None:
    ok = secret_helpers.declared_secret_shape(declared(valueIsJsonObject=True, valueKeys=["accessToken", "username"]))
    assert ok["judged"] is True and ok["valid"] is True
    wrong = secret_helpers.declared_secret_shape(declared(valueIsJsonObject=True, valueKeys=["Username", "password"]))
    assert wrong["judged"] is True and wrong["valid"] is False
    assert wrong["message"] == ("is a JSON object with the keys Username, password; it lacks username, accessToken "
                                "(look-alikes that do not count: Username, password)")
    plain = secret_helpers.declared_secret_shape(declared(valueIsJsonObject=False))
    assert plain["judged"] is True and plain["valid"] is False and plain["message"].startswith("is not a JSON object")
    assert secret_helpers.declared_secret_shape(declared(literalToken=False))["judged"] is False
    assert secret_helpers.declared_secret_shape({"status": "found"})["judged"] is False
    assert is_unknown(secret_helpers.declared_secret_shape(declared(valueIsJsonObject=U))["judged"])
    unresolved = secret_helpers.declared_secret_shape(declared(valueIsJsonObject=U, valueKeys=["username", "accessToken"]))
    assert unresolved["judged"] is True and is_unknown(unresolved["valid"])
    unresolved = secret_helpers.declared_secret_shape(declared(valueIsJsonObject=True, valueKeys=["username", U]))
    assert unresolved["judged"] is True and is_unknown(unresolved["valid"])


# ---------------------------------------------------------------- PTC-IAM-007


UPSTREAM = "444455556666.dkr.ecr.us-east-1.amazonaws.com"


def upstream_rule(**extra) -> dict:
    return {"ecrRepositoryPrefix": "upstream", "upstreamRegistryUrl": UPSTREAM, "customRoleArn": ROLE, **extra}


def upstream_policy(*statements) -> dict:
    return {UPSTREAM: {"status": "found", "policy": doc(*statements)}}


def test_upstream_grant_check() -> None:
    grant = allow("ecr:*", "arn:aws:ecr:us-east-1:444455556666:repository/*",
                  Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"})
    answer = access.upstream_policy_grant(upstream_rule(), upstream_policy(grant), "aws")
    assert answer["judged"] is True and answer["granted"] is True
    partial = dict(grant, Action=["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"])
    answer = access.upstream_policy_grant(upstream_rule(), upstream_policy(partial), "aws")
    assert answer["granted"] is False
    assert answer["message"] == (
        f"its registry policy does not grant account {ACCOUNT} (or the role) the actions "
        "ecr:BatchImportUpstreamImage, ecr:GetImageCopyStatus on arn:aws:ecr:us-east-1:444455556666:repository/*")
    none = access.upstream_policy_grant(upstream_rule(), {UPSTREAM: {"status": "notFound"}}, "aws")
    assert none["judged"] is True and none["granted"] is False
    assert none["message"].startswith("that registry has no registry policy, so it does not grant")
    # same account, a coverage gap, no role: not judged
    own = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"
    assert access.upstream_policy_grant(upstream_rule(upstreamRegistryUrl=own), {own: {"status": "notFound"}},
                                          "aws")["judged"] is False
    denied = {UPSTREAM: {"status": "accessDenied"}}
    assert access.upstream_policy_grant(upstream_rule(), denied, "aws")["judged"] is False
    no_role = {"upstreamRegistryUrl": UPSTREAM}
    assert access.upstream_policy_grant(no_role, upstream_policy(grant), "aws")["judged"] is False
    unresolved = access.upstream_policy_grant(upstream_rule(upstreamRepositoryPrefix=U), upstream_policy(grant),
                                                "aws")
    assert unresolved["judged"] is True and is_unknown(unresolved["granted"])
    unresolved = access.upstream_policy_grant(upstream_rule(upstreamRegistryUrl=U), upstream_policy(grant), "aws")
    assert is_unknown(unresolved["judged"])


# ---------------------------------------------------------------- PTC-IAM-011


def test_puller_check() -> None:
    node, ci = f"arn:aws:iam::{ACCOUNT}:role/node", f"arn:aws:iam::{ACCOUNT}:role/ci"
    roles = {node: role_lookup(doc(allow(["ecr:BatchGetImage", "ecr:CreateRepository"]))),
             ci: role_lookup(doc(allow("ecr:*")))}
    rule = {"ecrRepositoryPrefix": "docker-hub"}
    answer = access.puller_access([node, ci], roles, REGISTRY, rule)
    assert answer["judged"] is True and answer["found"] is True
    assert answer["message"] == f"{node} (ecr:BatchImportUpstreamImage)"
    assert answer["related"] == [f"role:{node}"]
    assert access.puller_access([ci], roles, REGISTRY, rule)["found"] is False
    # no pullers, or none whose policies were collected: not judged
    assert access.puller_access([], roles, REGISTRY, rule)["judged"] is False
    assert access.puller_access(["arn:aws:iam::111122223333:role/other"], roles, REGISTRY, rule)["judged"] is False
    # the registry policy was not read: judged only when the IAM policies alone allow both
    unread = dict(REGISTRY, registryPolicy={"status": "accessDenied"})
    assert access.puller_access([node], roles, unread, rule)["judged"] is False
    assert access.puller_access([ci], roles, unread, rule)["judged"] is True
    unresolved = access.puller_access([node], roles, REGISTRY, {"ecrRepositoryPrefix": U})
    assert unresolved["judged"] is True and is_unknown(unresolved["found"])


# ---------------------------------------------------------------- PTC-NAME-012


def change(address: str, actions: list, before=None, after=None) -> dict:
    return {"address": address, "actions": actions,
            "before": before and {"ecrRepositoryPrefix": before}, "after": after and {"ecrRepositoryPrefix": after}}


def test_plan_recreate() -> None:
    moved = [change("aws_ecr_pull_through_cache_rule.old", ["delete"], before="quay"),
             change('aws_ecr_pull_through_cache_rule.this["quay"]', ["create"], after="quay/")]
    answer = plan.plan_prefix_moves(moved, "quay")
    assert answer["creating"] is True and answer["recreated"] is True
    assert answer["destroys"] == answer["from"] == "aws_ecr_pull_through_cache_rule.old"
    assert answer["creates"] == answer["to"] == 'aws_ecr_pull_through_cache_rule.this["quay"]'
    replaced = [change("aws_ecr_pull_through_cache_rule.q", ["delete", "create"], before="quay", after="quay")]
    assert plan.plan_prefix_moves(replaced, "quay")["recreated"] is False
    other = [moved[0], change("aws_ecr_pull_through_cache_rule.new", ["create"], after="ghcr")]
    assert plan.plan_prefix_moves(other, "ghcr")["recreated"] is False
    unresolved = [moved[0], {"address": "aws_ecr_pull_through_cache_rule.new", "actions": [U], "after": {
        "ecrRepositoryPrefix": "quay"}}]
    answer = plan.plan_prefix_moves(unresolved, "quay")
    assert is_unknown(answer["creating"]) and is_unknown(answer["recreated"])
    # a prefix the plan could not resolve is not counted
    assert plan.plan_prefix_moves([moved[0], change("x", ["create"], after=U)], "quay")["creating"] is False
