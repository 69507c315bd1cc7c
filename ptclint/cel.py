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
from ptclint.rulelib import tri


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


UnknownInside = tri.Unresolved
known_value = tri.known


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


_TOKEN = re.compile(r"\$\{[^}]*\}")


def parse_arn(s: str) -> dict[str, Any]:
    """ARN parts; `${AWS::Region}`-style tokens (which contain colons) stay whole."""
    tokens: list[str] = []

    def hide(m: re.Match) -> str:
        tokens.append(m.group(0))
        return f"\x00{len(tokens) - 1}\x00"

    m = _ARN.match(_TOKEN.sub(hide, str(s)))
    parts = m.groups() if m else ("",) * 5
    restore = lambda p: re.sub(r"\x00(\d+)\x00", lambda t: tokens[int(t.group(1))], p)  # noqa: E731
    names = ("partition", "service", "region", "account", "resource")
    return {"valid": bool(m), **{n: restore(p) for n, p in zip(names, parts)}}


def norm_prefix(p: str) -> str:
    p = str(p)
    return p[:-1] if p.endswith("/") else p


def prefix_covers(ancestor: str, p: str) -> bool:
    a, q = norm_prefix(ancestor), norm_prefix(p)
    return a == "ROOT" or a == q or q.startswith(a + "/")


def templates_for(templates: list, p: str) -> list:
    covering = [t for t in templates if "prefix" in t and prefix_covers(known_value(t["prefix"]), p)]

    def specificity(t: Mapping) -> int:
        pre = norm_prefix(t["prefix"])
        return -1 if pre == "ROOT" else len(pre)

    return sorted(covering, key=specificity, reverse=True)


# ---------------------------------------------------------------- conversion

def to_cel(value: Any) -> Any:
    """Plain Python (and model.Unknown) to CEL values."""
    if isinstance(value, Unknown):
        return UnknownValue(value.reason)
    if isinstance(value, CELEvalError):
        return value
    if isinstance(value, tri.Error):
        return CELEvalError(value.why)
    if isinstance(value, bool):
        return celtypes.BoolType(value)
    if isinstance(value, int):
        if -(2 ** 63) <= value < 2 ** 63:
            return celtypes.IntType(value)
        # CEL ints are 64-bit; JSON and YAML numbers are not
        return celtypes.DoubleType(float(value) if abs(value) < 2 ** 1023 else float("inf") * (1 if value > 0 else -1))
    if isinstance(value, float):
        return celtypes.DoubleType(value)
    if isinstance(value, str):
        return celtypes.StringType(value)
    if value is None:
        return None
    if isinstance(value, Mapping):  # a null field is an absent field, as in the API
        return celtypes.MapType({celtypes.StringType(k): to_cel(v) for k, v in value.items() if v is not None})
    if isinstance(value, (list, tuple)):
        return celtypes.ListType([to_cel(v) for v in value])
    return celtypes.StringType(str(value))


def to_python(value: Any) -> Any:
    if isinstance(value, UnknownValue):
        return Unknown(value.reason)
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
        except UnknownInside as exc:
            return UnknownValue(exc.reason)
        except (ValueError, TypeError, KeyError) as exc:
            return CELEvalError(f"{fn.__name__}: {exc}", exc.__class__, exc.args)

    call.__name__ = fn.__name__
    return call


def _rule_kind(rule: Mapping) -> str:
    if rule.get("upstreamRegistry"):
        return str(known_value(rule["upstreamRegistry"]))
    return upstream_kind(known_value(rule.get("upstreamRegistryUrl", "")))


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


_PSEUDO_EXAMPLES = {
    "${AWS::Partition}": "aws",
    "${AWS::Region}": "us-east-1",
    "${AWS::AccountId}": "000000000000",
    "${AWS::URLSuffix}": "amazonaws.com",
}


def _concrete(s: str) -> str:
    """A symbolic string with typical values in place of pseudo parameters, for shape checks."""
    for token, example in _PSEUDO_EXAMPLES.items():
        s = s.replace(token, example)
    return s


def _same(a: Any, b: Any) -> Any:
    """Equal values are the same; a symbolic value differs from a concrete one only by chance: unknown."""
    if a == b:
        return True
    if is_symbolic(a) or is_symbolic(b):
        return Unknown("compares a value that depends on an unresolved pseudo parameter")
    return False


def _prefix_of(item: Any, field: str) -> Any:
    return known_value(item.get(field)) if isinstance(item, Mapping) else None


def _earlier_same_prefix(items: list, field: str, index: int) -> int:
    """Index of the first item before `index` whose `field` is the same prefix (x == x/), else -1."""
    mine = _prefix_of(items[index], field)
    if not isinstance(mine, str):
        return -1
    for i in range(index):
        other = _prefix_of(items[i], field)
        if isinstance(other, str) and norm_prefix(other) == norm_prefix(mine):
            return i
    return -1


def _ancestors(items: list, field: str, prefix: str) -> list:
    """Indexes of the items whose `field` is a strict ancestor of `prefix` (ROOT included), nearest first."""
    found = []
    for i, item in enumerate(items):
        other = _prefix_of(item, field)
        if isinstance(other, str) and _is_ancestor(other, prefix):
            found.append(i)
    return sorted(found, key=lambda i: 0 if norm_prefix(items[i][field]) == "ROOT" else -len(norm_prefix(items[i][field])))


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
        "earlierSamePrefix": _earlier_same_prefix,
        "ancestors": _ancestors,
        "lowerAscii": lambda s: str(s).lower(),
        "same": _same,
        "isSymbolic": is_symbolic,
        "concrete": _concrete,
    }.items()
}


# ---------------------------------------------------------------- IAM policy evaluation
#
# The IAM policy helpers (policyStatements, actionMatches, allows, allowsOn, denies, trusts,
# forPrincipal, resourcePolicyFor, principalCan, roleDocs, roleDocsKnown, repoArnPattern,
# policyActions and the rule-level policy analyses) live in ptclint/policy.py and are registered
# below with the other helper modules.


# ---------------------------------------------------------------- compile and evaluate

def _register_helper_modules() -> None:
    """Plain-Python helpers of other modules (policy analysis, templates), wrapped for CEL."""
    from ptclint import policy, templates

    for module in (policy, templates):
        for name, fn in module.FUNCTIONS.items():
            FUNCTIONS[name] = _wrap(fn)


_register_helper_modules()


def _logical(op: str) -> Callable[[Any, Any], Any]:
    """CEL's commutative && and ||, where two unknowns stay unknown (celpy raises a TypeError)."""

    def combine(x: Any, y: Any) -> Any:
        absorbing = celtypes.BoolType(op == "||")  # true || anything, false && anything
        if isinstance(x, celtypes.BoolType) and isinstance(y, celtypes.BoolType):
            return celtypes.BoolType((x or y) if op == "||" else (x and y))
        for a, b in ((x, y), (y, x)):
            if isinstance(a, celtypes.BoolType):
                return a if a == absorbing else b
        # neither is a bool: a real error outranks an unknown
        for v in (x, y):
            if isinstance(v, CELEvalError) and not isinstance(v, UnknownValue):
                return v
        if isinstance(x, UnknownValue):
            return x
        return CELEvalError(f"no such overload: {type(x).__name__} {op} {type(y).__name__}")

    return combine


def _index(container: Any, key: Any) -> Any:
    """`a[k]` where an unknown container or key makes the result unknown (celpy raises instead)."""
    for v in (container, key):
        if isinstance(v, CELEvalError):
            return v
    return container[key]


def _contains(item: Any, container: Any) -> Any:
    """`x in list`: not found among known elements but the list holds an unknown one -> unknown."""
    for v in (item, container):
        if isinstance(v, CELEvalError):
            return v
    unknown = None
    for element in container:
        if isinstance(element, UnknownValue):
            unknown = unknown or element
            continue
        try:
            if element == item:
                return celtypes.BoolType(True)
        except TypeError:
            continue
    return unknown if unknown is not None else celtypes.BoolType(False)


FUNCTIONS["_in_"] = _contains
FUNCTIONS["_&&_"] = _logical("&&")
FUNCTIONS["_||_"] = _logical("||")
FUNCTIONS["_[_]"] = _index
# exists()/all() reduce with celtypes.logical_or/_and directly; give them the same semantics.
celtypes.logical_or = _logical("||")  # type: ignore[assignment]
celtypes.logical_and = _logical("&&")  # type: ignore[assignment]


class _Evaluator(Evaluator):
    """celpy's evaluator, aware of unknown values."""

    def sub_evaluator(self, ast: lark.Tree) -> Evaluator:  # macros (exists, map, ...) evaluate alike
        return _Evaluator(ast, activation=self.activation)

    def member_dot_arg(self, tree: lark.Tree) -> Any:
        """`list.filter(x, p)`: an unknown (or failed) predicate makes the whole list unknown."""
        if tree.children[1].value != "filter":
            return super().member_dot_arg(tree)
        items = self.visit(tree.children[0])
        if isinstance(items, CELEvalError):
            return items
        predicate = self.build_macro_eval(tree)

        def judge(item: Any) -> Any:
            try:
                return predicate(item)
            except CELEvalError as err:  # the nested evaluator raises error results
                return err

        results = [(item, judge(item)) for item in items]
        errors = [r for _, r in results if isinstance(r, CELEvalError)]
        if errors:
            return next((e for e in errors if not isinstance(e, UnknownValue)), errors[0])
        return celtypes.ListType([item for item, r in results if r])

    def expr(self, tree: lark.Tree) -> Any:
        if len(tree.children) == 3:  # c ? a : b with an unknown or failed condition is that value
            cond = self.visit(tree.children[0])
            if isinstance(cond, CELEvalError):
                return cond
            return self.visit(tree.children[1] if cond else tree.children[2])
        return super().expr(tree)

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
        what = _syntax_problem(exc.__cause__ or exc.__context__)
        raise CelSyntaxError(f"{what} in: {first}" if what else first, exc.line, exc.column) from None
    except lark.exceptions.LarkError as exc:  # defensive: lark errors the wrapper missed
        raise CelSyntaxError(str(exc).splitlines()[0], None, None) from None


_CLOSERS = {"RPAR": "')'", "RSQB": "']'", "RBRACE": "'}'", "COLON": "':'", "COMMA": "','"}


def _syntax_problem(error: Any) -> str:
    """What the CEL parser expected where it stopped ("expected ')'", "unexpected end of the expression")."""
    token = getattr(error, "token", None)
    expected = set(getattr(error, "expected", None) or getattr(error, "allowed", None) or ())
    if getattr(token, "type", "") == "$END":
        closers = sorted(_CLOSERS[t] for t in expected if t in _CLOSERS)
        return f"unexpected end of the expression (expected {' or '.join(closers)})" if closers and len(
            closers) == len(expected) else "unexpected end of the expression (a value or a closing bracket missing?)"
    if expected and expected <= set(_CLOSERS):
        return "expected " + " or ".join(sorted(_CLOSERS[t] for t in expected))
    if token is not None and str(token):
        return f"unexpected {str(token)[:20]!r}"
    if isinstance(error, lark.exceptions.UnexpectedCharacters):
        return f"unexpected character {getattr(error, 'char', '')!r}"
    return ""


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
