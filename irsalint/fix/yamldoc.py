"""A YAML (or JSON) text fully composed, with absolute character offsets: the scalar sites, the
entry whose key starts at an offset, and where a new entry goes after an existing one.

libyaml's marks carry character indexes into the text it was given (code points, CRLF = 2), which
are the offsets edits use. `base` shifts them for JSON embedded in a larger file (a heredoc)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from irsalint.fix.quote import plain_tag
from irsalint.fix.sites import OPAQUE, YAML_PLAIN, Site
from irsalint.fix.source import SourceText
from irsalint.record import record
from irsalint.yamlutil import compose_documents

_MAX_DEPTH = 200


@record
class YEntry:
    mapping: MappingNode
    key: ScalarNode
    value: Node
    parent: YEntry | None  # the entry whose value holds `mapping` (None at a document's top)


class YamlIndex:
    def __init__(self, text: str, base: int = 0) -> None:
        """Raises yaml.YAMLError (and RecursionError/ValueError) like the loaders do."""
        self.base = base
        self.text = text
        self.entries: list[YEntry] = []
        self.items: list[tuple[SequenceNode, Node]] = []
        self.documents = [d for d in compose_documents(text) if d is not None]
        seen: set[int] = set()
        for document in self.documents:
            self._walk(document, None, seen)

    def _walk(self, root: Node, parent: YEntry | None, seen: set[int]) -> None:
        stack: list[tuple[Node, YEntry | None, int]] = [(root, parent, 0)]
        while stack:
            node, owner, depth = stack.pop()
            if id(node) in seen or depth > _MAX_DEPTH:
                continue  # an alias: its marks are the anchor's, never edited through it
            seen.add(id(node))
            if isinstance(node, MappingNode):
                for key, value in node.value:
                    if isinstance(key, ScalarNode):
                        entry = YEntry(node, key, value, owner)
                        self.entries.append(entry)
                        stack.append((value, entry, depth + 1))
            elif isinstance(node, SequenceNode):
                for item in node.value:
                    self.items.append((node, item))
                    stack.append((item, owner, depth + 1))

    def start(self, node: Node) -> int:
        return self.base + int(node.start_mark.index)

    def end(self, node: Node) -> int:
        return self.base + int(node.end_mark.index)

    def literal_blocks(self) -> Iterator[tuple[int, int, str]]:
        """(start, end, value) of every `|` block scalar, tagged ones too (CloudFormation `!Sub |`)."""
        for node in [e.value for e in self.entries] + [item for _, item in self.items]:
            if isinstance(node, ScalarNode) and node.style == "|":
                yield self.start(node), self.end(node), str(node.value)

    def entry_at(self, offset: int) -> YEntry | None:
        """The entry whose key starts at `offset`."""
        for entry in self.entries:
            if self.start(entry.key) == offset:
                return entry
        return None

    def entries_on_line(self, source: SourceText, line: int) -> list[YEntry]:
        return [e for e in self.entries if source.line_of(self.start(e.key)) == line]

    def sites(self) -> Iterator[Site]:
        for entry in self.entries:
            yield self._site(entry.value, entry.key, id(entry.mapping))
        for sequence, item in self.items:
            if isinstance(item, ScalarNode):
                yield self._site(item, None, id(sequence))

    def _site(self, node: Node, key: ScalarNode | None, container: int) -> Site:
        key_start = self.start(key) if key is not None else None
        key_text = str(key.value) if key is not None else None
        first = self.text[node.start_mark.index : node.start_mark.index + 1]
        aliased = key is not None and node.start_mark.index < key.end_mark.index  # the anchor's marks
        if not isinstance(node, ScalarNode) or first in ("&", "!", "*") or aliased:
            # a tagged value (`!Sub`, `!!str`), an anchor or an alias: not a plain string we rewrite
            return Site(self.start(node), self.end(node), "", OPAQUE, key_start, key_text, container)
        style = node.style or YAML_PLAIN
        tag = plain_tag(str(node.value)) if style == YAML_PLAIN else ""
        return Site(self.start(node), self.end(node), str(node.value), style, key_start, key_text, container, tag)


def content_end(index: YamlIndex, node: Node, source: SourceText) -> int:
    """Where the text of a value ends: its last scalar or flow collection (a block collection's
    end mark lies at the next token, past comments and blank lines); -1 when no line can follow it
    without changing it."""
    while isinstance(node, (MappingNode, SequenceNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, MappingNode) else last
    text = source.text
    if isinstance(node, ScalarNode) and node.style in ("|", ">"):
        header = text[index.start(node) : source.line_end(index.start(node))]
        if "+" in header.split("#", 1)[0]:
            return -1  # `|+` keeps its trailing blank lines: a line inserted after it would change it
    end = index.end(node)
    while end > 0 and text[end - 1] in " \t\r\n":
        end -= 1
    return end


_KEY_TEXT_RE = re.compile(r"[ \t]*:[ \t]*\Z")


def entry_after(
    index: YamlIndex, source: SourceText, entry: YEntry, new_key: str, new_value: str
) -> tuple[int, str] | None:
    """(offset, text) inserting `new_key: new_value` right after `entry`, in its mapping's style:
    a new line indented like the entry's key (block), or `, key: value` (flow, on a new line when
    the entries are on lines of their own). None when the layout is not one we can follow."""
    text = source.text
    key_start, key_end = index.start(entry.key), index.end(entry.key)
    value_start = index.start(entry.value)
    between = text[key_end:value_start]
    colon = between if _KEY_TEXT_RE.match(between) else ": "
    if not entry.mapping.flow_style and not colon.endswith((" ", "\t")):
        colon = ": "  # a block entry whose value sits on the next line
    if entry.mapping.flow_style:
        end = index.end(entry.value)
        if end <= key_end:
            return None
        indent = source.indent_before(key_start)
        if indent is not None and source.line_of(key_start) != source.line_of(index.start(entry.mapping)):
            separator = source.newline(key_start) + indent
        else:
            separator = " "
        return end, f",{separator}{new_key}{colon}{new_value}"
    prefix = text[source.line_start(key_start) : key_start]
    if prefix.strip(" -") or "\t" in prefix:
        return None  # `? key` or something else before the key: not a layout we write into
    last = content_end(index, entry.value, source)
    if last <= key_start:
        return None  # an alias (the anchor's marks), a `|+` block, an empty value before its key
    at = source.line_end(last - 1)
    return at, f"{source.newline(key_start)}{' ' * len(prefix)}{new_key}{colon}{new_value}"
