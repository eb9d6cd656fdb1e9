"""Property-based and example tests for irsalint.iam (IAM semantics as pure functions)."""

from __future__ import annotations

import functools
from collections.abc import Sequence

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from irsalint.iam import (
    RoleArn,
    edit_distance,
    evaluate_operator,
    parse_role_arn,
    role_matches_arn,
    string_like,
    trust_admits,
)
from irsalint.model import (
    UNKNOWN,
    Condition,
    IamRole,
    Location,
    PolicyDocument,
    Principal,
    Statement,
    Str,
    Value,
    ValueList,
)
from irsalint.policydoc import make_condition
from irsalint.suggest import one_edit_apart

LOC = Location("trust.json", 1)
ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF"
PROVIDER_ARN = f"arn:aws:iam::111122223333:oidc-provider/{ISSUER}"
WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"
SUB_PREFIX = "system:serviceaccount:"

# --- an independent reference matcher ----------------------------------------------------------


def reference_like(pattern: str, value: str) -> bool:
    """IAM StringLike by dynamic programming: `*` any run (also empty), `?` exactly one character,
    everything else literal and case-sensitive."""

    @functools.cache
    def match(i: int, j: int) -> bool:
        if i == len(pattern):
            return j == len(value)
        char = pattern[i]
        if char == "*":
            # skip the star, or let it eat one more character
            return match(i + 1, j) or (j < len(value) and match(i, j + 1))
        if j == len(value):
            return False
        if char == "?" or char == value[j]:
            return match(i + 1, j + 1)
        return False

    return match(0, 0)


def reference_compare(operator: str, pattern: str, value: str) -> bool:
    if operator == "StringEquals":
        return pattern == value
    if operator == "StringLike":
        return reference_like(pattern, value)
    if operator == "StringEqualsIgnoreCase":
        return pattern.lower() == value.lower()
    raise AssertionError(operator)


NEGATIONS = {
    "StringNotEquals": "StringEquals",
    "StringNotLike": "StringLike",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
}


def reference_operator(operator: str, values: list[str], request: str) -> bool:
    """Values are ORed; a negated operator is the negation of its positive twin."""
    if operator in NEGATIONS:
        return not any(reference_compare(NEGATIONS[operator], v, request) for v in values)
    return any(reference_compare(operator, v, request) for v in values)


ALPHABET = "ab*?:-"
patterns = st.text(alphabet=ALPHABET, max_size=8)
plain_values = st.text(alphabet="ab:-", max_size=8)  # what a request value looks like
any_values = st.text(alphabet=ALPHABET, max_size=8)

# --- string_like ---------------------------------------------------------------------------------


class TestStringLike:
    @given(patterns, any_values)
    @settings(max_examples=600)
    def test_agrees_with_reference(self, pattern: str, value: str) -> None:
        assert string_like(pattern, value) == reference_like(pattern, value)

    @given(patterns, plain_values)
    @settings(max_examples=600)
    def test_agrees_with_reference_on_plain_values(self, pattern: str, value: str) -> None:
        assert string_like(pattern, value) == reference_like(pattern, value)

    @given(plain_values)
    def test_literal_pattern_is_equality(self, value: str) -> None:
        assert string_like(value, value)
        assert not string_like(value, value + "a")

    @given(any_values)
    def test_star_matches_everything(self, value: str) -> None:
        assert string_like("*", value)
        assert string_like("**", value)

    @given(st.text(alphabet="ab:-", min_size=1, max_size=8), plain_values)
    def test_prefix_star(self, prefix: str, rest: str) -> None:
        assert string_like(prefix + "*", prefix + rest)

    @given(plain_values)
    def test_question_marks_count_characters(self, value: str) -> None:
        assert string_like("?" * len(value), value)
        assert not string_like("?" * (len(value) + 1), value)
        if value:
            assert not string_like("?" * (len(value) - 1), value)

    def test_namespace_wildcard(self) -> None:
        pattern = "system:serviceaccount:team-a:*"
        assert string_like(pattern, "system:serviceaccount:team-a:x")
        assert string_like(pattern, "system:serviceaccount:team-a:")
        assert not string_like(pattern, "system:serviceaccount:team-b:x")

    def test_question_mark_needs_one_character(self) -> None:
        assert string_like("a?c", "abc")
        assert not string_like("a?c", "ac")
        assert not string_like("a?c", "abbc")
        assert not string_like("?", "")

    def test_case_sensitive(self) -> None:
        assert not string_like("System:*", "system:serviceaccount:a:b")
        assert not string_like("ABC", "abc")

    @pytest.mark.parametrize(
        ("pattern", "value", "expected"),
        [
            ("a.c", "a.c", True),
            ("a.c", "abc", False),
            ("a+", "a+", True),
            ("a+", "aa", False),
            ("[ab]", "[ab]", True),
            ("[ab]", "a", False),
            ("(x|y)", "x", False),
            ("(x|y)", "(x|y)", True),
            ("^a$", "^a$", True),
            ("^a$", "a", False),
            ("a{2}", "aa", False),
            ("a\\d", "a\\d", True),
            ("a\\d", "a1", False),
            ("$", "$", True),
            ("|", "", False),
        ],
    )
    def test_regex_metacharacters_are_literal(self, pattern: str, value: str, expected: bool) -> None:
        assert string_like(pattern, value) is expected

    def test_star_spans_newlines(self) -> None:
        assert string_like("a*b", "a\nb")
        assert string_like("a?b", "a\nb")


# --- evaluate_operator ---------------------------------------------------------------------------

OPERATORS = [
    "StringEquals",
    "StringLike",
    "StringNotEquals",
    "StringNotLike",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
]


def decorate(operator: str, qualifier: str, if_exists: bool) -> str:
    return qualifier + operator + ("IfExists" if if_exists else "")


operators = st.sampled_from(OPERATORS)
qualifiers = st.sampled_from(["", "ForAnyValue:", "ForAllValues:"])
value_text = st.text(alphabet="aAb*?:", max_size=6)
request_text = st.text(alphabet="aAb:", max_size=6)


class TestEvaluateOperator:
    @given(operators, qualifiers, st.booleans(), st.lists(value_text, max_size=4), request_text)
    @settings(max_examples=400)
    def test_known_values_agree_with_reference(
        self, operator: str, qualifier: str, if_exists: bool, values: list[str], request: str
    ) -> None:
        expected = reference_operator(operator, values, request)
        assert evaluate_operator(decorate(operator, qualifier, if_exists), values, request) is expected

    @given(operators, st.lists(value_text, max_size=4), request_text, st.integers(0, 4))
    @settings(max_examples=400)
    def test_unknown_value(self, operator: str, values: list[str], request: str, position: int) -> None:
        with_unknown: list[Str] = list(values)
        with_unknown.insert(min(position, len(values)), UNKNOWN)
        positive = NEGATIONS.get(operator, operator)
        matched = any(reference_compare(positive, v, request) for v in values)
        verdict = evaluate_operator(operator, with_unknown, request)
        if matched:
            # a match among the known values decides, whatever the unknown one is
            assert verdict is (operator not in NEGATIONS)
        else:
            assert verdict is None

    @given(st.lists(st.just(UNKNOWN), min_size=1, max_size=3), request_text, operators)
    def test_only_unknown_values(self, values: list[Str], request: str, operator: str) -> None:
        assert evaluate_operator(operator, values, request) is None

    @pytest.mark.parametrize(
        "operator",
        ["NumericEquals", "Bool", "ArnLike", "stringequals", "StringEqual", "", "ForAnyValue:Null"],
    )
    def test_unknown_operator(self, operator: str) -> None:
        assert evaluate_operator(operator, ["a"], "a") is None
        assert evaluate_operator(operator, ["a"], "b") is None

    def test_unknown_operator_name(self) -> None:
        assert evaluate_operator(UNKNOWN, ["a"], "a") is None

    def test_examples(self) -> None:
        sub = "system:serviceaccount:team-a:api"
        assert evaluate_operator("StringEquals", [sub], sub) is True
        assert evaluate_operator("StringEquals", ["x", sub], sub) is True  # values ORed
        assert evaluate_operator("StringEquals", ["x", "y"], sub) is False
        assert evaluate_operator("StringLike", ["system:serviceaccount:team-a:*"], sub) is True
        assert evaluate_operator("StringLike", ["system:serviceaccount:team-b:*"], sub) is False
        assert evaluate_operator("StringNotEquals", [sub], sub) is False
        assert evaluate_operator("StringNotEquals", ["x"], sub) is True
        assert evaluate_operator("StringNotLike", ["*:team-a:*"], sub) is False
        assert evaluate_operator("StringNotLike", ["*:team-b:*"], sub) is True
        assert evaluate_operator("StringEqualsIgnoreCase", [sub.upper()], sub) is True
        assert evaluate_operator("StringEquals", [sub.upper()], sub) is False
        assert evaluate_operator("ForAnyValue:StringLike", ["*:api"], sub) is True
        assert evaluate_operator("ForAllValues:StringEquals", [sub], sub) is True
        assert evaluate_operator("StringEqualsIfExists", [sub], sub) is True
        assert evaluate_operator("StringLikeIfExists", ["nope"], sub) is False
        assert evaluate_operator("ForAnyValue:StringNotEqualsIfExists", ["x"], sub) is True

    def test_unknown_examples(self) -> None:
        assert evaluate_operator("StringEquals", [UNKNOWN, "a"], "a") is True
        assert evaluate_operator("StringEquals", ["a", UNKNOWN], "a") is True
        assert evaluate_operator("StringEquals", [UNKNOWN, "b"], "a") is None
        assert evaluate_operator("StringNotEquals", [UNKNOWN, "a"], "a") is False
        assert evaluate_operator("StringNotEquals", [UNKNOWN, "b"], "a") is None
        assert evaluate_operator("StringLike", [UNKNOWN, "*"], "a") is True


# --- trust_admits over generated documents -----------------------------------------------------


def vlist(*texts: object, complete: bool = True) -> ValueList:
    return ValueList(tuple(Value(t, LOC) for t in texts), complete, LOC)


def condition(
    operator: str, claim: str, values: Sequence[Str], issuer: str = ISSUER, complete: bool = True
) -> Condition:
    return make_condition(operator, f"{issuer}:{claim}", "", vlist(*values, complete=complete), LOC)


def statement(
    conditions: tuple[Condition, ...] = (),
    effect: Str = "Allow",
    principal_type: Str = "Federated",
    actions: tuple[str, ...] | None = (WEB_IDENTITY,),
    not_actions: tuple[str, ...] | None = None,
    conditions_complete: bool = True,
) -> Statement:
    return Statement(
        sid=None,
        effect=effect,
        actions=vlist(*actions) if actions is not None else None,
        not_actions=vlist(*not_actions) if not_actions is not None else None,
        resources=None,
        not_resources=None,
        principals=(Principal(principal_type, vlist(PROVIDER_ARN)),),
        conditions=tuple(conditions),
        conditions_complete=conditions_complete,
        loc=LOC,
    )


def document(*statements: Statement, complete: bool = True) -> PolicyDocument:
    return PolicyDocument(tuple(statements), complete, LOC)


def claims_for(namespace: str, name: str) -> dict[str, str]:
    return {"sub": f"{SUB_PREFIX}{namespace}:{name}", "aud": "sts.amazonaws.com"}


TRUST_OPERATORS = ["StringEquals", "StringLike", "StringNotEquals", "StringNotLike"]
segment = st.text(alphabet="ab-", min_size=1, max_size=3)
sub_patterns = st.one_of(
    st.builds(
        lambda ns, n: f"{SUB_PREFIX}{ns}:{n}",
        st.text(alphabet="ab-*?", max_size=3),
        st.text(alphabet="ab-*?", max_size=3),
    ),
    st.text(alphabet="ab*?:-", max_size=6),
    st.sampled_from([f"{SUB_PREFIX}*", "*", f"{SUB_PREFIX}a:*", f"{SUB_PREFIX}*:a"]),
)
known_conditions = st.tuples(
    st.sampled_from(TRUST_OPERATORS),
    st.lists(sub_patterns, max_size=3),
)


Conds = tuple[str, list[str]]  # operator, values
UConds = tuple[str, Sequence[Str]]  # values may be UNKNOWN


def reference_trust(conditions: list[Conds], sub: str) -> bool:
    """One Allow web-identity statement: conditions ANDed, each condition's values ORed."""
    return all(reference_operator(operator, values, sub) for operator, values in conditions)


def build(conditions: Sequence[UConds]) -> PolicyDocument:
    return document(statement(tuple(condition(op, "sub", values) for op, values in conditions)))


def rank(verdict: object) -> int:
    return {False: 0, None: 1, True: 2}[verdict]  # type: ignore[index]


class TestTrustAdmits:
    @given(st.lists(known_conditions, max_size=4), segment, segment)
    @settings(max_examples=400)
    def test_agrees_with_reference(self, conditions: list[Conds], namespace: str, name: str) -> None:
        claims = claims_for(namespace, name)
        assert trust_admits(build(conditions), claims) is reference_trust(conditions, claims["sub"])

    @given(st.lists(known_conditions, max_size=3), known_conditions, segment, segment)
    @settings(max_examples=300)
    def test_adding_a_condition_never_widens(
        self, conditions: list[Conds], extra: Conds, namespace: str, name: str
    ) -> None:
        claims = claims_for(namespace, name)
        before = trust_admits(build(conditions), claims)
        after = trust_admits(build([*conditions, extra]), claims)
        if before is False:
            assert after is False
        assert rank(after) <= rank(before)

    @given(
        st.lists(
            st.tuples(
                st.sampled_from(TRUST_OPERATORS),
                st.lists(st.one_of(sub_patterns, st.just(UNKNOWN)), max_size=3),
            ),
            max_size=3,
        ),
        st.tuples(
            st.sampled_from(TRUST_OPERATORS), st.lists(st.one_of(sub_patterns, st.just(UNKNOWN)), max_size=3)
        ),
        segment,
        segment,
    )
    @settings(max_examples=300)
    def test_adding_a_condition_never_widens_with_unknowns(
        self, conditions: list[UConds], extra: UConds, namespace: str, name: str
    ) -> None:
        claims = claims_for(namespace, name)
        before = trust_admits(build(conditions), claims)
        after = trust_admits(build([*conditions, extra]), claims)
        assert rank(after) <= rank(before)

    @given(
        st.lists(known_conditions, max_size=3),
        st.sampled_from(["Deny", "deny", "allow", "ALLOW", ""]),
        segment,
        segment,
    )
    def test_deny_statement_never_admits(
        self, conditions: list[Conds], effect: str, namespace: str, name: str
    ) -> None:
        doc = document(statement(tuple(condition(op, "sub", v) for op, v in conditions), effect=effect))
        assert trust_admits(doc, claims_for(namespace, name)) is False

    @given(
        st.lists(known_conditions, max_size=3),
        st.sampled_from(["AWS", "Service", "CanonicalUser", "federated"]),
        segment,
        segment,
    )
    def test_non_federated_principal_never_admits(
        self, conditions: list[Conds], principal: str, namespace: str, name: str
    ) -> None:
        doc = document(
            statement(tuple(condition(op, "sub", v) for op, v in conditions), principal_type=principal)
        )
        assert trust_admits(doc, claims_for(namespace, name)) is False

    @given(st.lists(known_conditions, max_size=3), segment, segment)
    def test_other_action_never_admits(self, conditions: list[Conds], namespace: str, name: str) -> None:
        doc = document(
            statement(
                tuple(condition(op, "sub", v) for op, v in conditions), actions=("sts:AssumeRole", "s3:*")
            )
        )
        assert trust_admits(doc, claims_for(namespace, name)) is False

    @given(st.lists(st.lists(known_conditions, max_size=3), min_size=1, max_size=3), segment, segment)
    @settings(max_examples=200)
    def test_statements_are_ored(self, statements: list[list[Conds]], namespace: str, name: str) -> None:
        claims = claims_for(namespace, name)
        doc = document(*(statement(tuple(condition(op, "sub", v) for op, v in cs)) for cs in statements))
        expected = any(reference_trust(cs, claims["sub"]) for cs in statements)
        assert trust_admits(doc, claims) is expected

    # examples

    def test_examples(self) -> None:
        claims = claims_for("team-a", "api")
        exact = document(
            statement(
                (
                    condition("StringEquals", "sub", [f"{SUB_PREFIX}team-a:api"]),
                    condition("StringEquals", "aud", ["sts.amazonaws.com"]),
                )
            )
        )
        assert trust_admits(exact, claims) is True
        assert trust_admits(exact, claims_for("team-b", "api")) is False
        wildcard = document(statement((condition("StringLike", "sub", [f"{SUB_PREFIX}team-a:*"]),)))
        assert trust_admits(wildcard, claims) is True
        assert trust_admits(wildcard, claims_for("team-ab", "api")) is False
        # no condition at all: any ServiceAccount
        assert trust_admits(document(statement()), claims) is True
        # wildcard / differently cased action
        assert trust_admits(document(statement(actions=("sts:*",))), claims) is True
        assert trust_admits(document(statement(actions=("STS:AssumeRoleWithWebIdentity",))), claims) is True
        # empty document
        assert trust_admits(document(), claims) is False
        assert trust_admits(document(complete=False), claims) is None

    def test_unknowns(self) -> None:
        claims = claims_for("team-a", "api")
        unknown_value = document(statement((condition("StringEquals", "sub", [UNKNOWN]),)))
        assert trust_admits(unknown_value, claims) is None
        unknown_but_matching = document(
            statement((condition("StringEquals", "sub", [UNKNOWN, claims["sub"]]),))
        )
        assert trust_admits(unknown_but_matching, claims) is True
        incomplete_values = document(statement((condition("StringEquals", "sub", ["x"], complete=False),)))
        assert trust_admits(incomplete_values, claims) is None
        incomplete_conditions = document(
            statement((condition("StringEquals", "sub", ["x"]),), conditions_complete=False)
        )
        assert trust_admits(incomplete_conditions, claims) is None
        # a definite mismatch stays False even when other conditions are unknown
        mismatch = document(
            statement(
                (
                    condition("StringEquals", "sub", ["x"]),
                    condition("StringEquals", "aud", [UNKNOWN]),
                )
            )
        )
        assert trust_admits(mismatch, claims) is False
        assert trust_admits(document(statement(effect=UNKNOWN)), claims) is None
        # a statement that could be the web-identity one only admits "maybe"
        maybe = document(statement((condition("StringEquals", "sub", [claims["sub"]]),), effect=UNKNOWN))
        assert trust_admits(maybe, claims) is None
        # an incomplete document can only weaken False
        partial = document(statement((condition("StringEquals", "sub", ["x"]),)), complete=False)
        assert trust_admits(partial, claims) is None
        partial_true = document(
            statement((condition("StringEquals", "sub", [claims["sub"]]),)), complete=False
        )
        assert trust_admits(partial_true, claims) is True

    def test_unknown_principal_type_never_gives_false(self) -> None:
        claims = claims_for("team-a", "api")
        assert trust_admits(document(statement(principal_type=UNKNOWN)), claims) is not False

    def test_unknown_principal_type_is_unknown(self) -> None:
        claims = claims_for("team-a", "api")
        assert trust_admits(document(statement(principal_type=UNKNOWN)), claims) is None

    def test_non_oidc_keys_are_not_decided(self) -> None:
        claims = claims_for("team-a", "api")
        doc = document(
            statement((make_condition("StringEquals", "aws:SourceIp", "", vlist("10.0.0.1"), LOC),))
        )
        assert trust_admits(doc, claims) is None

    def test_explicit_deny_overrides_allow(self) -> None:
        claims = claims_for("team-a", "api")
        doc = document(
            statement((condition("StringLike", "sub", [f"{SUB_PREFIX}*"]),)),
            statement((condition("StringEquals", "sub", [claims["sub"]]),), effect="Deny"),
        )
        assert trust_admits(doc, claims) is not True

    def test_not_action_allow_is_not_a_definite_false(self) -> None:
        claims = claims_for("team-a", "api")
        doc = document(statement(actions=None, not_actions=("sts:AssumeRole",)))
        assert trust_admits(doc, claims) is not False


# --- role ARNs -------------------------------------------------------------------------------


class TestParseRoleArn:
    @pytest.mark.parametrize(
        ("text", "partition", "account", "path", "name"),
        [
            ("arn:aws:iam::111122223333:role/x", "aws", "111122223333", "/", "x"),
            ("arn:aws:iam::111122223333:role/a/b/name", "aws", "111122223333", "/a/b/", "name"),
            ("arn:aws:iam::111122223333:role/a/name", "aws", "111122223333", "/a/", "name"),
            ("arn:aws-cn:iam::111122223333:role/app", "aws-cn", "111122223333", "/", "app"),
            ("arn:aws-us-gov:iam::111122223333:role/svc/app", "aws-us-gov", "111122223333", "/svc/", "app"),
            ("arn:aws:iam::000000000000:role/n+=,.@_-x", "aws", "000000000000", "/", "n+=,.@_-x"),
        ],
    )
    def test_valid(self, text: str, partition: str, account: str, path: str, name: str) -> None:
        arn = parse_role_arn(text)
        assert arn == RoleArn(partition, account, path, name)
        assert str(arn) == text

    @pytest.mark.parametrize(
        "text",
        [
            "arn:aws:iam::11112222333:role/x",  # 11 digits
            "arn:aws:iam::1111222233334:role/x",  # 13 digits
            "arn:aws:iam::111122223333:user/x",
            "arn:aws:iam::111122223333:role/my role",
            " arn:aws:iam::111122223333:role/x",
            "arn:aws:iam::111122223333:role/x ",
            "arn:aws:iam::111122223333:role/",
            "arn:aws:iam::111122223333:role",
            "arn:aws:iam:us-east-1:111122223333:role/x",
            "arn:aws:sts::111122223333:role/x",
            "arn:azure:iam::111122223333:role/x",
            "arn:aws:iam::abcdefghijkl:role/x",
            "arn:aws:iam::*:role/x",
            "",
            "x",
        ],
    )
    def test_invalid(self, text: str) -> None:
        assert parse_role_arn(text) is None

    def test_empty_name_after_path(self) -> None:
        assert parse_role_arn("arn:aws:iam::111122223333:role/a/") is None

    def test_trailing_newline(self) -> None:
        assert parse_role_arn("arn:aws:iam::111122223333:role/x\n") is None

    def test_non_ascii_account_digits(self) -> None:
        assert (
            parse_role_arn(
                "arn:aws:iam::\uff11\uff11\uff11\uff11\uff12\uff12\uff12\uff12\uff13\uff13\uff13\uff13:role/x"
            )
            is None
        )

    def test_non_ascii_name(self) -> None:
        assert parse_role_arn("arn:aws:iam::111122223333:role/caf\u00e9") is None

    @given(
        st.sampled_from(["aws", "aws-cn", "aws-us-gov", "aws-iso-b"]),
        st.text(alphabet="0123456789", min_size=12, max_size=12),
        st.lists(st.text(alphabet="abc-_.", min_size=1, max_size=4), max_size=3),
        st.text(alphabet="abcXYZ09+=,.@_-", min_size=1, max_size=10),
    )
    def test_round_trip(self, partition: str, account: str, path_parts: list[str], name: str) -> None:
        path = "/" + "".join(p + "/" for p in path_parts)
        text = f"arn:{partition}:iam::{account}:role{path}{name}"
        arn = parse_role_arn(text)
        assert arn == RoleArn(partition, account, path, name)
        assert str(arn) == text

    @given(st.text(max_size=60))
    def test_never_raises(self, text: str) -> None:
        arn = parse_role_arn(text)
        assert arn is None or isinstance(arn, RoleArn)


def role(name: Str = "app", *, prefix: bool = False, path: Str = "/", account: Str = UNKNOWN) -> IamRole:
    return IamRole(
        id="r",
        address="aws_iam_role.r",
        kind="aws_iam_role",
        name=name,
        name_is_prefix=prefix,
        path=path,
        account=account,
        trust=None,
        trust_loc=LOC,
        loc=LOC,
    )


def arn(text: str) -> RoleArn:
    parsed = parse_role_arn(text)
    assert parsed is not None
    return parsed


class TestRoleMatchesArn:
    def test_name(self) -> None:
        assert role_matches_arn(role("app"), arn("arn:aws:iam::111122223333:role/app")) is True
        assert role_matches_arn(role("app"), arn("arn:aws:iam::111122223333:role/app2")) is False
        assert role_matches_arn(role("app"), arn("arn:aws:iam::111122223333:role/App")) is False
        assert role_matches_arn(role(UNKNOWN), arn("arn:aws:iam::111122223333:role/app")) is None

    def test_name_prefix(self) -> None:
        prefixed = role("app-", prefix=True)
        assert role_matches_arn(prefixed, arn("arn:aws:iam::111122223333:role/app-2024")) is True
        assert role_matches_arn(prefixed, arn("arn:aws:iam::111122223333:role/app-")) is True
        assert role_matches_arn(prefixed, arn("arn:aws:iam::111122223333:role/ap")) is False
        assert role_matches_arn(prefixed, arn("arn:aws:iam::111122223333:role/other-app-1")) is False

    @pytest.mark.parametrize("path", ["/a/b/", "a/b", "/a/b", "a/b/"])
    def test_path(self, path: str) -> None:
        assert role_matches_arn(role("app", path=path), arn("arn:aws:iam::111122223333:role/a/b/app")) is True
        assert role_matches_arn(role("app", path=path), arn("arn:aws:iam::111122223333:role/app")) is False
        assert role_matches_arn(role("app", path=path), arn("arn:aws:iam::111122223333:role/a/app")) is False

    def test_default_path(self) -> None:
        assert role_matches_arn(role("app", path="/"), arn("arn:aws:iam::111122223333:role/x/app")) is False
        assert role_matches_arn(role("app", path="/"), arn("arn:aws:iam::111122223333:role/app")) is True

    def test_unknown_path(self) -> None:
        assert (
            role_matches_arn(role("app", path=UNKNOWN), arn("arn:aws:iam::111122223333:role/x/app")) is None
        )
        assert (
            role_matches_arn(role("app", path=UNKNOWN), arn("arn:aws:iam::111122223333:role/other")) is False
        )

    def test_unknown_path_with_prefix_is_not_definite(self) -> None:
        # like an exact name with an unknown path: only a "maybe"
        assert (
            role_matches_arn(
                role("app-", prefix=True, path=UNKNOWN), arn("arn:aws:iam::111122223333:role/x/app-1")
            )
            is None
        )
        assert (
            role_matches_arn(
                role("app-", prefix=True, path=UNKNOWN), arn("arn:aws:iam::111122223333:role/x/b")
            )
            is False
        )

    def test_account(self) -> None:
        target = arn("arn:aws:iam::111122223333:role/app")
        assert role_matches_arn(role("app", account="111122223333"), target) is True
        assert role_matches_arn(role("app", account="444455556666"), target) is False
        assert role_matches_arn(role("app", account=UNKNOWN), target) is True
        assert (
            role_matches_arn(
                role("app-", prefix=True, account="444455556666"), arn("arn:aws:iam::111122223333:role/app-1")
            )
            is False
        )

    @given(
        st.text(alphabet="abc-", min_size=1, max_size=6),
        st.text(alphabet="abc-", min_size=1, max_size=6),
        st.sampled_from(["/", "/a/", "/a/b/"]),
        st.sampled_from(["/", "/a/", "/a/b/"]),
    )
    def test_exact_match_property(self, name: str, arn_name: str, path: str, arn_path: str) -> None:
        target = arn(f"arn:aws:iam::111122223333:role{arn_path}{arn_name}")
        assert role_matches_arn(role(name, path=path), target) is (name == arn_name and path == arn_path)
        assert role_matches_arn(role(name, prefix=True, path=path), target) is (
            arn_name.startswith(name) and path == arn_path
        )


# --- edit_distance ---------------------------------------------------------------------------

words = st.text(alphabet="abcd-", max_size=10)


class TestEditDistance:
    @given(words, words)
    def test_symmetric(self, a: str, b: str) -> None:
        assert edit_distance(a, b) == edit_distance(b, a)

    @given(words, words)
    def test_zero_iff_equal(self, a: str, b: str) -> None:
        assert (edit_distance(a, b) == 0) is (a == b)

    @given(words, words)
    def test_bounds(self, a: str, b: str) -> None:
        distance = edit_distance(a, b)
        assert abs(len(a) - len(b)) <= distance <= max(len(a), len(b))

    @given(words, words, words)
    def test_triangle_inequality(self, a: str, b: str, c: str) -> None:
        assert edit_distance(a, c) <= edit_distance(a, b) + edit_distance(b, c)

    @given(words, st.integers(0, 10), st.sampled_from("abcdxyz"))
    def test_single_edit(self, word: str, position: int, char: str) -> None:
        position = min(position, len(word))
        inserted = word[:position] + char + word[position:]
        assert edit_distance(word, inserted) == 1
        if position < len(word):
            assume(word[position] != char)
            substituted = word[:position] + char + word[position + 1 :]
            assert edit_distance(word, substituted) == 1
            deleted = word[:position] + word[position + 1 :]
            assert edit_distance(word, deleted) == 1

    @pytest.mark.parametrize(
        ("a", "b", "expected"),
        [
            ("", "", 0),
            ("", "abc", 3),
            ("kitten", "sitting", 3),
            ("payment", "payments", 1),
            ("flaw", "lawn", 2),
        ],
    )
    def test_examples(self, a: str, b: str, expected: int) -> None:
        assert edit_distance(a, b) == expected

    @given(words, words)
    def test_one_edit_apart_is_distance_one(self, a: str, b: str) -> None:
        assert one_edit_apart(a, b) is (edit_distance(a, b) == 1)

    @given(words, st.integers(0, 10), st.sampled_from("abcd"))
    def test_one_edit_apart_on_near_words(self, word: str, position: int, char: str) -> None:
        """Random pairs are rarely one edit apart: build pairs that are, or nearly are."""
        position = min(position, len(word))
        for other in (word[:position] + char + word[position:], word[:position] + char + word[position + 1 :],
                      word[:position] + word[position + 1 :], word[:position] + char + char + word[position:]):
            assert one_edit_apart(word, other) is (edit_distance(word, other) == 1)
            assert one_edit_apart(other, word) is (edit_distance(word, other) == 1)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text("abc-", min_size=0, max_size=9), min_size=65, max_size=90, unique=True), st.text("abc-", max_size=9))
def test_close_names_through_the_deletion_index_equal_a_plain_scan(names: list[str], wanted: str) -> None:
    """IRSA007's "did you mean": the index (used past 64 names) finds exactly the names within two
    edits that comparing every name would."""
    from irsalint.checks.inventory import _Candidates
    from irsalint.iam import edit_distance
    from irsalint.model import UNKNOWN, IamRole, Location

    loc = Location("main.tf", 1)
    roles = [IamRole(f"r{i}", f"aws_iam_role.r{i}", "aws_iam_role", n, False, "/", UNKNOWN, None, loc, loc)
             for i, n in enumerate(names)]
    assert _Candidates(roles).close_names(wanted) == sorted(n for n in names if edit_distance(n, wanted) <= 2)
