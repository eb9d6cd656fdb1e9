"""Substitution placeholders (Flux/Argo/envsubst `${VAR}`, Helm/Go `{{ }}`): values we cannot know."""

from __future__ import annotations

import re

_PLACEHOLDER_RE = re.compile(r"\$\{[^}]*\}|\{\{.*?\}\}|\$\(\w+\)|<[A-Z_][A-Z0-9_-]*>", re.DOTALL)


def has_placeholder(text: str) -> bool:
    return _PLACEHOLDER_RE.search(text) is not None
