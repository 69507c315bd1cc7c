"""Repository prefixes: `x` and `x/` are one prefix, `ROOT` covers every namespace."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ptclint.rulelib.tri import known


def norm_prefix(p: str) -> str:
    """`p` without one trailing `/`."""
    p = str(p)
    return p[:-1] if p.endswith("/") else p


def prefix_covers(a: str, p: str) -> bool:
    """True when prefix `a` covers namespace `p`: `a == ROOT`, or `normPrefix(a) == normPrefix(p)`,
    or `p` starts with `normPrefix(a) + "/"`."""
    a, q = norm_prefix(a), norm_prefix(p)
    return a == "ROOT" or a == q or q.startswith(a + "/")


def is_ancestor(a: str, p: str) -> bool:
    """`prefixCovers(a, p)` and the two are not the same prefix."""
    return prefix_covers(a, p) and norm_prefix(a) != norm_prefix(p)


def templates_for(templates: list[Any], p: str) -> list[Any]:
    """The templates whose prefix covers `p`, most specific first (`ROOT` last)."""
    covering = [t for t in templates if "prefix" in t and prefix_covers(known(t["prefix"]), p)]

    def specificity(t: Mapping[str, Any]) -> int:
        pre = norm_prefix(t["prefix"])
        return -1 if pre == "ROOT" else len(pre)

    return sorted(covering, key=specificity, reverse=True)


def _prefix_of(item: Any, field: str) -> Any:
    return known(item.get(field)) if isinstance(item, Mapping) else None


def earlier_same_prefix(items: list[Any], field: str, index: int) -> int:
    """Index of the first item before `index` whose `field` is the same prefix as item `index`'s
    (`x` == `x/`), else -1. Use for duplicate checks:
    `earlierSamePrefix(registry.pullThroughCacheRules, 'ecrRepositoryPrefix', index) < 0`."""
    mine = _prefix_of(items[index], field)
    if not isinstance(mine, str):
        return -1
    for i in range(index):
        other = _prefix_of(items[i], field)
        if isinstance(other, str) and norm_prefix(other) == norm_prefix(mine):
            return i
    return -1


def ancestors(items: list[Any], field: str, prefix: str) -> list[Any]:
    """Indexes of the items whose `field` is a strict ancestor of `prefix` (`ROOT` included),
    nearest first."""
    found = []
    for i, item in enumerate(items):
        other = _prefix_of(item, field)
        if isinstance(other, str) and is_ancestor(other, prefix):
            found.append(i)
    return sorted(found,
                  key=lambda i: 0 if norm_prefix(items[i][field]) == "ROOT" else -len(norm_prefix(items[i][field])))


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "normPrefix": norm_prefix,
    "prefixCovers": prefix_covers,
    "isAncestor": is_ancestor,
    "templatesFor": templates_for,
    "earlierSamePrefix": earlier_same_prefix,
    "ancestors": ancestors,
}
