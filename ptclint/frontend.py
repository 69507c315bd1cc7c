"""What `ptclint scan` does once its arguments are parsed, without typer.

`cli.py` parses the command line with typer; typer imports pydantic and click, about a third of a
pre-commit hook's whole run. So the entry point (`ptclint.entry`) first tries `fast_scan`: a plain
`ptclint scan [--hook] [--fail-on X] [--format X] [--quiet] [--allow-partial] PATH...`, the form
the pre-commit hook runs, is parsed here and handed to the same `scan` that `cli.scan` calls;
anything else (another command, another flag, `--help`, `-` for stdin, a value typer would
refuse) is left to typer, which parses it and reports its errors as before. `tests/test_frontend.py`
holds both paths to byte-identical output and exit codes.

Failures here print one line and raise `SystemExit` (typer's `Exit` is one too, so the commands in
`cli.py` share these helpers unchanged).
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from ptclint.config import Flags
    from ptclint.report import Report


def echo(message: str, err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    stream.write(f"{message}\n")
    stream.flush()


def fail(message: str, code: int = 2) -> NoReturn:
    echo(f"ptclint: error: {message}", err=True)
    raise SystemExit(code)


@dataclass(frozen=True)
class TableView:
    """The table's command-line options; colour and width follow the terminal when there is one."""

    color: str
    mode: str
    statistics: bool
    quiet: bool
    show_unjudged: bool

    def render(self, result: Report, output: str | None) -> str:
        import shutil

        from ptclint.reporters.table import TableStyle, render_with

        tty = output is None and sys.stdout.isatty()
        colored = self.color == "always" or (self.color == "auto" and tty and not os.environ.get("NO_COLOR")
                                             and os.environ.get("TERM") != "dumb")
        width = shutil.get_terminal_size((100, 24)).columns if tty else int(os.environ.get("COLUMNS", "0") or 0)
        style = TableStyle(width=max(40, width) if width else 100, color=colored, concise=self.mode == "concise",
                           statistics=self.statistics, show_unjudged=self.show_unjudged, quiet=self.quiet)
        return render_with(result, style)


def write(text: str, output: str | None) -> None:
    if not output:
        sys.stdout.write(text)
        return
    try:
        mode = os.stat(output).st_mode
    except OSError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        _write_in_place(text, output, mode)  # a device or pipe (/dev/null, /dev/fd/3) is never replaced
        return
    # Write beside the target and rename, so CI never uploads a half-written file.
    directory = os.path.dirname(os.path.abspath(output))
    tmp = os.path.join(directory, f".{os.path.basename(output)}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, output)
    except OSError as exc:
        fail(f"--output {output}: {exc.strerror or exc}")
    finally:  # any failure (Ctrl-C included) leaves neither a partial report nor a temporary file
        if os.path.exists(tmp):
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _write_in_place(text: str, output: str, mode: int) -> None:
    if stat.S_ISDIR(mode):
        fail(f"--output {output}: is a directory")
    try:
        with open(output, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    except OSError as exc:
        fail(f"--output {output}: {exc.strerror or exc}")


def shown(path: str) -> str:
    from ptclint.loaders import display_path

    return display_path(path)


def print_errors(result: Report, live: bool) -> None:
    from ptclint.suppress import notes

    for problem in result.problems:
        echo(f"ptclint: error: {problem}", err=True)
    for note in notes(result):
        echo(note, err=True)
    if live:
        for gap in result.gaps:
            echo(f"ptclint: coverage gap: {gap}", err=True)


def run(flags: Flags, live_flags: Any = None, snapshot: str | None = None) -> Report:
    """Merge the flags with the configuration file, collect live data if asked, and scan; a user
    error is one line and exit 2."""
    from ptclint import config as project_config
    from ptclint.errors import PtclintError
    from ptclint.scan import run

    try:
        options = project_config.options(flags)
        warn_shadowed(options.config.file if options.config else None)
        from ptclint.live import IN_MEMORY, collect, with_snapshot, with_stdin

        options = with_stdin(options)
        if live_flags is not None:
            text = collect(live_flags, options)
            if snapshot:
                write(text, snapshot)
            options = with_snapshot(options, text, shown(snapshot) if snapshot else IN_MEMORY)
        return run(options)
    except PtclintError as exc:
        fail(str(exc))
    except KeyboardInterrupt:  # typer would turn it into a silent exit 130
        echo("ptclint: interrupted", err=True)
        raise SystemExit(130) from None


def warn_shadowed(config_file: str | None) -> None:
    from ptclint.showconfig import shadow_warning

    warning = shadow_warning(config_file)
    if warning:
        echo(warning, err=True)


def scan(flags: Flags, live_flags: Any, snapshot: str | None, root: str | None, format: str, output: str | None,
         view: TableView) -> int:
    """Scan, print the report and the summary; the exit code."""
    from ptclint.reporters import REPORTERS
    from ptclint.reporters.table import summary
    from ptclint.rootpaths import find_root, relative_to_root

    result = relative_to_root(run(flags, live_flags, snapshot), find_root(flags.paths, root))
    print_errors(result, live_flags is not None)
    write(view.render(result, output) if format == "table" else REPORTERS[format].render(result), output)
    if not view.quiet:
        echo(summary(result), err=True)
    return result.exit_code()


# ---------------------------------------------------------------- the entry point

_SWITCHES = {"--hook": "hook", "--quiet": "quiet", "-q": "quiet", "--allow-partial": "allow_partial"}
_VALUED = {"--fail-on": "fail_on", "--format": "format", "-f": "format"}
FAIL_ON = ("error", "warning", "note", "never")


def parse_simple_scan(argv: list[str]) -> dict[str, Any] | None:
    """The arguments of a plain `scan` (see the module's docstring), or None: typer parses it."""
    if not argv or argv[0] != "scan":
        return None
    from ptclint.reporters import REPORTERS

    args: dict[str, Any] = {"paths": [], "hook": False, "quiet": False, "allow_partial": False, "fail_on": None,
                            "format": "table"}
    words = iter(argv[1:])
    for word in words:
        if word in _SWITCHES:
            args[_SWITCHES[word]] = True
            continue
        name, eq, value = word.partition("=")
        if name in _VALUED and not (eq and name == "-f"):  # `-f=json` means "=json" to click
            given = value if eq else next(words, None)
            if given is None:
                return None
            args[_VALUED[name]] = given  # the last one wins, as in click
            continue
        if word.startswith("-") or not word:
            return None  # another flag, `-` (stdin), `--`: typer's
        args["paths"].append(word)
    if not args["paths"] or args["format"] not in REPORTERS or args["fail_on"] not in (None, *FAIL_ON):
        return None
    return args


def fast_scan(argv: list[str]) -> int | None:
    """Run a plain `scan` without typer; None when the command line is not one."""
    args = parse_simple_scan(argv)
    if args is None:
        return None
    from ptclint import config as project_config

    flags = project_config.Flags(
        paths=list(args["paths"]), account="", region="", fail_on=args["fail_on"], select=None, extend_select=[],
        ignore=[], params=[], rules_dirs=[], allow_partial=args["allow_partial"], max_file_bytes=None,
        cfn_parameters=[], tf_vars=[], tf_var_files=[], tf_root="", hook=args["hook"], config=None,
    )
    view = TableView("auto", "full", False, args["quiet"], False)
    return scan(flags, None, None, None, args["format"], None, view)


def guarded(command: Callable[[], Any]) -> None:
    """Run the command: user errors are one line; an internal error is one line too unless
    PTCLINT_DEBUG is set."""
    try:
        command()
    except KeyboardInterrupt:
        sys.stderr.write("ptclint: interrupted\n")
        sys.exit(130)
    except Exception as exc:  # a bug in ptclint: say so briefly, keep the traceback for debugging
        if os.environ.get("PTCLINT_DEBUG"):
            raise
        sys.stderr.write(f"ptclint: internal error: {exc.__class__.__name__}: {exc} "
                         "(set PTCLINT_DEBUG=1 for details)\n")
        sys.exit(2)
