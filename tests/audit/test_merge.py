"""`ptclint merge` of JSON reports, SARIF logs and snapshots: joined, de-duplicated, in an order that
does not depend on the inputs' order; bad inputs are one-line errors with exit 2."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from ptclint.cli import app

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-account.snapshot.json"


def merge(tmp_path: Path, *files: Path | str, extra: tuple[str, ...] = ()) -> tuple[int, str, Any]:
    out = tmp_path / "merged.out"
    out.unlink(missing_ok=True)
    result = CliRunner().invoke(app, ["merge", *map(str, files), *extra, "-o", str(out)])
    return result.exit_code, result.output, json.loads(out.read_text()) if out.exists() else None


def test_json_reports(tmp_path: Path) -> None:
    a, b = GOLDEN / "examples.json", GOLDEN / "fixtures.json"
    code, _, merged = merge(tmp_path, a, b)
    assert code == 0
    docs = [json.loads(p.read_text()) for p in (a, b)]
    assert len(merged["findings"]) == len({json.dumps(f, sort_keys=True) for d in docs for f in d["findings"]})
    assert merged["summary"]["findings"] == {s: sum(f["severity"] == s for f in merged["findings"])
                                             for s in ("error", "warning", "note")}
    assert merged["summary"]["exitCode"] == max(d["summary"]["exitCode"] for d in docs)
    assert merge(tmp_path, b, a)[2] == merged  # the order of the inputs does not matter
    copy = tmp_path / "copy.json"
    shutil.copy(a, copy)
    assert merge(tmp_path, a, copy)[2]["findings"] == merge(tmp_path, a)[2]["findings"]  # de-duplicated


def test_sarif_logs(tmp_path: Path) -> None:
    a, b = GOLDEN / "examples.sarif", GOLDEN / "fixtures.sarif"
    code, _, merged = merge(tmp_path, a, b)
    assert code == 0 and len(merged["runs"]) == 1
    run = merged["runs"][0]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rules == sorted(set(rules))
    assert all(rules[r["ruleIndex"]] == r["ruleId"] for r in run["results"])
    counts = [len(json.loads(p.read_text())["runs"][0]["results"]) for p in (a, b)]
    assert len(run["results"]) <= sum(counts) and len(run["results"]) >= max(counts)
    assert merge(tmp_path, b, a)[2] == merged
    assert merge(tmp_path, a, a)[2]["runs"][0]["results"] == json.loads(a.read_text())["runs"][0]["results"]


def test_snapshots_and_accounts_file(tmp_path: Path) -> None:
    doc = json.loads(DEMO.read_text())
    first, second = dict(doc, registries=doc["registries"][:1]), dict(doc, registries=doc["registries"][1:])
    (tmp_path / "a.json").write_text(json.dumps(first))
    (tmp_path / "b.json").write_text(json.dumps(second))
    code, _, merged = merge(tmp_path, tmp_path / "b.json", tmp_path / "a.json")
    assert code == 0
    key = [(r["account"], r["region"]) for r in merged["registries"]]
    assert key == sorted(key) and len(key) == len(doc["registries"])
    account = doc["registries"][0]["account"]
    (tmp_path / "accounts.txt").write_text(f"# one account\n{account}\n")
    _, _, kept = merge(tmp_path, tmp_path / "a.json", tmp_path / "b.json",
                       extra=("--accounts-file", str(tmp_path / "accounts.txt")))
    assert {r["account"] for r in kept["registries"]} == {account}


def test_conflicting_registries_are_an_error(tmp_path: Path) -> None:
    doc = json.loads(DEMO.read_text())
    other = json.loads(DEMO.read_text())
    other["registries"][0]["pullThroughCacheRules"]["items"] = []
    (tmp_path / "a.json").write_text(json.dumps(doc))
    (tmp_path / "b.json").write_text(json.dumps(other))
    code, output, _ = merge(tmp_path, tmp_path / "a.json", tmp_path / "b.json")
    assert code == 2 and "differs between" in output and "a.json" in output and "b.json" in output


def test_bad_inputs_are_errors(tmp_path: Path) -> None:
    code, output, _ = merge(tmp_path, GOLDEN / "examples.json", GOLDEN / "examples.sarif")
    assert code == 2 and "all inputs must be of one kind" in output
    bad = tmp_path / "bad.json"
    bad.write_text("{\n  nope")
    code, output, _ = merge(tmp_path, bad)
    assert code == 2 and f"{bad}:2:" in output and "Traceback" not in output
    code, output, _ = merge(tmp_path, tmp_path / "missing.json")
    assert code == 2 and "cannot read" in output
    code, output, _ = merge(tmp_path, GOLDEN / "examples.json", extra=("--accounts-file", str(bad)))
    assert code == 2 and "accounts-file" in output
