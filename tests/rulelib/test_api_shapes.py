"""API shape constraints as JSON Schema (schemaProblems). (ptclint.rulelib)"""

from __future__ import annotations

import jsonschema

from ptclint.rulelib import api_shapes, tri

from .support import PTC, U, is_unknown

# ---------------------------------------------------------------- API constraints (schemaProblems)


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
