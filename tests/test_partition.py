"""The partition logic of IRSA024: regions map to partitions, an ARN's partition is read only when
it is written literally, and an unknown partition never mismatches."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from irsalint.checks.partition import (
    arn_partition,
    chain_partition,
    issuer_region,
    mismatch,
    region_partition,
)
from irsalint.model import Location, Partial, Principal, Statement, Value, ValueList
from irsalint.policydoc import make_condition

PARTITIONS = st.sampled_from(["aws", "aws-us-gov", "aws-cn", "aws-iso", "aws-iso-b"])
PLACEHOLDERS = st.sampled_from(
    ["${data.aws_partition.current.partition}", "${AWS::Partition}", "${partition}", "<PARTITION>", "$(PARTITION)"]
)
RESOURCES = st.sampled_from(["iam::111122223333:role/app", "s3:::bucket/*", "iam::aws:policy/ReadOnlyAccess"])
LOC = Location("main.tf", 1)


@pytest.mark.parametrize(
    ("region", "partition"),
    [
        ("eu-west-1", "aws"),
        ("us-east-1", "aws"),
        ("us-gov-west-1", "aws-us-gov"),
        ("us-gov-east-1", "aws-us-gov"),
        ("cn-north-1", "aws-cn"),
        ("cn-northwest-1", "aws-cn"),
        ("us-iso-east-1", "aws-iso"),
        ("us-isob-east-1", "aws-iso-b"),
    ],
)
def test_region_partition(region: str, partition: str) -> None:
    assert region_partition(region) == partition


def test_issuer_region() -> None:
    assert issuer_region("oidc.eks.us-gov-west-1.amazonaws.com/id/ABC") == "us-gov-west-1"
    assert issuer_region("oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC") == "cn-north-1"
    assert issuer_region("token.actions.githubusercontent.com") is None


@settings(max_examples=300)
@given(PARTITIONS, RESOURCES)
def test_literal_partition_is_read(partition: str, rest: str) -> None:
    assert arn_partition(f"arn:{partition}:{rest}") == partition


@settings(max_examples=300)
@given(PLACEHOLDERS, RESOURCES, PARTITIONS)
def test_placeholder_partition_never_mismatches(placeholder: str, rest: str, other: str) -> None:
    written = f"arn:{placeholder}:{rest}"
    assert arn_partition(written) is None
    assert not mismatch(arn_partition(written), other)
    hole = Partial(("arn:", f":{rest}"), (placeholder,))  # the Terraform template form
    assert arn_partition(hole) is None
    assert not mismatch(arn_partition(hole), other)


@settings(max_examples=300)
@given(st.one_of(st.none(), PARTITIONS), st.one_of(st.none(), PARTITIONS))
def test_mismatch_is_symmetric_and_only_between_known_partitions(a: str | None, b: str | None) -> None:
    assert mismatch(a, b) == mismatch(b, a)
    assert mismatch(a, b) == (a is not None and b is not None and a != b)
    assert not mismatch(a, a)


@pytest.mark.parametrize("text", ["*", "arn:", "arn:AWS:s3:::x", "arn:azure:s3:::x", "not an arn", "arn:aws"])
def test_non_partitions_are_unknown(text: str) -> None:
    assert arn_partition(text) is None


def _statement(provider: object, issuer: str | None) -> Statement:
    values = ValueList((Value(provider, LOC),), True, LOC)
    conditions = ()
    if issuer is not None:
        sub = ValueList((Value("system:serviceaccount:a:b", LOC),), True, LOC)
        conditions = (make_condition("StringEquals", f"{issuer}:sub", "", sub, LOC),)
    return Statement(None, "Allow", None, None, None, None, (Principal("Federated", values),), conditions, True, LOC)


def test_chain_partition_prefers_the_issuer_region() -> None:
    gov = "oidc.eks.us-gov-west-1.amazonaws.com/id/ABC"
    chain = chain_partition([_statement(f"arn:aws:iam::1:oidc-provider/{gov}", gov)])
    assert chain is not None and chain.partition == "aws-us-gov"


def test_chain_partition_from_the_provider_arn_when_no_region_is_known() -> None:
    chain = chain_partition([_statement(Partial(("arn:aws-cn:iam::1:oidc-provider/", ""), ("${local.issuer}",)), None)])
    assert chain is not None and chain.partition == "aws-cn"


def test_chain_partition_is_unknown_when_the_evidence_disagrees() -> None:
    one = "oidc.eks.us-gov-west-1.amazonaws.com/id/ABC"
    two = "oidc.eks.eu-west-1.amazonaws.com/id/DEF"
    assert chain_partition([_statement(f"arn:aws-us-gov:iam::1:oidc-provider/{one}", one),
                            _statement(f"arn:aws:iam::1:oidc-provider/{two}", two)]) is None
    assert chain_partition([_statement("${var.provider_arn}", None)]) is None
