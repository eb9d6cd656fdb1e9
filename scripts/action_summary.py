"""The GitHub Action's job summary: irsalint's SARIF report -> Markdown on stdout.

Usage (action.yml): python scripts/action_summary.py irsalint.sarif >> "$GITHUB_STEP_SUMMARY"
with EXIT_CODE and INPUT_FAIL_ON in the environment. Standard library only: it runs with whatever
irsalint version the action installed.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from typing import Any

MAX_ROWS = 50  # a summary is capped at 1 MiB by GitHub; the SARIF upload holds everything
MAX_SKIPPED = 10


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _where(location: dict[str, Any]) -> str:
    physical = location.get("physicalLocation", {})
    uri = physical.get("artifactLocation", {}).get("uri", "?")
    line = physical.get("region", {}).get("startLine")
    return f"{uri}:{line}" if line else uri


def summary(document: dict[str, Any], exit_code: str, fail_on: str) -> str:
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run.get("results", [])
    counts = Counter(result.get("level", "warning") for result in results)
    total = len(results)
    head = "no findings" if total == 0 else f"{total} finding{'s' if total != 1 else ''}"
    levels = ", ".join(f"{counts[level]} {level}{'s' if counts[level] != 1 else ''}" for level in ("error", "warning", "note"))
    gate = {"0": "passed", "1": "failed"}.get(exit_code, "error")
    lines = [f"### irsalint: {head} ({levels})", "", f"Gate **{gate}** (exit code {exit_code}, fail-on `{fail_on}`).", ""]
    if results:
        lines += ["| level | rule | location | message |", "|---|---|---|---|"]
        for result in results[:MAX_ROWS]:
            index = result.get("ruleIndex")
            name = rules[index]["name"] if isinstance(index, int) and index < len(rules) else ""
            rule = f"{result['ruleId']} {name}".strip()
            location = _where(result["locations"][0]) if result.get("locations") else ""
            message = result["message"]["text"]
            lines.append(f"| {result.get('level', '')} | {_cell(rule)} | `{_cell(location)}` | {_cell(message)} |")
        if total > MAX_ROWS:
            lines.append(f"\n{total - MAX_ROWS} more in the SARIF report and in code scanning.")
        lines.append("")
    notes = [n for invocation in run.get("invocations", []) for n in invocation.get("toolExecutionNotifications", [])
             if n.get("descriptor", {}).get("id") == "skipped-file"]
    if notes:
        lines.append(f"{len(notes)} path{'s' if len(notes) != 1 else ''} not linted:")
        lines.append("")
        lines.extend(f"- {_cell(n['message']['text'])}" for n in notes[:MAX_SKIPPED])
        if len(notes) > MAX_SKIPPED:
            lines.append(f"- ... and {len(notes) - MAX_SKIPPED} more (`irsalint check -v` lists them all)")
        lines.append("")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: action_summary.py SARIF_FILE", file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as handle:
        document = json.load(handle)
    sys.stdout.write(summary(document, os.environ.get("EXIT_CODE", "?"), os.environ.get("INPUT_FAIL_ON", "warning")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
