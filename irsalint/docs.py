"""Rule -> Markdown and plain text: `irsalint explain`, SARIF help, docs/rules/ (generated)."""

from __future__ import annotations

import sys
from pathlib import Path

from irsalint.rules import Rule, load_rules


def _files(files: dict[str, str] | object) -> list[tuple[str, str]]:
    return sorted(files.items()) if isinstance(files, dict) else []


def _lang(path: str) -> str:
    if path.endswith(".json"):
        return "json"
    return "hcl" if path.endswith((".tf", ".tfvars")) else "yaml"


FIX_HEADINGS = {
    "safe": "`irsalint check --fix` fixes it (a safe fix).",
    "unsafe": "`irsalint check --fix --unsafe-fixes` fixes it (an unsafe fix: it changes behaviour, review it).",
    "none": "No automatic fix.",
}


def markdown(rule: Rule) -> str:
    severity = f" · security-severity {rule.security_severity}" if rule.security_severity is not None else ""
    out = [
        f"# {rule.id} {rule.name}",
        "",
        f"**{rule.summary}** — level `{rule.level}`{severity} · fix: {rule.fix} · tags: {', '.join(rule.tags)} · "
        f"since {rule.since}",
        "",
        "## What it does",
        "",
        rule.what_it_does.strip(),
        "",
        "## Why is this bad?",
        "",
        rule.why_is_this_bad.strip(),
        "",
    ]
    if rule.example:
        out += ["## Example", ""]
        for path, text in _files(dict(rule.example)):
            out += [f"`{path}`:", "", f"```{_lang(path)}", text.rstrip("\n"), "```", ""]
    if rule.use_instead:
        out += ["## Use instead", ""]
        for path, text in _files(dict(rule.use_instead)):
            out += [f"`{path}`:", "", f"```{_lang(path)}", text.rstrip("\n"), "```", ""]
    if rule.fix != "none" or rule.fix_notes:
        out += ["## Fix", "", FIX_HEADINGS.get(rule.fix, FIX_HEADINGS["none"]), ""]
        if rule.fix_notes:
            out += [rule.fix_notes.strip(), ""]
    if rule.options:
        out += ["## Options", "", *[f"- `{o}`" for o in rule.options], ""]
    if rule.references:
        out += ["## References", "", *[f"- <{r}>" for r in rule.references], ""]
    return "\n".join(out)


def text(rule: Rule) -> str:
    """The same content for a terminal: no Markdown fences or emphasis."""
    lines = []
    for line in markdown(rule).splitlines():
        if line.startswith("```"):
            continue
        lines.append(line.replace("**", "").lstrip("#").strip() if line.startswith("#") else line.replace("**", ""))
    return "\n".join(lines).rstrip() + "\n"


def index(rules: tuple[Rule, ...]) -> str:
    rows = ["# irsalint rules", "", "Generated from `rules/*.yaml` by `python -m irsalint.docs`; do not edit.",
            "`fix`: `safe` fixes are applied by `irsalint check --fix`, `unsafe` ones only with `--unsafe-fixes`",
            "([fixes](../fixes.md)).", "",
            "| id | name | level | severity | fix | summary |", "|---|---|---|---|---|---|"]
    for rule in rules:
        severity = "—" if rule.security_severity is None else str(rule.security_severity)
        fix = "—" if rule.fix == "none" else rule.fix
        rows.append(f"| [{rule.id}]({rule.id}.md) | {rule.name} | {rule.level} | {severity} | {fix} | {rule.summary} |")
    return "\n".join(rows) + "\n"


def generate(target: Path) -> dict[Path, str]:
    rules = load_rules()
    pages = {target / f"{rule.id}.md": markdown(rule) for rule in rules}
    pages[target / "README.md"] = index(rules)
    return pages


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(__file__).resolve().parent.parent / "docs" / "rules"
    pages = generate(target)
    stale = [p for p, content in pages.items() if not p.exists() or p.read_text("utf-8") != content]
    if "--check" in args:
        for path in stale:
            print(f"stale: {path}", file=sys.stderr)
        return 1 if stale else 0
    target.mkdir(parents=True, exist_ok=True)
    for path, content in pages.items():
        path.write_text(content, "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
