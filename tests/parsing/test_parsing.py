"""Tests for ptclint.parsing: JSON/YAML to plain values with positions, and clean errors for bad input."""

from __future__ import annotations

import codecs
import gc
import json
import math

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ptclint import parsing
from ptclint.errors import InputError
from ptclint.parsing import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_YAML_NODES,
    Document,
    Position,
    decode_text,
    load,
    parse_json,
    parse_yaml,
    read_text,
)

LOADERS = [yaml.SafeLoader] + ([yaml.CSafeLoader] if getattr(yaml, "__with_libyaml__", False) else [])


@pytest.fixture(params=LOADERS, ids=lambda loader: loader.__name__)
def yaml_loader(request, monkeypatch):
    """Run a YAML test with libyaml (the default when installed) and with the pure-Python parser."""
    monkeypatch.setattr(parsing.yaml, "_Loader", request.param)
    return request.param


def fails(fn, *args, **kwargs) -> InputError:
    with pytest.raises(InputError) as info:
        fn(*args, **kwargs)
    return info.value


def strict_equal(a, b) -> bool:
    """== that also distinguishes True from 1 and 1 from 1.0, and compares dict key order."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(strict_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(strict_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


def char_at(text: str, pos: Position) -> str:
    return text.split("\n")[pos.line - 1][pos.column - 1]


# ---------------------------------------------------------------- constants and types

def test_limits_are_named_and_documented_values():
    assert MAX_FILE_BYTES == 10 * 1024 * 1024
    assert MAX_DEPTH == 200
    assert MAX_YAML_NODES == 1_000_000


def test_document_position_falls_back_to_the_closest_ancestor_then_1_1():
    doc = parse_json("f.json", '{\n  "a": {\n    "b": [10, 20]\n  }\n}')
    assert doc.position(("a", "b", 1)) == Position(3, 15)
    assert doc.position(("a", "b", 7)) == Position(3, 10)  # no such element: the list
    assert doc.position(("a", "zz", 0)) == Position(2, 8)  # no such key: the object holding it
    assert doc.position(()) == Position(1, 1)
    empty = Document("x", None, {}, {}, "yaml")
    assert empty.position(("anything",)) == Position(1, 1)


# ---------------------------------------------------------------- JSON positions

JSON_DOC = (
    '{\n  "name": "x",\n  "items": [\n    1,\n    {"deep": [true, null]},\n    "\\u00e9"\n  ],\n  "empty": {}\n}\n'
)


def test_json_positions_of_nested_values_and_keys():
    doc = parse_json("f.json", JSON_DOC)
    assert doc.fmt == "json" and doc.path == "f.json"
    assert doc.data == {"name": "x", "items": [1, {"deep": [True, None]}, "\u00e9"], "empty": {}}
    assert dict(doc.positions) == {
        (): Position(1, 1),
        ("name",): Position(2, 11),
        ("items",): Position(3, 12),
        ("items", 0): Position(4, 5),
        ("items", 1): Position(5, 5),
        ("items", 1, "deep"): Position(5, 14),
        ("items", 1, "deep", 0): Position(5, 15),
        ("items", 1, "deep", 1): Position(5, 21),
        ("items", 2): Position(6, 5),
        ("empty",): Position(8, 12),
    }
    assert dict(doc.key_positions) == {
        ("name",): Position(2, 3),
        ("items",): Position(3, 3),
        ("items", 1, "deep"): Position(5, 6),
        ("empty",): Position(8, 3),
    }


def test_json_columns_count_characters_not_bytes():
    doc = parse_json("f.json", '{"é": "ü", "k": 1}')
    assert doc.key_positions[("k",)] == Position(1, 12)
    assert doc.positions[("k",)] == Position(1, 17)


def test_json_keeps_ints_and_floats_apart_and_decodes_escapes():
    doc = parse_json("f.json", r'[0, -0, 12, 1.0, -2.5e3, 1E2, "\"\\\/\b\f\n\r\t", "\u00e9\ud83d\ude00", "\u0000"]')
    assert strict_equal(doc.data, [0, 0, 12, 1.0, -2500.0, 100.0, '"\\/\b\f\n\r\t', "é😀", "\x00"])


def test_json_key_path_element_types():
    doc = parse_json("f.json", '{"0": [{"1": true}]}')
    assert ("0", 0, "1") in doc.positions
    assert (0,) not in doc.positions  # a key "0" is not an index 0


def test_json_parse_restores_gc_state():
    assert gc.isenabled()
    parse_json("f.json", "[1]")
    assert gc.isenabled()
    fails(parse_json, "f.json", "[1,]")
    assert gc.isenabled()


# ---------------------------------------------------------------- JSON errors

@pytest.mark.parametrize(
    "text, line, column, message",
    [
        ("", None, None, "empty file"),
        (" \n\t\n", None, None, "empty file"),
        ('{"a": 1,}', 1, 8, "trailing comma before '}'"),
        ("[1,\n 2,\n]", 2, 3, "trailing comma before ']'"),
        ('{"a": 1\n "b": 2}', 2, 2, "expected ',' or '}' after object member"),
        ("[1\n 2]", 2, 2, "expected ',' or ']' after array element"),
        ('{"a" 1}', 1, 6, "expected ':' after object key"),
        ("// comment\n{}", 1, 1, "comments are not allowed"),
        ('{"a": 1, /* x */ "b": 2}', 1, 10, "comments are not allowed"),
        ('{"a": NaN}', 1, 7, "NaN"),
        ("[\n  Infinity]", 2, 3, "Infinity"),
        ("[-Infinity]", 1, 2, "Infinity"),
        ("[01]", 1, 2, "leading zeros"),
        ("[-012]", 1, 2, "leading zeros"),
        ("[1.]", 1, 2, "invalid number"),
        ("[.5]", 1, 2, "invalid number"),
        ("[+1]", 1, 2, "invalid number"),
        ("[1e]", 1, 2, "invalid number"),
        ("[0x10]", 1, 2, "invalid number"),
        ("[1e999]", 1, 2, "out of range"),
        ('["a\\x"]', 1, 4, "invalid escape"),
        ('["a\\u12"]', 1, 4, "4 hex digits"),
        ('["\\ud83d"]', 1, 3, "unpaired surrogate"),
        ('["\\ud83dx"]', 1, 3, "unpaired surrogate"),
        ('["\\ude00"]', 1, 3, "unpaired surrogate"),
        ('["\\ud83d\\u0041"]', 1, 3, "unpaired surrogate"),
        ('["a\tb"]', 1, 4, "control character U+0009"),
        ('{"a": "b\n"}', 1, 9, "not closed at the end of the line"),
        ('{"a": [1, 2', 1, 12, "unexpected end of file (truncated JSON?)"),
        ('{"a": [1, 2,\n', 2, 1, "unexpected end of file (truncated JSON?)"),
        ('{"a":', 1, 6, "unexpected end of file"),
        ('{"a": "tru', 1, 11, "unexpected end of file"),
        ("[tr", 1, 2, "unexpected end of file"),
        ("{", 1, 2, "unexpected end of file"),
        ('{"a": 1}\n{"b": 2}', 2, 1, "after the JSON value"),
        ("[1] x", 1, 5, "after the JSON value"),
        ("{'a': 1}", 1, 2, "double quotes"),
        ("['a']", 1, 2, "double quotes"),
        ("[True]", 1, 2, "lower case"),
        ("{a: 1}", 1, 2, "expected a string key"),
        ("[1}", 1, 3, "expected ',' or ']'"),
        ('{"a": 1]', 1, 8, "expected ',' or '}'"),
        ("[,]", 1, 2, "expected a value, found ','"),
        ('{"a": }', 1, 7, "expected a value, found '}'"),
        ("{,}", 1, 2, "expected a string key"),
        ("\u00e9", 1, 1, "expected a JSON value"),
        ("[" + "1" * 5000 + "]", 1, 2, "too long"),
    ],
)
def test_json_errors_name_the_place(text, line, column, message):
    err = fails(parse_json, "bad.json", text)
    assert message in err.message
    assert (err.line, err.column) == (line, column)
    assert err.file == "bad.json"


def test_json_duplicate_key_names_both_lines():
    err = fails(parse_json, "d.json", '{\n  "a": 1,\n  "b": {"x": 1},\n  "a": 2\n}')
    assert err.message == 'duplicate key "a" (first at line 2)'
    assert (err.line, err.column) == (4, 3)
    err = fails(parse_json, "d.json", '{"o": {"x": 1,\n"x": 2}}')
    assert err.message == 'duplicate key "x" (first at line 1)' and err.line == 2
    # the same name at different levels is not a duplicate
    assert parse_json("d.json", '{"x": {"x": {"x": 1}}}').data == {"x": {"x": {"x": 1}}}


@pytest.mark.parametrize("text", ["[" * 100_000, '{"a":' * 100_000, "[" * 100_000 + "]" * 100_000])
def test_json_deep_nesting_is_an_input_error_not_a_recursion_error(text):
    err = fails(parse_json, "deep.json", text)
    assert err.message == f"nesting deeper than {MAX_DEPTH} levels"
    assert err.line == 1


def test_json_nesting_limit_is_exact():
    assert parse_json("ok.json", "[" * MAX_DEPTH + "]" * MAX_DEPTH).data is not None
    err = fails(parse_json, "deep.json", "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert (err.line, err.column) == (1, MAX_DEPTH + 1)


def test_json_scalar_documents():
    assert parse_json("s.json", ' "x" ').data == "x"
    assert parse_json("s.json", "null").data is None
    assert parse_json("s.json", "\n\n-1.5\n").positions[()] == Position(3, 1)


# ---------------------------------------------------------------- YAML positions

YAML_DOC = """\
# comment
name: demo
items:
  - 1
  - deep: [true, null]
    other: "é"
  - plain
empty: {}
"""


def test_yaml_positions_of_nested_values_and_keys(yaml_loader):
    doc = parse_yaml("f.yaml", YAML_DOC)
    assert doc.fmt == "yaml"
    assert doc.data == {"name": "demo", "items": [1, {"deep": [True, None], "other": "é"}, "plain"], "empty": {}}
    assert dict(doc.positions) == {
        (): Position(2, 1),
        ("name",): Position(2, 7),
        ("items",): Position(4, 3),
        ("items", 0): Position(4, 5),
        ("items", 1): Position(5, 5),
        ("items", 1, "deep"): Position(5, 11),
        ("items", 1, "deep", 0): Position(5, 12),
        ("items", 1, "deep", 1): Position(5, 18),
        ("items", 1, "other"): Position(6, 12),
        ("items", 2): Position(7, 5),
        ("empty",): Position(8, 8),
    }
    assert dict(doc.key_positions) == {
        ("name",): Position(2, 1),
        ("items",): Position(3, 1),
        ("items", 1, "deep"): Position(5, 5),
        ("items", 1, "other"): Position(6, 5),
        ("empty",): Position(8, 1),
    }


def test_yaml_scalar_resolution_keeps_timestamps_as_strings(yaml_loader):
    doc = parse_yaml("f.yaml", (
        "date: 2024-01-01\n"
        "stamp: 2001-12-14t21:59:43.10-05:00\n"
        "quoted_int: '12'\n"
        "ints: [12, -3, 0x1F, 1_000, 12345678901234567890123456789]\n"
        "floats: [1.5, -2.0e+3, .inf]\n"
        "bools: [true, False, yes, off]\n"
        "nulls: [~, null, ]\n"
        "empty:\n"
        "tagged: [!!str 12, !!int '7', !!float '1', !!bool 'true', !!null '']\n"
        "text: 'plain' \n"
    ))
    assert strict_equal(doc.data, {
        "date": "2024-01-01",
        "stamp": "2001-12-14t21:59:43.10-05:00",
        "quoted_int": "12",
        "ints": [12, -3, 31, 1000, 12345678901234567890123456789],
        "floats": [1.5, -2000.0, float("inf")],
        "bools": [True, False, True, False],
        "nulls": [None, None],
        "empty": None,
        "tagged": ["12", 7, 1.0, True, None],
        "text": "plain",
    })


def test_yaml_non_string_keys_become_strings(yaml_loader):
    doc = parse_yaml("f.yaml", "1: one\n2.5: x\ntrue: t\n~: n\nk: v\n")
    assert doc.data == {"1": "one", "2.5": "x", "True": "t", "None": "n", "k": "v"}
    assert doc.key_positions[("2.5",)] == Position(2, 1)


def test_yaml_anchors_aliases_and_merge_keys(yaml_loader):
    text = (
        "base: &base\n"        # 1
        "  size: 1\n"          # 2
        "  tags: [a, b]\n"     # 3
        "extra: &extra {colour: red, size: 9}\n"  # 4
        "copy: *base\n"        # 5
        "merged:\n"            # 6
        "  <<: [*base, *extra]\n"  # 7
        "  tags: [c]\n"        # 8
        "  name: m\n"          # 9
    )
    doc = parse_yaml("m.yaml", text)
    assert doc.data["copy"] == {"size": 1, "tags": ["a", "b"]}
    assert doc.data["copy"] is not doc.data["base"]  # aliases are copied, not shared
    assert doc.data["merged"] == {"size": 1, "colour": "red", "tags": ["c"], "name": "m"}
    assert list(doc.data["merged"]) == ["size", "colour", "tags", "name"]
    # an alias's value starts at the alias; what is inside it, where it is written
    assert doc.positions[("copy",)] == Position(5, 7)
    assert doc.positions[("copy", "tags", 1)] == Position(3, 13)
    # merged members point at their source; the mapping's own keys win over merged ones
    assert doc.positions[("merged", "size")] == Position(2, 9)  # from *base (first source wins)
    assert doc.key_positions[("merged", "colour")] == Position(4, 16)
    assert doc.positions[("merged", "tags")] == Position(8, 9)
    assert ("merged", "tags", 1) not in doc.positions  # the overridden merged list leaves no trace
    assert doc.key_positions[("merged", "name")] == Position(9, 3)


def test_yaml_quoted_merge_key_is_a_plain_key(yaml_loader):
    assert parse_yaml("m.yaml", "'<<': 1\n").data == {"<<": 1}


# ---------------------------------------------------------------- YAML tags

def cfn_handler(tag, value):
    if tag == "!Ref":
        return {"Ref": value}
    if tag == "!GetAtt":
        return {"Fn::GetAtt": value.split(".") if isinstance(value, str) else value}
    if tag == "!Sub":
        return {"Fn::Sub": value}
    if tag == "!Fail":
        raise InputError("ignored.yaml", "bad !Fail value")
    return value  # other tags: keep the value


def test_yaml_tag_handler_results_and_positions(yaml_loader):
    text = (
        "Resources:\n"                         # 1
        "  Bucket:\n"                          # 2
        "    Name: !Ref BucketName\n"          # 3
        "    Arn: !GetAtt [Role, Arn]\n"       # 4
        "    Dotted: !GetAtt Role.Arn\n"       # 5
        "    Text: !Sub\n"                     # 6
        "      - '${A}-x'\n"                   # 7
        "      - A: !Ref Other\n"              # 8
        "    Kept: !Custom {a: 1}\n"           # 9
    )
    calls = []

    def handler(tag, value):
        calls.append(tag)
        return cfn_handler(tag, value)

    doc = parse_yaml("t.yaml", text, handler)
    bucket = doc.data["Resources"]["Bucket"]
    assert bucket == {
        "Name": {"Ref": "BucketName"},
        "Arn": {"Fn::GetAtt": ["Role", "Arn"]},
        "Dotted": {"Fn::GetAtt": ["Role", "Arn"]},
        "Text": {"Fn::Sub": ["${A}-x", {"A": {"Ref": "Other"}}]},
        "Kept": {"a": 1},
    }
    assert calls == ["!Ref", "!GetAtt", "!GetAtt", "!Ref", "!Sub", "!Custom"]  # inner tags first
    base = ("Resources", "Bucket")
    assert doc.positions[base + ("Name",)] == Position(3, 11)
    assert doc.positions[base + ("Name", "Ref")] == Position(3, 11)
    # the handler wrapped the list: its elements keep their own positions
    assert doc.positions[base + ("Arn", "Fn::GetAtt", 1)] == Position(4, 25)
    assert doc.positions[base + ("Text", "Fn::Sub", 1, "A", "Ref")] == Position(8, 12)
    assert doc.key_positions[base + ("Text", "Fn::Sub", 1, "A")] == Position(8, 9)
    assert doc.positions[base + ("Kept", "a")] == Position(9, 23)
    assert doc.key_positions[base + ("Kept", "a")] == Position(9, 20)
    # a result the handler built from scratch has no inner positions: lookups fall back to the tag
    assert doc.position(base + ("Dotted", "Fn::GetAtt", 0)) == Position(5, 13)


def test_yaml_unknown_tag_without_handler(yaml_loader):
    err = fails(parse_yaml, "t.yaml", "a: 1\nb: !Foo [1]\n")
    assert err.message == "unknown tag (not repeated here)"  # a local tag may be a password pasted there
    assert (err.line, err.column) == (2, 4)
    assert fails(parse_yaml, "t.yaml", "b: !!binary aGVsbG8=\n").message == "unknown tag !!binary"
    assert fails(parse_yaml, "t.yaml", "!Ref k: v\n").message == "unknown tag (not repeated here)"


def test_yaml_tag_handler_errors_get_the_tag_position(yaml_loader):
    err = fails(parse_yaml, "t.yaml", "a:\n  b: !Fail x\n", cfn_handler)
    assert (err.file, err.line, err.column, err.message) == ("t.yaml", 2, 6, "bad !Fail value")


def test_yaml_tagged_keys_go_through_the_handler(yaml_loader):
    doc = parse_yaml("t.yaml", "!Custom k: v\n", lambda tag, value: value.upper())
    assert doc.data == {"K": "v"}
    err = fails(parse_yaml, "t.yaml", "!Custom k: v\n", lambda tag, value: [value])
    assert "cannot be used as a mapping key" in err.message


def test_yaml_standard_tag_on_the_wrong_kind_of_node(yaml_loader):
    err = fails(parse_yaml, "t.yaml", "a: !!int {b: 1}\n")
    assert err.message == "tag !!int cannot be used on a mapping" and err.line == 1
    err = fails(parse_yaml, "t.yaml", "a: !!int nope\n")
    assert err.message == "cannot read 'nope' as an integer" and (err.line, err.column) == (1, 4)


# ---------------------------------------------------------------- YAML errors

@pytest.mark.parametrize(
    "text, line, message",
    [
        ("a: 1\n---\nb: 2\n", 2, "multiple YAML documents are not supported"),
        ("---\na: 1\n---\n", 3, "multiple YAML documents are not supported"),
        ("a: 1\nb: [1, 2\n", 3, None),  # parser error: the text is PyYAML's own
        ("a: b: c\n", 1, "mapping values are not allowed"),
        ("a:\n  - 1\n - 2\n", 3, None),
        ("k: 'never closed\n", 2, None),
        ("x: @foo\n", 1, "cannot start any token"),
        ("x: \x07\n", 1, "U+0007"),
        ("a: 1\nb: *nope\n", 2, "this alias (*name) has no anchor (&name) before it"),
        ("a: &a [1, *a]\n", 1, "recursive alias"),
        ("a: 1\nb: 2\na: 3\n", 3, 'duplicate key "a" (first at line 1)'),
        ("1: a\n'1': b\n", 2, 'duplicate key "1" (first at line 1)'),
        ("? [1, 2]\n: x\n", 1, "a list or mapping cannot be used as a mapping key"),
        ("{{a: 1}: 2}\n", 1, "a list or mapping cannot be used as a mapping key"),
        ("x:\n  <<: 5\n", 2, "the merge key '<<' needs a mapping or a list of mappings"),
        ("a: &a {x: 1}\nb:\n  <<: [*a, 2]\n", 3, "the merge key '<<' needs a mapping or a list of mappings"),
        ('x: "\\ud83d"\n', 1, None),  # libyaml: invalid escape; pure Python: our surrogate message
    ],
)
def test_yaml_errors_name_the_line(yaml_loader, text, line, message):
    err = fails(parse_yaml, "bad.yaml", text)
    assert err.line == line and err.column is not None
    if message is not None:
        assert message in err.message


def test_yaml_duplicate_keys_in_nested_and_flow_mappings(yaml_loader):
    err = fails(parse_yaml, "d.yaml", "top:\n  x: 1\n  y: 2\n  x: 3\n")
    assert err.message == 'duplicate key "x" (first at line 2)'
    assert (err.line, err.column) == (4, 3)
    err = fails(parse_yaml, "d.yaml", "{a: 1,\n a: 2}\n")
    assert err.message == 'duplicate key "a" (first at line 1)' and err.line == 2


def test_yaml_empty_documents_give_none(yaml_loader):
    for text in ("", "\n\n", "# just a comment\n", "---\n", "--- \n...\n"):
        doc = parse_yaml("e.yaml", text)
        assert doc.data is None and doc.fmt == "yaml"


BILLION_LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n" for p, c in zip("abcdefgh", "bcdefghi")
)


def test_yaml_alias_bomb_is_refused(yaml_loader):
    err = fails(parse_yaml, "bomb.yaml", BILLION_LAUGHS)
    assert err.message == f"document expands to more than {MAX_YAML_NODES} nodes (YAML alias bomb?)"
    assert err.line == 7  # g: the first list whose expansion passes the limit


def test_yaml_node_limit_counts_alias_expansion(yaml_loader, monkeypatch):
    monkeypatch.setattr(parsing.yaml, "MAX_YAML_NODES", 50)
    # counted: the root, keys and values, each alias as the size of what it expands to
    doc = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: [*a, *a, *a]\n"  # 1 + (1 + 10) + (1 + 31) = 44
    assert parse_yaml("n.yaml", doc).data["b"][2] == list(range(1, 10))
    err = fails(parse_yaml, "n.yaml", doc + "c: [*a, *a, *a, *a, *a]\n")  # this list alone is 51
    assert err.message == "document expands to more than 50 nodes (YAML alias bomb?)"
    assert (err.line, err.column) == (3, 4)
    # without aliases, size is bounded by the file-size limit and this check does not apply
    big = "[" + ", ".join(str(i) for i in range(200)) + "]"
    assert len(parse_yaml("n.yaml", big).data) == 200


@pytest.mark.parametrize("text", ["[" * 100_000, "{a: " * 100_000, "- " * 100_000 + "x\n"])
def test_yaml_deep_nesting_is_an_input_error(yaml_loader, text):
    err = fails(parse_yaml, "deep.yaml", text)
    assert "nesting" in err.message  # ours, or libyaml's "exceeded maximum nesting depth"
    assert err.line == 1


def test_yaml_nesting_limit_is_exact_and_counts_aliases(yaml_loader):
    assert parse_yaml("ok.yaml", "[" * MAX_DEPTH + "]" * MAX_DEPTH).data is not None
    err = fails(parse_yaml, "deep.yaml", "- " * (MAX_DEPTH + 1) + "x\n")
    assert err.message == f"nesting deeper than {MAX_DEPTH} levels"
    assert (err.line, err.column) == (1, 2 * MAX_DEPTH + 1)
    half = MAX_DEPTH // 2 + 10
    text = "a: &a " + "[" * half + "]" * half + "\nb: " + "[" * half + "*a" + "]" * half + "\n"
    err = fails(parse_yaml, "deep.yaml", text)
    assert err.message.startswith(f"nesting deeper than {MAX_DEPTH} levels") and err.line == 2


# ---------------------------------------------------------------- reading files

def test_crlf_cr_and_bom_files_give_the_same_data_and_positions(tmp_path, yaml_loader):
    sources = {"json": JSON_DOC, "yaml": YAML_DOC}
    for fmt, text in sources.items():
        ref_file = tmp_path / f"ref.{fmt}"
        ref_file.write_bytes(text.encode("utf-8"))
        ref = load(str(ref_file))
        variants = {
            "crlf": text.replace("\n", "\r\n").encode("utf-8"),
            "cr": text.replace("\n", "\r").encode("utf-8"),
            "bom": codecs.BOM_UTF8 + text.encode("utf-8"),
            "bom-crlf": codecs.BOM_UTF8 + text.replace("\n", "\r\n").encode("utf-8"),
            "utf16le": codecs.BOM_UTF16_LE + text.replace("\n", "\r\n").encode("utf-16-le"),
            "utf16be": codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
            "utf32le": codecs.BOM_UTF32_LE + text.encode("utf-32-le"),
            "utf32be": codecs.BOM_UTF32_BE + text.encode("utf-32-be"),
        }
        for name, data in variants.items():
            f = tmp_path / f"{name}.{fmt}"
            f.write_bytes(data)
            doc = load(str(f))
            assert doc.fmt == fmt
            assert doc.data == ref.data, (fmt, name)
            assert dict(doc.positions) == dict(ref.positions), (fmt, name)
            assert dict(doc.key_positions) == dict(ref.key_positions), (fmt, name)


def test_crlf_errors_report_the_same_place(tmp_path):
    text = '{\n  "a": 1,\n  "b": [1, 2,]\n}\n'
    lf, crlf = tmp_path / "lf.json", tmp_path / "crlf.json"
    lf.write_bytes(text.encode())
    crlf.write_bytes(text.replace("\n", "\r\n").encode())
    e1, e2 = fails(load, str(lf)), fails(load, str(crlf))
    assert (e1.line, e1.column, e1.message) == (e2.line, e2.column, e2.message) == (3, 13, e1.message)


def test_read_text_normalises_and_strips_bom(tmp_path):
    f = tmp_path / "t.txt"
    f.write_bytes(codecs.BOM_UTF8 + b"a\r\nb\rc\n")
    assert read_text(str(f)) == "a\nb\nc\n"


def test_invalid_utf8_names_the_byte_offset_and_line(tmp_path):
    f = tmp_path / "bad.json"
    f.write_bytes(b'{"a": "ok",\r\n "b": "\xff"}')
    err = fails(read_text, str(f))
    assert "invalid UTF-8" in err.message and "byte offset 20" in err.message
    assert (err.line, err.column) == (2, 8)
    assert str(err).startswith(f"{f}:2:8: ")
    # the offset counts the BOM
    f.write_bytes(codecs.BOM_UTF8 + b"x: \xc3\x28\n")
    err = fails(load, str(f))
    assert "byte offset 6" in err.message and (err.line, err.column) == (1, 4)


def test_invalid_utf16_and_nul_bytes(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_bytes(codecs.BOM_UTF16_LE + "a: 1\n".encode("utf-16-le") + b"\x00")  # odd length
    assert "UTF-16" in fails(read_text, str(f)).message
    f.write_bytes("a: 1\n".encode("utf-16-le"))  # no BOM: NUL bytes everywhere
    err = fails(read_text, str(f))
    assert "NUL" in err.message and err.line == 1


def test_size_limit(tmp_path):
    f = tmp_path / "big.json"
    f.write_bytes(b"[" + b"1," * 49 + b"1]")  # 101 bytes
    err = fails(read_text, str(f), max_bytes=100)
    assert err.message == "file is 101 bytes, over the 100-byte limit (set --max-file-size to raise it)"
    assert err.line is None
    assert fails(load, str(f), max_bytes=100).message == err.message
    assert len(load(str(f), max_bytes=101).data) == 50
    assert len(read_text(str(f))) == 101  # the default limit is far above


def test_unreadable_paths_are_input_errors(tmp_path):
    assert "cannot read" in fails(read_text, str(tmp_path / "missing.json")).message
    assert "cannot read" in fails(load, str(tmp_path)).message  # a directory


def test_load_picks_the_parser(tmp_path):
    def write(name, text):
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        return str(p)

    assert load(write("a.json", '{"a": 1}')).fmt == "json"
    assert load(write("a.YML", "a: 1\n")).fmt == "yaml"
    assert load(write("a.yaml", '{"a": 1}')).fmt == "yaml"
    assert fails(load, write("b.json", "a: 1\n")).line == 1  # .json is JSON only
    sniffed = load(write("noext", '  \n [1, 2]'))
    assert sniffed.fmt == "json" and sniffed.data == [1, 2]
    assert load(write("flow.txt", "{a: 1}")).data == {"a": 1}  # not JSON, but YAML: accepted
    assert load(write("plain.txt", "a: 1\n")).fmt == "yaml"
    err = fails(load, write("broken.txt", '{"a": [1, }'))  # neither: the JSON error is reported
    assert err.message == "expected a value, found '}'"


# ---------------------------------------------------------------- properties

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=30,
)


def walk(value, path=()):
    yield path, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from walk(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from walk(v, path + (i,))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(json_values, st.sampled_from([None, 0, 2, "\t"]), st.booleans())
def test_json_round_trip_and_every_position_points_at_its_value(value, indent, ensure_ascii):
    text = json.dumps(value, indent=indent, ensure_ascii=ensure_ascii)
    doc = parse_json("h.json", text)
    assert strict_equal(doc.data, value)
    paths = dict(walk(value))
    assert set(doc.positions) == set(paths)
    assert set(doc.key_positions) == {p for p in paths if p and isinstance(p[-1], str)}
    for path, sub in paths.items():
        assert char_at(text, doc.positions[path]) == json.dumps(sub)[0]
        if path and isinstance(path[-1], str):
            assert char_at(text, doc.key_positions[path]) == '"'


yaml_safe_floats = st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: "." in repr(f))
yaml_safe_text = st.text(st.characters(max_codepoint=0xFFFF, blacklist_categories=("Cs",)), max_size=20)
yaml_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30) | yaml_safe_floats | yaml_safe_text,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(yaml_safe_text, children, max_size=5),
    max_leaves=30,
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(yaml_json_values, st.sampled_from([None, 2]))
def test_json_text_read_as_yaml_gives_the_same_values(yaml_loader, value, indent):
    # YAML 1.1 (PyYAML) reads "1e+20" (no dot) as a string and has no surrogate-pair escapes, hence the
    # float filter and the BMP-only text above; otherwise JSON is YAML.
    text = json.dumps(value, indent=indent)
    doc = parse_yaml("h.yaml", text)
    assert strict_equal(doc.data, value)
    assert set(doc.positions) == set(dict(walk(value)))


JSONISH = st.text(alphabet='{}[]",:0123456789.eE+- \n\t\\/utrfalsenNI\'x\u00e9', max_size=60)
YAMLISH = st.text(alphabet="-:?[]{},&*!|>'\"%@#<=\n \tab01.~\\u\u00e9", max_size=60)


@settings(max_examples=500)
@given(st.one_of(JSONISH, st.text(max_size=40)))
def test_parse_json_raises_only_input_error(text):
    try:
        doc = parse_json("fuzz.json", text)
    except InputError as err:
        assert err.file == "fuzz.json" and err.message
        return
    # whatever we accept (we are stricter), Python's json reads the same (it refuses a leading BOM)
    assert strict_equal(doc.data, json.loads(text[1:] if text.startswith("\ufeff") else text))


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(YAMLISH, st.text(max_size=40)))
def test_parse_yaml_raises_only_input_error(yaml_loader, text):
    try:
        parse_yaml("fuzz.yaml", text)
    except InputError as err:
        assert err.file == "fuzz.yaml" and err.message


@settings(max_examples=300)
@given(st.binary(max_size=40))
def test_decode_text_raises_only_input_error(data):
    try:
        text = decode_text("fuzz.bin", data)
    except InputError as err:
        assert err.file == "fuzz.bin"
        return
    assert "\r" not in text and not text.startswith("\ufeff")
