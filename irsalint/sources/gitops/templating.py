"""Argo CD ApplicationSet templates: `{{name}}`, `{{ .values.addonChart }}`, unquoted or inside
strings. The file is read with each one-line `{{...}}` replaced by a token that YAML reads as
plain text (an unquoted `{{x}}` would be a flow mapping), and every value read is restored to
what was written, so the placeholder is a hole of a partly known value, never text we compare.

Only ApplicationSets outside a chart's `templates/` directory are read this way; a Helm chart
template (with `{{- if }}` blocks and the like) stays skipped."""

from __future__ import annotations

import re
from collections.abc import Callable

_TEMPLATE_RE = re.compile(r"\{\{[^\n{}]*(?:\{[^\n{}]*\}[^\n{}]*)*\}\}")
_APPLICATION_SET_RE = re.compile(r"^kind:\s*[\"']?ApplicationSet[\"']?\s*$", re.MULTILINE)
_ARGO_API_RE = re.compile(r"^apiVersion:\s*[\"']?argoproj\.io/", re.MULTILINE)
# A token YAML reads as plain text anywhere a scalar may start; letters and digits only inside.
_TOKEN = "\u27e6{}\u27e7"
_TOKEN_RE = re.compile("\u27e6(\\d+)\u27e7")


def is_templated_application_set(path: str, text: str) -> bool:
    """An ApplicationSet file (not a chart template) whose `{{ }}` are Argo CD's."""
    if "/templates/" in f"/{path}":
        return False
    return _APPLICATION_SET_RE.search(text) is not None and _ARGO_API_RE.search(text) is not None


def neutralize(text: str) -> tuple[str, Callable[[str], str]]:
    """`text` with its `{{...}}` replaced by tokens, and the function that restores a value.
    Tokens keep line numbers; a line's columns after a token may shift."""
    found: list[str] = []

    def token(match: re.Match[str]) -> str:
        found.append(match.group(0))
        return _TOKEN.format(len(found) - 1)

    neutral = _TEMPLATE_RE.sub(token, text)

    def restore(value: str) -> str:
        if "\u27e6" not in value:
            return value
        return _TOKEN_RE.sub(lambda m: found[int(m.group(1))] if int(m.group(1)) < len(found) else m.group(0), value)

    return neutral, restore
