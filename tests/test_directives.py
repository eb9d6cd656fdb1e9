"""The syntax of suppressions: what is a usable ignore, and the IRSA901 message for what is not."""

from __future__ import annotations

import pytest

from irsalint.directives import Directive, Problem, parse_value, scan_comments

KNOWN = ("IRSA001", "IRSA004", "IRSA005", "IRSA007", "IRSA901", "ACME001")


@pytest.mark.parametrize(("value", "ids", "reason", "problem"), [
    ("IRSA004", ("IRSA004",), "", None),
    ("irsa004, IRSA005 -- because -- really", ("IRSA004", "IRSA005"), "because -- really", None),
    ("IRSA00 -- a prefix", ("IRSA00",), "a prefix", None),
    ("ACME001", ("ACME001",), "", None),  # a custom rule, once loaded
    ("IRSA007 managed elsewhere", (), "", "the reason must follow ' -- ' (write `IRSA007 -- managed elsewhere`)"),
    ("IRSA004 IRSA005", (), "", "separate rule ids with commas (`IRSA004,IRSA005`)"),
    ("all -- legacy", (), "legacy", "`ignore=all` is not supported"),
    ("IRSA004,all", (), "", "`ignore=all` is not supported"),  # never half-honoured
    ("", (), "", "no rule ids"),
    ("IRSA-4", (), "", "'IRSA-4' is not a rule id"),
    ("IRSA0007,IRSA004", ("IRSA004",), "", "unknown rule IRSA0007 (did you mean IRSA007?)"),
    ("IRSA999", (), "", "unknown rule IRSA999"),
])
def test_parse_value(value, ids, reason, problem):
    got_ids, got_reason, problems = parse_value(value, KNOWN)
    assert (got_ids, got_reason) == (ids, reason)
    if problem is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problems[0].startswith(problem), problems


def test_scan_comments_finds_directives_and_problems_with_their_columns():
    text = (
        "a: 1  # irsalint: ignore=IRSA004 -- ok\n"  # 1 trailing
        "  # irsalint: ignore=IRSA005\n"  # 2 own line
        "b: 2 // irsalint: ignore=IRSA001\n"  # 3 HCL-style
        "# irsalint: ignore IRSA007\n"  # 4 missing =
        "# irsalint ignore=IRSA007\n"  # 5 missing colon
        "# irsalint: disable=IRSA007\n"  # 6 another directive
        "# irsalint checks this file; see https://x/irsalint\n"  # 7 prose: nothing
        "c: 'a#irsalint: ignore=IRSA004'\n"  # 8 not a comment
        'd: "# irsalint: ignore=IRSA004"\n'  # 9 inside a quoted value
    )
    found = list(scan_comments(text, KNOWN))
    directives = [(d.line, d.col, d.ids, d.own_line) for d in found if isinstance(d, Directive)]
    assert directives == [(1, 7, ("IRSA004",), False), (2, 3, ("IRSA005",), True), (3, 6, ("IRSA001",), False)]
    problems = [(p.line, p.message) for p in found if isinstance(p, Problem)]
    assert [line for line, _ in problems] == [4, 5, 6]
    assert "`=` must follow `ignore` (write `ignore=IRSA007`)" in problems[0][1]
    assert "a colon must follow `irsalint`" in problems[1][1]
    assert "expected `irsalint: ignore=ID[,ID...] -- reason`" in problems[2][1]
    assert all(message.endswith("it suppresses nothing") for _, message in problems)
    assert {p.text for p in found if isinstance(p, Problem)} == {
        "# irsalint: ignore IRSA007", "# irsalint ignore=IRSA007", "# irsalint: disable=IRSA007"}


def test_known_none_accepts_any_well_formed_id():
    assert parse_value("XYZ123", None) == (("XYZ123",), "", [])
