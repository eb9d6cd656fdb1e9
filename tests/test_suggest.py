"""Edit-distance suggestions for misspelt ids, keys and options."""

from __future__ import annotations

from irsalint.suggest import closest, did_you_mean, edit_distance


def test_edit_distance():
    assert edit_distance("", "abc") == 3
    assert edit_distance("IRSA0001", "IRSA001") == 1
    assert edit_distance("fail-on", "fail_on") == 1
    assert edit_distance("kitten", "sitting") == 3


def test_closest_is_near_enough_and_deterministic():
    assert closest("IRSA0001", ["IRSA001", "IRSA002", "IRSA010"]) == "IRSA001"
    assert closest("fail-on", ["cache", "fail_on", "select"]) == "fail_on"
    assert closest("zzzzzz", ["IRSA001"]) is None  # too far to be a typo
    assert closest("IRSA003", ["IRSA002", "IRSA001"]) == "IRSA001"  # a tie: alphabetical
    assert did_you_mean("--formt", ["--format"]) == " (did you mean --format?)"
    assert did_you_mean("x", []) == ""
