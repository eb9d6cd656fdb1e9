"""Partly known strings: building them, matching them, and ARNs with placeholders (SPEC §3.3)."""

from __future__ import annotations

import itertools
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from irsalint.iam import role_arn_pattern
from irsalint.model import UNKNOWN, Partial
from irsalint.partial import could_equal, make_partial, matches, split_placeholders
from irsalint.placeholders import PLACEHOLDER_RE, placeholder_value
from irsalint.policy_patterns import aws_managed_policy_name

ALPHABET = "ab"
PIECES = st.lists(st.text(ALPHABET, max_size=2), min_size=2, max_size=3)


def partial_of(pieces: list[str]) -> Partial:
    return Partial(tuple(pieces), tuple("${x}" for _ in pieces[1:]))


def strings(max_length: int) -> list[str]:
    return ["".join(p) for n in range(max_length + 1) for p in itertools.product(ALPHABET, repeat=n)]


def regex(value: Partial) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(p) for p in value.pieces))


@given(PIECES, st.text(ALPHABET, max_size=8))
def test_matches_is_a_regex_fullmatch(pieces: list[str], text: str) -> None:
    value = partial_of(pieces)
    assert matches(value, text) == (regex(value).fullmatch(text) is not None)


@settings(deadline=None)
@given(PIECES, PIECES)
def test_could_equal_is_a_non_empty_intersection(a: list[str], b: list[str]) -> None:
    left, right = partial_of(a), partial_of(b)
    # a shortest common string interleaves the literal pieces: no longer than all of them together
    bound = len("".join(a)) + len("".join(b))
    witness = any(matches(left, s) and matches(right, s) for s in strings(bound))
    assert could_equal(left, right) == witness
    assert could_equal(left, right) == could_equal(right, left)


def test_make_partial_merges_holes_and_keeps_their_text() -> None:
    made = make_partial(["arn:", ("${a}",), ("${b}",), ":role/x"])
    assert made == Partial(("arn:", ":role/x"), ("${a}${b}",))
    assert str(made) == "arn:${a}${b}:role/x"
    assert make_partial(["plain"]) == "plain"
    assert make_partial([("${only}",)]) is None


def test_split_placeholders() -> None:
    value = split_placeholders("arn:${AWS_PARTITION}:iam::<ACCOUNT_ID>:role/$(NAME)-x", PLACEHOLDER_RE)
    assert isinstance(value, Partial)
    assert value.pieces == ("arn:", ":iam::", ":role/", "-x")


def test_placeholder_values() -> None:
    assert placeholder_value("arn:aws:iam::111122223333:role/app") == "arn:aws:iam::111122223333:role/app"
    redacted = placeholder_value("arn:aws:iam::xxxxxxxxxxxx:role/alb")
    assert isinstance(redacted, Partial) and redacted.holes == ("xxxxxxxxxxxx",)
    assert isinstance(placeholder_value("arn:aws:iam::ACCOUNT_ID:role/alb"), Partial)
    assert isinstance(placeholder_value("arn:aws:iam::%ACCOUNT%:role/alb"), Partial)
    assert placeholder_value("${ROLE_ARN}") is UNKNOWN
    assert placeholder_value("arn:aws:iam::123:role/x") == "arn:aws:iam::123:role/x"  # digits: invalid, not redacted


def test_role_arn_patterns() -> None:
    pattern = role_arn_pattern(placeholder_value("arn:${AWS_PARTITION}:iam::${AWS_ACCOUNT_ID}:role/${CLUSTER}-irsa-kuard"))
    assert pattern is not None and pattern.partition is None and pattern.account is None and pattern.path == "/"
    assert isinstance(pattern.name, Partial) and pattern.name.pieces == ("", "-irsa-kuard")
    assert not pattern.exact
    exact = role_arn_pattern("arn:aws:iam::111122223333:role/team/app")
    assert exact is not None and exact.exact and exact.path == "/team/" and exact.name == "app"
    assert role_arn_pattern(placeholder_value("arn:aws:s3:::${BUCKET}")) is None


def test_aws_managed_policy_with_a_partition_placeholder() -> None:
    assert aws_managed_policy_name(make_partial(["arn:", ("${p}",), ":iam::aws:policy/AdministratorAccess"])) == "AdministratorAccess"
    assert aws_managed_policy_name("arn:aws-us-gov:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy") == (
        "service-role/AmazonEBSCSIDriverPolicy"
    )
    assert aws_managed_policy_name(make_partial(["arn:aws:iam::aws:policy/", ("${name}",)])) is None
    assert aws_managed_policy_name("arn:aws:iam::111122223333:policy/AdministratorAccess") is None
