"""Reporters: LintResult -> text. One module per format; FORMATS maps --format to it."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from irsalint.engine import LintResult
from irsalint.record import record


@record
class RenderOptions:
    """How a report is rendered (colours, excerpts, timing, SARIF options)."""

    color: bool = False  # ANSI colours (text)
    excerpt: bool = False  # the offending source line under each finding (text, interactive only)
    timing: bool = False  # the elapsed time in the summary (text only: json/sarif stay deterministic)
    include_suppressed: bool = False  # SARIF: suppressed results with `suppressions`
    category: str | None = None  # SARIF: runs[0].automationDetails.id (GitHub's analysis category)
    verbose: bool = False  # text: list every skipped file (default: the first few)
    quiet: bool = False  # text: the findings only (no skipped files, no summary)
    # text: show paths relative to this directory, itself relative to the root (the working
    # directory, for clickable paths); None: as reported (relative to the root)
    relative_to: str | None = None
    unsafe_fixes: bool = False  # text: unsafe fixes count as applicable ([*]) too


def _text(result: LintResult, options: RenderOptions) -> str:
    from irsalint.report.text import render

    return render(result, options)


def _json(result: LintResult, options: RenderOptions) -> str:
    from irsalint.report.json import render

    return render(result)


def _sarif(result: LintResult, options: RenderOptions) -> str:
    from irsalint.report.sarif import render

    return render(result, options.include_suppressed, options.category)


def _github(result: LintResult, options: RenderOptions) -> str:
    from irsalint.report.github import render

    return render(result)


def _junit(result: LintResult, options: RenderOptions) -> str:
    from irsalint.report.junit import render

    return render(result)


def _gitlab_sast(result: LintResult, options: RenderOptions) -> str:
    from irsalint.report.gitlab import render

    return render(result)


FORMATS: Mapping[str, Callable[[LintResult, RenderOptions], str]] = {
    "text": _text,
    "json": _json,
    "sarif": _sarif,
    "github": _github,
    "junit": _junit,
    "gitlab-sast": _gitlab_sast,
}
