"""The `ptclint` command: a plain `scan` without typer (`frontend.fast_scan`), everything else
through typer (`cli.app`)."""

from __future__ import annotations

import sys

from ptclint.frontend import fast_scan, guarded


def main() -> None:
    def command() -> None:
        code = fast_scan(sys.argv[1:])
        if code is not None:
            sys.exit(code)
        from ptclint.cli import app

        app()

    guarded(command)
