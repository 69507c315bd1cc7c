"""Target 2, organization audit offline: `ptclint scan` of a generated snapshot of N accounts x 3
regions (10 PTC rules and 5 templates per registry; bench/make_org_snapshot.py), whole process,
with cfn-lint on the single template of target 1 timed in the same run for the ratio.

    python bench/org.py [--accounts 100 200 400] [--runs 3] [--before TREE]

Targets: N = 100 in at most 5 s and 300 MiB (about 9x cfn-lint's time); N = 200 and 400 no worse
than linear (within 15 %). Prints (rule, resource) evaluations per second.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, bench_env, cfn_lint, interleaved, machine, median, ptclint, row, timed
from make_org_snapshot import snapshot

TEMPLATE = ROOT / "examples" / "iac" / "cloudformation" / "ptc-mistakes.yaml"


def evaluations(cmd: list[str], env: dict[str, str]) -> int:
    out = subprocess.run([*cmd, "--format", "json"], env=env, capture_output=True, text=True, check=False).stdout
    s = json.loads(out)["summary"]
    findings = sum(s["findings"].values())
    return int(findings + s["passed"] + s["notApplicable"] + s["unknown"] + s["evaluationErrors"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, nargs="+", default=[100, 200, 400])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before", help="another ptclint checkout to time alongside")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ptclint-org-"))
    env = bench_env(work / "cache")
    commands: dict[str, list[str]] = {"cfn-lint (1 template)": [*cfn_lint(), str(TEMPLATE)]}
    for n in args.accounts:
        path = work / f"org-{n}.snapshot.json"
        path.write_text(json.dumps(snapshot(n), indent=2) + "\n", encoding="utf-8")  # as ptclint writes snapshots
        commands[f"ptclint scan org N={n}"] = [*ptclint(), "scan", str(path), "--fail-on", "never"]
        if args.before:
            commands[f"before: ptclint scan org N={n}"] = [
                *ptclint(args.before),
                "scan",
                str(path),
                "--fail-on",
                "never",
            ]
    for cmd in commands.values():
        timed(cmd, env)  # warm-up: catalog caches, file cache
    results = interleaved(commands, args.runs, env)
    print(f"machine: {machine()}; {args.runs} interleaved runs each, wall seconds")
    print("| command | min | median | max | peak MiB |\n|---|---|---|---|---|")
    for name, samples in results.items():
        print(f"{row(name, samples)} {max(m for _, m in samples):.0f} |")
    cfn = median(results["cfn-lint (1 template)"])
    base = None
    for n in args.accounts:
        name = f"ptclint scan org N={n}"
        t = median(results[name])
        per = evaluations(commands[name], env) / t
        base = base or t / n
        print(
            f"N={n}: {t:.2f} s = {t / cfn:.1f}x cfn-lint; {per:,.0f} (rule, resource) evaluations/s; "
            f"{t / n / base:.2f}x the per-account time of N={args.accounts[0]}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
