"""`.gitignore` and `.irsalintignore` (same syntax), matched as git does (irsalint.gitignore).

Each directory from the root down may hold either file; a file's patterns are relative to its
directory. As in git, a deeper file overrides a shallower one, and in one file the last matching
pattern wins. `.irsalintignore` is read after `.gitignore` of the same directory, so it can also
re-include what git ignores (`!generated/`). `.git/info/exclude` at the root counts as the lowest
level. A directory that is ignored is not entered, so nothing below it can be re-included (git's
rule too).
"""

from __future__ import annotations

from pathlib import Path

from irsalint.gitignore import IgnorePatterns

IGNORE_FILES = (".gitignore", ".irsalintignore")


Chain = tuple[tuple[str, IgnorePatterns], ...]  # (path from the patterns' directory, patterns), deepest first


class IgnoreRules:
    """Ignore files under one root, read lazily, one directory at a time."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._chains: dict[Path, Chain] = {}

    def _spec(self, directory: Path) -> IgnorePatterns | None:
        lines: list[str] = []
        sources = [directory / name for name in IGNORE_FILES]
        if directory == self.root:
            sources.insert(0, directory / ".git" / "info" / "exclude")
        for source in sources:
            try:
                lines.extend(source.read_text("utf-8", errors="replace").splitlines())
            except OSError:  # absent or unreadable: no patterns from it
                continue
        patterns = IgnorePatterns(lines)
        return patterns if patterns else None

    def chain(self, directory: Path) -> Chain:
        """The specs that apply to entries of `directory` (absolute, at or under the root)."""
        if directory not in self._chains:
            if directory == self.root or self.root not in directory.parents:
                above: Chain = ()
            else:
                above = tuple((f"{prefix}{directory.name}/", spec) for prefix, spec in self.chain(directory.parent))
            spec = self._spec(directory)
            self._chains[directory] = ((("", spec),) if spec is not None else ()) + above
        return self._chains[directory]

    def ignored(self, directory: Path, name: str, is_dir: bool) -> bool:
        """Whether the entry `name` of `directory` is ignored: the deepest file with a verdict
        on it decides."""
        for prefix, spec in self.chain(directory):
            verdict = spec.verdict(f"{prefix}{name}{'/' if is_dir else ''}")
            if verdict is not None:
                return bool(verdict)
        return False
