"""Findings since earlier runs: what `ptclint report --compare PREVIOUS.json` shows.

Findings are matched by the fingerprint every JSON report carries (rule id + resource identity,
never a line number), so a block that moved is unchanged, not fixed and new. Pure: it reads JSON
report documents (schemas/findings.schema.json) and returns plain data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SEVERITIES = ("error", "warning", "note")


@dataclass(frozen=True)
class Run:
    """One report on the chart: when it was scanned and its findings by severity."""

    label: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Trend:
    new: list[dict[str, Any]]
    fixed: list[dict[str, Any]]
    unchanged: list[dict[str, Any]]
    runs: list[Run]  # oldest first; the current report last


def counts(doc: dict[str, Any]) -> dict[str, int]:
    """Findings by severity, counted from the findings themselves."""
    out = dict.fromkeys(SEVERITIES, 0)
    for f in doc.get("findings", []):
        if f.get("severity") in out:
            out[f["severity"]] += 1
    return out


def _by_fingerprint(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {str(f.get("fingerprint")): f for f in doc.get("findings", [])}


def compare(current: dict[str, Any], previous: list[dict[str, Any]]) -> Trend | None:
    """The trend from the latest of `previous` (by scan time) to `current`, and the counts of every
    run for the chart; None without a previous report."""
    if not previous:
        return None
    runs = sorted(previous, key=lambda d: str(d.get("scannedAt", "")))  # stable: same times keep the given order
    now, before = _by_fingerprint(current), _by_fingerprint(runs[-1])
    return Trend(
        new=[f for fp, f in now.items() if fp not in before],
        fixed=[f for fp, f in before.items() if fp not in now],
        unchanged=[f for fp, f in now.items() if fp in before],
        runs=[Run(str(d.get("scannedAt", "?")), counts(d)) for d in [*runs, current]],
    )
