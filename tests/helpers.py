"""Shared test helpers: run the engine and the suppression stage in-process, collect `# expect:`
markers."""

from __future__ import annotations

import os
import re
from pathlib import Path

from irsalint.engine import LintOptions, LintResult, lint
from irsalint.rules import load_rules
from irsalint.suppress import apply_ignores

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
_MARKER_RE = re.compile(r"#\s*expect:\s*([A-Z0-9 ,]+)")


def run(path: Path, select: tuple[str, ...] = ()) -> LintResult:
    """What `irsalint check --warn-unused-ignores` finds in `path` (the strictest gate): every
    rule, then the ignores applied, IRSA901 included."""
    every = load_rules()
    rules = tuple(r for r in every if r.id in select) if select else every
    cwd = os.getcwd()
    os.chdir(path)
    try:
        return apply_ignores(lint(["."], rules, LintOptions(jobs=1)), {r.id for r in every}, warn_unused=True)
    finally:
        os.chdir(cwd)


def markers(path: Path) -> set[tuple[str, int, str]]:
    """(file relative to path, line, rule) for every `# expect: IRSAxxx` marker under path."""
    found: set[tuple[str, int, str]] = set()
    for file in sorted(path.rglob("*")):
        if not file.is_file() or file.suffix not in (".tf", ".tfvars", ".yaml", ".yml"):
            continue
        for number, line in enumerate(file.read_text("utf-8", errors="replace").splitlines(), 1):
            match = _MARKER_RE.search(line)
            if match:
                for rule in match.group(1).replace(",", " ").split():
                    found.add((file.relative_to(path).as_posix(), number, rule))
    return found


def findings(result: LintResult) -> set[tuple[str, int, str]]:
    return {(f.loc.path, f.loc.line, f.rule_id) for f in result.findings}
