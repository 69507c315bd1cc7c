"""Module directories: reading `.tf` files, `ModuleDef` (the blocks of one directory), `Unit` (one load).

Parsing a directory is done once per load, however many module calls use it.
"""

from __future__ import annotations

import os
from typing import Any

from ptclint.errors import InputError
from ptclint.loaders import LoadContext, display_path
from ptclint.loaders.terraform.expr import Evaluator
from ptclint.loaders.terraform.hcl import Attr, Block, parse_hcl
from ptclint.loaders.terraform.objects import Options
from ptclint.loaders.terraform.scope import Env, NoReferences
from ptclint.loaders.terraform.variables import root_variable_values
from ptclint.model import NotJudged, Origin

_MAX_INSTANCES = 10_000


class Reader:
    """Reads configuration files with the input size limit (the plan loader reads .tf files too)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes

    def read(self, path: str, shown: str) -> str:
        from ptclint import parsing

        try:
            return parsing.read_text(path, self.max_bytes)
        except InputError as exc:
            raise InputError(shown, exc.message, exc.line, exc.column) from None


def tf_files(directory: str) -> list[str]:
    """The `.tf` files of a directory, sorted (a module is all of them)."""
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    return [os.path.join(directory, n) for n in names
            if n.endswith(".tf") and os.path.isfile(os.path.join(directory, n))]


class ModuleDef:
    """The blocks of one module directory."""

    def __init__(self, directory: str, reader: Reader) -> None:
        self.dir = directory
        self.variables: dict[str, Block] = {}
        self.locals: dict[str, Attr] = {}
        self.outputs: dict[str, Block] = {}
        self.resources: dict[tuple[str, str, str], Block] = {}
        self.modules: dict[str, Block] = {}
        self.providers: dict[str, Block] = {}
        files = tf_files(directory)
        self.files = files
        for path in files:
            shown = display_path(path)
            text = reader.read(path, shown)
            for block in parse_hcl(text, shown, path):
                self._add(block, shown)

    def _add(self, block: Block, shown: str) -> None:
        kind, labels = block.type, block.labels

        def need(n: int) -> None:
            if len(labels) != n:
                raise InputError(shown, f"a {kind} block needs {n} label{'s' if n != 1 else ''}",
                                 block.origin.line, block.origin.column)

        if kind == "variable":
            need(1)
            self._unique(self.variables, labels[0], block, shown, "variable")
        elif kind == "locals":
            for attr in block.attrs.values():
                if attr.name in self.locals:
                    raise InputError(shown, f"local value {attr.name!r} is defined twice", attr.origin.line,
                                     attr.origin.column)
                self.locals[attr.name] = attr
        elif kind == "output":
            need(1)
            self._unique(self.outputs, labels[0], block, shown, "output")
        elif kind in ("resource", "data"):
            need(2)
            mode = "managed" if kind == "resource" else "data"
            self._unique(self.resources, (mode, labels[0], labels[1]), block, shown,
                         f"{'data.' if mode == 'data' else ''}{labels[0]}.{labels[1]}")
        elif kind == "module":
            need(1)
            self._unique(self.modules, labels[0], block, shown, f"module {labels[0]}")
        elif kind == "provider":
            need(1)
            alias = block.attrs.get("alias")
            key = labels[0]
            if alias is not None:
                value = Evaluator().value(alias.expr, Env(NoReferences()))
                if isinstance(value, str):
                    key = f"{key}.{value}"
            self._unique(self.providers, key, block, shown, f"provider {key}")

    @staticmethod
    def _unique(table: dict, key: Any, block: Block, shown: str, what: str) -> None:
        if key in table:
            first = table[key].origin
            raise InputError(shown, f"{what} is declared twice (first at {first.file}:{first.line})",
                             block.origin.line, block.origin.column)
        table[key] = block


class Unit(Reader):
    """One load of a root module: its options, the evaluator, the module directories parsed so
    far, the count of resource instances, and the values given to the root module's variables."""

    def __init__(self, directory: str, ctx: LoadContext) -> None:
        self.ctx = ctx
        self.root_dir = os.path.abspath(directory)
        super().__init__(ctx.max_file_bytes)
        self.evaluator = Evaluator(root_dir=self.root_dir, max_file_bytes=self.max_bytes)
        self.defs: dict[str, ModuleDef] = {}
        self.instances = 0
        self.not_judged: list[NotJudged] = []  # resources and module calls not seen whole
        self.root_def = self.module_def(self.root_dir)
        self.root_values = root_variable_values(self.root_dir, ctx.options or Options(), self.read)

    def module_def(self, directory: str) -> ModuleDef:
        real = os.path.realpath(directory)
        if real not in self.defs:
            self.evaluator.module_dirs.add(real)
            self.defs[real] = ModuleDef(directory, self)
        return self.defs[real]

    def count_instance(self, origin: Origin) -> None:
        self.instances += 1
        if self.instances > _MAX_INSTANCES:
            raise InputError(origin.file, f"more than {_MAX_INSTANCES} resource instances: for_each or count "
                                          "expands too far", origin.line, origin.column)
