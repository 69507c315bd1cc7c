"""The audit report of a 200-account organization: its size, and how long headless Chromium takes to
render it (issue 15, "Done when" 3: under 2 MB, under 2 s).

    python bench/audit_report.py [--accounts 200] [--runs 3] [--out DIR]

Collects the mocked organization of tests/audit/fakeorg.py (N accounts x 2 Regions, planted
problems, answered at botocore's before-send: no network) with `scan --live --format json`, draws
the page with `ptclint report` against two earlier reports (so the trend chart is drawn too), and
runs scripts/render-report.py on it.
"""

from __future__ import annotations

import argparse
import copy
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="ptclint-audit-"))
    out.mkdir(parents=True, exist_ok=True)
    live = ["--org", "--role-name", "PtclintAudit", "--region", "eu-west-1", "--region", "us-east-1"]
    subprocess.run([sys.executable, str(ROOT / "tests" / "audit" / "fakeorg.py"), "--accounts", str(args.accounts),
                    "--", "scan", "--live", *live, "--format", "json", "--snapshot", "snapshot.json",
                    "-o", "report.json", "--quiet"], cwd=out, check=False)
    doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
    previous = []
    for n, (when, keep) in enumerate((("2026-10-05T05:17:00Z", 0.5), ("2026-11-02T05:17:00Z", 0.9))):
        earlier = copy.deepcopy(doc)
        earlier["scannedAt"] = when
        earlier["findings"] = earlier["findings"][: int(len(earlier["findings"]) * keep)]
        path = out / f"previous{n}.json"
        path.write_text(json.dumps(earlier), encoding="utf-8")
        previous += ["--compare", str(path)]
    page = out / "report.html"
    subprocess.run([sys.executable, "-m", "ptclint", "report", str(out / "report.json"), *previous, "-o", str(page)],
                   check=True)
    print(f"{args.accounts} accounts x 2 Regions: {len(doc['findings'])} findings; JSON "
          f"{(out / 'report.json').stat().st_size / 1e6:.2f} MB; HTML {page.stat().st_size / 1e6:.2f} MB ({out})")
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "render-report.py"), str(page),
                           "--runs", str(args.runs)], check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
