"""Helm values as GitOps objects write them -> the leaves that can name or annotate a
ServiceAccount, each with the line it is written on.

A values tree can be a mapping inside a manifest (Flux `spec.values`, Argo CD
`helm.valuesObject`), a YAML string (Argo CD `helm.values`, a ConfigMap's `values.yaml` key) whose
positions are shifted to where the string sits in the file, or a whole file."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import yaml

from irsalint.model import Location
from irsalint.sources.gitops.records import Raw, ValueLeaf, ValuesDoc
from irsalint.yamlutil import compose_all

# Top-level keys (besides every `serviceAccount` block) that a ServiceAccount's name or namespace
# depends on: the charts' fullname inputs (irsalint/data/chart_defaults.json uses only these, a
# test checks it) and the namespace overrides some charts honour.
NAME_INPUTS: frozenset[tuple[str, ...]] = frozenset({
    ("nameOverride",), ("fullnameOverride",), ("cloudProvider",),
    ("namespaceOverride",), ("namespace",), ("global", "namespaceOverride"),
})  # fmt: skip
NAMESPACE_INPUTS: tuple[tuple[str, ...], ...] = (
    ("namespaceOverride",), ("namespace",), ("global", "namespaceOverride"),
)
_MAX_DEPTH = 24

Locate = Callable[[yaml.Node], Location]
Restore = Callable[[str], str]


def _same(text: str) -> str:
    return text


def raw_scalar(node: yaml.Node, restore: Restore = _same) -> Raw:
    """A scalar as written: text, bool or None (null). Callers pass scalars only."""
    if node.tag.endswith(":null"):
        return None
    if node.tag.endswith(":bool"):
        return str(node.value).lower() in ("true", "yes", "on", "y")
    return restore(str(node.value))


def is_service_account_key(key: str) -> bool:
    return key.lower() == "serviceaccount"


def values_from_node(node: yaml.Node | None, locate: Locate, restore: Restore = _same) -> ValuesDoc:
    """The ServiceAccount-relevant leaves of a values mapping (anything else: no leaves)."""
    if node is None or (isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")):
        return ValuesDoc(())
    if not isinstance(node, yaml.MappingNode):
        return ValuesDoc((), complete=False)
    leaves: list[ValueLeaf] = []
    _walk(node, (), False, locate, restore, leaves, 0)
    return ValuesDoc(tuple(leaves))


def _walk(
    node: yaml.MappingNode, prefix: tuple[str, ...], in_block: bool, locate: Locate, restore: Restore,
    leaves: list[ValueLeaf], depth: int,
) -> None:
    if depth > _MAX_DEPTH:
        return
    for key_node, value in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue
        key = restore(str(key_node.value))
        path = (*prefix, key)
        block = in_block or is_service_account_key(key)
        if isinstance(value, yaml.ScalarNode):
            if block or path in NAME_INPUTS:
                leaves.append(ValueLeaf(path, raw_scalar(value, restore), locate(key_node)))
        elif isinstance(value, yaml.MappingNode):
            _walk(value, path, block, locate, restore, leaves, depth + 1)


def node_locator(path: str, line_offset: int = 0, col_offset: int = 0) -> Locate:
    def locate(node: yaml.Node) -> Location:
        start, end = node.start_mark, node.end_mark
        return Location(path, start.line + 1 + line_offset, start.column + 1 + col_offset,
                        end.line + 1 + line_offset, end.column + 1 + col_offset)

    return locate


def values_from_text(text: str, locate: Locate, restore: Restore = _same) -> ValuesDoc:
    """A values YAML string; `locate` places its nodes in the file that holds the string."""
    try:
        documents = [d for d in compose_all(text) if d is not None]
    except (yaml.YAMLError, RecursionError, ValueError):
        return ValuesDoc((), complete=False)
    if not documents:
        return ValuesDoc(())
    if len(documents) > 1:
        return ValuesDoc((), complete=False)
    return values_from_node(documents[0], locate, restore)


def string_locator(node: yaml.ScalarNode, path: str, lines: Sequence[str], fallback: Location) -> Locate:
    """Where the lines of a YAML string value sit in its file: a literal block scalar (`|`) keeps
    its lines, shifted by its indentation (as kustomize inline patches are placed); any other
    string (folded, quoted, plain) points every node at `fallback`."""
    if node.style != "|":
        return lambda _node: fallback
    first_line = node.start_mark.line + 1  # 0-based index of the block's first content line
    indent = 0
    for line in lines[first_line : first_line + 200]:
        if line.strip():
            indent = len(line) - len(line.lstrip(" "))
            break
    return node_locator(path, first_line, indent)


def values_from_string(
    node: yaml.ScalarNode, path: str, lines: Sequence[str], fallback: Location, restore: Restore = _same
) -> ValuesDoc:
    return values_from_text(str(node.value), string_locator(node, path, lines, fallback), restore)
