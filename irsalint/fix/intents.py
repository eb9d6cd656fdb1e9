"""What a check asks a fix to do, before the file is read (irsalint.fix.model): each intent is
located like a finding, and the resolver turns it into text edits (irsalint.fix.resolve)."""

from __future__ import annotations

from typing import Union

from irsalint.core import Location
from irsalint.record import record


@record
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


@record
class InsertEntry:
    """A `key: value` entry added at the top level of the Kubernetes object whose `metadata.name`
    key is at `at`, indented like its other keys (YAML only)."""

    at: Location
    key: str
    value: str  # YAML text of the value, e.g. "true"


@record
class AddAudience:
    """`<issuer>:aud` = sts.amazonaws.com next to the trust's `:sub` condition at `at`: its key's
    own text with `:sub` replaced by `:aud`, so that a templated issuer stays templated."""

    at: Location


Change = Union[SetString, InsertEntry, AddAudience]


@record
class FixIntent:
    message: str
    applicability: str  # SAFE | UNSAFE
    changes: tuple[Change, ...]
