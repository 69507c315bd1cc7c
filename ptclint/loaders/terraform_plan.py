"""Terraform plan or state JSON (`terraform show -json [plan]`).

Recognised by `format_version` + `terraform_version` + `planned_values` (plan) or `values`
(state); format 1.x. Resources are read from `planned_values.root_module` and its
`child_modules`, recursively (data sources also from `prior_state`). A value marked in
`resource_changes[].change.after_unknown` is `Unknown` ("known after apply") when the
configuration sets it, and absent when only the provider computes it. An unknown
`credential_arn` / `custom_role_arn` that the `configuration` shows referencing a secret / role
declared in the plan is linked to it by that reference: the value becomes the same partial ARN
the HCL loader builds (`arn:<partition>:secretsmanager:<region>:<account>:secret:<name>`).
`resource_changes` of PTC rules and creation templates become `registry.plan_changes`
(`{address, type, actions, before, after}`, API field names, sensitive values removed).

Registries: the provider configuration's `region` (a constant, or a root variable's value) and a
single `allowed_account_ids` entry, else `--region` / `--account`, else the symbolic
`${AWS::Region}` / `${AWS::AccountId}`; a state's `registry_id` gives the account.

Locations: when the configuration's `.tf` files are on disk (next to the plan, or under
`--tf-root`), findings point at the resource's block and attribute lines there, exactly as the
HCL loader's do; otherwise at the resource's line in the plan JSON. Resource names are the
plan's addresses, which are the HCL loader's names too.

Sensitive values: `secret_string` is read in memory to learn its keys only; plan `variables`
and provider arguments are never read into the model.
"""

from __future__ import annotations

import os
from dataclasses import replace
import re
from typing import Any

from ptclint.errors import InputError
from ptclint.loaders import (
    LoadContext,
    by_account_and_region,
    claims_document,
    display_path,
    finds_nothing,
    never_attaches,
    origin_at,
)
from ptclint.loaders.sources import Source, document
from ptclint.loaders import tf_model as M
from ptclint.model import Origin, Registry, Unknown

name = "terraform_plan"
sniff = ("pull_through_cache", "repository_creation_template", "aws_ecr_registry_policy")
yaml_tags = None
find = finds_nothing
options = M.options
merge_key = by_account_and_region
attaches = never_attaches

_MAX_MODULE_DEPTH = 32
_ABSENT = object()
_MODULE_RE = re.compile(r'module\.([A-Za-z0-9_-]+)((?:\[(?:"(?:[^"\\]|\\.)*"|\d+)\])?)')
_REF_RE = re.compile(r'^(data\.)?([A-Za-z][A-Za-z0-9_-]*)\.([A-Za-z_][A-Za-z0-9_-]*)((?:\[(?:"(?:[^"\\]|\\.)*"|\d+)\])?)'
                     r'(?:\.([A-Za-z_][A-Za-z0-9_-]*))?')
_NOT_RESOURCES = {"var", "local", "each", "count", "module", "path", "terraform", "self"}
_REF_ARGS = ("credential_arn", "custom_role_arn", "secret_id", "role", "policy_arn", "policy", "assume_role_policy",
             "repository_policy", "lifecycle_policy")


def detect(data: Any) -> bool:
    return (isinstance(data, dict) and "format_version" in data and "terraform_version" in data
            and ("planned_values" in data or "values" in data))


claims = claims_document(detect)


def load(source: Source, ctx: LoadContext) -> list[Registry]:
    return read(document(source), ctx)


def read(doc: Any, ctx: LoadContext) -> list[Registry]:
    """Registries of a parsed plan or state document."""
    try:
        return _Plan(doc, ctx).registries()
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, RecursionError) as exc:
        # A shape the checks above did not foresee: report the file, never a traceback (nor a value).
        if os.environ.get("PTCLINT_DEBUG"):
            raise
        raise InputError(ctx.display_path or doc.path, "could not be read as Terraform plan or state JSON "
                                                       f"(unexpected structure: {exc.__class__.__name__})") from None


class _Plan:
    def __init__(self, doc: Any, ctx: LoadContext) -> None:
        self.doc = doc
        self.ctx = ctx
        self.shown = ctx.display_path or display_path(doc.path)
        data = doc.data
        version = data.get("format_version")
        if not isinstance(version, str) or not re.match(r"^1(\.\d+)*$", version):
            self.fail(("format_version",), "expected format_version 1.x (the JSON output of Terraform 0.12 or "
                                           "later); other major versions are not supported")
        self.is_plan = "planned_values" in data
        self.config = self.obj(("configuration",), optional=True) or {}
        self.variables = data.get("variables") if isinstance(data.get("variables"), dict) else {}
        root = os.path.dirname(os.path.abspath(doc.path))
        self.tf_root = os.path.abspath((ctx.options or M.Options()).root or root)
        self.max_bytes = ctx.max_file_bytes
        self._defs: dict[str, Any] = {}
        self.changes: dict[str, tuple[tuple, dict]] = {}
        for i, rc in enumerate(self.list(("resource_changes",), optional=True) or []):
            path = ("resource_changes", i)
            self.check(rc, path, dict, "an object")
            self.string(rc, path, "address")
            change = rc.get("change")
            self.check(change, (*path, "change"), dict, "an object")
            actions = change.get("actions")
            self.check(actions, (*path, "change", "actions"), list, "a list")
            for key in ("type", "mode", "name", "module_address"):
                if key in rc:
                    self.string(rc, path, key)
            self.changes[rc["address"]] = (path, rc)
        self.resources: dict[str, tuple[tuple, dict, str]] = {}  # address -> (json path, resource, module addr)
        values_key = "planned_values" if self.is_plan else "values"
        values = self.obj((values_key,), optional=False)
        if "root_module" in values:
            self.walk_module((values_key, "root_module"), "", 0)
        if isinstance(data.get("prior_state"), dict):
            prior = data["prior_state"].get("values")
            if isinstance(prior, dict) and "root_module" in prior:
                self.walk_module(("prior_state", "values", "root_module"), "", 0, data_only=True)
        self.providers: dict[str, M.ProviderInfo] = {}
        self.state_accounts = self._state_accounts()

    # -- validation helpers

    def fail(self, path: tuple, message: str) -> None:
        pos = self.doc.position(path)
        pointer = "/" + "/".join(str(p) for p in path)
        raise InputError(self.shown, f"at {pointer}: {message}", pos.line, pos.column)

    def value_at(self, path: tuple) -> Any:
        value = self.doc.data
        for p in path:
            value = value[p]
        return value

    def check(self, value: Any, path: tuple, kind: type, what: str) -> None:
        if not isinstance(value, kind) or isinstance(value, bool):
            from ptclint.loaders.tf_eval import kind_of

            self.fail(path, f"expected {what}, got {kind_of(value)}")

    def obj(self, path: tuple, optional: bool) -> Any:
        try:
            value = self.value_at(path)
        except (KeyError, IndexError, TypeError):
            if optional:
                return None
            self.fail(path[:-1], f"missing {path[-1]!r}")
        self.check(value, path, dict, "an object")
        return value

    def list(self, path: tuple, optional: bool) -> Any:
        try:
            value = self.value_at(path)
        except (KeyError, IndexError, TypeError):
            if optional:
                return None
            self.fail(path[:-1], f"missing {path[-1]!r}")
        self.check(value, path, list, "a list")
        return value

    def string(self, item: dict, path: tuple, key: str) -> str:
        if not isinstance(item.get(key), str):
            self.fail((*path, key) if key in item else path, f"{key}: expected a string")
        return item[key]

    # -- reading the values tree

    def walk_module(self, path: tuple, module_address: str, depth: int, data_only: bool = False) -> None:
        if depth > _MAX_MODULE_DEPTH:
            self.fail(path, f"modules nest more than {_MAX_MODULE_DEPTH} deep")
        module = self.obj(path, optional=False)
        for i, res in enumerate(self.list((*path, "resources"), optional=True) or []):
            rpath = (*path, "resources", i)
            self.check(res, rpath, dict, "an object")
            address = self.string(res, rpath, "address")
            self.string(res, rpath, "type")
            for key in ("mode", "name"):
                if key in res:
                    self.string(res, rpath, key)
            mode = res.get("mode", "managed")
            if "values" in res and res["values"] is not None:
                self.check(res["values"], (*rpath, "values"), dict, "an object")
            if data_only and mode != "data":
                continue
            self.resources.setdefault(address, (rpath, res, module_address))
        for j, child in enumerate(self.list((*path, "child_modules"), optional=True) or []):
            cpath = (*path, "child_modules", j)
            self.check(child, cpath, dict, "an object")
            caddr = self.string(child, cpath, "address")
            self.walk_module(cpath, caddr, depth + 1, data_only)

    # -- configuration

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
        if source.startswith("./") or source.startswith("../"):
            return os.path.normpath(os.path.join(parent, source))
        import json

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
            from ptclint.loaders.terraform_hcl import ModuleDef, tf_files

            mdef = None
            if tf_files(directory):
                try:
                    mdef = ModuleDef(directory, _Reader(self.max_bytes))
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
        for address, (rpath, res, module_address) in self.resources.items():
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
                parts = ref.split(".")
                if len(parts) >= 3:
                    calls = module.get("module_calls") if isinstance(module, dict) else None
                    entry = calls.get(parts[1]) if isinstance(calls, dict) else None
                    if isinstance(entry, dict) and "for_each_expression" not in entry and "count_expression" not in entry:
                        outputs = (entry.get("module") or {}).get("outputs") or {}
                        out = outputs.get(parts[2]) if isinstance(outputs, dict) else None
                        expr = out.get("expression") if isinstance(out, dict) else None
                        if isinstance(expr, dict):
                            found = self.target(f"{prefix}module.{parts[1]}", expr.get("references"), None, depth + 1)
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

    # -- objects

    def objects(self) -> tuple[list[M.TfObject], dict[str, M.TfObject]]:
        out: list[M.TfObject] = []
        for address, (rpath, res, module_address) in self.resources.items():
            mode = res.get("mode", "managed")
            rtype = res["type"]
            if not ((mode == "managed" and rtype in M.MANAGED_TYPES) or (mode == "data" and rtype == M.POLICY_DOCUMENT)):
                continue
            out.append(self.object(address, rpath, res, module_address))
        by_address = {o.address: o for o in out}
        # second pass: unknown ARNs that reference a declared secret / role become its (partial) ARN
        for o in out:
            for arg, kind in (("credential_arn", M.SECRET), ("custom_role_arn", M.ROLE)):
                if not isinstance(o.values.get(arg), Unknown) or arg not in o.refs:
                    continue
                target = by_address.get(o.refs[arg])
                if target is None or target.type != kind:
                    continue
                tname = target.values.get("name")
                if isinstance(tname, str) and tname:
                    o.values[arg] = M.secret_arn(tname, target.provider) if kind == M.SECRET else \
                        M.role_arn(tname, target.values.get("path"), target.provider)
        return out, by_address

    def object(self, address: str, rpath: tuple, res: dict, module_address: str) -> M.TfObject:
        mode = res.get("mode", "managed")
        rtype = res["type"]
        rname = res.get("name", "")
        index = res.get("index")
        values = res.get("values") if isinstance(res.get("values"), dict) else {}
        sensitive = res.get("sensitive_values") if isinstance(res.get("sensitive_values"), dict) else {}
        module, directory = self.config_module(module_address)
        cres = self.config_resource(module, mode, rtype, rname)
        expressions = cres.get("expressions") if isinstance(cres, dict) and isinstance(cres.get("expressions"), dict) \
            else None
        change = self.changes.get(address, (None, {}))[1].get("change", {})
        after_unknown = change.get("after_unknown") if isinstance(change.get("after_unknown"), dict) else {}
        provider = self.provider(self.provider_key(cres, module_address))
        mdef = self.module_def(directory)
        block = mdef.resources.get((mode, rtype, rname)) if mdef is not None else None

        out: dict[str, Any] = {}
        origins: dict[str, Origin] = {}
        refs: dict[str, str] = {}
        args = M.ARGUMENTS.get(rtype, ()) if mode == "managed" else ("json", "minified_json")
        for arg in (*args, "arn"):
            configured = expressions is None or arg in expressions
            value = _merge_unknown(values.get(arg, _ABSENT), after_unknown.get(arg),
                                   expressions.get(arg) if expressions else None, configured, f"{address}.{arg}")
            if value is _ABSENT or value is None or (arg == "arn" and not isinstance(value, str)):
                pass
            elif _has_true(sensitive.get(arg)):  # Terraform hides it in its own output; so does ptclint
                out[arg] = Unknown(f"{address}.{arg} is a sensitive value")
            else:
                out[arg] = value
            if expressions and isinstance(expressions.get(arg), dict):
                found = self.target(module_address, expressions[arg].get("references"), index)
                if found:
                    refs[arg] = found[0]
            if block is not None:
                if arg in block.attrs:
                    origins[arg] = block.attrs[arg].origin
                else:
                    first = next((b for b in block.blocks if b.type == arg or (b.type == "dynamic"
                                                                              and b.labels[:1] == [arg])), None)
                    if first is not None:
                        origins[arg] = first.origin
            elif arg in values:
                origins[arg] = origin_at(self.doc, self._ctx(), (*rpath, "values", arg))
        if mode == "data":
            text = out.pop("minified_json", None) or out.get("json")
            out = {"json": text} if text is not None else {}
        declared = None
        if rtype == M.SECRET_VERSION and mode == "managed":
            declared = self._declared_value(values, after_unknown, expressions, block)
        if rtype == M.SECRET and "name" not in out and "name_prefix" not in out:
            out["name"] = Unknown(f"the name of {address} is generated at apply")
        if "region" in out and isinstance(out["region"], str) and out["region"]:
            provider = provider.with_region(out["region"])
        origin = block.origin if block is not None else origin_at(self.doc, self._ctx(), rpath)
        return M.TfObject(address, mode, rtype, out, origin, origins, provider, refs, declared)

    def _declared_value(self, values: dict, after_unknown: dict, expressions: dict | None, block: Any) -> dict:
        """secret_string -> keys and literal-ness; the value itself is dropped here."""
        write_only = bool(expressions and ("secret_string_wo" in expressions or "secret_binary" in expressions))
        if after_unknown.get("secret_string") is True:
            value: Any = Unknown("the secret value is known only after apply")
        else:
            value = values.get("secret_string")
        if block is not None and "secret_string" in block.attrs:
            from ptclint.loaders.terraform_hcl import literal_token_syntax

            literal = literal_token_syntax(block.attrs["secret_string"].expr)
        else:
            expr = expressions.get("secret_string") if expressions else None
            literal = isinstance(expr, dict) and not expr.get("references")
        if value is None and not write_only:
            return {}
        return M.reduce_secret_value(value, literal, write_only=write_only)

    def _ctx(self) -> LoadContext:
        return replace(self.ctx, display_path=self.shown)

    # -- plan changes

    def plan_changes(self, by_address: dict[str, M.TfObject]) -> list[tuple[M.ProviderInfo, dict]]:
        out = []
        for address, (path, rc) in self.changes.items():
            rtype = rc.get("type")
            if rtype not in (M.RULE, M.TEMPLATE) or rc.get("mode", "managed") != "managed":
                continue
            change = rc["change"]
            module_address = rc.get("module_address") if isinstance(rc.get("module_address"), str) else ""
            module, _ = self.config_module(module_address)
            cres = self.config_resource(module, "managed", rtype, rc.get("name", ""))
            obj = by_address.get(address)
            provider = obj.provider if obj is not None else self.provider(self.provider_key(cres, module_address))
            entry = {"address": address, "type": rtype, "actions": [a for a in change["actions"] if isinstance(a, str)],
                     "before": self._mapped(rtype, change.get("before"), change.get("before_sensitive"), None),
                     "after": self._mapped(rtype, change.get("after"), change.get("after_sensitive"),
                                           change.get("after_unknown"), obj)}
            out.append((provider, entry))
        return out

    def _mapped(self, rtype: str, values: Any, sensitive: Any, unknown: Any, obj: M.TfObject | None = None) -> Any:
        if not isinstance(values, dict):
            return None
        if obj is not None:  # the planned object, with references resolved as in the model
            return (M.rule_data(obj) if rtype == M.RULE else M.template_data(obj))[0]
        clean = _drop_sensitive(values, sensitive)
        if isinstance(unknown, dict):
            for k, u in unknown.items():
                if u is True:
                    clean[k] = Unknown("known after apply")
        obj = M.TfObject("", "managed", rtype, {k: v for k, v in clean.items() if v is not None},
                         Origin(self.shown), {}, self.provider("aws"))
        data, _ = M.rule_data(obj) if rtype == M.RULE else M.template_data(obj)
        return data

    # -- result

    def registries(self) -> list[Registry]:
        objects, by_address = self.objects()
        changes = self.plan_changes(by_address) if self.is_plan else None
        registries = M.build_registries(objects, changes, plan=self.is_plan and "resource_changes" in self.doc.data)
        for reg in registries:
            if reg.origin is None:
                reg.origin = origin_at(self.doc, self._ctx(), ())
        return registries


def _merge_unknown(value: Any, unknown: Any, expression: Any, configured: bool, where: str) -> Any:
    """Put Unknown where after_unknown says a value is unknown and the configuration sets it."""
    if unknown is True:
        if not configured:
            return _ABSENT  # computed by the provider only: not something the configuration says
        return Unknown(f"{where} is known only after apply")
    if isinstance(unknown, list) and isinstance(value, list):
        out = []
        for i, item in enumerate(value):
            u = unknown[i] if i < len(unknown) else None
            e = expression[i] if isinstance(expression, list) and i < len(expression) else None
            out.append(_merge_unknown(item, u, e, e is not None or not isinstance(expression, list), f"{where}[{i}]"))
        return [x for x in out if x is not _ABSENT]
    if isinstance(unknown, list) and value is _ABSENT and any(_has_true(u) for u in unknown):
        return Unknown(f"{where} is known only after apply") if configured else _ABSENT
    if isinstance(unknown, dict) and isinstance(value, dict):
        out_d = dict(value)
        for k, u in unknown.items():
            e = expression.get(k) if isinstance(expression, dict) else None
            merged = _merge_unknown(value.get(k, _ABSENT), u, e, e is not None or not isinstance(expression, dict),
                                    f"{where}.{k}")
            if merged is _ABSENT:
                out_d.pop(k, None)
            else:
                out_d[k] = merged
        return out_d
    return value


def _has_true(value: Any) -> bool:
    if value is True:
        return True
    if isinstance(value, dict):
        return any(_has_true(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_true(v) for v in value)
    return False


def _drop_sensitive(values: dict, sensitive: Any) -> dict:
    if sensitive is True:
        return {}
    out = {}
    for k, v in values.items():
        s = sensitive.get(k) if isinstance(sensitive, dict) else None
        if s is True:
            continue
        out[k] = v
    return out


class _Reader:
    """The part of terraform_hcl's unit that ModuleDef needs: reading files with the size limit."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes

    def read(self, path: str, shown: str) -> str:
        from ptclint import parsing

        try:
            return parsing.read_text(path, self.max_bytes)
        except InputError as exc:
            raise InputError(shown, exc.message, exc.line, exc.column) from None
