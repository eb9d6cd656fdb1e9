"""gitignore patterns (`.gitignore`, `.irsalintignore`): each line compiled to a regular
expression, and a path's verdict as git gives it.

What git does, as pathspec's `GitIgnoreSpec` replicates it (pathspec is the test suite's oracle,
`tests/test_gitignore.py`; it was a run-time dependency until its import, ~20 ms with dataclasses
and typing, cost a third of a warm run in any repository with a `.gitignore`):

- blank lines and `#` comments match nothing; trailing whitespace is dropped unless escaped
  (`\\ `); `!` negates; `\\#`, `\\!` and any other `\\x` stand for the character;
- a pattern with a slash at its start or in its middle is anchored at the file's directory, any
  other matches at every depth; a trailing slash matches directories only (a path is passed
  with a trailing slash when it names a directory), and everything below them;
- `*` and `?` match within one path segment, `[...]` is a bracket expression (`!` or `^`
  negates it), a leading `**/`, an inner `/**/` and a trailing `/**` span segments;
- the last pattern that matches the path itself decides; a pattern that only matches a
  directory above it (`build/` for `build/x.tf`) decides only when none does.

A line git would not use (an unclosed `[`, a trailing lone `\\`, a `!` with nothing after it) is
skipped, as git skips it; pathspec raised on some of them, and irsalint stopped with an internal
error on such a `.gitignore`.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable

# `*a*a*b` as `[^/]*a[^/]*a[^/]*b` backtracks polynomially in the name's length (seven stars and
# a 60-character name: 9 s per name, as with pathspec): each star but the last places the text
# after it at its earliest position and keeps it there (an atomic group, Python 3.11+), which
# matches the same names, since every piece between two stars has a fixed length.
_ATOMIC = sys.version_info >= (3, 11)
_DIRECTORY = "ps_d"  # the slash after a directory the pattern named (pathspec's group name: tests compare regexes)
_DIRECTORY_MARK = f"(?P<{_DIRECTORY}>/)"
_END_OR_DIRECTORY = f"(?:{_DIRECTORY_MARK}|$)"


class _Unusable(ValueError):
    """A pattern git does not use (it matches nothing)."""


class IgnorePatterns:
    """The patterns of one directory's ignore files, in file order."""

    __slots__ = ("_patterns", "_any")

    def __init__(self, lines: Iterable[str]) -> None:
        compiled: list[tuple[re.Pattern[str], bool]] = []
        for line in lines:
            try:
                translated = pattern_to_regex(line)
            except _Unusable:
                continue
            if translated is not None:
                regex, ignores = translated
                try:
                    compiled.append((re.compile(regex), ignores))
                except re.error:  # `[z-a]`: a range git matches nothing with
                    continue
        self._patterns = tuple(reversed(compiled))  # the last pattern first
        # Most paths match no pattern: one search of all of them at once says so (4,003 files under
        # an 8-line .gitignore: 2.5 ms instead of 10).
        self._any = re.compile("|".join(f"(?:{r.pattern.replace(_DIRECTORY_MARK, '/')})" for r, _ in compiled))

    def __bool__(self) -> bool:
        return bool(self._patterns)

    def verdict(self, path: str) -> bool | None:
        """True: ignored, False: re-included (`!`), None: no pattern matches `path` (relative to
        the directory, with a trailing slash for a directory)."""
        if self._any.search(path) is None:
            return None
        through_directory: bool | None = None
        for regex, ignores in self._patterns:
            match = regex.search(path)
            if match is None:
                continue
            if not match.groupdict().get(_DIRECTORY):
                return ignores  # matches the path itself: the last such pattern decides
            if through_directory is None:
                through_directory = ignores
        return through_directory


def pattern_to_regex(line: str, atomic: bool = _ATOMIC) -> tuple[str, bool] | None:
    """The regular expression of one line and whether it ignores (False for `!`); None for a
    line that is no pattern. Raises _Unusable for a pattern git does not use. `atomic=False`:
    pathspec's expression, character for character (the tests compare them)."""
    pattern = line if line.endswith("\\ ") else line.rstrip()
    if not pattern or pattern.startswith("#") or pattern == "/":
        return None
    ignores = not pattern.startswith("!")
    if not ignores:
        pattern = pattern[1:]
    segments = pattern.split("/")
    directory_only = not segments[-1]
    if not segments[0]:
        del segments[0]  # `/x`: anchored at the file's directory
    elif len(segments) == 1 or (len(segments) == 2 and not segments[1]):
        if segments[0] != "**":
            segments.insert(0, "**")  # `x` and `x/`: at any depth
    if not segments:
        raise _Unusable(line)
    if not segments[-1]:
        segments[-1] = "**"  # `x/`: and everything below it
    segments = [s for i, s in enumerate(segments) if not (s == "**" and i > 0 and segments[i - 1] == "**")]
    if segments == ["**"]:
        return (_DIRECTORY_MARK if directory_only else "."), ignores
    if segments == ["**", "*"]:
        return ".", ignores
    if segments == ["**", "*", "**"]:
        return (_DIRECTORY_MARK if directory_only else "/"), ignores
    return "".join(_segments_regex(segments, directory_only, atomic)), ignores


def _segments_regex(segments: list[str], directory_only: bool, atomic: bool) -> list[str]:
    parts: list[str] = []
    slash_before = False
    last = len(segments) - 1
    for index, segment in enumerate(segments):
        if segment == "**":
            if index == 0:
                parts.append("^(?:.+/)?")  # any leading directories
            elif index < last:
                parts.append("(?:/.+)?")  # any directories between
                slash_before = True
            else:
                parts.append(_DIRECTORY_MARK if directory_only else "/")  # anything below
            continue
        if index == 0:
            parts.append("^")
        if slash_before:
            parts.append("/")
        parts.append("[^/]+" if segment == "*" else _glob_regex(segment, atomic))
        if index == last:
            parts.append(_END_OR_DIRECTORY)  # the path itself, or anything below it
        slash_before = True
    return parts


def _glob_regex(glob: str, atomic: bool) -> str:
    """One segment's glob as a regular expression (fnmatch's rules within a path segment)."""
    pieces, stars = _glob_pieces(glob)
    if not atomic or len(stars) < 2:
        return "".join(pieces)
    regex = "".join(pieces[: stars[0]])
    for star, following in zip(stars, stars[1:]):  # the text after each star but the last: earliest
        regex += "(?>[^/]*?" + "".join(pieces[star + 1 : following]) + ")"
    return regex + "".join(pieces[stars[-1] :])


_STAR = "[^/]*"


def _glob_pieces(glob: str) -> tuple[list[str], list[int]]:
    """The regular expression of each character (or bracket expression) of a segment's glob, and
    where the stars are among them."""
    regex: list[str] = []
    stars: list[int] = []
    index, end = 0, len(glob)
    while index < end:
        char = glob[index]
        index += 1
        if char == "\\":
            if index == end:
                raise _Unusable(glob)  # a trailing lone backslash
            regex.append(re.escape(glob[index]))
            index += 1
        elif char == "*":
            stars.append(len(regex))
            regex.append(_STAR)
        elif char == "?":
            regex.append("[^/]")
        elif char == "[":
            closing = index
            if closing < end and glob[closing] in "!^":
                closing += 1
            if closing < end and glob[closing] == "]":  # `[]a]`: a first `]` is a member
                closing += 1
            while closing < end and glob[closing] != "]":
                closing += 1
            if closing >= end:
                raise _Unusable(glob)  # no closing bracket
            negated = glob[index] in "!^"
            members = glob[index + 1 if negated else index : closing]
            regex.append("[" + ("^" if negated else "") + members.replace("\\", "\\\\") + "]")
            index = closing + 1
        else:
            regex.append(re.escape(char))
    return regex, stars
