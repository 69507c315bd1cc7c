"""Both cores for large inputs: registries are judged independently, so a scan of many of them
is split into contiguous chunks judged in worker processes and joined back in order, which makes
the outcomes exactly those of a single process (`supersedes` is applied afterwards, over all).

Small inputs (a pre-commit hook's few files) never start a pool: starting one costs more than it
saves. `PTCLINT_WORKERS=1` turns the pool off; `PTCLINT_WORKERS=N` sets the number of workers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ptclint.model import Registry
    from ptclint.report import Outcome, Skip
    from ptclint.rule import Rule

Judge = Callable[..., "tuple[list[Outcome], list[Skip]]"]
MIN_REGISTRIES = 12  # below this, and below MIN_RESOURCES resources, one process is faster
MIN_RESOURCES = 150


def workers() -> int:
    configured = os.environ.get("PTCLINT_WORKERS", "")
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return min(os.cpu_count() or 1, 8)


def worth_it(rules: Sequence[Rule], registries: Sequence[Registry]) -> bool:
    if workers() < 2 or len(registries) < MIN_REGISTRIES or not rules:
        return False
    resources = sum(len(r.rules) + len(r.templates) + len(r.iam_policies) for r in registries)
    return resources >= MIN_RESOURCES


_JOB: dict[str, Any] = {}


def _start(judge: Judge, rules: list[Rule], params: Mapping[str, Mapping[str, Any]], now: datetime,
           policy: Mapping[str, Any]) -> None:
    _JOB.update(judge=judge, rules=rules, params=params, now=now, policy=policy)


def _judge_chunk(registries: list[Registry]) -> tuple[list[Outcome], list[Skip]]:
    result: tuple[list[Outcome], list[Skip]] = _JOB["judge"](_JOB["rules"], registries, _JOB["params"], _JOB["now"],
                                                                  _JOB["policy"])
    return result


def evaluate_in_parallel(judge: Judge, rules: list[Rule], registries: list[Registry],
                         params: Mapping[str, Mapping[str, Any]], now: datetime,
                         policy: Mapping[str, Any]) -> tuple[list[Outcome], list[Skip]]:
    """`judge(rules, registries, params, now, policy)` over chunks of `registries` in worker processes,
    joined in the registries' order."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    count = workers()
    chunks = _chunks(registries, count * 4)
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(count, mp_context=multiprocessing.get_context(method), initializer=_start,
                             initargs=(judge, rules, params, now, policy)) as executor:
        results = list(executor.map(_judge_chunk, chunks))
    outcomes: list[Outcome] = []
    skips: list[Skip] = []
    for chunk_outcomes, chunk_skips in results:
        outcomes.extend(chunk_outcomes)
        skips.extend(chunk_skips)
    return outcomes, skips


def _chunks(items: list[Registry], parts: int) -> list[list[Registry]]:
    size = max(1, -(-len(items) // parts))
    return [items[i:i + size] for i in range(0, len(items), size)]
