"""Which share of the accounts one CI matrix job collects: `--shard I/N`.

An account belongs to shard `sha256(account id) mod N + 1`: it depends on the account alone, never
on its position in a list, so adding or removing an account moves no other account between shards,
and N jobs with I = 1..N cover every account exactly once. No boto3 here: the flag is checked before
anything is collected.
"""

from __future__ import annotations

import hashlib
import re

from ptclint.errors import ConfigError

_SHARD = re.compile(r"^\s*([0-9]+)\s*/\s*([0-9]+)\s*$")


def parse(text: str | None) -> tuple[int, int] | None:
    """`I/N` (1 <= I <= N) as (I, N); None when not given. A bad value is a ConfigError."""
    if text is None:
        return None
    match = _SHARD.match(text)
    if not match:
        raise ConfigError(f"--shard {text[:40]!r}: expected I/N, e.g. 2/4 (job 2 of 4)")
    index, count = int(match.group(1)), int(match.group(2))
    if not 1 <= index <= count:
        raise ConfigError(f"--shard {index}/{count}: I must be between 1 and N")
    return index, count


def of(account: str, count: int) -> int:
    """The shard (1..count) that `account` falls in."""
    return int(hashlib.sha256(account.encode()).hexdigest(), 16) % count + 1


def select(accounts: list[str], shard: tuple[int, int] | None) -> list[str]:
    """The accounts of `shard`, in their order; all of them when no shard is given."""
    if shard is None:
        return accounts
    index, count = shard
    return [a for a in accounts if of(a, count) == index]
