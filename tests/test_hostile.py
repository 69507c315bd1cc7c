"""Hostile and broken input: ptclint never crashes, names the file and the place, says what it
expected, and one bad file does not hide the rest.

The corpus lives in tests/hostile/ (small files only; large and deep ones are generated here).
Each file is checked twice: in-process through `ptclint.scan.run` (its own exit code and message),
and through the real command line, batched into as few subprocesses as the checks allow (each
subprocess pays ptclint's start-up and catalog load, a few seconds on a small machine).
"""

from __future__ import annotations

import codecs
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT

HOSTILE = ROOT / "tests" / "hostile"
EXAMPLES = ROOT / "examples"
AWSCLI_RULES = EXAMPLES / "awscli" / "describe-pull-through-cache-rules.json"
CFN_MISTAKES = EXAMPLES / "iac" / "cloudformation" / "ptc-mistakes.yaml"
SMALL_SNAPSHOT = HOSTILE / "valid" / "small.snapshot.json"
H = "tests/hostile/"

# (argument under tests/hostile/, file the message names (None: the argument), line or None, fragments)
CORPUS: list[tuple[str, str | None, int | None, tuple[str, ...]]] = [
    # broken syntax
    ("json-truncated.json", None, 4, ("unexpected end of file (truncated JSON?)",)),
    ("json-trailing-comma.json", None, 3, ("trailing comma before '}' is not allowed in JSON",)),
    ("json-single-quotes.json", None, 2, ("object keys must be strings in double quotes",)),
    ("json-nan.json", None, 4, ("NaN is not valid JSON",)),
    ("json-two-documents.json", None, 2, ("unexpected '{' after the JSON value",)),
    ("yaml-truncated.yaml", None, 4, ("unexpected end of stream", "quoted scalar at line 3")),
    ("yaml-bad-indent.yaml", None, 4, ("did not find expected '-' indicator",)),
    ("yaml-two-documents.yaml", None, 3, ("multiple YAML documents are not supported",)),
    ("yaml-empty-int.yaml", None, 5, ("cannot read '' as an integer",)),  # `!!int` with no value
    ("hcl-truncated", "hcl-truncated/main.tf", 4, ("unexpected end of file", "'}'")),
    ("hcl-invalid", "hcl-invalid/main.tf", 2, ("invalid HCL syntax",)),
    ("hcl-wrong-type", "hcl-wrong-type/main.tf", 3, ("upstream_registry_url: expected a string, got a list",)),
    # ptclint snapshot: one wrong type per kind of field
    ("snapshot-prefix-type.json", None, 11,
     ("/registries/0/pullThroughCacheRules/items/0/ecrRepositoryPrefix", "expected a string, got a number")),
    ("snapshot-url-type.json", None, 12,
     ("/registries/0/pullThroughCacheRules/items/0/upstreamRegistryUrl", "expected a string, got a list")),
    ("snapshot-credential-type.json", None, 13,
     ("/registries/0/pullThroughCacheRules/items/0/credentialArn", "expected a string, got an object")),
    ("snapshot-appliedfor-type.json", None, 12,
     ("/registries/0/repositoryCreationTemplates/items/0/appliedFor", "expected a list, got a string")),
    ("snapshot-status-value.json", None, 8,
     ("/registries/0/pullThroughCacheRules/status", "expected one of 'found', 'notFound', 'accessDenied', "
                                                    "'notCollected', got 'ok'")),
    ("snapshot-account-type.json", None, 5, ("/registries/0/account", "expected a string, got a number")),
    ("snapshot-region-value.json", None, 6, ("/registries/0/region", "expected a Region name", "got 'Ireland'")),
    ("snapshot-secret-entry.json", None, 8,
     ("/registries/0/secrets/arn:aws:secretsmanager:eu-west-1:111122223333:secret:ecr-pullthroughcache~1x",
      "expected an object, got a string")),
    ("snapshot-role-entry.json", None, 8,
     ("/registries/0/roles/arn:aws:iam::111122223333:role~1ptc", "expected an object, got a list")),
    ("snapshot-registrypolicy-type.json", None, 9,
     ("/registries/0/registryPolicy/policyText", "expected a string, got an object")),
    ("snapshot-version.json", None, 2, ("unsupported snapshot version 2 (this ptclint reads version 1)",)),
    # raw AWS CLI output with wrong types
    ("awscli-rules-url-type.json", None, 5,
     ("/pullThroughCacheRules/0/upstreamRegistryUrl", "expected a string, got a number")),
    ("awscli-rules-not-a-list.json", None, 2, ("/pullThroughCacheRules", "expected a list, got an object")),
    ("awscli-templates-appliedfor.json", None, 6,
     ("/repositoryCreationTemplates/0/appliedFor", "expected a list, got a string")),
    ("awscli-secret-name-type.json", None, 5, ("/SecretList/0/Name", "expected a string, got a number")),
    ("awscli-role-arn-type.json", None, 4, ("/Role/Arn", "expected a string, got a list")),
    # CloudFormation
    ("cfn-unknown-tag.yaml", None, 6, ("unknown CloudFormation tag",)),
    ("cfn-missing-parameter.yaml", None, 11, ("Ref names no parameter or resource",)),
    ("cfn-missing-parameter.json", None, 8, ("Ref names no parameter or resource",)),
    # Terraform plan JSON with wrong types
    ("plan-prefix-type.json", None, 13, ("ecr_repository_prefix: expected a string, got a map or object",)),
    ("plan-resource-changes-type.json", None, 9, ("/resource_changes", "expected a list, got a string")),
    ("plan-format-version.json", None, 2, ("expected format_version 1.x",)),
    # encodings and binary files
    ("non-utf8.json", None, 4, ("invalid UTF-8 (byte 0xff", "save the file as UTF-8")),
    ("latin1.yaml", None, 3, ("invalid UTF-8 (byte 0xe9",)),
    ("utf16-no-bom.json", None, 1, ("NUL character", "UTF-16 without a byte-order mark")),
    ("binary.json", None, 3, ("invalid UTF-8",)),
    # duplicate keys, empty files
    ("duplicate-key.json", None, 4, ('duplicate key "registries" (first at line 3)',)),
    ("duplicate-key.yaml", None, 4, ('duplicate key "registries" (first at line 2)',)),
    ("empty.json", None, None, ("empty file",)),
    ("empty.yaml", None, None, ("empty file",)),
    ("whitespace-only.json", None, None, ("empty file",)),
    ("comments-only.yaml", None, None, ("empty file",)),
    # YAML alias bombs and broken aliases: refused while composing, before anything is expanded
    ("yaml-alias-bomb.yaml", None, 7, ("expands to more than 1000000 nodes", "alias bomb")),
    ("yaml-recursive-alias.yaml", None, 5, ("recursive alias",)),
    ("yaml-undefined-alias.yaml", None, 2, ("alias (*name) has no anchor",)),
    # valid JSON that is no ptclint input
    ("not-ptclint.json", None, None, ("not a recognised ptclint input",)),
]


def _shown(entry: tuple) -> str:
    arg, shown, _, _ = entry
    return H + (shown or arg)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PTCLINT_DEBUG", None)
    return env


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return cli_many([list(args)], cwd=cwd)[0]


def cli_many(arglists: list[list[str]], cwd: Path = ROOT) -> list[subprocess.CompletedProcess]:
    """Run several `python -m ptclint ...` at once (each pays start-up and catalog load)."""
    procs = [subprocess.Popen([sys.executable, "-m", "ptclint", *args], cwd=cwd, env=_env(), text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for args in arglists]
    out = []
    for args, proc in zip(arglists, procs):
        stdout, stderr = proc.communicate(timeout=900)
        out.append(subprocess.CompletedProcess(args, proc.returncode, stdout, stderr))
    return out


def assert_clean_stderr(stderr: str) -> None:
    assert "Traceback" not in stderr, stderr
    assert "internal error" not in stderr, stderr


def error_line(stderr: str, shown: str, line: int | None) -> str:
    """The stderr line reporting `shown` at `line` (one line a problem)."""
    head = f"ptclint: error: {shown}:{line}:" if line is not None else f"ptclint: error: {shown}: "
    found = [ln for ln in stderr.splitlines() if ln.startswith(head)]
    assert len(found) == 1, f"no single {head!r} line in:\n{stderr}"
    return found[0]


# ---------------------------------------------------------------- the corpus


def test_the_corpus_is_big_enough() -> None:
    files = [p for p in HOSTILE.rglob("*") if p.is_file()]
    assert len(CORPUS) >= 30 and len(files) >= 30
    for arg, *_ in CORPUS:
        assert (HOSTILE / arg).exists(), arg
        size = sum(p.stat().st_size for p in [HOSTILE / arg, *(HOSTILE / arg).glob("*")] if p.is_file())
        assert size < 4096, f"{arg}: keep corpus files small; generate large ones in the test"


@pytest.mark.parametrize("entry", CORPUS, ids=[c[0] for c in CORPUS])
def test_each_hostile_file_is_an_input_error(entry, catalog, monkeypatch) -> None:
    """In-process: exactly one problem, at the expected line, saying what was expected; exit 2."""
    from ptclint.scan import ScanOptions, run

    monkeypatch.chdir(ROOT)
    arg, _, line, fragments = entry
    result = run(ScanOptions(paths=[H + arg]), catalog=catalog)
    assert len(result.problems) == 1, result.problems
    problem = result.problems[0]
    assert problem.file == _shown(entry)
    assert problem.line == line, str(problem)
    for fragment in fragments:
        assert fragment in problem.message, str(problem)
    assert result.exit_code() == 2
    assert not result.findings and not result.registries


def test_the_corpus_through_the_cli() -> None:
    """One real scan of every corpus file: exit 2, one error line each naming file, line and what
    was expected; the run ends with its summary; no traceback."""
    proc = cli("scan", *[H + arg for arg, *_ in CORPUS])
    assert proc.returncode == 2, proc.stderr
    assert_clean_stderr(proc.stderr)
    for entry in CORPUS:
        line = error_line(proc.stderr, _shown(entry), entry[2])
        for fragment in entry[3]:
            assert fragment in line, line
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("ptclint: error: ")]
    assert len(errors) == len(CORPUS)
    assert proc.stderr.splitlines()[-1].startswith("ptclint: 0 errors, 0 warnings, 0 notes in 0 registries")
    assert f"{len(CORPUS)} input errors" in proc.stderr.splitlines()[-1]


def test_generated_deep_huge_and_oversized_files(tmp_path: Path) -> None:
    """Deep nesting (JSON, YAML block and flow style) is refused at the depth limit; a file over the
    default 10 MiB limit is refused by its size before it is read; all in one scan."""
    deep_json = tmp_path / "deep.json"
    deep_json.write_text('{"a": ' * 50_000 + "1" + "}" * 50_000)
    deep_array = tmp_path / "deep-array.json"
    deep_array.write_text("[" * 1_000_000 + "]" * 1_000_000)  # ~2 MB: iterative parser stops at level 201
    deep_yaml = tmp_path / "deep.yaml"
    deep_yaml.write_text("".join(" " * i + f"k{i}:\n" for i in range(1000)) + " " * 1000 + "leaf\n")
    deep_flow = tmp_path / "deep-flow.yaml"
    deep_flow.write_text("x: " + "[" * 100_000 + "]" * 100_000 + "\n")
    huge = tmp_path / "huge.snapshot.json"
    with open(huge, "w") as fh:  # valid JSON, 10 MiB + 1 KiB
        fh.write('{"ptclintSnapshot": 1, "registries": [], "pad": "')
        fh.write("x" * (10 * 1024 * 1024 + 1024))
        fh.write('"}')
    proc = cli("scan", str(deep_json), str(deep_array), str(deep_yaml), str(deep_flow), str(huge), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert_clean_stderr(proc.stderr)
    assert "nesting deeper than 200 levels" in error_line(proc.stderr, "deep.json", 1)
    assert "nesting deeper than 200 levels" in error_line(proc.stderr, "deep-array.json", 1)
    assert "nesting deeper than 200 levels" in error_line(proc.stderr, "deep.yaml", 201)
    flow = error_line(proc.stderr, "deep-flow.yaml", 1)
    assert ("nesting" in flow and "depth" in flow) or "deeper than" in flow, flow
    big = error_line(proc.stderr, "huge.snapshot.json", None)
    assert f"over the {10 * 1024 * 1024}-byte limit" in big and "--max-file-size" in big


def test_max_file_size_option(tmp_path: Path) -> None:
    """--max-file-size refuses the big file by name and still judges the small one."""
    big = tmp_path / "big.snapshot.json"
    data = json.loads(SMALL_SNAPSHOT.read_text())
    data["generatedAt"] = "x" * 3000
    big.write_text(json.dumps(data))
    small = tmp_path / "rules.json"
    small.write_text(AWSCLI_RULES.read_text())
    assert small.stat().st_size < 2000 < big.stat().st_size
    proc = cli("scan", "big.snapshot.json", "rules.json", "--max-file-size", "2000", "-f", "json", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert_clean_stderr(proc.stderr)
    message = error_line(proc.stderr, "big.snapshot.json", None)
    assert f"file is {big.stat().st_size} bytes, over the 2000-byte limit" in message
    report = json.loads(proc.stdout)
    assert {f["ruleId"] for f in report["findings"]} == {"PTC-AUTH-001", "PTC-UP-004"}


def test_a_directory_without_iac_is_not_an_error() -> None:
    """Walking finds nothing PTC-related (not even in a broken .json or an unrelated .tf): exit 0."""
    proc = cli("scan", H + "no-iac")
    assert proc.returncode == 0, proc.stderr
    assert_clean_stderr(proc.stderr)
    assert "error:" not in proc.stderr
    assert "in 0 registries (0 files)" in proc.stderr
    assert proc.stdout == "No findings.\n"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a FIFO")
def test_a_fifo_found_by_walking_is_skipped(tmp_path: Path, catalog) -> None:
    """A named pipe called *.json inside a scanned directory would block a read forever: skipped."""
    import threading

    from ptclint.scan import ScanOptions, run

    os.mkfifo(tmp_path / "pipe.json")
    (tmp_path / "rules.json").write_text(AWSCLI_RULES.read_text())
    results: list = []
    worker = threading.Thread(target=lambda: results.append(run(ScanOptions(paths=[str(tmp_path)]), catalog=catalog)),
                              daemon=True)
    worker.start()
    worker.join(300)
    if worker.is_alive():  # unblock the reader so the thread can end
        with open(tmp_path / "pipe.json", "w") as fh:
            fh.write("{}")
        pytest.fail("the scan blocked on a FIFO found by walking")
    assert not results[0].problems and len(results[0].findings) == 2


# ---------------------------------------------------------------- valid files in other encodings


def _variants(path: Path, directory: Path) -> dict[str, Path]:
    text = path.read_text(encoding="utf-8")
    assert "\r" not in text
    out = {}
    for name, data in {
        "utf8-bom": codecs.BOM_UTF8 + text.encode("utf-8"),
        "utf16le-bom": codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
        "utf16be-bom": codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
        "crlf": text.replace("\n", "\r\n").encode("utf-8"),
        "utf8-bom-crlf": codecs.BOM_UTF8 + text.replace("\n", "\r\n").encode("utf-8"),
        "utf16le-bom-crlf": codecs.BOM_UTF16_LE + text.replace("\n", "\r\n").encode("utf-16-le"),
    }.items():
        target = directory / f"{path.stem}.{name}{path.suffix}"
        target.write_bytes(data)
        out[name] = target
    return out


def _judged(result) -> set[tuple]:
    return {(f.rule_id, f.origin.line, f.origin.column, f.identity.key, f.message) for f in result.findings}


def test_bom_and_crlf_snapshots_scan_like_the_original(tmp_path: Path, catalog) -> None:
    """A byte-order mark (UTF-8, UTF-16) and CRLF line ends are no error, and findings point at the
    same lines and columns as in the LF, BOM-less original."""
    from ptclint.scan import ScanOptions, run

    original = run(ScanOptions(paths=[str(SMALL_SNAPSHOT)]), catalog=catalog)
    assert original.exit_code() == 1 and len(original.findings) == 2
    expected = _judged(original)
    for name, path in _variants(SMALL_SNAPSHOT, tmp_path).items():
        result = run(ScanOptions(paths=[str(path)]), catalog=catalog)
        assert not result.problems, (name, result.problems)
        assert _judged(result) == expected, name
        assert result.exit_code() == 1


def test_bom_and_crlf_templates_through_the_cli(tmp_path: Path) -> None:
    """The same for CloudFormation YAML, through the command line in one scan (each template is
    its own registry, so they do not interfere)."""
    variants = _variants(CFN_MISTAKES, tmp_path)
    original = tmp_path / CFN_MISTAKES.name
    original.write_bytes(CFN_MISTAKES.read_bytes())
    proc = cli("scan", ".", "-f", "json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert_clean_stderr(proc.stderr)
    report = json.loads(proc.stdout)
    assert report["inputProblems"] == []
    by_file: dict[str, set] = {}
    for f in report["findings"]:
        loc = f["location"]
        by_file.setdefault(loc["file"], set()).add((f["ruleId"], loc["line"], loc["column"], f["message"]))
    expected = by_file[original.name]
    assert len(expected) >= 5
    for name, path in variants.items():
        assert by_file.get(path.name) == expected, name


# ---------------------------------------------------------------- rule files and flags


def test_bad_rule_files_and_params() -> None:
    """--rules DIR with a schema error, a CEL syntax error, a duplicate id; a bad --param: exit 2,
    file and line (or the flag), what was expected, and nothing judged."""
    runs = cli_many([
        ["scan", str(AWSCLI_RULES), "--rules", H + "rules/schema-error"],
        ["scan", str(AWSCLI_RULES), "--rules", H + "rules/cel-syntax-error"],
        ["scan", str(AWSCLI_RULES), "--rules", H + "rules/duplicate-id"],
        ["scan", str(AWSCLI_RULES), "--param", "PTC-NAME-008.ratio=lots"],
    ])
    for proc in runs:
        assert proc.returncode == 2, (proc.args, proc.stderr)
        assert_clean_stderr(proc.stderr)
        assert proc.stdout == "", proc.args  # stops before judging anything
    schema, syntax, duplicate, ratio = (p.stderr for p in runs)
    assert f"ptclint: error: {H}rules/schema-error/PTC-HYG-903.yaml:4:11: severity: 'loud' is not one of " \
           "['error', 'warning', 'note']" in schema
    line = error_line(syntax, f"{H}rules/cel-syntax-error/PTC-HYG-904.yaml", 6)
    assert "CEL syntax error in assert" in line and "expected ')'" in line
    line = error_line(duplicate, f"{H}rules/duplicate-id/PTC-UP-001.yaml", 1)
    assert "duplicate rule id PTC-UP-001" in line and "rules/up/PTC-UP-001.yaml" in line
    assert "ptclint: error: --param PTC-NAME-008.ratio=lots: ratio must be a number" in ratio


@pytest.mark.parametrize("options, message", [
    ({"params": ["PTC-NAME-008"]}, "--param PTC-NAME-008: expected RULE.NAME=VALUE"),
    ({"params": ["PTC-NAME-008.colour=red"]}, "PTC-NAME-008 has no param 'colour' (params: quota, ratio)"),
    ({"params": ["PTC-NOPE-001.x=1"]}, "--param PTC-NOPE-001.x=1: unknown rule PTC-NOPE-001"),
    ({"params": ["PTC-NAME-008.quota=many"]}, "quota must be a"),
    ({"select": ["PTC-NOPE"]}, "--select PTC-NOPE: matches no rule"),
    ({"rules_dirs": [H + "no-such-directory"]}, "--rules tests/hostile/no-such-directory: not a directory"),
], ids=["shape", "unknown-param", "unknown-rule", "type", "select", "rules-dir"])
def test_bad_flags_stop_before_judging(options, message, catalog, monkeypatch) -> None:
    from ptclint.errors import ConfigError
    from ptclint.scan import ScanOptions, run

    monkeypatch.chdir(ROOT)
    given_catalog = None if "rules_dirs" in options else catalog
    with pytest.raises(ConfigError) as info:
        run(ScanOptions(paths=[str(AWSCLI_RULES)], **options), catalog=given_catalog)
    assert message in str(info.value)


# ---------------------------------------------------------------- one bad file hides nothing


def test_one_bad_file_does_not_hide_the_rest() -> None:
    """A broken file and a file with findings: the broken one is reported, the findings are still in
    the JSON report, and the exit code is 2 (an input error outranks findings)."""
    proc = cli("scan", H + "json-truncated.json", str(AWSCLI_RULES.relative_to(ROOT)), H + "cfn-unknown-tag.yaml",
               "-f", "json")
    assert proc.returncode == 2, proc.stderr
    assert_clean_stderr(proc.stderr)
    report = json.loads(proc.stdout)
    assert {f["ruleId"] for f in report["findings"]} == {"PTC-AUTH-001", "PTC-UP-004"}
    assert {p["file"] for p in report["inputProblems"]} == {H + "json-truncated.json", H + "cfn-unknown-tag.yaml"}
    assert report["summary"]["exitCode"] == 2 and report["summary"]["inputProblems"] == 2
    error_line(proc.stderr, H + "json-truncated.json", 4)
    error_line(proc.stderr, H + "cfn-unknown-tag.yaml", 6)


# ---------------------------------------------------------------- a failing rule is isolated


def _key(f: dict) -> tuple:
    return f["ruleId"], f["resource"]["fqn"], f["location"]["line"], f["message"]


def test_a_rule_that_fails_at_run_time_is_isolated(catalog) -> None:
    """Two extra rules: one divides by zero on one resource, one compares a string with an int on
    every resource. Those outcomes are evaluation errors (exit 3); every other rule still runs and
    reports the same findings; --allow-partial gives the code the findings alone give (1)."""
    from ptclint.reporters.json import document
    from ptclint.scan import ScanOptions, run

    base = document(run(ScanOptions(paths=[str(SMALL_SNAPSHOT)]), catalog=catalog))
    expected = {_key(f) for f in base["findings"]}
    assert len(expected) == 2 and base["summary"]["exitCode"] == 1
    extra = ["--rules", H + "rules/runtime-error", "--rules", H + "rules/type-error"]
    failing, allowed = cli_many([["scan", str(SMALL_SNAPSHOT), "-f", "json", *extra],
                                 ["scan", str(SMALL_SNAPSHOT), "-f", "json", *extra, "--allow-partial"]])
    for proc in (failing, allowed):
        assert_clean_stderr(proc.stderr)

    report = json.loads(failing.stdout)
    assert failing.returncode == 3, failing.stderr
    assert report["summary"]["partial"] is True and report["summary"]["exitCode"] == 3
    errors = report["evaluationErrors"]
    assert sorted((e["ruleId"], e["resource"]["key"]) for e in errors) == [
        ("PTC-HYG-901", "quay"), ("PTC-HYG-902", "docker-hub"), ("PTC-HYG-902", "gitlab"), ("PTC-HYG-902", "quay")]
    by_rule = {e["ruleId"]: e for e in errors}
    assert "divide by zero" in by_rule["PTC-HYG-901"]["error"]
    assert by_rule["PTC-HYG-901"]["location"]["line"] == 20  # the quay rule's object in the snapshot
    assert {_key(f) for f in report["findings"]} == expected
    assert report["summary"]["passed"] == base["summary"]["passed"] + 2  # PTC-HYG-901 on docker-hub and gitlab
    assert "4 rule evaluation errors" in failing.stderr

    assert allowed.returncode == 1, allowed.stderr
    assert json.loads(allowed.stdout)["evaluationErrors"] == errors
    assert {_key(f) for f in json.loads(allowed.stdout)["findings"]} == expected


# ---------------------------------------------------------------- output is never half-written


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_a_reporter_that_fails_midway_writes_nothing(tmp_path: Path, catalog, monkeypatch) -> None:
    """The reporter raises after producing part of its text: --output keeps its previous content and
    no temporary file is left behind."""
    from typer.testing import CliRunner

    import ptclint.reporters.json as json_report
    import ptclint.scan
    from ptclint.cli import app

    monkeypatch.setattr(ptclint.scan, "load_catalog", lambda dirs=(): catalog)
    target = tmp_path / "report.json"
    target.write_text("previous report\n")

    def broken_render(result):
        json_report.document(result)  # a good part of the work is done ...
        raise RuntimeError("reporter failed midway")  # ... then it fails

    monkeypatch.setattr(json_report, "render", broken_render)
    run = CliRunner().invoke(app, ["scan", str(SMALL_SNAPSHOT), "-f", "json", "-o", str(target)])
    assert isinstance(run.exception, RuntimeError)
    assert target.read_text() == "previous report\n"
    assert _leftovers(tmp_path) == []


class _HalfWriter:
    """A file whose write() stores half the text, then raises (disk full, or Ctrl-C mid-write)."""

    def __init__(self, real, exc: BaseException) -> None:
        self.real, self.exc = real, exc

    def write(self, text: str) -> int:
        self.real.write(text[: len(text) // 2])
        self.real.flush()
        raise self.exc

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.real.close()


@pytest.mark.parametrize("exc", [OSError(28, "No space left on device"), KeyboardInterrupt()],
                         ids=["disk-full", "ctrl-c"])
def test_a_write_that_fails_midway_leaves_nothing_behind(tmp_path: Path, monkeypatch, exc) -> None:
    import builtins

    from ptclint import frontend  # the report writer of `scan` (and of cli's other commands)

    target = tmp_path / "report.sarif"
    target.write_text("previous report\n")

    def half_open(path, mode="r", *args, **kwargs):
        return _HalfWriter(builtins.open(path, mode, *args, **kwargs), exc)

    monkeypatch.setattr(frontend, "open", half_open, raising=False)
    with pytest.raises((SystemExit, KeyboardInterrupt)):
        frontend.write('{"runs": []}\n' * 1000, str(target))
    assert target.read_text() == "previous report\n"
    assert _leftovers(tmp_path) == []


def test_interrupted_during_evaluation(tmp_path: Path, catalog, monkeypatch, capsys) -> None:
    """Ctrl-C while rules are judged: exit 130, "interrupted", no report file, no temporary file."""
    import ptclint.scan
    from ptclint.cli import run_main

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(ptclint.scan, "load_catalog", lambda dirs=(): catalog)
    monkeypatch.setattr(ptclint.scan, "evaluate", interrupted)
    target = tmp_path / "report.json"
    monkeypatch.setattr(sys, "argv", ["ptclint", "scan", str(SMALL_SNAPSHOT), "-f", "json", "-o", str(target)])
    with pytest.raises(SystemExit) as info:
        run_main()
    assert info.value.code == 130
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err
    assert not target.exists() and _leftovers(tmp_path) == []
    _expect_interrupted_message(captured.err)


def _expect_interrupted_message(stderr: str) -> None:
    # typer turns KeyboardInterrupt into a silent exit 130 inside app(): the scan command says it itself
    assert stderr.strip() == "ptclint: interrupted"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a FIFO")
def test_sigint_during_a_real_scan(tmp_path: Path) -> None:
    """A real SIGINT while the scan reads its input (a FIFO holds it there): exit 130, one line
    "ptclint: interrupted", no traceback, the previous report untouched, no temporary file."""
    fifo = tmp_path / "input.json"
    os.mkfifo(fifo)
    target = tmp_path / "report.json"
    target.write_text("previous report\n")
    proc = subprocess.Popen([sys.executable, "-m", "ptclint", "scan", str(fifo), "-f", "json", "-o", str(target)],
                            cwd=ROOT, env=_env(), text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 900
        fd = None
        while fd is None:  # opening the write end succeeds once the scan has opened the FIFO to read it
            try:
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "the scan never opened its input"
                time.sleep(0.05)
        os.write(fd, b'{"ptclintSnapshot": 1, ')  # the scan is now blocked reading the rest
        time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=900)
        os.close(fd)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert stdout == ""
    assert target.read_text() == "previous report\n"
    assert _leftovers(tmp_path) == []
    _expect_interrupted_message(stderr)
