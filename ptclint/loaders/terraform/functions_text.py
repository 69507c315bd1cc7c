"""Terraform's pure string, regular-expression, encoding, hash and path functions.

Same contract as `functions`: a value, the first Unknown among the inputs, or `TfError` (Terraform
would reject the call). Patterns run with RE2, as Terraform's do (linear time, RE2 syntax); the
size of every string built is checked against the input's value budget before it is built.
Messages never quote an argument.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import posixpath
import re
import urllib.parse
from collections.abc import Callable
from typing import Any

from ptclint import budgets
from ptclint.errors import InputError
from ptclint.loaders.terraform.functions import _format, _need, _re2, _str_arg
from ptclint.loaders.terraform.values import TfError, to_number
from ptclint.model import Unknown

# -- strings


def _chomp(s: Any) -> Any:
    return re.sub(r"(?:\r\n|\r|\n)+\Z", "", _str_arg("chomp", s))


def _indent(n: Any, s: Any) -> Any:
    spaces = _whole("indent", n)
    s = _str_arg("indent", s)
    _need(spaces >= 0, "indent(): the number of spaces must not be negative")
    budgets.meter().check_size(len(s) + s.count("\n") * spaces, "indent()")
    return s.replace("\n", "\n" + " " * spaces)


def _strcontains(s: Any, sub: Any) -> Any:
    return _str_arg("strcontains", sub) in _str_arg("strcontains", s)


def _formatlist(fmt: Any, *args: Any) -> Any:
    lengths = {len(a) for a in args if isinstance(a, (list, tuple))}
    _need(len(lengths) <= 1, "formatlist(): the list arguments must all have the same length")
    if not lengths:
        return [_format(fmt, *args)]
    n = lengths.pop()
    budgets.meter().iterate(n, "formatlist()")
    out = []
    for i in range(n):
        value = _format(fmt, *(a[i] if isinstance(a, (list, tuple)) else a for a in args))
        if isinstance(value, Unknown):
            return value
        out.append(value)
    return out


def _whole(name: str, value: Any) -> int:
    n = to_number(value)
    _need(isinstance(n, int) or (isinstance(n, float) and n.is_integer()), f"{name}(): expected a whole number")
    return int(n)


# -- regular expressions (RE2, as Terraform)


def _match_value(pattern: Any, m: Any) -> Any:
    """What Terraform returns for one match: the text (no groups), a list (unnamed groups) or an
    object (named groups); a group that took no part in the match is null."""
    if pattern.groups == 0:
        return m.group(0)
    names = pattern.groupindex
    _need(not names or len(names) == pattern.groups,
          "regex(): the pattern must use only named or only unnamed capture groups")
    if names:
        return {name: m.group(name) for name in names}
    return [m.group(i) for i in range(1, pattern.groups + 1)]


def _regex(pattern: Any, s: Any) -> Any:
    compiled = _re2(_str_arg("regex", pattern))
    m = compiled.search(_str_arg("regex", s))
    _need(m is not None, "regex(): the pattern does not match the string")
    return _match_value(compiled, m)


def _regexall(pattern: Any, s: Any) -> Any:
    compiled = _re2(_str_arg("regexall", pattern))
    meter = budgets.meter()
    out = []
    for m in compiled.finditer(_str_arg("regexall", s)):
        meter.iterate(1, "regexall()")
        out.append(_match_value(compiled, m))
    return out


# -- encodings and hashes


def _base64decode(s: Any) -> Any:
    try:
        raw = base64.b64decode(_str_arg("base64decode", s).encode("ascii"), validate=True)
        return raw.decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise TfError("base64decode(): not base64 of UTF-8 text") from None


def _yamldecode(s: Any) -> Any:
    """YAML with the project's parser: depth and alias expansion bounded, no custom tags."""
    from ptclint.parsing.yaml import parse_yaml

    try:
        return parse_yaml("yamldecode()", _str_arg("yamldecode", s)).data
    except InputError:
        raise TfError("yamldecode(): the string is not YAML ptclint can read (one document, standard tags)") \
            from None


def _digest(name: str, algorithm: str, encode: Callable[[bytes], str]) -> Callable[[Any], Any]:
    def digest(s: Any) -> Any:
        return encode(hashlib.new(algorithm, _str_arg(name, s).encode("utf-8")).digest())

    return digest


def _hex(raw: bytes) -> str:
    return raw.hex()


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


# -- paths (Go's path/filepath semantics on a slash-separated path)


def _basename(p: Any) -> Any:
    p = _str_arg("basename", p)
    if p == "":
        return "."
    p = p.rstrip("/")
    return "/" if p == "" else p.rsplit("/", 1)[-1]


def _dirname(p: Any) -> Any:
    p = _str_arg("dirname", p)
    head = p[: p.rfind("/") + 1]
    return _clean(head)


def _clean(p: str) -> str:
    if p == "":
        return "."
    cleaned = posixpath.normpath(p)
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "chomp": _chomp,
    "indent": _indent,
    "strcontains": _strcontains,
    "strrev": lambda s: _str_arg("strrev", s)[::-1],
    "formatlist": _formatlist,
    "regex": _regex,
    "regexall": _regexall,
    "base64encode": lambda s: _b64(_str_arg("base64encode", s).encode("utf-8")),
    "base64decode": _base64decode,
    "urlencode": lambda s: urllib.parse.quote_plus(_str_arg("urlencode", s), safe=""),
    "yamldecode": _yamldecode,
    "md5": _digest("md5", "md5", _hex),
    "sha1": _digest("sha1", "sha1", _hex),
    "sha256": _digest("sha256", "sha256", _hex),
    "sha512": _digest("sha512", "sha512", _hex),
    "base64sha256": _digest("base64sha256", "sha256", _b64),
    "base64sha512": _digest("base64sha512", "sha512", _b64),
    "basename": _basename,
    "dirname": _dirname,
}
