"""Render an HTML audit report in headless Chromium: PNG screenshot, console messages, network
requests, and the time it takes (issue 15, "Done when" 2 and 3).

    apt-get install chromium-headless-shell          # Debian's package
    python scripts/render-report.py REPORT.html [--png OUT.png] [--runs 3]

The page is opened from a file:// URL with every host name resolving to nothing, Chromium's log on
stderr (every `console.*` message and every page error appears as a CONSOLE line) and its network
log in a temporary file (every URL the page asked for). The render time is the median wall time of
Chromium opening the report and writing the screenshot, less the median for an empty page (the
browser's own start-up), over --runs runs each.

Exit 0 when the page logged nothing to the console and asked for no URL other than itself; 1
otherwise; 2 when Chromium is not installed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BROWSERS = ("chromium-headless-shell", "chromium", "chrome-headless-shell")


def browser() -> str | None:
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def render(exe: str, page: Path, png: Path, work: Path) -> tuple[float, list[str], set[str]]:
    """(seconds, console lines, URLs requested) for one run of Chromium on `page`."""
    netlog = work / "net.json"
    command = [exe, "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
               f"--log-net-log={netlog}", "--host-resolver-rules=MAP * ~NOTFOUND", "--window-size=1280,1600",
               f"--screenshot={png}", page.resolve().as_uri()]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0 or not png.exists():
        raise SystemExit(f"render-report: {exe} failed ({done.returncode}): {done.stderr[-500:]}")
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    urls: set[str] = set()
    if netlog.exists():
        text = netlog.read_text(encoding="utf-8", errors="replace").rstrip().rstrip(",")
        events = json.loads(text if text.endswith("}") else text + "]}").get("events", [])
        urls = {str(e["params"]["url"]) for e in events if "url" in (e.get("params") or {})}
    return elapsed, console, urls - {page.resolve().as_uri()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("--png", type=Path, default=None, help="screenshot (default: REPORT.png beside it)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    exe = browser()
    if exe is None:
        print("render-report: no headless Chromium (apt-get install chromium-headless-shell)", file=sys.stderr)
        return 2
    png = args.png or args.report.with_suffix(".png")
    with tempfile.TemporaryDirectory(prefix="ptclint-render-") as tmp:
        work = Path(tmp)
        blank = work / "blank.html"
        blank.write_text("<!DOCTYPE html><title>blank</title>", encoding="utf-8")
        base = [render(exe, blank, work / "blank.png", work)[0] for _ in range(args.runs)]
        runs = [render(exe, args.report, png, work) for _ in range(args.runs)]
    times = [r[0] for r in runs]
    console = sorted({line for r in runs for line in r[1]})
    urls = sorted({u for r in runs for u in r[2]})
    size = os.path.getsize(args.report)
    render_s = statistics.median(times) - statistics.median(base)
    print(f"report {args.report}: {size / 1e6:.2f} MB; Chromium open+screenshot median {statistics.median(times):.2f} s"
          f" (empty page {statistics.median(base):.2f} s): render {render_s:.2f} s; screenshot {png}")
    print(f"console messages: {len(console)}; network requests: {len(urls)}")
    for line in console + urls:
        print(f"  {line}")
    return 0 if not console and not urls else 1


if __name__ == "__main__":
    sys.exit(main())
