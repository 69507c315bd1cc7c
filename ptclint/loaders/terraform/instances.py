"""Module instances: the root module, or one instance of a module call, with the values it is given.

A `ModuleInstance` is the scope expressions in its module are evaluated in: it answers `var`,
`local`, `module`, `data`, `path` and resource references, expands `for_each` / `count` of
resources and module calls into instances, and finds each resource's provider.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

from lark import Tree

from ptclint.budgets import BudgetExceeded
from ptclint.errors import InputError
from ptclint.loaders.terraform import objects as M
from ptclint.loaders.terraform.expr import read_regular_file
from ptclint.loaders.terraform.hcl import Block, children, parse_expression, reference_name, unwrap
from ptclint.loaders.terraform.modules import ModuleDef, Unit, tf_files
from ptclint.loaders.terraform.resources import ResourceInstance
from ptclint.loaders.terraform.scope import BARE_NAME, Env, Namespace, NoReferences
from ptclint.loaders.terraform.values import Lazy, TfError, TfSet, kind_of, plain
from ptclint.loaders.terraform.variables import MISMATCH, convert, is_sensitive, non_nullable, type_name
from ptclint.model import NotJudged, Unknown

_MAX_MODULE_DEPTH = 16
_MISSING = object()


UNKNOWN_KEY = "[?]"  # the instance key of a resource whose for_each / count is not known statically


def shown_source(source: str) -> str:
    """A module source as reports may show it: without the credentials a git or HTTP URL can carry
    (`https://user:token@host/...`, go-getter's `?sshkey=...`); only a `ref` query stays."""
    source = re.sub(r"(://)[^/@]*@", r"\1", source)
    base, _, query = source.partition("?")
    refs = [p for p in query.split("&") if p.startswith("ref=")]
    return base + ("?" + "&".join(refs) if refs else "")


class NotOnDisk:
    """A module call whose source is not on disk (not local, not fetched by `terraform init`)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


class ModuleInstance:
    """A module with its inputs: the root module, or one instance of a module call."""

    def __init__(self, unit: Unit, mdef: ModuleDef, address: str, parent: ModuleInstance | None,
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
        self._revealed: dict[str, dict[str, Any]] = {}  # the caches used while a secret is reduced
        self._busy: set[str] = set()
        self._expanded: dict[tuple, Any] = {}
        self._modules: dict[str, Any] = {}
        self._providers: dict[str, M.ProviderInfo] = {}
        self._unknown_causes: dict[str, str] = {}  # address -> why its for_each / count is unknown

    @classmethod
    def root_of(cls, unit: Unit) -> ModuleInstance:
        """The root module of a unit."""
        return cls(unit, unit.root_def, "", None, None, None, {}, ())

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
            return Namespace(BARE_NAME, lambda n: self.collection("managed", name, n))
        raise TfError(BARE_NAME + " is not a reference")

    def _guard(self, key: str, compute: Any) -> Any:
        if key in self._busy:
            raise TfError(f"{key} refers to itself")
        self._busy.add(key)
        try:
            return compute()
        finally:
            self._busy.discard(key)

    def var(self, name: str) -> Any:
        reveal = self.unit.evaluator.reveal
        cache = self._revealed.setdefault("var", {}) if reveal else self._vars
        if name not in cache:
            try:
                cache[name] = ("ok", self._guard("var." + name, lambda: self._var(name)))
            except TfError as exc:
                cache[name] = ("err", str(exc))
        state, value = cache[name]
        if state == "err":
            raise TfError(value)
        if not reveal and is_sensitive(self.mdef.variables.get(name)):
            # `sensitive = true`: not judged, never shown, and so is everything built from it (only a
            # secret's value is reduced to its key names, see ResourceInstance._declared_value)
            return Unknown(f"var.{name} is a sensitive value")
        return value

    def _var(self, name: str) -> Any:
        decl = self.mdef.variables.get(name)
        if decl is None:
            raise TfError(f"variable {name!r} is not declared")
        ev = self.unit.evaluator
        given: Any = _MISSING
        place = None  # where a root module value was given (a tfvars file, --var)
        if self.parent is None:
            source = self.unit.root_values.get(name)
            if source is not None:
                kind, raw, place = source
                if kind == "value":
                    given = raw
                elif kind == "expr":
                    given = ev.eval(raw, Env(NoReferences()))
                else:  # --var: a string, unless the variable's type is not a string
                    type_attr = decl.attrs.get("type")
                    if type_attr is not None and type_name(type_attr.expr) not in ("string", "any"):
                        try:
                            given = ev.eval(parse_expression(raw), Env(NoReferences()))
                        except TfError:
                            raise InputError("--var", f"{name}: the value is not a valid Terraform expression "
                                                      "for this variable's type") from None
                    else:
                        given = raw
        elif self.call is not None and name in self.call.attrs:
            assert self.call_env is not None  # a module call comes with the Env it is evaluated in
            given = ev.eval(self.call.attrs[name].expr, self.call_env)
        if given is _MISSING or (given is None and non_nullable(decl)):
            default = decl.attrs.get("default")
            if default is None:
                where = "the root module" if self.parent is None else self.address
                return Unknown(f"variable {name} of {where} has no value and no default"
                               + (" (give it with --var or --var-file)" if self.parent is None else ""))
            given = ev.eval(default.expr, Env(NoReferences()))
        type_attr = decl.attrs.get("type")
        if type_attr is not None:
            given = convert(plain(given), type_attr.expr)
            if place is not None and isinstance(given, Unknown) and given.reason.startswith(MISMATCH):
                # fail closed: Terraform refuses the run, so judging the unit without it would hide findings
                raise InputError(place[0], f"variable {name}: the value given does not match the variable's type "
                                           f"({type_name(type_attr.expr) or 'a compound type'})", place[1], place[2])
        return given

    def local(self, name: str) -> Any:
        # values computed while a secret is reduced may hold sensitive values: kept apart
        cache = self._revealed.setdefault("local", {}) if self.unit.evaluator.reveal else self._locals
        if name not in cache:
            attr = self.mdef.locals.get(name)
            if attr is None:
                raise TfError(f"local value {name!r} is not declared")
            try:
                value = self._guard("local." + name, lambda: self.unit.evaluator.eval(attr.expr, Env(self)))
                cache[name] = ("ok", value)
            except TfError as exc:
                cache[name] = ("err", str(exc))
            except BudgetExceeded as exc:
                o = attr.origin
                raise exc.locate(o.file, o.line, o.column, f"{self.prefix}local.{name}") from None
        state, value = cache[name]
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

    def block_provider(self, mode: str, rtype: str, rname: str) -> M.ProviderInfo:
        """The provider (account, Region) a resource block uses, whether or not it has instances."""
        address = f"{self.prefix}{'data.' if mode == 'data' else ''}{rtype}.{rname}"
        return ResourceInstance(self, self.mdef.resources[(mode, rtype, rname)], mode, rtype, address, {}).provider()

    def _expand(self, block: Block, address: str, make: Any) -> Any:
        """for_each -> {key: instance}; count -> [instance]; neither -> instance; unknown -> Unknown."""
        try:
            return self._expand_instances(block, address, make)
        except BudgetExceeded as exc:
            o = next((a.origin for a in (block.attrs.get("for_each"), block.attrs.get("count")) if a), block.origin)
            raise exc.locate(o.file, o.line, o.column, address) from None

    def _expand_instances(self, block: Block, address: str, make: Any) -> Any:
        ev = self.unit.evaluator
        for_each, count = block.attrs.get("for_each"), block.attrs.get("count")
        if for_each is not None and count is not None:
            raise InputError(block.origin.file, f"{address}: for_each and count cannot be used together",
                             count.origin.line, count.origin.column)
        if for_each is not None:
            value = plain(ev.value(for_each.expr, Env(self)))
            if isinstance(value, Unknown):
                self._unknown_causes[address] = value.reason
                return Unknown(f"the instances of {address} are not known statically (for_each: {value.reason})")
            if isinstance(value, dict):
                items = list(value.items())
            elif isinstance(value, TfSet):
                for element in value:
                    if isinstance(element, Unknown):
                        self._unknown_causes[address] = f"an element: {element.reason}"
                        return Unknown(f"the instances of {address} are not known statically "
                                       f"(for_each: an element: {element.reason})")
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
                self._unknown_causes[address] = value.reason
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

    def unknown_instance(self, mode: str, rtype: str, rname: str, unknown: Unknown) -> ResourceInstance:
        """The one instance a resource whose for_each / count is unknown is judged as: its key (and
        `each.value`, `count.index`) unknown, so everything built from them stays unknown while its
        other arguments are still judged. The resource is recorded as not judged whole."""
        block = self.mdef.resources[(mode, rtype, rname)]
        address = f"{self.prefix}{'data.' if mode == 'data' else ''}{rtype}.{rname}"
        return ResourceInstance(self, block, mode, rtype, address + UNKNOWN_KEY,
                                self._unknown_bindings(block, address, unknown))

    def unknown_module(self, name: str, unknown: Unknown) -> ModuleInstance:
        """A module call whose for_each / count is unknown: one instance with an unknown key."""
        block = self.mdef.modules[name]
        address = f"{self.prefix}module.{name}"
        directory = self._module_dir(self.unit.evaluator.value(block.attrs["source"].expr, Env(NoReferences())),
                                     (*self.call_path, name))
        assert directory is not None  # only a module on disk has instances whose keys can be unknown
        return ModuleInstance(self.unit, self.unit.module_def(directory), address + UNKNOWN_KEY, self, block,
                              Env(self, self._unknown_bindings(block, address, unknown)), _provider_map(block),
                              (*self.call_path, name))

    def _unknown_bindings(self, block: Block, address: str, unknown: Unknown) -> dict[str, Any]:
        meta = "for_each" if "for_each" in block.attrs else "count"
        why = self._unknown_causes.get(address, unknown.reason)
        self.unit.not_judged.append(NotJudged(
            address, f"{meta} is not known statically ({why}): judged as one instance with an unknown key",
            block.attrs[meta].origin))
        key = Unknown(f"the instance key of {address} is not known statically ({why})")
        if meta == "count":
            return {"count": {"index": key}}
        return {"each": {"key": key, "value": Unknown(f"each.value of {address} is not known statically ({why})")}}

    def not_on_disk(self, name: str, missing: NotOnDisk) -> None:
        """A module call whose source is not on disk: recorded, so the unit never reads as clean."""
        block = self.mdef.modules[name]
        origin = block.attrs["source"].origin if "source" in block.attrs else block.origin
        self.unit.not_judged.append(NotJudged(f"{self.prefix}module.{name}",
                                              f"{missing.reason}: its resources were not judged", origin))

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
        source = self.unit.evaluator.value(source_attr.expr, Env(NoReferences())) if source_attr else None
        if not isinstance(source, str):
            o = (source_attr or block).origin
            raise InputError(o.file, f"module {name}: source must be a literal string", o.line, o.column)
        call_path = (*self.call_path, name)
        directory = self._module_dir(source, call_path)
        if directory is None:
            return NotOnDisk(f"module {name} (source {shown_source(source)!r}) is not on disk")
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
        if source.startswith(("./", "../")) or source in (".", ".."):
            directory = os.path.normpath(os.path.join(self.mdef.dir, source))
            return directory if tf_files(directory) else None
        manifest = os.path.join(self.unit.root_dir, ".terraform", "modules", "modules.json")
        try:
            if not os.path.isfile(manifest):  # a FIFO or device there would block the scan
                return None
            entries = json.loads(read_regular_file(manifest, self.unit.max_bytes, "modules.json")).get("Modules", [])
        except (TfError, ValueError, AttributeError):
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


def _provider_map(block: Block) -> dict[str, str]:
    """A module call's `providers = { aws = aws.east }`: the child's key -> the caller's."""
    attr = block.attrs.get("providers")
    if attr is None:
        return {}
    out: dict[str, str] = {}
    node = unwrap(attr.expr)
    if not isinstance(node, Tree) or node.data != "object":
        return out
    for elem in children(node):
        if not isinstance(elem, Tree) or elem.data != "object_elem":
            continue
        parts = [p for p in children(elem) if isinstance(p, Tree)]
        key_expr = [k for k in children(parts[0]) if isinstance(k, Tree)]
        key = reference_name(key_expr[0]) if key_expr else None
        value = reference_name(parts[-1])
        if key and value:
            out[key] = value
    return out


class _ModuleObject(Lazy):
    """`module.x` in an expression: its outputs, evaluated on demand."""

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
