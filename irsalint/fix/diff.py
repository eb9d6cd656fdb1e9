"""A unified diff of the files fixes would change (`irsalint check --diff`), as `git diff` shows
one: paths under a/ and b/, line endings as they are, a marker for a missing final newline."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from irsalint.fix.apply import FileChange


def _lines(data: bytes) -> list[str]:
    text = data.decode("utf-8-sig")
    lines = text.split("\n")
    out = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out


def unified_diff(changes: Sequence[FileChange]) -> str:
    out: list[str] = []
    for change in changes:
        before, after = _lines(change.before), _lines(change.after)
        for line in difflib.unified_diff(before, after, f"a/{change.path}", f"b/{change.path}"):
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)
