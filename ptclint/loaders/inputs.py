"""Reading a scan's inputs: discover sources, let the first loader that claims each one load it,
merge the registries. One bad input is reported with its place and the rest are still read."""

from __future__ import annotations

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
                   "CLI command, a CloudFormation template or Terraform plan/state JSON (see `ptclint scan --help`)")


def load_inputs(options: Any) -> tuple[list[Registry], list[InputProblem], list[str]]:
    """Registries from the scan's paths, the problems met reading them, and the files read."""
    loaders = all_loaders()
    sniff = tuple(dict.fromkeys(s for lo in loaders for s in lo.sniff))
    max_bytes = options.max_file_bytes or parsing.MAX_FILE_BYTES
    settings = {lo.name: lo.options(options) for lo in loaders}
    problems: list[InputProblem] = []
    loaded: list[tuple[Loader, Registry]] = []
    files: list[str] = []
    limits = getattr(options, "budgets", None) or budgets.current_budgets()
    for source in expand(options.expanded_paths(), loaders, max_bytes, problems):
        shown = display_path(source.path)
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
                loaded.extend((got[0], r) for r in got[1])
                if got[1] or _is_file(source):
                    files.append(shown)
    return merge(loaded), problems, files


def _read(source: Source, shown: str, named: bool, options: Any, loaders: list[Loader], sniff: tuple[str, ...],
          max_bytes: int, settings: dict[str, Any]) -> tuple[Loader, list[Registry]] | None:
    """The loader that claims `source` and the registries it read, or None when no loader reads it."""
    if not named and not sniffed(source, sniff, max_bytes):
        return None
    loader = next((lo for lo in loaders if lo.claims(source)), None)
    if loader is None:
        if named:
            raise InputError(shown, _NOT_RECOGNISED)
        return None
    account, region = options.context_for(source.path)
    ctx = LoadContext(account, region, shown, max_bytes, settings[loader.name])
    return loader, loader.load(source, ctx)


def _is_file(source: Source) -> bool:
    from ptclint.loaders.sources import FileSource

    return isinstance(source, FileSource)
