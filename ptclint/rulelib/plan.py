"""Terraform plan changes to PTC rules: a rule destroyed at one address and created at another."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ptclint.rulelib.prefixes import norm_prefix
from ptclint.rulelib.tri import (
    and_,
    apply,
    eq,
    exists,
    fields,
    filter_,
    get,
    has,
    in_,
    index,
    is_known,
    map_,
    ne,
    not_,
    text,
)


def _only(change: Any, action: str, other: str, side: str, prefix: str) -> Any:
    """Plan change `change` only does `action` (not `other`) to a PTC rule whose `side` (before /
    after) has the prefix `prefix` (x and x/ alike)."""
    value = get(change, side, "ecrRepositoryPrefix")
    return and_(has(change, "actions"), lambda: in_(action, get(change, "actions")),
                lambda: not_(in_(other, get(change, "actions"))), has(change, side, "ecrRepositoryPrefix"),
                lambda: is_known(value), lambda: eq(apply(norm_prefix, value), norm_prefix(prefix)))


def plan_prefix_moves(changes: Any, prefix: Any) -> Any:
    """In Terraform plan resource changes `changes`, one that only deletes an address and
    one that only creates another address, both PTC rules with `prefix` (x and x/ alike); replacing
    one address does not count. Returns `{creating, recreated, destroys, creates, from, to}`:
    `creating` when a change only creates a rule with the prefix, `recreated` for such a pair, the
    addresses that destroy and that create it (comma-separated) and the first of each."""
    def deletes(c: Any) -> Any:
        return _only(c, "delete", "create", "before", prefix)

    def creates(c: Any) -> Any:
        return _only(c, "create", "delete", "after", prefix)

    destroying = map_(filter_(changes, deletes), lambda d: get(d, "address"))
    creating = map_(filter_(changes, creates), lambda c: get(c, "address"))
    return fields(**{
        "creating": exists(changes, creates),
        "recreated": exists(changes, lambda d: and_(lambda: deletes(d), lambda: exists(
            changes, lambda c: and_(lambda: creates(c), lambda: ne(get(c, "address"), get(d, "address")))))),
        "destroys": text(destroying), "creates": text(creating),
        "from": text(index(destroying, 0)), "to": text(index(creating, 0)),
    })


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "planPrefixMoves": plan_prefix_moves,
}
