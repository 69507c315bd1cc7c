"""Rule documentation as Markdown: `ptclint explain` and the generated docs/rules.md."""

from __future__ import annotations

from ptclint.rule import Catalog, Rule


def rule_list(extra_dirs: list[str]) -> list[str]:
    """`ptclint rules`: one line a rule (id, name, severity, pack, title, opt-in or policy, tags), of the
    shipped catalog and the team rules (the configuration's `rules`, then `extra_dirs`)."""
    from ptclint.catalog import load_catalog
    from ptclint.catalog.select import pack_of
    from ptclint.config import rule_dirs

    catalog = load_catalog(rule_dirs(extra_dirs))
    width = max(len(r.name) for r in catalog.rules)
    return [f"{r.id:<13} {r.name:<{width}}  {r.severity.value:<7}  {pack_of(r) or '-':<15}  {r.title}"
            f"{' (opt-in)' if r.opt_in else ' (policy)' if r.policy else ''}  [{', '.join(r.tags)}]"
            for r in catalog.rules]


def rule_markdown(rule: Rule, heading: str = "#") -> str:
    d = rule.docs
    lines = [
        f"{heading} {rule.id}: {rule.title}",
        "",
        f"Name: `{rule.name}` · Severity: **{rule.severity.value}**"
        + (" (varies: " + "; ".join(f"{s.value} when `{w}`" for w, s in rule.severity_when) + ")"
           if rule.severity_when else "")
        + f" · Applies to: {rule.resource}"
        + (f" · Needs: {', '.join(rule.needs)}" if rule.needs else "")
        + (" · **Opt-in** (runs only when selected by id)" if rule.opt_in else "")
        + (f" · **Organization policy**: off until `[tool.ptclint.policy]` sets {', '.join(rule.policy)}"
           if rule.policy else ""),
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
    out += [f"| [{r.id}](#{r.id.lower()}) | `{r.name}` | {r.severity.value} | {r.title}"
            f"{' (opt-in)' if r.opt_in else ''} |" for r in rules]
    out.append("")
    for r in rules:
        out.append(f'<a id="{r.id.lower()}"></a>')
        out.append("")
        out.append(rule_markdown(r, heading="##"))
    return "\n".join(out).rstrip() + "\n"


FUNCTIONS_BEGIN = ("<!-- BEGIN generated from rulelib docstrings by `python -m ptclint.docs --functions`; "
                   "do not edit -->")
FUNCTIONS_END = "<!-- END generated CEL functions -->"


def _cel_name(python_name: str) -> str:
    head, *rest = python_name.split("_")
    return head + "".join(part.title() for part in rest)


def functions_markdown() -> str:
    """The table of ptclint's CEL functions, one section per rule library module, generated from the
    functions' docstrings (their documentation)."""
    import inspect

    from ptclint.cel.functions import MODULES

    out: list[str] = []
    for module in MODULES:
        if not module.FUNCTIONS:
            continue
        summary = " ".join((inspect.getdoc(module) or "").split("\n\n")[0].split())
        out += [f"**{module.__name__.rsplit('.', 1)[-1]}**: {summary}", "", "| function | returns |", "|---|---|"]
        for name, fn in module.FUNCTIONS.items():
            params = ", ".join(_cel_name(p) for p in inspect.signature(fn).parameters)
            doc = " ".join((inspect.getdoc(fn) or "").split()).replace("|", "\\|")
            out.append(f"| `{name}({params})` | {doc} |")
        out.append("")
    return "\n".join(out)


def _regenerated(markdown: str, begin_marker: str, end_marker: str, body: str, what: str) -> str:
    """`markdown` with the text between the two markers replaced by `body`."""
    head, begin, rest = markdown.partition(begin_marker)
    _, end, tail = rest.partition(end_marker)
    if not begin or not end:
        raise ValueError(f"the generated {what} markers are missing")
    return f"{head}{begin_marker}\n\n{body}\n{end_marker}{tail}"


def with_functions(markdown: str) -> str:
    """`markdown` (docs/writing-rules.md) with its generated CEL function tables replaced by fresh ones."""
    return _regenerated(markdown, FUNCTIONS_BEGIN, FUNCTIONS_END, functions_markdown(), "CEL function")


TF_BEGIN = ("<!-- BEGIN generated from the Terraform function table by `python -m ptclint.docs --tf-functions`; "
            "do not edit -->")
TF_END = "<!-- END generated Terraform functions -->"


def tf_functions_markdown() -> str:
    """The Terraform built-in functions the .tf loader evaluates, and those it leaves unknown on purpose."""
    from ptclint.loaders.terraform.function_table import NOT_PURE, supported

    names = ", ".join(f"`{n}`" for n in supported())
    impure = ", ".join(f"`{n}`" for n in NOT_PURE)
    return (f"Evaluated ({len(supported())}): {names}.\n\n"
            f"Unknown on purpose (the result depends on when or where Terraform runs): {impure}.\n")


def with_tf_functions(markdown: str) -> str:
    """`markdown` (docs/loaders.md) with its generated Terraform function list replaced by a fresh one."""
    return _regenerated(markdown, TF_BEGIN, TF_END, tf_functions_markdown(), "Terraform function")


if __name__ == "__main__":  # pragma: no cover
    import sys
    from pathlib import Path

    if sys.argv[1:] == ["--tf-functions"]:  # rewrite docs/loaders.md's Terraform function list in place
        path = Path(__file__).resolve().parent.parent / "docs" / "loaders.md"
        path.write_text(with_tf_functions(path.read_text(encoding="utf-8")), encoding="utf-8")
    elif sys.argv[1:] == ["--functions"]:  # rewrite docs/writing-rules.md's CEL function tables in place
        path = Path(__file__).resolve().parent.parent / "docs" / "writing-rules.md"
        path.write_text(with_functions(path.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        from ptclint.catalog import load_catalog

        sys.stdout.write(catalog_markdown(load_catalog(use_cache=False)))
