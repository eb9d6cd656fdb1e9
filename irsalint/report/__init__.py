"""Reporters: LintResult -> text. One module per format; FORMATS maps --format to it."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from irsalint.engine import LintResult


def _text(result: LintResult, color: bool) -> str:
    from irsalint.report.text import render

    return render(result, color)


def _json(result: LintResult, color: bool) -> str:
    from irsalint.report.json import render

    return render(result)


def _sarif(result: LintResult, color: bool) -> str:
    from irsalint.report.sarif import render

    return render(result)


FORMATS: Mapping[str, Callable[[LintResult, bool], str]] = {
    "text": _text,
    "json": _json,
    "sarif": _sarif,
}
