"""`ptclint merge`: join the outputs of sharded runs (`--shard I/N`) into one document.

Three kinds, told apart by their top-level key, all inputs of one kind:

- snapshots (`ptclintSnapshot`): registries joined by (account, region); the same registry in two
  inputs must be the same data (else an error naming both files). Cross-account upstream policies
  are linked again over the merged registries, so a rule whose upstream account fell in another
  shard is judged when the merged snapshot is scanned: scanning it gives what one unsharded run
  gives.
- JSON reports (`ptclintFindings`): findings and every list joined and de-duplicated, counts
  recomputed (findings) or added up over distinct inputs, the exit code the highest.
- SARIF logs: runs with the same tool and category become one run; rules joined by id, results
  re-indexed, de-duplicated and sorted; notifications joined.

Output is deterministic: the order of the inputs does not matter.
"""

from __future__ import annotations

import json
from typing import Any

from ptclint.errors import ConfigError
from ptclint.loaders.aws.upstreams import link_upstreams


def read(path: str) -> dict[str, Any]:
    """A JSON document from `path`; an unreadable file or bad JSON is a ConfigError naming the place."""
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") from None
    if not isinstance(doc, dict):
        raise ConfigError(f"{path}: expected a JSON object (a ptclint snapshot, JSON report or SARIF log)")
    return doc


def kind(doc: dict[str, Any]) -> str:
    if "ptclintSnapshot" in doc:
        return "snapshot"
    if "ptclintFindings" in doc:
        return "json"
    if doc.get("version") == "2.1.0" and isinstance(doc.get("runs"), list):
        return "sarif"
    return ""


def merge_files(paths: list[str], accounts: list[str] | None = None) -> tuple[str, str]:
    """(kind, text) of the merged document of `paths`; snapshots keep only the registries of
    `accounts` when given (after linking upstreams, so a kept rule still sees a dropped upstream)."""
    if not paths:
        raise ConfigError("merge: give the files to merge")
    docs = {path: read(path) for path in dict.fromkeys(paths)}
    kinds = {path: kind(doc) for path, doc in docs.items()}
    for path, k in kinds.items():
        if not k:
            raise ConfigError(f"{path}: not a ptclint snapshot, ptclint JSON report or SARIF 2.1.0 log")
    if len(set(kinds.values())) > 1:
        listed = ", ".join(f"{p} ({k})" for p, k in kinds.items())
        raise ConfigError(f"merge: all inputs must be of one kind, got {listed}")
    which = next(iter(kinds.values()))
    if accounts is not None and which != "snapshot":
        raise ConfigError("merge --accounts-file: only for snapshots (scan the merged snapshot for reports)")
    merged = {"snapshot": snapshots, "json": reports, "sarif": sarif_logs}[which](docs)
    if accounts is not None:
        keep = set(accounts)
        merged["registries"] = [r for r in merged["registries"] if r["account"] in keep]
    return which, json.dumps(merged, indent=2, ensure_ascii=False) + "\n"


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _union(items: list[Any], key: Any = _canon) -> list[Any]:
    """Distinct items (by their canonical JSON), sorted by `key` then canonical JSON."""
    seen = {_canon(i): i for i in items}
    return sorted(seen.values(), key=lambda i: (key(i), _canon(i)))


def snapshots(docs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    versions = {doc.get("ptclintSnapshot") for doc in docs.values()}
    if len(versions) > 1:
        raise ConfigError(f"merge: snapshots of different format versions {sorted(map(str, versions))}")
    by_key: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    for path, doc in docs.items():
        registries = doc.get("registries")
        if not isinstance(registries, list):
            raise ConfigError(f"{path}: snapshot without a `registries` list")
        for n, reg in enumerate(registries):
            if not isinstance(reg, dict) or not isinstance(reg.get("account"), str) \
                    or not isinstance(reg.get("region"), str):
                raise ConfigError(f"{path}: registries[{n}]: expected an object with account and region")
            reg = {k: v for k, v in reg.items() if k != "upstreamPolicies"}  # linked again below
            key = (reg["account"], reg["region"])
            if key in by_key and _canon(by_key[key][1]) != _canon(reg):
                raise ConfigError(f"merge: registry {key[0]}/{key[1]} differs between {by_key[key][0]} and {path} "
                                  "(snapshots of different times? merge the shards of one run)")
            by_key.setdefault(key, (path, reg))
    registries = [reg for _, (_, reg) in sorted(by_key.items())]
    link_upstreams(registries)
    first = docs[min(docs, key=lambda p: _canon(docs[p].get("generatedAt", "")))]
    out = {k: v for k, v in first.items() if k != "registries"}
    out["generatedAt"] = min(str(doc.get("generatedAt", "")) for doc in docs.values())
    out["registries"] = registries
    return out


def _finding_key(f: Any) -> tuple[str, int, int, str, str]:
    loc, res = f.get("location") or {}, f.get("resource") or {}
    return (str(loc.get("file", "")), int(loc.get("line") or 0), int(loc.get("column") or 0), str(f.get("ruleId")),
            str(res.get("fqn", "")))


_ADDED = ("passed", "notApplicable", "unknown", "evaluationErrors", "skipped", "inputProblems", "registries")


def reports(docs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    distinct = list({_canon(d): d for d in docs.values()}.values())
    findings = _union([f for d in distinct for f in d.get("findings", [])], _finding_key)
    counts = {s: sum(1 for f in findings if f.get("severity") == s) for s in ("error", "warning", "note")}
    summaries = [d.get("summary", {}) for d in distinct]
    summary: dict[str, Any] = {"findings": counts}
    for name in _ADDED:
        summary[name] = sum(int(s.get(name) or 0) for s in summaries)
    summary["rulesRun"] = max(int(s.get("rulesRun") or 0) for s in summaries)
    summary["partial"] = any(bool(s.get("partial")) for s in summaries)
    summary["exitCode"] = max(int(s.get("exitCode") or 0) for s in summaries)
    first = min(distinct, key=lambda d: str(d.get("scannedAt", "")))
    out: dict[str, Any] = {"ptclintFindings": first["ptclintFindings"], "tool": first.get("tool"),
                           "scannedAt": first.get("scannedAt"), "summary": summary, "findings": findings}
    for name in ("unknown", "evaluationErrors", "skipped", "inputProblems", "coverageGaps"):
        out[name] = _union([x for d in distinct for x in d.get(name, [])],
                           _finding_key if name in ("unknown", "evaluationErrors") else _canon)
    if any("registries" in d for d in distinct):
        out["registries"] = _union([r for d in distinct for r in d.get("registries", [])])
        summary["registries"] = len(out["registries"])
    return out


def _result_key(r: Any) -> tuple[str, int, str, str]:
    loc = ((r.get("locations") or [{}])[0]).get("physicalLocation", {})
    return (str(loc.get("artifactLocation", {}).get("uri", "")), int(loc.get("region", {}).get("startLine") or 0),
            str(r.get("ruleId", "")), _canon(r.get("partialFingerprints", {})))


def _run_key(run: Any) -> tuple[str, str]:
    return (str(run.get("tool", {}).get("driver", {}).get("name", "")),
            str((run.get("automationDetails") or {}).get("id", "")))


def sarif_logs(docs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for path, doc in docs.items():
        for n, run in enumerate(doc["runs"]):
            if not isinstance(run, dict) or not isinstance(run.get("tool"), dict):
                raise ConfigError(f"{path}: runs[{n}]: expected a SARIF run with a tool")
            groups.setdefault(_run_key(run), []).append(run)
    first = docs[next(iter(docs))]
    return {**{k: v for k, v in first.items() if k != "runs"},
            "runs": [_merge_runs(runs) for _, runs in sorted(groups.items())]}


def _merge_runs(runs: list[dict[str, Any]]) -> dict[str, Any]:
    rules = {r["id"]: r for run in runs for r in run["tool"].get("driver", {}).get("rules", []) or []}
    ordered = [rules[i] for i in sorted(rules)]
    index = {r["id"]: i for i, r in enumerate(ordered)}
    results = []
    for run in runs:
        for result in run.get("results", []) or []:
            result = dict(result)
            if result.get("ruleId") in index:
                result["ruleIndex"] = index[result["ruleId"]]
            results.append(result)
    notes = _union([n for run in runs for inv in run.get("invocations", []) or []
                    for n in inv.get("toolExecutionNotifications", []) or []])
    invocation: dict[str, Any] = {"executionSuccessful": all(inv.get("executionSuccessful", True) for run in runs
                                                             for inv in run.get("invocations", []) or [])}
    if notes:
        invocation["toolExecutionNotifications"] = notes
    base = min(runs, key=_canon)
    driver = {**base["tool"]["driver"], "rules": ordered}
    return {**base, "tool": {**base["tool"], "driver": driver}, "invocations": [invocation],
            "results": _union(results, _result_key)}
