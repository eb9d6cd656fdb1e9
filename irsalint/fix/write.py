"""Writing fixed files: only files whose bytes change, each replaced atomically (a temporary file
beside it, then a rename), keeping its permissions; a file that changed on disk since it was read
is left alone, and so is a file whose real path is outside the repository (a symlink out)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from irsalint.fix.apply import FileChange


def write_changes(base: Path, changes: Sequence[FileChange]) -> tuple[list[str], list[str]]:
    """(written paths, paths skipped: changed meanwhile or outside the repository); raises OSError."""
    written: list[str] = []
    skipped: list[str] = []
    root = Path(os.path.realpath(base))
    for change in changes:
        target = Path(os.path.realpath(base / change.path))  # a symlinked file: edit its target
        if root not in target.parents or target.read_bytes() != change.before:
            skipped.append(change.path)
            continue
        descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".irsalint", dir=target.parent)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(change.after)
            shutil.copymode(target, temporary)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        written.append(change.path)
    return written, skipped
