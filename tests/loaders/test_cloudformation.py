"""CloudFormation / CDK synth templates: loading, intrinsic resolution, correlation, bad input.

Findings are checked through `ptclint.scan.run` and, where the behaviour is what a user sees,
through the command line. Loader-level checks (`load_template`) parse YAML with the loader's
short-form tag handler.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from conftest import ROOT

from ptclint import parsing
from ptclint.errors import InputError
from ptclint.loaders import LoadContext
from ptclint.loaders.cloudformation import template as cloudformation
from ptclint.model import DataKind, Registry, Unknown
from ptclint.report import OutcomeKind, Report
from ptclint.scan import ScanOptions, run

FIX = ROOT / "tests" / "fixtures" / "cloudformation"
EXAMPLES = ROOT / "examples" / "iac" / "cloudformation"
NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)
SYMBOLIC_SECRET = "arn:aws:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:"


# ---------------------------------------------------------------- helpers

def scan(*paths: Path | str, **options) -> Report:
    return run(ScanOptions(paths=[str(p) for p in paths], now=NOW, **options))


def ptclint(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ptclint", "scan", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=900)


def findings(result: Report, rule_id: str) -> list:
    return [o for o in result.findings if o.rule_id == rule_id]


def outcomes(result: Report, rule_id: str) -> list:
    return [o for o in result.outcomes if o.rule_id == rule_id]


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def load_template(path: Path, **ctx) -> Registry:
    """The loader on its own: YAML parsed with the CloudFormation tag handler."""
    text = path.read_text()
    if path.suffix == ".json":
        doc = parsing.parse_json(str(path), text)
    else:
        doc = parsing.parse_yaml(str(path), text, cloudformation.tag_handler)
    assert cloudformation.detect(doc.data)
    (registry,) = cloudformation.read(doc, LoadContext(display_path=str(path), **ctx))
    return registry


def write(tmp_path: Path, text: str, name: str = "template.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def loaded(tmp_path: Path, text: str, **ctx) -> Registry:
    return load_template(write(tmp_path, text), **ctx)


RULE = """\
AWSTemplateFormatVersion: "2010-09-09"
{head}
Resources:
  Rule:
    Type: AWS::ECR::PullThroughCacheRule
    Properties:
{props}
"""


def rule_template(props: str, head: str = "") -> str:
    return RULE.format(head=head, props=props)


# ---------------------------------------------------------------- 1. secret correlation (AUTH-014)

DOCKERHUB = FIX / "dockerhub-secret-longform.yaml"
DOCKERHUB_SHORT = FIX / "dockerhub-secret.yaml"


def test_credential_ref_links_the_declared_secret() -> None:
    result = scan(DOCKERHUB)
    assert not result.problems
    (registry,) = result.registries
    (rule,) = registry.rules
    arn = SYMBOLIC_SECRET + "dockerhub-creds"  # Ref returns the ARN; its random suffix is left off
    assert rule.data["credentialArn"] == arn
    assert rule.origin_of("credentialArn").line == line_of(DOCKERHUB, "CredentialArn:")
    lookup = registry.secrets[arn]
    assert lookup.data["declared"]["name"] == "dockerhub-creds"
    assert lookup.data["secret"] == {"ARN": arn, "Name": "dockerhub-creds"}
    assert lookup.origin.line == line_of(DOCKERHUB, "Name: dockerhub-creds")
    assert registry.has(DataKind.SECRETS) and not registry.has(DataKind.ROLES)
    # the value is a Sub over a plain parameter and a NoEcho one: keys known, no token in the file
    declared = lookup.data["declared"]
    assert declared["valueKeys"] == ["username", "accessToken"]
    assert declared["valueIsJsonObject"] is True and declared["literalToken"] is False
    assert "recoveryWindowInDays" not in declared and "namePrefix" not in declared
    assert registry.has(DataKind.TEMPLATES) and registry.source == "iac"
    assert (registry.account, registry.region, registry.partition) == ("${AWS::AccountId}", "${AWS::Region}", "aws")


def test_auth014_secret_named_without_ptc_prefix() -> None:
    (finding,) = findings(scan(DOCKERHUB), "PTC-AUTH-014")
    assert finding.origin.file.endswith(DOCKERHUB.name)
    assert finding.origin.line == line_of(DOCKERHUB, "CredentialArn:")
    assert [o.line for _, o in finding.related] == [line_of(DOCKERHUB, "Name: dockerhub-creds")]


def test_prefixed_secret_yields_no_auth014(tmp_path: Path) -> None:
    prefixed = write(tmp_path, DOCKERHUB.read_text().replace("dockerhub-creds", "ecr-pullthroughcache/dockerhub"))
    result = scan(prefixed)
    assert not result.problems
    assert not findings(result, "PTC-AUTH-014")
    (registry,) = result.registries
    assert registry.secrets[SYMBOLIC_SECRET + "ecr-pullthroughcache/dockerhub"].data["declared"]["name"] == \
        "ecr-pullthroughcache/dockerhub"


def test_short_form_tags_load_like_long_form() -> None:
    short, long = load_template(DOCKERHUB_SHORT), load_template(DOCKERHUB)
    for a, b in ((short.rules, long.rules), (short.templates, long.templates)):
        assert [r.data for r in a] == [r.data for r in b]
        assert [r.origin.line for r in a] == [r.origin.line for r in b]
        assert [{k: o.line for k, o in r.field_origins.items()} for r in a] == \
            [{k: o.line for k, o in r.field_origins.items()} for r in b]
    assert short.secrets.keys() == long.secrets.keys()
    assert [s.data for s in short.secrets.values()] == [s.data for s in long.secrets.values()]
    assert [s.origin.line for s in short.secrets.values()] == [s.origin.line for s in long.secrets.values()]


def test_short_form_yaml_through_the_cli() -> None:
    # scan parses YAML with cloudformation.tag_handler, so short-form tags work end to end
    proc = ptclint(str(DOCKERHUB_SHORT), "-f", "json")
    assert proc.returncode == 1, proc.stderr
    found = {(f["ruleId"], f["location"]["line"]) for f in json.loads(proc.stdout)["findings"]}
    assert ("PTC-AUTH-014", line_of(DOCKERHUB_SHORT, "CredentialArn: !Ref DockerHubSecret")) in found


# ---------------------------------------------------------------- 2. CDK synth output

CDK = FIX / "cdk" / "PtcStack.template.json"


def test_cdk_synth_template_findings_point_into_the_json() -> None:
    result = scan(CDK)
    assert not result.problems
    (up004,) = findings(result, "PTC-UP-004")
    assert up004.origin.file.endswith("PtcStack.template.json")
    assert up004.origin.line == line_of(CDK, '"UpstreamRegistryUrl": "gitlab.example.com"')
    assert up004.identity.name == "GitLabRule4E2D1C8A" and up004.identity.key == "gitlab"
    (auth001,) = findings(result, "PTC-AUTH-001")
    assert auth001.identity.name == "GhcrRule9F3B7A21"
    assert auth001.origin.line == line_of(CDK, '"GhcrRule9F3B7A21"')  # no CredentialArn: the resource
    (registry,) = result.registries
    assert [r.name for r in registry.rules] == ["GitLabRule4E2D1C8A", "GhcrRule9F3B7A21", "EcrPublicRule0A6C5D3E"]
    gitlab = registry.rules[0]
    # Fn::Join over AWS::Partition / Region / AccountId: symbolic tokens kept, partition resolved
    assert gitlab.data["credentialArn"] == SYMBOLIC_SECRET + "ecr-pullthroughcache/gitlab"
    assert gitlab.origin_of("credentialArn").line == line_of(CDK, '"CredentialArn"')
    (template,) = registry.templates
    assert json.loads(template.data["lifecyclePolicy"])["rules"][0]["rulePriority"] == 1
    assert template.data["resourceTags"] == [{"Key": "managed-by", "Value": "cdk"}]


def test_cdk_out_directory_is_walked(tmp_path: Path) -> None:
    out = tmp_path / "cdk.out"
    out.mkdir()
    shutil.copy(CDK, out / "PtcStack.template.json")
    # manifest.json / tree.json name the resource types too, but are not templates
    (out / "tree.json").write_text(json.dumps({"version": "tree-0.1", "tree": {"id": "App", "children": {
        "GitLabRule": {"attributes": {"aws:cdk:cloudformation:type": "AWS::ECR::PullThroughCacheRule"}}}}}))
    (out / "manifest.json").write_text('{"version": "36.0.0", "artifacts": {}}')
    result = scan(out)
    assert not result.problems
    assert [Path(f).name for f in result.files] == ["PtcStack.template.json"]
    assert findings(result, "PTC-UP-004")


def test_cdk_synth_through_the_cli() -> None:
    proc = ptclint(str(CDK.relative_to(ROOT)), "-f", "json")
    assert proc.returncode == 1, proc.stderr
    found = {(f["ruleId"], f["location"]["line"]) for f in json.loads(proc.stdout)["findings"]}
    assert ("PTC-UP-004", line_of(CDK, "gitlab.example.com")) in found
    assert ("PTC-AUTH-001", line_of(CDK, '"GhcrRule9F3B7A21"')) in found


# ---------------------------------------------------------------- 3. unknown values are silent

UNKNOWNS = FIX / "unknowns.yaml"


def test_parameter_without_default_is_unknown_not_a_finding() -> None:
    result = scan(UNKNOWNS)
    assert not result.problems
    (registry,) = result.registries
    mirror = registry.rules[0]
    assert mirror.data["upstreamRegistryUrl"] == Unknown(
        "parameter UpstreamUrl has no default (set it with --cfn-parameter UpstreamUrl=VALUE)")
    mirror_findings = [o for o in result.findings if o.identity.key == "mirror"]
    assert not [o for o in mirror_findings if o.rule_id.startswith("PTC-UP-") or o.rule_id == "PTC-AUTH-001"]
    unknown = [o for o in result.outcomes if o.kind is OutcomeKind.UNKNOWN and o.identity.key == "mirror"]
    assert unknown and result.count(OutcomeKind.UNKNOWN) >= len(unknown)
    assert any("UpstreamUrl has no default" in o.detail for o in unknown)
    assert any(o.rule_id.startswith("PTC-UP-") for o in unknown)


def test_import_value_credential_is_unknown() -> None:
    result = scan(UNKNOWNS)
    ghcr = [o for o in result.outcomes if o.identity.key == "ghcr"]
    assert not [o for o in ghcr if o.kind is OutcomeKind.FINDING and o.rule_id in ("PTC-AUTH-004", "PTC-AUTH-005")]
    by_rule = {o.rule_id: o for o in ghcr}
    assert by_rule["PTC-AUTH-004"].kind is OutcomeKind.UNKNOWN
    assert "ImportValue" in by_rule["PTC-AUTH-004"].detail
    # a credential is set, even if its value is not known here: AUTH-001 does not fire
    assert by_rule["PTC-AUTH-001"].kind is not OutcomeKind.FINDING


def test_unknowns_are_counted_in_the_summary() -> None:
    proc = ptclint(str(UNKNOWNS.relative_to(ROOT)), "-f", "json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["summary"]["unknown"] > 0 and report["findings"] == []
    assert "could not be judged" in proc.stderr


# ---------------------------------------------------------------- 4. --cfn-parameter

PARAMETERS = FIX / "parameters.yaml"


def test_cfn_parameter_overrides_the_default() -> None:
    args = ("--account", "111122223333", "--region", "eu-west-1", "-f", "json")
    default = ptclint(str(PARAMETERS.relative_to(ROOT)), *args)
    assert default.returncode == 0, default.stdout + default.stderr
    override = ptclint(str(PARAMETERS.relative_to(ROOT)), *args, "--cfn-parameter", "GitLabHost=gitlab.example.com")
    assert override.returncode == 1, override.stderr
    (finding,) = json.loads(override.stdout)["findings"]
    assert finding["ruleId"] == "PTC-UP-004"
    assert finding["location"]["line"] == line_of(PARAMETERS, "UpstreamRegistryUrl:")
    assert "gitlab.example.com" in finding["message"]


def test_cfn_parameter_through_scan_options() -> None:
    result = scan(PARAMETERS, cfn_parameters={"GitLabHost": "gitlab.example.com"})
    assert result.registries[0].rules[0].data["upstreamRegistryUrl"] == "gitlab.example.com"
    assert findings(result, "PTC-UP-004")


def test_cfn_parameter_needs_key_and_value() -> None:
    proc = ptclint(str(PARAMETERS.relative_to(ROOT)), "--cfn-parameter", "s3cr3t-value-without-key")
    assert proc.returncode == 2
    assert "--cfn-parameter" in proc.stderr and "KEY=VALUE" in proc.stderr
    assert "s3cr3t" not in proc.stderr and "Traceback" not in proc.stderr


# ---------------------------------------------------------------- 5. symbolic pseudo parameters

PSEUDO = FIX / "pseudo-parameters.yaml"


def test_pseudo_parameters_stay_symbolic() -> None:
    (registry,) = scan(PSEUDO).registries
    assert registry.rules[0].data["credentialArn"] == SYMBOLIC_SECRET + "ecr-pullthroughcache/dh"
    given = scan(PSEUDO, account="111122223333", region="eu-west-1").registries[0]
    assert given.rules[0].data["credentialArn"] == \
        "arn:aws:secretsmanager:eu-west-1:111122223333:secret:ecr-pullthroughcache/dh"


def test_symbolic_credential_arn_is_not_another_account() -> None:
    # `${AWS::Region}` / `${AWS::AccountId}` are the registry's own Region and account
    assert not findings(scan(PSEUDO), "PTC-AUTH-005")
    assert not findings(scan(PSEUDO, account="111122223333", region="eu-west-1"), "PTC-AUTH-005")


def test_hard_coded_other_account_is_reported(tmp_path: Path) -> None:
    other = write(tmp_path, PSEUDO.read_text().replace(":${AWS::AccountId}:", ":999999999999:"))
    (finding,) = findings(scan(other, account="111122223333"), "PTC-AUTH-005")
    assert finding.origin.line == line_of(PSEUDO, "CredentialArn:")
    assert "999999999999" in finding.message


# ---------------------------------------------------------------- 6. bad input

BAD_INPUTS = {
    "resources-not-a-mapping": ("""\
Resources:
  - Type: AWS::ECR::PullThroughCacheRule
    Properties: {EcrRepositoryPrefix: x}
""", 1, "Resources: expected a mapping"),
    "resource-without-type": ("""\
Resources:
  Rule:
    Type: AWS::ECR::PullThroughCacheRule
    Properties: {EcrRepositoryPrefix: ecr-public, UpstreamRegistryUrl: public.ecr.aws}
  Secret:
    Properties: {Name: ecr-pullthroughcache/x}
""", 5, "resource Secret has no Type"),
    "property-of-wrong-type": ("""\
Resources:
  Rule:
    Type: AWS::ECR::PullThroughCacheRule
    Properties:
      EcrRepositoryPrefix: [docker-hub]
      UpstreamRegistryUrl: registry-1.docker.io
""", 5, "EcrRepositoryPrefix: expected a string, got a list"),
    "ref-to-undefined-parameter": ("""\
Resources:
  Rule:
    Type: AWS::ECR::PullThroughCacheRule
    Properties:
      EcrRepositoryPrefix: quay
      UpstreamRegistryUrl: {Ref: QuayHost}
""", 6, "Ref names no parameter or resource of this template"),
    "getatt-of-undefined-resource": ("""\
Resources:
  Rule:
    Type: AWS::ECR::PullThroughCacheRule
    Properties:
      EcrRepositoryPrefix: upstream
      UpstreamRegistryUrl: 444455556666.dkr.ecr.eu-west-1.amazonaws.com
      CustomRoleArn: {"Fn::GetAtt": [PtcRole, Arn]}
""", 7, "Fn::GetAtt names no resource of this template"),
    "join-with-wrong-arity": ("""\
Resources:
  Rule:
    Type: AWS::ECR::PullThroughCacheRule
    Properties:
      EcrRepositoryPrefix: quay
      UpstreamRegistryUrl:
        Fn::Join: ["", [quay, ., io], extra]
""", 7, "Fn::Join expects [delimiter, [values]], got a list of 3"),
    "circular-reference": ("""\
Resources:
  Rule:
    Type: AWS::ECR::PullThroughCacheRule
    Properties:
      EcrRepositoryPrefix: docker-hub
      UpstreamRegistryUrl: registry-1.docker.io
      CredentialArn: {Ref: SecretA}
  SecretA:
    Type: AWS::SecretsManager::Secret
    Properties:
      Name: {"Fn::Sub": "ecr-pullthroughcache/${SecretB}"}
  SecretB:
    Type: AWS::SecretsManager::Secret
    Properties:
      Name: {"Fn::Sub": "${SecretA}-copy"}
""", 15, "circular dependency between resources: SecretA -> SecretB -> SecretA"),
    "circular-condition": ("""\
Conditions:
  A: {Condition: B}
  B: {"Fn::Not": [{Condition: A}]}
Resources:
  Rule:
    Type: AWS::ECR::PullThroughCacheRule
    Condition: A
    Properties: {EcrRepositoryPrefix: quay, UpstreamRegistryUrl: quay.io}
""", 3, "circular reference: A -> B -> A"),
    "undefined-condition": ("""\
Resources:
  Rule:
    Type: AWS::ECR::PullThroughCacheRule
    Properties:
      EcrRepositoryPrefix: {"Fn::If": [IsProd, prod, dev]}
      UpstreamRegistryUrl: quay.io
""", 5, "the condition named is not defined in Conditions"),
    "select-out-of-range": ("""\
Resources:
  Rule:
    Type: AWS::ECR::PullThroughCacheRule
    Properties:
      EcrRepositoryPrefix: quay
      UpstreamRegistryUrl: {"Fn::Select": [3, [quay.io, ghcr.io]]}
""", 6, "Fn::Select: index 3 is out of range for a list of 2"),
    "sub-of-undefined-variable": ("""\
Resources:
  Rule:
    Type: AWS::ECR::PullThroughCacheRule
    Properties:
      EcrRepositoryPrefix: quay
      UpstreamRegistryUrl: {"Fn::Sub": "${Registry}.io"}
""", 6, "Fn::Sub: a ${...} names no parameter, resource or variable"),
    "find-in-map-missing-key": ("""\
Mappings:
  Hosts:
    prod: {quay: quay.io}
Resources:
  Rule:
    Type: AWS::ECR::PullThroughCacheRule
    Properties:
      EcrRepositoryPrefix: quay
      UpstreamRegistryUrl: {"Fn::FindInMap": [Hosts, dev, quay]}
""", 9, "Fn::FindInMap: mapping 'Hosts' has no such key"),
    "unknown-intrinsic": ("""\
Resources:
  Rule:
    Type: AWS::ECR::PullThroughCacheRule
    Properties:
      EcrRepositoryPrefix: {"Fn::Lower": [QUAY]}
      UpstreamRegistryUrl: quay.io
""", 5, "unknown intrinsic function Fn::Lower"),
    "secret-string-not-a-string": ("""\
Resources:
  Rule:
    Type: AWS::ECR::PullThroughCacheRule
    Properties:
      EcrRepositoryPrefix: docker-hub
      UpstreamRegistryUrl: registry-1.docker.io
      CredentialArn: {Ref: Secret}
  Secret:
    Type: AWS::SecretsManager::Secret
    Properties:
      Name: ecr-pullthroughcache/docker-hub
      SecretString:
        username: acme
        accessToken: dckr_pat_NotARealTokenButPretend
""", 12, "SecretString: expected a string"),
    "unknown-short-tag": ("""\
Resources:
  Rule:
    Type: AWS::ECR::PullThroughCacheRule
    Properties:
      EcrRepositoryPrefix: quay
      UpstreamRegistryUrl: !Foo quay.io
""", 6, "unknown CloudFormation tag"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_a_located_error_from_the_cli(tmp_path: Path, case: str) -> None:
    text, line, message = BAD_INPUTS[case]
    path = write(tmp_path, text, f"{case}.yaml")
    proc = ptclint(str(path))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert f"{path}:{line}:" in proc.stderr, proc.stderr
    assert message in proc.stderr, proc.stderr
    assert "NotARealToken" not in proc.stderr + proc.stdout


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_through_the_loader(tmp_path: Path, case: str) -> None:
    text, line, message = BAD_INPUTS[case]
    with pytest.raises(InputError) as info:
        loaded(tmp_path, text)
    assert info.value.line == line and message in info.value.message
    assert "NotARealToken" not in str(info.value)


def test_other_bad_shapes_are_input_errors(tmp_path: Path) -> None:
    cases = {
        "Parameters: [a]\nResources: {R: {Type: AWS::ECR::RegistryPolicy}}\n": "Parameters: expected a mapping",
        "Resources: {R: {Type: AWS::ECR::RegistryPolicy}}\n": "needs PolicyText",
        "Resources: {R: AWS::ECR::PullThroughCacheRule, S: {Type: AWS::ECR::PullThroughCacheRule}}\n": "resource R: expected a mapping",
        "Resources: {R: {Type: AWS::ECR::PullThroughCacheRule, Properties: [x]}}\n": "Properties must be a mapping",
        "Resources: {R: {Type: AWS::ECR::RepositoryCreationTemplate, Properties: {Prefix: x, AppliedFor: PULL_THROUGH_CACHE}}}\n":
            "AppliedFor: expected a list",
        "Resources: {R: {Type: AWS::ECR::PullThroughCacheRule, Properties: {EcrRepositoryPrefix: {'Fn::GetAtt': [a, b, c]}}}}\n":
            "Fn::GetAtt expects",
        "Resources: {R: {Type: AWS::ECR::PullThroughCacheRule, DependsOn: Nope}}\n": "DependsOn names no resource of this template",
        "Resources: {R: {Type: AWS::ECR::PullThroughCacheRule, Properties: {EcrRepositoryPrefix: !GetAtt nodot}}}\n":
            "!GetAtt expects LogicalId.Attribute",
    }
    for text, message in cases.items():
        with pytest.raises(InputError) as info:
            loaded(tmp_path, text)
        assert message in info.value.message, text
        assert info.value.line is not None


def test_deep_nesting_resolves_or_is_reported(tmp_path: Path) -> None:
    def template(depth: int) -> str:
        value: object = "quay.io"
        for _ in range(depth):
            value = {"Fn::Join": ["", [value]]}  # three levels of nesting each
        return json.dumps({"Resources": {"R": {"Type": "AWS::ECR::PullThroughCacheRule", "Properties": {
            "EcrRepositoryPrefix": "quay", "UpstreamRegistryUrl": value}}}})

    deep = scan(write(tmp_path, template(60), "deep.json"))
    assert not deep.problems and deep.registries[0].rules[0].data["upstreamRegistryUrl"] == "quay.io"
    (problem,) = scan(write(tmp_path, template(70), "deeper.json")).problems
    assert "nesting deeper than" in problem.message and problem.line == 1


# ---------------------------------------------------------------- 7. templates without PTC resources

NOT_PTC = FIX / "not-ptc.yaml"


def test_template_without_ptc_resources_is_skipped_when_walking(tmp_path: Path) -> None:
    folder = tmp_path / "stacks"
    folder.mkdir()
    shutil.copy(NOT_PTC, folder / "app.yaml")
    assert ":secretsmanager:" in NOT_PTC.read_text()  # it passes the quick text check and is parsed
    proc = ptclint(str(folder))
    assert proc.returncode == 0, proc.stderr
    assert "0 files" in proc.stderr and "input error" not in proc.stderr


def test_template_without_ptc_resources_given_by_name_is_an_error() -> None:
    proc = ptclint(str(NOT_PTC.relative_to(ROOT)))
    assert proc.returncode == 2
    assert "not a recognised ptclint input" in proc.stderr and "Traceback" not in proc.stderr


# ---------------------------------------------------------------- intrinsics and conditions

def test_conditions_drop_keep_and_choose(tmp_path: Path) -> None:
    registry = loaded(tmp_path, """\
Parameters:
  Env: {Type: String, Default: prod}
  Region2: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  Unsure: !Equals [!Ref Region2, eu-west-1]
  ProdOrUnsure: !Or [!Condition IsProd, !Condition Unsure]
  DevAndUnsure: !And [!Condition IsDev, !Condition Unsure]
Resources:
  ProdRule:
    Type: AWS::ECR::PullThroughCacheRule
    Condition: ProdOrUnsure
    Properties:
      EcrRepositoryPrefix: !If [IsProd, ecr-public, dev-ecr-public]
      UpstreamRegistryUrl: public.ecr.aws
      UpstreamRepositoryPrefix: !If [IsDev, dev, !Ref AWS::NoValue]
  DevRule:
    Type: AWS::ECR::PullThroughCacheRule
    Condition: DevAndUnsure
    Properties: {EcrRepositoryPrefix: dev-quay, UpstreamRegistryUrl: quay.io}
  MaybeRule:
    Type: AWS::ECR::PullThroughCacheRule
    Condition: Unsure
    Properties:
      EcrRepositoryPrefix: k8s
      UpstreamRegistryUrl: !If [Unsure, registry.k8s.io, registry.k8s.io]
      UpstreamRepositoryPrefix: !If [Unsure, a, b]
""")
    assert [r.name for r in registry.rules] == ["ProdRule", "MaybeRule"]
    prod, maybe = registry.rules
    assert dict(prod.data) == {"ecrRepositoryPrefix": "ecr-public", "upstreamRegistryUrl": "public.ecr.aws"}
    assert maybe.data["upstreamRegistryUrl"] == "registry.k8s.io"  # both branches agree
    assert maybe.data["upstreamRepositoryPrefix"] == Unknown("condition Unsure cannot be decided statically")
    assert not registry.has(DataKind.TEMPLATES)


def test_functions_resolve(tmp_path: Path) -> None:
    registry = loaded(tmp_path, """\
Parameters:
  Hosts: {Type: CommaDelimitedList, Default: "quay.io, ghcr.io"}
  Stage: {Type: String, Default: prod}
Mappings:
  Prefixes:
    prod: {quay: quay, ghcr: ghcr}
Resources:
  Quay:
    Type: AWS::ECR::PullThroughCacheRule
    Properties:
      EcrRepositoryPrefix: !FindInMap [Prefixes, !Ref Stage, quay]
      UpstreamRegistryUrl: !Select [0, !Ref Hosts]
      UpstreamRepositoryPrefix: !Join ["-", !Split [".", !Select [0, !Ref Hosts]]]
  Literal:
    Type: AWS::ECR::PullThroughCacheRule
    Properties:
      EcrRepositoryPrefix: !Sub
        - "${Name}-${!Literal}"
        - Name: !Select [1, !Split [",", "a,b,c"]]
      UpstreamRegistryUrl: !Sub "${AWS::URLSuffix}"
      CredentialArn: "{{resolve:ssm:/ptc/credential-arn}}"
      CustomRoleArn: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${AWS::StackName}"
  Template:
    Type: AWS::ECR::RepositoryCreationTemplate
    Properties:
      Prefix: ROOT
      Description: !Base64 hi
      AppliedFor: [PULL_THROUGH_CACHE, !If [Never, REPLICATION, !Ref AWS::NoValue]]
      EncryptionConfiguration: {EncryptionType: KMS, KmsKey: !Ref KeyAlias}
      ImageTagMutability: IMMUTABLE_WITH_EXCLUSION
      ImageTagMutabilityExclusionFilters:
        - {ImageTagMutabilityExclusionFilterType: WILDCARD, ImageTagMutabilityExclusionFilterValue: "latest*"}
      RepositoryPolicy: {Version: "2012-10-17", Statement: []}
      ResourceTags: [{Key: team, Value: !Ref Stage}]
  KeyAlias:
    Type: AWS::KMS::Alias
    Properties: {AliasName: alias/ecr-cache, TargetKeyId: !Ref Key}
  Key:
    Type: AWS::KMS::Key
    Properties: {KeyPolicy: {}}
Conditions:
  Never: !Equals [a, b]
""", region="cn-north-1")
    quay, literal = registry.rules
    assert dict(quay.data) == {"ecrRepositoryPrefix": "quay", "upstreamRegistryUrl": "quay.io",
                               "upstreamRepositoryPrefix": "quay-io"}
    assert literal.data["ecrRepositoryPrefix"] == "b-${Literal}"
    assert literal.data["upstreamRegistryUrl"] == "amazonaws.com.cn"
    assert isinstance(literal.data["credentialArn"], Unknown)  # dynamic reference
    assert isinstance(literal.data["customRoleArn"], Unknown)  # stack name
    (template,) = registry.templates
    assert dict(template.data) == {
        "prefix": "ROOT",
        "description": "aGk=",
        "appliedFor": ["PULL_THROUGH_CACHE"],
        "encryptionConfiguration": {"encryptionType": "KMS", "kmsKey": "alias/ecr-cache"},
        "imageTagMutability": "IMMUTABLE_WITH_EXCLUSION",
        "imageTagMutabilityExclusionFilters": [{"filterType": "WILDCARD", "filter": "latest*"}],
        "repositoryPolicy": '{"Version": "2012-10-17", "Statement": []}',
        "resourceTags": [{"Key": "team", "Value": "prod"}],
    }
    assert (registry.account, registry.region, registry.partition) == ("${AWS::AccountId}", "cn-north-1", "aws-cn")
    assert registry.has(DataKind.TEMPLATES)


def test_field_origins_are_property_lines(tmp_path: Path) -> None:
    path = write(tmp_path, """\
Resources:
  Rule:
    Type: AWS::ECR::PullThroughCacheRule
    Properties:
      EcrRepositoryPrefix: quay
      UpstreamRegistryUrl:
        Fn::Join:
          - ""
          - [quay, ".io"]
""")
    (rule,) = load_template(path).rules
    assert rule.origin.line == 2 and rule.name == "Rule"
    assert {k: o.line for k, o in rule.field_origins.items()} == {"ecrRepositoryPrefix": 5, "upstreamRegistryUrl": 6}
    assert rule.field_origins["upstreamRegistryUrl"].pointer == "/Resources/Rule/Properties/UpstreamRegistryUrl"


def test_numbers_and_account_from_context(tmp_path: Path) -> None:
    registry = loaded(tmp_path, rule_template("""\
      EcrRepositoryPrefix: 2024
      UpstreamRegistryUrl: !Sub "${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com"
"""), account="111122223333", region="eu-west-1")
    assert dict(registry.rules[0].data) == {"ecrRepositoryPrefix": "2024",
                                            "upstreamRegistryUrl": "111122223333.dkr.ecr.eu-west-1.amazonaws.com"}
    assert (registry.account, registry.region) == ("111122223333", "eu-west-1")


def test_ssm_parameter_types_are_unknown_unless_given(tmp_path: Path) -> None:
    text = rule_template("""\
      EcrRepositoryPrefix: quay
      UpstreamRegistryUrl: !Ref Host
""", head="Parameters:\n  Host: {Type: 'AWS::SSM::Parameter::Value<String>', Default: /ptc/host}")
    assert isinstance(loaded(tmp_path, text).rules[0].data["upstreamRegistryUrl"], Unknown)
    given = loaded(tmp_path, text, options=cloudformation.Options({"Host": "quay.io"}))
    assert given.rules[0].data["upstreamRegistryUrl"] == "quay.io"


# ---------------------------------------------------------------- secrets: reduced to keys and booleans

SECRET_RULE = """\
Parameters:
  Token: {Type: String, NoEcho: true, Default: dckr_pat_NoEchoDefaultNotReal}
  User: {Type: String, Default: acme}
Resources:
  Rule:
    Type: AWS::ECR::PullThroughCacheRule
    Properties:
      EcrRepositoryPrefix: docker-hub
      UpstreamRegistryUrl: registry-1.docker.io
      CredentialArn: !GetAtt Secret.Id
  Secret:
    Type: AWS::SecretsManager::Secret
    Properties:
      Name: ecr-pullthroughcache/docker-hub
      KmsKeyId: alias/ptc
{value}
"""


@pytest.mark.parametrize(("value", "expected"), [
    ('      SecretString: \'{"username":"acme","accessToken":"dckr_pat_LiteralNotReal"}\'',
     {"valueKeys": ["username", "accessToken"], "valueIsJsonObject": True, "literalToken": True}),
    ('      SecretString: !Sub \'{"username":"${User}","accessToken":"${Token}"}\'',
     {"valueKeys": ["username", "accessToken"], "valueIsJsonObject": True, "literalToken": False}),
    ('      SecretString: !Sub \'{"user":"${User}","password":"dckr_pat_LiteralNotReal"}\'',
     {"valueKeys": ["user", "password"], "valueIsJsonObject": True, "literalToken": True}),
    ("      SecretString: '{{resolve:ssm-secure:/ptc/dockerhub}}'", {"literalToken": False}),
    ('      SecretString: \'{"username":"acme","accessToken":"{{resolve:ssm-secure:/ptc/token}}"}\'',
     {"literalToken": False}),
    ("      SecretString: dckr_pat_LiteralNotReal", {"valueIsJsonObject": False, "literalToken": True}),
    ("      SecretString: !Ref Token", {"literalToken": False}),
    ('      SecretString: !ToJsonString {username: acme, accessToken: !Ref Token}',
     {"valueKeys": ["username", "accessToken"], "valueIsJsonObject": True, "literalToken": False}),
    ('      GenerateSecretString:\n        SecretStringTemplate: \'{"username":"acme"}\'\n'
     '        GenerateStringKey: accessToken',
     {"valueKeys": ["username", "accessToken"], "valueIsJsonObject": True, "literalToken": False}),
    ("      GenerateSecretString: {PasswordLength: 32}", {"valueIsJsonObject": False, "literalToken": False}),
    ("", {"literalToken": False}),
])
def test_secret_value_is_reduced_to_keys(tmp_path: Path, value: str, expected: dict) -> None:
    registry = loaded(tmp_path, SECRET_RULE.replace("{value}", value))
    arn = SYMBOLIC_SECRET + "ecr-pullthroughcache/docker-hub"
    assert registry.rules[0].data["credentialArn"] == arn
    declared = dict(registry.secrets[arn].data["declared"])
    assert declared.pop("name") == "ecr-pullthroughcache/docker-hub"
    assert declared.pop("kmsKeyId") == "alias/ptc"
    assert declared.pop("customerManagedKey") == "alias/ptc"  # an alias outside alias/aws/
    assert declared == expected
    assert registry.secrets[arn].data["kmsKeyManager"] == "CUSTOMER"
    assert registry.secrets[arn].data["secret"]["KmsKeyId"] == "alias/ptc"
    assert "NotReal" not in repr(registry) and "NotReal" not in repr(vars(registry))


def test_secret_value_never_reaches_the_report(tmp_path: Path) -> None:
    path = write(tmp_path, SECRET_RULE.replace(
        "{value}", '      SecretString: \'{"username":"acme","accessToken":"dckr_pat_LiteralNotReal"}\''
    ).replace("!GetAtt Secret.Id", "{'Fn::GetAtt': [Secret, Id]}"))
    for fmt in ("table", "json", "sarif"):
        proc = ptclint(str(path), "-f", fmt)
        assert proc.returncode in (0, 1), proc.stderr
        assert "NotReal" not in proc.stdout + proc.stderr


def test_secret_without_name_is_linked_by_ptclints_key(tmp_path: Path) -> None:
    # CloudFormation generates the name: the rule carries ptclint's key for the declared secret
    # (marked arnFrom, so no rule judges it as an ARN), and the name stays unknown
    registry = loaded(tmp_path, SECRET_RULE.replace("{value}", "").replace(
        "      Name: ecr-pullthroughcache/docker-hub\n", ""))
    arn = registry.rules[0].data["credentialArn"]
    assert arn == "arn:aws:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:* (Secret)"
    lookup = registry.secrets[arn].data
    assert lookup["arnFrom"] == "the name CloudFormation generates for Secret"
    assert isinstance(lookup["secret"]["Name"], Unknown) and "generates" in lookup["secret"]["Name"].reason
    assert registry.has(DataKind.SECRETS)


# ---------------------------------------------------------------- roles and policies

ROLE_TEMPLATE = """\
Resources:
  Rule:
    Type: AWS::ECR::PullThroughCacheRule
    Properties:
      EcrRepositoryPrefix: upstream
      UpstreamRegistry: ecr
      UpstreamRegistryUrl: 444455556666.dkr.ecr.eu-west-1.amazonaws.com
      CustomRoleArn: !GetAtt PtcRole.Arn
  PtcRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: ecr-ptc-upstream
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: {principal}}
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - !Sub arn:${AWS::Partition}:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly
        - !Ref PullPolicy
      Policies:
        - PolicyName: import
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Action: [ecr:BatchImportUpstreamImage, ecr:CreateRepository], Resource: "*"}
  PullPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      ManagedPolicyName: ptc-pull
      PolicyDocument: '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:BatchGetImage", "Resource": "*"}]}'
  ExtraPolicy:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: extra
      Roles: [!Ref PtcRole]
      PolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "ecr:GetAuthorizationToken", Resource: "*"}]}
  RegistryPolicy:
    Type: AWS::ECR::RegistryPolicy
    Properties:
      PolicyText:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {AWS: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
            Action: [ecr:CreateRepository, ecr:BatchImportUpstreamImage]
            Resource: !Sub arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/upstream/*
"""


def test_role_policies_and_registry_policy_are_attached(tmp_path: Path) -> None:
    path = write(tmp_path, ROLE_TEMPLATE.replace("{principal}", "pullthroughcache.ecr.amazonaws.com"))
    registry = load_template(path, account="111122223333", region="eu-west-1")
    arn = "arn:aws:iam::111122223333:role/ecr-ptc-upstream"
    assert registry.rules[0].data["customRoleArn"] == arn
    lookup = registry.roles[arn]
    assert lookup.origin.line == line_of(path, "RoleName:")
    role = lookup.data["role"]
    assert role["RoleName"] == "ecr-ptc-upstream" and role["Arn"] == arn
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "pullthroughcache.ecr.amazonaws.com"}
    attached = lookup.data["attachedPolicies"]
    assert [a["PolicyArn"] for a in attached] == [
        "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
        "arn:aws:iam::111122223333:policy/ptc-pull",
    ]
    assert [a["PolicyName"] for a in attached] == ["AmazonEC2ContainerRegistryReadOnly", "ptc-pull"]
    assert attached[1]["document"]["Statement"][0]["Action"] == "ecr:BatchGetImage"
    assert [p["PolicyName"] for p in lookup.data["inlinePolicies"]] == ["import", "extra"]
    assert registry.has(DataKind.ROLES) and registry.has(DataKind.IAM_POLICIES) and registry.has(DataKind.REGISTRY_POLICY)
    assert not registry.has(DataKind.SECRETS)
    assert sorted(p.data["PolicyName"] for p in registry.iam_policies) == ["extra", "import", "ptc-pull"]
    assert {p.name for p in registry.iam_policies} == {"PullPolicy", "ExtraPolicy", "PtcRole.Policies[0]"}
    policy = registry.registry_policy
    assert policy is not None and policy.origin.line == line_of(path, "PolicyText:")
    assert json.loads(policy.data["policyText"]) == policy.data["policy"]
    assert policy.data["policy"]["Statement"][0]["Resource"] == \
        "arn:aws:ecr:eu-west-1:111122223333:repository/upstream/*"


def test_role_trust_policy_is_judged(tmp_path: Path) -> None:
    good = write(tmp_path, ROLE_TEMPLATE.replace("{principal}", "pullthroughcache.ecr.amazonaws.com"), "good.yaml")
    bad = write(tmp_path, ROLE_TEMPLATE.replace("{principal}", "ecr.amazonaws.com"), "bad.yaml")
    # long-form copies, so that scan.run can read them today
    for path in (good, bad):
        doc = parsing.parse_yaml(str(path), path.read_text(), cloudformation.tag_handler)
        path.with_suffix(".json").write_text(json.dumps(doc.data, indent=1))
    ok = scan(good.with_suffix(".json"), account="111122223333", region="eu-west-1")
    assert not ok.problems and not findings(ok, "PTC-IAM-005")
    assert [o.kind for o in outcomes(ok, "PTC-IAM-005")] == [OutcomeKind.PASS]
    wrong = scan(bad.with_suffix(".json"), account="111122223333", region="eu-west-1")
    (finding,) = findings(wrong, "PTC-IAM-005")
    assert finding.origin.line == line_of(bad.with_suffix(".json"), '"CustomRoleArn"')


def test_role_without_name_is_unknown(tmp_path: Path) -> None:
    registry = loaded(tmp_path, ROLE_TEMPLATE.replace("{principal}", "x").replace(
        "      RoleName: ecr-ptc-upstream\n", ""))
    assert isinstance(registry.rules[0].data["customRoleArn"], Unknown)
    assert registry.roles == {} and registry.has(DataKind.ROLES)


def test_registry_policy_only_template_is_ptc_related(tmp_path: Path) -> None:
    write(tmp_path, json.dumps({"Resources": {"Policy": {"Type": "AWS::ECR::RegistryPolicy", "Properties": {
        "PolicyText": json.dumps({"Version": "2012-10-17", "Statement": []})}}}}, indent=1), "policy.json")
    result = scan(tmp_path)  # found by walking: the sniff text matches the type name
    assert not result.problems and result.files
    (registry,) = result.registries
    assert registry.registry_policy is not None and registry.registry_policy.data["policy"]["Statement"] == []
    assert registry.has(DataKind.REGISTRY_POLICY) and not registry.rules


def test_each_template_is_its_own_registry(tmp_path: Path) -> None:
    """Two stacks are two registries, also when --account / --region give them the same account and
    Region (design.md, "Registries and units"); only a [[tool.ptclint.registry]] mapping joins them."""
    from ptclint.config import Config, RegistryMapping

    for name in ("a.yaml", "b.yaml"):
        shutil.copy(PARAMETERS, tmp_path / name)
    for context in ({}, {"account": "111122223333", "region": "eu-west-1"}):
        result = scan(tmp_path, **context)
        assert len(result.registries) == 2, context
        assert not findings(result, "PTC-NAME-005"), context  # the same prefix in two stacks is no duplicate
    mapped = Config(registries=(RegistryMapping(("*.yaml",), "111122223333", "eu-west-1", str(tmp_path)),))
    joined = scan(tmp_path, config=mapped)
    assert len(joined.registries) == 1 and findings(joined, "PTC-NAME-005")
    assert {r.account for r in joined.registries} == {"111122223333"}


# ---------------------------------------------------------------- examples

def test_clean_example_has_no_findings() -> None:
    proc = ptclint(str((EXAMPLES / "ptc-clean.yaml").relative_to(ROOT)))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings" in proc.stdout and "0 input errors" not in proc.stderr


def test_mistakes_example_shows_its_planted_findings() -> None:
    example = EXAMPLES / "ptc-mistakes.yaml"
    proc = ptclint(str(example.relative_to(ROOT)), "-f", "json")
    assert proc.returncode == 1, proc.stderr
    found = {(f["ruleId"], f["location"]["line"]) for f in json.loads(proc.stdout)["findings"]}
    assert ("PTC-UP-004", line_of(example, "gitlab.example.com")) in found
    # the secret's name lacks the prefix: one finding, PTC-AUTH-014 (issue 12: one mistake, one finding)
    assert ("PTC-AUTH-004", line_of(example, "CredentialArn: !Ref DockerHubSecret")) not in found
    assert ("PTC-UP-002", line_of(example, "https://quay.io/")) in found
    assert ("PTC-AUTH-014", line_of(example, "CredentialArn: !Ref DockerHubSecret")) in found
    assert ("PTC-AUTH-017", line_of(example, "CredentialArn: !Ref DockerHubSecret")) in found
    assert ("PTC-AUTH-001", line_of(example, "GhcrRule:")) in found
    assert ("PTC-RCT-005", line_of(example, "CachedRepositoriesTemplate:")) in found
    assert "dckr_pat_" not in proc.stdout + proc.stderr
