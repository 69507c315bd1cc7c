"""API shape constraints as JSON Schema (as cfn-lint checks CloudFormation): `schemas/api/<kind>.json`.

`schema_problems(resource, kind)` reads a resource against the schema of its API request and returns
one sentence per broken constraint, the sentence carried by the schema itself (`x-ptclint-messages`
annotations next to each constraint). It judges with `tri`, as ptclint's CEL does: a constraint on a
value the input could not resolve is not judged, and when nothing is certainly broken but something
could not be judged the answer is unknown.

Supported keywords, in the order they are checked for each property (properties in schema order, a
property's `dependentSchemas` entry right after it): `required`, `minLength` / `maxLength`,
`pattern` (not judged on a value that already breaks `minLength`; ECMA-262 `$` is the end of the
text), `contentMediaType: application/json` with `contentSchema: {type: object}` (a blank string
counts as not set), `enum`, `const`, `minItems` / `maxItems`, `items`, `uniqueItems`, nested
`properties`, and `if` / `then`. `type` is not checked by itself: a value of the wrong type fails the
keyword that reads it (CEL's "no such overload").
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from ptclint.model import Unknown
from ptclint.paths import package_dir
from ptclint.rulelib.tri import (
    Error,
    and_,
    any_,
    apply,
    decodes,
    exists,
    get,
    gt,
    has,
    in_,
    matches,
    members,
    ne,
    not_,
    problems,
    size,
    string,
    text,
    undecided,
    value_of,
)

KINDS = {"repositoryCreationTemplate": "repository-creation-template.json"}
_BLANK = re.compile(r"^[\t\n\f\r ]*\Z")  # RE2's \s, as CEL's matches() reads it
Check = tuple[Any, Callable[[], str]]
Schema = Mapping[str, Any]


@cache
def api_schema(kind: str) -> Schema:
    """The JSON Schema of the API request that creates a resource of `kind`."""
    if kind not in KINDS:
        raise ValueError(f"no API schema for {kind!r} (known: {', '.join(sorted(KINDS))})")
    schema: Schema = json.loads((package_dir("schemas") / "api" / KINDS[kind]).read_text(encoding="utf-8"))
    return schema


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern[:-1] + r"\Z" if pattern.endswith("$") else pattern)


def schema_problems(resource: Any, kind: Any) -> Any:
    """The constraints of the API request for `kind` (`'repositoryCreationTemplate'`: the JSON Schema
    `schemas/api/repository-creation-template.json`) that `resource` breaks, one sentence each, in
    the schema's order; `[]` when it breaks none. Unknown when none is certainly broken but one could
    not be judged (a value the input could not resolve)."""
    obj = resource if isinstance(resource, Mapping) else {}
    return problems(_object_checks(obj, api_schema(str(kind))))


def _message_of(schema: Schema, key: str) -> Callable[[], str]:
    """The sentence `schema` carries for constraint `key`, as a description thunk."""
    return lambda: _messages(schema).get(key, "")


def _messages(schema: Schema) -> Mapping[str, str]:
    messages: Mapping[str, str] = schema.get("x-ptclint-messages", {})
    return messages


def _object_checks(obj: Any, schema: Schema) -> list[Check]:
    checks: list[Check] = []
    required = schema.get("required", [])
    properties: Mapping[str, Schema] = schema.get("properties", {})
    for name in [*properties, *(r for r in required if r not in properties)]:
        sub = properties.get(name, {})
        present = has(obj, name)
        if name in required:
            checks.append((not present, _message_of(sub, "required")))
        if name in properties:
            checks += [(and_(present, judged), describe) for judged, describe in _value_checks(get(obj, name), sub)]
        dependent = schema.get("dependentSchemas", {}).get(name)
        if dependent is not None:
            checks.append(_conditional(obj, dependent))
    return checks


def _valid(value: Any, schema: Schema) -> Any:
    """`value` breaks no constraint of `schema` (three-valued)."""
    return not_(any_(value_of(judged) for judged, _ in _value_checks(value, schema)))


def _conditional(obj: Any, schema: Schema) -> Check:
    """`if` / `then`: the object meets `if` but breaks `then`."""
    fields = {k: str(v) for k, v in obj.items()} if isinstance(obj, Mapping) else {}
    return (lambda: and_(_valid(obj, schema["if"]), lambda: not_(_valid(obj, schema["then"]))),
            lambda: _messages(schema)["then"].format_map(fields))


def _value_checks(value: Any, schema: Schema) -> list[Check]:
    """The checks of one present value, in the order of the module docstring."""
    msgs = _messages(schema)
    checks: list[Check] = _object_checks(value, schema) if "properties" in schema or "required" in schema else []
    lo, hi = schema.get("minLength", 0), schema.get("maxLength")
    if "minLength" in schema or "maxLength" in schema:
        checks.append((lambda: apply(lambda n: n < lo or (hi is not None and n > hi), size(value)),
                       lambda: msgs["length"].format(length=len(value))))
    if "pattern" in schema:
        regex = _regex(schema["pattern"])
        checks.append((lambda: and_(apply(lambda n: n >= lo, size(value)) if lo else True,
                                    lambda: not_(matches(value, regex))),
                       lambda: msgs["pattern"].format(reason=_pattern_reason(value, schema))))
    if schema.get("contentMediaType") == "application/json":
        checks.append((lambda: and_(lambda: not_(matches(value, _BLANK)), lambda: _not_json(value, schema)),
                       lambda: msgs["contentSchema" if decodes(value) else "contentMediaType"]))
    if "enum" in schema:
        checks.append((lambda: not_(in_(value, list(schema["enum"]))),
                       lambda: msgs["enum"].format(value=text(string(value)))))
    if "const" in schema:
        checks.append((lambda: ne(value, schema["const"]), lambda: msgs["const"].format(value=text(string(value)))))
    checks += _array_checks(value, schema, msgs)
    return checks


def _array_checks(value: Any, schema: Schema, msgs: Mapping[str, str]) -> list[Check]:
    checks: list[Check] = []
    if "minItems" in schema:
        checks.append((lambda: apply(lambda n: n < schema["minItems"], size(value)), lambda: msgs["minItems"]))
    if "maxItems" in schema:
        checks.append((lambda: gt(size(value), schema["maxItems"]),
                       lambda: msgs["maxItems"].format(count=len(value))))
    if "items" in schema:
        item_schema = schema["items"]

        def bad(item: Any) -> Any:
            return not_(_valid(item, item_schema))

        checks.append((lambda: exists(value, bad), lambda: msgs["items"].format(
            invalid=", ".join(_describe_item(item, item_schema) for item in members(value) if bad(item) is True))))
    if schema.get("uniqueItems"):
        duplicates = _duplicates(value, schema.get("items", {}).get("enum"))
        checks.append((lambda: apply(lambda d: len(d) > 0, duplicates),
                       lambda: msgs["uniqueItems"].format(duplicates=", ".join(duplicates))))
    return checks


def _not_json(value: Any, schema: Schema) -> Any:
    """A string that is not JSON, or not of the `contentSchema` type (`object`)."""
    if undecided(value):
        return value
    wanted = schema.get("contentSchema", {}).get("type")
    return not (isinstance(value, str) and decodes(value)
                and (wanted != "object" or isinstance(json.loads(value), dict)))


def _pattern_reason(value: str, schema: Schema) -> str:
    """The first `x-ptclint-pattern-reasons` entry whose pattern `value` matches (one without a
    pattern always does)."""
    for entry in schema.get("x-ptclint-pattern-reasons", []):
        if "pattern" not in entry or _regex(entry["pattern"]).search(value):
            return str(entry["reason"])
    return ""


def _describe_item(item: Any, schema: Schema) -> str:
    """An invalid item for a message (`x-ptclint-item`): `{value}` is the item, `{<field>}` a field of
    it (or its `x-ptclint-item-missing` text), `{problems}` the item's own sentences."""
    missing: Mapping[str, str] = schema.get("x-ptclint-item-missing", {})
    fields = {name: text(string(get(item, name))) if in_(name, item) is True else default
              for name, default in missing.items()}
    checks = _object_checks(item, schema) if "properties" in schema else []  # the item's own sentences
    own = "".join(describe() for judged, describe in checks if value_of(judged) is True)
    return str(schema["x-ptclint-item"]).format(value=text(string(item)), problems=own, **fields)


def _duplicates(items: Any, enum: list[Any] | None) -> Any:
    """The values listed more than once (of `enum`, in its order, when given; CEL compares strings)."""
    values = members(items)
    if undecided(values):
        return values
    for a in values:
        if undecided(a) or not isinstance(a, str):
            return a if isinstance(a, Unknown) else Error("no such overload: == on a value that is not a string")
    candidates = enum if enum is not None else list(dict.fromkeys(values))
    return [v for v in candidates if values.count(v) > 1]


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "schemaProblems": schema_problems,
}
