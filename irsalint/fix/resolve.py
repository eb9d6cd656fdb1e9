"""Fix intents -> edits on the file as written. Each file is read once and parsed again here with
full positions (the loaders keep only what the rules need); an intent whose target cannot be found
exactly, or whose new text would not read back as intended, gets no fix (never a guess)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from itertools import pairwise

import yaml

from irsalint.fix.embedded import embedded_json, masked
from irsalint.fix.hcldoc import HclIndex, heredoc_body
from irsalint.fix.intents import AddAudience, Change, FixIntent, InsertEntry, SetString
from irsalint.fix.model import SAFE, UNSAFE, Edit, Fix
from irsalint.fix.quote import hcl_string, json_string, yaml_scalar
from irsalint.fix.sites import (
    HCL_STRING,
    YAML_DOUBLE,
    YAML_FOLDED,
    YAML_LITERAL,
    YAML_PLAIN,
    YAML_SINGLE,
    Site,
)
from irsalint.fix.source import SourceText
from irsalint.fix.yamldoc import YamlIndex, YEntry, entry_after
from irsalint.load.hcl import Block, HclSyntaxError, ObjectExpr, ObjectItem
from irsalint.model import Location

STS_AUDIENCE = "sts.amazonaws.com"
MAX_FIX_BYTES = 4 * 1024 * 1024  # larger files (cluster dumps) are linted, never edited
_HCL_SUFFIXES = (".tf", ".tfvars")
_YAML_SUFFIXES = (".yaml", ".yml", ".json")
_EDITABLE = (YAML_PLAIN, YAML_SINGLE, YAML_DOUBLE, YAML_LITERAL, YAML_FOLDED, HCL_STRING)
_BLOCK_HEADER_RE = re.compile(r"[|>][1-9]?(?=[ \t]*(?:#[^\r\n]*)?\r?$)", re.MULTILINE)

Reader = Callable[[str], "bytes | None"]


def cap(applicability: str, ceiling: str) -> str:
    """A fix is never more permissive than its rule file says (`fix: unsafe` caps a safe fix)."""
    return UNSAFE if ceiling == UNSAFE else applicability


class Resolver:
    def __init__(self, read: Reader) -> None:
        self.read = read
        self._sources: dict[str, SourceText | None] = {}
        self._yaml: dict[str, YamlIndex | None] = {}
        self._hcl: dict[str, HclIndex | None] = {}

    def resolve(self, intent: FixIntent, ceiling: str = SAFE) -> Fix | None:
        edits: list[Edit] = []
        for change in intent.changes:
            found = self._change(change)
            if found is None:
                return None
            edits.extend(found)
        edits.sort()
        for a, b in pairwise(edits):
            if a.path == b.path and b.start < a.end:
                return None  # one fix, overlapping edits: not a fix we understand
        if not edits:
            return None
        return Fix(cap(intent.applicability, ceiling), intent.message, tuple(edits))

    # --- files ------------------------------------------------------------------------------

    def source(self, path: str) -> SourceText | None:
        if path not in self._sources:
            data = self.read(path) if path.endswith(_HCL_SUFFIXES + _YAML_SUFFIXES) else None
            self._sources[path] = SourceText.from_bytes(data) if data is not None and len(data) <= MAX_FIX_BYTES else None
        return self._sources[path]

    def yaml_index(self, path: str) -> YamlIndex | None:
        if path not in self._yaml:
            source = self.source(path)
            index = None
            if source is not None and path.endswith(_YAML_SUFFIXES):
                try:
                    index = YamlIndex(source.text)
                except (yaml.YAMLError, RecursionError, ValueError):
                    index = None
            self._yaml[path] = index
        return self._yaml[path]

    def hcl_index(self, path: str) -> HclIndex | None:
        if path not in self._hcl:
            source = self.source(path)
            index = None
            if source is not None and path.endswith(_HCL_SUFFIXES):
                try:
                    index = HclIndex(source, path)
                except (HclSyntaxError, RecursionError):
                    index = None
            self._hcl[path] = index
        return self._hcl[path]

    def _edit(self, path: str, source: SourceText, start: int, end: int, text: str) -> Edit:
        line, col = source.position(start)
        end_line, end_col = source.position(end)
        return Edit(path, start, end, text, line, col, end_line, end_col)

    def _change(self, change: Change) -> list[Edit] | None:
        source = self.source(change.at.path)
        if source is None:
            return None
        offset = source.offset(change.at.line, change.at.col)
        if offset is None:
            return None
        if isinstance(change, SetString):
            return self._set_string(change, source, offset)
        if isinstance(change, InsertEntry):
            return self._insert_entry(change, source, offset)
        return self._add_audience(change, source, offset)

    # --- SetString ----------------------------------------------------------------------------

    def _sites(self, path: str, line: int) -> list[Site]:
        index = self.yaml_index(path)
        if index is not None:
            sites = list(index.sites())
            for embedded in self._embedded_in_yaml(path, index, line):
                sites.extend(embedded.sites())
            return sites
        hcl = self.hcl_index(path)
        if hcl is None:
            return []
        sites = list(hcl.sites)
        for embedded in self._embedded_in_hcl(hcl, line):
            sites.extend(embedded.sites())
        return sites

    def _set_string(self, change: SetString, source: SourceText, offset: int) -> list[Edit] | None:
        path = change.at.path
        sites = self._sites(path, change.at.line)
        if change.sibling is not None:
            containers = {s.container for s in sites if s.key_start == offset}
            chosen = [s for s in sites if s.container in containers and s.key == change.sibling]
        else:
            matching = [s for s in sites if _matches(s, change)]
            chosen = [s for s in matching if offset in (s.key_start, s.start)]
            if not chosen:
                chosen = [s for s in matching if change.at.line in _lines(source, s)]
        if len(chosen) != 1 or not _matches(chosen[0], change):
            return None
        site = chosen[0]
        if site.kind in _EDITABLE and masked(source, site.start, site.end):
            return None  # inside a heredoc with interpolations: the text is not the value
        value = change.new[len(change.old) - len(site.value) :] if change.tail else change.new
        edit = self._rewrite(site, value, source, path)
        return None if edit is None else [edit]

    def _rewrite(self, site: Site, value: str, source: SourceText, path: str) -> Edit | None:
        raw = source.text[site.start : site.end]
        if site.kind in (YAML_LITERAL, YAML_FOLDED):
            # `|` keeps the final line break; `|-` strips it: the one block-scalar edit we make
            header = _BLOCK_HEADER_RE.match(raw)
            if header is None or not (site.value.endswith("\n") and not site.value.endswith("\n\n")):
                return None
            if value != site.value[:-1]:
                return None
            at = site.start + header.end()
            return self._edit(path, source, at, at, "-")
        if site.kind == HCL_STRING:
            new_raw: str | None = hcl_string(value)
        elif path.endswith(".json") and site.kind == YAML_DOUBLE:
            new_raw = json_string(value)
        else:
            new_raw = yaml_scalar(value, None if site.kind == YAML_PLAIN else site.kind, site.tag)
        if new_raw is None or "\n" in raw:
            return None  # multi-line scalars are rewritten by hand, not by us
        head = 0
        while head < min(len(raw), len(new_raw)) and raw[head] == new_raw[head]:
            head += 1
        tail = 0
        while tail < min(len(raw), len(new_raw)) - head and raw[-1 - tail] == new_raw[-1 - tail]:
            tail += 1
        start, end = site.start + head, site.end - tail
        return self._edit(path, source, start, end, new_raw[head : len(new_raw) - tail])

    def _embedded_in_yaml(self, path: str, index: YamlIndex, line: int) -> list[YamlIndex]:
        """JSON documents in literal block scalars (CloudFormation `!Sub |`) spanning `line`."""
        source = self.source(path)
        found: list[YamlIndex] = []
        if source is None:
            return found
        for start, end, value in index.literal_blocks():
            if not value.lstrip().startswith("{"):
                continue
            body = source.text.find("\n", start) + 1
            if body and source.line_of(body) <= line <= source.line_of(max(end - 1, body)):
                embedded = embedded_json(source, body, end)
                if embedded is not None:
                    found.append(embedded)
        return found

    def _embedded_in_hcl(self, index: HclIndex, line: int) -> list[YamlIndex]:
        found: list[YamlIndex] = []
        for heredoc in index.heredocs:
            body = heredoc_body(index, heredoc)
            if body is None:
                continue
            source = index.source
            if source.line_of(body.start) <= line <= source.line_of(max(body.end - 1, body.start)):
                embedded = embedded_json(source, body.start, body.end)
                if embedded is not None:
                    found.append(embedded)
        return found

    # --- InsertEntry (IRSA004) --------------------------------------------------------------

    def _insert_entry(self, change: InsertEntry, source: SourceText, offset: int) -> list[Edit] | None:
        index = self.yaml_index(change.at.path)
        if index is None:
            return None
        entry = index.entry_at(offset)
        if entry is None or entry.key.value != "name" or entry.parent is None or entry.parent.key.value != "metadata":
            return None
        obj = entry.parent.mapping
        if any(isinstance(k, yaml.ScalarNode) and k.value == change.key for k, _ in obj.value):
            return None
        last_key, last_value = obj.value[-1]
        if not isinstance(last_key, yaml.ScalarNode):
            return None
        key = {YAML_DOUBLE: json_string(change.key), YAML_SINGLE: f"'{change.key}'"}.get(last_key.style or "", change.key)
        placed = entry_after(index, source, YEntry(obj, last_key, last_value, None), key, change.value)
        if placed is None:
            return None
        at, text = placed
        return [self._edit(change.at.path, source, at, at, text)]

    # --- AddAudience (IRSA010) --------------------------------------------------------------

    def _add_audience(self, change: AddAudience, source: SourceText, offset: int) -> list[Edit] | None:
        path = change.at.path
        placed: tuple[int, str] | None = None
        index = self.yaml_index(path)
        if index is not None:
            entry = index.entry_at(offset)
            if entry is not None:
                placed = self._json_audience(index, source, entry)
            else:
                placed = self._embedded_audience(self._embedded_in_yaml(path, index, change.at.line), source, change.at.line)
        else:
            hcl = self.hcl_index(path)
            if hcl is None:
                return None
            placed = self._hcl_audience(hcl, source, change.at, offset)
        if placed is None:
            return None
        at, text = placed
        return [self._edit(path, source, at, at, text)]

    def _json_audience(self, index: YamlIndex, source: SourceText, entry: YEntry) -> tuple[int, str] | None:
        key = aud_key(source.text[index.start(entry.key) : index.end(entry.key)])
        if key is None:
            return None
        value = entry.value
        style = value.style if isinstance(value, yaml.ScalarNode) else None
        if entry.mapping.flow_style or entry.key.style == YAML_DOUBLE:
            style = YAML_DOUBLE  # JSON, or JSON-like YAML
        quoted = {YAML_DOUBLE: json_string(STS_AUDIENCE), YAML_SINGLE: f"'{STS_AUDIENCE}'"}.get(style or "", STS_AUDIENCE)
        return entry_after(index, source, entry, key, quoted)

    def _embedded_audience(self, documents: Sequence[YamlIndex], source: SourceText, line: int) -> tuple[int, str] | None:
        candidates = [
            (document, entry)
            for document in documents
            for entry in document.entries_on_line(source, line)
            if str(entry.key.value).endswith(":sub")
        ]
        if len(candidates) != 1:
            return None
        document, entry = candidates[0]
        return self._json_audience(document, source, entry)

    def _hcl_audience(self, index: HclIndex, source: SourceText, at: Location, offset: int) -> tuple[int, str] | None:
        blocks = [b for b in index.blocks if b.type == "condition" and (b.loc.line, b.loc.col) == (at.line, at.col)]
        if len(blocks) == 1:
            return self._condition_block(index, source, blocks[0])
        items = [(o, i) for o, i in index.items if (span := index.span(i.key.loc)) is not None and span.start == offset]
        if len(items) == 1:
            return self._object_item(index, source, *items[0])
        return self._embedded_audience(self._embedded_in_hcl(index, at.line), source, at.line)

    def _condition_block(self, index: HclIndex, source: SourceText, block: Block) -> tuple[int, str] | None:
        """A new `condition` block after the `:sub` one, indented like it, attributes aligned as
        `terraform fmt` aligns them."""
        span = index.span(block.loc)
        variable = block.body.attr("variable")
        variable_span = index.span(variable.expr.loc) if variable is not None else None
        if span is None or variable_span is None:
            return None
        indent = source.indent_before(span.start)
        key = aud_key(source.text[variable_span.start : variable_span.end])
        if indent is None or key is None or "\n" in key:
            return None
        inner = "  "
        first = min((a.loc for a in block.body.attributes), default=None, key=lambda loc: (loc.line, loc.col))
        if first is not None and first.line > block.loc.line:
            first_offset = source.offset(first.line, first.col)
            found = source.indent_before(first_offset) if first_offset is not None else None
            if found is not None and found.startswith(indent) and len(found) > len(indent):
                inner = found[len(indent) :]
        newline = source.newline(span.start)
        lines = [
            f"{indent}condition {{",
            f'{indent}{inner}test     = "StringEquals"',
            f"{indent}{inner}variable = {key}",
            f'{indent}{inner}values   = ["{STS_AUDIENCE}"]',
            f"{indent}}}",
        ]
        at = source.line_end(span.end - 1)
        return at, newline + newline.join(lines)

    def _object_item(self, index: HclIndex, source: SourceText, obj: ObjectExpr, item: ObjectItem) -> tuple[int, str] | None:
        """`"<issuer>:aud" = "sts.amazonaws.com"` after the `:sub` item of a `jsonencode` object."""
        key_span, value_span = index.span(item.key.loc), index.span(item.value.loc)
        if key_span is None or value_span is None:
            return None
        text = source.text
        key = aud_key(text[key_span.start : key_span.end])
        between = text[key_span.end : value_span.start]
        if key is None or "\n" in between:
            return None
        new_item = f"{key}{between}{hcl_string(STS_AUDIENCE)}"
        indent = source.indent_before(key_span.start)
        rest = text[value_span.end : source.line_end(value_span.end)].lstrip(" \t")
        obj_span = index.span(obj.loc)
        own_line = obj_span is not None and source.line_of(obj_span.start) != source.line_of(key_span.start)
        if indent is not None and own_line:
            comma = "," if rest.startswith(",") else ""
            at = source.line_end(value_span.end - 1)
            return at, f"{source.newline(key_span.start)}{indent}{new_item}{comma}"
        return value_span.end, f", {new_item}"


def aud_key(raw: str) -> str | None:
    """The `:sub` key as written, with `:sub` replaced by `:aud` (a templated issuer stays as it is)."""
    at = raw.rfind(":sub")
    if at < 0 or raw[at + 4 :] not in ("", '"', "'"):
        return None
    return raw[:at] + ":aud" + raw[at + 4 :]


def _matches(site: Site, change: SetString) -> bool:
    if site.kind not in _EDITABLE:
        return False
    if site.value == change.old:
        return True
    if not change.tail or not site.value or not change.old.endswith(site.value):
        return False
    return change.new.startswith(change.old[: len(change.old) - len(site.value)])


def _lines(source: SourceText, site: Site) -> set[int]:
    lines = {source.line_of(site.start)}
    if site.key_start is not None:
        lines.add(source.line_of(site.key_start))
    return lines
