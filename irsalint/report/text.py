"""`path:line:col: IRSA001 [error] message`, related locations indented, the skipped files, then
a summary. A finding that `--fix` would fix is marked `[*]` before its message (with
`--unsafe-fixes`, unsafe fixes too), and the summary ends with how many are fixable.

On an interactive terminal each finding also shows the offending source line with a caret, and
the summary ends with the elapsed time; both are left out otherwise (byte-identical output).
Paths are shown relative to the working directory (RenderOptions.relative_to) so that terminals
and editors can open them; every other format keeps them relative to the repository root."""

from __future__ import annotations

import posixpath
from collections import Counter
from collections.abc import Callable

from irsalint.engine import Finding, LintResult
from irsalint.fix.model import SAFE

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (2 ms of a warm run): annotations only
if TYPE_CHECKING:
    from irsalint.report import RenderOptions

_COLORS = {"error": "\033[31m", "warning": "\033[33m", "note": "\033[36m"}
_RESET = "\033[0m"
_BOLD = "\033[1m"
_DIM = "\033[2m"
SKIPPED_SHOWN = 5  # without --verbose: the first few skipped files, then a count


def render(result: LintResult, options: RenderOptions | None = None) -> str:
    from irsalint.report import RenderOptions
    from irsalint.suppress import SourceCache

    options = options or RenderOptions()
    color = options.color
    show = shown_path(options.relative_to)
    sources = SourceCache(result.base)
    lines: list[str] = []
    for finding in result.findings:
        loc = finding.loc
        level = f"[{finding.level}]"
        if color:
            level = f"{_COLORS.get(finding.level, '')}{level}{_RESET}"
            rule = f"{_BOLD}{finding.rule_id}{_RESET}"
        else:
            rule = finding.rule_id
        mark = "[*] " if _fixable(finding, options.unsafe_fixes) else ""
        lines.append(f"{show(loc.path)}:{loc.line}:{loc.col}: {rule} {level} {mark}{finding.message}")
        if options.excerpt:
            lines.extend(_excerpt(finding, sources.lines(loc.path), color))
        for label, related in finding.related:
            lines.append(f"    {show(related.path)}:{related.line}:{related.col}: {label}")
    if options.quiet:
        return "".join(f"{line}\n" for line in lines)
    lines.extend(skipped_lines(result, options.verbose, show))
    lines.append(summary(result, options.timing))
    fixable = fixable_line(result.findings, options.unsafe_fixes)
    if fixable:
        lines.append(fixable)
    return "\n".join(lines) + "\n"


def _fixable(finding: Finding, unsafe: bool) -> bool:
    return finding.fix is not None and (unsafe or finding.fix.applicability == SAFE)


def fixable_line(findings: tuple[Finding, ...], unsafe: bool) -> str:
    """`2 fixable with --fix (1 more with --unsafe-fixes).`, or "" when nothing is."""
    safe = sum(1 for f in findings if _fixable(f, False))
    more = sum(1 for f in findings if f.fix is not None) - safe
    if unsafe and more:
        return f"{safe + more} fixable with --fix --unsafe-fixes."
    if safe:
        return f"{safe} fixable with --fix" + (f" ({more} more with --unsafe-fixes)." if more else ".")
    return f"{more} fixable with --fix --unsafe-fixes." if more else ""


def shown_path(relative_to: str | None) -> Callable[[str], str]:
    """Root-relative path -> the path to show: relative to `relative_to` (`../k8s/sa.yaml` for a
    file beside the working directory), or unchanged."""
    if not relative_to or relative_to == ".":
        return lambda path: path
    return lambda path: posixpath.relpath(path, relative_to)


def skipped_lines(result: LintResult, verbose: bool, show: Callable[[str], str] = str) -> list[str]:
    """`Skipped N paths:` and one indented `path: reason` per file; without verbose only the
    first few, then how many more."""
    skipped = result.project.skipped
    if not skipped:
        return []
    listed = skipped if verbose else skipped[:SKIPPED_SHOWN]
    lines = [f"Skipped {_plural(len(skipped), 'path')}:"]
    lines.extend(f"    {show(note.path)}: {note.reason}" for note in listed)
    if len(skipped) > len(listed):
        lines.append(f"    ... and {len(skipped) - len(listed)} more (-v lists them all)")
    return lines


def _excerpt(finding: Finding, source: list[str], color: bool) -> list[str]:
    loc = finding.loc
    if not 1 <= loc.line <= len(source):
        return []
    text = source[loc.line - 1].rstrip().expandtabs(1)
    gutter = f"{loc.line:>5} | "
    caret = " " * (len(gutter) - 2) + "| " + " " * max(loc.col - 1, 0) + "^"
    if color:
        return [f"{_DIM}{gutter}{_RESET}{text}", f"{_DIM}{caret}{_RESET}"]
    return [f"{gutter}{text}", caret]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def summary(result: LintResult, timing: bool = False) -> str:
    counts = Counter(f.level for f in result.findings)
    parts = [_plural(counts[level], level) for level in ("error", "warning", "note")]
    total = len(result.findings)
    head = "No findings" if total == 0 else f"Found {_plural(total, 'finding')}"
    extra = ""
    in_source = sum(1 for s in result.suppressed if s.kind == "inSource")
    baselined = len(result.suppressed) - in_source
    if in_source:
        extra += f", {in_source} suppressed"
    if baselined:
        extra += f", {baselined} in the baseline"
    skipped = len(result.project.skipped)
    tail = f", {skipped} skipped" if skipped else ""
    took = f" ({result.seconds:.2f}s)" if timing else ""
    return f"{head} ({', '.join(parts)}){extra} in {_plural(result.files_scanned, 'file')}{tail}{took}."
