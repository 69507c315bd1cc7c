"""Wire it together: files -> loaders -> registries -> catalog -> engine -> report."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ptclint.catalog import Catalog, load_catalog, resolve_params, select_rules
from ptclint.config import ScanOptions
from ptclint.engine import evaluate
from ptclint.errors import InputError
from ptclint.model import Registry
from ptclint.report import InputProblem, Report

# Text that any PTC-related input contains; files found by walking that hold none are skipped unread.
_SNIFF = (
    "ullThroughCache",
    "pull_through_cache",
    "epositoryCreationTemplate",
    "repository_creation_template",
    "ptclintSnapshot",
    "SecretList",
    ":secretsmanager:",
    '"Role"',
    "policyText",
    "AWS::ECR::RegistryPolicy",
    "aws_ecr_registry_policy",
)
_SKIP_DIRS = {".git", "node_modules", ".venv", "venv", "__pycache__", ".terraform", ".tox", "cdk.out.bak"}
_EXTENSIONS = {".json", ".yaml", ".yml", ".tf"}  # .tf: its directory is one Terraform unit


def run(options: ScanOptions, catalog: Catalog | None = None) -> Report:
    """Raises CatalogError / ConfigError before judging anything; input problems are collected."""
    started = options.now or datetime.now(timezone.utc)
    if catalog is None:
        catalog = load_catalog(options.rules_dirs)
    rules = select_rules(catalog, options.select, options.extend_select, options.ignore)
    params = resolve_params(rules, options.params, catalog)
    registries, problems, files = load_inputs(options)
    outcomes, skips = evaluate(rules, registries, params, started)
    return Report(rules, outcomes, skips, problems, registries, files, options.fail_on, options.allow_partial,
                  started)


# ---------------------------------------------------------------- inputs

def load_inputs(options: ScanOptions) -> tuple[list[Registry], list[InputProblem], list[str]]:
    from ptclint import parsing
    from ptclint.loaders import LoadContext, detect, display_path

    max_bytes = options.max_file_bytes or parsing.MAX_FILE_BYTES
    problems: list[InputProblem] = []
    loaded: list[tuple[str, Registry]] = []
    files: list[str] = []
    for path, named in _expand(_with_units(options), problems):
        named = named and not options.hook
        shown = display_path(path)
        account, region = _context(options, path)
        try:
            if os.path.isdir(path):  # a Terraform module directory (see _expand)
                from ptclint.loaders.terraform import config as terraform_hcl

                # not PTC-related: skipped unread, also when named (pre-commit names every changed .tf file)
                if not any(s in t for t in terraform_hcl.unit_texts(path, max_bytes) for s in _SNIFF):
                    continue
                ctx = LoadContext(account=account, region=region, display_path=shown,
                                  options=_tf_options(options, max_bytes))
                units = terraform_hcl.load(path, ctx)
                loaded.extend((terraform_hcl.name, r) for r in units)
                if units:
                    files.append(shown)
                continue
            if not named:
                st = Path(path).stat()
                if not Path(path).is_file() or st.st_size > max_bytes:  # a FIFO or device found by walking would block
                    continue
                text = parsing.read_text(path, max_bytes)
                if not any(s in text for s in _SNIFF):
                    continue
                doc = _parse(parsing, path, text)
            else:
                doc = _parse(parsing, path, parsing.read_text(path, max_bytes))
            loader = detect(doc.data)
            if loader is None:
                if named:
                    raise InputError(shown, "not a recognised ptclint input: expected a ptclint snapshot, the JSON "
                                            "output of a supported AWS CLI command, a CloudFormation template or "
                                            "Terraform plan/state JSON (see `ptclint scan --help`)")
                continue
            ctx = LoadContext(account=account, region=region, display_path=shown,
                              options={"cfn_parameters": options.cfn_parameters, **_tf_options(options, max_bytes)})
            for registry in loader.load(doc, ctx):
                loaded.append((loader.name, registry))
            files.append(shown)
        except InputError as exc:
            problems.append(InputProblem(shown if exc.file == path else exc.file, exc.message, exc.line, exc.column))
        except OSError as exc:
            problems.append(InputProblem(shown, f"cannot read: {exc.strerror or exc}"))
    return merge(loaded), problems, files


def _context(options: ScanOptions, path: str) -> tuple[str, str]:
    """--account/--region win; else the configuration's [[registry]] mapping for this path."""
    account, region = options.config.context_for(path) if options.config else ("", "")
    return options.account or account, options.region or region


def _with_units(options: ScanOptions) -> list[str]:
    """In hook mode a changed file is judged with the rest of its configured registry, so rules
    about something missing do not fire just because the other files did not change."""
    paths = list(options.paths)
    if not (options.hook and options.config):
        return paths
    import glob

    for mapping in options.config.registries:
        if any(mapping.matches(p) for p in options.paths):
            for pattern in mapping.paths:
                paths.extend(sorted(glob.glob(os.path.join(mapping.base, pattern), recursive=True)))
    return list(dict.fromkeys(paths))


def _tf_options(options: ScanOptions, max_bytes: int) -> dict[str, Any]:
    return {"tf_vars": options.tf_vars, "tf_var_files": options.tf_var_files, "tf_root": options.tf_root,
            "max_file_bytes": max_bytes}


def _parse(parsing: Any, path: str, text: str) -> Any:
    # YAML may be CloudFormation with short-form tags (!Ref, !Sub, ...); no other input uses tags.
    from ptclint.loaders.cloudformation import tag_handler

    if path.endswith(".json"):
        return parsing.parse_json(path, text)
    if path.endswith((".yaml", ".yml", ".template")):
        return _parse_yaml(parsing, path, text, tag_handler)
    stripped = text.lstrip()
    if stripped[:1] in "{[":
        return parsing.parse_json(path, text)
    return _parse_yaml(parsing, path, text, tag_handler)


def _parse_yaml(parsing: Any, path: str, text: str, tag_handler: Any) -> Any:
    doc = parsing.parse_yaml(path, text, tag_handler=tag_handler)
    if doc.data is None and not doc.positions:  # no YAML node at all, as a blank .json is "empty file" too
        raise InputError(path, "empty file (only comments)" if text.strip() else "empty file")
    return doc


def _expand(paths: list[str], problems: list[InputProblem]) -> list[tuple[str, bool]]:
    """Files named on the command line are `named`; files found by walking a directory are not.
    A directory holding .tf files is one Terraform unit (directories called as local modules by
    another one are part of their caller); a .tf file given by name stands for its directory."""
    from ptclint.loaders.terraform.config import root_modules

    out: list[tuple[str, bool]] = []
    for p in paths:
        if os.path.isdir(p):
            tf_dirs: list[str] = []
            for root, dirs, names in os.walk(p):
                dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
                for n in sorted(names):
                    if Path(n).suffix.lower() == ".tf":
                        if root not in tf_dirs:
                            tf_dirs.append(root)
                    elif Path(n).suffix.lower() in _EXTENSIONS:
                        out.append((os.path.join(root, n), False))
            out.extend((d, False) for d in root_modules(tf_dirs))
        elif p.lower().endswith(".tf") and os.path.isfile(p):
            if (os.path.dirname(p) or ".", True) not in out:
                out.append((os.path.dirname(p) or ".", True))
        elif os.path.exists(p):
            out.append((p, True))
        else:
            problems.append(InputProblem(p, "no such file or directory"))
    return out


def merge(loaded: list[tuple[str, Registry]]) -> list[Registry]:
    """Join inputs that describe the same registry.

    Inputs naming an account and a Region join on them. AWS CLI outputs carry no Region, so all
    of them in one scan form one registry per account; secrets and roles exported on their own
    join the registry of their account (or the only one).
    """
    merged: dict[tuple, Registry] = {}
    orphans: list[Registry] = []
    for index, (loader, reg) in enumerate(loaded):
        if loader == "awscli":
            if not reg.rules and not reg.templates and reg.registry_policy is None:
                orphans.append(reg)
                continue
            key: tuple = ("awscli", reg.account)
        elif reg.account and reg.region and "${" not in reg.account + reg.region:  # symbolic: each unit alone
            key = (reg.account, reg.region)
        else:
            key = ("unit", index)
        if key in merged:
            _join(merged[key], reg)
        else:
            merged[key] = reg
    for reg in orphans:
        cli = [r for k, r in merged.items() if k[0] == "awscli"]
        target = next((r for r in cli if r.account == reg.account and reg.account), None)
        target = target or (cli[0] if len(cli) == 1 else None)
        if target is None:
            key = ("awscli", reg.account)
            merged[key] = reg
        else:
            _join(target, reg)
    registries = list(merged.values())
    for reg in registries:
        link_lookups(reg)
    return registries


def _join(into: Registry, other: Registry) -> None:
    into.account = into.account or other.account
    into.region = into.region or other.region
    into.rules.extend(other.rules)
    into.templates.extend(other.templates)
    into.iam_policies.extend(other.iam_policies)
    into.plan_changes.extend(other.plan_changes)
    into.templates_known = into.templates_known or other.templates_known
    into.registry_policy = into.registry_policy or other.registry_policy
    into.secrets.update(other.secrets)
    into.roles.update(other.roles)
    into.gaps.extend(other.gaps)
    into.errors.extend(other.errors)
    into.data_kinds |= other.data_kinds


def link_lookups(registry: Registry) -> None:
    """Key secrets and roles by the ARN exactly as the rules reference them.

    A partial secret ARN (no `-XXXXXX` suffix, as CDK and hand-written ARNs have) matches the
    secret whose full ARN extends it or whose name it ends with.
    """
    if registry.secrets:
        for rule in registry.rules:
            ref = rule.data.get("credentialArn")
            if not isinstance(ref, str) or ref in registry.secrets:
                continue
            for lookup in list(registry.secrets.values()):
                secret = lookup.data.get("secret", {})
                full, name = str(secret.get("ARN", "")), str(secret.get("Name", ""))
                if (full.startswith(ref + "-") and len(full) == len(ref) + 7) or (name and ref.endswith(":secret:" + name)):
                    registry.secrets[ref] = lookup
                    break
