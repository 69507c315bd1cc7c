"""A plan's link to its configuration: the `configuration` section, and the `.tf` files when on disk.

It answers what the values alone do not: which provider (so which registry) a resource uses,
which other resource an argument references (so an unknown ARN can be linked to a declared
secret or role), and where a resource and its arguments are written in the `.tf` files.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

from ptclint.errors import InputError
from ptclint.loaders import LoadContext
from ptclint.loaders.terraform import objects as M
from ptclint.loaders.terraform.modules import ModuleDef, Reader, tf_files

_MODULE_RE = re.compile(r'module\.([A-Za-z0-9_-]+)((?:\[(?:"(?:[^"\\]|\\.)*"|\d+)\])?)')
_REF_RE = re.compile(r'^(data\.)?([A-Za-z][A-Za-z0-9_-]*)\.([A-Za-z_][A-Za-z0-9_-]*)'
                     r'((?:\[(?:"(?:[^"\\]|\\.)*"|\d+)\])?)'
                     r'(?:\.([A-Za-z_][A-Za-z0-9_-]*))?')
_NOT_RESOURCES = {"var", "local", "each", "count", "module", "path", "terraform", "self"}


class PlanConfig:
    """The configuration of one plan: modules, resources, providers and references."""

    def __init__(self, config: dict, variables: dict, tf_root: str, max_bytes: int, ctx: LoadContext,
                 resources: dict[str, tuple[tuple, dict, str]]) -> None:
        self.config = config  # the plan's `configuration` section
        self.variables = variables  # the plan's root variable values (provider regions may name one)
        self.tf_root = tf_root
        self.max_bytes = max_bytes
        self.ctx = ctx
        self.resources = resources  # the plan's resources by address (references must point at one)
        self._defs: dict[str, Any] = {}
        self.providers: dict[str, M.ProviderInfo] = {}
        self.state_accounts = self._state_accounts()

    # -- modules and resources in the configuration

    def config_module(self, module_address: str) -> tuple[dict | None, str | None]:
        """The configuration of a module (by absolute module address) and its directory on disk."""
        module = self.config.get("root_module") if isinstance(self.config, dict) else None
        directory: str | None = self.tf_root
        call_path: list[str] = []
        for call, _key in _MODULE_RE.findall(module_address):
            call_path.append(call)
            calls = module.get("module_calls") if isinstance(module, dict) else None
            entry = calls.get(call) if isinstance(calls, dict) else None
            if not isinstance(entry, dict):
                return None, None
            source = entry.get("source")
            directory = self._module_dir(directory, source, call_path)
            module = entry.get("module")
        return (module if isinstance(module, dict) else None), directory

    def _module_dir(self, parent: str | None, source: Any, call_path: list[str]) -> str | None:
        if parent is None or not isinstance(source, str):
            return None
        if source.startswith(("./", "../")):
            return os.path.normpath(os.path.join(parent, source))
        manifest = os.path.join(self.tf_root, ".terraform", "modules", "modules.json")
        try:
            with open(manifest, encoding="utf-8") as fh:
                entries = json.load(fh).get("Modules", [])
        except (OSError, ValueError, AttributeError):
            return None
        key = ".".join(call_path)
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and entry.get("Key") == key and isinstance(entry.get("Dir"), str):
                return os.path.join(self.tf_root, entry["Dir"])
        return None

    def config_resource(self, module: dict | None, mode: str, rtype: str, rname: str) -> dict | None:
        if not isinstance(module, dict):
            return None
        address = f"{'data.' if mode == 'data' else ''}{rtype}.{rname}"
        for res in module.get("resources", []) if isinstance(module.get("resources"), list) else []:
            if isinstance(res, dict) and res.get("address") == address:
                return res
        return None

    def module_def(self, directory: str | None) -> Any:
        """The HCL of a module directory, for positions; None when not on disk or not readable."""
        if directory is None:
            return None
        if directory not in self._defs:
            mdef = None
            if tf_files(directory):
                try:
                    mdef = ModuleDef(directory, Reader(self.max_bytes))
                except InputError:
                    mdef = None
            self._defs[directory] = mdef
        return self._defs[directory]

    # -- providers

    def provider(self, key: str) -> M.ProviderInfo:
        if key not in self.providers:
            configs = self.config.get("provider_config") if isinstance(self.config, dict) else None
            entry = configs.get(key) if isinstance(configs, dict) else None
            region = accounts = None
            if isinstance(entry, dict) and isinstance(entry.get("expressions"), dict):
                in_module = bool(entry.get("module_address"))
                region = self._expression_value(entry["expressions"].get("region"), in_module)
                accounts = self._expression_value(entry["expressions"].get("allowed_account_ids"), in_module)
            origin = None
            if ":" not in key:
                mdef = self.module_def(self.tf_root)
                block = mdef.providers.get(key) if mdef is not None else None
                if block is not None:
                    origin = block.attrs["region"].origin if "region" in block.attrs else block.origin
            info = M.make_provider(key, region, accounts, self.ctx.account, self.ctx.region, origin)
            account = self.state_accounts.get(key) if hasattr(self, "state_accounts") else None
            if account and "${" in info.account and not self.ctx.account:
                info = M.ProviderInfo(key, account, info.region, info.partition, info.origin)
            self.providers[key] = info
        return self.providers[key]

    def _expression_value(self, expr: Any, in_module: bool) -> Any:
        """A provider argument's value: a constant, or a root variable's value."""
        if not isinstance(expr, dict):
            return None
        if "constant_value" in expr:
            return expr["constant_value"]
        refs = expr.get("references")
        if not in_module and isinstance(refs, list) and refs and isinstance(refs[0], str) \
                and refs[0].startswith("var."):
            var = self.variables.get(refs[0][4:])
            if isinstance(var, dict):
                return var.get("value")
        return None

    def provider_key(self, cres: dict | None, module_address: str) -> str:
        if isinstance(cres, dict) and isinstance(cres.get("provider_config_key"), str):
            return cres["provider_config_key"]
        return "aws"

    def _state_accounts(self) -> dict[str, str]:
        """State files: the registry_id of ECR resources is the account."""
        found: dict[str, set] = {}
        for _rpath, res, module_address in self.resources.values():
            if res.get("type") not in M.PTC_TYPES or not isinstance(res.get("values"), dict):
                continue
            rid = res["values"].get("registry_id")
            if isinstance(rid, str) and re.fullmatch(r"\d{12}", rid):
                module, _ = self.config_module(module_address)
                key = self.provider_key(self.config_resource(module, "managed", res["type"], res.get("name", "")),
                                        module_address)
                found.setdefault(key, set()).add(rid)
        return {k: next(iter(v)) for k, v in found.items() if len(v) == 1}

    # -- references

    def target(self, module_address: str, refs: Any, index: Any, depth: int = 0) -> tuple[str, str] | None:
        """(address, attribute) of the plan resource a list of configuration references points at."""
        if not isinstance(refs, list) or depth > 8:
            return None
        prefix = module_address + "." if module_address else ""
        module, _ = self.config_module(module_address)
        for ref in refs:
            if not isinstance(ref, str):
                continue
            if ref.startswith("module."):
                found = self._output_target(module, prefix, ref, depth)
                if found:
                    return found
                continue
            m = _REF_RE.match(ref)
            if not m:
                continue
            data, rtype, rname, key, attr = m.groups()
            if not data and (rtype in _NOT_RESOURCES or "_" not in rtype):
                continue
            mode = "data" if data else "managed"
            base = f"{prefix}{'data.' if data else ''}{rtype}.{rname}"
            candidates = []
            if key:
                candidates.append(base + key)
            else:
                cres = self.config_resource(module, mode, rtype, rname)
                repeated = isinstance(cres, dict) and ("for_each_expression" in cres or "count_expression" in cres)
                if repeated and index is not None:
                    candidates.append(base + M.instance_key(index))
                elif not repeated:
                    candidates.append(base)
            for c in candidates:
                if c in self.resources:
                    return c, attr or ""
        return None

    def _output_target(self, module: Any, prefix: str, ref: str, depth: int) -> tuple[str, str] | None:
        """`module.x.out`: follow the output's own references into a module called once (no for_each, count)."""
        parts = ref.split(".")
        if len(parts) >= 3:
            calls = module.get("module_calls") if isinstance(module, dict) else None
            entry = calls.get(parts[1]) if isinstance(calls, dict) else None
            if isinstance(entry, dict) and "for_each_expression" not in entry and "count_expression" not in entry:
                outputs = (entry.get("module") or {}).get("outputs") or {}
                out = outputs.get(parts[2]) if isinstance(outputs, dict) else None
                expr = out.get("expression") if isinstance(out, dict) else None
                if isinstance(expr, dict):
                    return self.target(f"{prefix}module.{parts[1]}", expr.get("references"), None, depth + 1)
        return None
