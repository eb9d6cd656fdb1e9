"""Every fixtures/rules/<ID>/{bad,good} repository: findings equal the `# expect:` markers."""

from __future__ import annotations

import pytest

from tests.helpers import FIXTURES, findings, markers, run

RULE_DIRS = sorted(p for p in (FIXTURES / "rules").iterdir() if p.is_dir())


@pytest.mark.parametrize("rule_dir", RULE_DIRS, ids=lambda p: p.name)
def test_bad_fixture_findings_equal_markers(rule_dir):
    bad = rule_dir / "bad"
    expected = markers(bad)
    checked_rules = {rule_dir.name} | {rule for _, _, rule in expected}
    actual = {f for f in findings(run(bad)) if f[2] in checked_rules}
    assert expected, f"{bad} has no # expect markers"
    assert actual == expected, f"missing: {sorted(expected - actual)}\nunexpected: {sorted(actual - expected)}"


@pytest.mark.parametrize("rule_dir", RULE_DIRS, ids=lambda p: p.name)
def test_good_fixture_is_silent_for_its_rule(rule_dir):
    good = rule_dir / "good"
    actual = sorted(f for f in findings(run(good)) if f[2] == rule_dir.name)
    assert actual == []


def test_seed_is_clean():
    result = run(FIXTURES / "seed")
    assert [(f.rule_id, f.loc.path, f.loc.line, f.message) for f in result.findings] == []
    assert result.files_scanned == 3
