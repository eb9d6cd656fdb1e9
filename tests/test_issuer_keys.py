"""The condition-key grammar of IRSA022: well-formed issuers pass, each kind of damage is named,
and the mechanical fix gives back the issuer that was damaged."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from irsalint.checks.issuer_keys import corrected_issuer, issuer_problem, split_key

REGIONS = st.sampled_from(["eu-west-1", "us-east-2", "us-gov-west-1", "cn-north-1", "ap-southeast-3", "il-central-1"])
CLUSTER_IDS = st.from_regex(r"[0-9A-F]{32}", fullmatch=True)
LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
SEGMENT = st.from_regex(r"[A-Za-z0-9._~-]{1,12}", fullmatch=True)


@st.composite
def eks_issuers(draw: st.DrawFn) -> str:
    region = draw(REGIONS)
    suffix = ".amazonaws.com.cn" if region.startswith("cn-") else ".amazonaws.com"
    return f"oidc.eks.{region}{suffix}/id/{draw(CLUSTER_IDS)}"


@st.composite
def other_issuers(draw: st.DrawFn) -> str:
    """Non-EKS issuers written as host[/path] (GitHub, GitLab, self-hosted S3 discovery...)."""
    host = ".".join(draw(st.lists(LABEL, min_size=2, max_size=4)))
    path = draw(st.lists(SEGMENT, max_size=3))
    issuer = "/".join([host, *path])
    if "eks" in host.split(".")[:3]:
        issuer = "x" + issuer  # keep clear of the EKS host shapes
    return issuer


@settings(max_examples=300)
@given(st.one_of(eks_issuers(), other_issuers()))
def test_well_formed_issuers_have_no_problem(issuer: str) -> None:
    assert issuer_problem(issuer) is None
    assert corrected_issuer(issuer) is None  # nothing to correct


@settings(max_examples=300)
@given(eks_issuers(), st.sampled_from(["111122223333", "444455556666"]), st.sampled_from(["aws", "aws-us-gov", "aws-cn"]))
def test_provider_arn_as_prefix(issuer: str, account: str, partition: str) -> None:
    damaged = f"arn:{partition}:iam::{account}:oidc-provider/{issuer}"
    problem = issuer_problem(damaged)
    assert problem is not None and problem.kind == "arn"
    assert corrected_issuer(damaged) == issuer


@settings(max_examples=300)
@given(st.one_of(eks_issuers(), other_issuers()), st.sampled_from(["https://", "http://", "HTTPS://"]))
def test_scheme_prefix(issuer: str, scheme: str) -> None:
    damaged = scheme + issuer
    problem = issuer_problem(damaged)
    assert problem is not None and problem.kind == "scheme"
    assert corrected_issuer(damaged) == issuer


@settings(max_examples=300)
@given(REGIONS, CLUSTER_IDS)
def test_region_before_eks(region: str, cluster_id: str) -> None:
    suffix = ".amazonaws.com.cn" if region.startswith("cn-") else ".amazonaws.com"
    damaged = f"oidc.{region}.eks{suffix}/id/{cluster_id}"
    problem = issuer_problem(damaged)
    assert problem is not None and problem.kind == "swapped"
    assert corrected_issuer(damaged) == f"oidc.eks.{region}{suffix}/id/{cluster_id}"


@settings(max_examples=300)
@given(REGIONS, CLUSTER_IDS)
def test_missing_id_segment(region: str, cluster_id: str) -> None:
    damaged = f"oidc.eks.{region}.amazonaws.com/{cluster_id}"
    problem = issuer_problem(damaged)
    assert problem is not None and problem.kind == "missing-id"
    assert corrected_issuer(damaged) == f"oidc.eks.{region}.amazonaws.com/id/{cluster_id}"


@settings(max_examples=200)
@given(st.one_of(eks_issuers(), other_issuers()))
def test_trailing_slash(issuer: str) -> None:
    problem = issuer_problem(issuer + "/")
    assert problem is not None and problem.kind == "trailing-slash"
    assert corrected_issuer(issuer + "/") == issuer


@pytest.mark.parametrize(
    ("issuer", "kind"),
    [
        ("oidc.eks.eu-west-1.amazonaws.com", "missing-id"),  # no path at all
        ("oidc.eks.eu-west-1.amazonaws.com/id/", "trailing-slash"),
        ("oidc.eks.eu-west-1.amazonaws.com/id/ABC/extra", "missing-id"),
        ("oidc.eks.eu-west-1.amazonaws.com /id/ABC", "whitespace"),
        ("", "malformed"),
        ("localhost", "malformed"),  # one label: not a host name IAM issues keys for
        ("bad_host.example.com/x", "malformed"),
    ],
)
def test_named_problems(issuer: str, kind: str) -> None:
    problem = issuer_problem(issuer)
    assert problem is not None and problem.kind == kind


def test_split_key_at_the_last_colon() -> None:
    assert split_key("arn:aws:iam::1:oidc-provider/x.example.com:sub") == ("arn:aws:iam::1:oidc-provider/x.example.com", "sub")
    assert split_key("no-colon") is None
