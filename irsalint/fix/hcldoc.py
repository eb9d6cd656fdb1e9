"""A Terraform (HCL) text parsed with irsalint's positioned AST: the string sites, the blocks, the
object items and the heredocs, with character offsets computed from the AST's lines and columns
(end columns are exclusive)."""

from __future__ import annotations

from irsalint.fix.sites import HCL_STRING, OPAQUE, Site
from irsalint.fix.source import SourceText
from irsalint.load.hcl import (
    Attribute,
    Block,
    Body,
    Call,
    Expr,
    Literal,
    ObjectExpr,
    ObjectItem,
    Template,
    TupleExpr,
    parse_hcl,
)
from irsalint.model import Location
from irsalint.record import record


@record
class Span:
    start: int
    end: int


class HclIndex:
    def __init__(self, source: SourceText, path: str) -> None:
        """Raises HclSyntaxError like the loader."""
        self.source = source
        self.body = parse_hcl(source.text, path)
        self.sites: list[Site] = []
        self.blocks: list[Block] = []
        self.items: list[tuple[ObjectExpr, ObjectItem]] = []
        self.heredocs: list[Template] = []
        self._body(self.body)

    def span(self, loc: Location) -> Span | None:
        start = self.source.offset(loc.line, loc.col)
        end = self.source.offset(loc.end_line or loc.line, loc.end_col) if loc.end_col else None
        if start is None or end is None or end < start:
            return None
        return Span(start, end)

    def _body(self, body: Body) -> None:
        for attribute in body.attributes:
            self._entry(attribute, id(body))
        for block in body.blocks:
            self.blocks.append(block)
            self._body(block.body)

    def _entry(self, attribute: Attribute, container: int) -> None:
        key = self.span(attribute.loc)
        self._value(attribute.expr, key.start if key else None, attribute.name, container)

    def _value(self, expr: Expr, key_start: int | None, key: str | None, container: int) -> None:
        span = self.span(expr.loc)
        if span is None:
            return
        site = Site(span.start, span.end, "", OPAQUE, key_start, key, container)
        if isinstance(expr, Template) and expr.heredoc:
            self.heredocs.append(expr)
        elif isinstance(expr, Template) and all(isinstance(p, str) for p in expr.parts):
            value = "".join(p for p in expr.parts if isinstance(p, str))
            raw = self.source.text[span.start : span.end]
            if len(raw) >= 2 and raw[0] == raw[-1] == '"' and raw[1:-1] == value:
                site = Site(span.start, span.end, value, HCL_STRING, key_start, key, container)
        self.sites.append(site)
        self._walk(expr)

    def _walk(self, expr: Expr) -> None:
        if isinstance(expr, Call):
            for arg in expr.args:
                self._value(arg, None, None, id(expr))
        elif isinstance(expr, TupleExpr):
            for element in expr.items:
                self._value(element, None, None, id(expr))
        elif isinstance(expr, ObjectExpr):
            for item in expr.items:
                self.items.append((expr, item))
                key_span = self.span(item.key.loc)
                self._value(item.value, key_span.start if key_span else None, _key_text(item.key), id(expr))


def _key_text(key: Expr) -> str | None:
    if isinstance(key, Literal) and isinstance(key.value, str):
        return key.value
    if isinstance(key, Template) and all(isinstance(p, str) for p in key.parts):
        return "".join(p for p in key.parts if isinstance(p, str))
    return None


def heredoc_body(index: HclIndex, heredoc: Template) -> Span | None:
    """The text between a heredoc's opening line and its closing marker."""
    span = index.span(heredoc.loc)
    if span is None:
        return None
    source = index.source
    text = source.text
    body_start = text.find("\n", span.start)
    if body_start < 0:
        return None
    end = span.end
    while end > span.start and text[end - 1] in "\r\n":
        end -= 1
    marker_start = source.line_start(end - 1) if end > 0 else 0
    if marker_start <= body_start:
        return None
    return Span(body_start + 1, marker_start)
