"""Terraform built-in functions ptclint evaluates: each against the value Terraform gives (from the
Terraform documentation's examples), and every other function an unknown naming it."""

from __future__ import annotations

from typing import Any

import pytest

from ptclint import budgets
from ptclint.loaders.terraform.expr import Evaluator
from ptclint.loaders.terraform.function_table import EVALUATOR_FUNCTIONS, FUNCTIONS, NOT_PURE, supported
from ptclint.loaders.terraform.hcl import parse_expression
from ptclint.loaders.terraform.scope import Env, NoReferences
from ptclint.model import Unknown


def evaluate(text: str, root: str = "/work/infra/prod") -> Any:
    return Evaluator(root_dir=root).value(parse_expression(text), Env(NoReferences()))


CASES = [
    ('basename("foo/bar/baz.txt")', "baz.txt"),
    ('basename("foo/bar/")', "bar"),
    ('dirname("foo/bar/baz.txt")', "foo/bar"),
    ('dirname("baz.txt")', "."),
    ('abspath("modules/../policies")', "/work/infra/prod/policies"),
    ('abspath("/etc/x")', "/etc/x"),
    ('md5("hello world")', "5eb63bbbe01eeed093cb22bb8f5acdc3"),
    ('sha1("hello world")', "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed"),
    ('sha256("hello world")', "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"),
    ('base64sha256("hello world")', "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek="),
    ('base64encode("Hello World")', "SGVsbG8gV29ybGQ="),
    ('base64decode("SGVsbG8gV29ybGQ=")', "Hello World"),
    ('urlencode("Hello World!")', "Hello+World%21"),
    ('yamldecode("hello: world")', {"hello": "world"}),
    ('yamldecode("- a\\n- b")', ["a", "b"]),
    ('strcontains("hello world", "wor")', True),
    ('strcontains("hello world", "wod")', False),
    ('startswith("ecr-pullthroughcache/dh", "ecr-pullthroughcache/")', True),
    ('endswith("hello world", "world")', True),
    ('trimprefix("helloworld", "hello")', "world"),
    ('trimsuffix("helloworld", "world")', "hello"),
    ('regex("[a-z]+", "53453453.345345aaabbbccc23454")', "aaabbbccc"),
    ('regex("(\\\\d\\\\d\\\\d\\\\d)-(\\\\d\\\\d)-(\\\\d\\\\d)", "2019-02-01")', ["2019", "02", "01"]),
    ('regex("^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?", "https://terraform.io/docs/")',
     {"scheme": "https", "authority": "terraform.io"}),
    ('regexall("[a-z]+", "1234abcd5678efgh9")', ["abcd", "efgh"]),
    ('length(regexall("[a-z]+", "1234abcd5678efgh9"))', 2),
    ('replace("hello world", "/w.*d/", "everybody")', "hello everybody"),
    ('replace("1 + 2 + 3", "+", "-")', "1 - 2 - 3"),
    ('title("hello world")', "Hello World"),
    ('chomp("hello\\n\\n")', "hello"),
    ('indent(2, "[\\n  foo,\\n]")', "[\n    foo,\n  ]"),
    ('split(",", "foo,bar,baz")', ["foo", "bar", "baz"]),
    ('join(", ", ["foo", "bar", "baz"])', "foo, bar, baz"),
    ('zipmap(["a", "b"], [1, 2])', {"a": 1, "b": 2}),
    ('setproduct(["development", "staging"], ["app1", "app2"])',
     [["development", "app1"], ["development", "app2"], ["staging", "app1"], ["staging", "app2"]]),
    ('setintersection(["a", "b"], ["b", "c"], ["b", "d"])', ("b",)),
    ('setsubtract(["a", "b", "c"], ["a", "c"])', ("b",)),
    ('transpose({"a" = ["1", "2"], "b" = ["2", "3"]})', {"1": ["a"], "2": ["a", "b"], "3": ["b"]}),
    ('coalescelist(["a", "b"], ["c", "d"])', ["a", "b"]),
    ('coalescelist([], ["c", "d"])', ["c", "d"]),
    ('one([])', None),
    ('one(["hello"])', "hello"),
    ('sum([10, 13, 6, 4.5])', 33.5),
    ('alltrue(["true", true])', True),
    ('alltrue([true, false])', False),
    ('anytrue([false, "true"])', True),
    ('anytrue([])', False),
    ('chunklist(["a", "b", "c", "d", "e"], 2)', [["a", "b"], ["c", "d"], ["e"]]),
    ('slice(["a", "b", "c", "d"], 1, 3)', ["b", "c"]),
    ('index(["a", "b", "c"], "b")', 1),
    ('matchkeys(["i-123", "i-abc", "i-def"], ["us-west", "us-east", "us-east"], ["us-east"])', ["i-abc", "i-def"]),
    ('formatlist("Hello, %s!", ["Valentina", "Ander"])', ["Hello, Valentina!", "Hello, Ander!"]),
    ('ceil(5.1)', 6),
    ('floor(4.9)', 4),
    ('signum(-13)', -1),
    ('pow(3, 2)', 9),
    ('log(16, 2)', 4),
    ('parseint("FF", 16)', 255),
    ('parseint("zz", 62)', 35 * 62 + 35),  # Go: a-z are 10-35, A-Z 36-61
    ('parseint("ZZ", 62)', 61 * 62 + 61),
    ('strrev("hello")', "olleh"),
    ('try(regex("^x", "abc"), "fallback")', "fallback"),
    ('can(regex("^a", "abc"))', True),
    ('can(regex("^x", "abc"))', False),
]


@pytest.mark.parametrize(("expression", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_builtin_gives_what_terraform_gives(expression: str, expected: Any) -> None:
    assert evaluate(expression) == expected


@pytest.mark.parametrize("call", [
    'provider::aws::arn_parse("arn:aws:iam::123456789012:role/x")',
    'pathexpand("~/.ssh/id_rsa")',
    'timestamp()',
    'uuid()',
    'cidrsubnet("10.0.0.0/16", 8, 2)',
])
def test_any_other_function_is_unknown_naming_it(call: str) -> None:
    value = evaluate(call)
    name = call.split("(")[0]
    assert isinstance(value, Unknown) and f"function {name}()" in value.reason


def test_impure_functions_say_why() -> None:
    value = evaluate("timestamp()")
    assert isinstance(value, Unknown) and "when or where Terraform runs" in value.reason


@pytest.mark.parametrize("call", [
    'regex("[a-z]+", "12345")',          # no match: Terraform refuses
    'regex("(a", "a")',                  # not RE2 syntax
    'regex("(?P<x>a)(b)", "ab")',        # named and unnamed groups mixed
    'base64decode("not base64!")',
    'yamldecode("!Ref x")',              # a custom tag is not YAML Terraform reads
    'yamldecode("a: [")',
    'sum([])',
    'slice(["a"], 0, 5)',
    'index(["a"], "b")',
    'pow(10, 100000)',
])
def test_calls_terraform_rejects_are_unknown_not_guessed(call: str) -> None:
    assert isinstance(evaluate(call), Unknown)


def test_regex_uses_re2_linear_time_on_a_backtracking_pattern() -> None:
    # (a+)+$ against "aaaa...!" takes exponential time with Python's re; RE2 answers at once
    assert evaluate('can(regex("(a+)+$", "' + "a" * 5000 + '!"))') is False


def test_building_functions_keep_the_budgets() -> None:
    small = budgets.Budgets(loop_iterations=1_000)
    with budgets.metered(small), pytest.raises(budgets.BudgetExceeded):
        evaluate("setproduct(range(100), range(100))")
    with budgets.metered(budgets.Budgets(value_size=10_000)), pytest.raises(budgets.BudgetExceeded):
        evaluate('indent(100000, "a\\nb")')


def test_yamldecode_alias_bomb_is_refused() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\\n"
        for i in range(8))
    value = evaluate(f'yamldecode("{bomb}")')
    assert isinstance(value, Unknown)


def test_the_table_is_what_the_docs_list() -> None:
    names = supported()
    assert set(FUNCTIONS) | set(EVALUATOR_FUNCTIONS) == set(names)
    assert not set(NOT_PURE) & set(names)
    for required in ("basename", "dirname", "abspath", "md5", "sha256", "base64sha256", "yamldecode", "strcontains",
                     "startswith", "endswith", "trimprefix", "trimsuffix", "regex", "regexall", "replace", "title",
                     "chomp", "indent", "split", "join", "zipmap", "setproduct", "transpose", "coalescelist", "one",
                     "sum", "alltrue", "anytrue", "try", "can"):
        assert required in names, required


def _tree(root: Any, files: list[str]) -> None:
    for name in files:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")


@pytest.mark.parametrize(("pattern", "expected"), [
    ("*.yaml", ("a.yaml",)),
    ("upstreams/*.yaml", ("upstreams/hub.yaml", "upstreams/quay.yaml")),
    ("**/*.yaml", ("a.yaml", "upstreams/deep/x.yaml", "upstreams/hub.yaml", "upstreams/quay.yaml")),
    ("upstreams/{hub,quay}.yaml", ("upstreams/hub.yaml", "upstreams/quay.yaml")),
    ("upstreams/[!q]*.yaml", ("upstreams/hub.yaml",)),
    ("nothing/*", ()),
])
def test_fileset_matches_like_terraform(tmp_path: Any, pattern: str, expected: tuple) -> None:
    _tree(tmp_path, ["a.yaml", "b.txt", "upstreams/hub.yaml", "upstreams/quay.yaml", "upstreams/deep/x.yaml"])
    assert evaluate(f'fileset(path.module, "{pattern}")'.replace("path.module", '"."'), root=str(tmp_path)) \
        == expected


def test_fileset_stays_in_the_unit_and_follows_no_link(tmp_path: Any) -> None:
    unit = tmp_path / "unit"
    _tree(tmp_path, ["outside/secret.yaml", "unit/in.yaml"])
    (unit / "linked").symlink_to(tmp_path / "outside")
    (unit / "link.yaml").symlink_to(tmp_path / "outside" / "secret.yaml")
    assert evaluate('fileset(".", "**")', root=str(unit)) == ("in.yaml",)
    outside = evaluate('fileset("..", "**")', root=str(unit))
    assert isinstance(outside, Unknown) and "outside the scanned directory" in outside.reason


def test_fileset_counts_against_the_loop_budget(tmp_path: Any) -> None:
    _tree(tmp_path, [f"d{i}/f{j}.yaml" for i in range(20) for j in range(10)])
    with budgets.metered(budgets.Budgets(loop_iterations=50)), pytest.raises(budgets.BudgetExceeded):
        evaluate('fileset(".", "**/*.yaml")', root=str(tmp_path))
    with budgets.metered(budgets.Budgets(loop_iterations=50)):  # "*" does not descend: cheap
        assert evaluate('fileset(".", "*.yaml")', root=str(tmp_path)) == ()
