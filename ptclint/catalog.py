"""The rule catalog: walk rules/, validate each file against its schema, compile CEL once.

A validated, compiled catalog is cached on disk keyed by the content of every rule file and the
schema, so a pre-commit run neither re-parses YAML nor re-compiles CEL.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from ptclint import __version__, schemas
from ptclint.errors import CatalogError, ConfigError
from ptclint.model import Severity
from ptclint.paths import package_dir

CACHE_FORMAT = 4  # 3: rule variables; 4: compiled CEL (cel.program.Program) instead of lark trees
_TEMPLATE_PART = re.compile(r"\{\{(.*?)\}\}", re.S)


@dataclass(frozen=True)
class Param:
    name: str
    default: Any
    type: str
    description: str


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    title: str
    severity: Severity
    resource: str
    file: str
    line: int
    docs: Mapping[str, str]
    references: tuple[str, ...]
    message_src: str
    assert_src: str
    when_src: str | None = None
    needs: tuple[str, ...] = ()
    supersedes: tuple[str, ...] = ()
    opt_in: bool = False
    at: str | None = None
    tags: tuple[str, ...] = ()
    security_severity: str | None = None
    precision: str = "high"
    params: tuple[Param, ...] = ()
    severity_when: tuple[tuple[str, Severity], ...] = ()
    # compiled forms (ptclint.cel.program.Program)
    when_ast: Any = None
    assert_ast: Any = None
    message_parts: tuple[Any, ...] = ()  # str literals and (ast, source) pairs
    severity_when_asts: tuple[Any, ...] = ()
    related_ast: Any = None
    variables: tuple[tuple[str, str], ...] = ()  # (name, expression source), in order
    variable_asts: tuple[tuple[str, Any], ...] = ()  # (name, compiled expression)

    @property
    def category(self) -> str:
        return self.id.rsplit("-", 1)[0]  # PTC-AUTH

    def param_defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}


@dataclass
class Catalog:
    rules: list[Rule] = field(default_factory=list)

    def by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}

    def get(self, rule_id: str) -> Rule | None:
        return self.by_id().get(rule_id.upper())


# ---------------------------------------------------------------- loading

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
    key = _cache_key(schema_path.read_bytes(), blobs)
    cached = _read_cache(key) if use_cache else None
    if cached is not None:
        return cached
    catalog = _build(blobs)
    if use_cache:
        _write_cache(key, catalog)
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
            raise CatalogError(name, f"duplicate rule id {rule.id} (also in {seen[rule.id]})", doc.position(("id",)).line)
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
            raise CatalogError(name, f"CEL syntax error in {'/'.join(map(str, path))}: {exc}", line, pos.column) from None

    message_parts: list[Any] = []
    last = 0
    msg = data["message"]
    for m in _TEMPLATE_PART.finditer(msg):
        message_parts.append(msg[last : m.start()])
        message_parts.append((compile_at(("message",), m.group(1).strip()), m.group(1).strip()))
        last = m.end()
    message_parts.append(msg[last:])
    severity_when = tuple((e["when"], Severity(e["severity"])) for e in data.get("severity_when", []))
    variables = tuple((v["name"], v["expression"]) for v in data.get("variables", []))
    variable_asts = tuple(
        (n, compile_at(("variables", i, "expression"), src)) for i, (n, src) in enumerate(variables)
    )
    compiled = dict(
        when_ast=compile_at(("when",), data["when"]) if data.get("when") else None,
        assert_ast=compile_at(("assert",), data["assert"]),
        message_parts=tuple(message_parts),
        related_ast=compile_at(("related",), data["related"]) if data.get("related") else None,
        severity_when_asts=tuple(
            compile_at(("severity_when", i, "when"), src) for i, (src, _) in enumerate(severity_when)
        ),
    )
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
    programs: list[tuple[str, Any]] = [(k, v) for k, v in compiled.items() if k in ("when_ast", "assert_ast", "related_ast")]
    programs += [("message", part[0]) for part in compiled["message_parts"] if isinstance(part, tuple)]
    programs += [("severity_when", ast) for ast in compiled["severity_when_asts"]]
    for key, ast in programs:
        missing = sorted(ast.variables - set(defined)) if ast is not None else []
        if missing:
            field = key.removesuffix("_ast")
            raise CatalogError(name, f"{field}: variables.{missing[0]} is not defined in variables", doc.position((field,)).line)


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


# ---------------------------------------------------------------- cache

def _cache_dir() -> Path | None:
    if os.environ.get("PTCLINT_NO_CACHE"):
        return None
    base = os.environ.get("PTCLINT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "ptclint"
    )
    return Path(base)


def _cache_key(schema: bytes, blobs: list[tuple[str, bytes]]) -> str:
    h = hashlib.sha256(f"{CACHE_FORMAT}\0{__version__}\0{sys.implementation.cache_tag}\0".encode())
    h.update(schema)
    for name, raw in blobs:
        h.update(name.encode() + b"\0" + hashlib.sha256(raw).digest())
    return h.hexdigest()[:32]


class _DeepRecursion:
    """Long CEL expressions make deep parse trees; pickling walks them recursively."""

    def __enter__(self) -> None:
        import sys

        self.old = sys.getrecursionlimit()
        sys.setrecursionlimit(max(self.old, 20000))

    def __exit__(self, *exc: object) -> None:
        import sys

        sys.setrecursionlimit(self.old)


def _read_cache(key: str) -> Catalog | None:
    base = _cache_dir()
    if base is None:
        return None
    try:
        with open(base / f"catalog-{key}.pickle", "rb") as fh, _DeepRecursion():
            catalog = pickle.load(fh)
        return catalog if isinstance(catalog, Catalog) else None
    except Exception:  # a missing, stale or corrupt cache is simply rebuilt
        return None


def _write_cache(key: str, catalog: Catalog) -> None:
    base = _cache_dir()
    if base is None:
        return
    tmp = base / f".catalog-{key}.{os.getpid()}.tmp"
    try:
        base.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh, _DeepRecursion():
            pickle.dump(catalog, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, base / f"catalog-{key}.pickle")
    except (OSError, RecursionError, pickle.PicklingError):  # no cache is slower, never wrong
        try:
            os.unlink(tmp)
        except OSError:
            pass


# ---------------------------------------------------------------- selection and params

def _matches(rule: Rule, selector: str) -> bool:
    s = selector.strip()
    up = s.upper()
    return (
        rule.id == up
        or rule.category == up
        or (up.startswith("PTC-") and rule.id.startswith(up))
        or rule.name == s.lower()
        or s.lower() in rule.tags
        or up == "ALL"
    )


def select_rules(
    catalog: Catalog,
    select: list[str] | None = None,
    extend_select: list[str] = (),  # type: ignore[assignment]
    ignore: list[str] = (),  # type: ignore[assignment]
) -> list[Rule]:
    """Apply --select / --extend-select / --ignore. Opt-in rules need their exact id."""
    for flag, selectors in (("--select", select or []), ("--extend-select", extend_select), ("--ignore", ignore)):
        for s in selectors:
            if not any(_matches(r, s) for r in catalog.rules):
                raise ConfigError(f"{flag} {s}: matches no rule id, category, name or tag (see `ptclint rules`)")
    chosen_exact = {s.strip().upper() for s in [*(select or []), *extend_select]}

    def eligible(rule: Rule, selectors: Iterable[str]) -> bool:
        if rule.opt_in:
            return rule.id in chosen_exact
        return any(_matches(rule, s) for s in selectors)

    base = select if select else ["ALL"]
    chosen = [r for r in catalog.rules if eligible(r, base) or eligible(r, extend_select)]
    return [r for r in chosen if not any(_matches(r, s) for s in ignore)]


def resolve_params(rules: list[Rule], overrides: list[str], catalog: Catalog) -> dict[str, dict[str, Any]]:
    """Merge `--param RULE.NAME=VALUE` into each rule's defaults, converting to the param's type."""
    params = {r.id: r.param_defaults() for r in catalog.rules}
    for item in overrides:
        key, sep, raw = item.partition("=")
        rule_id, dot, pname = key.strip().rpartition(".")
        if not sep or not dot:
            raise ConfigError(f"--param {item}: expected RULE.NAME=VALUE")
        rule = catalog.get(rule_id)
        if rule is None:
            raise ConfigError(f"--param {item}: unknown rule {rule_id}")
        spec = {p.name: p for p in rule.params}.get(pname)
        if spec is None:
            known = ", ".join(sorted(p.name for p in rule.params)) or "none"
            raise ConfigError(f"--param {item}: {rule.id} has no param {pname!r} (params: {known})")
        params[rule.id][pname] = _convert(item, spec, raw.strip())
    return params


def _convert(item: str, spec: Param, raw: str) -> Any:
    try:
        if spec.type == "number":
            return float(raw)
        if spec.type == "integer":
            return int(raw)
        if spec.type == "boolean":
            if raw.lower() not in ("true", "false"):
                raise ValueError(raw)
            return raw.lower() == "true"
        if spec.type == "list":
            return [v.strip() for v in raw.split(",") if v.strip()]
        return raw
    except ValueError:
        raise ConfigError(f"--param {item}: {spec.name} must be a {spec.type}") from None
