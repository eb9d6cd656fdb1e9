"""HCL text -> top-level blocks and attributes and the first error, parsed by tree-sitter-hcl (C)
and walked by `load/hcl_walk.py`.

On a syntax error the top-level blocks and attributes that parsed without an error inside them
are kept, and the parse resumes after a broken one (docs/design.md, "Parser"). Two valid forms
tree-sitter-hcl misreads are repaired by a second parse. The work per file is bounded.
"""

from __future__ import annotations

import functools
import itertools
import re
from typing import TYPE_CHECKING

from irsalint.load.hcl import Attribute, Block, Body, Expr, HclSyntaxError, Opaque, relocate
from irsalint.load.hcl_walk import Walker, value_of
from irsalint.model import Location

if TYPE_CHECKING:
    from tree_sitter import Node, Parser


@functools.lru_cache(maxsize=1)
def _parser() -> Parser:
    import tree_sitter
    import tree_sitter_hcl

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))


def parse(text: str, path: str) -> tuple[Body, HclSyntaxError | None]:
    """The file's cleanly parsed top-level items and its first error (syntax before nesting).

    After a broken top-level item the parse starts again at the next line that opens a block or
    an attribute in column 0 (the rest of the file alone, at its real offsets): an unclosed brace
    or a stray one does not hide the blocks after it."""
    source = (text + "\n").encode("utf-8", "surrogatepass")  # lone surrogates: str API only
    walker = Walker(path, source, parse_interpolation)  # texts come from the source as written
    attributes: list[Attribute] = []
    blocks: list[Block] = []
    error: HclSyntaxError | None = None
    start = 0
    work = _Work(len(source))
    for attempt in range(_RESYNCS + 1):
        root = _tree(source, start, work)
        if attempt == 0:
            error = walker.syntax_error(root, text) if root.has_error else None
            if any(c.type == "object" for c in root.children):  # a JSON-like object: not HCL native syntax
                error = error or walker.unexpected(root.children[0].start_byte, text)
        items = _top_level(root)
        broken = next((i for i, item in enumerate(items) if not _clean(item)), len(items))
        restart = _next_item_line(source, items[broken].start_byte) if broken < len(items) else None
        if restart is not None and (attempt == _RESYNCS or not work.allows(len(source) - restart)):
            restart = None
        if restart is None:
            take = [item for item in items if _clean(item)]  # tree-sitter's own recovery
        else:
            take = items[:broken]
        for item in take:
            walker.depth = 0
            try:
                if item.type == "attribute":
                    attributes.append(walker.attribute(item))
                else:
                    blocks.append(walker.block(item))
            except HclSyntaxError as problem:  # too deep (or a number HCL does not have)
                error = error or problem
        if restart is None:
            break
        start = restart
    return Body(tuple(attributes), tuple(blocks)), error


_RESYNCS = 4  # each costs a parse of the rest of the file
_ITEM_LINE_RE = re.compile(
    rb"^[A-Za-z_][A-Za-z0-9_-]*(?:[ \t]+(?:\"(?:[^\"\\\n]|\\.)*\"|[A-Za-z_][A-Za-z0-9_-]*))*[ \t]*(?:\{|=(?![=>]))",
    re.MULTILINE,
)


def _top_level(root: Node) -> list[Node]:
    """The file's top-level items in order; anything but the file's own body's children (an ERROR
    node, a JSON-like object) is broken as a whole: blocks inside it may be a broken block's own."""
    if root.type != "config_file":
        return [root]
    items: list[Node] = []
    for child in root.children:
        if child.type == "body":
            items.extend(c for c in child.children if c.type != "comment")
        elif child.type != "comment":
            items.append(child)
    return items


def _clean(item: Node) -> bool:
    return item.type in ("attribute", "block") and not item.has_error


def _next_item_line(source: bytes, after: int) -> int | None:
    """The start of the first line after the one holding `after` that opens a block or an
    attribute in column 0."""
    line_end = source.find(b"\n", after)
    match = _ITEM_LINE_RE.search(source, line_end + 1) if line_end >= 0 else None
    return match.start() if match else None


class _Work:
    """Bytes a file may still have parsed by repairs and resyncs: twice its size (plus a
    little), so a large hostile file costs a few parses, never one per error."""

    def __init__(self, size: int) -> None:
        self.left = 2 * size + 64 * 1024

    def allows(self, size: int) -> bool:
        return self.left >= size


def parse_interpolation(source: str, loc: Location, path: str, depth: int = 0) -> Expr:
    """`x = <source>` parsed alone, its expression moved to `loc`; unparsable is just unknown."""
    snippet = f"x = {source.strip()}\n".encode("utf-8", "surrogatepass")
    root = _tree(snippet)
    if root.has_error:
        return Opaque("interpolation", (), loc)
    attributes = [n for child in root.children if child.type == "body" for n in child.children
                  if n.type == "attribute"]
    if not attributes:
        return Opaque("interpolation", (), loc)
    walker = Walker(path, snippet, parse_interpolation)
    walker.depth = depth
    try:
        expr = walker.expr(value_of(attributes[0]))
    except HclSyntaxError:  # its position would be inside the snippet, not the file: just unknown
        return Opaque("interpolation", (), loc)
    return relocate(expr, loc)


def _tree(source: bytes, start: int = 0, work: _Work | None = None) -> Node:
    """The tree of `source[start:]` (positions in the whole source), repaired where needed."""
    work = work or _Work(len(source))
    root = _parse(source, start, work)
    patched: bytes | None = source
    for _ in range(_REPAIR_ROUNDS):
        if not root.has_error or patched is None or not work.allows(len(source) - start):
            break
        patched = _repaired(patched, root)
        if patched is not None:
            root = _parse(patched, start, work)
    return root


def _parse(source: bytes, start: int, work: _Work) -> Node:
    """One parse of `source[start:]`. No progress callback: in py-tree-sitter 0.26 the callback
    form leaks each buffer the read callback returns and crashes if a callback raises (Ctrl-C);
    time is bounded by the size cap instead (docs/design.md, "Parser")."""
    from tree_sitter import Point, Range

    work.left -= len(source) - start
    parser = _parser()
    if start:  # the rest of the file only, at its real offsets
        rows = source.count(b"\n")
        end = Point(rows, len(source) - source.rfind(b"\n") - 1)
        parser.included_ranges = [Range(Point(source.count(b"\n", 0, start), 0), end, start, len(source))]
    else:
        del parser.included_ranges
    return parser.parse(source).root_node


# A repair costs a parse, and only a file with few candidates gets one (garbage has many). A round
# can only repair what the tree shows as misread, and a misread often puts the next one inside an
# ERROR node (three `%%%{` in a row: three rounds), so rounds go on while one changes something,
# up to this many and within the file's work budget.
_REPAIR_ROUNDS = 8
_MAX_REPAIRS = 64
_BARE_EXPONENT_RE = re.compile(rb"(?<![\w.])[0-9]+([eE])[-+]?[0-9]+(?![\w.])")
_ODD_PERCENTS_RE = re.compile(rb"(?<!%)%(?=(?:%%)+\{)")


def _repaired(source: bytes, root: Node) -> bytes | None:
    """Two valid HCL forms tree-sitter-hcl misreads, rewritten for a second parse with every
    offset unchanged (the walker reads all text from the original source):

    - `1e5` (an exponent without a fraction) is lexed as `1` and an identifier: where the tree has
      such a split number, it becomes a hex literal of the same length (`0xa`), one token.
    - `%%%{` in a template: the scanner pairs `%%` and opens a directive, where HCL reads `%` and
      the escape `%%{`: the first `%` of an odd run becomes `_`.
    """
    exponents = list(itertools.islice(_BARE_EXPONENT_RE.finditer(source), _MAX_REPAIRS + 1))
    percents = list(itertools.islice(_ODD_PERCENTS_RE.finditer(source), _MAX_REPAIRS + 1))
    if len(exponents) + len(percents) > _MAX_REPAIRS:
        return None
    patched = bytearray(source)
    for match in exponents:  # numbers patched in an earlier round no longer match
        node = root.descendant_for_byte_range(match.start(), match.start() + 1)
        if node is not None and node.type == "numeric_lit" and node.end_byte == match.start(1):
            patched[match.start() : match.end()] = b"0x" + b"a" * (match.end() - match.start() - 2)
    for match in percents:
        brace = source.index(b"{", match.start())
        node = root.descendant_for_byte_range(brace - 1, brace + 1)
        if node is not None and node.type == "template_directive_start":
            patched[match.start()] = ord("_")
    return bytes(patched) if patched != source else None
