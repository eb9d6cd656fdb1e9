"""tree-sitter-hcl nodes -> the positioned AST of `irsalint.load.hcl`, as python-hcl2's walker
built it from its Lark tree, position for position (tests/test_hcl_differential.py holds the two
to each other), so the rules cannot tell which parser ran. Three things differ in shape and are
bridged here:

- tree-sitter inlines `a.b[0]` into its parent as a flat run of nodes (primary, get_attr, index...);
  the walker reads such a run as python-hcl2's left-nested traversal.
- tree-sitter skips whitespace inside quoted strings as if it were between tokens, so a string's
  literal text is taken from the source between its interpolations, never from its literal nodes.
- python-hcl2's binary operations end after the newlines and comments that follow them, and its
  heredocs after the newline of the closing marker; the walker reports the same end positions.

It also words a syntax error as python-hcl2 did ("unexpected '='"), at the first ERROR or MISSING
node.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from irsalint.load.hcl import (
    MAX_NESTING,
    Attribute,
    Block,
    Body,
    Call,
    Expr,
    HclSyntaxError,
    HclTooDeep,
    Literal,
    ObjectExpr,
    ObjectItem,
    Opaque,
    Template,
    Traversal,
    TupleExpr,
    heredoc_text,
    literal_parts,
    template_text,
)
from irsalint.model import Location

if TYPE_CHECKING:
    from tree_sitter import Node

Interpolate = Callable[[str, Location, str, int], Expr]  # (source, at, path, depth) -> expression

_POSTFIX = frozenset({"get_attr", "index", "splat"})
_SPLAT_KIND = {"attr_splat": "attr_splat_expr_term", "full_splat": "full_splat_expr_term"}
_TEMPLATE_TAGS = frozenset({
    "template_if_intro", "template_else_intro", "template_if_end", "template_for_start", "template_for_end",
})  # fmt: skip


def _children(node: Node) -> list[Node]:
    return [c for c in node.children if c.type != "comment"]


def value_of(attribute: Node) -> Node:
    return _children(attribute)[-1]


def _terms(nodes: list[Node]) -> list[list[Node]]:
    """A flat run of an operation's children -> its operands: each a primary node (or the three
    nodes of `( expression )`) followed by its get_attr / index / splat nodes."""
    terms: list[list[Node]] = []
    index = 0
    while index < len(nodes):
        node = nodes[index]
        kind = node.type
        if kind in _POSTFIX and terms:
            terms[-1].append(node)
        elif kind == "(":
            terms.append(nodes[index : index + 3])
            index += 3
            continue
        elif node.is_named:
            terms.append([node])
        index += 1  # operators
    return terms


class Walker:
    """One file's tree-sitter nodes -> AST records; positions as python-hcl2 gave them."""

    def __init__(self, path: str, source: bytes, interpolate: Interpolate) -> None:
        self.path = path
        self.source = source
        self.interpolate = interpolate  # a heredoc's `${...}`, parsed alone
        self.ascii = source.isascii()
        self.depth = 0  # blocks and expressions open around the node being converted
        self._rows: list[bytes] | None = None
        self._line_starts: list[int] | None = None

    # positions: tree-sitter counts bytes, python-hcl2 (and every report) characters

    def col(self, row: int, byte_col: int) -> int:
        if self.ascii:
            return byte_col + 1
        if self._rows is None:
            self._rows = self.source.split(b"\n")
        line = self._rows[row]
        if line.isascii():
            return byte_col + 1
        return len(line[:byte_col].decode("utf-8", "surrogatepass")) + 1

    def loc(self, first: Node, last: Node | None = None, end: tuple[int, int] | None = None) -> Location:
        start_row, start_col = first.start_point
        end_row, end_col = end or (last or first).end_point
        if self.ascii:
            return Location(self.path, start_row + 1, start_col + 1, end_row + 1, end_col + 1)
        return Location(self.path, start_row + 1, self.col(start_row, start_col), end_row + 1, self.col(end_row, end_col))

    def point(self, offset: int) -> tuple[int, int]:
        if self._line_starts is None:
            self._line_starts = [0] + [m.end() for m in re.finditer(b"\n", self.source)]
        row = bisect.bisect_right(self._line_starts, offset) - 1
        return row, offset - self._line_starts[row]

    def text(self, node: Node) -> str:
        return self.source[node.start_byte : node.end_byte].decode("utf-8", "surrogatepass")

    def enter(self, node: Node, last: Node | None = None) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            loc = self.loc(node, last)
            raise HclTooDeep(f"nested more than {MAX_NESTING} levels deep: too deep to analyze", loc.line, loc.col)

    # structure

    def body(self, node: Node) -> Body:
        attributes: list[Attribute] = []
        blocks: list[Block] = []
        for child in node.children:
            if child.type == "attribute":
                attributes.append(self.attribute(child))
            elif child.type == "block":
                blocks.append(self.block(child))
        return Body(tuple(attributes), tuple(blocks))

    def attribute(self, node: Node) -> Attribute:
        children = _children(node)
        value = children[-1]
        expr = self.expr(value)
        return Attribute(self.text(children[0]), expr, self.loc(node, end=self.end_after(value)))

    def block(self, node: Node) -> Block:
        self.enter(node)
        try:
            names: list[str] = []
            body = Body((), ())
            for child in node.children:
                kind = child.type
                if kind == "identifier":
                    names.append(self.text(child))
                elif kind == "string_lit":
                    names.append("".join(p for p in self.string_parts(child) if isinstance(p, str)))
                elif kind == "body":
                    body = self.body(child)
            return Block(names[0], tuple(names[1:]), body, self.loc(node))
        finally:
            self.depth -= 1

    # expressions

    def expr(self, node: Node) -> Expr:
        """An `expression` node (or a run of nodes standing for one)."""
        return self.expr_run(_children(node))

    def expr_run(self, run: list[Node]) -> Expr:
        while len(run) == 3 and run[0].type == "(":  # `(x)`: no new level, python-hcl2's walker unwrapped it
            run = _children(run[1])
        self.enter(run[0], run[-1])
        try:
            if len(run) == 1:
                return self.primary(run[0])
            steps_from = 3 if run[0].type == "(" else 1
            head, steps = run[:steps_from], run[steps_from:]
            if steps[-1].type == "splat":
                kind = _SPLAT_KIND[_children(steps[-1])[0].type]
                return Opaque(kind, self.references([run]), self.loc(run[0], run[-1]))
            return self.traversal(head, steps)
        finally:
            self.depth -= 1

    def primary(self, node: Node) -> Expr:
        kind = node.type
        if kind in ("literal_value", "template_expr", "collection_value", "for_expr", "operation"):
            node = _children(node)[0]
            kind = node.type
        if kind == "variable_expr":
            return Traversal(self.text(node), (), self.loc(node))
        if kind in ("string_lit", "quoted_template"):
            return Template(self.string_parts(node), self.loc(node))
        if kind == "numeric_lit":
            return Literal(self.number(node), self.loc(node))
        if kind == "bool_lit":
            return Literal(self.text(node) == "true", self.loc(node))
        if kind == "null_lit":
            return Literal(None, self.loc(node))
        if kind == "tuple":
            return TupleExpr(tuple(self.expr(c) for c in node.children if c.type == "expression"), self.loc(node))
        if kind == "object":
            return self.object(node)
        if kind == "function_call":
            return self.call(node)
        if kind == "heredoc_template":
            return self.heredoc(node)
        if kind == "unary_operation":
            return self.unary(node)
        if kind == "binary_operation":
            return Opaque("binary_op", self.references([node]), self.loc(node, end=self.end_after(node)))
        if kind == "conditional":
            return Opaque("conditional", self.references([node]), self.loc(node, end=self.end_after(node)))
        if kind in ("for_tuple_expr", "for_object_expr"):
            return Opaque(kind, self.references([node]), self.loc(node))
        raise self.unexpected(node.start_byte, "")  # pragma: no cover - every kind is listed above

    def number(self, node: Node) -> int | float:
        text = self.text(node)
        if text.isdigit():
            return int(text)
        if text[:2] in ("0x", "0X"):  # tree-sitter-hcl lexes hex numbers; HCL has none
            raise HclSyntaxError(f"unexpected {text[1:30]!r}", node.start_point[0] + 1, self.col(*node.start_point) + 1)
        return float(text)

    def unary(self, node: Node) -> Expr:
        children = _children(node)
        operator = children[0].type
        operand = self.expr_run(children[1:])
        if operator == "-" and isinstance(operand, Literal) and type(operand.value) in (int, float):
            value = operand.value
            assert isinstance(value, (int, float))
            return Literal(-value, self.loc(node))
        return Opaque("unary", self.references([node]), self.loc(node))

    def object(self, node: Node) -> ObjectExpr:
        items: list[ObjectItem] = []
        for elem in node.children:
            if elem.type != "object_elem":
                continue
            children = _children(elem)
            key = self.expr(children[0])
            if isinstance(key, Traversal) and not key.steps:
                key = Literal(key.root, key.loc)  # bare identifier keys are strings
            value = children[-1]
            items.append(ObjectItem(key, self.expr(value), self.loc(elem, end=self.end_after(value))))
        return ObjectExpr(tuple(items), self.loc(node))

    def call(self, node: Node) -> Expr:
        children = _children(node)
        args: list[Node] = []
        for child in children:
            if child.type == "function_arguments":
                args = _children(child)
        if any(a.type == "ellipsis" for a in args):
            return Opaque("call...", self.references([node]), self.loc(node))
        converted = tuple(self.expr(a) for a in args if a.type == "expression")
        return Call(self.text(children[0]), converted, self.loc(node))

    def traversal(self, head: list[Node], steps: list[Node]) -> Expr:
        """`a.b[0]`: python-hcl2's walker recursed once per step, the base lowest."""
        if self.depth + len(steps) > MAX_NESTING:
            keep = self.depth + len(steps) - MAX_NESTING - 1
            loc = self.loc(head[0], (head + steps[:keep])[-1])
            raise HclTooDeep(f"nested more than {MAX_NESTING} levels deep: too deep to analyze", loc.line, loc.col)
        outer = self.depth
        self.depth = outer + len(steps) - 1
        base = self.expr_run(head)
        if not isinstance(base, Traversal):  # f(x)[0], [for ...][0]: unknowable, keep what it mentions
            self.depth = outer
            inside = head[1] if head[0].type == "(" else head[0]
            return Opaque("traversal", self.references([inside, *steps]), self.loc(head[0], steps[-1]))
        path: list[str | int | None] = list(base.steps)
        for number, step in enumerate(steps, 1):
            self.depth = outer + len(steps) - number
            path.append(self.step(step))
        self.depth = outer
        return Traversal(base.root, tuple(path), self.loc(head[0], steps[-1]))

    def step(self, node: Node) -> str | int | None:
        if node.type == "get_attr":
            return self.text(_children(node)[-1])
        inner = _children(node)[0]
        if inner.type == "legacy_index":
            return int(self.text(inner)[1:].strip())  # `.0`: the digits are an unnamed token
        index = self.expr(_children(inner)[1])
        if isinstance(index, Literal) and isinstance(index.value, (str, int)):
            return index.value
        if isinstance(index, Template) and all(isinstance(p, str) for p in index.parts):
            return "".join(p for p in index.parts if isinstance(p, str))
        return None

    def references(self, start: list[Node | list[Node]]) -> tuple[Traversal, ...]:
        """Every traversal mentioned inside an expression we do not evaluate, outermost only, in
        source order; heredocs are opaque (python-hcl2 reads them as one token)."""
        found: list[Traversal] = []
        stack: list[Node | list[Node]] = list(reversed(start))
        while stack:
            current = stack.pop()
            if isinstance(current, list):  # one operand: primary + steps
                steps_from = 3 if current[0].type == "(" else 1
                if len(current) == steps_from:
                    stack.append(current[1] if steps_from == 3 else current[0])
                elif current[-1].type == "splat":
                    stack.append(current[-1])
                    stack.append(current[:-1])
                else:
                    expr = self.traversal(current[:steps_from], current[steps_from:])
                    if isinstance(expr, Traversal):
                        found.append(expr)
                    elif isinstance(expr, Opaque):
                        found.extend(expr.references)
                continue
            kind = current.type
            if kind in ("expression", "binary_operation", "unary_operation"):
                stack.extend(reversed(_terms(_children(current))))
            elif kind == "template_interpolation" and self.escaped(current):
                continue
            elif kind != "heredoc_template":
                stack.extend(reversed([c for c in current.children if c.is_named]))
        return tuple(found)

    # templates

    def string_parts(self, node: Node) -> tuple[str | Expr, ...]:
        """A quoted string's parts: literal text (from the source between the interpolations and
        directive tags), expressions, and an Opaque per directive tag."""
        parts: list[str | Expr] = []
        children = node.children
        position = children[0].end_byte  # after the opening quote
        stack = list(reversed(children[1:-1]))
        while stack:
            child = stack.pop()
            kind = child.type
            if kind in ("template_literal", "comment"):
                continue
            if kind in ("template_directive", "template_if", "template_for"):
                stack.extend(reversed(child.children))
                continue
            if kind == "template_interpolation" and self.escaped(child):
                continue
            parts.extend(self.literal(position, child.start_byte))
            position = child.end_byte
            if kind == "template_interpolation":
                inner = _children(child)
                if len(inner) == 3 and inner[1].type == "expression":
                    parts.append(self.expr(inner[1]))
                else:  # `${}` or strip markers `${~ x ~}`: python-hcl2 cannot read these either
                    parts.append(Opaque("interpolation", (), self.loc(child)))
            elif kind in _TEMPLATE_TAGS:
                parts.append(Opaque("directive", (), self.loc(child)))
        parts.extend(self.literal(position, children[-1].start_byte))
        return tuple(parts)

    def escaped(self, interpolation: Node) -> bool:
        """`$$${x}`: tree-sitter-hcl pairs the first two `$` and opens an interpolation, where HCL
        reads `$` and the escape `$${`: literal text."""
        return self.source[interpolation.start_byte - 1 : interpolation.start_byte] == b"$"

    def literal(self, start: int, end: int) -> list[str]:
        if start >= end:
            return []
        return literal_parts(self.source[start:end].decode("utf-8", "surrogatepass"))

    def heredoc(self, node: Node) -> Template:
        """From the source text, as python-hcl2 keeps a heredoc: one token, interpolations parsed
        one by one and placed at the heredoc."""
        children = _children(node)
        opening, closing = children[1], children[-1]
        trim = self.text(children[0]) == "<<-"
        body_start = self.source.index(b"\n", opening.end_byte) + 1
        body_end = max(self.source.rindex(b"\n", 0, closing.start_byte) + 1, body_start)
        text = self.source[body_start:body_end].decode("utf-8", "surrogatepass")
        lines = text.split("\n")[:-1]
        loc = self.loc(node, end=(closing.end_point[0] + 1, 0))  # python-hcl2: the closing newline is the token's
        depth = self.depth

        def sub_expression(source: str, at: Location) -> Expr:
            return self.interpolate(source, at, self.path, depth)

        parts = template_text(heredoc_text(lines, trim), loc, sub_expression)
        return Template(parts, loc, heredoc=True, body_line=loc.line + 1)

    # python-hcl2's end positions

    def end_after(self, node: Node) -> tuple[int, int]:
        """Where python-hcl2 ends `node`: a binary operation (even as the last operand of a
        conditional) takes the newlines and comments after it, a heredoc its closing newline."""
        current = node
        while True:
            kind = current.type
            if kind == "binary_operation":
                return self.point(_newlines_after(self.source, current.end_byte))
            if kind == "heredoc_template":
                return current.end_point[0] + 1, 0
            if kind in ("expression", "operation", "conditional", "template_expr"):
                children = _children(current)
                if kind == "expression" and len(children) != 1:
                    break
                current = children[-1]
                continue
            break
        return node.end_point

    # errors

    def syntax_error(self, root: Node, text: str) -> HclSyntaxError:
        """The first error: the innermost first ERROR (tree-sitter wraps what it could not place
        around the token it could not read), or the first MISSING node."""
        node = root
        while not node.is_missing:
            child = next((c for c in node.children if c.has_error or c.is_error or c.is_missing), None)
            if child is None:
                break
            node = child
        if node.is_missing and node.type == "heredoc_identifier" and node.parent is not None:
            node = node.parent  # an unterminated heredoc: python-hcl2 stops at its opening
        elif node.is_error and _unclosed(node) and not _meaningful(self.source[node.end_byte :]):
            return self.unexpected(len(self.source), text)  # a brace left open until the end of the file
        return self.unexpected(node.start_byte, text)

    def unexpected(self, offset: int, text: str) -> HclSyntaxError:
        """python-hcl2's wording: the token found where the error starts."""
        rest = self.source[offset:]
        stripped = rest.lstrip(b" \t\r")
        offset += len(rest) - len(stripped)
        match = _TOKEN_RE.match(stripped)
        if match is None or not stripped.strip():
            message = "unexpected end of file"
        elif stripped[:1] in (b"\n", b"#") or stripped[:2] in (b"//", b"/*"):
            message = "unexpected end of line"
        elif _LEXABLE_RE.match(stripped) is None:  # no HCL token starts here
            message = f"unexpected character {stripped[:1].decode('utf-8', 'replace')!r}"
        else:
            message = f"unexpected {match.group(0).decode('utf-8', 'replace')[:30]!r}"
        row, byte_col = self.point(offset)
        lines = max(len(text.splitlines()), 1)
        return HclSyntaxError(message, min(row + 1, lines), self.col(row, byte_col) if row + 1 <= lines else 1)


_OPENERS = frozenset({"block_start", "object_start", "tuple_start", "{", "[", "("})
_CLOSERS = frozenset({"block_end", "object_end", "tuple_end", "}", "]", ")"})


def _unclosed(error: Node) -> bool:
    """An ERROR node holding an opening brace, bracket or parenthesis it does not close."""
    depth = 0
    for child in error.children:
        depth += (child.type in _OPENERS) - (child.type in _CLOSERS)
    return depth > 0


def _meaningful(rest: bytes) -> bool:
    """Anything but whitespace and comments."""
    return bool(_COMMENTS_RE.sub(b"", rest).strip())


_COMMENTS_RE = re.compile(rb"#[^\n]*|//[^\n]*|/\*.*?\*/", re.DOTALL)
_LEXABLE_RE = re.compile(rb'[A-Za-z0-9_"\-=!<>*/%+?(){}\[\],.:~]|&&|\|\||\$\{')
_TOKEN_RE = re.compile(rb'[A-Za-z0-9_\-.:]+|<<-?[A-Za-z0-9_.-]*|==|!=|>=|<=|&&|\|\||=>|\.\.\.|\$\{|%\{|[^\s]', re.DOTALL)


def _newlines_after(source: bytes, offset: int) -> int:
    """python-hcl2 lets a binary operation end with the run of newlines (each with the next line's
    indentation) and comments that follows it."""
    end = offset
    size = len(source)
    while True:
        index = offset
        while index < size and source[index] in b" \t\r":
            index += 1
        if index >= size:
            return end
        char = source[index : index + 1]
        if char == b"\n":
            index += 1
            while index < size and source[index] in b" \t":
                index += 1
        elif char == b"#" or source.startswith(b"//", index):
            newline = source.find(b"\n", index)
            if newline < 0:
                return end
            index = newline + 1
        elif source.startswith(b"/*", index):
            close = source.find(b"*/", index + 2)
            if close < 0:
                return end
            index = close + 2
        else:
            return end
        end = offset = index
