"""Pull through cache secrets: unreferenced secrets, placeholders in ARNs, declared secret shapes. (ptclint.rulelib)"""

from __future__ import annotations

from ptclint.rulelib import secrets as secret_helpers

from .support import ACCOUNT, U, is_unknown

# ---------------------------------------------------------------- unreferenced secrets


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


# ---------------------------------------------------------------- placeholders in ARNs


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


# ---------------------------------------------------------------- declared secret shapes


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
