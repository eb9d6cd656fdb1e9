"""`path:line:col: IRSA001 [error] message`, related locations indented, then a summary."""

from __future__ import annotations

from collections import Counter

from irsalint.engine import LintResult

_COLORS = {"error": "\033[31m", "warning": "\033[33m", "note": "\033[36m"}
_RESET = "\033[0m"
_BOLD = "\033[1m"


def render(result: LintResult, color: bool = False) -> str:
    lines: list[str] = []
    for finding in result.findings:
        loc = finding.loc
        level = f"[{finding.level}]"
        if color:
            level = f"{_COLORS.get(finding.level, '')}{level}{_RESET}"
            rule = f"{_BOLD}{finding.rule_id}{_RESET}"
        else:
            rule = finding.rule_id
        lines.append(f"{loc.path}:{loc.line}:{loc.col}: {rule} {level} {finding.message}")
        for label, related in finding.related:
            lines.append(f"    {related.path}:{related.line}:{related.col}: {label}")
    lines.append(summary(result))
    return "\n".join(lines) + "\n"


def summary(result: LintResult) -> str:
    counts = Counter(f.level for f in result.findings)
    skipped = len(result.project.skipped)
    parts = [f"{counts[level]} {level}{'s' if counts[level] != 1 else ''}" for level in ("error", "warning", "note")]
    total = len(result.findings)
    head = "No findings" if total == 0 else f"Found {total} finding{'s' if total != 1 else ''}"
    tail = f", {skipped} skipped" if skipped else ""
    return f"{head} ({', '.join(parts)}) in {result.files_scanned} files{tail}."
