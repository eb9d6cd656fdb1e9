"""python-hcl2 as the reference for irsalint's HCL walker: its Lark tree (built with
`propagate_positions`) walked into the same positioned AST as `irsalint.load.hcl_treesitter`.

This was irsalint's parser until tree-sitter-hcl replaced it (issue 17); it stays in the test suite
as the oracle of tests/test_hcl_differential.py. Two walker bugs are fixed here and in the new
walker alike (docs/design.md): `(` newline `x` newline `)` was read as an Opaque of the newline, and
expressions parsed out of a heredoc kept positions inside the snippet unless they were traversals,
literals, calls or templates.
"""

from __future__ import annotations

import functools
import gc
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

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
    relocate,
    template_text,
    unescape,
)
from irsalint.model import Location


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "irsalint"


@functools.lru_cache(maxsize=1)
def _parser() -> Any:
    """python-hcl2's grammar, with lark's grammar cache in a writable place (not site-packages)."""
    import hcl2
    import lark
    from hcl2.postlexer import PostLexer
    from lark import Lark

    grammar_dir = Path(hcl2.__file__).parent
    tag = f"hcl2-{getattr(hcl2, '__version__', 'x')}-lark-{lark.__version__}-py{sys.version_info[0]}{sys.version_info[1]}"
    cache: str | bool = False
    for directory in (_cache_dir(), Path(tempfile.gettempdir()) / "irsalint"):
        try:
            directory.mkdir(parents=True, exist_ok=True)
            cache = str(directory / f"{tag}.lark")
            break
        except OSError:
            continue
    options: dict[str, Any] = {
        "parser": "lalr", "propagate_positions": True, "postlex": PostLexer(), "rel_to": str(grammar_dir / "x"),
    }
    try:
        return Lark.open("hcl2.lark", cache=cache, **options)
    except OSError:
        return Lark.open("hcl2.lark", **options)


def parse_hcl_lark(text: str, path: str) -> Body:
    """Parse HCL text into its top-level body; raises HclSyntaxError with the parser's position."""
    from lark.exceptions import LarkError, UnexpectedInput

    parser = _parser()
    was_enabled = gc.isenabled()
    gc.disable()  # a parse allocates millions of small objects: 2-3x faster without the collector
    try:
        tree = parser.parse(text + "\n")
    except UnexpectedInput as error:
        line = min(getattr(error, "line", 0) or 1, max(len(text.splitlines()), 1))
        col = getattr(error, "column", 0) or 1
        raise HclSyntaxError(_describe(error, text), line, max(col, 1)) from None
    except (LarkError, RecursionError) as error:
        raise HclSyntaxError(f"cannot parse: {type(error).__name__}", 1, 1) from None
    finally:
        if was_enabled:
            gc.enable()
    try:
        return _Converter(path).start(tree)
    except RecursionError:  # pragma: no cover - MAX_NESTING comes first
        raise HclTooDeep("nested too deeply to analyze", 1, 1) from None


def _describe(error: Exception, text: str) -> str:
    from lark.exceptions import UnexpectedCharacters

    if isinstance(error, UnexpectedCharacters):
        position = error.pos_in_stream or 0
        return f"unexpected character {text[position]!r}" if position < len(text) else "unexpected end of file"
    token = getattr(error, "token", None)
    if token is None or token.type == "$END":
        return "unexpected end of file"
    if token.type == "NL_OR_COMMENT":
        return "unexpected end of line"
    shown = str(token).split()[0][:30] if str(token).strip() else str(token)
    return f"unexpected {shown!r}"


# --- Lark tree -> AST ---------------------------------------------------------------------------


class _Converter:
    def __init__(self, path: str, depth: int = 0) -> None:
        self.path = path
        self.depth = depth  # blocks and expressions open around the node being converted

    def enter(self, node: Any) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            loc = self.loc(node)
            message = f"nested more than {MAX_NESTING} levels deep: too deep to analyze"
            raise HclTooDeep(message, loc.line, loc.col)

    def loc(self, node: Any) -> Location:
        from lark import Token

        if isinstance(node, Token):
            return Location(self.path, node.line or 1, node.column or 1, node.end_line or 0, node.end_column or 0)
        meta = node.meta
        if getattr(meta, "empty", True):
            return Location(self.path, 1, 1)
        return Location(self.path, meta.line, meta.column, meta.end_line, meta.end_column)

    def start(self, tree: Any) -> Body:
        return self.body(tree.children[0])

    def body(self, tree: Any) -> Body:
        attributes: list[Attribute] = []
        blocks: list[Block] = []
        for child in tree.children:
            data = getattr(child, "data", None)
            if data == "attribute":
                attributes.append(self.attribute(child))
            elif data == "block":
                blocks.append(self.block(child))
        return Body(tuple(attributes), tuple(blocks))

    def attribute(self, tree: Any) -> Attribute:
        name = self.name_of(tree.children[0])
        return Attribute(name, self.expr(tree.children[-1]), self.loc(tree))

    def name_of(self, node: Any) -> str:
        from lark import Token

        if isinstance(node, Token):
            return str(node)
        if node.data == "string":
            return "".join(p for p in self.string_parts(node) if isinstance(p, str))
        return str(node.children[0])

    def block(self, tree: Any) -> Block:
        self.enter(tree)
        try:
            return self._block(tree)
        finally:
            self.depth -= 1

    def _block(self, tree: Any) -> Block:
        names: list[str] = []
        body: Body | None = None
        for child in tree.children:
            data = getattr(child, "data", None)
            if data == "body":
                body = self.body(child)
            elif data in ("identifier", "keyword", "literal_value", "string"):
                names.append(self.name_of(child))
        return Block(names[0], tuple(names[1:]), body or Body((), ()), self.loc(tree))

    # expressions

    def expr(self, node: Any) -> Expr:
        while getattr(node, "data", None) == "expr_term":  # `(x)` and the grammar's wrappers: no new level
            inner = [c for c in node.children if _is_expression(c)]
            if not inner:
                return Opaque("empty", (), self.loc(node))
            node = inner[0]
        self.enter(node)
        try:
            return self._expr(node)
        finally:
            self.depth -= 1

    def _expr(self, node: Any) -> Expr:
        from lark import Token

        if isinstance(node, Token):
            return Opaque("token", (), self.loc(node))
        data = node.data
        method = getattr(self, f"e_{data}", None)
        if method is not None:
            result: Expr = method(node)
            return result
        return Opaque(str(data), self.references(node), self.loc(node))

    def e_string(self, node: Any) -> Expr:
        return Template(self.string_parts(node), self.loc(node))

    def string_parts(self, node: Any) -> tuple[str | Expr, ...]:
        parts: list[str | Expr] = []
        for child in node.children:
            if getattr(child, "data", None) != "string_part":
                continue
            for piece in child.children:
                if getattr(piece, "data", None) == "interpolation":
                    parts.append(self.expr(piece.children[1]))
                elif hasattr(piece, "data"):  # template directives: %{ if } ... unknowable
                    parts.append(Opaque("directive", (), self.loc(piece)))
                elif piece.type == "ESCAPED_INTERPOLATION" or piece.type == "ESCAPED_DIRECTIVE":
                    parts.append(str(piece)[1:])
                else:
                    parts.append(unescape(str(piece)))
        return tuple(parts)

    def e_heredoc_template(self, node: Any) -> Expr:
        return self.heredoc(node, trim=False)

    def e_heredoc_template_trim(self, node: Any) -> Expr:
        return self.heredoc(node, trim=True)

    def heredoc(self, node: Any, trim: bool) -> Expr:
        token = node.children[0]
        lines = str(token).split("\n")
        body = heredoc_text(lines[1:-2], trim)  # drop "<<EOF", the closing marker and the final ""
        loc = self.loc(token)
        return Template(template_text(body, loc, self.sub_expression), loc, heredoc=True, body_line=loc.line + 1)

    def sub_expression(self, source: str, loc: Location) -> Expr:
        try:
            tree: Any = _parser().parse(f"x = {source.strip()}\n")
        except Exception:  # noqa: BLE001 - an unparsable interpolation is just unknown
            return Opaque("interpolation", (), loc)
        attribute = tree.children[0].children[0]
        try:
            expr = _Converter(self.path, self.depth).expr(attribute.children[-1])
        except HclTooDeep:  # its position would be inside the snippet, not the file: just unknown
            return Opaque("interpolation", (), loc)
        return relocate(expr, loc)

    def e_tuple(self, node: Any) -> Expr:
        items = tuple(self.expr(c) for c in node.children if _is_expression(c))
        return TupleExpr(items, self.loc(node))

    def e_object(self, node: Any) -> Expr:
        items: list[ObjectItem] = []
        for child in node.children:
            if getattr(child, "data", None) != "object_elem":
                continue
            key_node = child.children[0]
            key_inner = key_node.children[0]
            key: Expr
            if getattr(key_inner, "data", None) == "keyword":
                key = Literal(str(key_inner.children[0]), self.loc(key_node))
            else:
                key = self.expr(key_inner)
                if isinstance(key, Traversal) and not key.steps:
                    key = Literal(key.root, key.loc)  # bare identifier keys are strings
            items.append(ObjectItem(key, self.expr(child.children[-1]), self.loc(child)))
        return ObjectExpr(tuple(items), self.loc(node))

    def e_identifier(self, node: Any) -> Expr:
        return Traversal(str(node.children[0]), (), self.loc(node))

    def e_literal_value(self, node: Any) -> Expr:
        text = str(node.children[0])
        value = {"true": True, "false": False, "null": None}[text]
        return Literal(value, self.loc(node))

    def e_int_lit(self, node: Any) -> Expr:
        return Literal(int(str(node.children[0])), self.loc(node))

    def e_float_lit(self, node: Any) -> Expr:
        return Literal(float(str(node.children[0])), self.loc(node))

    def e_unary_op(self, node: Any) -> Expr:
        operator = str(node.children[0])
        operand = self.expr(node.children[1])
        if operator == "-" and isinstance(operand, Literal) and type(operand.value) in (int, float):  # not -true
            return Literal(-operand.value, self.loc(node))
        return Opaque("unary", self.references(node), self.loc(node))

    def e_function_call(self, node: Any) -> Expr:
        names = [str(c.children[0]) for c in node.children if getattr(c, "data", None) == "identifier"]
        args: tuple[Expr, ...] = ()
        for child in node.children:
            if getattr(child, "data", None) == "arguments":
                if any(getattr(c, "type", None) == "ELLIPSIS" for c in child.children):
                    return Opaque("call...", self.references(node), self.loc(node))
                args = tuple(self.expr(c) for c in child.children if _is_expression(c))
        return Call("::".join(names), args, self.loc(node))

    def e_get_attr_expr_term(self, node: Any) -> Expr:
        return self.traversal(node)

    def e_index_expr_term(self, node: Any) -> Expr:
        return self.traversal(node)

    def traversal(self, node: Any) -> Expr:
        base = self.expr(node.children[0])
        step_node = node.children[1]
        if not isinstance(base, Traversal):  # f(x)[0], [for ...][0]: unknowable, keep what it mentions
            return Opaque("traversal", self.references(*node.children), self.loc(node))
        step: str | int | None
        if step_node.data == "get_attr":
            step = str(step_node.children[-1].children[0])
        elif step_node.data == "short_index":
            step = int(str(step_node.children[-1]))
        else:
            index = self.expr(next(c for c in step_node.children if _is_expression(c)))
            if isinstance(index, Literal) and isinstance(index.value, (str, int)):
                step = index.value
            elif isinstance(index, Template) and all(isinstance(p, str) for p in index.parts):
                step = "".join(p for p in index.parts if isinstance(p, str))
            else:
                step = None
        return Traversal(base.root, base.steps + (step,), self.loc(node))

    def references(self, *nodes: Any) -> tuple[Traversal, ...]:
        """Every traversal mentioned inside an expression we do not evaluate."""
        found: list[Traversal] = []
        stack = list(reversed(nodes))
        while stack:
            current = stack.pop()
            data = getattr(current, "data", None)
            if data in ("get_attr_expr_term", "index_expr_term"):
                expr = self.traversal(current)
                if isinstance(expr, Traversal):
                    found.append(expr)
                else:
                    found.extend(expr.references if isinstance(expr, Opaque) else ())
                continue
            if data is not None:
                stack.extend(reversed(current.children))
        return tuple(found)


def _is_expression(node: object) -> bool:
    data = getattr(node, "data", None)
    return data is not None and data != "new_line_or_comment"
