"""Secret values never leak: not in a report (table, JSON, SARIF), not on stderr, not in an error
message, whatever the input and however broken it is.

A token and a password are planted in every place an input can hold one: CloudFormation (a literal
SecretString, a NoEcho parameter's Default, a GenerateSecretString template), Terraform HCL
(`jsonencode` in secret_string, a variable default, terraform.tfvars and a --var-file), a Terraform
plan (planned values, resource_changes before/after, root variables) and a state file. Each is
scanned in every format, and broken right next to the token. "PLANTED" is part of both values, so a
partial echo (a clipped word in a parse error) is caught too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

TOKEN = "dckr_pat_PLANTED_9f8e7d6c5b"
PASSWORD = "hunter2-PLANTED-pw"
CANARIES = (TOKEN, PASSWORD, "PLANTED", "9f8e7d6c5b", "hunter2")
FORMATS = ("table", "json", "sarif")


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for canary in CANARIES:
            assert canary not in text, f"{canary!r} leaked:\n{text[:4000]}"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PTCLINT_DEBUG", None)
    return env


def cli_many(arglists: list[list[str]], cwd: Path) -> list[subprocess.CompletedProcess]:
    procs = [subprocess.Popen([sys.executable, "-m", "ptclint", *args], cwd=cwd, env=_env(), text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for args in arglists]
    out = []
    for args, proc in zip(arglists, procs):
        stdout, stderr = proc.communicate(timeout=900)
        out.append(subprocess.CompletedProcess(args, proc.returncode, stdout, stderr))
    return out


# ---------------------------------------------------------------- inputs holding secrets

CFN = f"""AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  HubToken:
    Type: String
    NoEcho: true
    Default: {TOKEN}
Resources:
  LiteralSecret:
    Type: AWS::SecretsManager::Secret
    Properties:
      Name: ecr-pullthroughcache/docker-hub
      SecretString: '{{"username":"acme","accessToken":"{TOKEN}","password":"{PASSWORD}"}}'
  ParamSecret:
    Type: AWS::SecretsManager::Secret
    Properties:
      Name: ecr-pullthroughcache/from-param
      SecretString: !Sub '{{"username":"acme","accessToken":"${{HubToken}}"}}'
  GeneratedSecret:
    Type: AWS::SecretsManager::Secret
    Properties:
      Name: ecr-pullthroughcache/generated
      GenerateSecretString:
        SecretStringTemplate: '{{"username":"acme","accessToken":"{TOKEN}"}}'
        GenerateStringKey: password
  HubRule:
    Type: AWS::ECR::PullThroughCacheRule
    Properties:
      EcrRepositoryPrefix: docker-hub
      UpstreamRegistryUrl: registry-1.docker.io
      CredentialArn: !Ref LiteralSecret
  ParamRule:
    Type: AWS::ECR::PullThroughCacheRule
    Properties:
      EcrRepositoryPrefix: hub-param
      UpstreamRegistryUrl: registry-1.docker.io
      CredentialArn: !Ref ParamSecret
  GeneratedRule:
    Type: AWS::ECR::PullThroughCacheRule
    Properties:
      EcrRepositoryPrefix: hub-generated
      UpstreamRegistryUrl: registry-1.docker.io
      CredentialArn: {{"Ref": "GeneratedSecret"}}
"""

TF_MAIN = f"""variable "hub_token" {{
  type      = string
  sensitive = true
  default   = "{TOKEN}"
}}

variable "ghcr_password" {{
  type      = string
  sensitive = true
}}

variable "quay_password" {{
  type = string
}}

resource "aws_secretsmanager_secret" "hub" {{
  name = "ecr-pullthroughcache/docker-hub"
}}

resource "aws_secretsmanager_secret_version" "hub" {{
  secret_id     = aws_secretsmanager_secret.hub.id
  secret_string = jsonencode({{ username = "acme", accessToken = "{TOKEN}", password = "{PASSWORD}" }})
}}

resource "aws_ecr_pull_through_cache_rule" "hub" {{
  ecr_repository_prefix = "docker-hub"
  upstream_registry_url = "registry-1.docker.io"
  credential_arn        = aws_secretsmanager_secret.hub.arn
}}

resource "aws_secretsmanager_secret" "ghcr" {{
  name = "ecr-pullthroughcache/ghcr"
}}

resource "aws_secretsmanager_secret_version" "ghcr" {{
  secret_id     = aws_secretsmanager_secret.ghcr.id
  secret_string = jsonencode({{ username = "acme", accessToken = var.hub_token, password = var.ghcr_password }})
}}

resource "aws_ecr_pull_through_cache_rule" "ghcr" {{
  ecr_repository_prefix = "ghcr"
  upstream_registry_url = "ghcr.io"
  credential_arn        = aws_secretsmanager_secret.ghcr.arn
}}

resource "aws_secretsmanager_secret" "quay" {{
  name = "ecr-pullthroughcache/quay"
}}

resource "aws_secretsmanager_secret_version" "quay" {{
  secret_id     = aws_secretsmanager_secret.quay.id
  secret_string = "{{\\"username\\": \\"acme\\", \\"password\\": \\"${{var.quay_password}}\\"}}"
}}

resource "aws_ecr_pull_through_cache_rule" "quay" {{
  ecr_repository_prefix = "quay"
  upstream_registry_url = "quay.io"
  credential_arn        = aws_secretsmanager_secret.quay.arn
}}
"""


def _secret_version(name: str, secret_string: str) -> tuple[dict, dict]:
    address = f"aws_secretsmanager_secret_version.{name}"
    values = {"secret_binary": None, "secret_string": secret_string, "secret_string_wo": None}
    sensitive = {"secret_binary": True, "secret_string": True, "secret_string_wo": True}
    resource = {"address": address, "mode": "managed", "type": "aws_secretsmanager_secret_version", "name": name,
                "provider_name": "registry.terraform.io/hashicorp/aws", "values": {**values, "secret_id": "x"},
                "sensitive_values": sensitive}
    change = {"address": address, "mode": "managed", "type": "aws_secretsmanager_secret_version", "name": name,
              "change": {"actions": ["update"],
                         "before": {**values, "secret_string": json.dumps({"password": PASSWORD})},
                         "after": values, "after_unknown": {"secret_id": True}, "before_sensitive": sensitive,
                         "after_sensitive": sensitive}}
    return resource, change


def _plan(state: bool = False) -> dict:
    secret_string = json.dumps({"username": "acme", "accessToken": TOKEN, "password": PASSWORD})
    version, change = _secret_version("hub", secret_string)
    secret = {"address": "aws_secretsmanager_secret.hub", "mode": "managed", "type": "aws_secretsmanager_secret",
              "name": "hub", "values": {"name": "ecr-pullthroughcache/docker-hub",
                                         "arn": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:"
                                                "ecr-pullthroughcache/docker-hub-AbCdEf"},
              "sensitive_values": {}}
    rule = {"address": "aws_ecr_pull_through_cache_rule.hub", "mode": "managed",
            "type": "aws_ecr_pull_through_cache_rule", "name": "hub",
            "values": {"ecr_repository_prefix": "docker-hub", "upstream_registry_url": "registry-1.docker.io",
                       "credential_arn": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:"
                                         "ecr-pullthroughcache/docker-hub-AbCdEf",
                       "registry_id": "111122223333"},
            "sensitive_values": {}}
    # a PTC rule whose (wrongly) sensitive attribute holds the token: it is dropped, never shown
    odd = {"address": "aws_ecr_pull_through_cache_rule.odd", "mode": "managed",
           "type": "aws_ecr_pull_through_cache_rule", "name": "odd",
           "values": {"ecr_repository_prefix": "odd", "upstream_registry_url": "quay.io",
                      "upstream_repository_prefix": TOKEN},
           "sensitive_values": {"upstream_repository_prefix": True}}
    resources = [secret, version, rule, odd]
    if state:
        return {"format_version": "1.0", "terraform_version": "1.9.0",
                "values": {"root_module": {"resources": resources}}}
    return {"format_version": "1.2", "terraform_version": "1.9.0",
            "variables": {"hub_token": {"value": TOKEN}, "ghcr_password": {"value": PASSWORD}},
            "planned_values": {"root_module": {"resources": resources}},
            "resource_changes": [change],
            "prior_state": {"format_version": "1.0", "terraform_version": "1.9.0",
                            "values": {"root_module": {"resources": [secret, version]}}}}


@pytest.fixture(scope="module")
def secret_inputs(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("secrets")
    (root / "stack.yaml").write_text(CFN)
    tf = root / "tf"
    tf.mkdir()
    (tf / "main.tf").write_text(TF_MAIN)
    (tf / "terraform.tfvars").write_text(f'ghcr_password = "{PASSWORD}"\n')
    (root / "prod.tfvars").write_text(f'quay_password = "{TOKEN}"\n')
    (root / "plan.json").write_text(json.dumps(_plan(), indent=2))
    (root / "terraform.tfstate.json").write_text(json.dumps(_plan(state=True), indent=2))
    return root


VALID_ARGS = ["stack.yaml", "tf", "plan.json", "terraform.tfstate.json", "--var-file", "prod.tfvars"]


def test_the_planted_inputs_hold_the_secrets(secret_inputs: Path) -> None:
    texts = [p.read_text() for p in secret_inputs.rglob("*") if p.is_file()]
    assert all(any(c in t for c in (TOKEN, PASSWORD)) for t in texts)


def test_valid_inputs_never_show_secret_values(secret_inputs: Path) -> None:
    """Through the command line, a report to an --output file (table) and to stdout (JSON): findings
    about the secrets, never their values. (Every format per input: in-process, below.)"""
    runs = cli_many([["scan", *VALID_ARGS, "-f", "table", "-o", "out.table"],
                     ["scan", *VALID_ARGS, "-f", "json"]], cwd=secret_inputs)
    for proc in runs:
        assert proc.returncode == 1, (proc.args, proc.stderr)
        assert "error:" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
        assert_no_secret(proc.stdout, proc.stderr)
    assert_no_secret((secret_inputs / "out.table").read_text())
    report = json.loads(runs[1].stdout)
    assert report["inputProblems"] == []
    assert report["summary"]["registries"] == 4  # template, module, plan, state: each its own unit
    assert {"stack.yaml", "tf/main.tf"} <= {f["location"]["file"] for f in report["findings"]}
    literal = {(f["location"]["file"], f["resource"].get("name")) for f in report["findings"]
               if f["ruleId"] == "PTC-AUTH-017"}  # "token written in plain text": judged, not repeated
    assert ("stack.yaml", "HubRule") in literal and ("tf/main.tf", "aws_ecr_pull_through_cache_rule.hub") in literal
    hidden = [u for u in report["unknown"] if "aws_ecr_pull_through_cache_rule.odd.upstream_repository_prefix is a "
                                              "sensitive value" in u["reason"]]
    assert hidden, "a sensitive plan value is not judged (nor shown)"


def test_valid_inputs_in_process_every_format(secret_inputs: Path, catalog, monkeypatch) -> None:
    from ptclint.reporters import REPORTERS
    from ptclint.scan import ScanOptions, run

    monkeypatch.chdir(secret_inputs)
    for path in ("stack.yaml", "tf", "plan.json", "terraform.tfstate.json"):
        result = run(ScanOptions(paths=[path], tf_var_files=["prod.tfvars"]), catalog=catalog)
        assert not result.problems and len(result.registries) == 1 and result.registries[0].rules, path
        for fmt in FORMATS:
            assert_no_secret(REPORTERS[fmt].render(result))


# ---------------------------------------------------------------- broken right next to the secret

BROKEN: dict[str, str] = {
    # CloudFormation
    "cfn-truncated.json": '{"Resources": {"R": {"Type": "AWS::ECR::PullThroughCacheRule", "Properties": '
                          '{"EcrRepositoryPrefix": "hub", "UpstreamRegistryUrl": "registry-1.docker.io"}},\n'
                          '"S": {"Type": "AWS::SecretsManager::Secret", "Properties": {\n'
                          f'"SecretString": "{{\\"accessToken\\": \\"{TOKEN}',
    "cfn-unquoted.json": '{"Resources": {"R": {"Type": "AWS::ECR::PullThroughCacheRule", "Properties": '
                         '{"EcrRepositoryPrefix": "hub", "UpstreamRegistryUrl": "registry-1.docker.io"}},\n'
                         '"S": {"Type": "AWS::SecretsManager::Secret", "Properties": '
                         f'{{"SecretString": {TOKEN}}}}}}}}}\n',
    "cfn-truncated.yaml": "Resources:\n  R:\n    Type: AWS::ECR::PullThroughCacheRule\n    Properties:\n"
                          "      EcrRepositoryPrefix: hub\n      UpstreamRegistryUrl: registry-1.docker.io\n"
                          "  S:\n    Type: AWS::SecretsManager::Secret\n    Properties:\n"
                          f'      SecretString: "{{\\"accessToken\\": \\"{TOKEN}\n',
    "cfn-wrong-type.yaml": "Resources:\n  R:\n    Type: AWS::ECR::PullThroughCacheRule\n    Properties:\n"
                           "      EcrRepositoryPrefix: hub\n      UpstreamRegistryUrl: registry-1.docker.io\n"
                           "      CredentialArn: !Ref S\n"
                           "  S:\n    Type: AWS::SecretsManager::Secret\n    Properties:\n"
                           f"      Name: ecr-pullthroughcache/hub\n      SecretString: [{TOKEN}, {PASSWORD}]\n",
    "cfn-bad-tag.yaml": "Resources:\n  R:\n    Type: AWS::ECR::PullThroughCacheRule\n    Properties:\n"
                        "      EcrRepositoryPrefix: hub\n      UpstreamRegistryUrl: registry-1.docker.io\n"
                        "  S:\n    Type: AWS::SecretsManager::Secret\n    Properties:\n"
                        f"      SecretString: !!int {TOKEN}\n",
    "cfn-bad-join.yaml": "Resources:\n  R:\n    Type: AWS::ECR::PullThroughCacheRule\n    Properties:\n"
                         "      EcrRepositoryPrefix: hub\n      UpstreamRegistryUrl: registry-1.docker.io\n"
                         "  S:\n    Type: AWS::SecretsManager::Secret\n    Properties:\n"
                         f"      SecretString: {{'Fn::Join': ['{TOKEN}']}}\n",
    # Terraform HCL
    "tf-truncated/main.tf": 'resource "aws_ecr_pull_through_cache_rule" "r" {\n  ecr_repository_prefix = "hub"\n'
                            '  upstream_registry_url = "registry-1.docker.io"\n}\n'
                            'resource "aws_secretsmanager_secret_version" "v" {\n  secret_id = "x"\n'
                            f'  secret_string = jsonencode({{ accessToken = "{TOKEN}"\n',
    "tf-unquoted/main.tf": 'resource "aws_secretsmanager_secret" "s" {\n  name = "ecr-pullthroughcache/hub"\n}\n'
                           'resource "aws_secretsmanager_secret_version" "v" {\n'
                           '  secret_id = aws_secretsmanager_secret.s.id\n'
                           f'  secret_string = jsonencode({{ accessToken = {TOKEN}, '
                           f'password = {PASSWORD.replace("-", "_")} }})\n'
                           '}\nresource "aws_ecr_pull_through_cache_rule" "r" {\n  ecr_repository_prefix = "hub"\n'
                           '  upstream_registry_url = "registry-1.docker.io"\n'
                           f'  credential_arn = {TOKEN}\n'
                           f'  upstream_repository_prefix = {PASSWORD.replace("-", "")}\n}}\n',
    "tf-wrong-type/main.tf": 'resource "aws_ecr_pull_through_cache_rule" "r" {\n  ecr_repository_prefix = "hub"\n'
                             f'  upstream_registry_url = {{ token = "{TOKEN}" }}\n}}\n',
    "tf-bad-tfvars/main.tf": 'variable "tok" {\n  type = string\n}\nresource "aws_ecr_pull_through_cache_rule" "r" {\n'
                             '  ecr_repository_prefix = "hub"\n  upstream_registry_url = "registry-1.docker.io"\n'
                             '  credential_arn = var.tok\n}\n',
    "tf-bad-tfvars/terraform.tfvars": f"tok = {TOKEN}\n",
    "tf-broken-tfvars/main.tf": 'variable "tok" {\n  type = string\n}\n'
                                'resource "aws_ecr_pull_through_cache_rule" "r" {\n'
                                '  ecr_repository_prefix = "hub"\n  upstream_registry_url = "registry-1.docker.io"\n'
                                '  upstream_repository_prefix = var.tok\n}\n',
    "tf-broken-tfvars/terraform.tfvars": f'tok = "{TOKEN}"\nother = [\n',
    # Terraform plan / state JSON
    "plan-truncated.json": json.dumps(_plan(), indent=1).split(TOKEN)[0] + TOKEN,
    "plan-wrong-type.json": json.dumps(_plan()).replace('"ecr_repository_prefix": "odd"',
                                                        f'"ecr_repository_prefix": {{"token": "{TOKEN}"}}'),
    "plan-unquoted.json": json.dumps(_plan()).replace(f'"{TOKEN}"', TOKEN, 1),
    "state-truncated.json": json.dumps(_plan(state=True), indent=1).split(PASSWORD)[0] + PASSWORD,
    # ptclint snapshot and AWS CLI output
    "snapshot-wrong-type.json": json.dumps({"ptclintSnapshot": 1, "registries": [{
        "account": "111122223333", "region": "eu-west-1", "pullThroughCacheRules": {"status": "found", "items": [
            {"ecrRepositoryPrefix": "hub", "upstreamRegistryUrl": "registry-1.docker.io",
             "credentialArn": {"accessToken": TOKEN}}]}}]}, indent=2),
    "snapshot-secret-value.json": json.dumps({"ptclintSnapshot": 1, "registries": [{
        "account": "111122223333", "region": "eu-west-1", "secrets": {
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:ecr-pullthroughcache/hub-AbCdEf": {
                "status": "found",
                "secret": {"Name": "ecr-pullthroughcache/hub", "SecretString": TOKEN}}}}]}, indent=2),
    "snapshot-status-token.json": json.dumps({"ptclintSnapshot": 1, "registries": [{
        "account": "111122223333", "region": "eu-west-1", "registryPolicy": {"status": TOKEN}}]}, indent=2),
    "get-secret-value.json": json.dumps({"ARN": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:"
                                               "ecr-pullthroughcache/hub-AbCdEf",
                                        "Name": "ecr-pullthroughcache/hub", "SecretString": TOKEN}, indent=4),
    "list-secrets-wrong-type.json": json.dumps({"SecretList": [{"ARN": "arn:aws:secretsmanager:eu-west-1:"
                                                                       "111122223333:secret:x", "Name": [TOKEN]}]}),
    "yaml-bad-number.yaml": f"pullThroughCacheRules:\n  - ecrRepositoryPrefix: hub\n"
                            f"    upstreamRegistryUrl: !!float {TOKEN}\n",
}
# the scan argument for each broken input (a Terraform directory is one unit)
BROKEN_ARGS = sorted({name.split("/")[0] for name in BROKEN})


@pytest.fixture(scope="module")
def broken_inputs(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("broken")
    for name, text in BROKEN.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_broken_inputs_never_echo_the_secret(broken_inputs: Path) -> None:
    """Every broken input is reported (or judged) without repeating the value next to the error: on
    stderr, in an --output file (SARIF) and on stdout (JSON); every format per input: below."""
    runs = cli_many([["scan", *BROKEN_ARGS, "-f", "sarif", "-o", "out.sarif"],
                     ["scan", *BROKEN_ARGS, "-f", "json"]], cwd=broken_inputs)
    for proc in runs:
        assert proc.returncode == 2, proc.stderr
        assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
        assert_no_secret(proc.stdout, proc.stderr)
    assert_no_secret((broken_inputs / "out.sarif").read_text())
    report = json.loads(runs[1].stdout)
    reported = {p["file"].split("/")[0] for p in report["inputProblems"]}
    judged_only = {"tf-unquoted", "tf-bad-tfvars"}  # valid HCL: the bare names are unknown values, not errors
    assert reported == set(BROKEN_ARGS) - judged_only, report["inputProblems"]
    unknown = [u["reason"] for u in report["unknown"] if u["location"]["file"].startswith(tuple(judged_only))]
    assert unknown and all("bare name" in r for r in unknown if "name" in r)


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_each_broken_input_in_process(name: str, broken_inputs: Path, catalog, monkeypatch) -> None:
    """The same, one input at a time, rendering every format in-process (a leak is pinned to its input)."""
    from ptclint.reporters import REPORTERS
    from ptclint.scan import ScanOptions, run

    monkeypatch.chdir(broken_inputs)
    result = run(ScanOptions(paths=[name.split("/")[0]]), catalog=catalog)
    assert_no_secret(*(str(p) for p in result.problems))
    for fmt in FORMATS:
        assert_no_secret(REPORTERS[fmt].render(result))


# A token written where a name belongs (a Ref, GetAtt, FindInMap, condition, Fn::Sub or DependsOn name, a
# YAML tag or alias) is never repeated in the error: it names no declared thing, so only a declared name
# it may be a typo of is quoted.
CFN_NAME_LEAKS = {
    "ref": f"SecretString: !Ref {TOKEN}",
    "getatt-short": f"SecretString: !GetAtt {TOKEN}",
    "find-in-map": f"SecretString: !FindInMap [{TOKEN}, a, b]",
    "condition": f"SecretString: !If [{TOKEN}, a, b]",
    "sub-name": f"SecretString: !Sub 'x-${{{TOKEN}}}'",
    "sub-attribute": f"SecretString: !Sub 'x-${{{TOKEN}.Arn}}'",
    "depends-on": f"SecretString: x\n    DependsOn: {TOKEN}",
    "yaml-tag": f"SecretString: !{TOKEN} x",
    "yaml-alias": f"SecretString: *{TOKEN}",
    "pseudo": f"SecretString: !Ref AWS::{TOKEN}",
}


@pytest.mark.parametrize("case", sorted(CFN_NAME_LEAKS))
def test_cloudformation_names_in_errors_do_not_leak(case: str, tmp_path: Path, catalog) -> None:
    from ptclint.scan import ScanOptions, run

    path = tmp_path / "stack.yaml"
    path.write_text("Resources:\n  R:\n    Type: AWS::ECR::PullThroughCacheRule\n    Properties:\n"
                    "      EcrRepositoryPrefix: hub\n      UpstreamRegistryUrl: registry-1.docker.io\n"
                    "  S:\n    Type: AWS::SecretsManager::Secret\n    Properties:\n"
                    f"      {CFN_NAME_LEAKS[case]}\n")
    result = run(ScanOptions(paths=[str(path)]), catalog=catalog)
    assert result.problems, "expected an input error"
    assert_no_secret(*(str(p) for p in result.problems))


# ---------------------------------------------------------------- values the input marks sensitive

SENSITIVE_TF = f"""variable "tok" {{
  type      = string
  sensitive = true
  default   = "{TOKEN}"
}}

variable "pw" {{
  type      = string
  sensitive = true
}}

locals {{
  prefix = "${{var.tok}}-x"
}}

module "child" {{
  source = "./child"
  name   = var.pw
}}

resource "aws_ecr_pull_through_cache_rule" "derived" {{
  ecr_repository_prefix = local.prefix
  upstream_registry_url = var.tok
}}

resource "aws_ecr_pull_through_cache_rule" "keyed" {{
  for_each              = toset([var.pw])
  ecr_repository_prefix = each.key
  upstream_registry_url = "quay.io"
}}
"""

SENSITIVE_CHILD = """variable "name" {
  type = string
}

resource "aws_ecr_pull_through_cache_rule" "child" {
  ecr_repository_prefix = "${var.name}/x"
  upstream_registry_url = "quay.io"
}
"""

NOECHO_CFN = f"""Parameters:
  Pfx:
    Type: String
    NoEcho: true
    Default: {TOKEN}
  Given:
    Type: String
    NoEcho: true
Resources:
  Derived:
    Type: AWS::ECR::PullThroughCacheRule
    Properties:
      EcrRepositoryPrefix: !Sub "${{Pfx}}-x"
      UpstreamRegistryUrl: !Join ["", [!Ref Given, ".example"]]
"""


def test_sensitive_and_noecho_values_are_never_shown(tmp_path: Path, catalog, monkeypatch) -> None:
    """A `sensitive = true` variable (its default, its tfvars value), a value passed into a module,
    a for_each key made from one, and CloudFormation NoEcho parameters (default, --cfn-parameter):
    whatever is built from them is unknown, judged by no rule and printed in no format."""
    from ptclint.reporters import REPORTERS
    from ptclint.scan import ScanOptions, run

    (tmp_path / "tf" / "child").mkdir(parents=True)
    (tmp_path / "tf" / "main.tf").write_text(SENSITIVE_TF)
    (tmp_path / "tf" / "child" / "main.tf").write_text(SENSITIVE_CHILD)
    (tmp_path / "tf" / "terraform.tfvars").write_text(f'pw = "{PASSWORD}"\n')
    (tmp_path / "stack.yaml").write_text(NOECHO_CFN)
    monkeypatch.chdir(tmp_path)
    result = run(ScanOptions(paths=["tf", "stack.yaml"], cfn_parameters={"Given": PASSWORD}), catalog=catalog)
    assert not result.problems, result.problems
    assert_no_secret(*(REPORTERS[fmt].render(result) for fmt in FORMATS))
    values = [v for r in result.registries for rule in r.rules for v in rule.data.values()]
    assert_no_secret(*map(str, values))
    reasons = " ".join(str(v) for v in values)
    assert "var.tok is a sensitive value" in reasons and "parameter Pfx is NoEcho" in reasons
