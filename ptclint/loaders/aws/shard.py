"""Which share of the accounts one CI matrix job collects: `--shard I/N`.

An account belongs to shard `sha256(account id) mod N + 1`: it depends on the account alone, never
on its position in a list, so adding or removing an account moves no other account between shards,
and N jobs with I = 1..N cover every account exactly once. No boto3 here: the flag is checked before
anything is collected, and `ptclint merge --accounts-file` reads account lists without boto3.
"""

from __future__ import annotations

import hashlib
import re

from ptclint.errors import ConfigError

_SHARD = re.compile(r"^\s*([0-9]+)\s*/\s*([0-9]+)\s*$")
ACCOUNT = re.compile(r"^[0-9]{12}$")


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


def file_accounts(path: str) -> list[str]:
    """Account ids, one a line (anything after the id, and lines starting with #, are ignored)."""
    try:
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"--accounts-file {path}: cannot read: {exc}") from None
    out = []
    for number, line in enumerate(lines, 1):
        word = line.split("#", 1)[0].strip().split()
        if not word:
            continue
        if not ACCOUNT.match(word[0]):
            raise ConfigError(f"--accounts-file {path}:{number}: expected a 12-digit account id, got {word[0][:20]!r}")
        out.append(word[0])
    return out
