"""What a creation template gives its repositories: lifecycle policy, creation role. (ptclint.rulelib)"""

from __future__ import annotations

import json

import pytest

from ptclint.rulelib import template_checks

from .support import ACCOUNT, PTC, REGISTRY, ROLE, U, allow, doc, is_unknown, role_lookup

# ---------------------------------------------------------------- lifecycle policies


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


KMS_KEY = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/1234abcd"
TAGS = [{"Key": "team", "Value": "platform"}]


def kms(key=None, **template) -> dict:
    encryption = {"encryptionType": "KMS", **({} if key is None else {"kmsKey": key})}
    return {"encryptionConfiguration": encryption, **template}


# ---------------------------------------------------------------- creation role problems


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
