"""`ptclint scan --live`, `ptclint export` and `ptclint scan -` on the command line: SARIF that points
into the written snapshot, Regions, coverage gaps and flag errors (one line, never a traceback)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from conftest import ROOT
from typer.testing import CliRunner

from ptclint.cli import app

from . import world as W
from .fakes import Installed

ACCOUNT = "123456789012"  # moto's default: the caller


def ptclint(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stdout, result.stderr


def _one_registry(aws: Installed) -> None:
    reg = aws.ecr.registry(ACCOUNT, "eu-west-1")
    reg.rules += [W._rule("docker-hub", "registry-1.docker.io", "docker-hub"),
                  W._rule("ecr-public", "public.ecr.aws", "ecr-public")]
    reg.templates += [W._template("docker-hub"), W._template("ecr-public")]


def test_a_live_sarif_scan_writes_the_snapshot_and_points_into_it(aws: Installed) -> None:
    _one_registry(aws)
    aws.faults.deny_ecr[(ACCOUNT, "us-east-1")] = {"DescribeRepositoryCreationTemplates"}
    code, out, err = ptclint("scan", "--live", "--region", "eu-west-1", "--region", "us-east-1", "-f", "sarif",
                             "--select", "PTC-AUTH-001")
    assert code == 3, err  # a finding (1) and a coverage gap (3): the highest wins
    sarif = json.loads(out)
    schema = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.validate(sarif, schema)
    snapshot = Path("ptclint-snapshot.json").read_text().splitlines()
    (result,) = sarif["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "ptclint-snapshot.json"
    line = location["region"]["startLine"]
    assert '"ecrRepositoryPrefix": "docker-hub"' in "\n".join(snapshot[line - 1:line + 2])
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [n["message"]["text"] for n in notes] == [
        f"Coverage gap: {ACCOUNT}/us-east-1: repositoryCreationTemplates: access denied."]


def test_a_region_that_is_not_enabled_is_a_gap_and_the_others_are_judged(aws: Installed) -> None:
    _one_registry(aws)
    aws.faults.disabled_regions.add("ap-southeast-2")
    code, out, err = ptclint("scan", "--live", "--region", "eu-west-1", "--region", "ap-southeast-2", "-f", "json",
                             "--select", "PTC-AUTH-001")
    report = json.loads(out)
    assert code == 3, err
    assert [f["ruleId"] for f in report["findings"]] == ["PTC-AUTH-001"]
    (gap,) = report["coverageGaps"]
    assert gap.startswith(f"{ACCOUNT}/ap-southeast-2: DescribePullThroughCacheRules: UnrecognizedClientException: "
                          "Region not enabled")


def test_all_regions_are_the_enabled_ones_where_ecr_offers_pull_through_cache(aws: Installed) -> None:
    code, _, err = ptclint("export", "-o", "all.json", "--all-regions")
    assert code == 0, err
    regions = {r["region"] for r in json.loads(Path("all.json").read_text())["registries"]}
    assert {"eu-west-1", "us-east-1", "ap-southeast-2"} <= regions
    assert not regions & {"cn-north-1", "cn-northwest-1", "us-gov-east-1", "us-gov-west-1"}


def test_accounts_by_flag_and_by_file_with_a_role_arn_template(aws: Installed) -> None:
    world = W.build(aws.ecr, members=6)
    Path("accounts.txt").write_text(f"# audit list\n{world.members[0]}  team a\n\n{world.members[1]}\n")
    code, _, err = ptclint("export", "-o", "some.json", "--accounts-file", "accounts.txt", "--account",
                           world.members[2], "--region", "us-east-1",
                           "--role-arn-template", "arn:{partition}:iam::{account}:role/" + W.ROLE,
                           "--external-id", "audit")
    assert code == 0, err
    accounts = {r["account"] for r in json.loads(Path("some.json").read_text())["registries"]}
    assert accounts == set(world.members[:3])


def test_aws_cli_output_on_stdin(aws: Installed) -> None:
    rules = {"pullThroughCacheRules": [{"ecrRepositoryPrefix": "docker-hub", "upstreamRegistryUrl":
                                        "registry-1.docker.io", "registryId": ACCOUNT, "createdAt": 1700000000.0}]}
    code, out, err = ptclint("scan", "-", "--region", "eu-west-1", "-f", "json", stdin=json.dumps(rules))
    report = json.loads(out)
    assert code == 1, err
    assert {(f["ruleId"], f["location"]["file"]) for f in report["findings"]} >= {("PTC-AUTH-001", "<stdin>")}
    assert report["findings"][0]["resource"]["region"] == "eu-west-1"


def test_bad_flags_and_missing_credentials_are_one_line_errors(aws: Installed, monkeypatch) -> None:
    cases = [
        (["scan"], "missing PATHS"),
        (["scan", "x.json", "--region", "eu-west-1", "--region", "us-east-1"], "--region: give one value"),
        (["scan", "x.json", "--snapshot", "s.json"], "--snapshot: only with --live"),
        (["export", "-o", "s.json", "--role-name", "a", "--role-arn-template", "b"], "give one of them"),
        (["export", "-o", "s.json", "--account", "111122223333", "--region", "eu-west-1"], "needs a role to assume"),
        (["export", "-o", "s.json", "--account", "12", "--region", "eu-west-1"], "expected a 12-digit"),
        (["export", "-o", "s.json", "--region", "cn-north-1"], "no pull through cache in this Region"),
        (["export", "-o", "s.json", "--accounts-file", "nope.txt", "--role-name", "r"], "cannot read"),
        (["scan", "-", "--region", "eu-west-1"], "stdin: empty"),
    ]
    for args, message in cases:
        code, _, err = ptclint(*args, stdin="")
        assert code == 2 and message in err and err.startswith("ptclint: error: "), (args, err)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/creds")  # refused by botocore
    code, _, err = ptclint("scan", "--live", "--region", "eu-west-1")
    assert code == 2 and "cannot use the AWS credentials: Unsupported host" in err, err
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI")
    code, _, err = ptclint("scan", "--live", "--region", "eu-west-1")
    assert code == 2 and "cannot use the AWS credentials: GetCallerIdentity: NoCredentialsError" in err, err


def test_a_role_whose_policies_cannot_be_listed_is_a_gap_not_a_pass(aws: Installed) -> None:
    world = W.build(aws.ecr, members=6)
    aws.faults.deny_iam.add("ListAttachedRolePolicies")
    good = world.roles[0]
    code, out, err = ptclint("scan", "--live", "--org", "--role-name", W.ROLE, "--region", "us-east-1",
                             "-f", "json", "--select", "PTC-IAM-006")
    report = json.loads(out)
    assert code == 3, err
    assert report["findings"] == []  # PTC-IAM-006 cannot judge the role's permissions: not a finding
    assert any(f"policies of role {good}: AccessDenied: not authorized to perform iam:ListAttachedRolePolicies" in g
               for g in report["coverageGaps"])
