"""The baseline: the findings a team accepted when it adopted ptclint, so only new ones are reported.

`ptclint baseline PATH... --output FILE` writes the current findings keyed by the same line-free
fingerprint SARIF uses (rule id + resource identity, `reporters.fingerprint`) and the file, relative
to the baseline's own directory (so the scan may run from anywhere). Moving a resource within its
file or reformatting it changes neither. `scan --baseline FILE` accepts each finding that an entry
matches (each entry once), says how many it accepted, and lists the entries that no longer occur.
A malformed file is an input error at its line (exit 2).
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from dataclasses import dataclass, field

from ptclint import __version__
from ptclint.errors import InputError
from ptclint.report import Outcome, Report, Suppression

FORMAT_VERSION = 1
_FIELDS = ("ruleId", "fingerprint", "file")


def _key_file(file: str, base: str) -> str:
    if file.startswith("<"):  # <live>, <stdin>: not files
        return file
    return os.path.relpath(os.path.abspath(file), base).replace(os.sep, "/")


def key(outcome: Outcome, base: str) -> tuple[str, str, str]:
    from ptclint.reporters import fingerprint

    return (outcome.rule_id, fingerprint(outcome), _key_file(outcome.origin.file, base))


def render(report: Report, output: str) -> str:
    """The baseline document for a scan's findings (suppressed ones are accepted already)."""
    base = os.path.dirname(os.path.abspath(output))
    entries = []
    for o in report.findings:
        rule_id, fp, file = key(o, base)
        entry = {"ruleId": rule_id, "fingerprint": fp, "file": file, "resource": o.identity.fqn()}
        if o.identity.name:
            entry["name"] = o.identity.name
        entry |= {"severity": o.severity.value if o.severity else "warning", "message": o.message}
        entries.append(entry)
    entries.sort(key=lambda e: (e["file"], e["ruleId"], e.get("name", ""), e["resource"], e["fingerprint"]))
    doc = {"ptclintBaseline": FORMAT_VERSION, "createdAt": report.started.strftime("%Y-%m-%dT%H:%M:%SZ"),
           "tool": {"name": "ptclint", "version": __version__}, "findings": entries}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class Baseline:
    file: str
    base: str  # the directory entry files are relative to
    entries: tuple[tuple[tuple[str, str, str], Suppression], ...]

    def claims(self) -> Claims:
        pending: dict[tuple[str, str, str], list[Suppression]] = defaultdict(list)
        for k, s in self.entries:
            pending[k].append(s)
        return Claims(self.base, pending)


@dataclass
class Claims:
    """The entries not yet matched by a finding of this scan."""

    base: str
    pending: dict[tuple[str, str, str], list[Suppression]] = field(default_factory=dict)

    def take(self, outcome: Outcome) -> Suppression | None:
        waiting = self.pending.get(key(outcome, self.base))
        return waiting.pop(0) if waiting else None

    def left(self, scanned: list[str], ran: set[str]) -> list[Suppression]:
        """The entries no finding matched, among those this scan could have matched: a rule that
        did not run, or a file outside the paths scanned, says nothing about an entry."""
        roots = [os.path.abspath(p) for p in scanned if not p.startswith("<") and p != "-"]

        def in_scope(rule_id: str, file: str) -> bool:
            if rule_id not in ran:
                return False
            if file.startswith("<"):
                return True
            path = os.path.normpath(os.path.join(self.base, file))
            return any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in roots)

        return [s for (rule_id, _, file), entries in self.pending.items() if in_scope(rule_id, file) for s in entries]


def read(path: str) -> Baseline:
    from ptclint.parsing import parse_json, read_text

    if not os.path.isfile(path):
        raise InputError(path, "--baseline: no such file (write one with `ptclint baseline PATH... --output FILE`)")
    doc = parse_json(path, read_text(path))
    data = doc.data

    def fail(where: tuple[object, ...], message: str) -> InputError:
        pos = doc.position(where)
        pointer = "/" + "/".join(map(str, where))
        return InputError(path, f"at {pointer}: {message}", pos.line, pos.column)

    if not isinstance(data, dict) or data.get("ptclintBaseline") != FORMAT_VERSION:
        raise fail(("ptclintBaseline",) if isinstance(data, dict) else (),
                   f"not a ptclint baseline (expected \"ptclintBaseline\": {FORMAT_VERSION})")
    findings = data.get("findings")
    if not isinstance(findings, list):
        raise fail(("findings",), "expected a list of findings")
    created = data.get("createdAt") if isinstance(data.get("createdAt"), str) else "?"
    out = []
    for i, entry in enumerate(findings):
        if not isinstance(entry, dict):
            raise fail(("findings", i), "expected an object {ruleId, fingerprint, file, ...}")
        for name in _FIELDS:
            if not isinstance(entry.get(name), str) or not entry[name]:
                raise fail(("findings", i, name) if name in entry else ("findings", i), f"{name}: expected a string")
        k = (entry["ruleId"], entry["fingerprint"], entry["file"])
        target = f"{entry.get('resource', entry['fingerprint'])} in {entry['file']}"
        line = doc.position(("findings", i)).line
        out.append((k, Suppression(k[0], f"accepted in the baseline of {created}", "baseline", path, line,
                                   None, target)))
    return Baseline(path, os.path.dirname(os.path.abspath(path)), tuple(out))
