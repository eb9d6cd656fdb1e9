"""Snapshot of the text output for every rule's bad/ repository and every live-dump case
(fixtures/live/aws/<case>/snapshot.txt, fixtures/live/k8s/<case>/ with <case>.snapshot.txt): wording and related locations are
reviewed as a diff. `IRSALINT_UPDATE_SNAPSHOTS=1 pytest tests/test_snapshots.py` rewrites them."""

from __future__ import annotations

import os

import pytest

from irsalint.report.text import render
from tests.helpers import FIXTURES, run

RULE_DIRS = sorted(p for p in (FIXTURES / "rules").iterdir() if (p / "bad").is_dir())
# live dumps: fixtures/live/aws/<case>/ holds its snapshot inside it; fixtures/live/k8s/<case>/ beside it
LIVE_AWS_DIRS = sorted(p for p in (FIXTURES / "live" / "aws").iterdir() if p.is_dir())
LIVE_DIRS = sorted(p for p in (FIXTURES / "live" / "k8s").iterdir() if p.is_dir())


@pytest.mark.parametrize("rule_dir", RULE_DIRS, ids=lambda p: p.name)
def test_text_output_matches_snapshot(rule_dir):
    _check(rule_dir / "bad", rule_dir / "snapshot.txt")


@pytest.mark.parametrize("case", LIVE_AWS_DIRS, ids=lambda p: p.name)
def test_live_aws_dump_output_matches_snapshot(case):
    _check(case, case / "snapshot.txt")


@pytest.mark.parametrize("case", LIVE_DIRS, ids=lambda p: p.name)
def test_live_dump_output_matches_snapshot(case):
    _check(case, case.with_name(case.name + ".snapshot.txt"))


def _check(scanned, snapshot):
    actual = render(run(scanned))
    if os.environ.get("IRSALINT_UPDATE_SNAPSHOTS"):
        snapshot.write_text(actual)
    assert snapshot.exists(), f"{snapshot} is missing: run with IRSALINT_UPDATE_SNAPSHOTS=1 and review it"
    assert actual == snapshot.read_text(), f"{snapshot} is stale: review the diff, then update it"
