"""The one place that picks a YAML loader: libyaml's CSafeLoader when available, else SafeLoader.

Only the composer is used (nodes with positions); nothing is ever constructed from tags, so
unknown tags such as CloudFormation's `!Ref` are harmless and aliases are never expanded."""

from __future__ import annotations

from typing import Any

import yaml

try:
    Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    Loader = yaml.SafeLoader

_BOOLS = {
    "yes": True, "true": True, "on": True, "y": True,
    "no": False, "false": False, "off": False, "n": False,
}  # fmt: skip


def compose_all(text: str) -> list[yaml.Node | None]:
    """Every document of a YAML stream as a node tree (raises yaml.YAMLError)."""
    return list(yaml.compose_all(text, Loader=Loader))


def scalar_bool(node: yaml.Node | None) -> bool | None:
    if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":bool"):
        return _BOOLS.get(str(node.value).lower())
    return None
