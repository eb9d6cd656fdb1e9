"""Snapshot of the text output for every rule's bad/ repository: wording and related locations are
reviewed as a diff. `IRSALINT_UPDATE_SNAPSHOTS=1 pytest tests/test_snapshots.py` rewrites them."""

from __future__ import annotations

import os

import pytest

from irsalint.report.text import render
from tests.helpers import FIXTURES, run

RULE_DIRS = sorted(p for p in (FIXTURES / "rules").iterdir() if (p / "bad").is_dir())


@pytest.mark.parametrize("rule_dir", RULE_DIRS, ids=lambda p: p.name)
def test_text_output_matches_snapshot(rule_dir):
    result = run(rule_dir / "bad")
    actual = render(result)
    snapshot = rule_dir / "snapshot.txt"
    if os.environ.get("IRSALINT_UPDATE_SNAPSHOTS"):
        snapshot.write_text(actual)
    assert snapshot.exists(), f"{snapshot} is missing: run with IRSALINT_UPDATE_SNAPSHOTS=1 and review it"
    assert actual == snapshot.read_text(), f"{snapshot} is stale: review the diff, then update it"
