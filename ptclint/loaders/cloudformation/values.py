"""The values a resolved CloudFormation template holds, and how errors describe them.

Besides plain JSON values and `model.Unknown` there are two markers: `NO_VALUE` (a `Ref` to
`AWS::NoValue`, which the caller drops) and `OPAQUE` (opaque mode: a value not written literally in
the file, see `intrinsics.Resolver.opaque_value`). A leaf module, shared by the resolver, its
`Fn::*` functions and the template loader.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NoReturn

from ptclint.model import Unknown

SECRET = "AWS::SecretsManager::Secret"
ROLE = "AWS::IAM::Role"
MANAGED_POLICY = "AWS::IAM::ManagedPolicy"

OPAQUE = "\ue000ptclint-not-literal\ue000"
DYNAMIC_REFERENCE = "{{resolve:"
#: `${Name}`, `${Resource.Attribute}` or `${!Literal}` in an Fn::Sub string
SUB_VAR = re.compile(r"\$\{([^}]*)\}")


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE: Any = _NoValue()

#: fail(path, message) raises the InputError for the template value at `path` (never returns)
Fail = Callable[[tuple, str], NoReturn]


def partition_of(region: str) -> str:
    """The partition a concrete Region belongs to; `aws` when the Region is not known."""
    for start, partition in (("cn-", "aws-cn"), ("us-gov-", "aws-us-gov"), ("us-isob-", "aws-iso-b"),
                             ("us-iso-", "aws-iso"), ("eu-isoe-", "aws-iso-e")):
        if region.startswith(start):
            return partition
    return "aws"


def has_unknown(value: Any) -> bool:
    if isinstance(value, Unknown):
        return True
    if isinstance(value, dict):
        return any(has_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(has_unknown(v) for v in value)
    return False


def kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, Unknown):
        return "an unknown value"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list",
            dict: "a mapping"}.get(type(value), type(value).__name__)


def shape_of(value: Any) -> str:
    """kind_of, with the length of a list (for "expects a list of 2 arguments, got a list of 3")."""
    if isinstance(value, list):
        return f"a list of {len(value)}"
    return kind_of(value)


def scalar_text(value: Any) -> str | None:
    """A scalar as CloudFormation turns it into a string; None for lists and mappings."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None



def unknown_name(name: Any, declared: Any = ()) -> str:
    """What an error adds about a name that resolves to nothing: never the text itself (a token pasted
    where a name belongs would be printed), only the declared name it is probably a typo of."""
    import difflib

    if isinstance(name, str) and name:
        close = difflib.get_close_matches(name, [d for d in declared if isinstance(d, str)], n=1, cutoff=0.8)
        if close:
            return f" (did you mean {close[0]!r}?)"
    return ""
