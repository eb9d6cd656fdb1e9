"""The one place that reads YAML: libyaml's event parser (CParser when available) and our own
composer over its events.

Nothing is ever constructed from tags, so unknown tags such as CloudFormation's `!Ref` (or
`!!python/object`) are harmless. PyYAML's composer is not used, because on hostile input it:
- builds a node with two position marks for every scalar of the file, ~1.7 GB for a dense 30 MB
  manifest, when the linter reads a few dozen keys per object (see `keep` below);
- accepts alias bombs (9 levels of 9 aliases: 387 million nodes once expanded) and recursive
  aliases, which every consumer walking the tree would then expand; the Kubernetes YAML decoder
  rejects both ("excessive aliasing", "anchor ... contains itself"), so do we, with the alias's
  position;
- recurses in C for nested collections (the parser itself is iterative; we keep our own stack).
A small file with no anchor has none of these problems: libyaml's composer reads it (the same
nodes, faster; see _small_and_plain).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

try:
    Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    Loader = yaml.SafeLoader

_BOOLS = {
    "yes": True, "true": True, "on": True, "y": True,
    "no": False, "false": False, "off": False, "n": False,
}  # fmt: skip

MAX_DEPTH = 10_000  # the Kubernetes YAML decoder's limit (go-yaml: "exceeded max depth of 10000")

_KEEP_ALL, _PRUNED, _SKIP = 0, 1, 2
# the implicit tags (bool, int, null...) of CSafeLoader / SafeLoader
_resolve_uncached: Callable[[type[yaml.Node], Any, Any], str] = yaml.resolver.Resolver().resolve
_NO_KEY: Any = object()
# A scalar's tag depends on its text and style only (no path resolver is registered), and a
# repository repeats the same few texts (`v1`, `ServiceAccount`, `true`, names...): remembered,
# composing the 1k-service corpus's 2,001 manifests takes 62 ms instead of 77. Short texts only,
# and a bounded number of them, so that a file of distinct values cannot grow the memo.
_RESOLVED: dict[tuple[type[yaml.Node], Any, Any], str] = {}
_RESOLVED_MAX = 16_384
_RESOLVED_MAX_CHARS = 64


def _resolve(kind: type[yaml.Node], value: Any, implicit: Any) -> str:
    key = (kind, value, implicit)
    tag = _RESOLVED.get(key)
    if tag is None:
        tag = _resolve_uncached(kind, value, implicit)
        if len(_RESOLVED) < _RESOLVED_MAX and (value is None or len(value) <= _RESOLVED_MAX_CHARS):
            _RESOLVED[key] = tag
    return tag


class ComposeError(yaml.MarkedYAMLError):
    """Valid YAML syntax the Kubernetes decoder refuses: alias bombs, recursive aliases, depth."""


def allowed_alias_ratio(decoded: int) -> float:
    """go-yaml's (and so the Kubernetes API server's and kubectl's) limit on the share of nodes
    reached through aliases: 99% for small documents, down to 10% from 4 million nodes on."""
    if decoded <= 400_000:
        return 0.99
    if decoded >= 4_000_000:
        return 0.10
    return 0.99 - 0.89 * (decoded - 400_000) / 3_600_000


class _Frame:
    __slots__ = ("anchor", "is_map", "key", "mode", "node", "start", "stream", "value_mode")

    def __init__(self, node: Any, mode: int, is_map: bool, anchor: str | None, start: int) -> None:
        self.node = node  # None when skipped
        self.mode = mode
        self.is_map = is_map
        self.key: Any = _NO_KEY  # mappings: the key whose value comes next
        self.value_mode = _KEEP_ALL
        self.anchor = anchor
        self.start = start  # the expanded-node counter when the collection started
        self.stream = False  # sequences: items go to on_item, not into the node


class _Composer:
    """One document's events -> nodes (yaml.Node classes, as PyYAML's composer makes them).

    With `keep`, a mapping value is only composed when its key is in `keep`, or when the mapping
    is inside the value of a key in `keep_all_under` (everything is kept there); the rest of the
    document is read and checked but not stored. Anchored nodes are always composed in full, so an
    alias means the same wherever it is used."""

    def __init__(
        self,
        get_event: Any,
        keep: frozenset[str] | None,
        keep_all_under: frozenset[str],
        reject_alias_bombs: bool,
        on_item: Callable[[Any], None] | None,
    ) -> None:
        self.get_event = get_event
        self.keep = keep
        self.keep_all_under = keep_all_under
        self.reject_alias_bombs = reject_alias_bombs
        self.on_item = on_item
        self.anchors: dict[str, Any] = {}
        self.sizes: dict[str, int] = {}  # anchor -> node count once expanded (absent: in progress)
        self.expanded = 0  # nodes so far, aliases expanded
        self.via_alias = 0  # of which reached through an alias

    def document(self) -> Any:
        stack: list[_Frame] = []
        get_event = self.get_event
        while True:
            event = get_event()
            kind = type(event)
            if kind is ScalarEvent:
                mode = self._mode(stack, collection=False)
                self.expanded += 1
                node: Any = None
                if mode != _SKIP or event.anchor is not None:
                    tag = event.tag
                    if tag is None or tag == "!":
                        tag = _resolve(ScalarNode, event.value, event.implicit)
                    node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
                    if event.anchor is not None:
                        self.anchors[event.anchor] = node
                        self.sizes[event.anchor] = 1
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                mode = self._mode(stack, collection=True)
                if event.anchor is not None:
                    mode = _KEEP_ALL
                if len(stack) >= MAX_DEPTH:
                    problem = f"nested more than {MAX_DEPTH} levels deep"
                    raise ComposeError(None, None, problem, event.start_mark)
                node = None
                if mode != _SKIP:
                    tag = event.tag
                    node_class = MappingNode if kind is MappingStartEvent else SequenceNode
                    if tag is None or tag == "!":
                        tag = _resolve(node_class, None, event.implicit)
                    node = node_class(tag, [], event.start_mark, None, flow_style=event.flow_style)
                if event.anchor is not None:
                    self.anchors[event.anchor] = node
                    self.sizes.pop(event.anchor, None)  # in progress: an alias to it now is recursive
                frame = _Frame(node, mode, kind is MappingStartEvent, event.anchor, self.expanded)
                if (
                    self.on_item is not None
                    and kind is SequenceStartEvent
                    and mode == _PRUNED
                    and len(stack) == 1
                    and stack[0].is_map
                    and isinstance(stack[0].key, ScalarNode)
                    and stack[0].key.value == "items"
                ):
                    frame.stream = True
                stack.append(frame)
                self.expanded += 1
                continue
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                frame = stack.pop()
                node = frame.node
                if node is not None:
                    node.end_mark = event.end_mark
                if frame.anchor is not None and self.anchors.get(frame.anchor) is node:
                    self.sizes[frame.anchor] = self.expanded - frame.start
            elif kind is AliasEvent:
                node = self._alias(event)  # the anchored node itself, shared: never copied
            else:  # pragma: no cover - libyaml emits nothing else inside a document
                mark = getattr(event, "start_mark", None)
                raise ComposeError(None, None, f"unexpected {kind.__name__}", mark)
            if not stack:
                get_event()  # DocumentEndEvent
                return node
            self._add(stack[-1], node)

    def _mode(self, stack: list[_Frame], collection: bool) -> int:
        """How to compose the next child of the innermost open collection."""
        if not stack:
            return _KEEP_ALL if self.keep is None else _PRUNED
        frame = stack[-1]
        if frame.mode != _PRUNED or not frame.is_map:
            return frame.mode
        if frame.key is _NO_KEY:  # a key: scalars are read (we need their text), collections are not
            return _SKIP if collection else _KEEP_ALL
        return frame.value_mode

    def _add(self, frame: _Frame, node: Any) -> None:
        if frame.mode == _SKIP:
            return
        if not frame.is_map:
            if node is None:
                return
            if frame.stream and self.on_item is not None:
                self.on_item(node)  # read now and dropped: a List's items are never all in memory
            else:
                frame.node.value.append(node)
            return
        if frame.key is _NO_KEY:
            frame.key = node
            if frame.mode == _KEEP_ALL:
                frame.value_mode = _KEEP_ALL
            elif isinstance(node, ScalarNode) and self.keep is not None and node.value in self.keep:
                frame.value_mode = _KEEP_ALL if node.value in self.keep_all_under else _PRUNED
            else:
                frame.value_mode = _SKIP
            return
        if frame.value_mode != _SKIP and frame.key is not None and node is not None:
            frame.node.value.append((frame.key, node))
        frame.key = _NO_KEY

    def _alias(self, event: Any) -> Any:
        anchor = event.anchor
        if anchor not in self.anchors:
            raise ComposeError(None, None, f"found undefined alias {anchor!r}", event.start_mark)
        size = self.sizes.get(anchor)
        if size is None:
            problem = f"alias *{anchor} inside its own anchor (a recursive alias): Kubernetes rejects it"
            raise ComposeError(None, None, problem, event.start_mark)
        self.expanded += size
        self.via_alias += size
        if (
            self.reject_alias_bombs
            and self.via_alias > 100
            and self.expanded > 1000
            and self.via_alias / self.expanded > allowed_alias_ratio(self.expanded)
        ):
            problem = (
                f"alias *{anchor} makes the document too large once expanded ({self.expanded} nodes, "
                f"{self.via_alias} through aliases): an alias bomb, which Kubernetes rejects as excessive "
                "aliasing"
            )
            raise ComposeError(None, None, problem, event.start_mark)
        return self.anchors[anchor]


def compose_documents(
    text: str,
    keep: frozenset[str] | None = None,
    keep_all_under: frozenset[str] = frozenset(),
    reject_alias_bombs: bool = True,
    on_item: Callable[[Any], None] | None = None,
) -> Iterator[yaml.Node | None]:
    """Every document of a YAML stream as a node tree, one at a time (raises yaml.YAMLError).

    `keep`: the mapping keys whose values are composed (None: everything); see _Composer.
    `reject_alias_bombs=False` accepts documents Kubernetes would reject as excessive aliasing: only
    for callers that never walk the tree recursively (aliases are shared nodes, never copied).
    `on_item` (with `keep` only): each item of the document's top-level `items` sequence (a `v1/List`,
    as `kubectl get -o yaml` writes it) is passed to on_item when complete, and not kept in the
    tree: the sequence node comes back empty. The document's kind is only known at its end
    (`kind: List` follows `items`), so on_item must be ready to discard what it read."""
    if _FAST_COMPOSER and _small_and_plain(text):
        try:
            documents = _compose_in_c(text)
        except yaml.YAMLError:
            documents = None  # the error, and where it is, as our composer reports it
        if documents is not None:
            yield from documents
            return
    loader = Loader(text)
    try:
        get_event = loader.get_event
        get_event()  # StreamStartEvent
        while True:
            event = get_event()  # DocumentStartEvent or StreamEndEvent
            if isinstance(event, StreamEndEvent):
                return
            yield _Composer(get_event, keep, keep_all_under, reject_alias_bombs, on_item).document()
    finally:
        loader.dispose()


# libyaml's own composer (C) builds the same nodes as ours, ~40% faster, when there is nothing to
# guard against: no anchor (so no alias to expand), too small for `keep` to matter, too shallow
# for its recursion (C, unbounded before libyaml 0.2.5) to matter. A depth is bounded by the line
# breaks (YAML 1.1 counts \r, NEL, LS and PS too), flow brackets and block indicators that open it.
_FAST_COMPOSER = Loader is not yaml.SafeLoader and not Loader.yaml_path_resolvers
_FAST_MAX_CHARS = 65_536
_FAST_MAX_OPENINGS = 1_000
_OPENINGS = ("\n", "\r", "\x85", "\u2028", "\u2029", "[", "{", "-", "?")


def _small_and_plain(text: str) -> bool:
    return (
        len(text) <= _FAST_MAX_CHARS
        and "&" not in text
        and sum(map(text.count, _OPENINGS)) < _FAST_MAX_OPENINGS
    )


class _FastLoader(Loader):  # type: ignore[misc]
    """libyaml's composer, its implicit tags resolved through the memo above (and no path
    resolver to descend into or out of, as none is registered)."""

    resolve = staticmethod(_resolve)  # libyaml's composer calls it for every node: no extra frame

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


def _compose_in_c(text: str) -> list[yaml.Node | None]:
    """Every document, composed by libyaml's composer (raises yaml.YAMLError)."""
    loader = _FastLoader(text)
    try:
        documents = []
        while loader.check_node():
            documents.append(loader.get_node())
        return documents
    finally:
        loader.dispose()


def compose_all(text: str) -> list[yaml.Node | None]:
    """Every document of a YAML stream as a full node tree (raises yaml.YAMLError)."""
    return list(compose_documents(text))


def scalar_bool(node: yaml.Node | None) -> bool | None:
    if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":bool"):
        return _BOOLS.get(str(node.value).lower())
    return None


def get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """A mapping's value for `key`; the last duplicate wins, as in the API server's decoder and
    in json.loads."""
    if not isinstance(node, yaml.MappingNode):
        return None
    found: yaml.Node | None = None
    for key_node, value in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            found = value
    return found


def get_key(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """The key node itself (for its line)."""
    if not isinstance(node, yaml.MappingNode):
        return None
    found = None
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            found = key_node
    return found


def text_of(node: yaml.Node | None) -> str | None:
    """A scalar's text (None for a null, a mapping or a sequence)."""
    if isinstance(node, yaml.ScalarNode) and not node.tag.endswith(":null"):
        return str(node.value)
    return None
