"""The progress line: drawn on a terminal (accounts and Regions done, calls, gaps), silent otherwise."""

from __future__ import annotations

import io

from ptclint.loaders.aws.progress import Progress


def test_progress_is_drawn_only_when_enabled() -> None:
    stream = io.StringIO()
    progress = Progress(True, stream)
    progress.accounts, progress.registries = 2, 4
    progress.account_done()
    for _ in range(20):
        progress.call()
    progress.registry_done(gaps=1)
    progress.finish()
    last = stream.getvalue().split("\r")[-1]
    assert last == "ptclint: [######                  ] accounts 1/2, regions 1/4, 20 calls, 1 gaps\n"
    quiet = io.StringIO()
    Progress(False, quiet).finish()
    assert quiet.getvalue() == ""
