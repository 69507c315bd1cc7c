"""Terraform configuration (`.tf` files): a directory is a module; a root module is one unit.

What is read: `aws_ecr_pull_through_cache_rule`, `aws_ecr_repository_creation_template`,
`aws_ecr_registry_policy`, `aws_secretsmanager_secret` (+ `_version`), `aws_iam_role`,
`aws_iam_role_policy`, `aws_iam_policy`, `aws_iam_role_policy_attachment` and
`data.aws_iam_policy_document`, in the root module and in local child modules (`source = "./..."`,
or a module `terraform init` has put under `.terraform/modules`).

Values are evaluated statically (see `expr`): variables from `--var`, `--var-file`,
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
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ptclint.errors import InputError
from ptclint.loaders import LoadContext, never_attaches, stands_alone
from ptclint.loaders.sources import Source
from ptclint.loaders.terraform import objects as M
from ptclint.model import Registry, Unknown

if TYPE_CHECKING:
    from ptclint.loaders.terraform.instances import ModuleInstance
    from ptclint.loaders.terraform.modules import Unit

# The Terraform evaluator (lark, HCL, the mapping to registries) is imported where a unit is read,
# not with this module: every scan asks each loader for its sources and whether it claims a file.

name = "terraform_hcl"

sniff = ("pull_through_cache", "repository_creation_template", "aws_ecr_registry_policy")
yaml_tags = None
options = M.options
merge_key = stands_alone
attaches = never_attaches


class UnitSource(Source):
    """A Terraform root module directory: its .tf files and those of the local modules it calls."""

    def texts(self, max_bytes: int) -> Iterable[str]:
        return unit_texts(self.path, max_bytes)


def find(files: list[str], named: bool) -> list[Source]:
    """Terraform units among these files: each directory holding .tf files that no other of them
    calls as a local module; a .tf file given by name stands for its directory."""
    dirs = list(dict.fromkeys(os.path.dirname(f) or "." for f in files if f.lower().endswith(".tf")))
    return [UnitSource(d, False) for d in (dirs if named else root_modules(dirs))]


def claims(source: Source) -> bool:
    return isinstance(source, UnitSource)


def load(source: Source, ctx: LoadContext) -> list[Registry]:
    """A root module directory (with its local and downloaded modules) -> its registries."""
    from ptclint.loaders.terraform.modules import Unit

    directory = source.path
    try:
        unit = Unit(directory, ctx)
        disabled: list[M.ProviderInfo] = []
        return _registries(unit, _objects(unit, disabled), ctx, disabled)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, RecursionError) as exc:
        # A configuration shape the evaluator did not foresee: report it, never a traceback (nor a value).
        if os.environ.get("PTCLINT_DEBUG"):
            raise
        raise InputError(ctx.display_path or directory, "could not be read as a Terraform configuration "
                                                        f"(unexpected structure: {exc.__class__.__name__})") from None


# ---------------------------------------------------------------- helpers used by scan

_SOURCE_RE = re.compile(r'^\s*source\s*=\s*"(\.\.?/[^"]*)"', re.MULTILINE)


def local_module_dirs(directory: str) -> list[str]:
    """Local module sources named in a directory's .tf files (a text scan, for sniffing and walking)."""
    from ptclint.loaders.terraform.modules import tf_files

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
    from ptclint.loaders.terraform.modules import tf_files

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


# ---------------------------------------------------------------- collecting the modelled resources

def _objects(unit: Unit, disabled: list[M.ProviderInfo]) -> list[M.TfObject]:
    """The modelled resource instances of the root module and, depth first, of its module calls.
    `disabled` gets the provider of each creation template block with no instances (count = 0,
    an empty for_each): the unit manages templates, it just creates none here."""
    from ptclint.loaders.terraform.instances import ModuleInstance
    from ptclint.loaders.terraform.values import TfError

    out: list[M.TfObject] = []
    root = ModuleInstance.root_of(unit)
    for name in unit.root_values:  # a value given for a root variable is checked even when unused,
        if name in unit.root_def.variables:  # as Terraform does (a wrong type is an input error)
            try:
                root.var(name)
            except TfError:
                pass
    _collect(root, out, 0, disabled)
    return out


def _collect(mi: ModuleInstance, out: list[M.TfObject], depth: int, disabled: list[M.ProviderInfo]) -> None:
    """Never drops a resource silently: one whose instances are unknown is judged as one instance with
    an unknown key, and it and a module not on disk are recorded in `unit.not_judged`."""
    from ptclint.loaders.terraform.instances import NotOnDisk

    for mode, rtype, rname in mi.mdef.resources:
        if (mode == "managed" and rtype in M.MANAGED_TYPES) or (mode == "data" and rtype == M.POLICY_DOCUMENT):
            expansion = mi.expand_resource(mode, rtype, rname)
            if isinstance(expansion, Unknown):
                expansion = mi.unknown_instance(mode, rtype, rname, expansion)
            for inst in _instances(expansion):
                out.append(inst.to_object())
            if mode == "managed" and rtype == M.TEMPLATE and expansion in ({}, []):
                disabled.append(mi.block_provider(mode, rtype, rname))
    for call in mi.mdef.modules:
        children = mi.module_instances(call)
        if isinstance(children, NotOnDisk):
            mi.not_on_disk(call, children)
            continue
        if isinstance(children, Unknown):
            children = mi.unknown_module(call, children)
        for child in _instances(children):
            _collect(child, out, depth + 1, disabled)


def _registries(unit: Unit, objects: list[M.TfObject], ctx: LoadContext,
                disabled: list[M.ProviderInfo]) -> list[Registry]:
    """The unit's registries, carrying what could not be seen whole; a unit of which nothing PTC-related
    could be seen but something was not seen still yields a registry, so the report names it."""
    from ptclint.loaders.terraform.mapping import build_registries

    registries = build_registries(objects, disabled_templates=disabled)
    if unit.not_judged and not registries:
        first = unit.not_judged[0].origin
        registries = [Registry(account=ctx.account, region=ctx.region, source="iac", origin=first)]
    if registries:
        registries[0].not_judged.extend(unit.not_judged)
    return registries


def _instances(expansion: Any) -> list:
    if expansion is None:
        return []
    if isinstance(expansion, dict):
        return list(expansion.values())
    if isinstance(expansion, list):
        return expansion
    return [expansion]
