"""PATHs -> the source files to lint, in a stable order, with paths relative to the repository root.

Never follows a symlink out of the scanned path, detects directory loops, never enters `.git/`,
`.terraform/`, `.terragrunt-cache/`, `node_modules/`, `vendor/` or virtual environments, and
respects `.gitignore` and `.irsalintignore` (ignorefiles.py). A file named on the command line is
linted even when an ignore file matches it."""

from __future__ import annotations

import errno
import operator
import os
from pathlib import Path

from irsalint.core import SkipNote
from irsalint.errors import UsageError
from irsalint.ignorefiles import IgnoreRules
from irsalint.record import record

SKIP_DIRS = frozenset({
    ".git", ".terraform", ".terragrunt-cache", "node_modules", "vendor", ".irsalint_cache", "__pycache__",
    ".hg", ".svn", ".tox",
})  # fmt: skip
YAML_SUFFIXES = (".yaml", ".yml", ".json")
TERRAFORM_SUFFIXES = (".tf", ".tfvars")


@record
class SourceFile:
    """A file discovery found to lint, and which loader reads it."""

    path: str  # display path: relative to the base, POSIX separators
    abspath: str
    kind: str  # "terraform" | "yaml"


_KIND_OF_SUFFIX = {**dict.fromkeys(TERRAFORM_SUFFIXES, "terraform"), **dict.fromkeys(YAML_SUFFIXES, "yaml")}


def classify(name: str) -> str | None:
    """"terraform", "yaml" or None, by the file name's suffix (one dictionary lookup: discovery
    classifies every file of the repository, warm runs included)."""
    lower = name.lower()
    kind = _KIND_OF_SUFFIX.get(lower[lower.rfind(".") :])
    if kind == "yaml" and lower.endswith((".tf.json", ".tfvars.json")):
        return "terraform"  # Terraform JSON syntax
    return kind


def display_base(paths: list[str]) -> Path:
    """Without a repository root: the working directory when every scanned path is inside it,
    else the scanned paths' common parent."""
    cwd = Path.cwd().resolve()
    resolved = [Path(p).resolve() for p in paths]
    if all(cwd == r or cwd in r.parents for r in resolved):
        return cwd
    common = Path(os.path.commonpath([str(r if r.is_dir() else r.parent) for r in resolved]))
    return common


def find_repository_root(start: Path) -> Path | None:
    """The nearest directory from `start` up holding `.git` (a directory, or a file in worktrees
    and submodules): git's top level, found without running git."""
    for folder in (start, *start.parents):
        try:
            if (folder / ".git").exists():
                return folder
        except OSError:  # an unreadable directory on the way up
            continue
    return None


def scan_root(paths: list[str], explicit: str | None = None) -> tuple[Path, str]:
    """The directory every reported path is relative to, and where it came from: `--root DIR`,
    else the git top level above the scanned paths, else display_base()."""
    resolved = [Path(p).resolve() for p in paths]
    if explicit is not None:
        root = Path(explicit).resolve()
        if not root.is_dir():
            raise UsageError(f"--root {explicit}: not a directory")
        outside = [p for p, r in zip(paths, resolved) if r != root and root not in r.parents]
        if outside:
            raise UsageError(f"--root {explicit} does not contain the scanned path {outside[0]}")
        return root, "--root"
    starts = [r if r.is_dir() else r.parent for r in resolved]
    found = find_repository_root(Path(os.path.commonpath([str(s) for s in starts])))
    if found is not None:
        return found, "the git top level"
    return display_base(paths), "no .git found: the scanned directory"


def discover(
    paths: list[str], exclude: tuple[str, ...] = (), root: str | None = None
) -> tuple[list[SourceFile], list[SkipNote], Path]:
    """Paths are shown relative to `root` (the repository root; default: display_base())."""
    for path in paths:
        if not os.path.lexists(path):
            raise UsageError(f"path does not exist: {path}")
    base = Path(root).resolve() if root is not None else display_base(paths)
    ignores = IgnoreRules(base)
    files: dict[str, SourceFile] = {}
    notes: list[SkipNote] = []
    for path in paths:
        start = Path(path).resolve()
        if start.is_file():
            kind = classify(start.name)
            if kind is not None:
                rel = _display(start, base)
                files[rel] = SourceFile(rel, str(start), kind)
            continue
        try:
            os.scandir(start).close()
        except OSError as error:  # a named directory: say so, instead of "0 files"
            raise UsageError(f"cannot read directory {path}: {error.strerror or error}") from None
        _walk(start, start, base, files, notes, set(), exclude, ignores)
    return [files[k] for k in sorted(files)], notes, base


def _display(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def _excluded(rel: str, exclude: tuple[str, ...]) -> bool:
    from fnmatch import fnmatch

    return any(fnmatch(rel, pattern) or fnmatch(rel, pattern.rstrip("/") + "/*") for pattern in exclude)


_NAME = operator.attrgetter("name")


def _walk(
    directory: Path,
    root: Path,
    base: Path,
    files: dict[str, SourceFile],
    notes: list[SkipNote],
    seen: set[tuple[int, int]],
    exclude: tuple[str, ...],
    ignores: IgnoreRules,
) -> None:
    try:
        stat = directory.stat()
        key = (stat.st_dev, stat.st_ino)
        if key in seen:
            notes.append(SkipNote(_display(directory, base), "directory loop (symlink): not followed again"))
            return
        seen.add(key)
        entries = sorted(os.scandir(directory), key=_NAME)
    except OSError as error:
        notes.append(SkipNote(_display(directory, base), f"cannot read directory: {error.strerror or error}"))
        return
    if (directory / "pyvenv.cfg").exists():
        return
    # the entries' display paths from the directory's (pathlib's relative_to per file was most of
    # an unchanged repository's run)
    directory_rel = _display(directory, base)
    prefix = "" if directory_rel == "." else directory_rel + "/"
    has_ignores = bool(ignores.chain(directory))  # most directories have no ignore file above them
    for entry in entries:
        rel = prefix + entry.name
        if exclude and _excluded(rel, exclude):
            continue
        try:
            is_link = entry.is_symlink()
            if is_link:
                path = Path(entry.path)
                try:
                    target = path.resolve()
                except RuntimeError:  # a loop, on Python < 3.13 (the message holds an absolute path)
                    notes.append(SkipNote(rel, "symlink loop: not followed"))
                    continue
                if root != target and root not in target.parents:
                    notes.append(SkipNote(rel, "symlink pointing outside the scanned root: not followed"))
                    continue
                try:
                    os.stat(entry.path)
                except OSError as error:  # Python 3.13 resolves a loop without raising: stat tells
                    loop = error.errno == errno.ELOOP
                    notes.append(SkipNote(rel, "symlink loop: not followed" if loop else "dangling symlink"))
                    continue
            if entry.is_dir():
                if entry.name in SKIP_DIRS or (has_ignores and ignores.ignored(directory, entry.name, is_dir=True)):
                    continue
                _walk(Path(entry.path), root, base, files, notes, seen, exclude, ignores)
            elif entry.is_file():
                kind = classify(entry.name)
                if kind is not None and not (has_ignores and ignores.ignored(directory, entry.name, is_dir=False)):
                    files[rel] = SourceFile(rel, entry.path, kind)
        except OSError as error:
            notes.append(SkipNote(rel, f"cannot read: {error.strerror or error}"))
        except RuntimeError:  # symlink loop further down a path (Path.resolve, Python < 3.13)
            notes.append(SkipNote(rel, "symlink loop: not followed"))
