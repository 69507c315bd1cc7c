"""The organization's policy: `[tool.ptclint.policy]`, the choices an organization makes beyond
what AWS requires (which upstream registries it allows, what its cache repositories must look
like, how its secrets are named).

Each setting turns on the policy rules (rules/pol/) that read it: a rule lists the settings it needs
under `policy:` and reads them in CEL as `policy.<setting with _ for ->` (`policy.allowed_upstreams`).
A rule whose setting is not set does not run (it is skipped, and `ptclint rules` shows why). A bad
value is a ConfigError naming where it came from and what is valid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ptclint.errors import ConfigError
from ptclint.rulelib.aws import UPSTREAM_KINDS

if TYPE_CHECKING:
    from ptclint.rule import Rule


@dataclass(frozen=True)
class Setting:
    type: str  # boolean | upstreams | prefixes | pattern
    description: str


SETTINGS: dict[str, Setting] = {
    "allowed-upstreams": Setting("upstreams", "the upstream registries PTC rules may point at, as upstreamRegistry "
                                              "names: " + ", ".join(sorted(UPSTREAM_KINDS))),
    "require-tag-immutability": Setting("boolean", "creation templates applied to pull through cache make "
                                                   "repositories with immutable tags"),
    "require-kms-encryption": Setting("boolean", "creation templates applied to pull through cache encrypt "
                                                 "repositories with KMS"),
    "require-lifecycle-policy": Setting("boolean", "creation templates applied to pull through cache give "
                                                   "repositories a lifecycle policy"),
    "required-prefixes": Setting("prefixes", "ECR repository prefixes that must have a PTC rule in every registry"),
    "secret-name-pattern": Setting("pattern", "a regular expression (RE2, searched) that the name of every "
                                              "PTC credential secret must match"),
}


def read_policy(table: Any, where: str) -> dict[str, Any]:
    """The checked policy of a `[tool.ptclint.policy]` table (or a case file's `policy:`); `where`
    names the table in errors (`pyproject.toml: [tool.ptclint.policy]`)."""
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where}: expected a table of settings ({', '.join(SETTINGS)})")
    out: dict[str, Any] = {}
    for key, value in table.items():
        setting = SETTINGS.get(key) or SETTINGS.get(str(key).replace("_", "-"))
        if setting is None:
            import difflib

            near = difflib.get_close_matches(str(key), list(SETTINGS), 1)
            hint = f"; did you mean {near[0]!r}?" if near else f"; expected one of: {', '.join(SETTINGS)}"
            raise ConfigError(f"{where}: {key}: unknown policy setting{hint}")
        name = str(key).replace("_", "-")
        out[name] = _CHECKS[setting.type](value, f"{where}: {name}")
    return out


def _boolean(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: expected true or false")
    return value


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where}: expected a list of non-empty strings")
    return [v.strip() for v in value]


def _upstreams(value: Any, where: str) -> list[str]:
    from ptclint.rulelib.aws import upstream_kind

    names = _strings(value, where)
    for name in names:
        if name not in UPSTREAM_KINDS:
            kind = upstream_kind(name) or upstream_kind(name + ".io")  # a host (quay.io, ghcr) names its kind
            hint = f"; did you mean {kind!r}?" if kind else ""
            raise ConfigError(f"{where}: {name!r} is not an upstream registry name{hint} (valid names: "
                              f"{', '.join(sorted(UPSTREAM_KINDS))})")
    return names


def _prefixes(value: Any, where: str) -> list[str]:
    return _strings(value, where)


def _pattern(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}: expected a regular expression string")
    import re2  # cel-python's own dependency: CEL's matches() searches with RE2, so the check is the same

    options = re2.Options()
    options.log_errors = False  # the error is ours to report, not RE2's to print on stderr
    try:
        re2.compile(value, options)
    except re2.error as exc:
        why = exc.args[0].decode(errors="replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise ConfigError(f"{where}: not a valid RE2 regular expression: {why}") from None
    return value


_CHECKS = {"boolean": _boolean, "upstreams": _upstreams, "prefixes": _prefixes, "pattern": _pattern}


def is_set(policy: Mapping[str, Any], name: str) -> bool:
    """A setting is set when present and not `false` (`require-kms-encryption = false` is off)."""
    return name in policy and policy[name] is not False


def unset_policy(rule: Rule, policy: Mapping[str, Any]) -> str | None:
    """The first policy setting the rule needs that the policy does not set, or None."""
    return next((name for name in rule.policy if not is_set(policy, name)), None)


def cel_policy(policy: Mapping[str, Any]) -> dict[str, Any]:
    """The policy as rules read it: `policy.allowed_upstreams`."""
    return {name.replace("-", "_"): value for name, value in policy.items()}
