"""Snapshot of the text output for every rule's bad/ repository: wording and related locations are
reviewed as a diff. `IRSALINT_UPDATE_SNAPSHOTS=1 pytest tests/test_snapshots.py` rewrites them."""

from __future__ import annotations

import os

import pytest

from irsalint.report.text import render
from tests.helpers import FIXTURES, run

RULE_DIRS = sorted(p for p in (FIXTURES / "rules").iterdir() if (p / "bad").is_dir())
# live dumps (fixtures/live/aws/<case>/): each case is a repository of its own, its snapshot inside it
LIVE_AWS_DIRS = sorted(p for p in (FIXTURES / "live" / "aws").iterdir() if p.is_dir())


@pytest.mark.parametrize(
    "scanned, snapshot",
    [(d / "bad", d / "snapshot.txt") for d in RULE_DIRS] + [(d, d / "snapshot.txt") for d in LIVE_AWS_DIRS],
    ids=[d.name for d in RULE_DIRS] + [f"live-aws-{d.name}" for d in LIVE_AWS_DIRS],
)
def test_text_output_matches_snapshot(scanned, snapshot):
    result = run(scanned)
    actual = render(result)
    if os.environ.get("IRSALINT_UPDATE_SNAPSHOTS"):
        snapshot.write_text(actual)
    assert snapshot.exists(), f"{snapshot} is missing: run with IRSALINT_UPDATE_SNAPSHOTS=1 and review it"
    assert actual == snapshot.read_text(), f"{snapshot} is stale: review the diff, then update it"
