"""What the benchmarks share: running a command in fresh processes, cfn-lint in its own
environment, and the `--before TREE` switch that runs another checkout of ptclint side by side.

Timing lives here, never in the test suite.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_VENV = ROOT / ".bench-venv"
CFN_LINT = "cfn-lint==1.58.0"
# Runs ptclint from another checkout: the editable install's import hook is taken off first.
_BEFORE = (
    "import sys; sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f).lower()]; "
    "sys.path.insert(0, sys.argv.pop(1)); sys.argv[0] = 'ptclint'; from ptclint.cli import run_main; run_main()"
)


def ptclint(tree: str | None = None) -> list[str]:
    """The command that runs ptclint: the installed entry point, or the checkout `tree`."""
    if tree:
        return [sys.executable, "-c", _BEFORE, str(Path(tree).resolve())]
    exe = shutil.which("ptclint") or str(Path(sys.executable).with_name("ptclint"))
    return [exe] if Path(exe).exists() else [sys.executable, "-m", "ptclint"]


def cfn_lint() -> list[str]:
    """cfn-lint from its own environment (created on first use; never ptclint's)."""
    exe = BENCH_VENV / "bin" / "cfn-lint"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
        subprocess.run([str(BENCH_VENV / "bin" / "pip"), "install", "-q", CFN_LINT], check=True)
    return [str(exe)]


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {sys.version.split()[0]}"


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one run in a fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1, 2, 3, 4, 6, 8, 10, 12, 14):  # cfn-lint's exit codes are bit masks
        sys.stderr.write(err.decode(errors="replace"))
        raise SystemExit(f"{cmd[0]} failed with exit code {proc.returncode}")
    return wall, usage.ru_maxrss / 1024


def interleaved(commands: dict[str, list[str]], runs: int, env: dict[str, str]) -> dict[str, list[tuple[float, float]]]:
    """Each command `runs` times, taking turns, so load on a shared machine hits them alike."""
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, cmd in commands.items():
            results[name].append(timed(cmd, env))
    return results


def row(name: str, samples: list[tuple[float, float]]) -> str:
    walls = [w for w, _ in samples]
    return f"| {name} | {min(walls):.3f} | {statistics.median(walls):.3f} | {max(walls):.3f} |"


def median(samples: list[tuple[float, float]]) -> float:
    return statistics.median(w for w, _ in samples)


def bench_env(cache: Path) -> dict[str, str]:
    env = {**os.environ, "PTCLINT_CACHE_DIR": str(cache)}
    env.pop("PTCLINT_NO_CACHE", None)
    # An installed package runs from compiled bytecode (pip compiles it, as it did cfn-lint's). A shell
    # with PYTHONDONTWRITEBYTECODE set would make ptclint's own modules (an editable install, or a
    # --before tree) compile from source on every run: 0.2-0.4 s that no installed hook pays.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env
