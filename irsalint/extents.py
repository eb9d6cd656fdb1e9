"""Which lines an `irsalint.dev/ignore` annotation covers: the object it is written in, taken from
the parsers' positions, never from scanning text for braces or `---`.

- HCL (`*.tf`): the top-level block (`resource "kubernetes_service_account_v1" "x" { ... }`) whose
  extent (`Block.loc.line` .. `Block.loc.end_line`) holds the annotation. Comments, strings and
  heredocs holding braces cannot move it: the parser knows them.
- YAML and JSON (manifests, `*.tf.json`): the innermost mapping around the annotation that is a
  Kubernetes object (has `kind`; a `kind: List` item, not the List), else the one that has
  `metadata` (a Terraform JSON resource body), else the mapping holding `annotations` (a Helm values
  `serviceAccount:`). Its lines run from its first key to its last value.

When the file does not parse, is over 4 MB (YAML), or the annotation is not found as a key (it sits
inside a string: an inline kustomize patch), only the annotation's own line is covered: never more
than its object.
"""

from __future__ import annotations

from collections.abc import Iterator

import yaml

Extent = tuple[int, int]  # first and last line, 1-based, inclusive
# Composing every node of a big dump costs ~50x its size in memory (yamlutil): past this size an
# annotation covers its own line only.
MAX_COMPOSED = 4 * 1024 * 1024


def object_extent(path: str, text: str, line: int, key: str) -> Extent:
    """The lines of the object whose annotation `key` is written at `line` (1-based)."""
    if path.endswith((".tf", ".tfvars")):
        return _hcl_extent(path, text, line)
    return _yaml_extent(text, line, key)


def _hcl_extent(path: str, text: str, line: int) -> Extent:
    from irsalint.load.hcl import HclSyntaxError, parse_hcl

    try:
        body = parse_hcl(text.removeprefix("\ufeff"), path)
    except HclSyntaxError:
        return line, line
    for block in body.blocks:
        first, last = block.loc.line, block.loc.end_line
        if first <= line <= last:
            return first, last
    return line, line


def _yaml_extent(text: str, line: int, key: str) -> Extent:
    from irsalint.yamlutil import compose_documents

    if len(text) > MAX_COMPOSED:
        return line, line
    try:
        for document in compose_documents(text):
            if document is None or not _start(document) <= line <= last_line(document):
                continue
            chain = _path_to_key(document, line, key)
            if chain is None:
                break
            for wanted in ("kind", "metadata"):
                for node in reversed(chain):
                    if _has_key(node, wanted):
                        return _start(node), last_line(node)
            holder = chain[-2] if len(chain) > 1 else chain[-1]  # the mapping holding `annotations`
            return _start(holder), last_line(holder)
    except (yaml.YAMLError, RecursionError, ValueError):
        pass
    return line, line


def _start(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def last_line(node: yaml.Node) -> int:
    """The line of the node's last character. Not its end mark: a block mapping ends where the next
    key starts, which can be on the next object's first line."""
    last = _start(node)
    stack = [node]
    while stack:
        current = stack.pop()
        end = current.end_mark
        if isinstance(current, yaml.ScalarNode):
            # a block scalar (`|`) ends at column 0 of the line after its text
            below = end.column == 0 and end.line > current.start_mark.line
            last = max(last, int(end.line) + (0 if below else 1))
            continue
        if getattr(current, "flow_style", False) or not current.value:  # `{a: 1}`, `[]`: the closing bracket
            last = max(last, int(end.line) + 1)
        if isinstance(current, yaml.MappingNode):
            stack.extend(item for pair in current.value for item in pair)
        else:
            stack.extend(current.value)
    return last


def _has_key(node: yaml.Node, key: str) -> bool:
    return isinstance(node, yaml.MappingNode) and any(
        isinstance(k, yaml.ScalarNode) and k.value == key for k, _ in node.value
    )


def _path_to_key(root: yaml.Node, line: int, key: str) -> list[yaml.MappingNode] | None:
    """The mappings from the document root down to the one holding `key` written at `line`."""
    for chain in _mapping_chains(root, []):
        holder = chain[-1]
        for key_node, _ in holder.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key and _start(key_node) == line:
                return chain
    return None


def _mapping_chains(node: yaml.Node, chain: list[yaml.MappingNode]) -> Iterator[list[yaml.MappingNode]]:
    stack: list[tuple[yaml.Node, list[yaml.MappingNode]]] = [(node, chain)]
    seen: set[int] = set()
    while stack:
        current, above = stack.pop()
        if id(current) in seen:  # an alias: the same node again
            continue
        seen.add(id(current))
        if isinstance(current, yaml.MappingNode):
            here = [*above, current]
            yield here
            stack.extend((value, here) for _, value in current.value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((item, above) for item in current.value)
