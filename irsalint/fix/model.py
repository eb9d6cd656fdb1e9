"""What a fix is: checks describe the change they want (an intent, located like a finding); the
resolver turns it into text edits on the file as written (irsalint.fix.resolve).

The intents checks write are in irsalint.fix.intents: a warm run unpickles Fix records only, so
it does not create the intents' classes.

Edits are character spans of the file's text decoded as UTF-8 with any BOM left out (the text the
loaders parse), so that positions agree with libyaml's and lark's; the BOM is put back on write.
Lines and columns are 1-based, columns count code points (SARIF `columnKind: unicodeCodePoints`).
"""

from __future__ import annotations

from irsalint.record import ordered_record, record

SAFE = "safe"
UNSAFE = "unsafe"
NONE = "none"
# A rule file's `fix:` value, from the most to the least permissive.
FIX_KINDS = (SAFE, UNSAFE, NONE)


@ordered_record
class Edit:
    """Replace the characters [start, end) of `path` with `text` (start == end: an insertion)."""

    path: str
    start: int
    end: int
    text: str
    line: int  # of start
    col: int
    end_line: int  # of end
    end_col: int


@record
class Fix:
    """A resolved fix: concrete edits to files as written, and whether applying them is safe."""

    applicability: str  # SAFE | UNSAFE
    message: str  # what the edits do, one sentence: 'Write "600"'
    edits: tuple[Edit, ...]

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(sorted({e.path for e in self.edits}))
