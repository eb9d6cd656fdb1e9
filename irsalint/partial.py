"""Partly known strings (model.Partial): building them, and asking whether they could equal a
known string or another partial one. Pure functions; a hole stands for any text."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from irsalint.model import Partial

Hole = tuple[str]  # a hole, carrying how it was written: ("${var.env}",)
_HOLE = "\x00"  # a hole inside a flattened pattern (never in real text we compare)


def make_partial(parts: Sequence[str | Hole | Partial]) -> Partial | str | None:
    """Literal text, holes and nested partials -> one Partial (adjacent holes merged), or the
    plain string when there is no hole; None when there is no literal text at all."""
    pieces: list[str] = [""]
    holes: list[str] = []

    def hole(written: str) -> None:
        if holes and pieces[-1] == "":
            holes[-1] += written  # "${a}${b}" is one hole
        else:
            holes.append(written)
            pieces.append("")

    for part in parts:
        if isinstance(part, str):
            pieces[-1] += part
        elif isinstance(part, Partial):
            pieces[-1] += part.pieces[0]
            for written, piece in zip(part.holes, part.pieces[1:]):
                hole(written)
                pieces[-1] += piece
        else:
            hole(part[0])
    if not holes:
        return pieces[0]
    if not any(pieces):
        return None
    return Partial(tuple(pieces), tuple(holes))


def split_placeholders(text: str, pattern: re.Pattern[str]) -> Partial | str | None:
    """Text with placeholder tokens (`${VAR}`, `{{ .x }}`...) -> a Partial whose holes are them."""
    parts: list[str | Hole] = []
    position = 0
    for match in pattern.finditer(text):
        parts.append(text[position : match.start()])
        parts.append((match.group(0),))
        position = match.end()
    parts.append(text[position:])
    return make_partial(parts)


def literal_length(value: Partial) -> int:
    """How much of the string is known (letters and digits only: separators say little)."""
    return sum(c.isalnum() for piece in value.pieces for c in piece)


@functools.lru_cache(maxsize=4096)
def _regex(pieces: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("(?s:.*?)".join(re.escape(p) for p in pieces))


def matches(value: Partial | str, text: str) -> bool:
    """Could `value` be `text`?"""
    if isinstance(value, str):
        return value == text
    return _regex(value.pieces).fullmatch(text) is not None


def could_equal(a: Partial | str, b: Partial | str) -> bool:
    """Is there a string both could be? (Intersection of two patterns whose only wildcard is a
    hole matching any text.)"""
    if isinstance(a, str):
        return matches(b, a)
    if isinstance(b, str):
        return matches(a, b)
    return _intersects(_HOLE.join(a.pieces), _HOLE.join(b.pieces))


@functools.lru_cache(maxsize=4096)
def _intersects(a: str, b: str) -> bool:
    """Dynamic programming over suffixes: ok[i][j] says a[i:] and b[j:] share a string."""
    if len(a) * len(b) > 1_000_000:
        return False  # no real name is this long: never link on it
    width = len(b) + 1
    below = [False] * width  # row i + 1
    for i in range(len(a), -1, -1):
        row = [False] * width
        for j in range(len(b), -1, -1):
            if i == len(a) and j == len(b):
                row[j] = True
            elif i < len(a) and a[i] == _HOLE:
                row[j] = below[j] or (j < len(b) and row[j + 1])
            elif j < len(b) and b[j] == _HOLE:
                row[j] = row[j + 1] or (i < len(a) and below[j])
            else:
                row[j] = i < len(a) and j < len(b) and a[i] == b[j] and below[j + 1]
        below = row
    return below[0]
