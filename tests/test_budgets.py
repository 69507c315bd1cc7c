"""Budgets and containment (issue 11): no input hangs a scan, blows its memory or aborts it.

Each hostile input is small and semantic (self references, doubling chains, nested loops, nested
intrinsics); each is read next to a good file, whose findings must still be reported. Inputs that
would cost minutes without a budget are run with small budgets (`budgets.using`), so each test ends
quickly; a thread with a generous timeout is only a safety net, never a timed assertion.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from conftest import ROOT

from ptclint import budgets

AWSCLI_RULES = ROOT / "examples" / "awscli" / "describe-pull-through-cache-rules.json"
GOOD_FINDINGS = {"PTC-AUTH-001", "PTC-UP-004"}
SMALL = budgets.Budgets(evaluation_steps=50_000, loop_iterations=5_000, value_size=20_000)


def scan_with_good_file(catalog, *paths: Path, limits: budgets.Budgets = SMALL, **options):
    """Scan `paths` and a good AWS CLI export in one run (in a thread: a hang fails, never blocks)."""
    from ptclint.scan import ScanOptions, run

    results: list = []

    def work() -> None:
        with budgets.using(limits):
            results.append(run(ScanOptions(paths=[*map(str, paths), str(AWSCLI_RULES)], **options), catalog=catalog))

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(300)
    assert not worker.is_alive(), "the scan did not end"
    assert results, "the scan raised"
    result = results[0]
    assert {f.rule_id for f in result.findings if f.origin.file.endswith(AWSCLI_RULES.name)} == GOOD_FINDINGS
    assert result.exit_code() == 2
    return result


def only_problem(result, fragment: str):
    assert len(result.problems) == 1, result.problems
    problem = result.problems[0]
    assert fragment in problem.message, str(problem)
    return problem


def tf(tmp_path: Path, name: str, text: str) -> Path:
    directory = tmp_path / name
    directory.mkdir()
    (directory / "main.tf").write_text(text)
    return directory


RULE = ('resource "aws_ecr_pull_through_cache_rule" "r" {\n  ecr_repository_prefix = %s\n'
        '  upstream_registry_url = "quay.io"\n}\n')


# ---------------------------------------------------------------- Terraform


def test_nested_for_over_range_is_refused(tmp_path: Path, catalog) -> None:
    unit = tf(tmp_path, "loops", "locals {\n  big = [for a in range(1000) : [for b in range(1000) : "
                                  "[for c in range(1000) : c]]]\n}\n" + RULE % '"p${length(local.big)}"')
    problem = only_problem(scan_with_good_file(catalog, unit), "loop_iterations budget of 5,000")
    assert problem.file.endswith("loops/main.tf") and problem.line == 2
    assert "local.big" in problem.message


def test_strings_doubled_through_locals_are_refused(tmp_path: Path, catalog) -> None:
    lines = ['locals {', '  s0 = "ab"'] + [f'  s{i} = "${{local.s{i - 1}}}${{local.s{i - 1}}}"' for i in range(1, 30)]
    unit = tf(tmp_path, "doubling", "\n".join(lines) + "\n}\n" + RULE % '"p${length(local.s29)}"')
    problem = only_problem(scan_with_good_file(catalog, unit), "value_size budget of 20,000")
    assert problem.file.endswith("doubling/main.tf") and "local.s" in problem.message


def test_join_of_doubled_lists_is_refused(tmp_path: Path, catalog) -> None:
    lines = ['locals {', '  l0 = ["abcdefgh"]'] + [f"  l{i} = concat(local.l{i - 1}, local.l{i - 1})"
                                                  for i in range(1, 30)]
    unit = tf(tmp_path, "lists", "\n".join(lines) + "\n}\n" + RULE % 'join("", local.l29)')
    only_problem(scan_with_good_file(catalog, unit), "value_size budget")


def test_count_over_a_huge_number_names_the_resource(tmp_path: Path, catalog) -> None:
    unit = tf(tmp_path, "count", 'resource "aws_ecr_pull_through_cache_rule" "many" {\n'
                                 '  count = 100000000000\n  ecr_repository_prefix = "p${count.index}"\n'
                                 '  upstream_registry_url = "quay.io"\n}\n')
    problem = only_problem(scan_with_good_file(catalog, unit), "resource instances")
    assert "count" in problem.file or problem.file.endswith("main.tf")
    assert problem.line == 2


def test_range_is_never_cut_short(catalog) -> None:
    """Terraform refuses range() past 1,024 elements; ptclint does not judge a truncated list."""
    from ptclint.loaders.terraform.functions import FUNCTIONS
    from ptclint.loaders.terraform.values import TfError

    assert len(FUNCTIONS["range"](1024)) == 1024
    with pytest.raises(TfError, match="more than 1024"):
        FUNCTIONS["range"](1025)
    with pytest.raises(TfError):
        FUNCTIONS["range"](float("inf"))


@pytest.mark.parametrize("pattern, replacement, expected", [
    ("/(a+)+$/", "x", "a" * 40 + "!"),  # catastrophic for a backtracking engine, linear in RE2
    ("/(\\\\w+)-(\\\\w+)/", "$2_${1}", "world_hello"),
    ("/o/", "$$", "hell$-w$rld"),
])
def test_replace_uses_re2_with_terraform_syntax(pattern, replacement, expected) -> None:
    from ptclint.loaders.terraform.functions import FUNCTIONS

    text = "a" * 40 + "!" if expected.startswith("a") else "hello-world"
    assert FUNCTIONS["replace"](text, pattern.replace("\\\\", "\\"), replacement) == expected


def test_replace_with_a_pattern_re2_refuses_is_unknown_and_quiet(capfd) -> None:
    from ptclint.loaders.terraform.functions import FUNCTIONS
    from ptclint.loaders.terraform.values import TfError

    with pytest.raises(TfError) as info:
        FUNCTIONS["replace"]("abc", "/(?=PLANTED)/", "x")  # a look-ahead: Perl syntax, not RE2
    assert "PLANTED" not in str(info.value)
    assert "PLANTED" not in "".join(capfd.readouterr())  # RE2 logs nothing (it would quote the pattern)


# ---------------------------------------------------------------- IAM wildcards


def test_iam_wildcards_match_in_linear_time() -> None:
    """A 2 KB pattern of stars that a backtracking regex takes minutes over."""
    from ptclint.rulelib import iam

    pattern, text = "*a" * 1000 + "b", "a" * 2000
    assert iam.action_matches(pattern, text) is False
    assert iam._glob_covers("repository/*", "repository/x/*")
    assert iam._glob_overlap("*a?" * 700, "a*" * 1000) is True
    assert iam._glob_overlap("a" * 3000, "*b") is False  # no recursion: no RecursionError


# ---------------------------------------------------------------- CloudFormation

CFN_RULE = ("  Rule:\n    Type: AWS::ECR::PullThroughCacheRule\n    Properties:\n"
            "      EcrRepositoryPrefix: {prefix}\n      UpstreamRegistryUrl: quay.io\n")


def _ssm_chain(levels: int, name_of_previous: str) -> str:
    out = ["Resources:", "  P0:", "    Type: AWS::SSM::Parameter", "    Properties:", "      Name: seed",
           "      Type: String", "      Value: x"]
    for i in range(1, levels):
        out += [f"  P{i}:", "    Type: AWS::SSM::Parameter", "    Properties:",
                f"      Name: {name_of_previous.format(p=f'P{i - 1}')}", "      Type: String", "      Value: x"]
    return "\n".join(out) + "\n"


def test_ref_chains_are_resolved_once_each(tmp_path: Path, catalog) -> None:
    """Each resource's name selects from two Refs to the one before: 2^60 resolutions without a memo."""
    path = tmp_path / "chain.yaml"
    path.write_text(_ssm_chain(60, "!Select [0, [!Ref {p}, !Ref {p}, !Ref {p}]]")
                    + CFN_RULE.format(prefix="!Select [0, [!Ref P59, !Ref P59]]"))
    from ptclint.scan import ScanOptions, run

    with budgets.using(SMALL):
        result = run(ScanOptions(paths=[str(path)]), catalog=catalog)
    assert not result.problems, result.problems
    assert result.registries and result.registries[0].rules[0].data["ecrRepositoryPrefix"] == "seed"


def test_names_doubled_through_ref_chains_are_refused(tmp_path: Path, catalog) -> None:
    path = tmp_path / "doubling.yaml"
    path.write_text(_ssm_chain(40, "!Join ['', [!Ref {p}, !Ref {p}]]") + CFN_RULE.format(prefix="!Ref P39"))
    problem = only_problem(scan_with_good_file(catalog, path), "value_size budget")
    assert problem.file.endswith("doubling.yaml")


def test_sub_resolves_each_variable_once(tmp_path: Path, catalog) -> None:
    """Fn::Sub naming one variable many times, nested: each level resolves its variable once."""
    inner = "!Ref P0"
    for _ in range(25):
        inner = f"!Sub ['${{v}}${{v}}${{v}}', {{v: {inner}}}]"
    path = tmp_path / "sub.yaml"
    path.write_text(_ssm_chain(1, "") + CFN_RULE.format(prefix=inner))
    problem = only_problem(scan_with_good_file(catalog, path), "value_size budget")  # 3^25 characters
    assert problem.file.endswith("sub.yaml")


def test_join_and_base64_over_yaml_aliases_are_refused(tmp_path: Path, catalog) -> None:
    lines = ["Mappings:", "  M:", "    K:", "      a0: &a0 abcdefghabcdefgh"]
    for i in range(1, 16):  # 2^15 nodes: under the alias-expansion limit, so evaluation must stop it
        lines.append(f"      a{i}: &a{i} !Base64 {{'Fn::Join': ['', [*a{i - 1}, *a{i - 1}]]}}")
    path = tmp_path / "aliases.yaml"
    path.write_text("\n".join(lines) + "\nResources:\n" + CFN_RULE.format(prefix="*a15"))
    problem = only_problem(scan_with_good_file(catalog, path), "budget")
    assert problem.file.endswith("aliases.yaml")


# ---------------------------------------------------------------- containment per input


def test_any_exception_reading_one_input_is_contained(tmp_path: Path, catalog) -> None:
    """JSON nested 100,000 deep inside a snapshot's policyText string (a RecursionError once aborted
    the scan): an input problem at the policy's line, and the other file is still judged."""
    import json

    snapshot = json.loads((ROOT / "tests" / "hostile" / "valid" / "small.snapshot.json").read_text())
    snapshot["registries"][0]["registryPolicy"] = {"status": "found", "policyText": "[" * 100_000 + "]" * 100_000}
    path = tmp_path / "deep-policy.snapshot.json"
    path.write_text(json.dumps(snapshot))
    problem = only_problem(scan_with_good_file(catalog, path), "policyText: the JSON policy nests too deeply")
    assert problem.file.endswith("deep-policy.snapshot.json") and problem.line is not None


@pytest.mark.parametrize("exc", [RecursionError(), MemoryError(), OverflowError("PLANTED"),
                                 UnicodeEncodeError("utf-8", "PLANTED", 0, 1, "x"), AttributeError("PLANTED")],
                         ids=lambda e: e.__class__.__name__)
def test_a_loader_that_raises_anything_names_the_file(exc, tmp_path: Path, catalog, monkeypatch) -> None:
    import ptclint.loaders.cloudformation.template as cfn

    def broken(source, ctx):
        raise exc

    monkeypatch.setattr(cfn, "load", broken)
    path = tmp_path / "stack.yaml"
    path.write_text((ROOT / "examples" / "iac" / "cloudformation" / "ptc-mistakes.yaml").read_text())
    problem = only_problem(scan_with_good_file(catalog, path), "internal error while reading")
    assert problem.message.endswith(exc.__class__.__name__) and "PLANTED" not in problem.message
    assert problem.file.endswith("stack.yaml")


def test_a_file_name_that_is_not_utf8_is_reported_in_every_format(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    directory = os.fsencode(tmp_path)
    with open(os.path.join(directory, b"rules-\xff.json"), "wb") as fh:
        fh.write(AWSCLI_RULES.read_bytes())
    env = {k: v for k, v in os.environ.items() if k != "PTCLINT_DEBUG"}
    procs = [subprocess.Popen([sys.executable, "-m", "ptclint", "scan", ".", "-f", fmt, "-o", f"out.{fmt}"],
                              cwd=tmp_path, env={**env, "LC_ALL": "C"}, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE) for fmt in ("table", "json", "sarif")]
    for fmt, proc in zip(("table", "json", "sarif"), procs):
        _, stderr = proc.communicate(timeout=600)
        assert proc.returncode == 1, stderr
        assert b"internal error" not in stderr and b"Traceback" not in stderr
        report = (tmp_path / f"out.{fmt}").read_bytes().decode("utf-8")  # valid UTF-8
        assert "xff.json" in report, report[:2000]  # the byte shown as an escape (JSON and SARIF escape it again)


# ---------------------------------------------------------------- configuration


def test_a_config_whose_ptclint_entry_is_not_a_table(tmp_path: Path) -> None:
    from ptclint.config import load
    from ptclint.errors import ConfigError

    (tmp_path / "pyproject.toml").write_text("[tool]\nptclint = 5\n")
    with pytest.raises(ConfigError, match=r"tool\.ptclint: expected a table"):
        load(tmp_path / "pyproject.toml")
    (tmp_path / "pyproject.toml").write_text("tool = 5\n")
    assert load(tmp_path / "pyproject.toml").values == {}


def test_max_file_size_is_bounded(tmp_path: Path) -> None:
    from ptclint.config import Flags, load, options
    from ptclint.errors import ConfigError

    (tmp_path / ".ptclint.toml").write_text("max-file-size = 100000000000\n")
    with pytest.raises(ConfigError, match="maximum"):
        load(tmp_path / ".ptclint.toml")
    with pytest.raises(ConfigError, match="--max-file-size 100000000000: expected 1 to"):
        options(Flags(paths=["."], max_file_bytes=100_000_000_000, config=str(tmp_path / "missing.toml")))


def test_budgets_are_overridden_by_the_config_file(tmp_path: Path, catalog, monkeypatch) -> None:
    from ptclint.config import Flags, options
    from ptclint.scan import run

    (tmp_path / ".ptclint.toml").write_text("[budgets]\nloop-iterations = 10\n")
    unit = tf(tmp_path, "loops", "locals {\n  l = [for a in range(20) : a]\n}\n" + RULE % '"p${length(local.l)}"')
    monkeypatch.chdir(tmp_path)
    scan = options(Flags(paths=[str(unit)], config=str(tmp_path / ".ptclint.toml")))
    assert scan.budgets == budgets.Budgets(loop_iterations=10)
    only_problem(run(scan, catalog=catalog), "loop_iterations budget of 10")


# ---------------------------------------------------------------- the file system

TOKEN = "dckr_pat_PLANTED_9f8e7d6c5b"


def test_file_reads_only_inside_the_unit(tmp_path: Path, catalog, monkeypatch) -> None:
    """`file("../secret")` from a unit below the working directory is not read (the working
    directory is no reason to read a file); a file in the unit is."""
    (tmp_path / "ci-token").write_text(TOKEN)
    unit = tf(tmp_path, "unit", RULE % 'file("../ci-token")')
    (unit / "prefix.txt").write_text("from-file")
    (unit / "other.tf").write_text(RULE.replace('"r"', '"s"') % 'trimspace(file("prefix.txt"))')
    monkeypatch.chdir(tmp_path)
    from ptclint.reporters import REPORTERS
    from ptclint.scan import ScanOptions, run

    result = run(ScanOptions(paths=["unit"]), catalog=catalog)
    prefixes = {r.name: r.data.get("ecrRepositoryPrefix") for r in result.registries[0].rules}
    assert prefixes["aws_ecr_pull_through_cache_rule.s"] == "from-file"
    assert "outside the scanned directory" in str(prefixes["aws_ecr_pull_through_cache_rule.r"])
    for fmt in REPORTERS:
        assert "PLANTED" not in REPORTERS[fmt].render(result)


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="needs a FIFO")
def test_file_and_modules_json_never_open_a_fifo(tmp_path: Path, catalog) -> None:
    import os

    unit = tf(tmp_path, "unit", RULE % 'file("pipe")' + 'module "m" {\n  source = "registry/x/y"\n}\n')
    os.mkfifo(unit / "pipe")
    (unit / ".terraform" / "modules").mkdir(parents=True)
    os.mkfifo(unit / ".terraform" / "modules" / "modules.json")
    from ptclint.scan import ScanOptions, run

    results: list = []
    worker = threading.Thread(target=lambda: results.append(run(ScanOptions(paths=[str(unit)]), catalog=catalog)),
                              daemon=True)
    worker.start()
    worker.join(300)
    if worker.is_alive():  # unblock the reader so the thread can end
        for fifo in (unit / "pipe", unit / ".terraform" / "modules" / "modules.json"):
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            os.close(fd)
        pytest.fail("the scan blocked on a FIFO")
    prefix = results[0].registries[0].rules[0].data["ecrRepositoryPrefix"]
    assert "not a regular file" in str(prefix)


def _run_cli(args: list[str], cwd: Path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "PTCLINT_DEBUG"}
    return subprocess.run([sys.executable, "-m", "ptclint", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="needs a FIFO")
def test_output_never_replaces_a_non_regular_target(tmp_path: Path) -> None:
    """A pipe (`-o /dev/fd/3`, `-o /dev/null` as root) is written in place, never renamed over; a
    directory is refused."""
    import os
    import stat

    from ptclint import frontend

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    frontend.write("report\n", str(fifo))
    reader.join(300)
    assert got == [b"report\n"] and stat.S_ISFIFO(os.stat(fifo).st_mode)
    with pytest.raises(SystemExit) as refused:  # (frontend.write is typer-free: exit 2 as SystemExit)
        frontend.write("report\n", str(tmp_path))
    assert refused.value.code == 2
    assert tmp_path.is_dir() and sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_registry_globs_do_not_follow_directory_links(tmp_path: Path) -> None:
    """Two symbolic links pointing at each other's directories: `**` sees each file once."""
    import os

    from ptclint.config import _glob

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x.json").write_text("{}")
    os.symlink(tmp_path / "b", tmp_path / "a" / "to-b")
    os.symlink(tmp_path / "a", tmp_path / "b" / "to-a")
    found = _glob(str(tmp_path), "**/*.json")
    assert found == [str(tmp_path / "a" / "x.json")]


# ---------------------------------------------------------------- fail closed on broken structure


def test_a_module_cycle_is_an_input_error(tmp_path: Path, catalog) -> None:
    unit = tf(tmp_path, "cycle", 'module "a" {\n  source = "./a"\n}\n')
    for name, other in (("a", "b"), ("b", "a")):
        (unit / name).mkdir()
        (unit / name / "main.tf").write_text(f'module "{other}" {{\n  source = "../{other}"\n}}\n'
                                             + RULE.replace('"r"', f'"r{name}"') % f'"p{name}"')
    problem = only_problem(scan_with_good_file(catalog, unit), "does a module call itself?")
    assert problem.file.endswith("main.tf") and problem.line == 1


def test_a_tfvars_value_of_the_wrong_type_is_an_input_error(tmp_path: Path, catalog) -> None:
    """Even for a variable nothing uses: Terraform refuses the run; the value is not repeated."""
    unit = tf(tmp_path, "tfvars", 'variable "n" {\n  type = number\n}\n' + RULE % '"hub"')
    (unit / "terraform.tfvars").write_text(f'n = "{TOKEN}"\n')
    problem = only_problem(scan_with_good_file(catalog, unit), "variable n: the value given does not match")
    assert problem.file.endswith("tfvars/terraform.tfvars") and problem.line == 1
    assert "PLANTED" not in str(problem)


def _plan(tmp_path: Path, name: str, change) -> Path:
    import json

    plan = json.loads((ROOT / "tests/fixtures/terraform/after-apply/plan.json").read_text())
    change(plan)
    path = tmp_path / name
    path.write_text(json.dumps(plan, indent=1))
    return path


def test_a_plan_whose_planned_values_is_misspelt_is_an_input_error(tmp_path: Path, catalog) -> None:
    path = _plan(tmp_path, "plan.json", lambda p: p.__setitem__("planned_valuez", p.pop("planned_values")))
    from ptclint.scan import ScanOptions, run

    for named in (str(path), str(tmp_path)):  # named, or found by walking: never skipped as clean
        with budgets.using(SMALL):
            result = run(ScanOptions(paths=[named, str(AWSCLI_RULES)]), catalog=catalog)
        only_problem(result, "expected planned_values (a plan) or values (a state)")


def test_sensitive_values_of_the_wrong_shape_are_an_input_error(tmp_path: Path, catalog) -> None:
    def change(plan):
        plan["planned_values"]["root_module"]["resources"][0]["sensitive_values"] = ["upstream_registry_url"]

    problem = only_problem(scan_with_good_file(catalog, _plan(tmp_path, "plan.json", change)),
                           "sensitive_values: expected an object")
    assert problem.line is not None


@pytest.mark.parametrize("statement, where", [
    ({"Effect": "Allow", "Principal": 7, "Action": "ecr:CreateRepository", "Resource": "*"}, "Statement[0].Principal"),
    ({"Effect": "Allow", "Principal": {"AWS": [7]}, "Action": "ecr:*", "Resource": "*"}, "Statement[0].Principal"),
    ({"Effect": "Allow", "Principal": "*", "Action": {"a": 1}, "Resource": "*"}, "Statement[0].Action"),
])
def test_a_registry_policy_of_the_wrong_shape_is_an_input_error(statement, where, tmp_path: Path, catalog) -> None:
    import json

    snapshot = json.loads((ROOT / "tests" / "hostile" / "valid" / "small.snapshot.json").read_text())
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    snapshot["registries"][0]["registryPolicy"] = {"status": "found", "policyText": json.dumps(policy)}
    path = tmp_path / "policy.snapshot.json"
    path.write_text(json.dumps(snapshot, indent=1))
    problem = only_problem(scan_with_good_file(catalog, path), f"policyText: {where}: expected")
    assert problem.line is not None


# ---------------------------------------------------------------- with the default budgets, through the CLI


def test_hostile_inputs_with_the_default_budgets_through_the_cli(tmp_path: Path) -> None:
    """One real scan of the attacks above with the shipped budgets: each is refused by name (exit 2),
    the good file's findings are in the JSON report, no traceback."""
    import json

    lines = ['locals {', '  s0 = "ab"'] + [f'  s{i} = "${{local.s{i - 1}}}${{local.s{i - 1}}}"' for i in range(1, 30)]
    tf(tmp_path, "doubling", "\n".join(lines) + "\n}\n" + RULE % '"p${length(local.s29)}"')
    tf(tmp_path, "loops", "locals {\n  big = [for a in range(1000) : [for b in range(1000) : "
                          "[for c in range(1000) : c]]]\n}\n" + RULE % '"p${length(local.big)}"')
    body = " + ".join(["(j * 2 + 1)"] * 40)
    tf(tmp_path, "steps", f"locals {{\n  big = [for i in range(1000) : [for j in range(90) : {body}]]\n}}\n"
                          + RULE % '"p${length(local.big)}"')
    (tmp_path / "chain.yaml").write_text(_ssm_chain(40, "!Join ['', [!Ref {p}, !Ref {p}]]")
                                         + CFN_RULE.format(prefix="!Ref P39"))
    (tmp_path / "rules.json").write_text(AWSCLI_RULES.read_text())
    proc = _run_cli(["scan", "doubling", "loops", "steps", "chain.yaml", "rules.json", "-f", "json"], tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    report = json.loads(proc.stdout)
    assert {f["ruleId"] for f in report["findings"]} == GOOD_FINDINGS
    problems = {p["file"].split("/")[0]: p["message"] for p in report["inputProblems"]}
    assert set(problems) == {"doubling", "loops", "steps", "chain.yaml"}, problems
    assert all("budget" in m for m in problems.values()), problems


# ---------------------------------------------------------------- generated semantic attacks

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

ATTACKS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                          HealthCheck.function_scoped_fixture])
_CFN_STEPS = ["!Join ['', [{a}, {b}]]", "!Select [0, [{a}, {b}]]", "!Sub ['${{x}}${{y}}', {{x: {a}, y: {b}}}]",
              "!Base64 {a}", "!If [C, {a}, {b}]", "!Join ['-', [{a}, {a}, {a}]]"]
_TF_STEPS = ['"${{{a}}}${{{b}}}"', "join(\"\", [{a}, {b}])", "join(\"\", [for x in range(30) : {a}])",
             "length({a}) > 0 ? {a} : {b}", "replace({a}, \"/(a+)+$/\", {b})", "upper({a})"]


def _earlier(draw, i: int) -> int:
    """Mostly the one just before (chains that double), sometimes any earlier one, rarely itself."""
    choice = draw(st.integers(0, 99))
    if i == 0:
        return 0
    return i if choice == 0 else draw(st.integers(0, i - 1)) if choice < 20 else i - 1


@st.composite
def cfn_chains(draw) -> str:
    """Resources whose names are built from earlier ones (or themselves) by nested intrinsics."""
    n = draw(st.integers(2, 30))
    out = ["Conditions:", "  C: !Equals [a, a]", "Resources:"]
    for i in range(n):
        refs = [f"{{Ref: P{_earlier(draw, i)}}}" for _ in range(2)]
        name = "seed" if i == 0 else draw(st.sampled_from(_CFN_STEPS)).format(a=refs[0], b=refs[1])
        out += [f"  P{i}:", "    Type: AWS::SSM::Parameter", "    Properties:", f"      Name: {name}",
                "      Type: String", "      Value: x"]
    return "\n".join(out) + "\n" + CFN_RULE.format(prefix=f"!Ref P{n - 1}")


@st.composite
def tf_chains(draw) -> str:
    """Locals built from earlier ones (or themselves) by doubling, loops and functions."""
    n = draw(st.integers(2, 30))
    lines = ["locals {", '  l0 = "abc"']
    for i in range(1, n):
        a, b = (f"local.l{_earlier(draw, i)}" for _ in range(2))
        lines.append(f"  l{i} = " + draw(st.sampled_from(_TF_STEPS)).format(a=a, b=b))
    return "\n".join(lines) + "\n}\n" + RULE % f'"p${{jsonencode(local.l{n - 1})}}"'


def _ends_judged_or_refused(result) -> None:
    """Either judged, or refused by a budget or as bad input: never a crash (an 'internal error')."""
    for problem in result.problems:
        assert "internal error" not in problem.message, str(problem)


@ATTACKS
@given(text=cfn_chains())
def test_generated_intrinsic_chains_end(text, tmp_path_factory, catalog) -> None:
    path = tmp_path_factory.mktemp("cfn") / "stack.yaml"
    path.write_text(text)
    from ptclint.scan import ScanOptions, run

    with budgets.using(SMALL):
        _ends_judged_or_refused(run(ScanOptions(paths=[str(path)]), catalog=catalog))


@ATTACKS
@given(text=tf_chains())
def test_generated_local_chains_end(text, tmp_path_factory, catalog) -> None:
    directory = tmp_path_factory.mktemp("tf")
    (directory / "main.tf").write_text(text)
    from ptclint.scan import ScanOptions, run

    with budgets.using(SMALL):
        _ends_judged_or_refused(run(ScanOptions(paths=[str(directory)]), catalog=catalog))
