"""Reading a scan's inputs: discover sources, let the first loader that claims each one load it,
merge the registries. One bad input is reported with its place and the rest are still read."""

from __future__ import annotations

import os
import stat
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

from ptclint import budgets, parsing
from ptclint.errors import InputError
from ptclint.loaders import LoadContext, Loader, all_loaders, display_path
from ptclint.loaders.discover import expand, sniffed
from ptclint.loaders.merge import merge
from ptclint.model import Registry
from ptclint.report import InputProblem

if TYPE_CHECKING:
    from ptclint.loaders.sources import Source

_NOT_RECOGNISED = ("not a recognised ptclint input: expected a ptclint snapshot, the JSON output of a supported AWS "
                   "CLI command, a CloudFormation template (YAML or JSON), a Terraform configuration (.tf) or "
                   "Terraform plan/state JSON (see `ptclint scan --help`)")
# a named file with another extension that does not even parse is "not an input", not a parser error
_PARSED_EXTENSIONS = (".json", ".yaml", ".yml", ".template")


def load_inputs(options: Any) -> tuple[list[Registry], list[InputProblem], list[str]]:
    """Registries from the scan's paths, the problems met reading them, and the files read."""
    loaders = all_loaders()
    sniff = tuple(dict.fromkeys(s for lo in loaders for s in lo.sniff))
    max_bytes = options.max_file_bytes or parsing.MAX_FILE_BYTES
    settings = {lo.name: lo.options(options) for lo in loaders}
    problems: list[InputProblem] = []
    loaded: list[tuple[Loader, Registry, Hashable | None]] = []
    files: list[str] = []
    limits = getattr(options, "budgets", None) or budgets.current_budgets()
    sources = [*options.sources, *expand(options.expanded_paths(), loaders, max_bytes, problems)]
    for source in sources:
        shown = source.path if source in options.sources else display_path(source.path)
        named = source.named and not options.hook  # pre-commit names every changed file: judged like found ones
        # One guard per source: whatever goes wrong reading it is a problem of that input, named by
        # its file, and the other inputs are still read and judged.
        try:
            with budgets.metered(limits):
                got = _read(source, shown, named, options, loaders, sniff, max_bytes, settings)
        except InputError as exc:
            problems.append(InputProblem(shown if exc.file == source.path else exc.file, exc.message, exc.line,
                                         exc.column))
        except budgets.BudgetExceeded as exc:
            problems.append(InputProblem(display_path(exc.file) if exc.file else shown, str(exc), exc.line,
                                         exc.column))
        except OSError as exc:
            problems.append(InputProblem(shown, f"cannot read: {exc.strerror or exc.__class__.__name__}"))
        except (Exception, RecursionError, MemoryError) as exc:  # containment is the point
            # the exception's text is not shown: it could quote a value of the input
            problems.append(InputProblem(shown, f"internal error while reading {shown}: {exc.__class__.__name__}"))
        else:
            if got is not None:
                loaded.extend((got[0], r, options.unit_of(source.path)) for r in got[1])
                if got[1] or _is_file(source):
                    files.append(shown)
    return merge(loaded), problems, files


def _read(source: Source, shown: str, named: bool, options: Any, loaders: list[Loader], sniff: tuple[str, ...],
          max_bytes: int, settings: dict[str, Any]) -> tuple[Loader, list[Registry]] | None:
    """The loader that claims `source` and the registries it read, or None when no loader reads it."""
    _refuse_oversized(source, max_bytes)
    if not named and not sniffed(source, sniff, max_bytes):
        return None
    loader = _claimant(loaders, source, named, shown)
    if loader is None:
        if named:
            raise InputError(shown, _NOT_RECOGNISED)
        return None
    account, region = options.context_for(source.path)
    ctx = LoadContext(account, region, shown, max_bytes, settings[loader.name])
    return loader, loader.load(source, ctx)


def _refuse_oversized(source: Source, max_bytes: int) -> None:
    """A regular file over the size limit is an input problem, also when found by walking (a silent
    skip would read as "No findings")."""
    from ptclint.loaders.sources import FileSource

    if isinstance(source, FileSource) and not source.named:
        try:
            st = os.stat(source.path)
        except OSError:
            return
        if stat.S_ISREG(st.st_mode) and st.st_size > max_bytes:
            raise InputError(source.path, f"file is {st.st_size} bytes, over the {max_bytes}-byte limit "
                             "(set --max-file-size to raise it); not read")


def _claimant(loaders: list[Loader], source: Source, named: bool, shown: str) -> Loader | None:
    """The first loader that claims the source. A named file that is not JSON/YAML by its name and does
    not parse (README.md) is reported as not an input, not with the parser's error."""
    try:
        return next((lo for lo in loaders if lo.claims(source)), None)
    except InputError:
        if named and _is_file(source) and not source.path.lower().endswith(_PARSED_EXTENSIONS):
            raise InputError(shown, _NOT_RECOGNISED) from None
        raise


def _is_file(source: Source) -> bool:
    from ptclint.loaders.sources import FileSource

    return isinstance(source, FileSource)
