"""Creation templates: which template a PTC rule gets, whether it is applied to pull through cache,
whether it needs a creation role. (ptclint.rulelib)"""

from __future__ import annotations

import pytest

from ptclint.cel import functions, runtime
from ptclint.rulelib import templates, values

from .support import ACCOUNT, PTC, U, ev, is_unknown

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


# ---------------------------------------------------------------- repository creation role


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


# ---------------------------------------------------------------- the template a PTC rule gets


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
