"""A file's bytes as the loaders see them: UTF-8 text without its BOM, with line positions."""

from __future__ import annotations

import bisect

from irsalint.record import field, record

BOM = b"\xef\xbb\xbf"


@record
class SourceText:
    text: str
    bom: bool = False
    line_starts: tuple[int, ...] = field(default=(), compare=False)

    @classmethod
    def from_bytes(cls, data: bytes) -> SourceText | None:
        """None for what the loaders refuse too (not UTF-8, binary)."""
        if b"\x00" in data[:8192]:
            return None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None
        return cls.of(text, data.startswith(BOM))

    @classmethod
    def of(cls, text: str, bom: bool = False) -> SourceText:
        starts = [0]
        index = text.find("\n")
        while index >= 0:
            starts.append(index + 1)
            index = text.find("\n", index + 1)
        return cls(text, bom, tuple(starts))

    def encode(self, text: str | None = None) -> bytes:
        body = (self.text if text is None else text).encode("utf-8")
        return BOM + body if self.bom else body

    def offset(self, line: int, col: int) -> int | None:
        """1-based line and column (code points, lines split at "\\n") -> offset; None when outside."""
        if not 1 <= line <= len(self.line_starts) or col < 1:
            return None
        start = self.line_starts[line - 1]
        end = self.line_starts[line] - 1 if line < len(self.line_starts) else len(self.text)
        offset = start + col - 1
        return offset if offset <= end else None

    def position(self, offset: int) -> tuple[int, int]:
        """offset -> 1-based (line, column)."""
        line = bisect.bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.line_starts, offset)

    def line_end(self, offset: int) -> int:
        """The offset of the line break ending the line of `offset` ("\\r\\n": its "\\r"), or the end
        of the text."""
        index = self.text.find("\n", offset)
        if index < 0:
            return len(self.text)
        return index - 1 if index > 0 and self.text[index - 1] == "\r" else index

    def line_start(self, offset: int) -> int:
        return self.line_starts[self.line_of(offset) - 1]

    def newline(self, offset: int) -> str:
        """The line break of the line holding `offset`; for a last line without one, the file's
        first line break (CRLF files stay CRLF)."""
        index = self.text.find("\n", offset)
        if index < 0:
            index = self.text.find("\n")
            if index < 0:
                return "\n"
        return "\r\n" if index > 0 and self.text[index - 1] == "\r" else "\n"

    def indent_before(self, offset: int) -> str | None:
        """The whitespace from the start of the line up to `offset`, or None when something else
        precedes it on its line."""
        prefix = self.text[self.line_start(offset) : offset]
        return prefix if prefix.strip(" \t") == "" else None
