"""Resource instances: one instance of a `resource` or `data` block, and what ptclint keeps of it.

Arguments are evaluated on demand, when an expression refers to them or when the instance is
reduced to a `TfObject` for the model. `data.aws_iam_policy_document` is rendered to the JSON the
provider would produce, from its statically known parts.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from ptclint.budgets import BudgetExceeded
from ptclint.errors import InputError
from ptclint.loaders.terraform import objects as M
from ptclint.loaders.terraform.hcl import Block, reference_name, traversal
from ptclint.loaders.terraform.literals import literal_token_syntax
from ptclint.loaders.terraform.modules import ModuleDef, Unit
from ptclint.loaders.terraform.scope import Env
from ptclint.loaders.terraform.values import Lazy, TfError, TfSet, first_unknown, kind_of, plain
from ptclint.model import Origin, Unknown

_META = {"count", "for_each", "provider", "depends_on", "lifecycle", "provisioner", "connection"}
_MISSING = object()


class Module(Protocol):
    """What a resource instance needs of the module instance holding it: `instances.ModuleInstance`,
    described here rather than imported, because that module imports this one."""

    unit: Unit
    mdef: ModuleDef

    def provider(self, key: str) -> M.ProviderInfo: ...

    def expand_resource(self, mode: str, rtype: str, rname: str) -> Any: ...


class ResourceInstance(Lazy):
    """One instance of a `resource` or `data` block: arguments evaluated on demand (references to
    it), attributes Terraform computes where they are known statically, and `to_object()`."""

    def __init__(self, mi: Module, block: Block, mode: str, rtype: str, address: str,
                 bindings: dict[str, Any]) -> None:
        self.mi = mi
        self.block = block
        self.mode = mode
        self.type = rtype
        self.address = address
        self.env = Env(mi, bindings)
        self.describe = address
        self._cache: dict[str, Any] = {}
        self._revealed: dict[str, Any] = {}
        self._busy: set[str] = set()
        self._provider: M.ProviderInfo | None = None

    # -- Lazy

    def get(self, name: str) -> Any:
        # values computed while a secret is reduced may hold sensitive values: kept apart
        cache = self._revealed if self.mi.unit.evaluator.reveal else self._cache
        if name not in cache:
            if name in self._busy:
                raise TfError(f"{self.address}.{name} refers to itself")
            self._busy.add(name)
            try:
                cache[name] = ("ok", self._get(name))
            except TfError as exc:
                cache[name] = ("err", str(exc))
            finally:
                self._busy.discard(name)
        state, value = cache[name]
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
                    iterator = reference_name(b.attrs["iterator"].expr) or name
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
                # made up from the name (or ptclint's key for a generated or unresolved name)
                return M.made_secret_arn(self.address, self._arg("name"), self._arg("name_prefix"), self.provider())
            if t == M.ROLE and name in ("arn", "id", "name"):
                role_name = self._arg("name")
                if not (isinstance(role_name, str) and role_name):
                    return role_name if isinstance(role_name, Unknown) else \
                        Unknown(f"the name of {self.address} is generated at apply")
                return role_name if name in ("id", "name") else \
                    M.role_arn(role_name, self._arg("path"), self.provider())
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
            if isinstance(secret_name, str) and secret_name:  # made up from the name the user wrote
                return M.MadeUp(M.secret_arn(secret_name, provider), f"the data source {self.address}", secret_name)
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
                key = reference_name(attr.expr) or key
            info = self.mi.provider(key)
            if "region" in self.block.attrs and self.type in M.ARGUMENTS:
                region = plain(self.mi.unit.evaluator.value(self.block.attrs["region"].expr, self.env))
                if isinstance(region, str) and region:
                    info = info.with_region(region)
            self._provider = info
        return self._provider

    # -- to the model

    def to_object(self) -> M.TfObject:
        try:
            return self._to_object()
        except BudgetExceeded as exc:
            o = self.block.origin
            raise exc.locate(o.file, o.line, o.column, self.address) from None

    def _to_object(self) -> M.TfObject:
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
        ev = self.mi.unit.evaluator
        saved, ev.reveal = ev.reveal, True  # sensitive values are seen here only, reduced to key names
        try:
            value = plain(ev.value(attr.expr, self.env))
        finally:
            ev.reveal = saved
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


# ---------------------------------------------------------------- policy documents

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
        item = _statement(inst, st)
        if isinstance(item, Unknown):
            return item  # one statement not known statically: the document is not either
        out.append(item)
    doc["Statement"] = out
    unknown = first_unknown(doc)
    if unknown is not None:
        return unknown
    if minified:
        return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
    return json.dumps(doc, indent=2, ensure_ascii=False)


def _statement(inst: ResourceInstance, st: dict[str, Any]) -> Any:
    """One `statement` block -> the policy statement, or the Unknown that makes the document unknown."""
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
    return item


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
