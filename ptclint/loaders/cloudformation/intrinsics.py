"""CloudFormation parameters, conditions and intrinsic functions, resolved statically.

`Resolver.value(node, path)` turns a template value into plain Python, following `Ref`, `Fn::*`
and conditions. The `Fn::*` functions themselves are handlers in `functions.FUNCTIONS`; the
resolver keeps what they share: parameters, pseudo parameters, physical ids and attributes,
conditions, and the check that every reference names something and no resources depend on each
other in a cycle. What cannot be known before deployment becomes `model.Unknown(reason)`; a string
built from such a part is unknown as a whole. `AWS::AccountId` / `AWS::Region` stay the symbolic
strings `${AWS::AccountId}` / `${AWS::Region}` when the scan does not name them. `AWS::NoValue`
is `NO_VALUE`, which the caller drops.

In *opaque* mode (see `Resolver.opaque_value`) every value that is not written literally in the
file (a NoEcho or overridden parameter, a parameter without default, a dynamic reference, an
unknown) becomes the marker `OPAQUE` instead, so that a secret's value can be reduced to its key
names and to whether a token sits in the file, without the value leaving this package.

Bad templates raise `InputError` through the `fail(path, message)` callback, which knows the file
and turns the path into a line and column.
"""

from __future__ import annotations

from typing import Any, NoReturn

from ptclint import budgets
from ptclint.loaders.cloudformation.functions import FUNCTIONS
from ptclint.loaders.cloudformation.values import (
    DYNAMIC_REFERENCE,
    MANAGED_POLICY,
    NO_VALUE,
    OPAQUE,
    ROLE,
    SECRET,
    SUB_VAR,
    Fail,
    has_unknown,
    kind_of,
    scalar_text,
    shape_of,
    unknown_name,
)
from ptclint.model import PartlyKnown, Unknown

_SYMBOLIC = {"AWS::AccountId": "${AWS::AccountId}", "AWS::Region": "${AWS::Region}"}
_DEPLOY_TIME = {
    "AWS::StackName": "the stack name is chosen at deployment",
    "AWS::StackId": "the stack id is known only after deployment",
    "AWS::NotificationARNs": "the stack's notification ARNs are chosen at deployment",
}


class Resolver:
    def __init__(self, template: dict, fail: Fail, *, account: str, region: str, partition: str,
                 overrides: dict[str, str]) -> None:
        self.resources: dict = template["Resources"]
        self.parameters: dict = template.get("Parameters") or {}
        self.conditions: dict = template.get("Conditions") or {}
        self.mappings: dict = template.get("Mappings") or {}
        self.fail = fail
        self.account = account
        self.region = region
        self.partition = partition
        self.overrides = overrides
        self._conditions: dict[str, bool | None] = {}
        self._stack: list[tuple[str, str]] = []
        self.opaque = False  # see opaque_value
        self.meter = budgets.meter()
        # Each intrinsic call and resource property is resolved once per mode: a Ref chain or a
        # YAML alias repeated at every level would otherwise cost exponential time.
        self._memo: dict[tuple[int, bool], tuple[Any, Any]] = {}
        self._props: dict[tuple[str, str, bool], Any] = {}

    # ------------------------------------------------------------ entry points

    def value(self, node: Any, path: tuple) -> Any:
        if isinstance(node, dict):
            if len(node) == 1:
                key, arg = next(iter(node.items()))
                if key == "Ref" or key.startswith("Fn::"):
                    return self._intrinsic(node, key, arg, path)
            out = {}
            for k, v in node.items():
                r = self.value(v, path + (k,))
                if r is not NO_VALUE:
                    out[k] = r
            return out
        if isinstance(node, list):
            items = (self.value(v, path + (i,)) for i, v in enumerate(node))
            return [r for r in items if r is not NO_VALUE]
        if isinstance(node, str) and DYNAMIC_REFERENCE in node:
            return self.unknown("a dynamic reference ({{resolve:...}}) is resolved at deployment")
        return node

    def _intrinsic(self, node: dict, key: str, arg: Any, path: tuple) -> Any:
        memo_key = (id(node), self.opaque)
        hit = self._memo.get(memo_key)
        if hit is not None and hit[0] is node:
            return hit[1]
        self.meter.spend(1, "resolving intrinsic functions")
        result = self.ref(arg, path + ("Ref",)) if key == "Ref" else self._function(key, arg, path + (key,))
        if budgets.sized(result) > self.meter.budgets.value_size:
            self.meter.check_size(budgets.sized(result), f"the value of {key}")
        self._memo[memo_key] = (node, result)  # the node is kept, so its id is not reused
        return result

    def opaque_value(self, node: Any, path: tuple) -> Any:
        """Resolve with everything that is not written in the file replaced by OPAQUE."""
        saved, self.opaque = self.opaque, True
        try:
            return self.value(node, path)
        finally:
            self.opaque = saved

    def created(self, lid: str) -> bool | None:
        """Is the resource created: True, False (its condition is false) or None (undecidable)."""
        cond = self.resources[lid].get("Condition")
        if cond is None:
            return True
        return self.condition(cond, ("Resources", lid, "Condition"))

    def prop(self, lid: str, name: str, default: Any = NO_VALUE) -> Any:
        """A resolved property of a resource (NO_VALUE when absent)."""
        props = self.resources[lid].get("Properties") or {}
        if name not in props:
            return default
        memo_key = (lid, name, self.opaque)
        if memo_key in self._props:
            return self._props[memo_key]
        key = ("resource", f"{lid}.{name}")
        if key in self._stack:
            self._circular(key, ("Resources", lid, "Properties", name))
        self._stack.append(key)
        try:
            self._props[memo_key] = self.value(props[name], ("Resources", lid, "Properties", name))
        except budgets.BudgetExceeded as exc:
            exc.path = exc.path or ("Resources", lid, "Properties", name)  # the innermost property
            raise
        finally:
            self._stack.pop()
        return self._props[memo_key]

    # ------------------------------------------------------------ Ref and attributes

    def ref(self, name: Any, path: tuple) -> Any:
        if isinstance(name, dict) and len(name) == 1:  # Ref's argument may itself be computed (rare)
            name = self.value(name, path)
            if isinstance(name, Unknown) or name == OPAQUE:
                return name
        if not isinstance(name, str):
            self.fail(path, f"Ref expects the name of a parameter or resource, got {kind_of(name)}")
        if name.startswith("AWS::"):
            return self.pseudo(name, path)
        if name in self.parameters:
            return self.parameter(name, path)
        if name in self.resources:
            return self.physical_id(name, path)
        self.fail(path, f"Ref names no parameter or resource of this template"
                        f"{unknown_name(name, [*self.parameters, *self.resources])}")

    def pseudo(self, name: str, path: tuple) -> Any:
        if name == "AWS::AccountId":
            return self.account or _SYMBOLIC[name]
        if name == "AWS::Region":
            return self.region or _SYMBOLIC[name]
        if name == "AWS::Partition":
            return self.partition
        if name == "AWS::URLSuffix":
            return "amazonaws.com.cn" if self.partition == "aws-cn" else "amazonaws.com"
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in _DEPLOY_TIME:
            return self.unknown(_DEPLOY_TIME[name])
        pseudo = [*_SYMBOLIC, "AWS::Partition", "AWS::URLSuffix", "AWS::NoValue", *_DEPLOY_TIME]
        self.fail(path, f"Ref names no CloudFormation pseudo parameter{unknown_name(name, pseudo)}")

    def parameter(self, name: str, path: tuple) -> Any:
        spec = self.parameters[name]
        ptype = str(spec.get("Type", "String"))
        if spec.get("NoEcho") in (True, "true", "True") and (name in self.overrides or "Default" in spec):
            # never judged (nor shown) outside a secret's reduction: unknown, and so is all built from it
            return OPAQUE if self.opaque else Unknown(f"parameter {name} is NoEcho (sensitive value)")
        if name in self.overrides:
            raw: Any = self.overrides[name]
            if self.opaque:
                return OPAQUE  # given on the command line, not written in the file
        elif "Default" in spec:
            raw = spec["Default"]
        else:
            return self.unknown(f"parameter {name} has no default (set it with --cfn-parameter {name}=VALUE)")
        if ptype.startswith("AWS::SSM::Parameter::Value<"):
            if name in self.overrides:
                return self._list_or_text(ptype, raw)
            return self.unknown(f"parameter {name} is read from SSM Parameter Store at deployment")
        return self._list_or_text(ptype, raw)

    @staticmethod
    def _list_or_text(ptype: str, raw: Any) -> Any:
        if ptype == "CommaDelimitedList" or ptype.startswith("List<") or "<List<" in ptype:
            if isinstance(raw, list):
                return [scalar_text(v) if scalar_text(v) is not None else v for v in raw]
            return [p.strip() for p in str(raw).split(",")] if str(raw) != "" else []
        text = scalar_text(raw)
        return text if text is not None else raw

    def physical_id(self, lid: str, path: tuple) -> Any:
        gone = self._not_created(lid, path)
        if gone is not None:
            return gone
        rtype = self.resources[lid].get("Type")
        if rtype == SECRET:
            return self.secret_arn(lid)
        if rtype == ROLE:
            return self._named(lid, "RoleName", "role")
        if rtype == MANAGED_POLICY:
            return self.managed_policy_arn(lid)
        if rtype == "AWS::KMS::Alias":
            return self._named(lid, "AliasName", "alias")
        if rtype == "AWS::ECR::Repository":
            return self._named(lid, "RepositoryName", "repository")
        if rtype == "AWS::SSM::Parameter":
            return self._named(lid, "Name", "parameter")
        if rtype == "AWS::ECR::PullThroughCacheRule":
            return self._named(lid, "EcrRepositoryPrefix", "pull through cache rule")
        if rtype == "AWS::ECR::RepositoryCreationTemplate":
            return self._named(lid, "Prefix", "repository creation template")
        return self.unknown(f"the physical id of {lid} ({rtype}) is known only after deployment")

    def getatt(self, lid: Any, attr: Any, path: tuple) -> Any:
        if not isinstance(lid, str) or lid not in self.resources:
            self.fail(path, f"Fn::GetAtt names no resource of this template{unknown_name(lid, self.resources)}")
        if isinstance(attr, dict):
            attr = self.value(attr, path + (1,))
            if isinstance(attr, Unknown) or attr == OPAQUE:
                return attr
        if not isinstance(attr, str) or not attr:
            self.fail(path, f"Fn::GetAtt expects an attribute name for {lid}, got {kind_of(attr)}")
        gone = self._not_created(lid, path)
        if gone is not None:
            return gone
        rtype = self.resources[lid].get("Type")
        if rtype == SECRET and attr in ("Id", "Arn"):
            return self.secret_arn(lid)
        if rtype == ROLE and attr == "Arn":
            return self.role_arn(lid)
        if rtype == MANAGED_POLICY and attr == "PolicyArn":
            return self.managed_policy_arn(lid)
        if rtype == "AWS::ECR::Repository" and attr == "Arn":
            name = self._named(lid, "RepositoryName", "repository")
            return self._arn("ecr", True, "repository/", name)
        return self.unknown(f"{lid}.{attr} is known only after deployment")

    def secret_arn(self, lid: str) -> Any:
        """The ARN a Ref to the secret returns, without the random suffix (a partial ARN). ptclint
        makes it up (the template declares the secret, `arnFrom` marks its lookup): for a name not
        known statically (generated, or built from an unresolved parameter) it is ptclint's key for
        the secret: the ARN as far as the name is known, `*` and the logical id."""
        name = self._named(lid, "Name", "secret")
        if isinstance(name, Unknown):
            start = name.prefix if isinstance(name, PartlyKnown) else ""
            return self._arn("secretsmanager", True, "secret:", f"{start}* ({lid})")
        return self._arn("secretsmanager", True, "secret:", name)

    def role_arn(self, lid: str) -> Any:
        name = self._named(lid, "RoleName", "role")
        return self._arn("iam", False, "role" + self._path(lid), name)

    def managed_policy_arn(self, lid: str) -> Any:
        name = self._named(lid, "ManagedPolicyName", "managed policy")
        return self._arn("iam", False, "policy" + self._path(lid), name)

    def _path(self, lid: str) -> str:
        path = self.prop(lid, "Path", "/")
        return path if isinstance(path, str) and path.startswith("/") else "/"

    def _arn(self, service: str, regional: bool, middle: str, name: Any) -> Any:
        if isinstance(name, Unknown) or name == OPAQUE:
            return name
        region = (self.region or _SYMBOLIC["AWS::Region"]) if regional else ""
        account = self.account or _SYMBOLIC["AWS::AccountId"]
        return f"arn:{self.partition}:{service}:{region}:{account}:{middle}{name}"

    def _named(self, lid: str, prop: str, what: str) -> Any:
        name = self.prop(lid, prop)
        if name is NO_VALUE:
            return self.unknown(f"{what} {lid} has no {prop}: CloudFormation generates the name at deployment")
        if isinstance(name, Unknown) or name == OPAQUE:
            return name
        text = scalar_text(name)
        if text is None:
            self.fail(("Resources", lid, "Properties", prop), f"{prop}: expected a string, got {kind_of(name)}")
        return text

    def _not_created(self, lid: str, path: tuple) -> Any:
        if self.created(lid) is False:
            cond = self.resources[lid].get("Condition")
            return self.unknown(f"resource {lid} is not created (condition {cond} is false)")
        return None

    # ------------------------------------------------------------ conditions

    def condition(self, name: Any, path: tuple) -> bool | None:
        if not isinstance(name, str) or name not in self.conditions:
            self.fail(path, f"the condition named is not defined in Conditions{unknown_name(name, self.conditions)}")
        if name in self._conditions:
            return self._conditions[name]
        key = ("condition", name)
        if key in self._stack:
            self._circular(key, path)
        self._stack.append(key)
        saved, self.opaque = self.opaque, False
        try:
            result = self.condition_expr(self.conditions[name], ("Conditions", name))
        finally:
            self._stack.pop()
            self.opaque = saved
        self._conditions[name] = result
        return result

    def condition_expr(self, node: Any, path: tuple) -> bool | None:
        """Three-valued: True, False, or None when it depends on something unknown."""
        if isinstance(node, bool):
            return node
        if not isinstance(node, dict) or len(node) != 1:
            self.fail(path, "a condition must be one of Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition")
        key, arg = next(iter(node.items()))
        sub = path + (key,)
        if key == "Condition":
            return self.condition(arg, sub)
        if key == "Fn::Equals":
            args = self.args(arg, sub, key, 2, 2)
            a, b = self.value(args[0], sub + (0,)), self.value(args[1], sub + (1,))
            if has_unknown(a) or has_unknown(b):
                return None
            return _comparable(a) == _comparable(b)
        if key in ("Fn::And", "Fn::Or"):
            results = [self.condition_expr(c, sub + (i,)) for i, c in enumerate(self.args(arg, sub, key, 2, 10))]
            decisive = key == "Fn::Or"  # the value that decides the result on its own
            if decisive in results:
                return decisive
            return None if None in results else not decisive
        if key == "Fn::Not":
            result = self.condition_expr(self.args(arg, sub, key, 1, 1)[0], sub + (0,))
            return None if result is None else not result
        self.fail(path, f"{key} is not a condition function "
                        "(expected Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition)")

    # ------------------------------------------------------------ what the Fn::* handlers share

    def _function(self, key: str, arg: Any, path: tuple) -> Any:
        if key.startswith("Fn::ForEach::"):
            return self.unknown("Fn::ForEach (AWS::LanguageExtensions) is not expanded")
        handler = FUNCTIONS.get(key)
        if handler is None:
            self.fail(path, f"unknown intrinsic function {key}")
        return handler(self, arg, path)

    def args(self, arg: Any, path: tuple, fn: str, low: int, high: int) -> list:
        if not isinstance(arg, list) or not low <= len(arg) <= high:
            want = f"{low}" if low == high else f"{low} to {high}"
            self.fail(path, f"{fn} expects a list of {want} arguments, got {shape_of(arg)}")
        return arg

    def unknown(self, reason: str) -> Any:
        return OPAQUE if self.opaque else Unknown(reason)

    def is_unknown(self, value: Any) -> bool:
        return isinstance(value, Unknown) or (self.opaque and value == OPAQUE)

    # ------------------------------------------------------------ dependencies

    def check_dependencies(self) -> None:
        """Every Ref / GetAtt / Sub / DependsOn names something that exists, and no resources depend
        on each other in a cycle."""
        graph: dict[str, list[tuple[str, tuple]]] = {}
        for lid, res in self.resources.items():
            deps: list[tuple[str, tuple]] = []
            props = res.get("Properties")
            if props is not None:
                self._collect(props, ("Resources", lid, "Properties"), deps)
            depends = res.get("DependsOn")
            if depends is not None:
                items = depends if isinstance(depends, list) else [depends]
                for i, dep in enumerate(items):
                    where = ("Resources", lid, "DependsOn") + ((i,) if isinstance(depends, list) else ())
                    if not isinstance(dep, str) or dep not in self.resources:
                        hint = unknown_name(dep, self.resources)
                        self.fail(where, f"DependsOn names no resource of this template{hint}")
                    deps.append((dep, where))
            graph[lid] = deps
        _find_cycle(graph, self.fail)

    def _collect(self, node: Any, path: tuple, deps: list) -> None:
        """Check the references under `node` and add the resources they name to `deps`.

        Recursive: the parser bounds nesting (parsing.MAX_DEPTH), so this stays within Python's stack."""
        if isinstance(node, list):
            for i, v in enumerate(node):
                self._collect(v, path + (i,), deps)
            return
        if not isinstance(node, dict):
            return
        if len(node) == 1:
            key, arg = next(iter(node.items()))
            where = path + (key,)
            if key == "Ref" and isinstance(arg, str):
                if not arg.startswith("AWS::") and arg not in self.parameters:
                    if arg not in self.resources:
                        self.fail(where, f"Ref names no parameter or resource of this template"
                                         f"{unknown_name(arg, [*self.parameters, *self.resources])}")
                    deps.append((arg, where))
                return
            if key == "Fn::GetAtt":
                # a malformed Fn::GetAtt is reported when it is resolved, with what is wrong with it
                lid = arg.split(".", 1)[0] if isinstance(arg, str) and "." in arg else (
                    arg[0] if isinstance(arg, list) and len(arg) == 2 else None)
                if isinstance(lid, str):
                    if lid not in self.resources:
                        hint = unknown_name(lid, self.resources)
                        self.fail(where, f"Fn::GetAtt names no resource of this template{hint}")
                    deps.append((lid, where))
                return
            if key == "Fn::Sub":
                template, variables = (arg, {}) if isinstance(arg, str) else (
                    (arg[0], arg[1]) if isinstance(arg, list) and len(arg) == 2 else (None, None))
                if isinstance(variables, dict):
                    for name, value in variables.items():
                        self._collect(value, where + (1, name), deps)
                if isinstance(template, str) and isinstance(variables, dict):
                    for m in SUB_VAR.finditer(template):
                        name = m.group(1)
                        if name.startswith(("!", "AWS::")) or name in variables:
                            continue
                        target = name.split(".", 1)[0] if "." in name else name
                        if target in self.resources:
                            deps.append((target, where))
                        elif "." in name or target not in self.parameters:
                            declared = [*self.parameters, *self.resources, *variables]
                            self.fail(where, f"Fn::Sub: a ${{...}} names no parameter, resource or variable"
                                             f"{unknown_name(name, declared)}")
                return
        for k, v in node.items():
            self._collect(v, path + (k,), deps)

    def _circular(self, key: tuple[str, str], path: tuple) -> NoReturn:
        start = self._stack.index(key)
        chain = [k[1] for k in self._stack[start:]] + [key[1]]
        self.fail(path, f"circular reference: {' -> '.join(chain)}")


def _find_cycle(graph: dict[str, list[tuple[str, tuple]]], fail: Fail) -> None:
    """Iterative depth-first search; reports the first cycle at the reference that closes it."""
    state: dict[str, int] = {}  # 1 visiting, 2 done
    for root in graph:
        if state.get(root):
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        trail: list[str] = [root]
        state[root] = 1
        while stack:
            node, i = stack[-1]
            edges = graph.get(node, [])
            if i >= len(edges):
                stack.pop()
                trail.pop()
                state[node] = 2
                continue
            stack[-1] = (node, i + 1)
            target, where = edges[i]
            if state.get(target) == 1:
                chain = trail[trail.index(target):] + [target]
                fail(where, f"circular dependency between resources: {' -> '.join(chain)}")
            if not state.get(target):
                state[target] = 1
                stack.append((target, 0))
                trail.append(target)


def _comparable(value: Any) -> Any:
    text = scalar_text(value)
    if text is not None:
        return text
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    return value
