"""Rule documentation as Markdown: `ptclint explain` and the generated docs/rules.md."""

from __future__ import annotations

from ptclint.catalog import Catalog, Rule


def rule_markdown(rule: Rule, heading: str = "#") -> str:
    d = rule.docs
    lines = [
        f"{heading} {rule.id}: {rule.title}",
        "",
        f"Name: `{rule.name}` · Severity: **{rule.severity.value}**"
        + (" (varies: " + "; ".join(f"{s.value} when `{w}`" for w, s in rule.severity_when) + ")" if rule.severity_when else "")
        + f" · Applies to: {rule.resource}"
        + (f" · Needs: {', '.join(rule.needs)}" if rule.needs else "")
        + (" · **Opt-in** (runs only when selected by id)" if rule.opt_in else ""),
        "",
        f"{heading}# What it checks",
        "",
        d["what"].strip(),
        "",
        f"{heading}# Why it matters",
        "",
        d["why"].strip(),
        "",
    ]
    if d.get("uncertain"):
        lines += [f"{heading}# What is not certain", "", d["uncertain"].strip(), ""]
    lines += [f"{heading}# How to fix it", "", d["fix"].strip(), ""]
    lines += [f"{heading}# Compliant", "", "```yaml", d["compliant"].rstrip(), "```", ""]
    lines += [f"{heading}# Noncompliant", "", "```yaml", d["noncompliant"].rstrip(), "```", ""]
    if rule.params:
        lines += [f"{heading}# Parameters", ""]
        lines += [f"- `{p.name}` ({p.type}, default `{p.default}`): {p.description}" for p in rule.params]
        lines += [""]
    lines += [f"{heading}# References", ""] + [f"- <{r}>" for r in rule.references] + [""]
    return "\n".join(lines)


def catalog_markdown(catalog: Catalog) -> str:
    """docs/rules.md: generated from the catalog; a test fails when the file is stale."""
    rules = catalog.rules
    out = [
        "# ptclint rules",
        "",
        "Generated from `rules/` by `python -m ptclint.docs > docs/rules.md`; do not edit by hand.",
        "",
        "| id | name | severity | title |",
        "|---|---|---|---|",
    ]
    out += [f"| [{r.id}](#{r.id.lower()}) | `{r.name}` | {r.severity.value} | {r.title}{' (opt-in)' if r.opt_in else ''} |"
            for r in rules]
    out.append("")
    for r in rules:
        out.append(f'<a id="{r.id.lower()}"></a>')
        out.append("")
        out.append(rule_markdown(r, heading="##"))
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":  # pragma: no cover
    import sys

    from ptclint.catalog import load_catalog

    sys.stdout.write(catalog_markdown(load_catalog(use_cache=False)))
