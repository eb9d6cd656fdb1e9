"""PATHs -> the source files to lint, in a stable order.

Never follows a symlink out of the scanned root, detects directory loops, and never enters
`.git/`, `.terraform/`, `node_modules/` or virtual environments."""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path

from irsalint.errors import UsageError
from irsalint.model import SkipNote

SKIP_DIRS = frozenset({".git", ".terraform", "node_modules", ".irsalint_cache", "__pycache__", ".hg", ".svn", ".tox"})
YAML_SUFFIXES = (".yaml", ".yml", ".json")
TERRAFORM_SUFFIXES = (".tf", ".tfvars")


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: str  # display path: relative to the base, POSIX separators
    abspath: str
    kind: str  # "terraform" | "yaml"


def classify(name: str) -> str | None:
    lower = name.lower()
    if lower.endswith((".tf.json", ".tfvars.json")):
        return "terraform"  # Terraform JSON syntax
    if lower.endswith(TERRAFORM_SUFFIXES):
        return "terraform"
    if lower.endswith(YAML_SUFFIXES):
        return "yaml"
    return None


def display_base(paths: list[str]) -> Path:
    """Paths are shown relative to the working directory when every scanned path is inside it."""
    cwd = Path.cwd().resolve()
    resolved = [Path(p).resolve() for p in paths]
    if all(cwd == r or cwd in r.parents for r in resolved):
        return cwd
    common = Path(os.path.commonpath([str(r if r.is_dir() else r.parent) for r in resolved]))
    return common


def discover(paths: list[str], exclude: tuple[str, ...] = ()) -> tuple[list[SourceFile], list[SkipNote], Path]:
    for path in paths:
        if not os.path.lexists(path):
            raise UsageError(f"path does not exist: {path}")
    base = display_base(paths)
    files: dict[str, SourceFile] = {}
    notes: list[SkipNote] = []
    for path in paths:
        root = Path(path).resolve()
        if root.is_file():
            kind = classify(root.name)
            if kind is not None:
                rel = _display(root, base)
                files[rel] = SourceFile(rel, str(root), kind)
            continue
        _walk(root, root, base, files, notes, set(), exclude)
    return [files[k] for k in sorted(files)], notes, base


def _display(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def _excluded(rel: str, exclude: tuple[str, ...]) -> bool:
    from fnmatch import fnmatch

    return any(fnmatch(rel, pattern) or fnmatch(rel, pattern.rstrip("/") + "/*") for pattern in exclude)


def _walk(
    directory: Path,
    root: Path,
    base: Path,
    files: dict[str, SourceFile],
    notes: list[SkipNote],
    seen: set[tuple[int, int]],
    exclude: tuple[str, ...],
) -> None:
    try:
        stat = directory.stat()
        key = (stat.st_dev, stat.st_ino)
        if key in seen:
            notes.append(SkipNote(_display(directory, base), "directory loop (symlink): not followed again"))
            return
        seen.add(key)
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError as error:
        notes.append(SkipNote(_display(directory, base), f"cannot read directory: {error.strerror or error}"))
        return
    if (directory / "pyvenv.cfg").exists():
        return
    for entry in entries:
        path = Path(entry.path)
        rel = _display(path, base)
        if exclude and _excluded(rel, exclude):
            continue
        try:
            is_link = entry.is_symlink()
            if is_link:
                try:
                    target = path.resolve()
                except RuntimeError:  # a loop, on Python < 3.13 (the message holds an absolute path)
                    notes.append(SkipNote(rel, "symlink loop: not followed"))
                    continue
                if root != target and root not in target.parents:
                    notes.append(SkipNote(rel, "symlink pointing outside the scanned root: not followed"))
                    continue
                try:
                    os.stat(path)
                except OSError as error:  # Python 3.13 resolves a loop without raising: stat tells
                    loop = error.errno == errno.ELOOP
                    notes.append(SkipNote(rel, "symlink loop: not followed" if loop else "dangling symlink"))
                    continue
            if entry.is_dir():
                if entry.name in SKIP_DIRS:
                    continue
                _walk(path, root, base, files, notes, seen, exclude)
            elif entry.is_file():
                kind = classify(entry.name)
                if kind is not None:
                    files[rel] = SourceFile(rel, str(path), kind)
        except OSError as error:
            notes.append(SkipNote(rel, f"cannot read: {error.strerror or error}"))
        except RuntimeError:  # symlink loop further down a path (Path.resolve, Python < 3.13)
            notes.append(SkipNote(rel, "symlink loop: not followed"))
