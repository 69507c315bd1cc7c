"""Target 1, pre-commit: `ptclint scan` of one small CloudFormation template, whole process,
side by side with cfn-lint on the same file in the same run (median ratio at most 0.25).

    python bench/precommit.py [--runs 15] [--before TREE] [FILE]

Also times the first run after install (no catalog cache; target under 1.5 s) and says whether the
scan imported boto3, celpy or lark. `--before TREE` adds another checkout of ptclint (e.g. main,
unpacked with `git archive`) to the same interleaved runs.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, bench_env, cfn_lint, interleaved, machine, median, ptclint, row, timed

DEFAULT = ROOT / "examples" / "iac" / "cloudformation" / "ptc-mistakes.yaml"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=str(DEFAULT))
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--before", help="another ptclint checkout to time alongside")
    args = parser.parse_args()
    cache = Path(tempfile.mkdtemp(prefix="ptclint-bench-"))
    env = bench_env(cache)
    scan = ["scan", args.file, "--fail-on", "never"]
    commands = {"ptclint scan": [*ptclint(), *scan], "cfn-lint": [*cfn_lint(), args.file]}
    if args.before:
        commands["ptclint scan (before)"] = [*ptclint(args.before), *scan]
    cold = [timed(commands["ptclint scan"], {**env, "PTCLINT_CACHE_DIR": str(cache / f"cold{i}")})[0] for i in range(3)]
    for cmd in commands.values():  # warm-up: fills the catalog caches and the OS file cache
        timed(cmd, env)
    results = interleaved(commands, args.runs, env)
    print(
        f"input: {Path(args.file).relative_to(ROOT) if Path(args.file).is_relative_to(ROOT) else args.file}; "
        f"machine: {machine()}; {args.runs} interleaved runs each, wall seconds"
    )
    print("| command | min | median | max |\n|---|---|---|---|")
    for name, samples in results.items():
        print(row(name, samples))
    ratio = median(results["ptclint scan"]) / median(results["cfn-lint"])
    print(f"ratio ptclint / cfn-lint (medians): {ratio:.2f} (target <= 0.25: {'met' if ratio <= 0.25 else 'NOT met'})")
    if args.before:
        print(f"ratio before / cfn-lint: {median(results['ptclint scan (before)']) / median(results['cfn-lint']):.2f}")
    print(f"first run without a catalog cache: median {sorted(cold)[1]:.3f} s (target < 1.5 s)")
    probe = subprocess.run(
        [*commands["ptclint scan"][: -len(scan)][:1], "-X", "importtime", "-m", "ptclint", *scan]
        if commands["ptclint scan"][0] == sys.executable
        else [sys.executable, "-X", "importtime", "-m", "ptclint", *scan],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    imported = {line.split("|")[-1].strip() for line in probe.stderr.splitlines() if line.startswith("import time:")}
    heavy = sorted(
        m for m in ("boto3", "botocore", "celpy", "lark", "typer", "jsonschema", "pydantic") if m in imported
    )
    print(f"top-level packages imported by the scan: {', '.join(heavy) or 'none of the heavy ones'}")
    shutil.rmtree(cache, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
