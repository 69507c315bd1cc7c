"""The layers of the CEL machinery: importing ptclint patches nothing in celpy, rulelib never imports
the CEL layer, and the runtime never imports the function table or the rule library."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "ptclint"

_CHECK = """
import importlib, pkgutil, sys
import celpy.celtypes as celtypes
own_or, own_and = celtypes.logical_or, celtypes.logical_and
import ptclint
skipped = []
for info in pkgutil.walk_packages(ptclint.__path__, "ptclint."):
    if info.name.endswith("__main__"):  # runs the command line
        continue
    try:
        importlib.import_module(info.name)
    except ImportError as exc:  # modules needing boto3 (the live extra)
        skipped.append((info.name, str(exc)))
assert "ptclint.cel.functions" in sys.modules and "ptclint.engine" in sys.modules
assert celtypes.logical_or is own_or and celtypes.logical_and is own_and, "importing ptclint patched celpy"
print("ok", skipped)
"""


def test_importing_ptclint_patches_nothing_in_celpy() -> None:
    out = subprocess.run([sys.executable, "-c", _CHECK], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ok")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def test_rulelib_imports_only_model_paths_and_rulelib() -> None:
    for path in sorted((PACKAGE / "rulelib").glob("*.py")):
        ours = {n for n in _imports(path) if n.startswith("ptclint")}
        bad = {n for n in ours if not n.startswith(("ptclint.model", "ptclint.rulelib", "ptclint.paths"))}
        assert not bad, f"{path.name} imports {sorted(bad)}"
        assert not {n for n in _imports(path) if n.split(".")[0] in ("celpy", "lark")}, path.name


def test_the_runtime_knows_no_domain() -> None:
    ours = {n for n in _imports(PACKAGE / "cel" / "runtime.py") if n.startswith("ptclint")}
    # (cel.cost, the CEL cost budget, imports nothing either)
    assert ours <= {"ptclint.model", "ptclint.model.Unknown", "ptclint.cel", "ptclint.cel.cost"}, ours
    # The CEL compiler (celpy's parse tree and literal decoding) and the code it generates (celpy's
    # values, operators and functions, called exactly as the interpreter calls them) use celpy too;
    # they live beside the runtime, which stays the interpreter and the oracle.
    celpy_users = {PACKAGE / "cel" / name for name in ("runtime.py", "compiler.py", "compiled.py")}
    for path in PACKAGE.rglob("*.py"):
        if path not in celpy_users:  # (lark also parses HCL for the Terraform loader: only celpy is CEL's)
            assert not {n for n in _imports(path) if n.split(".")[0] == "celpy"}, path
