"""CEL for ptclint rules: the only module that imports celpy.

Adds ptclint's functions (URL and ARN parsing, prefix helpers) and "unknown" values: a value an
IaC input could not resolve becomes an `UnknownValue`, an error value that CEL's `&&` / `||`
absorb where the result does not depend on it and that otherwise makes the whole expression
unknown, so a rule never fires on it. `has()` sees an unknown field as present and `known(x)`
tells the two apart.
"""

from __future__ import annotations

import json as _json
import re
from typing import Any, Callable, Mapping

import celpy
import lark
from celpy import celtypes
from celpy.evaluation import Activation, CELEvalError, Evaluator

from ptclint.model import Unknown


class CelSyntaxError(Exception):
    def __init__(self, message: str, line: int | None, column: int | None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class UnknownValue(CELEvalError):
    """An IaC value that could not be resolved; carries the reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"unknown: {reason}")
        self.reason = reason


class EvaluationFailed(Exception):
    """A rule expression failed at run time (not an unknown value)."""


class UnknownResult(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# ---------------------------------------------------------------- hosts and kinds

_FIXED_HOSTS = {
    "public.ecr.aws": "ecr-public",
    "registry.k8s.io": "k8s",
    "quay.io": "quay",
    "registry-1.docker.io": "docker-hub",
    "ghcr.io": "github-container-registry",
    "registry.gitlab.com": "gitlab-container-registry",
    "cgr.dev": "chainguard",
}
_CANONICAL = {kind: host for host, kind in _FIXED_HOSTS.items()}
_ECR_HOST = re.compile(r"^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$")
_ACR_HOST = re.compile(r"^[a-z0-9]+\.azurecr\.io$")
_ARN = re.compile(r"^arn:([^:]*):([^:]*):([^:]*):([^:]*):(.+)$", re.S)


def url_host(url: str) -> str:
    s = str(url).strip().lower()
    s = re.sub(r"^[a-z][a-z0-9+.-]*://", "", s)
    s = s.split("/", 1)[0].split("@")[-1]
    return s.split(":", 1)[0]


def upstream_kind(url: str) -> str:
    host = url_host(url)
    if host in _FIXED_HOSTS:
        return _FIXED_HOSTS[host]
    if _ECR_HOST.match(host):
        return "ecr"
    if _ACR_HOST.match(host):
        return "azure-container-registry"
    return ""


def parse_arn(s: str) -> dict[str, Any]:
    m = _ARN.match(str(s))
    parts = m.groups() if m else ("",) * 5
    names = ("partition", "service", "region", "account", "resource")
    return {"valid": bool(m), **dict(zip(names, parts))}


def norm_prefix(p: str) -> str:
    p = str(p)
    return p[:-1] if p.endswith("/") else p


def prefix_covers(ancestor: str, p: str) -> bool:
    a, q = norm_prefix(ancestor), norm_prefix(p)
    return a == "ROOT" or a == q or q.startswith(a + "/")


def templates_for(templates: list, p: str) -> list:
    covering = [t for t in templates if "prefix" in t and prefix_covers(t["prefix"], p)]

    def specificity(t: Mapping) -> int:
        pre = norm_prefix(t["prefix"])
        return -1 if pre == "ROOT" else len(pre)

    return sorted(covering, key=specificity, reverse=True)


def policy_statements(doc: Any) -> list:
    if isinstance(doc, str):
        doc = _json.loads(doc)
    if not isinstance(doc, Mapping):
        return []
    statements = doc.get("Statement", [])
    if isinstance(statements, Mapping):
        statements = [statements]
    out = []
    for st in statements:
        if not isinstance(st, Mapping):
            continue
        st = dict(st)
        for key in ("Action", "NotAction", "Resource", "NotResource"):
            if key in st and isinstance(st[key], str):
                st[key] = [st[key]]
        out.append(st)
    return out


# ---------------------------------------------------------------- conversion

def to_cel(value: Any) -> Any:
    """Plain Python (and model.Unknown) to CEL values."""
    if isinstance(value, Unknown):
        return UnknownValue(value.reason)
    if isinstance(value, CELEvalError):
        return value
    if isinstance(value, bool):
        return celtypes.BoolType(value)
    if isinstance(value, int):
        return celtypes.IntType(value)
    if isinstance(value, float):
        return celtypes.DoubleType(value)
    if isinstance(value, str):
        return celtypes.StringType(value)
    if value is None:
        return None
    if isinstance(value, Mapping):
        return celtypes.MapType({celtypes.StringType(k): to_cel(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return celtypes.ListType([to_cel(v) for v in value])
    return celtypes.StringType(str(value))


def to_python(value: Any) -> Any:
    if isinstance(value, celtypes.BoolType):
        return bool(value)
    if isinstance(value, celtypes.IntType):
        return int(value)
    if isinstance(value, celtypes.DoubleType):
        return float(value)
    if isinstance(value, celtypes.StringType):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): to_python(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_python(v) for v in value]
    return value


def _wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Expose a plain-Python helper to CEL: convert arguments in and the result out."""

    def call(*args: Any) -> Any:
        try:
            return to_cel(fn(*(to_python(a) for a in args)))
        except (ValueError, TypeError, KeyError) as exc:
            return CELEvalError(f"{fn.__name__}: {exc}", exc.__class__, exc.args)

    call.__name__ = fn.__name__
    return call


def _rule_kind(rule: Mapping) -> str:
    if rule.get("upstreamRegistry"):
        return str(rule["upstreamRegistry"])
    return upstream_kind(rule.get("upstreamRegistryUrl", ""))


def _ecr_account(url: str) -> str:
    m = _ECR_HOST.match(url_host(url))
    return m.group(1) if m else ""


def _ecr_region(url: str) -> str:
    m = _ECR_HOST.match(url_host(url))
    return m.group(2) if m else ""


def _json_decode(s: str) -> Any:
    return _json.loads(s)


def is_symbolic(value: Any) -> bool:
    """A pseudo parameter left unresolved, such as `${AWS::AccountId}` (see design: symbolic values)."""
    return isinstance(value, str) and "${" in value


def _same(a: Any, b: Any) -> Any:
    """Equal values are the same; a symbolic value differs from a concrete one only by chance: unknown."""
    if a == b:
        return True
    if is_symbolic(a) or is_symbolic(b):
        return Unknown("compares a value that depends on an unresolved pseudo parameter")
    return False


def _is_json(s: Any) -> bool:
    try:
        _json.loads(s)
    except (TypeError, ValueError):
        return False
    return True


def _is_ancestor(a: str, p: str) -> bool:
    return prefix_covers(a, p) and norm_prefix(a) != norm_prefix(p)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    name: _wrap(fn)
    for name, fn in {
        "urlHost": url_host,
        "upstreamKind": upstream_kind,
        "ruleKind": _rule_kind,
        "canonicalHost": lambda kind: _CANONICAL.get(kind, ""),
        "arn": parse_arn,
        "ecrHostAccount": _ecr_account,
        "ecrHostRegion": _ecr_region,
        "normPrefix": norm_prefix,
        "prefixCovers": prefix_covers,
        "isAncestor": _is_ancestor,
        "templatesFor": templates_for,
        "json": _json_decode,
        "isJson": _is_json,
        "policyStatements": policy_statements,
        "lowerAscii": lambda s: str(s).lower(),
        "same": _same,
        "isSymbolic": is_symbolic,
    }.items()
}


# ---------------------------------------------------------------- compile and evaluate

class _Evaluator(Evaluator):
    """celpy's evaluator, aware of unknown values."""

    def macro_has_eval(self, exprlist: lark.Tree) -> celtypes.BoolType:
        value = self.visit_children(exprlist)[0]
        return celtypes.BoolType(isinstance(value, UnknownValue) or not isinstance(value, CELEvalError))

    def function_eval(self, name_token: lark.Token, exprlist: Any = None) -> Any:
        if name_token.value == "known":
            args = list(exprlist or [])
            if len(args) != 1:
                return CELEvalError("known() takes one argument")
            if isinstance(args[0], UnknownValue):
                return celtypes.BoolType(False)
            if isinstance(args[0], CELEvalError):
                return args[0]
            return celtypes.BoolType(True)
        return super().function_eval(name_token, exprlist)


_PARSER: Any = None


def _parser() -> Any:
    global _PARSER
    if _PARSER is None:
        from celpy.celparser import CELParser

        _PARSER = CELParser()
    return _PARSER


def compile_expr(text: str) -> lark.Tree:
    """Parse a CEL expression; raises CelSyntaxError with the position inside the expression."""
    from celpy.celparser import CELParseError

    try:
        return _parser().parse(text)
    except CELParseError as exc:
        first = str(exc.args[0]).strip().splitlines()[0] if exc.args else "syntax error"
        raise CelSyntaxError(first, exc.line, exc.column) from None
    except lark.exceptions.LarkError as exc:  # defensive: lark errors the wrapper missed
        raise CelSyntaxError(str(exc).splitlines()[0], None, None) from None


def evaluate(ast: lark.Tree, variables: Mapping[str, Any]) -> Any:
    """Evaluate a compiled expression. `variables` must already be CEL values (see to_cel).

    Returns a plain Python value; raises UnknownResult or EvaluationFailed.
    """
    activation = Activation(annotations={}, functions=FUNCTIONS, vars=dict(variables))
    evaluator = _Evaluator(ast=ast, activation=activation)
    try:
        value = evaluator.visit(ast)
    except RecursionError:
        raise EvaluationFailed("expression nested too deeply") from None
    except Exception as exc:  # celpy raises assorted exceptions for type misuse
        raise EvaluationFailed(f"{exc.__class__.__name__}: {exc}") from None
    if isinstance(value, UnknownValue):
        raise UnknownResult(value.reason)
    if isinstance(value, CELEvalError):
        raise EvaluationFailed(_error_text(value))
    return to_python(value)


def _error_text(err: CELEvalError) -> str:
    text = str(err.args[0]) if err.args else "evaluation error"
    return text.split(" (in activation", 1)[0]


__all__ = [
    "CelSyntaxError",
    "EvaluationFailed",
    "UnknownResult",
    "UnknownValue",
    "compile_expr",
    "evaluate",
    "to_cel",
    "celpy",
]
