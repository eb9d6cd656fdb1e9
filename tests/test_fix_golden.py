"""Golden files for `irsalint check --fix`: each fixtures/fixes/<case>/before/ is copied to a
temporary directory, fixed by the real console script, and compared byte for byte with after/
(reviewed as `diff -r before after`). `IRSALINT_UPDATE_SNAPSHOTS=1` rewrites after/.

A second `--fix` changes nothing (bytes and mtimes), and none of the fixed findings is left."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from irsalint.fix.apply import applicable
from tests.helpers import FIXTURES, run
from tests.test_cli import irsalint

CASES = sorted(p for p in (FIXTURES / "fixes").iterdir() if (p / "before").is_dir())


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _mtimes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_fix_gives_the_golden_files_and_is_idempotent(case, tmp_path):
    args = (case / "args").read_text().split() if (case / "args").exists() else []
    unsafe = "--unsafe-fixes" in args
    work = tmp_path / "repo"
    shutil.copytree(case / "before", work)
    before = run(work)
    fixable = {f.fingerprint for f in before.findings if applicable(f, unsafe)}
    assert fixable, f"{case.name}: nothing to fix"
    mtimes = _mtimes(work)

    first = irsalint("check", "--no-cache", "--fix", "--format", "json", *args, ".", cwd=work)
    assert first.returncode in (0, 1), first.stderr
    assert "not fixed" not in first.stderr, first.stderr
    if os.environ.get("IRSALINT_UPDATE_SNAPSHOTS"):
        shutil.rmtree(case / "after", ignore_errors=True)
        shutil.copytree(work, case / "after")
    assert _files(work) == _files(case / "after"), f"{case.name}: review `diff -r before after`, then update"
    unchanged = {p for p, data in _files(case / "before").items() if _files(case / "after")[p] == data}
    assert all(_mtimes(work)[p] == mtimes[p] for p in unchanged), "an unchanged file was rewritten"
    left = json.loads(first.stdout)["findings"]
    assert not fixable & {f["fingerprint"] for f in left}, "a fixed finding is still reported"
    assert not any(f.get("fix") and (unsafe or f["fix"]["applicability"] == "safe") for f in left)

    fixed = _files(work)
    mtimes = _mtimes(work)
    second = irsalint("check", "--no-cache", "--fix", "--format", "json", *args, ".", cwd=work)
    assert "fixed" not in second.stderr, second.stderr
    assert _files(work) == fixed and _mtimes(work) == mtimes
    assert json.loads(second.stdout)["findings"] == left
