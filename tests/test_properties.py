"""Properties, checked with generated inputs (hypothesis):

* any JSON, alone or put where a loader looks, never crashes a scan (only exit 0-3, no internal error);
* generated snapshots never crash the engine and never produce a rule evaluation error;
* the order of input files and of resources within a file never changes the findings;
* output is deterministic: the same input gives byte-identical JSON and SARIF (in one process, and in
  two processes with different hash seeds);
* `ptclint.export.dumps` round-trips: load -> export -> load -> export is byte-identical.

Scans run in-process with the session catalog (a CLI run costs seconds of start-up); a few CLI runs
check that the command line adds nothing that crashes.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

NOW = datetime(2026, 11, 20, 8, 0, 0, tzinfo=timezone.utc)
ACCOUNT, OTHER_ACCOUNT, REGION = "111122223333", "444455556666", "eu-west-1"

CHEAP = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SCANS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PAIRS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def scan(paths: list[str], catalog, **options: Any):
    from ptclint.scan import ScanOptions, run

    return run(ScanOptions(paths=paths, now=NOW, **options), catalog=catalog)


def write(directory: str, name: str, text: str) -> str:
    path = os.path.join(directory, name)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return path


# ---------------------------------------------------------------- any JSON never crashes

scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2 ** 63), 2 ** 63),
                    st.sampled_from([2 ** 64, -(2 ** 63) - 1, 10 ** 400]),  # beyond CEL's 64-bit ints
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20),
                    st.sampled_from(["", "ROOT", "quay", "quay.io", "registry-1.docker.io", "found", "notFound",
                                     "arn:aws:secretsmanager:eu-west-1:111122223333:secret:ecr-pullthroughcache/x",
                                     "AWS::ECR::PullThroughCacheRule", "PULL_THROUGH_CACHE", "${AWS::Region}",
                                     "111122223333", "eu-west-1", "1.2", "{}", "[]", '{"Version": "2012-10-17"}']))
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.one_of(st.text(max_size=8), st.sampled_from(
        ["Ref", "Fn::Sub", "Fn::GetAtt", "Fn::Join", "Fn::If", "status", "items", "Type", "Properties", "values",
         "ecrRepositoryPrefix", "upstreamRegistryUrl", "credentialArn", "prefix", "appliedFor", "address", "type"])),
        inner, max_size=4)), max_leaves=12)


def _base_documents() -> dict[str, Any]:
    """Valid documents of every input kind; the fuzzer replaces one value somewhere inside."""
    plan = json.loads((ROOT / "tests/fixtures/terraform/after-apply/plan.json").read_text())
    return {
        "snapshot": json.loads((ROOT / "tests/hostile/valid/small.snapshot.json").read_text()),
        "awscli": json.loads((ROOT / "examples/awscli/describe-pull-through-cache-rules.json").read_text()),
        "templates": {"registryId": ACCOUNT, "repositoryCreationTemplates": [
            {"prefix": "ROOT", "appliedFor": ["PULL_THROUGH_CACHE"], "encryptionConfiguration": {
                "encryptionType": "KMS", "kmsKey": "arn:aws:kms:eu-west-1:111122223333:key/x"},
             "resourceTags": [{"Key": "team", "Value": "a"}], "lifecyclePolicy": '{"rules": []}'}]},
        "secrets": {"SecretList": [{"ARN": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:"
                                           "ecr-pullthroughcache/x-AbCdEf", "Name": "ecr-pullthroughcache/x",
                                    "LastAccessedDate": 1732060800, "KmsKeyId": "alias/x"}]},
        "role": {"Role": {"RoleName": "ptc", "Arn": "arn:aws:iam::111122223333:role/ptc",
                          "AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%7D"}},
        "cloudformation": json.loads((ROOT / "tests/fixtures/cloudformation/cdk/PtcStack.template.json").read_text()),
        "plan": plan,
    }


BASES = _base_documents()


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.extend(_paths(v, (*prefix, i)))
    return out


@st.composite
def mutated_documents(draw) -> Any:
    kind = draw(st.sampled_from(sorted(BASES)))
    doc = copy.deepcopy(BASES[kind])
    for _ in range(draw(st.integers(1, 2))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "replace", "delete", "dup"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "dup" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[path[-1]]))
        else:
            parent[path[-1]] = draw(json_values)
    return doc


documents = st.one_of(json_values, mutated_documents(), mutated_documents(), mutated_documents())

_ALLOWED_ERRORS = ("InputError", "CatalogError", "ConfigError")


def _check_no_crash(text: str, name: str, catalog) -> Any:
    with tempfile.TemporaryDirectory() as tmp:
        path = write(tmp, name, text)
        try:
            result = scan([path], catalog)
        except Exception as exc:  # pragma: no cover - the property fails with the input that caused it
            raise AssertionError(f"scan crashed with {exc.__class__.__name__}: {exc}\n--- {name}:\n{text[:3000]}") from exc
    assert result.exit_code() in (0, 1, 2, 3)
    return result


@CHEAP
@given(doc=documents, as_yaml=st.booleans())
def test_any_json_never_crashes_a_scan(doc, as_yaml, catalog) -> None:
    """JSON (or the same data as YAML) with any shape: a finding, an input error, never a crash."""
    if as_yaml:
        import yaml

        text = yaml.safe_dump(doc, sort_keys=False)
        result = _check_no_crash(text, "input.yaml", catalog)
    else:
        result = _check_no_crash(json.dumps(doc, indent=1), "input.json", catalog)
    for problem in result.problems:
        assert problem.message and problem.file


@SCANS
@given(text=st.text(max_size=300))
def test_any_text_never_crashes_a_scan(text, catalog) -> None:
    for name in ("input.json", "input.yaml", "input"):
        _check_no_crash(text, name, catalog)


_CLI_SAMPLES = [
    '{"ptclintSnapshot": 1, "registries": [{"account": "111122223333", "region": "eu-west-1", '
    '"pullThroughCacheRules": {"status": "found", "items": [{"ecrRepositoryPrefix": [], '
    '"upstreamRegistryUrl": {}}]}}]}',
    '{"pullThroughCacheRules": [{"ecrRepositoryPrefix": null, "upstreamRegistryUrl": null}]}',
    '{"Resources": {"R": {"Type": "AWS::ECR::PullThroughCacheRule", "Properties": [1, {"Ref": []}]}}}',
    '{"Resources": {"R": {"Type": "AWS::ECR::PullThroughCacheRule", "Properties": {"EcrRepositoryPrefix": '
    '{"Fn::Join": [{"Ref": "AWS::Region"}, {"Fn::Split": [1, 2]}]}, "UpstreamRegistryUrl": {"Fn::If": []}}}}}',
    '{"format_version": "1.2", "terraform_version": "x", "planned_values": {"root_module": {"resources": '
    '[{"address": "a", "type": "aws_ecr_pull_through_cache_rule", "values": {"ecr_repository_prefix": null}}], '
    '"child_modules": [{"address": 5}]}}}',
    '{"format_version": "1.0", "terraform_version": "1.9.0", "values": {"root_module": {"resources": '
    '[{"address": "aws_ecr_repository_creation_template.t", "type": "aws_ecr_repository_creation_template", '
    '"values": {"prefix": "ROOT", "applied_for": [["x"]], "encryption_configuration": "x", "resource_tags": []}}]}}}',
    "[" * 300,
    "\ufeff{}",
]


def test_a_few_hostile_documents_through_the_cli(tmp_path: Path) -> None:
    """The command line around the same scan: exit 0-3, no traceback, no internal error."""
    paths = []
    for i, text in enumerate(_CLI_SAMPLES):
        path = tmp_path / f"sample{i}.json"
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    env = dict(os.environ)
    env.pop("PTCLINT_DEBUG", None)
    for fmt in ("json", "sarif"):
        proc = subprocess.run([sys.executable, "-m", "ptclint", "scan", *paths, "-f", fmt], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=900)
        assert proc.returncode in (0, 1, 2, 3), proc.stderr
        assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
        json.loads(proc.stdout)


# ---------------------------------------------------------------- generated snapshots

SUPPORTED_HOSTS = ["public.ecr.aws", "registry.k8s.io", "quay.io", "registry-1.docker.io", "ghcr.io",
                   "registry.gitlab.com", "cgr.dev", "myregistry.azurecr.io",
                   f"{OTHER_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com", f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com"]
OTHER_HOSTS = ["docker.io", "index.docker.io", "k8s.gcr.io", "gitlab.example.com", "mcr.microsoft.com",
               "harbor.internal", "gcr.io", "registry.gitlab.example.com", ""]

prefixes = st.one_of(
    st.from_regex(r"[a-z0-9]{1,6}([._/-][a-z0-9]{1,6}){0,3}", fullmatch=True),
    st.sampled_from(["docker-hub", "docker-hub/team-a", "ecr-public", "k8s", "ghcr", "quay", "ROOT", "Docker",
                     "a", "x" * 31, "ns/", "-bad", "my..repo"]),
)
hosts = st.one_of(
    st.sampled_from(SUPPORTED_HOSTS),
    st.sampled_from(OTHER_HOSTS),
    st.from_regex(r"[a-z][a-z0-9-]{0,10}(\.[a-z]{2,6}){1,2}", fullmatch=True),
)


@st.composite
def upstream_urls(draw) -> str:
    host = draw(hosts)
    scheme = draw(st.sampled_from(["", "", "", "https://", "http://"]))
    tail = draw(st.sampled_from(["", "", "", "/", "/v2", ":443"]))
    if draw(st.integers(0, 9)) == 0:
        host = host.upper()
    return scheme + host + tail


def secret_arn(name: str, account: str = ACCOUNT, region: str = REGION, suffix: str = "-AbCdEf") -> str:
    return f"arn:aws:secretsmanager:{region}:{account}:secret:{name}{suffix}"


@st.composite
def credential_arns(draw) -> str:
    name = draw(st.sampled_from(["ecr-pullthroughcache/", "ecr-pullthroughcache/", "", "other/"]))
    name += draw(st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True))
    account = draw(st.sampled_from([ACCOUNT, ACCOUNT, OTHER_ACCOUNT]))
    region = draw(st.sampled_from([REGION, REGION, "us-east-1"]))
    suffix = draw(st.sampled_from(["-AbCdEf", "-Xy12Zq", ""]))
    if draw(st.integers(0, 14)) == 0:
        return draw(st.sampled_from(["not-an-arn", "arn:aws:iam::111122223333:role/x", ""]))
    return secret_arn(name, account, region, suffix)


role_arns = st.builds(lambda account, name: f"arn:aws:iam::{account}:role/{name}",
                      st.sampled_from([ACCOUNT, OTHER_ACCOUNT]),
                      st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,12}", fullmatch=True))


@st.composite
def ptc_rules(draw) -> dict:
    rule = {"ecrRepositoryPrefix": draw(prefixes), "upstreamRegistryUrl": draw(upstream_urls())}
    if draw(st.booleans()):
        rule["credentialArn"] = draw(credential_arns())
    if draw(st.integers(0, 3)) == 0:
        rule["customRoleArn"] = draw(role_arns)
    if draw(st.integers(0, 4)) == 0:
        rule["upstreamRepositoryPrefix"] = draw(st.sampled_from(["library", "ROOT", "team/app", ""]))
    if draw(st.booleans()):
        rule["registryId"] = ACCOUNT
    if draw(st.booleans()):
        rule["createdAt"] = draw(st.sampled_from(["2025-02-01T10:00:00Z", 1732060800, "2024-09-01T12:00:00+00:00"]))
    return rule


policy_texts = st.one_of(
    st.sampled_from(['{"rules": []}', "not json", "", '{"Version": "2012-10-17", "Statement": []}',
                     json.dumps({"rules": [{"rulePriority": 1, "selection": {"tagStatus": "any", "countType":
                                 "imageCountMoreThan", "countNumber": 10}, "action": {"type": "expire"}}]})]),
    json_values.map(json.dumps),
)


@st.composite
def templates(draw) -> dict:
    template = {"prefix": draw(st.one_of(st.just("ROOT"), prefixes)),
                "appliedFor": draw(st.lists(st.sampled_from(["PULL_THROUGH_CACHE", "REPLICATION", "CREATE_ON_PUSH"]),
                                            max_size=3, unique=True))}
    if draw(st.booleans()):
        kind = draw(st.sampled_from(["AES256", "KMS", "KMS_DSSE"]))
        enc = {"encryptionType": kind}
        if kind != "AES256" and draw(st.booleans()):
            enc["kmsKey"] = f"arn:aws:kms:{REGION}:{draw(st.sampled_from([ACCOUNT, OTHER_ACCOUNT]))}:key/abc"
        template["encryptionConfiguration"] = enc
    if draw(st.booleans()):
        template["resourceTags"] = draw(st.lists(st.builds(lambda k, v: {"Key": k, "Value": v},
                                                           st.text(min_size=1, max_size=6), st.text(max_size=6)),
                                                 max_size=3))
    if draw(st.booleans()):
        template["imageTagMutability"] = draw(st.sampled_from(["MUTABLE", "IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION"]))
    for key in ("lifecyclePolicy", "repositoryPolicy"):
        if draw(st.integers(0, 2)) == 0:
            template[key] = draw(policy_texts)
    if draw(st.integers(0, 3)) == 0:
        template["customRoleArn"] = draw(role_arns)
    if draw(st.integers(0, 3)) == 0:
        template["description"] = draw(st.text(max_size=20))
    return template


@st.composite
def secret_lookups(draw, arn: str) -> dict:
    status = draw(st.sampled_from(["found", "found", "found", "notFound", "accessDenied", "notCollected"]))
    if status != "found":
        return {"status": status}
    name = arn.split(":secret:", 1)[-1]
    if name.endswith(("-AbCdEf", "-Xy12Zq")):
        name = name[:-7]
    secret: dict = {"ARN": arn if arn.count("-") and arn[-7:-6] == "-" else arn + "-Qw3rTy", "Name": name}
    if draw(st.booleans()):
        secret["KmsKeyId"] = draw(st.sampled_from(["alias/aws/secretsmanager",
                                                   f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k"]))
    if draw(st.booleans()):
        secret["LastAccessedDate"] = draw(st.sampled_from(["2026-11-19T00:00:00Z", "2025-01-01T00:00:00Z", 1700000000]))
    if draw(st.integers(0, 3)) == 0:
        secret["DeletedDate"] = "2026-11-01T00:00:00Z"
    if draw(st.booleans()):
        secret["CreatedDate"] = "2024-01-01T00:00:00Z"
    return {"status": "found", "secret": secret}


@st.composite
def role_lookups(draw, arn: str) -> dict:
    status = draw(st.sampled_from(["found", "found", "notFound", "accessDenied"]))
    if status != "found":
        return {"status": status}
    principal = draw(st.sampled_from(["pullthroughcache.ecr.amazonaws.com", "ecs-tasks.amazonaws.com"]))
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": principal},
                                                     "Action": "sts:AssumeRole"}]}
    role: dict = {"RoleName": arn.rsplit("/", 1)[-1], "Arn": arn, "AssumeRolePolicyDocument": trust}
    out: dict = {"status": "found", "role": role}
    if draw(st.booleans()):
        out["inlinePolicies"] = [{"PolicyName": "pull", "document": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": draw(st.sampled_from(["ecr:BatchGetImage", "ecr:*", "s3:GetObject"])),
             "Resource": "*"}]}}]
    return out


@st.composite
def registries(draw) -> dict:
    rules = draw(st.lists(ptc_rules(), min_size=1, max_size=3))
    reg: dict = {"account": ACCOUNT, "region": REGION, "partition": "aws",
                 "pullThroughCacheRules": {"status": "found", "items": rules}}
    if draw(st.booleans()):
        reg["repositoryCreationTemplates"] = {"status": "found",
                                              "items": draw(st.lists(templates(), max_size=2))}
    if draw(st.booleans()):
        reg["secrets"] = {r["credentialArn"]: draw(secret_lookups(r["credentialArn"]))
                          for r in rules if r.get("credentialArn")}
    if draw(st.booleans()):
        reg["roles"] = {r["customRoleArn"]: draw(role_lookups(r["customRoleArn"]))
                        for r in rules if r.get("customRoleArn")}
    if draw(st.integers(0, 2)) == 0:
        status = draw(st.sampled_from(["found", "notFound", "accessDenied"]))
        policy: dict = {"status": status}
        if status == "found":
            policy["policyText"] = json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": draw(st.sampled_from([["ecr:CreateRepository", "ecr:BatchImportUpstreamImage"],
                                                "ecr:*", ["ecr:ReplicateImage"]])),
                "Resource": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/*"}]})
        reg["registryPolicy"] = policy
    return reg


def snapshot_text(regs: list[dict]) -> str:
    return json.dumps({"ptclintSnapshot": 1, "generatedAt": "2026-11-20T08:00:00Z", "registries": regs}, indent=2)


@SCANS
@given(reg=registries())
def test_generated_snapshots_never_fail_to_evaluate(reg, catalog) -> None:
    """Snapshot-shaped registries from plausible values: no crash, no input error, and every
    (rule, resource) pair gets a verdict (no evaluation error)."""
    from ptclint.report import OutcomeKind

    with tempfile.TemporaryDirectory() as tmp:
        result = scan([write(tmp, "gen.snapshot.json", snapshot_text([reg]))], catalog)
    assert not result.problems, result.problems
    errors = [(o.rule_id, str(o.identity), o.detail) for o in result.outcomes if o.kind is OutcomeKind.ERROR]
    assert errors == []
    assert result.exit_code() in (0, 1, 3)
    assert result.exit_code() != 3 or result.gaps  # partial only for access-denied lookups


def findings_of(result) -> set[tuple]:
    return {(f.rule_id, f.identity.fqn(), f.identity.name, f.message) for f in result.findings}


@PAIRS
@given(reg=registries(), data=st.data())
def test_order_of_resources_and_files_does_not_change_findings(reg, data, catalog) -> None:
    """Rules and templates shuffled within their lists, and the registry split over two files given
    in either order: the same findings (rule, resource, message) as the original file."""
    shuffled = copy.deepcopy(reg)
    shuffled["pullThroughCacheRules"]["items"] = data.draw(st.permutations(reg["pullThroughCacheRules"]["items"]))
    if "repositoryCreationTemplates" in reg:
        shuffled["repositoryCreationTemplates"]["items"] = data.draw(
            st.permutations(reg["repositoryCreationTemplates"]["items"]))
    # the same registry split over two files: rules in one, everything else in the other
    first = {"account": ACCOUNT, "region": REGION, "pullThroughCacheRules": shuffled["pullThroughCacheRules"]}
    second = {k: v for k, v in shuffled.items() if k != "pullThroughCacheRules"}
    reverse = data.draw(st.booleans())
    with tempfile.TemporaryDirectory() as tmp:
        base = findings_of(scan([write(tmp, "a.json", snapshot_text([reg]))], catalog))
        one, two = write(tmp, "one.json", snapshot_text([first])), write(tmp, "two.json", snapshot_text([second]))
        assert findings_of(scan([two, one] if reverse else [one, two], catalog)) == base


def _renders(result) -> dict[str, str]:
    from ptclint.reporters import REPORTERS

    return {fmt: REPORTERS[fmt].render(result) for fmt in ("json", "sarif", "table")}


@PAIRS
@given(regs=st.lists(registries(), min_size=1, max_size=2))
def test_output_is_deterministic(regs, catalog) -> None:
    for i, reg in enumerate(regs):
        reg["region"] = ["eu-west-1", "us-east-1"][i]
    with tempfile.TemporaryDirectory() as tmp:
        path = write(tmp, "gen.snapshot.json", snapshot_text(regs))
        assert _renders(scan([path], catalog)) == _renders(scan([path], catalog))


_DETERMINISM = r"""
import json, sys
from datetime import datetime, timezone
from ptclint.reporters import REPORTERS
from ptclint.scan import ScanOptions, run
result = run(ScanOptions(paths=sys.argv[1:], now=datetime(2026, 11, 20, tzinfo=timezone.utc)))
sys.stdout.write(json.dumps({fmt: REPORTERS[fmt].render(result) for fmt in ("json", "sarif")}))
"""


def test_output_is_deterministic_across_processes() -> None:
    """Two processes with different hash seeds (set and dict orders differ between them) write the
    same bytes for every input kind."""
    inputs = ["tests/hostile/valid/small.snapshot.json", "examples/awscli", "examples/iac",
              "tests/fixtures/terraform/foreach/plan.json"]
    outs = []
    procs = []
    for seed in ("1", "4242"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        env.pop("PTCLINT_DEBUG", None)
        procs.append(subprocess.Popen([sys.executable, "-c", _DETERMINISM, *inputs], cwd=ROOT, env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=900)
        assert proc.returncode == 0, stderr
        outs.append(json.loads(stdout))
    assert json.loads(outs[0]["json"])["findings"]
    assert outs[0]["json"] == outs[1]["json"]
    assert outs[0]["sarif"] == outs[1]["sarif"]


# ---------------------------------------------------------------- export round trip


def _load_snapshot(text: str):
    from ptclint import parsing
    from ptclint.loaders import LoadContext, snapshot

    doc = parsing.parse_json("snap.json", text)
    return snapshot.read(doc, LoadContext(display_path="snap.json"))


def _round_trip(text: str) -> tuple[str, str]:
    from ptclint.export import dumps

    first = dumps(_load_snapshot(text), "2026-11-20T08:00:00Z")
    second = dumps(_load_snapshot(first), "2026-11-20T08:00:00Z")
    return first, second


@CHEAP
@given(regs=st.lists(registries(), min_size=1, max_size=2), errors=st.booleans())
def test_export_round_trips(regs, errors) -> None:
    for i, reg in enumerate(regs):
        reg["region"] = ["eu-west-1", "us-east-1"][i]
        if errors and i == 0:
            reg["errors"] = [{"operation": "DescribeSecret", "code": "AccessDeniedException", "message": "denied"}]
    first, second = _round_trip(snapshot_text(regs))
    assert first == second


def test_export_round_trips_the_shipped_inputs(monkeypatch) -> None:
    """Snapshots and AWS CLI exports as loaded by a scan (IaC units carry symbolic accounts and
    unknown values, which a snapshot cannot hold: not exported)."""
    from ptclint.export import dumps
    from ptclint.loaders.inputs import load_inputs
    from ptclint.scan import ScanOptions

    monkeypatch.chdir(ROOT)
    for paths, options in ((["examples/demo-account.snapshot.json"], {}),
                           (["examples/awscli"], {"region": "eu-west-1"}),
                           (["tests/hostile/valid/small.snapshot.json"], {})):
        regs, problems, _ = load_inputs(ScanOptions(paths=paths, **options))
        assert not problems and regs
        first = dumps(regs, "2026-11-20T08:00:00Z")
        first_again, second = _round_trip(first)
        assert first == first_again == second, paths
