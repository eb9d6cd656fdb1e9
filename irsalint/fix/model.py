"""What a fix is: checks describe the change they want (an intent, located like a finding); the
resolver turns it into text edits on the file as written (irsalint.fix.resolve).

Edits are character spans of the file's text decoded as UTF-8 with any BOM left out (the text the
loaders parse), so that positions agree with libyaml's and lark's; the BOM is put back on write.
Lines and columns are 1-based, columns count code points (SARIF `columnKind: unicodeCodePoints`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from irsalint.core import Location

SAFE = "safe"
UNSAFE = "unsafe"
NONE = "none"
# A rule file's `fix:` value, from the most to the least permissive.
FIX_KINDS = (SAFE, UNSAFE, NONE)


@dataclass(frozen=True, slots=True, order=True)
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


@dataclass(frozen=True, slots=True)
class Fix:
    applicability: str  # SAFE | UNSAFE
    message: str  # what the edits do, one sentence: 'Write "600"'
    edits: tuple[Edit, ...]

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(sorted({e.path for e in self.edits}))


# --- intents: what a check asks for, before the file is read ------------------------------------


@dataclass(frozen=True, slots=True)
class SetString:
    """The string written at `at` becomes `new`; it must read `old` now.

    `at` is the value itself, or the key of the entry holding it (an annotation's key). With
    `sibling`, the value of that other key of the same mapping or block (`namespace` next to
    `metadata.name`). With `tail`, the literal may hold only the end of `old`, as a module input
    `"ns:sa"` does for the subject `system:serviceaccount:ns:sa`."""

    at: Location
    old: str
    new: str
    sibling: str | None = None
    tail: bool = False


@dataclass(frozen=True, slots=True)
class InsertEntry:
    """A `key: value` entry added at the top level of the Kubernetes object whose `metadata.name`
    key is at `at`, indented like its other keys (YAML only)."""

    at: Location
    key: str
    value: str  # YAML text of the value, e.g. "true"


@dataclass(frozen=True, slots=True)
class AddAudience:
    """`<issuer>:aud` = sts.amazonaws.com next to the trust's `:sub` condition at `at`: its key's
    own text with `:sub` replaced by `:aud`, so that a templated issuer stays templated."""

    at: Location


Change = Union[SetString, InsertEntry, AddAudience]


@dataclass(frozen=True, slots=True)
class FixIntent:
    message: str
    applicability: str  # SAFE | UNSAFE
    changes: tuple[Change, ...]
