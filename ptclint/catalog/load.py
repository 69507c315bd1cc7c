"""Loading the catalog: walk the rule directories, validate each file, compile its CEL once."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ptclint import schemas
from ptclint.catalog.cache import cache_key, read_cache, write_cache
from ptclint.errors import CatalogError, ConfigError
from ptclint.model import Severity
from ptclint.paths import package_dir
from ptclint.rule import Catalog, Param, Rule

_TEMPLATE_PART = re.compile(r"\{\{(.*?)\}\}", re.S)


def rule_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def load_catalog(extra_dirs: Iterable[str] = (), use_cache: bool = True) -> Catalog:
    """Load the shipped rules plus any `--rules DIR`; raises CatalogError on the first bad file."""
    dirs = [package_dir("rules")]
    for extra in extra_dirs:
        path = Path(extra)
        if not path.is_dir():
            raise ConfigError(f"--rules {extra}: not a directory")
        dirs.append(path)
    files = [f for d in dirs for f in rule_files(d)]
    schema_path = schemas.path("rule")
    blobs = [(str(f), f.read_bytes()) for f in files]
    key = cache_key(schema_path.read_bytes(), blobs)
    cached = read_cache(key) if use_cache else None
    if cached is not None:
        return cached
    catalog = _build(blobs)
    if use_cache:
        write_cache(key, catalog)
    return catalog


def _build(blobs: list[tuple[str, bytes]]) -> Catalog:
    from ptclint import parsing

    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for name, raw in blobs:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CatalogError(name, f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
        doc = parsing.parse_yaml(name, text.replace("\r\n", "\n"))
        schemas.validate(doc, "rule")
        rule = _compile_rule(name, doc, text.splitlines())
        if rule.id in seen:
            raise CatalogError(name, f"duplicate rule id {rule.id} (also in {seen[rule.id]})",
                               doc.position(("id",)).line)
        seen[rule.id] = name
        rules.append(rule)
    names: dict[str, str] = {}
    for rule in rules:
        if rule.name in names:
            raise CatalogError(rule.file, f"duplicate rule name {rule.name!r} (also {names[rule.name]})", rule.line)
        names[rule.name] = rule.id
        for other in rule.supersedes:
            if other not in seen:
                raise CatalogError(rule.file, f"supersedes unknown rule {other}", rule.line)
    rules.sort(key=lambda r: r.id)
    return Catalog(rules)


def _compile_rule(name: str, doc: Any, lines: list[str]) -> Rule:
    from ptclint.cel import runtime
    from ptclint.cel.compiler import compile_program

    data = doc.data

    def compile_at(path: tuple, text: str) -> Any:
        try:
            return compile_program(text, runtime.compile_expr(text))
        except runtime.CelSyntaxError as exc:
            pos = doc.position(path)
            line = _source_line(lines, pos.line, pos.column, exc.line or 1, exc.column or 1)
            raise CatalogError(name, f"CEL syntax error in {'/'.join(map(str, path))}: {exc}",
                               line, pos.column) from None

    message_parts: list[Any] = []
    last = 0
    msg = data["message"]
    for m in _TEMPLATE_PART.finditer(msg):
        message_parts.append(msg[last : m.start()])
        message_parts.append((compile_at(("message",), m.group(1).strip()), m.group(1).strip()))
        last = m.end()
    message_parts.append(msg[last:])
    severity_when = tuple((e["when"], Severity(e["severity"])) for e in data.get("severity_when", []))
    cause_when = tuple((e["when"], e["cause"]) for e in data.get("cause_when", []))
    variables = tuple((v["name"], v["expression"]) for v in data.get("variables", []))
    variable_asts = tuple(
        (n, compile_at(("variables", i, "expression"), src)) for i, (n, src) in enumerate(variables)
    )
    compiled = {
        "when_ast": compile_at(("when",), data["when"]) if data.get("when") else None,
        "assert_ast": compile_at(("assert",), data["assert"]),
        "message_parts": tuple(message_parts),
        "related_ast": compile_at(("related",), data["related"]) if data.get("related") else None,
        "severity_when_asts": tuple(
            compile_at(("severity_when", i, "when"), src) for i, (src, _) in enumerate(severity_when)
        ),
        "cause_when_asts": tuple(
            compile_at(("cause_when", i, "when"), src) for i, (src, _) in enumerate(cause_when)
        ),
    }
    _check_variable_uses(name, doc, variable_asts, compiled)
    return Rule(
        id=data["id"],
        name=data["name"],
        title=data["title"],
        severity=Severity(data["severity"]),
        resource=data["resource"],
        file=name,
        line=doc.position(("id",)).line,
        docs=dict(data["docs"]),
        references=tuple(data["references"]),
        message_src=msg,
        assert_src=data["assert"],
        when_src=data.get("when"),
        needs=tuple(data.get("needs", [])),
        supersedes=tuple(data.get("supersedes", [])),
        opt_in=bool(data.get("opt_in", False)),
        at=data.get("at"),
        tags=tuple(data.get("tags", [])),
        security_severity=data.get("security_severity"),
        precision=data.get("precision", "high"),
        params=tuple(Param(k, v["default"], v["type"], v["description"]) for k, v in data.get("params", {}).items()),
        severity_when=severity_when,
        cause=data.get("cause"),
        cause_when=cause_when,
        variables=variables,
        variable_asts=variable_asts,
        **compiled,
    )


def _check_variable_uses(name: str, doc: Any, variable_asts: tuple[tuple[str, Any], ...],
                         compiled: dict[str, Any]) -> None:
    """Each variable is defined once and reads only earlier ones; every expression reads only
    defined variables (a typo is a catalog error, not an evaluation error on every resource)."""
    defined: list[str] = []
    for i, (var, ast) in enumerate(variable_asts):
        where = ("variables", i, "name")
        if var in defined:
            raise CatalogError(name, f"variables/{i}: variable {var!r} is defined twice", doc.position(where).line)
        late = sorted(ast.variables - set(defined))
        if late:
            raise CatalogError(name, f"variables/{i}: {var} reads variables.{late[0]}, which is not defined before it",
                               doc.position(where).line)
        defined.append(var)
    programs: list[tuple[str, Any]] = [(k, v) for k, v in compiled.items()
                                       if k in ("when_ast", "assert_ast", "related_ast")]
    programs += [("message", part[0]) for part in compiled["message_parts"] if isinstance(part, tuple)]
    programs += [("severity_when", ast) for ast in compiled["severity_when_asts"]]
    programs += [("cause_when", ast) for ast in compiled["cause_when_asts"]]
    for key, ast in programs:
        missing = sorted(ast.variables - set(defined)) if ast is not None else []
        if missing:
            field = key.removesuffix("_ast")
            raise CatalogError(name, f"{field}: variables.{missing[0]} is not defined in variables",
                               doc.position((field,)).line)


def _source_line(lines: list[str], line: int, column: int, cel_line: int, cel_column: int) -> int:
    """Map a position inside a CEL expression back to the rule file's line.

    A block scalar starts below its `|` / `>` marker; a folded (`>`) one joins its lines with
    spaces, so the column inside the joined text tells which source line it came from.
    """
    marker = lines[line - 1][column - 1 : column] if 0 < line <= len(lines) else ""
    if marker == "|":
        return line + cel_line
    if marker != ">":
        return line + cel_line - 1
    offset, current = cel_column - 1, line + 1
    while current <= len(lines):
        width = len(lines[current - 1].strip()) + 1
        if offset < width:
            return current
        offset -= width
        current += 1
    return line + 1
