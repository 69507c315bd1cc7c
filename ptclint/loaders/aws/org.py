"""Which accounts and Regions to collect: AWS Organizations, an accounts file, `--account`;
`--region`, `--all-regions` (the account's enabled Regions where ECR offers pull through cache)."""

from __future__ import annotations

from typing import Any

from ptclint.errors import ConfigError
from ptclint.loaders.aws.calls import CallFailed, call, pages
from ptclint.loaders.aws.session import Clients
from ptclint.loaders.aws.shard import ACCOUNT as _ACCOUNT
from ptclint.loaders.aws.shard import file_accounts

__all__ = ["check_accounts", "enabled_regions", "file_accounts", "organization_accounts", "ptc_regions"]

# ECR offers no pull through cache here (ptc-facts.md §6.1, "Considerations" item 1).
NO_PTC_REGIONS = frozenset({"cn-north-1", "cn-northwest-1", "us-gov-east-1", "us-gov-west-1"})


def organization_accounts(home: Clients, region: str) -> list[str]:
    """Active accounts of the organization (from the management or a delegated administrator account)."""
    try:
        accounts = pages(home.get("organizations", region), "list_accounts", "Accounts")
    except CallFailed as exc:
        raise ConfigError(f"--org: Organizations ListAccounts: {exc.code}: {exc.message} (run from the management "
                          "account or a delegated administrator)") from None
    return sorted(str(a["Id"]) for a in accounts if (a.get("State") or a.get("Status")) == "ACTIVE")


def check_accounts(accounts: list[str], flag: str = "--account") -> list[str]:
    for account in accounts:
        if not _ACCOUNT.match(account):
            raise ConfigError(f"{flag} {account}: expected a 12-digit AWS account id")
    return list(dict.fromkeys(accounts))


def ptc_regions(session: Any, partition: str) -> set[str]:
    """Regions where ECR exists in the partition (botocore's endpoint data), less those without PTC."""
    return set(session.get_available_regions("ecr", partition_name=partition)) - NO_PTC_REGIONS


def enabled_regions(clients: Clients, region: str, partition: str) -> list[str]:
    """The account's enabled Regions (EC2 DescribeRegions lists only those) that offer PTC. Regions
    not opted in are simply not collected: they are not gaps."""
    found = call(clients.get("ec2", region).describe_regions, "DescribeRegions")
    names = {str(r["RegionName"]) for r in found.get("Regions", [])}
    return sorted(names & ptc_regions(clients.session, partition))
