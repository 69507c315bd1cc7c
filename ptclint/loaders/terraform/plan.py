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

This module reads the plan's values with their unknowns; `plan_config` links them to the
configuration (providers, references, positions in the `.tf` files).
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from typing import Any, NoReturn

from ptclint.errors import InputError
from ptclint.loaders import (
    LoadContext,
    claims_document,
    display_path,
    finds_nothing,
    never_attaches,
    origin_at,
    stands_alone,
)
from ptclint.loaders.sources import Source, document
from ptclint.loaders.terraform import objects as M
from ptclint.loaders.terraform.values import kind_of  # light (json, model): not the evaluator
from ptclint.model import Origin, Registry, Unknown

# The Terraform evaluator (lark, the .tf reader, the mapping to registries) is imported where a plan
# is read, not with this module: every scan asks each loader whether it claims a file.

name = "terraform_plan"
sniff = ("pull_through_cache", "repository_creation_template", "aws_ecr_registry_policy")
yaml_tags = None
find = finds_nothing
options = M.options
merge_key = stands_alone
attaches = never_attaches

_MAX_MODULE_DEPTH = 32
_ABSENT = object()


def detect(data: Any) -> bool:
    return (isinstance(data, dict) and "format_version" in data and "terraform_version" in data
            and any(k in data for k in _PLAN_OR_STATE_KEYS))


# keys of `terraform show -json` output: a document with any of them is read as a plan or state, so
# one whose planned_values is misspelt is an input error, not skipped (or judged clean)
_PLAN_OR_STATE_KEYS = ("planned_values", "values", "resource_changes", "prior_state", "configuration",
                       "output_changes", "resource_drift")


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
    """One plan or state document: its resources and changes, validated with JSON positions."""

    def __init__(self, doc: Any, ctx: LoadContext) -> None:
        from ptclint.loaders.terraform.plan_config import PlanConfig  # the .tf reader: only for plans

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
        self.variables = _object_or_empty(data.get("variables"))
        root = os.path.dirname(os.path.abspath(doc.path))
        self.tf_root = os.path.abspath((ctx.options or M.Options()).root or root)
        self.max_bytes = ctx.max_file_bytes
        self.changes: dict[str, tuple[tuple, dict]] = {}
        for i, rc in enumerate(self.array(("resource_changes",), optional=True) or []):
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
            for key in ("before_sensitive", "after_sensitive", "after_unknown"):
                if key in change:  # misread, a sensitive value could be shown or an unknown judged
                    self.marks(change[key], (*path, "change", key), f"{rc['address']}: {key}")
            self.changes[rc["address"]] = (path, rc)
        self.resources: dict[str, tuple[tuple, dict, str]] = {}  # address -> (json path, resource, module addr)
        values_key = "planned_values" if self.is_plan else "values"
        if values_key not in data:
            self.fail((), "expected planned_values (a plan) or values (a state): neither is there, so nothing "
                          "could be judged")
        values = self.obj((values_key,), optional=False)
        if "root_module" in values:
            self.walk_module((values_key, "root_module"), "", 0)
        if isinstance(data.get("prior_state"), dict):
            prior = data["prior_state"].get("values")
            if isinstance(prior, dict) and "root_module" in prior:
                self.walk_module(("prior_state", "values", "root_module"), "", 0, data_only=True)
        self.cfg = PlanConfig(self.config, self.variables, self.tf_root, self.max_bytes, ctx, self.resources)

    # -- validation helpers

    def fail(self, path: tuple, message: str) -> NoReturn:
        pos = self.doc.position(path)
        pointer = "/" + "/".join(str(p) for p in path)
        raise InputError(self.shown, f"at {pointer}: {message}", pos.line, pos.column)

    def value_at(self, path: tuple) -> Any:
        value = self.doc.data
        for p in path:
            value = value[p]
        return value

    def check(self, value: Any, path: tuple, kind: type, what: str) -> None:
        from ptclint.loaders.terraform.values import kind_of

        if not isinstance(value, kind) or isinstance(value, bool):
            self.fail(path, f"expected {what}, got {kind_of(value)}")

    def obj(self, path: tuple, optional: bool) -> Any:
        return self._typed(path, optional, dict, "an object")

    def array(self, path: tuple, optional: bool) -> Any:
        return self._typed(path, optional, list, "a list")

    def _typed(self, path: tuple, optional: bool, kind: type, what: str) -> Any:
        """The value at `path`, checked to be a `kind`; None when absent and optional."""
        try:
            value = self.value_at(path)
        except (KeyError, IndexError, TypeError):
            if optional:
                return None
            self.fail(path[:-1], f"missing {path[-1]!r}")
        self.check(value, path, kind, what)
        return value

    def marks(self, value: Any, path: tuple, what: str) -> None:
        """`*_sensitive`, `sensitive_values`, `after_unknown`: true / false, or objects and lists of
        them shaped like the values (Terraform writes nothing else). Any other shape is an input
        error at its JSON path: guessing would show a sensitive value or judge an unknown one."""
        todo = [(value, path)]
        while todo:
            item, where = todo.pop()
            if isinstance(item, bool):
                continue
            if isinstance(item, dict):
                todo.extend((v, (*where, k)) for k, v in item.items())
            elif isinstance(item, list):
                todo.extend((v, (*where, i)) for i, v in enumerate(item))
            else:
                self.fail(where, f"{what}: expected true, false, or an object or list of them, got {kind_of(item)}")

    def string(self, item: dict, path: tuple, key: str) -> str:
        if not isinstance(item.get(key), str):
            self.fail((*path, key) if key in item else path, f"{key}: expected a string")
        return item[key]

    # -- reading the values tree

    def walk_module(self, path: tuple, module_address: str, depth: int, data_only: bool = False) -> None:
        if depth > _MAX_MODULE_DEPTH:
            self.fail(path, f"modules nest more than {_MAX_MODULE_DEPTH} deep")
        self.obj(path, optional=False)  # the module must be an object
        for i, res in enumerate(self.array((*path, "resources"), optional=True) or []):
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
            if "sensitive_values" in res:
                if not isinstance(res["sensitive_values"], dict):  # ignoring it would show values marked secret
                    self.fail((*rpath, "sensitive_values"), f"{address}: sensitive_values: expected an object, got "
                                                            f"{kind_of(res['sensitive_values'])}")
                self.marks(res["sensitive_values"], (*rpath, "sensitive_values"), f"{address}: sensitive_values")
            if data_only and mode != "data":
                continue
            self.resources.setdefault(address, (rpath, res, module_address))
        for j, child in enumerate(self.array((*path, "child_modules"), optional=True) or []):
            cpath = (*path, "child_modules", j)
            self.check(child, cpath, dict, "an object")
            caddr = self.string(child, cpath, "address")
            self.walk_module(cpath, caddr, depth + 1, data_only)

    # -- objects

    def objects(self) -> tuple[list[M.TfObject], dict[str, M.TfObject]]:
        out: list[M.TfObject] = []
        for address, (rpath, res, module_address) in self.resources.items():
            mode = res.get("mode", "managed")
            rtype = res["type"]
            if not ((mode == "managed" and rtype in M.MANAGED_TYPES)
                    or (mode == "data" and rtype == M.POLICY_DOCUMENT)):
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
                if kind == M.SECRET:  # made up from its name, or ptclint's key for a generated one, as from HCL
                    o.values[arg] = M.made_secret_arn(target.address, tname, target.values.get("name_prefix"),
                                                      target.provider)
                elif isinstance(tname, str) and tname:
                    o.values[arg] = M.role_arn(tname, target.values.get("path"), target.provider)
        return out, by_address

    def object(self, address: str, rpath: tuple, res: dict, module_address: str) -> M.TfObject:
        mode = res.get("mode", "managed")
        rtype = res["type"]
        rname = res.get("name", "")
        index = res.get("index")
        values = _object_or_empty(res.get("values"))
        sensitive = res.get("sensitive_values", {})
        if not isinstance(sensitive, dict):  # ignoring it would show values the plan marks secret
            self.fail((*rpath, "sensitive_values"), f"{address}: sensitive_values: expected an object, got "
                                                    f"{type(sensitive).__name__}")
        module, directory = self.cfg.config_module(module_address)
        cres = self.cfg.config_resource(module, mode, rtype, rname)
        expressions = cres.get("expressions") if isinstance(cres, dict) and isinstance(cres.get("expressions"), dict) \
            else None
        change = self.changes.get(address, (None, {}))[1].get("change", {})
        after_unknown = _object_or_empty(change.get("after_unknown"))
        provider = self.cfg.provider(self.cfg.provider_key(cres, module_address))
        mdef = self.cfg.module_def(directory)
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
                found = self.cfg.target(module_address, expressions[arg].get("references"), index)
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
        from ptclint.loaders.terraform.literals import literal_token_syntax

        write_only = bool(expressions and ("secret_string_wo" in expressions or "secret_binary" in expressions))
        if after_unknown.get("secret_string") is True:
            value: Any = Unknown("the secret value is known only after apply")
        else:
            value = values.get("secret_string")
        if block is not None and "secret_string" in block.attrs:
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
        for address, (_path, rc) in self.changes.items():
            rtype = rc.get("type")
            if rtype not in (M.RULE, M.TEMPLATE) or rc.get("mode", "managed") != "managed":
                continue
            change = rc["change"]
            module_address = rc.get("module_address")
            if not isinstance(module_address, str):
                module_address = ""
            module, _ = self.cfg.config_module(module_address)
            cres = self.cfg.config_resource(module, "managed", rtype, rc.get("name", ""))
            obj = by_address.get(address)
            provider = obj.provider if obj is not None else \
                self.cfg.provider(self.cfg.provider_key(cres, module_address))
            entry = {"address": address, "type": rtype, "actions": [a for a in change["actions"] if isinstance(a, str)],
                     "before": self._mapped(rtype, change.get("before"), change.get("before_sensitive"), None),
                     "after": self._mapped(rtype, change.get("after"), change.get("after_sensitive"),
                                           change.get("after_unknown"), obj)}
            out.append((provider, entry))
        return out

    def _mapped(self, rtype: str, values: Any, sensitive: Any, unknown: Any, obj: M.TfObject | None = None) -> Any:
        from ptclint.loaders.terraform.mapping import rule_data, template_data

        if not isinstance(values, dict):
            return None
        if obj is not None:  # the planned object, with references resolved as in the model
            return (rule_data(obj) if rtype == M.RULE else template_data(obj))[0]
        clean = _drop_sensitive(values, sensitive)
        if isinstance(unknown, dict):
            for k, u in unknown.items():
                if u is True:
                    clean[k] = Unknown("known after apply")
        obj = M.TfObject("", "managed", rtype, {k: v for k, v in clean.items() if v is not None},
                         Origin(self.shown), {}, self.cfg.provider("aws"))
        data, _ = rule_data(obj) if rtype == M.RULE else template_data(obj)
        return data

    def _disabled_templates(self, objects: list[M.TfObject]) -> list[M.ProviderInfo]:
        """Providers of creation template blocks in the configuration that have no instance in the
        plan (count = 0, an empty for_each): the unit manages templates, it creates none."""
        planned = {re.sub(r"\[[^\]]*\]$", "", o.address) for o in objects if o.type == M.TEMPLATE}
        out: list[M.ProviderInfo] = []
        todo: list[tuple[str, Any]] = [("", self.cfg.config.get("root_module") if isinstance(self.cfg.config, dict)
                                         else None)]
        while todo:
            prefix, module = todo.pop()
            if not isinstance(module, dict):
                continue
            for cres in module.get("resources") or []:
                if (isinstance(cres, dict) and cres.get("mode") == "managed" and cres.get("type") == M.TEMPLATE
                        and f"{prefix}{M.TEMPLATE}.{cres.get('name')}" not in planned
                        and ("count_expression" in cres or "for_each_expression" in cres)):
                    out.append(self.cfg.provider(self.cfg.provider_key(cres, prefix.rstrip("."))))
            for name, call in (module.get("module_calls") or {}).items():
                if isinstance(call, dict) and "count_expression" not in call and "for_each_expression" not in call:
                    todo.append((f"{prefix}module.{name}.", call.get("module")))
        return out

    # -- result

    def registries(self) -> list[Registry]:
        from ptclint.loaders.terraform.mapping import build_registries

        objects, by_address = self.objects()
        changes = self.plan_changes(by_address) if self.is_plan else None
        registries = build_registries(objects, changes, plan=self.is_plan and "resource_changes" in self.doc.data,
                                      disabled_templates=self._disabled_templates(objects))
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


def _object_or_empty(value: Any) -> dict:
    """A JSON object as it is; anything else (absent, null, the wrong type) as {}."""
    return value if isinstance(value, dict) else {}


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

