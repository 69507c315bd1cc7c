"""What names mean where an expression is evaluated: `Env`, namespaces, and scopes with no names.

A scope answers `root(name, env)` for the first name of a reference (`var`, `local`, a resource
type, ...). A module instance is the usual scope; the two here stand for places where
Terraform allows no references (variable defaults, tfvars, module sources) and for
`templatefile()` templates, which see only the variables passed to them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ptclint.loaders.terraform.values import Lazy, TfError
from ptclint.model import Unknown


class Env:
    """What names mean where an expression is evaluated: a scope (module instance) plus local
    bindings (each, count, for-expression variables, dynamic-block iterators)."""

    def __init__(self, scope: Any, bindings: dict[str, Any] | None = None) -> None:
        self.scope = scope
        self.bindings = bindings or {}

    def bind(self, **names: Any) -> Env:
        return Env(self.scope, {**self.bindings, **names})


class Namespace(Lazy):
    """`var`, `local`, `module`, `data`, a resource type: only attribute access is meaningful."""

    def __init__(self, describe: str, getter: Callable[[str], Any]) -> None:
        self.describe = describe
        self._get = getter

    def get(self, name: str) -> Any:
        return self._get(name)

    def materialize(self) -> Any:
        return Unknown(f"{self.describe} used as a whole value")


# Names an expression may start with. Any other bare name is not repeated in messages: it is often a
# value written without its quotes, and that value may be a token or a password.
ROOT_NAMES = frozenset(("var", "local", "module", "data", "path", "terraform", "self", "each", "count"))
BARE_NAME = "a bare name (a resource type, or a string missing its quotes?)"


class NoReferences:
    """The scope of expressions that may refer to nothing (defaults, tfvars, module sources)."""

    def root(self, name: str, env: Env) -> Any:
        if name in ROOT_NAMES:
            raise TfError(f"{name} cannot be referenced here")
        raise TfError(BARE_NAME + " cannot be used here")


class TemplateVariables:
    """The scope of a `templatefile()` template: only the variables passed to it (as bindings)."""

    def root(self, name: str, env: Env) -> Any:
        raise TfError(f"templatefile(): {name} is not one of the template's variables")
