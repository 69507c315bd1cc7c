"""Terraform configuration (`.tf` files): a directory is a module; a root module is one unit.

What is read: `aws_ecr_pull_through_cache_rule`, `aws_ecr_repository_creation_template`,
`aws_ecr_registry_policy`, `aws_secretsmanager_secret` (+ `_version`), `aws_iam_role`,
`aws_iam_role_policy`, `aws_iam_policy`, `aws_iam_role_policy_attachment` and
`data.aws_iam_policy_document`, in the root module and in local child modules (`source = "./..."`,
or a module `terraform init` has put under `.terraform/modules`).

Values are evaluated statically (see `tf_eval`): variables from `--var`, `--var-file`,
`*.auto.tfvars`, `terraform.tfvars` and defaults; locals; module inputs and outputs; references
between resources; `for_each` / `count` (each instance is its own resource, named by its address
with the instance key). A secret's ARN is built from its name as a partial ARN
`arn:<partition>:secretsmanager:<region>:<account>:secret:<name>`; account, region and partition
are the provider's, else `--account` / `--region`, else `${AWS::AccountId}` / `${AWS::Region}` /
`${AWS::Partition}`. Anything else (modules not on disk, data sources not modelled, values known
only after apply) is `Unknown`.

Locations: python-hcl2's parse tree keeps each block's and each attribute's line and column, so
`field_origins` point at the attribute's own line (`upstream_registry_url = ...`), and the
resource's origin at its `resource "..." "..." {` line. (python-hcl2 8's `with_meta` dict output
carries no positions, so the tree is used instead of scanning block text for `attr =`.)

Secret values (`secret_string`) are evaluated in memory only to learn their JSON keys and
whether a token is written as a literal; they are never stored in the model or printed.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Hashable, Iterable
from typing import Any

from ptclint.errors import InputError
from ptclint.loaders import LoadContext, by_account_and_region, display_path, never_attaches
from ptclint.loaders.sources import Source
from ptclint.loaders import tf_model as M
from ptclint.loaders.tf_eval import (
    Attr,
    Block,
    Env,
    Evaluator,
    Lazy,
    Namespace,
    TfError,
    TfSet,
    first_unknown,
    kind_of,
    parse_expression,
    parse_hcl,
    plain,
    to_string,
    traversal,
)
from ptclint.model import Origin, Registry, Unknown

name = "terraform_hcl"

_MAX_MODULE_DEPTH = 16
_MAX_INSTANCES = 10_000
_META = {"count", "for_each", "provider", "depends_on", "lifecycle", "provisioner", "connection"}
SNIFF = ("pull_through_cache", "repository_creation_template", "aws_ecr_registry_policy")


sniff = SNIFF
yaml_tags = None
options = M.options
attaches = never_attaches


class UnitSource(Source):
    """A Terraform module directory: its .tf files and those of the local modules it calls."""

    def texts(self, max_bytes: int) -> Iterable[str]:
        return unit_texts(self.path, max_bytes)


def find(files: list[str], named: bool) -> list[Source]:
    """Terraform units among these files: each directory holding .tf files that no other of them
    calls as a local module; a .tf file given by name stands for its directory."""
    dirs = list(dict.fromkeys(os.path.dirname(f) or "." for f in files if f.lower().endswith(".tf")))
    return [UnitSource(d, False) for d in (dirs if named else root_modules(dirs))]


def claims(source: Source) -> bool:
    return isinstance(source, UnitSource)


def merge_key(registry: Registry) -> Hashable | None:
    return by_account_and_region(registry)


def load(source: Source, ctx: LoadContext) -> list[Registry]:
    directory = source.path
    try:
        unit = _Unit(directory, ctx)
        return M.build_registries(unit.objects())
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, RecursionError) as exc:
        # A configuration shape the evaluator did not foresee: report it, never a traceback (nor a value).
        if os.environ.get("PTCLINT_DEBUG"):
            raise
        raise InputError(ctx.display_path or directory, "could not be read as a Terraform configuration "
                                                        f"(unexpected structure: {exc.__class__.__name__})") from None


# ---------------------------------------------------------------- helpers used by scan

def tf_files(directory: str) -> list[str]:
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    return [os.path.join(directory, n) for n in names
            if n.endswith(".tf") and os.path.isfile(os.path.join(directory, n))]


_SOURCE_RE = re.compile(r'^\s*source\s*=\s*"(\.\.?/[^"]*)"', re.M)


def local_module_dirs(directory: str) -> list[str]:
    """Local module sources named in a directory's .tf files (a text scan, for sniffing and walking)."""
    out = []
    for path in tf_files(directory):
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                text = fh.read(2_000_000)
        except OSError:
            continue
        for m in _SOURCE_RE.finditer(text):
            out.append(os.path.normpath(os.path.join(directory, m.group(1))))
    return out


def unit_texts(directory: str, limit: int = 10 * 1024 * 1024) -> Iterable[str]:
    """Text of a unit's .tf files and of its local modules' (for sniffing)."""
    seen: set[str] = set()
    todo = [directory]
    while todo and len(seen) < 64:
        d = os.path.realpath(todo.pop())
        if d in seen:
            continue
        seen.add(d)
        for path in tf_files(d):
            try:
                with open(path, encoding="utf-8", errors="replace") as fh:
                    yield fh.read(limit)
            except OSError:
                continue
        todo.extend(local_module_dirs(d))
        if d == os.path.realpath(directory):  # modules `terraform init` downloaded
            manifest = os.path.join(d, ".terraform", "modules", "modules.json")
            try:
                with open(manifest, encoding="utf-8") as fh:
                    entries = json.load(fh).get("Modules", [])
            except (OSError, ValueError, AttributeError):
                entries = []
            for entry in entries if isinstance(entries, list) else []:
                if isinstance(entry, dict) and isinstance(entry.get("Dir"), str) and entry.get("Key"):
                    todo.append(os.path.join(d, entry["Dir"]))


def root_modules(directories: list[str]) -> list[str]:
    """Drop directories that another directory in the list calls as a local module: they are
    judged as part of their caller, with its inputs, not on their own."""
    real = {os.path.realpath(d): d for d in directories}
    called: set[str] = set()
    for d in directories:
        for child in local_module_dirs(d):
            rc = os.path.realpath(child)
            if rc != os.path.realpath(d):
                called.add(rc)
    return [d for r, d in real.items() if r not in called]


# ---------------------------------------------------------------- module definitions

class ModuleDef:
    """The blocks of one module directory."""

    def __init__(self, directory: str, unit: "_Unit") -> None:
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
            text = unit.read(path, shown)
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
                value = Evaluator().value(alias.expr, Env(_Nothing()))
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


# Names an expression may start with. Any other bare name is not repeated in messages: it is often a
# value written without its quotes, and that value may be a token or a password.
_ROOT_NAMES = frozenset(("var", "local", "module", "data", "path", "terraform", "self", "each", "count"))
_BARE_NAME = "a bare name (a resource type, or a string missing its quotes?)"


class _Nothing:
    def root(self, name: str, env: Env) -> Any:
        if name in _ROOT_NAMES:
            raise TfError(f"{name} cannot be referenced here")
        raise TfError(_BARE_NAME + " cannot be used here")


# ---------------------------------------------------------------- the unit

class _Unit:
    def __init__(self, directory: str, ctx: LoadContext) -> None:
        self.ctx = ctx
        self.root_dir = os.path.abspath(directory)
        self.max_bytes = ctx.max_file_bytes
        self.evaluator = Evaluator(root_dir=self.root_dir, max_file_bytes=self.max_bytes)
        self.defs: dict[str, ModuleDef] = {}
        self.instances = 0
        root_def = self.module_def(self.root_dir)
        self.root = ModuleInstance(self, root_def, "", None, None, None, {}, ())
        self.root_values = self._root_variable_values(root_def)

    def read(self, path: str, shown: str) -> str:
        from ptclint import parsing

        try:
            return parsing.read_text(path, self.max_bytes)
        except InputError as exc:
            raise InputError(shown, exc.message, exc.line, exc.column) from None

    def module_def(self, directory: str) -> ModuleDef:
        real = os.path.realpath(directory)
        if real not in self.defs:
            self.defs[real] = ModuleDef(directory, self)
        return self.defs[real]

    def count_instance(self, origin: Origin) -> None:
        self.instances += 1
        if self.instances > _MAX_INSTANCES:
            raise InputError(origin.file, f"more than {_MAX_INSTANCES} resource instances: for_each or count "
                                          "expands too far", origin.line, origin.column)

    # -- root variables: defaults < terraform.tfvars(.json) < *.auto.tfvars(.json) < --var-file < --var

    def _root_variable_values(self, root_def: ModuleDef) -> dict[str, Any]:
        values: dict[str, Any] = {}
        files = []
        for fname in ("terraform.tfvars", "terraform.tfvars.json"):
            path = os.path.join(self.root_dir, fname)
            if os.path.isfile(path):
                files.append(path)
        try:
            names = sorted(os.listdir(self.root_dir))
        except OSError:
            names = []
        files += [os.path.join(self.root_dir, n) for n in names
                  if (n.endswith(".auto.tfvars") or n.endswith(".auto.tfvars.json"))
                  and os.path.isfile(os.path.join(self.root_dir, n))]
        files += list((self.ctx.options or M.Options()).var_files)
        for path in files:
            values.update(self._read_var_file(path))
        for item in (self.ctx.options or M.Options()).vars:
            key, sep, raw = str(item).partition("=")
            key = key.strip()
            if not sep or not key:
                raise InputError("--var", "expected KEY=VALUE with a non-empty KEY")  # the value is not echoed
            values[key] = ("cli", raw)
        return values

    def _read_var_file(self, path: str) -> dict[str, Any]:
        shown = display_path(path)
        if not os.path.isfile(path):
            raise InputError(shown, "no such variables file")
        text = self.read(path, shown)
        if path.endswith(".json"):
            from ptclint import parsing

            doc = parsing.parse_json(shown, text)
            if not isinstance(doc.data, dict):
                raise InputError(shown, "a .tfvars.json file must hold a JSON object", 1, 1)
            return {k: ("value", v) for k, v in doc.data.items()}
        out: dict[str, Any] = {}
        for block in parse_hcl(text, shown, path):
            if block.type != "":
                raise InputError(shown, f"a variables file holds only NAME = value lines, not a {block.type} block",
                                 block.origin.line, block.origin.column)
            for attr in block.attrs.values():
                out[attr.name] = ("expr", attr.expr)
        return out

    # -- collecting the modelled resources

    def objects(self) -> list[M.TfObject]:
        out: list[M.TfObject] = []
        self._collect(self.root, out, 0)
        return out

    def _collect(self, mi: "ModuleInstance", out: list[M.TfObject], depth: int) -> None:
        for (mode, rtype, rname), block in mi.mdef.resources.items():
            if (mode == "managed" and rtype in M.MANAGED_TYPES) or (mode == "data" and rtype == M.POLICY_DOCUMENT):
                expansion = mi.expand_resource(mode, rtype, rname)
                for inst in _instances(expansion):
                    out.append(inst.to_object())
        for call in mi.mdef.modules:
            children = mi.module_instances(call)
            for child in _instances(children):
                self._collect(child, out, depth + 1)


def _instances(expansion: Any) -> list:
    if isinstance(expansion, (Unknown, NotOnDisk)) or expansion is None:
        return []
    if isinstance(expansion, dict):
        return list(expansion.values())
    if isinstance(expansion, list):
        return expansion
    return [expansion]


class NotOnDisk:
    def __init__(self, reason: str) -> None:
        self.reason = reason


class ModuleInstance:
    """A module with its inputs: the root module, or one instance of a module call."""

    def __init__(self, unit: _Unit, mdef: ModuleDef, address: str, parent: "ModuleInstance | None",
                 call: Block | None, call_env: Env | None, provider_map: dict[str, str], call_path: tuple) -> None:
        self.unit = unit
        self.mdef = mdef
        self.address = address
        self.parent = parent
        self.call = call
        self.call_env = call_env
        self.provider_map = provider_map
        self.call_path = call_path  # module call names from the root, without keys
        self._vars: dict[str, Any] = {}
        self._locals: dict[str, Any] = {}
        self._busy: set[str] = set()
        self._expanded: dict[tuple, Any] = {}
        self._modules: dict[str, Any] = {}
        self._providers: dict[str, M.ProviderInfo] = {}

    @property
    def prefix(self) -> str:
        return self.address + "." if self.address else ""

    # -- names

    def root(self, name: str, env: Env) -> Any:
        if name == "var":
            return Namespace("var", self.var)
        if name == "local":
            return Namespace("local", self.local)
        if name == "module":
            return Namespace("module", self.module_value)
        if name == "data":
            return Namespace("data", lambda t: Namespace(f"data.{t}", lambda n: self.collection("data", t, n)))
        if name == "path":
            rel = os.path.relpath(self.mdef.dir, self.unit.root_dir).replace(os.sep, "/")
            return {"module": rel, "root": ".", "cwd": self.unit.root_dir}
        if name == "terraform":
            return {"workspace": Unknown("terraform.workspace is chosen when Terraform runs")}
        if name == "self":
            return Unknown("self is only known inside provisioners")
        if "_" in name:
            return Namespace(_BARE_NAME, lambda n: self.collection("managed", name, n))
        raise TfError(_BARE_NAME + " is not a reference")

    def _guard(self, key: str, compute: Any) -> Any:
        if key in self._busy:
            raise TfError(f"{key} refers to itself")
        self._busy.add(key)
        try:
            return compute()
        finally:
            self._busy.discard(key)

    def var(self, name: str) -> Any:
        if name not in self._vars:
            try:
                self._vars[name] = ("ok", self._guard("var." + name, lambda: self._var(name)))
            except TfError as exc:
                self._vars[name] = ("err", str(exc))
        state, value = self._vars[name]
        if state == "err":
            raise TfError(value)
        return value

    def _var(self, name: str) -> Any:
        decl = self.mdef.variables.get(name)
        if decl is None:
            raise TfError(f"variable {name!r} is not declared")
        ev = self.unit.evaluator
        given: Any = _MISSING
        if self.parent is None:
            source = self.unit.root_values.get(name)
            if source is not None:
                kind, raw = source
                if kind == "value":
                    given = raw
                elif kind == "expr":
                    given = ev.eval(raw, Env(_Nothing()))
                else:  # --var: a string, unless the variable's type is not a string
                    type_attr = decl.attrs.get("type")
                    if type_attr is not None and _type_name(type_attr.expr) not in ("string", "any"):
                        try:
                            given = ev.eval(parse_expression(raw), Env(_Nothing()))
                        except TfError:
                            raise InputError("--var", f"{name}: the value is not a valid Terraform expression "
                                                      "for this variable's type") from None
                    else:
                        given = raw
        elif self.call is not None and name in self.call.attrs:
            given = ev.eval(self.call.attrs[name].expr, self.call_env)
        if given is _MISSING or (given is None and _non_nullable(decl)):
            default = decl.attrs.get("default")
            if default is None:
                where = "the root module" if self.parent is None else self.address
                return Unknown(f"variable {name} of {where} has no value and no default"
                               + (" (give it with --var or --var-file)" if self.parent is None else ""))
            given = ev.eval(default.expr, Env(_Nothing()))
        type_attr = decl.attrs.get("type")
        if type_attr is not None:
            given = convert(plain(given), type_attr.expr)
        return given

    def local(self, name: str) -> Any:
        if name not in self._locals:
            attr = self.mdef.locals.get(name)
            if attr is None:
                raise TfError(f"local value {name!r} is not declared")
            try:
                value = self._guard("local." + name, lambda: self.unit.evaluator.eval(attr.expr, Env(self)))
                self._locals[name] = ("ok", value)
            except TfError as exc:
                self._locals[name] = ("err", str(exc))
        state, value = self._locals[name]
        if state == "err":
            raise TfError(value)
        return value

    # -- resources

    def collection(self, mode: str, rtype: str, rname: str) -> Any:
        expansion = self.expand_resource(mode, rtype, rname)
        return expansion

    def expand_resource(self, mode: str, rtype: str, rname: str) -> Any:
        key = (mode, rtype, rname)
        if key not in self._expanded:
            block = self.mdef.resources.get(key)
            if block is None:
                what = f"{'data.' if mode == 'data' else ''}{rtype}.{rname}"
                raise TfError(f"{what} is not declared in {self.address or 'the root module'}")
            self._expanded[key] = None  # re-entry: a for_each that refers to its own resource
            address = f"{self.prefix}{'data.' if mode == 'data' else ''}{rtype}.{rname}"
            self._expanded[key] = self._expand(block, address,
                                               lambda addr, bindings: ResourceInstance(self, block, mode, rtype,
                                                                                       addr, bindings))
        value = self._expanded[key]
        if value is None:
            raise TfError("for_each or count refers to its own resource")
        return value

    def _expand(self, block: Block, address: str, make: Any) -> Any:
        """for_each -> {key: instance}; count -> [instance]; neither -> instance; unknown -> Unknown."""
        ev = self.unit.evaluator
        for_each, count = block.attrs.get("for_each"), block.attrs.get("count")
        if for_each is not None and count is not None:
            raise InputError(block.origin.file, f"{address}: for_each and count cannot be used together",
                             count.origin.line, count.origin.column)
        if for_each is not None:
            value = plain(ev.value(for_each.expr, Env(self)))
            if isinstance(value, Unknown):
                return Unknown(f"the instances of {address} are not known statically (for_each: {value.reason})")
            if isinstance(value, dict):
                items = list(value.items())
            elif isinstance(value, TfSet):
                for element in value:
                    if isinstance(element, Unknown):
                        return Unknown(f"the instances of {address} are not known statically")
                    if not isinstance(element, str):
                        raise InputError(for_each.origin.file, f"{address}: for_each over a set needs a set of "
                                         f"strings, but it holds {kind_of(element)}", for_each.origin.line,
                                         for_each.origin.column)
                items = [(e, e) for e in value]
            else:
                hint = " (convert it with toset())" if isinstance(value, list) else ""
                raise InputError(for_each.origin.file, f"{address}: for_each needs a map or a set of strings, "
                                 f"got {kind_of(value)}{hint}", for_each.origin.line, for_each.origin.column)
            out = {}
            for k, v in items:
                self.unit.count_instance(for_each.origin)
                out[k] = make(address + M.instance_key(k), {"each": {"key": k, "value": v}})
            return out
        if count is not None:
            value = plain(ev.value(count.expr, Env(self)))
            if isinstance(value, Unknown):
                return Unknown(f"the instances of {address} are not known statically (count: {value.reason})")
            number = value
            if isinstance(value, str):
                try:
                    number = float(value)
                except ValueError:
                    number = None
            if isinstance(number, bool) or not isinstance(number, (int, float)) or number < 0 \
                    or not float(number).is_integer():
                raise InputError(count.origin.file, f"{address}: count needs a whole number of at least 0, got "
                                 f"{kind_of(value)}", count.origin.line, count.origin.column)
            out_list = []
            for i in range(int(number)):
                self.unit.count_instance(count.origin)
                out_list.append(make(address + f"[{i}]", {"count": {"index": i}}))
            return out_list
        self.unit.count_instance(block.origin)
        return make(address, {})

    # -- modules

    def module_value(self, name: str) -> Any:
        expansion = self.module_instances(name)
        if isinstance(expansion, NotOnDisk):
            return Unknown(expansion.reason)
        if isinstance(expansion, Unknown):
            return expansion
        if isinstance(expansion, dict):
            return {k: _ModuleObject(v) for k, v in expansion.items()}
        if isinstance(expansion, list):
            return [_ModuleObject(v) for v in expansion]
        return _ModuleObject(expansion)

    def module_instances(self, name: str) -> Any:
        if name in self._modules:
            value = self._modules[name]
            if value is None:
                raise TfError(f"module {name} refers to itself")
            return value
        block = self.mdef.modules.get(name)
        if block is None:
            raise TfError(f"module {name!r} is not declared")
        self._modules[name] = None
        try:
            self._modules[name] = self._module_instances(name, block)
        except BaseException:
            self._modules.pop(name, None)
            raise
        return self._modules[name]

    def _module_instances(self, name: str, block: Block) -> Any:
        source_attr = block.attrs.get("source")
        source = self.unit.evaluator.value(source_attr.expr, Env(_Nothing())) if source_attr else None
        if not isinstance(source, str):
            o = (source_attr or block).origin
            raise InputError(o.file, f"module {name}: source must be a literal string", o.line, o.column)
        call_path = (*self.call_path, name)
        directory = self._module_dir(source, call_path)
        if directory is None:
            return NotOnDisk(f"module {name} (source {source!r}) is not on disk")
        if len(call_path) > _MAX_MODULE_DEPTH:
            raise InputError(block.origin.file, f"module {name}: modules nest more than {_MAX_MODULE_DEPTH} deep "
                             "(does a module call itself?)", block.origin.line, block.origin.column)
        mdef = self.unit.module_def(directory)
        provider_map = _provider_map(block)
        address = f"{self.prefix}module.{name}"

        def make(addr: str, bindings: dict) -> ModuleInstance:
            return ModuleInstance(self.unit, mdef, addr, self, block, Env(self, bindings), provider_map, call_path)

        return self._expand(block, address, make)

    def _module_dir(self, source: str, call_path: tuple) -> str | None:
        if source.startswith("./") or source.startswith("../") or source in (".", ".."):
            directory = os.path.normpath(os.path.join(self.mdef.dir, source))
            return directory if tf_files(directory) else None
        manifest = os.path.join(self.unit.root_dir, ".terraform", "modules", "modules.json")
        try:
            with open(manifest, encoding="utf-8") as fh:
                entries = json.load(fh).get("Modules", [])
        except (OSError, ValueError, AttributeError):
            return None
        key = ".".join(call_path)
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and entry.get("Key") == key and isinstance(entry.get("Dir"), str):
                directory = os.path.join(self.unit.root_dir, entry["Dir"])
                return directory if tf_files(directory) else None
        return None

    def output(self, name: str) -> Any:
        block = self.mdef.outputs.get(name)
        if block is None:
            raise TfError(f"module {self.address} has no output {name!r}")
        value = block.attrs.get("value")
        if value is None:
            raise TfError(f"output {name} has no value")
        return self._guard("output." + name, lambda: self.unit.evaluator.eval(value.expr, Env(self)))

    # -- providers

    def provider(self, key: str) -> M.ProviderInfo:
        if key in self._providers:
            return self._providers[key]
        if key in self.provider_map and self.parent is not None:
            info = self.parent.provider(self.provider_map[key])
        elif key in self.mdef.providers:
            block = self.mdef.providers[key]
            ev = self.unit.evaluator
            region = ev.value(block.attrs["region"].expr, Env(self)) if "region" in block.attrs else None
            accounts = plain(ev.value(block.attrs["allowed_account_ids"].expr, Env(self))) \
                if "allowed_account_ids" in block.attrs else None
            origin = block.attrs["region"].origin if "region" in block.attrs else block.origin
            info = M.make_provider(key, region, accounts, self.unit.ctx.account, self.unit.ctx.region, origin)
        elif self.parent is not None:
            info = self.parent.provider(key)
        else:
            info = M.make_provider(key, None, None, self.unit.ctx.account, self.unit.ctx.region, None)
        self._providers[key] = info
        return info


_MISSING = object()


def _non_nullable(decl: Block) -> bool:
    attr = decl.attrs.get("nullable")
    if attr is None:
        return False
    return Evaluator().value(attr.expr, Env(_Nothing())) is False


def _type_name(expr: Any) -> str:
    t = traversal(expr)
    return t[0] if t and not t[1] else ""


def _provider_map(block: Block) -> dict[str, str]:
    attr = block.attrs.get("providers")
    if attr is None:
        return {}
    from lark import Tree

    from ptclint.loaders.tf_eval import _children

    out: dict[str, str] = {}
    node = attr.expr
    while isinstance(node, Tree) and node.data == "expr_term" and len(_children(node)) == 1:
        node = _children(node)[0]
    if not isinstance(node, Tree) or node.data != "object":
        return out
    for elem in _children(node):
        if not isinstance(elem, Tree) or elem.data != "object_elem":
            continue
        parts = [p for p in _children(elem) if isinstance(p, Tree)]
        key_expr = [k for k in _children(parts[0]) if isinstance(k, Tree)]
        key = _reference_name(key_expr[0]) if key_expr else None
        value = _reference_name(parts[-1])
        if key and value:
            out[key] = value
    return out


def _reference_name(expr: Any) -> str | None:
    t = traversal(expr)
    if t is None:
        return None
    root, steps = t
    if any(kind != "attr" for kind, _ in steps):
        return None
    return ".".join([root, *[s for _, s in steps]])


class _ModuleObject(Lazy):
    def __init__(self, mi: ModuleInstance) -> None:
        self.mi = mi
        self.describe = f"module {mi.address}"

    def get(self, name: str) -> Any:
        return self.mi.output(name)

    def materialize(self) -> Any:
        out = {}
        for name in self.mi.mdef.outputs:
            try:
                out[name] = plain(self.mi.output(name))
            except TfError as exc:
                out[name] = Unknown(str(exc))
        return out


# ---------------------------------------------------------------- resource instances

class ResourceInstance(Lazy):
    def __init__(self, mi: ModuleInstance, block: Block, mode: str, rtype: str, address: str,
                 bindings: dict[str, Any]) -> None:
        self.mi = mi
        self.block = block
        self.mode = mode
        self.type = rtype
        self.address = address
        self.env = Env(mi, bindings)
        self.describe = address
        self._cache: dict[str, Any] = {}
        self._busy: set[str] = set()
        self._provider: M.ProviderInfo | None = None

    # -- Lazy

    def get(self, name: str) -> Any:
        if name not in self._cache:
            if name in self._busy:
                raise TfError(f"{self.address}.{name} refers to itself")
            self._busy.add(name)
            try:
                self._cache[name] = ("ok", self._get(name))
            except TfError as exc:
                self._cache[name] = ("err", str(exc))
            finally:
                self._busy.discard(name)
        state, value = self._cache[name]
        if state == "err":
            raise TfError(value)
        return value

    def materialize(self) -> Any:
        return Unknown(f"the whole object {self.address} is not evaluated by ptclint")

    def _get(self, name: str) -> Any:
        if name in self.block.attrs and name not in _META:
            return self.mi.unit.evaluator.eval(self.block.attrs[name].expr, self.env)
        if self._has_blocks(name):
            return self.block_values(self.block, name, self.env)
        computed = self._computed(name)
        if computed is not _MISSING:
            return computed
        if self.mode == "managed" and name in M.ARGUMENTS.get(self.type, ()):
            return None  # an optional argument left unset
        return Unknown(f"{self.address}.{name} is known only after apply")

    def _has_blocks(self, name: str) -> bool:
        return any(b.type == name or (b.type == "dynamic" and b.labels[:1] == [name]) for b in self.block.blocks)

    def block_values(self, block: Block, name: str, env: Env) -> Any:
        """Nested blocks `name` (static and dynamic, in source order) -> list of dicts."""
        ev = self.mi.unit.evaluator
        out: list[Any] = []
        for b in block.blocks:
            if b.type == name:
                out.append(self._block_dict(b, env))
            elif b.type == "dynamic" and b.labels[:1] == [name]:
                fe = b.attrs.get("for_each")
                if fe is None:
                    raise TfError(f"dynamic {name} block has no for_each")
                collection = plain(ev.value(fe.expr, env))
                if isinstance(collection, Unknown):
                    return Unknown(f"the {name} blocks of {self.address} are not known statically")
                if isinstance(collection, dict):
                    pairs = list(collection.items())
                elif isinstance(collection, TfSet):
                    pairs = [(v, v) for v in collection]
                elif isinstance(collection, list):
                    pairs = list(enumerate(collection))
                else:
                    o = fe.origin
                    raise InputError(o.file, f"{self.address}: dynamic {name} for_each needs a collection, got "
                                     f"{kind_of(collection)}", o.line, o.column)
                iterator = name
                if "iterator" in b.attrs:
                    iterator = _reference_name(b.attrs["iterator"].expr) or name
                contents = b.blocks_of("content")
                if not contents:
                    continue
                for k, v in pairs:
                    out.append(self._block_dict(contents[0], env.bind(**{iterator: {"key": k, "value": v}})))
        return out

    def _block_dict(self, block: Block, env: Env) -> dict[str, Any]:
        ev = self.mi.unit.evaluator
        out: dict[str, Any] = {name: ev.value(attr.expr, env) for name, attr in block.attrs.items()}
        for kind in dict.fromkeys(b.type if b.type != "dynamic" else (b.labels[:1] or [""])[0] for b in block.blocks):
            if kind and kind != "content":
                out[kind] = self.block_values(block, kind, env)
        return out

    def _computed(self, name: str) -> Any:
        t = self.type
        if self.mode == "managed":
            if t == M.SECRET and name in ("arn", "id"):
                secret_name = self._arg("name")
                if isinstance(secret_name, str) and secret_name:
                    return M.secret_arn(secret_name, self.provider())
                if isinstance(secret_name, Unknown):
                    return secret_name
                return Unknown(f"the ARN of {self.address} is known only after apply (its name is generated)")
            if t == M.ROLE and name in ("arn", "id", "name"):
                role_name = self._arg("name")
                if not (isinstance(role_name, str) and role_name):
                    return role_name if isinstance(role_name, Unknown) else \
                        Unknown(f"the name of {self.address} is generated at apply")
                return role_name if name in ("id", "name") else M.role_arn(role_name, self._arg("path"), self.provider())
            if t == M.POLICY and name in ("arn", "id"):
                policy_name = self._arg("name")
                if isinstance(policy_name, str) and policy_name:
                    return M.policy_arn(policy_name, self._arg("path"), self.provider())
                return Unknown(f"the ARN of {self.address} is known only after apply")
            if t in M.PTC_TYPES and name == "registry_id":
                account = self.provider().account
                return account if "${" not in account else Unknown("the registry id is the account, not known here")
            return _MISSING
        provider = self.provider()
        if t == M.POLICY_DOCUMENT and name in ("json", "minified_json"):
            return render_policy_document(self, minified=name == "minified_json")
        if t == "aws_caller_identity" and name in ("account_id", "id"):
            return provider.account
        if t == "aws_region" and name in ("name", "region", "id"):
            return provider.region
        if t == "aws_partition" and name in ("partition", "id"):
            return provider.partition
        if t == "aws_partition" and name == "dns_suffix":
            if "${" in provider.partition:
                return Unknown("the DNS suffix depends on the partition")
            return "amazonaws.com.cn" if provider.partition == "aws-cn" else "amazonaws.com"
        if t == "aws_secretsmanager_secret" and name == "arn":
            arn = self._arg("arn")
            if isinstance(arn, str) and arn:
                return arn
            secret_name = self._arg("name")
            if isinstance(secret_name, str) and secret_name:
                return M.secret_arn(secret_name, provider)
        return _MISSING

    def _arg(self, name: str) -> Any:
        try:
            return plain(self.get(name))
        except TfError as exc:
            return Unknown(str(exc))

    def provider(self) -> M.ProviderInfo:
        if self._provider is None:
            key = self.type.split("_", 1)[0]
            attr = self.block.attrs.get("provider")
            if attr is not None:
                key = _reference_name(attr.expr) or key
            info = self.mi.provider(key)
            if "region" in self.block.attrs and self.type in M.ARGUMENTS:
                region = plain(self.mi.unit.evaluator.value(self.block.attrs["region"].expr, self.env))
                if isinstance(region, str) and region:
                    info = info.with_region(region)
            self._provider = info
        return self._provider

    # -- to the model

    def to_object(self) -> M.TfObject:
        ev = self.mi.unit.evaluator
        values: dict[str, Any] = {}
        origins: dict[str, Origin] = {}
        refs: dict[str, str] = {}
        args = M.ARGUMENTS.get(self.type, ()) if self.mode == "managed" else ()
        for arg in args:
            if arg in self.block.attrs:
                attr = self.block.attrs[arg]
                values[arg] = plain(ev.value(attr.expr, self.env))
                origins[arg] = attr.origin
                target = self.reference_target(attr.expr)
                if target:
                    refs[arg] = target
            elif arg in M.BLOCK_ARGUMENTS and self._has_blocks(arg):
                try:
                    values[arg] = plain(self.block_values(self.block, arg, self.env))
                except TfError as exc:
                    values[arg] = Unknown(str(exc))
                first = next(b for b in self.block.blocks if b.type == arg or b.labels[:1] == [arg])
                origins[arg] = first.origin
                for b in self.block.blocks:
                    if b.type == arg and "policy" in b.attrs:
                        target = self.reference_target(b.attrs["policy"].expr)
                        if target:
                            refs[f"{arg}.policy"] = target
        values = {k: v for k, v in values.items() if v is not None}
        declared = None
        if self.type == M.SECRET_VERSION and self.mode == "managed":
            declared = self._declared_value()
        if self.mode == "data" and self.type == M.POLICY_DOCUMENT:
            values["json"] = render_policy_document(self, minified=True)
        if self.type == M.TEMPLATE and self.mode == "managed":  # provider defaults, as a plan shows them
            values.setdefault("image_tag_mutability", "MUTABLE")
            enc = values.get("encryption_configuration")
            if isinstance(enc, list):
                values["encryption_configuration"] = [
                    {"encryption_type": "AES256", **b} if isinstance(b, dict) and b.get("encryption_type") is None
                    else b for b in enc]
        if self.type == M.SECRET and "name" not in values and "name_prefix" not in values:
            values["name"] = Unknown(f"the name of {self.address} is generated at apply")
        return M.TfObject(self.address, self.mode, self.type, values, self.block.origin, origins, self.provider(),
                          refs, declared)

    def _declared_value(self) -> dict[str, Any]:
        """secret_string -> its keys and literal-ness; the value goes out of scope here."""
        attr = self.block.attrs.get("secret_string")
        write_only = "secret_string_wo" in self.block.attrs or "secret_binary" in self.block.attrs
        if attr is None:
            return M.reduce_secret_value(None, False, write_only=True) if write_only else {}
        value = plain(self.mi.unit.evaluator.value(attr.expr, self.env))
        return M.reduce_secret_value(value, literal_token_syntax(attr.expr))

    def reference_target(self, expr: Any) -> str | None:
        """The address of the resource instance an expression refers to directly, if any."""
        t = traversal(expr)
        if t is None:
            return None
        root, steps = t
        if root == "data":
            if len(steps) < 2 or steps[0][0] != "attr" or steps[1][0] != "attr":
                return None
            mode, rtype, rname, rest = "data", steps[0][1], steps[1][1], steps[2:]
        elif root in ("var", "local", "each", "count", "module", "path", "terraform", "self") or "_" not in root:
            return None
        else:
            if not steps or steps[0][0] != "attr":
                return None
            mode, rtype, rname, rest = "managed", root, steps[0][1], steps[1:]
        if (mode, rtype, rname) not in self.mi.mdef.resources:
            return None
        try:
            expansion = self.mi.expand_resource(mode, rtype, rname)
        except TfError:
            return None
        if rest and rest[0][0] in ("index", "index_int"):
            if rest[0][0] == "index_int":
                key: Any = rest[0][1]
            else:
                key = plain(self.mi.unit.evaluator.value(rest[0][1], self.env))
            if isinstance(expansion, dict) and isinstance(key, str) and key in expansion:
                return expansion[key].address
            if isinstance(expansion, list) and isinstance(key, (int, float)) and 0 <= int(key) < len(expansion):
                return expansion[int(key)].address
            return None
        if isinstance(expansion, ResourceInstance):
            return expansion.address
        return None


def literal_token_syntax(expr: Any) -> bool:
    """Is an access token / password written as a literal in this secret_string expression?

    True for a literal string (or heredoc without interpolation) holding a token, and for
    `jsonencode({... accessToken = "literal" ...})`. Purely syntactic: no value is kept."""
    from lark import Token, Tree

    from ptclint.loaders.tf_eval import _children, _name_of

    node = expr
    while isinstance(node, Tree) and node.data == "expr_term" and len(_children(node)) == 1:
        node = _children(node)[0]
    if _is_literal_string(node):
        return True  # reduce_secret_value then checks that a token is in it
    if isinstance(node, Tree) and node.data == "function_call":
        names = [_name_of(k) for k in _children(node) if isinstance(k, Tree) and k.data == "identifier"]
        args = next((k for k in _children(node) if isinstance(k, Tree) and k.data == "arguments"), None)
        if names != ["jsonencode"] or args is None:
            return False
        arg_nodes = [k for k in _children(args) if isinstance(k, Tree)]
        if len(arg_nodes) != 1:
            return False
        obj = arg_nodes[0]
        while isinstance(obj, Tree) and obj.data == "expr_term" and len(_children(obj)) == 1:
            obj = _children(obj)[0]
        if not isinstance(obj, Tree) or obj.data != "object":
            return False
        for elem in _children(obj):
            if not isinstance(elem, Tree) or elem.data != "object_elem":
                continue
            parts = [p for p in _children(elem) if isinstance(p, Tree)]
            key_node, value_node = parts[0], parts[-1]
            key = _literal_key(key_node)
            if key and M.is_token_key(key) and _is_literal_string(value_node, nonempty=True):
                return True
    return False


def _literal_key(key_node: Any) -> str | None:
    from lark import Tree

    from ptclint.loaders.tf_eval import _children, _name_of

    inner = [k for k in _children(key_node) if isinstance(k, Tree)]
    if not inner:
        return None
    node = inner[0]
    while isinstance(node, Tree) and node.data == "expr_term" and len(_children(node)) == 1:
        node = _children(node)[0]
    if isinstance(node, Tree) and node.data in ("identifier", "keyword"):
        return _name_of(node)
    if _is_literal_string(node):
        return "".join(str(p.children[0]) for p in _children(node) if isinstance(p, Tree))
    return None


def _is_literal_string(node: Any, nonempty: bool = False) -> bool:
    from lark import Token, Tree

    from ptclint.loaders.tf_eval import _children

    while isinstance(node, Tree) and node.data == "expr_term" and len(_children(node)) == 1:
        node = _children(node)[0]
    if not isinstance(node, Tree):
        return False
    if node.data == "string":
        parts = [p for p in _children(node) if isinstance(p, Tree)]
        if not all(p.children and isinstance(p.children[0], Token) for p in parts):
            return False
        return bool(parts) or not nonempty
    if node.data in ("heredoc_template", "heredoc_template_trim"):
        text = str(node.children[0])
        return "${" not in text.replace("$${", "") and "%{" not in text.replace("%%{", "")
    return False


def render_policy_document(inst: ResourceInstance, minified: bool = True) -> Any:
    """data.aws_iam_policy_document -> the JSON the provider would render (statically known parts only)."""
    for arg in ("source_policy_documents", "override_policy_documents", "source_json", "override_json"):
        if arg in inst.block.attrs:
            return Unknown(f"{inst.address} merges other policy documents; not evaluated by ptclint")
    ev = inst.mi.unit.evaluator
    doc: dict[str, Any] = {"Version": "2012-10-17"}
    if "version" in inst.block.attrs:
        doc["Version"] = plain(ev.value(inst.block.attrs["version"].expr, inst.env))
    if "policy_id" in inst.block.attrs:
        doc["Id"] = plain(ev.value(inst.block.attrs["policy_id"].expr, inst.env))
    try:
        statements = plain(inst.block_values(inst.block, "statement", inst.env))
    except TfError as exc:
        return Unknown(str(exc))
    if isinstance(statements, Unknown):
        return statements
    out = []
    for st in statements:
        item: dict[str, Any] = {}
        if M.is_set(st.get("sid")):
            item["Sid"] = st["sid"]
        item["Effect"] = st.get("effect") or "Allow"
        for arg, key in (("actions", "Action"), ("not_actions", "NotAction"), ("resources", "Resource"),
                         ("not_resources", "NotResource")):
            if M.is_set(st.get(arg)):
                item[key] = _one_or_list(st[arg])
        for arg, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            blocks = st.get(arg)
            if isinstance(blocks, list) and blocks:
                principal: dict[str, Any] = {}
                for p in blocks:
                    ids, ptype = p.get("identifiers"), p.get("type")
                    if isinstance(ptype, Unknown):
                        return ptype
                    if not isinstance(ptype, str):
                        return Unknown(f"{inst.address}: a principal type is not a string")
                    if ptype == "*" and isinstance(ids, (list, tuple)) and list(ids) == ["*"]:
                        principal = "*"  # type: ignore[assignment]
                        break
                    principal[ptype] = _merge_ids(principal.get(ptype, []), ids)
                if isinstance(principal, dict):
                    principal = {k: _one_or_list(v) for k, v in principal.items()}
                item[key] = principal
            elif isinstance(blocks, Unknown):
                item[key] = blocks
        conditions = st.get("condition")
        if isinstance(conditions, list) and conditions:
            cond: dict[str, Any] = {}
            for c in conditions:
                test, variable = c.get("test"), c.get("variable")
                for part in (test, variable):
                    if isinstance(part, Unknown):
                        return part
                    if not isinstance(part, str):
                        return Unknown(f"{inst.address}: a condition test or variable is not a string")
                cond.setdefault(test, {})[variable] = _one_or_list(c.get("values"))
            item["Condition"] = cond
        out.append(item)
    doc["Statement"] = out
    unknown = first_unknown(doc)
    if unknown is not None:
        return unknown
    if minified:
        return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
    return json.dumps(doc, indent=2, ensure_ascii=False)


def _merge_ids(existing: list, ids: Any) -> Any:
    if isinstance(ids, Unknown):
        return ids
    if isinstance(existing, Unknown):
        return existing
    return [*existing, *(ids if isinstance(ids, (list, tuple)) else [ids])]


def _one_or_list(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        items = list(value)
        return items[0] if len(items) == 1 else items
    return value


# ---------------------------------------------------------------- variable types

def convert(value: Any, type_expr: Any) -> Any:
    """Convert a variable's value to its declared type (fills optional object attributes)."""
    try:
        spec = _type_spec(type_expr)
    except TfError:
        return value
    try:
        return _convert(value, spec)
    except TfError as exc:
        return Unknown(f"a variable's value does not match its type ({exc})")


def _type_spec(expr: Any) -> Any:
    from lark import Tree

    from ptclint.loaders.tf_eval import _children, _name_of

    node = expr
    while isinstance(node, Tree) and node.data == "expr_term" and len(_children(node)) == 1:
        node = _children(node)[0]
    if isinstance(node, Tree) and node.data == "identifier":
        return _name_of(node)
    if isinstance(node, Tree) and node.data == "function_call":
        fname = _name_of([k for k in _children(node) if isinstance(k, Tree) and k.data == "identifier"][0])
        args_tree = next((k for k in _children(node) if isinstance(k, Tree) and k.data == "arguments"), None)
        args = [k for k in _children(args_tree) if isinstance(k, Tree)] if args_tree is not None else []
        if fname in ("list", "set", "map") and len(args) == 1:
            return (fname, _type_spec(args[0]))
        if fname == "optional" and args:
            default = Evaluator().value(args[1], Env(_Nothing())) if len(args) > 1 else None
            return ("optional", _type_spec(args[0]), default)
        if fname == "object" and len(args) == 1:
            obj = args[0]
            while isinstance(obj, Tree) and obj.data == "expr_term" and len(_children(obj)) == 1:
                obj = _children(obj)[0]
            attrs = {}
            for elem in _children(obj):
                if isinstance(elem, Tree) and elem.data == "object_elem":
                    parts = [p for p in _children(elem) if isinstance(p, Tree)]
                    key = _literal_key(parts[0])
                    if key is None:
                        raise TfError("object type attribute")
                    attrs[key] = _type_spec(parts[-1])
            return ("object", attrs)
        if fname == "tuple" and len(args) == 1:
            inner = args[0]
            while isinstance(inner, Tree) and inner.data == "expr_term" and len(_children(inner)) == 1:
                inner = _children(inner)[0]
            return ("tuple", [_type_spec(e) for e in _children(inner) if isinstance(e, Tree)])
    raise TfError("type expression")


def _convert(value: Any, spec: Any) -> Any:
    if isinstance(value, Unknown) or value is None:
        return value
    if spec == "any":
        return value
    if spec == "string":
        if isinstance(value, (dict, list, tuple)):
            raise TfError(f"{kind_of(value)} is not a string")
        return to_string(value)
    if spec == "number":
        from ptclint.loaders.tf_eval import to_number

        return to_number(value)
    if spec == "bool":
        from ptclint.loaders.tf_eval import to_bool

        return to_bool(value)
    if isinstance(spec, tuple):
        kind = spec[0]
        if kind == "optional":
            return _convert(value, spec[1])
        if kind in ("list", "set"):
            if not isinstance(value, (list, tuple)):
                raise TfError(f"{kind_of(value)} is not a {kind}")
            items = [_convert(v, spec[1]) for v in value]
            if kind == "set":
                from ptclint.loaders.tf_eval import FUNCTIONS

                return FUNCTIONS["toset"](items)
            return items
        if kind == "map":
            if not isinstance(value, dict):
                raise TfError(f"{kind_of(value)} is not a map")
            return {k: _convert(v, spec[1]) for k, v in value.items()}
        if kind == "object":
            if not isinstance(value, dict):
                raise TfError(f"{kind_of(value)} is not an object")
            out = {}
            for attr, aspec in spec[1].items():
                if attr in value:
                    v = value[attr]
                    if v is None and isinstance(aspec, tuple) and aspec[0] == "optional" and len(aspec) > 2:
                        v = aspec[2]
                    out[attr] = _convert(v, aspec)
                elif isinstance(aspec, tuple) and aspec[0] == "optional":
                    out[attr] = _convert(aspec[2], aspec[1]) if len(aspec) > 2 else None
                else:
                    raise TfError(f"attribute {attr!r} is required")
            return out
        if kind == "tuple":
            if not isinstance(value, (list, tuple)) or len(value) != len(spec[1]):
                raise TfError("the value does not match the tuple type")
            return [_convert(v, s) for v, s in zip(value, spec[1])]
    return value
