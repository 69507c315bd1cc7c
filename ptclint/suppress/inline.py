"""Suppressions written next to the resource they accept.

CloudFormation, in the resource's Metadata (cfn-lint and checkov use the same place)::

    QuayRule:
      Type: AWS::ECR::PullThroughCacheRule
      Metadata:
        ptclint:
          ignore:
            - {id: PTC-UP-002, reason: "quay.io mirror goes away in Q3", expires: 2027-03-31}

Terraform, in a comment on or above the block, or on or above one of its attributes (the HCL
parser drops comments, so the source lines of the block are read here)::

    # ptclint:ignore PTC-AUTH-001 anonymous pulls are enough for this mirror
    resource "aws_ecr_pull_through_cache_rule" "hub" {
      credential_arn = null  # ptclint:ignore PTC-AUTH-004 expires=2027-01-31 migrating the secret

A reason is required and `expires` is a date (YYYY-MM-DD); a malformed entry is an input problem
at its file and line (exit 2), never silently ignored. Only files that hold the word `ptclint`
are parsed again.
"""

from __future__ import annotations

import os
import re
from datetime import date
from typing import Any

from ptclint.model import Origin
from ptclint.report import InputProblem, Outcome, Report, Suppression
from ptclint.suppress import Candidate

_ID = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")
_DIRECTIVE = re.compile(r"\s*ptclint:ignore\b(.*)$")
_EXPIRES = re.compile(r"expires=(\S+)")


def read(report: Report, rule_ids: frozenset[str], problems: list[InputProblem]) -> list[Candidate]:
    """The suppressions written in the files that declare the scan's IaC resources (exports and
    snapshots carry none: they are configured instead)."""
    files = sorted({r.origin.file for reg in report.registries if reg.source == "iac"
                    for r in (*reg.rules, *reg.templates, *reg.iam_policies)})
    out: list[Candidate] = []
    for file in files:
        text = _text(file)
        if text is None:
            continue
        if file.endswith(".tf"):
            if "ptclint:ignore" in text:
                out.extend(_terraform(file, text, rule_ids, problems))
        elif "ptclint" in text and "Metadata" in text:
            out.extend(_cloudformation(file, text, rule_ids, problems))
    return out


def _text(file: str) -> str | None:
    from ptclint.errors import InputError
    from ptclint.parsing import read_text

    if file.startswith("<") or not os.path.isfile(file):
        return None
    try:
        return read_text(file)
    except InputError:
        return None  # the loader has reported it


def parse_date(value: Any) -> date:
    """YYYY-MM-DD (a TOML date too); anything else raises ValueError: a bad date fails closed."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise ValueError("expected a date YYYY-MM-DD")
    return date.fromisoformat(value.strip())


def check_id(rule_id: Any, rule_ids: frozenset[str]) -> str:
    if not isinstance(rule_id, str) or not _ID.match(rule_id.strip()):
        raise ValueError("expected a rule id such as PTC-AUTH-001")
    if rule_ids and rule_id.strip() not in rule_ids:
        raise ValueError(f"no rule {rule_id.strip()} (see `ptclint rules`)")
    return rule_id.strip()


# ---------------------------------------------------------------- CloudFormation


def _cloudformation(file: str, text: str, rule_ids: frozenset[str],
                    problems: list[InputProblem]) -> list[Candidate]:
    from ptclint.errors import InputError
    from ptclint.loaders.cloudformation.template import tag_handler
    from ptclint.parsing import parse_json, parse_yaml

    try:
        doc = parse_json(file, text) if text.lstrip().startswith("{") else parse_yaml(file, text, tag_handler)
    except InputError:
        return []
    resources = doc.data.get("Resources") if isinstance(doc.data, dict) else None
    if not isinstance(resources, dict):
        return []
    out: list[Candidate] = []
    for lid, body in resources.items():
        meta = body.get("Metadata") if isinstance(body, dict) else None
        if not isinstance(meta, dict) or "ptclint" not in meta:
            continue
        path: tuple[Any, ...] = ("Resources", lid, "Metadata", "ptclint")
        ignore = meta["ptclint"].get("ignore") if isinstance(meta["ptclint"], dict) else None
        if not isinstance(ignore, list):
            _problem(problems, doc, path, "Metadata.ptclint: expected {ignore: [{id, reason, expires}]}")
            continue
        for i, entry in enumerate(ignore):
            s = _cfn_entry(doc, (*path, "ignore", i), entry, str(lid), rule_ids, problems)
            if s is not None:
                out.append(Candidate(s, _same_logical_id(file, str(lid))))
    return out


def _cfn_entry(doc: Any, path: tuple[Any, ...], entry: Any, lid: str, rule_ids: frozenset[str],
               problems: list[InputProblem]) -> Suppression | None:
    if not isinstance(entry, dict):
        return _problem(problems, doc, path, "a ptclint ignore entry is a mapping {id, reason, expires}")
    extra = sorted(set(entry) - {"id", "reason", "expires"})
    if extra:
        return _problem(problems, doc, (*path, extra[0]), f"unknown key {extra[0]!r} (expected id, reason, expires)")
    try:
        rule_id = check_id(entry.get("id"), rule_ids)
    except ValueError as exc:
        return _problem(problems, doc, (*path, "id"), f"id: {exc}")
    reason = entry.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        return _problem(problems, doc, path, f"suppression of {rule_id}: a reason is required (reason: why it is "
                                             "accepted)")
    expires = None
    if "expires" in entry:
        try:
            expires = parse_date(entry["expires"])
        except ValueError as exc:
            return _problem(problems, doc, (*path, "expires"), f"expires: {exc}")
    line = doc.position(path).line
    return Suppression(rule_id, " ".join(reason.split()), "cloudformation-metadata", doc.path, line, expires,
                       f"Resources.{lid}")


def _problem(problems: list[InputProblem], doc: Any, path: tuple[Any, ...], message: str) -> Suppression | None:
    pos = doc.position(path)
    problems.append(InputProblem(doc.path, message, pos.line, pos.column))
    return None


def _same_logical_id(file: str, lid: str) -> Any:
    def matches(outcome: Outcome, at: Origin) -> bool:
        name = re.split(r"[.\[]", outcome.identity.name, maxsplit=1)[0]
        return name == lid and _same_file(at.file, file)
    return matches


def _same_file(a: str, b: str) -> bool:
    return a == b or os.path.abspath(a) == os.path.abspath(b)


# ---------------------------------------------------------------- Terraform


def _terraform(file: str, text: str, rule_ids: frozenset[str], problems: list[InputProblem]) -> list[Candidate]:
    lines = text.splitlines()
    blocks = block_ranges(lines)
    out: list[Candidate] = []
    for number, line in enumerate(lines, 1):
        start = _comment_start(line)
        m = _DIRECTIVE.match(line, start + (2 if line.startswith("//", start) else 1)) if start >= 0 else None
        if m is None:
            continue
        words = m.group(1).split()
        column = start + 1
        if not words:
            problems.append(InputProblem(file, "ptclint:ignore: expected a rule id and a reason", number, column))
            continue
        expires = None
        rest = words[1:]
        if rest and (e := _EXPIRES.fullmatch(rest[0])):
            try:
                expires = parse_date(e.group(1))
            except ValueError as exc:
                problems.append(InputProblem(file, f"ptclint:ignore expires: {exc}", number, column))
                continue
            rest = rest[1:]
        if not rest:
            problems.append(InputProblem(file, f"ptclint:ignore {words[0]}: a reason is required after the rule id",
                                         number, column))
            continue
        block = _block_for(blocks, lines, number)
        for rule_id in words[0].split(","):
            try:
                rule_id = check_id(rule_id, rule_ids)
            except ValueError as exc:
                problems.append(InputProblem(file, f"ptclint:ignore: {exc}", number, column))
                continue
            target = f"the block at line {block[0]}" if block else "no block"
            s = Suppression(rule_id, " ".join(rest), "terraform-comment", file, number, expires, target)
            out.append(Candidate(s, _in_block(file, block)))
    return out


def _comment_start(line: str) -> int:
    """Where the line's comment (`#` or `//`) starts, outside strings; -1 without one. The directive
    must open the comment: `# see ptclint:ignore` or a `#` inside a string is not one."""
    in_string = False
    i = 0
    while i < len(line):
        c = line[i]
        if in_string:
            if c == "\\":
                i += 1
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c == "#" or line.startswith("//", i):
            return i
        i += 1
    return -1


def _in_block(file: str, block: tuple[int, int] | None) -> Any:
    def matches(outcome: Outcome, at: Origin) -> bool:
        return block is not None and _same_file(at.file, file) and block[0] <= at.line <= block[1]
    return matches


def _block_for(blocks: list[tuple[int, int]], lines: list[str], line: int) -> tuple[int, int] | None:
    """The block a comment on `line` belongs to: the one it is in (or on the first line of), else
    the next one when only comments and blank lines stand between them."""
    for start, end in blocks:
        if start <= line <= end:
            return (start, end)
    for start, end in blocks:
        if start > line and all(_is_comment(lines[i - 1]) for i in range(line + 1, start)):
            return (start, end)
    return None


def _is_comment(line: str) -> bool:
    s = line.strip()
    return not s or s.startswith(("#", "//"))


def block_ranges(lines: list[str]) -> list[tuple[int, int]]:
    """(first line, last line) of each top-level block, by counting braces outside strings,
    comments and heredocs."""
    out: list[tuple[int, int]] = []
    depth, start, heredoc = 0, 0, ""
    in_block_comment = False
    for number, line in enumerate(lines, 1):
        if heredoc:
            if line.strip() == heredoc:
                heredoc = ""
            continue
        i, in_string = 0, False
        while i < len(line):
            c = line[i]
            if in_block_comment:
                if line.startswith("*/", i):
                    in_block_comment, i = False, i + 1
            elif in_string:
                if c == "\\":
                    i += 1
                elif c == '"':
                    in_string = False
            elif c == '"':
                in_string = True
            elif c == "#" or line.startswith("//", i):
                break
            elif line.startswith("/*", i):
                in_block_comment, i = True, i + 1
            elif line.startswith("<<", i) and (m := re.match(r"<<-?([A-Za-z_][A-Za-z0-9_]*)\s*$", line[i:])):
                heredoc = m.group(1)
                break
            elif c == "{":
                if depth == 0:
                    start = number
                depth += 1
            elif c == "}" and depth > 0:
                depth -= 1
                if depth == 0:
                    out.append((start, number))
            i += 1
    return out
