"""Reading a scan's inputs: discover sources, let the first loader that claims each one load it,
merge the registries. One bad input is reported with its place and the rest are still read."""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

from ptclint import parsing
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
    loaded: list[tuple[Loader, Registry, Hashable | None]] = []
    files: list[str] = []
    sources = [*options.sources, *expand(options.expanded_paths(), loaders, max_bytes, problems)]
    for source in sources:
        shown = source.path if source in options.sources else display_path(source.path)
        named = source.named and not options.hook  # pre-commit names every changed file: judged like found ones
        try:
            if not named and not sniffed(source, sniff, max_bytes):
                continue
            loader = next((lo for lo in loaders if lo.claims(source)), None)
            if loader is None:
                if named:
                    raise InputError(shown, _NOT_RECOGNISED)
                continue
            account, region = options.context_for(source.path)
            ctx = LoadContext(account, region, shown, max_bytes, settings[loader.name])
            registries = loader.load(source, ctx)
            loaded.extend((loader, r, options.unit_of(source.path)) for r in registries)
            if registries or _is_file(source):
                files.append(shown)
        except InputError as exc:
            problems.append(InputProblem(shown if exc.file == source.path else exc.file, exc.message, exc.line,
                                         exc.column))
        except OSError as exc:
            problems.append(InputProblem(shown, f"cannot read: {exc.strerror or exc}"))
    return merge(loaded), problems, files


def _is_file(source: Source) -> bool:
    from ptclint.loaders.sources import FileSource

    return isinstance(source, FileSource)
