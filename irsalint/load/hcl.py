"""HCL text -> a small positioned AST (blocks, attributes, expressions).

The rules need every block, attribute and expression with its line, and `jsonencode({...})` as
the object it is (not a re-serialized string), so irsalint walks a concrete syntax tree into the
records below. The parser is tree-sitter-hcl (C, error-tolerant: `load/hcl_treesitter.py`);
python-hcl2 is the reference it is tested against (`tests/hcl_oracle.py`). This module holds what
both walkers share: the AST, the errors and the text rules for strings and heredocs. Nothing here
evaluates anything.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeAlias

from irsalint.model import Location
from irsalint.record import record

# --- AST --------------------------------------------------------------------------------------


@record
class Literal:
    value: str | int | float | bool | None
    loc: Location


@record
class Template:
    """A quoted string or heredoc; parts are literal text or interpolated expressions."""

    parts: tuple[str | Expr, ...]
    loc: Location
    heredoc: bool = False
    body_line: int = 0  # heredocs: the line of the body's first line


@record
class TupleExpr:
    items: tuple[Expr, ...]
    loc: Location


@record
class ObjectItem:
    key: Expr
    value: Expr
    loc: Location


@record
class ObjectExpr:
    items: tuple[ObjectItem, ...]
    loc: Location


@record
class Traversal:
    """`var.x`, `module.a.b`, `local.m["k"]`: a root name and attribute/index steps.

    A step that is not a literal (`x[var.i]`) is kept as None: the path is then unknowable."""

    root: str
    steps: tuple[str | int | None, ...]
    loc: Location


@record
class Call:
    name: str
    args: tuple[Expr, ...]
    loc: Location


@record
class Opaque:
    """An expression we do not evaluate (conditional, operators, for, splat): always unknown."""

    kind: str
    references: tuple[Traversal, ...]  # what it mentions, for "is this role used elsewhere"
    loc: Location


Expr: TypeAlias = Literal | Template | TupleExpr | ObjectExpr | Traversal | Call | Opaque


@record
class Attribute:
    name: str
    expr: Expr
    loc: Location


@record
class Body:
    attributes: tuple[Attribute, ...]
    blocks: tuple[Block, ...]

    def attr(self, name: str) -> Attribute | None:
        for attribute in self.attributes:
            if attribute.name == name:
                return attribute
        return None

    def expr(self, name: str) -> Expr | None:
        attribute = self.attr(name)
        return attribute.expr if attribute is not None else None

    def blocks_of(self, block_type: str) -> tuple[Block, ...]:
        return tuple(b for b in self.blocks if b.type == block_type)


@record
class Block:
    type: str
    labels: tuple[str, ...]
    body: Body
    loc: Location


class HclSyntaxError(Exception):
    def __init__(self, message: str, line: int, col: int) -> None:
        super().__init__(message)
        self.line = line
        self.col = col


class HclTooDeep(HclSyntaxError):
    """Valid syntax nested deeper than MAX_NESTING: reported at the first node past the limit."""


# Blocks and expressions nested deeper than this are not converted. The converter recurses (a few
# Python frames per level): without a limit, 3,000 nested objects end in a RecursionError with no
# position; and a tree just under the interpreter's limit would overflow later consumers (pickling
# for the cache and worker processes). Real configurations nest a dozen levels at most.
MAX_NESTING = 200


# --- parsing ----------------------------------------------------------------------------------


def parse_hcl(text: str, path: str) -> Body:
    """Parse HCL text into its top-level body; raises HclSyntaxError at the first error."""
    body, error = parse_hcl_partial(text, path)
    if error is not None:
        raise error
    return body


def parse_hcl_partial(text: str, path: str) -> tuple[Body, HclSyntaxError | None]:
    """The top-level blocks and attributes that parsed cleanly, and the file's first error (if
    any): a broken block does not hide a good role beside it."""
    from irsalint.load.hcl_treesitter import parse

    return parse(text, path)


def interpolation(source: str, loc: Location, path: str, depth: int = 0) -> Expr:
    """The expression inside one `${...}` of a heredoc or a Terraform JSON string, at `loc`."""
    from irsalint.load.hcl_treesitter import parse_interpolation

    return parse_interpolation(source, loc, path, depth)


# --- text rules shared by the walkers -----------------------------------------------------------

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_ESCAPE_RE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.DOTALL)
# python-hcl2 lexes `$${...}` and `%%{...}` (up to the first `}`) as tokens of their own: a quoted
# string's literal text is one part per token, so both walkers split it the same way.
_ESCAPED_TEMPLATE_RE = re.compile(r"(\$\$\{[^}]*\}|%%\{[^}]*\})")


def unescape(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "uU" and len(code) > 1:
            point = int(code[1:], 16)
            return chr(point) if point <= 0x10FFFF else "\\" + code
        return _ESCAPES.get(code, "\\" + code)

    return _ESCAPE_RE.sub(replace, text) if "\\" in text else text


def literal_parts(text: str) -> list[str]:
    """The literal text of a quoted string between two interpolations, as parts: escapes decoded,
    `$${` and `%%{` standing for `${` and `%{`."""
    if "{" not in text:
        return [unescape(text)] if text else []
    parts: list[str] = []
    for index, piece in enumerate(_ESCAPED_TEMPLATE_RE.split(text)):
        if index % 2:
            parts.append(piece[1:])
        elif piece:
            parts.append(unescape(piece.replace("$${", "${").replace("%%{", "%{")))
    return parts


def heredoc_text(lines: list[str], trim: bool) -> str:
    """A heredoc's body lines (between the marker lines) as its string; `<<-` strips the smallest
    indentation of the non-blank lines."""
    if trim:
        indents = [len(x) - len(x.lstrip(" \t")) for x in lines if x.strip()]
        cut = min(indents) if indents else 0
        lines = [x[cut:] for x in lines]
    return "\n".join(x.rstrip("\r") for x in lines) + ("\n" if lines else "")


SubExpression = Callable[[str, Location], Expr]


def template_text(text: str, loc: Location, sub_expression: SubExpression) -> tuple[str | Expr, ...]:
    """Split heredoc text at `${...}`; each interpolation is parsed as an expression."""
    if "${" not in text and "%{" not in text:
        return (text,)
    parts: list[str | Expr] = []
    index = 0
    literal: list[str] = []
    while index < len(text):
        if text.startswith("$${", index) or text.startswith("%%{", index):
            literal.append(text[index + 1 : index + 3])
            index += 3
            continue
        if text.startswith("${", index) or text.startswith("%{", index):
            end = matching_brace(text, index + 1)
            if end < 0:
                literal.append(text[index:])
                break
            if literal:
                parts.append("".join(literal))
                literal = []
            inner = text[index + 2 : end]
            if text[index] == "%":
                parts.append(Opaque("directive", (), loc))
            else:
                parts.append(sub_expression(inner, loc))
            index = end + 1
            continue
        literal.append(text[index])
        index += 1
    if literal:
        parts.append("".join(literal))
    return tuple(parts)


def matching_brace(text: str, open_index: int) -> int:
    """The index of the `}` closing the `{` at open_index (quotes and escapes skipped), or -1."""
    depth = 0
    quote = False
    index = open_index
    while index < len(text):
        char = text[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == '"':
                quote = False
        elif char == '"':
            quote = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return -1


def relocate(expr: Expr, loc: Location) -> Expr:
    """Expressions parsed out of a heredoc get the heredoc's location (close enough for findings):
    a position inside the snippet `x = ...` would point nowhere in the file."""
    if isinstance(expr, Traversal):
        return Traversal(expr.root, expr.steps, loc)
    if isinstance(expr, Literal):
        return Literal(expr.value, loc)
    if isinstance(expr, Call):
        return Call(expr.name, tuple(relocate(a, loc) for a in expr.args), loc)
    if isinstance(expr, Template):
        return Template(tuple(p if isinstance(p, str) else relocate(p, loc) for p in expr.parts), loc)
    if isinstance(expr, TupleExpr):
        return TupleExpr(tuple(relocate(i, loc) for i in expr.items), loc)
    if isinstance(expr, ObjectExpr):
        items = (ObjectItem(relocate(i.key, loc), relocate(i.value, loc), loc) for i in expr.items)
        return ObjectExpr(tuple(items), loc)
    return Opaque(expr.kind, tuple(Traversal(r.root, r.steps, loc) for r in expr.references), loc)
