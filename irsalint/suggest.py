"""Suggestions for misspelt rule ids, configuration keys and options ("did you mean ...?")."""

from __future__ import annotations

from collections.abc import Iterable


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions), case-sensitive."""
    # A common prefix and suffix never change the distance: trust subjects share
    # "system:serviceaccount:", which would otherwise dominate the quadratic table.
    start = 0
    while start < len(a) and start < len(b) and a[start] == b[start]:
        start += 1
    end = 0
    while end < len(a) - start and end < len(b) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    a, b = a[start : len(a) - end], b[start : len(b) - end]
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


def one_edit_apart(a: str, b: str) -> bool:
    """edit_distance(a, b) == 1, in one pass: the strings differ by exactly one insertion, deletion
    or substitution."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) < len(b):
        a, b = b, a
    start = 0
    while start < len(b) and a[start] == b[start]:
        start += 1
    skip = start + 1 if len(a) == len(b) else start  # a substitution, or a's extra character
    return a[start + 1 :] == b[skip:]


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate nearest to word, when near enough to be a typo (about a third of its length);
    ties go to the alphabetically first candidate, so messages are deterministic."""
    best: tuple[int, str] | None = None
    for candidate in sorted(set(candidates)):
        distance = edit_distance(word.lower(), candidate.lower())
        if best is None or distance < best[0]:
            best = (distance, candidate)
    if best is None or best[0] > max(1, len(word) // 3):
        return None
    return best[1]


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """` (did you mean X?)`, or an empty string when nothing is close."""
    match = closest(word, candidates)
    return f" (did you mean {match}?)" if match is not None else ""
