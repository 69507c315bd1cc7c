"""Start-up benchmark: an offline scan of one small file, as a pre-commit hook runs it.

    python bench/startup.py [--runs 15] [FILE]

Runs `ptclint scan FILE` in fresh processes (after one warm-up run that fills the catalog cache)
and prints min / median / max wall time against the 0.4 s budget. Also lists the heaviest
imports of one run, to see what to make lazy. Timing lives here, never in the test suite.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET = 0.4


def command(file: str) -> list[str]:
    exe = shutil.which("ptclint")
    base = [exe] if exe else [sys.executable, "-m", "ptclint"]
    return [*base, "scan", file, "--fail-on", "never"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", nargs="?",
                        default=str(ROOT / "examples" / "awscli" / "describe-pull-through-cache-rules.json"))
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    cmd = command(args.file)
    env = {**os.environ}
    env.pop("PTCLINT_NO_CACHE", None)
    subprocess.run(cmd, env=env, capture_output=True, check=False)  # warm-up: fills the catalog cache
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        proc = subprocess.run(cmd, env=env, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
        if proc.returncode not in (0, 1):
            print(proc.stderr.decode(), file=sys.stderr)
            return 2
    med = statistics.median(times)
    print(f"ptclint scan {Path(args.file).name}: min {min(times):.3f} s, median {med:.3f} s, "
          f"max {max(times):.3f} s over {args.runs} runs (budget {BUDGET} s: {'OK' if med <= BUDGET else 'OVER'})")
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "ptclint", *cmd[-3:]], env=env,
                          capture_output=True, text=True, check=False)
    rows = []
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cumulative, name = line.split("|")
            if cumulative.strip().isdigit():
                rows.append((int(cumulative), name.rstrip()))
    print("heaviest imports (cumulative ms):")
    for cumulative, name in sorted(rows, reverse=True)[:8]:
        print(f"  {cumulative / 1000:7.1f}  {name.strip()}")
    heavy = [n.strip() for _, n in rows if n.strip() in ("boto3", "botocore", "jsonschema", "sarif_om", "hcl2")]
    print(f"heavy modules imported: {', '.join(heavy) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
