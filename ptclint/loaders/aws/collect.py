"""Collect accounts x Regions into a snapshot document, on a bounded thread pool.

Stage 1 opens each account (assumes its role, finds its Regions); stage 2 collects each
(account, Region): ECR, then the secrets and roles its rules and templates name (each distinct one
fetched once per run); stage 3 gives each cross-account ECR upstream the registry policy of its
upstream registry when that registry was collected too. Anything that fails is recorded in the
registry's `errors` or in the lookup's status: a coverage gap, never a crash.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from botocore.exceptions import BotoCoreError

from ptclint import __version__
from ptclint.errors import ConfigError
from ptclint.export import VERSION
from ptclint.loaders.aws import CollectOptions, ecr, org, session, shard, signing
from ptclint.loaders.aws.calls import CallFailed
from ptclint.loaders.aws.iam import Roles
from ptclint.loaders.aws.progress import Progress
from ptclint.loaders.aws.secrets import Secrets, listed
from ptclint.loaders.aws.upstreams import link_upstreams
from ptclint.model import Status

_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+$")


@dataclass
class Account:
    """One account as stage 1 left it: its clients and Regions, or why it could not be opened."""

    id: str
    regions: list[str]
    clients: session.Clients | None = None
    failure: CallFailed | None = None


@dataclass
class Run:
    options: CollectOptions
    home: session.Clients
    home_region: str
    caller: str
    partition: str
    progress: Progress
    secrets: Secrets
    roles: Roles


def collect(options: CollectOptions, now: datetime) -> dict[str, Any]:
    """The snapshot document of the accounts and Regions `options` name."""
    run = _start(options)
    accounts = _targets(run)
    run.progress.accounts = len(accounts)
    with ThreadPoolExecutor(max_workers=max(1, options.concurrency), thread_name_prefix="ptclint") as pool:
        opened = list(pool.map(lambda a: _open(run, a), accounts))
        pairs = [(acct, region) for acct in opened for region in acct.regions]
        run.progress.registries = len(pairs)
        registries = list(pool.map(lambda pair: _registry(run, *pair), pairs))
    run.progress.finish()
    link_upstreams(registries)
    return {
        "ptclintSnapshot": VERSION,
        "generatedAt": now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "generator": {"name": "ptclint", "version": __version__},
        "registries": sorted(registries, key=lambda r: (r["account"], r["region"])),
    }


def dumps(document: dict[str, Any]) -> str:
    """The snapshot's text, formatted as `ptclint export` writes every snapshot."""
    return json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"


def _start(options: CollectOptions) -> Run:
    for region in options.regions:
        if not _REGION.match(region):
            raise ConfigError(f"--region {region}: expected a Region name such as eu-west-1")
        if region in org.NO_PTC_REGIONS:
            raise ConfigError(f"--region {region}: ECR offers no pull through cache in this Region")
    if options.concurrency < 1:
        raise ConfigError(f"--concurrency {options.concurrency}: expected at least 1")
    base = session.base_session(options.profile)
    home_region = options.regions[0] if options.regions else base.region_name or ""
    if not home_region and not options.all_regions:
        raise ConfigError("no Region: pass --region (or --all-regions), or set AWS_REGION or the profile's region")
    progress = Progress(options.progress)
    config = session.client_config(options.concurrency)
    home = session.Clients(signing.Shared(base, options.profile, config, progress.call))
    home_region = home_region or "us-east-1"
    caller, partition = session.caller(home, home_region)
    return Run(options, home, home_region, caller, partition, progress, Secrets(options.secret_values), Roles())


def _targets(run: Run) -> list[str]:
    opts = run.options
    accounts = org.check_accounts(list(opts.accounts))
    if opts.accounts_file:
        accounts += org.file_accounts(opts.accounts_file)
    if opts.org:
        accounts += org.organization_accounts(run.home, run.home_region)
    accounts = shard.select(list(dict.fromkeys(accounts)) or [run.caller], opts.shard)
    if any(a != run.caller for a in accounts) and not (opts.role_name or opts.role_arn_template):
        raise ConfigError("collecting other accounts needs a role to assume in each: "
                          "--role-name or --role-arn-template")
    return accounts


def _open(run: Run, account: str) -> Account:
    opts = run.options
    regions = list(opts.regions) or [run.home_region]
    try:
        clients = run.home
        if account != run.caller:
            arn = session.role_arn(account, run.partition, opts.role_name, opts.role_arn_template)
            clients = session.assume(run.home, run.home_region, str(arn), opts.external_id)
        if opts.all_regions and not opts.regions:
            regions = org.enabled_regions(clients, run.home_region, run.partition)
        return Account(account, regions, clients)
    except CallFailed as exc:
        return Account(account, regions, failure=exc)
    finally:
        run.progress.account_done()


def _registry(run: Run, account: Account, region: str) -> dict[str, Any]:
    reg: dict[str, Any] = {"account": account.id, "region": region, "partition": run.partition, "errors": []}
    if account.failure is not None or account.clients is None:
        failure = account.failure or CallFailed("AssumeRole", "Unknown", "the account could not be opened")
        reg["pullThroughCacheRules"] = {"status": Status.NOT_COLLECTED.value}  # the errors entry is the gap
        reg["errors"].append(failure.entry())
    else:
        try:
            if ecr.collect(account.clients.get("ecr", region), reg, run.options.validate_rules):
                _lookups(run, account.clients, reg)
        except BotoCoreError as exc:  # a client that cannot be made (no endpoint for the Region, ...)
            reg["errors"].append({"operation": "client", "code": type(exc).__name__, "message": str(exc)[:300]})
    if not reg["errors"]:
        del reg["errors"]
    run.progress.registry_done(len(reg.get("errors", [])))
    return reg


def _lookups(run: Run, clients: session.Clients, reg: dict[str, Any]) -> None:
    account, region = reg["account"], reg["region"]
    rules = reg["pullThroughCacheRules"].get("items", [])
    templates = reg.get("repositoryCreationTemplates", {}).get("items", [])
    table = listed(clients, region, reg["errors"])
    for arn in sorted({str(r["credentialArn"]) for r in rules if r.get("credentialArn")}):
        table[arn] = run.secrets.lookup(clients, account, arn, region)
    reg["secrets"] = dict(sorted(table.items()))
    arns = {str(r["customRoleArn"]) for r in [*rules, *templates] if r.get("customRoleArn")}
    arns |= {p for p in run.options.pullers if p.split(":")[4:5] == [account]}
    reg["roles"] = {arn: run.roles.lookup(clients, account, region, arn) for arn in sorted(arns)}
    for arn, role in reg["roles"].items():  # found, but its policies could not all be read: a gap
        if role["status"] == Status.FOUND.value and "error" in role:
            code, _, message = str(role["error"]).partition(": ")
            reg["errors"].append({"operation": f"policies of role {arn}", "code": code, "message": message})
