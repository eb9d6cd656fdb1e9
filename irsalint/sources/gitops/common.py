"""Small YAML helpers shared by the GitOps readers."""

from __future__ import annotations

from collections.abc import Callable

import yaml

from irsalint.model import Str
from irsalint.sources.gitops.records import Raw
from irsalint.sources.gitops.values import raw_scalar

# What a field that is there but not a scalar reads as: a placeholder, so the value is unknown.
UNREADABLE = "<unreadable>"

Restore = Callable[[str], str]


def same(text: str) -> str:
    return text


def raw(node: yaml.Node | None, restore: Restore = same) -> Raw:
    """A field as written: None when absent or null, text (or bool) for a scalar, UNREADABLE
    otherwise."""
    if node is None:
        return None
    if isinstance(node, yaml.ScalarNode):
        return raw_scalar(node, restore)
    return UNREADABLE


def raw_text(node: yaml.Node | None, restore: Restore = same) -> str | None:
    """A field as text (a bool as `true`/`false`); None when absent or null."""
    value = raw(node, restore)
    return str(value).lower() if isinstance(value, bool) else value


def flag(node: yaml.Node | None) -> bool:
    value = raw(node)
    return value is True or (isinstance(value, str) and value.lower() == "true")


def contains(outer: str, inner: str) -> bool:
    """Directory `outer` holds `inner` (`` is the repository root)."""
    return outer == "" or inner == outer or inner.startswith(outer + "/")


def show(value: Str | None) -> str:
    return value if isinstance(value, str) else "?"
