"""CloudFormation templates (YAML with short-form tags, or JSON; CDK `cdk.out/*.template.json`).

A template that declares an `AWS::ECR::PullThroughCacheRule`, `AWS::ECR::RepositoryCreationTemplate`
or `AWS::ECR::RegistryPolicy` is one registry (one stack). Its rules and templates are mapped into
ECR API shape with every intrinsic resolved statically (see `intrinsics`); secrets, roles and IAM
policies declared in the same template are attached for the IaC correlation rules. A secret's value
is reduced here to its key names and two booleans and goes no further.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, NoReturn

from ptclint.budgets import BudgetExceeded
from ptclint.errors import InputError
from ptclint.loaders import (
    LoadContext,
    claims_document,
    finds_nothing,
    never_attaches,
    origin_at,
    stands_alone,
)
from ptclint.loaders.cloudformation.intrinsics import Resolver
from ptclint.loaders.cloudformation.values import (
    MANAGED_POLICY,
    NO_VALUE,
    OPAQUE,
    ROLE,
    SECRET,
    has_unknown,
    kind_of,
    partition_of,
    unknown_name,
)
from ptclint.loaders.sources import Source, document
from ptclint.model import DataKind, Lookup, Origin, Registry, Resource, Status, Unknown

name = "cloudformation"
sniff = ("ullThroughCache", "epositoryCreationTemplate", "AWS::ECR::RegistryPolicy")
find = finds_nothing
merge_key = stands_alone
attaches = never_attaches


@dataclass(frozen=True)
class Options:
    parameters: Mapping[str, str] = field(default_factory=dict)  # --cfn-parameter KEY=VALUE, over Defaults


def options(scan: Any) -> Options:
    return Options(dict(scan.cfn_parameters))

PTC_RULE = "AWS::ECR::PullThroughCacheRule"
TEMPLATE = "AWS::ECR::RepositoryCreationTemplate"
REGISTRY_POLICY = "AWS::ECR::RegistryPolicy"
_PTC_TYPES = frozenset((PTC_RULE, TEMPLATE, REGISTRY_POLICY))
_CUSTOMER_KEY_TYPES = frozenset(("AWS::KMS::Key", "AWS::KMS::ReplicaKey", "AWS::KMS::Alias"))
_POLICY_TYPES = frozenset(("AWS::IAM::Policy", MANAGED_POLICY, "AWS::IAM::RolePolicy"))
_TOKEN_KEYS = frozenset(("accesstoken", "password", "token"))

# ---------------------------------------------------------------- short-form tags

_TAGS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    **{f"!{fn}": f"Fn::{fn}" for fn in (
        "Sub", "GetAtt", "Join", "If", "Select", "Split", "Equals", "And", "Or", "Not", "FindInMap",
        "ImportValue", "Base64", "Cidr", "GetAZs", "Transform", "Length", "ToJsonString",
    )},
}


def tag_handler(tag: str, value: Any) -> Any:
    """parsing.parse_yaml's hook: `!Ref X` -> {"Ref": X}, `!GetAtt a.b` -> {"Fn::GetAtt": [a, b]}, ..."""
    key = _TAGS.get(tag)
    if key is None:
        raise InputError("", f"unknown CloudFormation tag{unknown_name(tag, _TAGS)}")
    if key == "Fn::GetAtt" and isinstance(value, str):
        lid, dot, attr = value.partition(".")
        if not dot or not lid or not attr:
            raise InputError("", "!GetAtt expects LogicalId.Attribute, got a string without a dot between them")
        return {key: [lid, attr]}
    return {key: value}


yaml_tags = tag_handler


# ---------------------------------------------------------------- detection


def detect(data: Any) -> bool:
    """A template with at least one ECR pull through cache resource (else it is not PTC-related).

    A template whose `Resources` is malformed but mentions such a type is taken too, so that
    load() can say what is wrong with it."""
    if not isinstance(data, dict) or "Resources" not in data:
        return False
    resources = data["Resources"]
    if isinstance(resources, dict):
        return any(isinstance(r, dict) and isinstance(r.get("Type"), str) and r["Type"] in _PTC_TYPES
                   for r in resources.values())
    return _mentions_ptc_type(resources)


claims = claims_document(detect)


def _mentions_ptc_type(value: Any) -> bool:
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str) and item in _PTC_TYPES:
            return True
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


# ---------------------------------------------------------------- loading

_STR, _STR_LIST, _JSON_TEXT, _TAGS_LIST, _ENCRYPTION, _FILTERS = range(6)

_RULE_PROPS = {
    "EcrRepositoryPrefix": ("ecrRepositoryPrefix", _STR),
    "UpstreamRegistryUrl": ("upstreamRegistryUrl", _STR),
    "UpstreamRegistry": ("upstreamRegistry", _STR),
    "CredentialArn": ("credentialArn", _STR),
    "CustomRoleArn": ("customRoleArn", _STR),
    "UpstreamRepositoryPrefix": ("upstreamRepositoryPrefix", _STR),
}
_TEMPLATE_PROPS = {
    "Prefix": ("prefix", _STR),
    "Description": ("description", _STR),
    "AppliedFor": ("appliedFor", _STR_LIST),
    "EncryptionConfiguration": ("encryptionConfiguration", _ENCRYPTION),
    "ImageTagMutability": ("imageTagMutability", _STR),
    "ImageTagMutabilityExclusionFilters": ("imageTagMutabilityExclusionFilters", _FILTERS),
    "LifecyclePolicy": ("lifecyclePolicy", _JSON_TEXT),
    "RepositoryPolicy": ("repositoryPolicy", _JSON_TEXT),
    "ResourceTags": ("resourceTags", _TAGS_LIST),
    "CustomRoleArn": ("customRoleArn", _STR),
}


def load(source: Source, ctx: LoadContext) -> list[Registry]:
    return read(document(source), ctx)


def read(doc: Any, ctx: LoadContext) -> list[Registry]:
    """Registries of a parsed template."""
    template = _Template(doc, ctx)
    try:
        return template.load()
    except RecursionError:
        raise InputError(ctx.display_path or doc.path, "intrinsic functions nest too deeply to resolve") from None
    except BudgetExceeded as exc:  # at the resource property whose resolution went over it
        path = exc.path or ()
        pos = (doc.key_positions.get(path) if path else None) or doc.position(path)
        subject = f"{path[1]}.{path[3]}" if len(path) >= 4 and path[0] == "Resources" else None
        raise exc.locate(template.file, pos.line, pos.column, subject) from None


class _Template:
    def __init__(self, doc: Any, ctx: LoadContext) -> None:
        self.doc = doc
        self.ctx = ctx
        self.file = ctx.display_path or doc.path
        self.data: dict = doc.data
        self.resolver: Resolver  # set in load(), after the sections are checked

    # ------------------------------------------------------------ places and errors

    def origin(self, path: tuple) -> Origin:
        """The property's own line (its key), so a resolved intrinsic points at the property holding it."""
        origin = origin_at(self.doc, self.ctx, path)
        pos = self.doc.key_positions.get(path) if path else None
        return replace(origin, line=pos.line, column=pos.column) if pos is not None else origin

    def fail(self, path: tuple, message: str) -> NoReturn:
        """An InputError at the key naming `path` (the property's line), else at its value."""
        pos = (self.doc.key_positions.get(path) if path else None) or self.doc.position(path)
        raise InputError(self.file, message, pos.line, pos.column)

    # ------------------------------------------------------------ the template

    def load(self) -> list[Registry]:
        self.check_sections()
        ctx = self.ctx
        overrides = {str(k): str(v) for k, v in (ctx.options or Options()).parameters.items()}
        self.resolver = Resolver(self.data, self.fail, account=ctx.account, region=ctx.region,
                                 partition=partition_of(ctx.region), overrides=overrides)
        self.resolver.check_dependencies()
        registry = Registry(
            account=ctx.account or "${AWS::AccountId}",
            region=ctx.region or "${AWS::Region}",
            partition=self.resolver.partition,
            source="iac",
            origin=origin_at(self.doc, ctx, ()),
        )
        resources: dict = self.data["Resources"]
        kinds = {lid: res["Type"] for lid, res in resources.items()}
        registry.carries(DataKind.TEMPLATES, Status.FOUND if TEMPLATE in kinds.values() else Status.NOT_COLLECTED)
        created = [lid for lid in resources if self.resolver.created(lid) is not False]
        for lid in created:
            rtype = kinds[lid]
            if rtype == PTC_RULE:
                registry.rules.append(self.resource(lid, "pullThroughCacheRule", _RULE_PROPS))
            elif rtype == TEMPLATE:
                registry.templates.append(self.resource(lid, "repositoryCreationTemplate", _TEMPLATE_PROPS))
            elif rtype == REGISTRY_POLICY and registry.registry_policy is None:
                registry.registry_policy = self.registry_policy(lid)
                registry.carries(DataKind.REGISTRY_POLICY)
        policies = [self.iam_policy(lid) for lid in created if kinds[lid] in _POLICY_TYPES]
        for lid in created:
            if kinds[lid] == ROLE:
                policies.extend(self.role_inline_policies(lid))
        registry.iam_policies = [p for p in policies if p is not None]
        if registry.iam_policies:
            registry.carries(DataKind.IAM_POLICIES)
        if SECRET in kinds.values():
            registry.carries(DataKind.SECRETS)
            for lid in created:
                if kinds[lid] == SECRET:
                    self.add_secret(registry, lid)
        if ROLE in kinds.values():
            registry.carries(DataKind.ROLES)
            for lid in created:
                if kinds[lid] == ROLE:
                    self.add_role(registry, lid, created, kinds)
        return [registry]

    def check_sections(self) -> None:
        resources = self.data["Resources"]
        if not isinstance(resources, dict):
            self.fail(("Resources",),
                      f"Resources: expected a mapping of logical ids to resources, got {kind_of(resources)}")
        for section in ("Parameters", "Conditions", "Mappings"):
            value = self.data.get(section)
            if value is not None and not isinstance(value, dict):
                self.fail((section,), f"{section}: expected a mapping, got {kind_of(value)}")
        for pname, spec in (self.data.get("Parameters") or {}).items():
            if not isinstance(spec, dict):
                self.fail(("Parameters", pname),
                          f"parameter {pname}: expected a mapping with Type and Default, got {kind_of(spec)}")
        for mname, mapping in (self.data.get("Mappings") or {}).items():
            if not isinstance(mapping, dict):
                self.fail(("Mappings", mname), f"mapping {mname}: expected a mapping, got {kind_of(mapping)}")
        # AWS::LanguageExtensions loops (Fn::ForEach::Name) are not expanded
        resources = {k: v for k, v in resources.items() if not k.startswith("Fn::ForEach::")}
        self.data = {**self.data, "Resources": resources}
        for lid, res in resources.items():
            where = ("Resources", lid)
            if not isinstance(res, dict):
                self.fail(where, f"resource {lid}: expected a mapping with Type and Properties, got {kind_of(res)}")
            if "Type" not in res:
                self.fail(where, f"resource {lid} has no Type")
            if not isinstance(res["Type"], str):
                self.fail(where + ("Type",), f"resource {lid}: Type must be a string, got {kind_of(res['Type'])}")
            if res.get("Properties") is not None and not isinstance(res["Properties"], dict):
                self.fail(where + ("Properties",),
                          f"resource {lid}: Properties must be a mapping, got {kind_of(res['Properties'])}")
            if "Condition" in res and not isinstance(res["Condition"], str):
                self.fail(where + ("Condition",),
                          f"resource {lid}: Condition must name a condition, got {kind_of(res['Condition'])}")

    # ------------------------------------------------------------ rules and templates

    def props_path(self, lid: str, prop: str | None = None) -> tuple:
        return ("Resources", lid, "Properties") + ((prop,) if prop else ())

    def resource(self, lid: str, kind: str, spec: dict) -> Resource:
        props = self.data["Resources"][lid].get("Properties") or {}
        data: dict[str, Any] = {}
        origins: dict[str, Origin] = {}
        for prop, (name, conv) in spec.items():
            if prop not in props:
                continue
            value = self.resolver.prop(lid, prop)
            if value is NO_VALUE:
                continue
            data[name] = self.convert(value, conv, self.props_path(lid, prop), prop)
            origins[name] = self.origin(self.props_path(lid, prop))
        return Resource(kind, data, self.origin(("Resources", lid)), origins, lid)

    def convert(self, value: Any, conv: int, path: tuple, prop: str) -> Any:
        if isinstance(value, Unknown):
            return value
        if conv == _STR:
            return self.string(value, path, prop)
        if conv == _JSON_TEXT:
            if isinstance(value, (dict, list)):
                if has_unknown(value):
                    return Unknown(f"{prop} contains values known only at deployment")
                return json.dumps(value)
            return self.string(value, path, prop)
        if not isinstance(value, list) and conv != _ENCRYPTION:
            self.fail(path, f"{prop}: expected a list, got {kind_of(value)}")
        if conv == _STR_LIST:
            return [self.string(v, path + (i,), f"{prop}[{i}]") for i, v in enumerate(value)]
        if conv == _TAGS_LIST:
            return [self.fields(v, path + (i,), f"{prop}[{i}]", {"Key": "Key", "Value": "Value"})
                    for i, v in enumerate(value)]
        if conv == _FILTERS:
            names = {"ImageTagMutabilityExclusionFilterType": "filterType",
                     "ImageTagMutabilityExclusionFilterValue": "filter"}
            return [self.fields(v, path + (i,), f"{prop}[{i}]", names) for i, v in enumerate(value)]
        return self.fields(value, path, prop, {"EncryptionType": "encryptionType", "KmsKey": "kmsKey"})

    def fields(self, value: Any, path: tuple, what: str, names: dict[str, str]) -> Any:
        if isinstance(value, Unknown):
            return value
        if not isinstance(value, dict):
            self.fail(path, f"{what}: expected a mapping with {', '.join(names)}, got {kind_of(value)}")
        return {api: self.string(value[cfn], path + (cfn,), f"{what}.{cfn}")
                for cfn, api in names.items() if cfn in value}

    def string_prop(self, lid: str, prop: str) -> Any:
        return self.string(self.resolver.prop(lid, prop), self.props_path(lid, prop), prop)

    def string(self, value: Any, path: tuple, what: str) -> Any:
        if isinstance(value, (Unknown, str)):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)  # CloudFormation passes numbers on as strings
        self.fail(path, f"{what}: expected a string, got {kind_of(value)}")

    # ------------------------------------------------------------ policies

    def document(self, lid: str, prop: str) -> Any:
        """A policy document property, decoded (a JSON string or a mapping in the template)."""
        value = self.resolver.prop(lid, prop)
        if value is NO_VALUE or isinstance(value, Unknown):
            return None if value is NO_VALUE else value
        return self.decode(value, self.props_path(lid, prop), prop)

    def decode(self, value: Any, path: tuple, what: str) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                self.fail(path, f"{what}: the policy is not valid JSON")
        if not isinstance(value, dict):
            self.fail(path, f"{what}: expected a policy document (a mapping or a JSON string), got {kind_of(value)}")
        return value

    def registry_policy(self, lid: str) -> Lookup:
        policy = self.document(lid, "PolicyText")
        origin = self.origin(self.props_path(lid, "PolicyText"))
        if policy is None:
            self.fail(("Resources", lid), f"resource {lid}: AWS::ECR::RegistryPolicy needs PolicyText")
        text = policy if isinstance(policy, Unknown) else (
            Unknown("the registry policy contains values known only at deployment") if has_unknown(policy)
            else json.dumps(policy))
        return Lookup(Status.FOUND, {"policyText": text, "policy": policy}, origin)

    def iam_policy(self, lid: str) -> Resource | None:
        res = self.data["Resources"][lid]
        name_prop = "ManagedPolicyName" if res["Type"] == MANAGED_POLICY else "PolicyName"
        document = self.document(lid, "PolicyDocument")
        if document is None:
            return None
        policy_name = self.resolver.prop(lid, name_prop)
        if policy_name is NO_VALUE:
            policy_name = Unknown(f"{lid} has no {name_prop}: CloudFormation generates the name")
        data = {"PolicyName": self.string(policy_name, self.props_path(lid, name_prop), name_prop),
                "document": document}
        origins = {"document": self.origin(self.props_path(lid, "PolicyDocument"))}
        if name_prop in (res.get("Properties") or {}):
            origins["PolicyName"] = self.origin(self.props_path(lid, name_prop))
        return Resource("iamPolicy", data, self.origin(("Resources", lid)), origins, lid)

    def role_inline_policies(self, lid: str) -> list[Resource]:
        policies = self.resolver.prop(lid, "Policies", [])
        if isinstance(policies, Unknown):
            return []
        path = self.props_path(lid, "Policies")
        if not isinstance(policies, list):
            self.fail(path, f"Policies: expected a list, got {kind_of(policies)}")
        out = []
        for i, item in enumerate(policies):
            if isinstance(item, Unknown):
                continue
            if not isinstance(item, dict) or "PolicyDocument" not in item:
                self.fail(path + (i,), f"Policies[{i}]: expected a mapping with PolicyName and PolicyDocument")
            document = item["PolicyDocument"]
            if not isinstance(document, Unknown):
                document = self.decode(document, path + (i, "PolicyDocument"), f"Policies[{i}].PolicyDocument")
            data = {"PolicyName": self.string(item.get("PolicyName", Unknown("no PolicyName")),
                                              path + (i, "PolicyName"), f"Policies[{i}].PolicyName"),
                    "document": document}
            origins = {"PolicyName": self.origin(path + (i, "PolicyName")),
                       "document": self.origin(path + (i, "PolicyDocument"))}
            out.append(Resource("iamPolicy", data, self.origin(path + (i,)), origins, f"{lid}.Policies[{i}]"))
        return out

    # ------------------------------------------------------------ secrets

    def add_secret(self, registry: Registry, lid: str) -> None:
        props = self.data["Resources"][lid].get("Properties") or {}
        arn = self.resolver.secret_arn(lid)
        declared: dict[str, Any] = {}
        secret: dict[str, Any] = {"ARN": arn}
        if "Name" in props:
            declared["name"] = secret["Name"] = self.string_prop(lid, "Name")
        else:
            secret["Name"] = Unknown(f"secret {lid} has no Name: CloudFormation generates one")
        data: dict[str, Any] = {"secret": secret, "declared": declared}
        if "KmsKeyId" in props:
            declared["kmsKeyId"] = secret["KmsKeyId"] = self.string_prop(lid, "KmsKeyId")
            customer_key = self.customer_managed_key(props["KmsKeyId"], declared["kmsKeyId"])
            if customer_key:  # what KMS DescribeKey would say, as the live collector records it
                declared["customerManagedKey"], data["kmsKeyManager"] = customer_key, "CUSTOMER"
        declared.update(self.secret_value_shape(lid, props))
        origin = self.origin(self.props_path(lid, "Name") if "Name" in props else ("Resources", lid))
        if isinstance(arn, str):  # made up from the Name (or ptclint's key for it): no rule judges its shape
            data["arnFrom"] = (f"the Name of {lid}" if "Name" in props
                               else f"the name CloudFormation generates for {lid}")
            registry.secrets[arn] = Lookup(Status.FOUND, data, origin)

    def customer_managed_key(self, raw: Any, value: Any) -> str:
        """The key a secret's KmsKeyId names when it is certainly customer managed: a Ref or GetAtt
        of a KMS key or alias declared in the template, or an alias outside alias/aws/ (aliases
        of AWS managed keys are reserved there); else ""."""
        target = raw.get("Ref") if isinstance(raw, dict) else None
        getatt = raw.get("Fn::GetAtt") if isinstance(raw, dict) else None
        if isinstance(getatt, list) and getatt:
            target = getatt[0]
        elif isinstance(getatt, str):
            target = getatt.split(".", 1)[0]
        resource = self.data["Resources"].get(target) if isinstance(target, str) else None
        if isinstance(resource, dict) and resource.get("Type") in _CUSTOMER_KEY_TYPES:
            return str(target)
        alias = value.split(":", 5)[-1] if isinstance(value, str) and value.startswith("arn:") else value
        if isinstance(alias, str) and alias.startswith("alias/") and not alias.startswith("alias/aws/"):
            return alias
        return ""

    def secret_value_shape(self, lid: str, props: dict) -> dict[str, Any]:
        """valueKeys / valueIsJsonObject / literalToken. Never returns or keeps the value itself."""
        if "SecretString" in props:
            value = self.resolver.opaque_value(props["SecretString"], self.props_path(lid, "SecretString"))
            return _value_shape(value, self.props_path(lid, "SecretString"), self.fail)
        generate = props.get("GenerateSecretString")
        if generate is None:
            return {"literalToken": False}  # the value is put in later, outside the template
        path = self.props_path(lid, "GenerateSecretString")
        generate = self.resolver.opaque_value(generate, path)
        if not isinstance(generate, dict):
            self.fail(path, f"GenerateSecretString: expected a mapping, got {kind_of(generate)}")
        if "SecretStringTemplate" not in generate:
            return {"valueIsJsonObject": False, "literalToken": False}  # one generated random string
        shape = _value_shape(generate["SecretStringTemplate"], path + ("SecretStringTemplate",), self.fail)
        key = generate.get("GenerateStringKey")
        if shape.get("valueIsJsonObject") and isinstance(key, str) and key != OPAQUE:
            shape["valueKeys"] = [*[k for k in shape["valueKeys"] if k != key], key]
        return shape

    # ------------------------------------------------------------ roles

    def add_role(self, registry: Registry, lid: str, created: list[str], kinds: dict[str, str]) -> None:
        arn = self.resolver.role_arn(lid)
        if not isinstance(arn, str):
            return
        props = self.data["Resources"][lid].get("Properties") or {}
        name = self.string_prop(lid, "RoleName") if "RoleName" in props else NO_VALUE
        role: dict[str, Any] = {
            "RoleName": Unknown(f"role {lid} has no RoleName") if name is NO_VALUE else name,
            "Arn": arn,
        }
        trust = self.document(lid, "AssumeRolePolicyDocument")
        if trust is not None:
            role["AssumeRolePolicyDocument"] = trust
        if "Path" in props:
            role["Path"] = self.string_prop(lid, "Path")
        inline = [{"PolicyName": p.data["PolicyName"], "document": p.data["document"]}
                  for p in self.role_inline_policies(lid)]
        attached = []
        managed = self.resolver.prop(lid, "ManagedPolicyArns", [])
        raw_managed = props.get("ManagedPolicyArns")
        if isinstance(managed, list):
            for i, policy_arn in enumerate(managed):
                entry: dict[str, Any] = {"PolicyArn": policy_arn}
                if isinstance(policy_arn, str):
                    entry["PolicyName"] = policy_arn.rsplit("/", 1)[-1]
                declared = _ref_target(raw_managed[i] if isinstance(raw_managed, list) and i < len(raw_managed)
                                       else None)
                if declared in kinds and kinds[declared] == MANAGED_POLICY:
                    entry["document"] = self.document(declared, "PolicyDocument")
                attached.append(entry)
        for other in created:  # AWS::IAM::Policy / ManagedPolicy / RolePolicy that name this role
            if kinds[other] not in _POLICY_TYPES:
                continue
            if not self.names_role(other, lid, name):
                continue
            document = self.document(other, "PolicyDocument")
            if kinds[other] == MANAGED_POLICY:
                attached.append({"PolicyArn": self.resolver.managed_policy_arn(other),
                                 "PolicyName": self.resolver.prop(other, "ManagedPolicyName",
                                                                  Unknown("generated name")),
                                 "document": document})
            else:
                inline.append({"PolicyName": self.resolver.prop(other, "PolicyName", Unknown("no PolicyName")),
                               "document": document})
        origin = self.origin(self.props_path(lid, "RoleName") if "RoleName" in props else ("Resources", lid))
        registry.roles[arn] = Lookup(Status.FOUND, {"role": role, "attachedPolicies": attached,
                                                    "inlinePolicies": inline}, origin)

    def names_role(self, policy_lid: str, role_lid: str, role_name: Any) -> bool:
        props = self.data["Resources"][policy_lid].get("Properties") or {}
        raw = props.get("Roles", []) if "Roles" in props else [props.get("RoleName")]
        if not isinstance(raw, list):
            return False
        for item in raw:
            if _ref_target(item) == role_lid:
                return True
        if isinstance(role_name, str):
            names = self.resolver.prop(policy_lid, "Roles" if "Roles" in props else "RoleName", [])
            return role_name in (names if isinstance(names, list) else [names])
        return False


def _ref_target(node: Any) -> str | None:
    """The logical id a `Ref` / `Fn::GetAtt` names, if that is what `node` is."""
    if isinstance(node, dict) and len(node) == 1:
        if isinstance(node.get("Ref"), str):
            return node["Ref"]
        att = node.get("Fn::GetAtt")
        if isinstance(att, list) and att and isinstance(att[0], str):
            return att[0]
        if isinstance(att, str):
            return att.split(".", 1)[0]
    return None


def _value_shape(value: Any, path: tuple, fail: Callable[[tuple, str], NoReturn]) -> dict[str, Any]:
    """Reduce a secret value (resolved in opaque mode) to key names and booleans."""
    if value is NO_VALUE or value == OPAQUE:
        return {"literalToken": False}
    if isinstance(value, (dict, list)):
        fail(path, f"SecretString: expected a string (a JSON object as text), got {kind_of(value)}")
    if not isinstance(value, str):
        value = str(value)
    try:
        decoded = json.loads(value)
    except ValueError:
        if OPAQUE in value:  # text around a parameter: not judged
            return {"literalToken": False}
        return {"valueIsJsonObject": False, "literalToken": bool(value.strip())}
    if not isinstance(decoded, dict):
        return {"valueIsJsonObject": False, "literalToken": False}
    literal = any(
        isinstance(v, str) and v.strip() != "" and OPAQUE not in v
        for k, v in decoded.items() if k.lower() in _TOKEN_KEYS
    )
    return {"valueKeys": list(decoded), "valueIsJsonObject": True, "literalToken": literal}
