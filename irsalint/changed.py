"""Report only what a change touches: pre-commit's file list (`--changed`) or a git range
(`--diff-base REV`). The whole repository is still loaded, since IRSA findings are cross-file:
a finding is kept when its primary or any related location lies in a changed file."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from pathlib import Path

from irsalint.engine import Finding, LintResult
from irsalint.errors import UsageError
from irsalint.record import replace


def files_changed_since(root: Path, revision: str) -> set[Path]:
    """`git diff --name-only REV...` (merge base to the working tree), as absolute paths."""
    from irsalint.discover import find_repository_root

    if revision.startswith("-"):
        raise UsageError(f"--diff-base: not a revision: {revision}")
    if find_repository_root(root) is None:
        # outside a repository `git diff` compares two paths instead (--no-index) and prints usage
        raise UsageError(f"--diff-base needs a git repository: no .git in {root} or above")
    try:
        proc = subprocess.run(
            ["git", "diff", "--name-only", "--no-renames", f"{revision}...", "--"],
            cwd=root, capture_output=True, text=True, timeout=60, check=False,
        )
    except (OSError, subprocess.SubprocessError) as error:
        raise UsageError(f"--diff-base needs git: {error}") from None
    if proc.returncode != 0:
        raise UsageError(f"--diff-base {revision}: {git_error(proc.stderr)}")
    return {(root / line).resolve() for line in proc.stdout.splitlines() if line.strip()}


def git_error(stderr: str) -> str:
    """git's own one-line reason (`fatal: ...`), not the usage or hints printed after it."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in lines:
        if line.startswith(("fatal:", "error:")):
            return line.split(":", 1)[1].strip()
    return lines[0] if lines else "git diff failed"


def _touches(finding: Finding, base: Path, files: set[Path]) -> bool:
    locations = [finding.loc, *(loc for _, loc in finding.related)]
    return any((base / loc.path).resolve() in files for loc in locations)


def only_touching(result: LintResult, files: Iterable[Path]) -> LintResult:
    wanted = {Path(f).resolve() for f in files}
    base = Path(result.base)
    return replace(
        result,
        findings=tuple(f for f in result.findings if _touches(f, base, wanted)),
        suppressed=tuple(s for s in result.suppressed if _touches(s.finding, base, wanted)),
    )
