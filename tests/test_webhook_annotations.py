"""IRSA023's matchers: near misses of the webhook's keys (and what is not one), Go's ParseBool
values, and skip-containers split the way Go's encoding/csv splits it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from irsalint.checks.webhook_annotations import (
    GO_BOOLS,
    OTHER_KEYS,
    WEBHOOK_KEYS,
    near_miss,
    skip_container_names,
)

KEYS = st.sampled_from(sorted(WEBHOOK_KEYS))


@pytest.mark.parametrize("key", sorted(WEBHOOK_KEYS) + sorted(OTHER_KEYS) + ["k8s.amazonaws.com/role-arn",
                                                                         "iam.amazonaws.com/permitted",
                                                                         "eks.amazonaws.com/role",
                                                                         "audience", "app.kubernetes.io/name"])
def test_real_keys_are_not_near_misses(key: str) -> None:
    assert near_miss(key) is None


@pytest.mark.parametrize(
    ("key", "intended"),
    [
        ("eks.amazon.com/role-arn", "eks.amazonaws.com/role-arn"),
        ("eks.amazonaws.com/rolearn", "eks.amazonaws.com/role-arn"),
        ("eks.amazonaws.com/role_arn", "eks.amazonaws.com/role-arn"),
        ("eks.amazonaws.com/roleArn", "eks.amazonaws.com/role-arn"),
        ("EKS.amazonaws.com/role-arn", "eks.amazonaws.com/role-arn"),
        (" eks.amazonaws.com/role-arn", "eks.amazonaws.com/role-arn"),
        ("eks.amazonaws.com /role-arn", "eks.amazonaws.com/role-arn"),
        ("role_arn", "eks.amazonaws.com/role-arn"),
        ("eks.amazonaws.com/sts-regional-endpoint", "eks.amazonaws.com/sts-regional-endpoints"),
        ("eks.amazonaws.com/skip-container", "eks.amazonaws.com/skip-containers"),
        ("eks.amazonaws.com/token_expiration", "eks.amazonaws.com/token-expiration"),
        ("eks.amazonaws.com/audiance", "eks.amazonaws.com/audience"),
    ],
)
def test_near_misses_name_the_intended_key(key: str, intended: str) -> None:
    miss = near_miss(key)
    assert miss is not None and miss.intended == intended


@settings(max_examples=200)
@given(KEYS, st.sampled_from(["upper", "underscore", "space", "domain"]))
def test_mangled_keys_are_near_misses_of_their_origin(key: str, how: str) -> None:
    domain, _, name = key.partition("/")
    mangled = {
        "upper": f"{domain}/{name.upper()}",
        "underscore": f"{domain}/{name.replace('-', '_')}" if "-" in name else f"{domain}/{name} ",
        "space": f"{key} ",
        "domain": f"eks.amazon.com/{name}",
    }[how]
    miss = near_miss(mangled)
    assert miss is not None and miss.intended == key


def test_go_parse_bool() -> None:
    # strconv.ParseBool accepts exactly these; "yes", "on", "regional" are ignored by the webhook
    assert GO_BOOLS == {"1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"}


@pytest.mark.parametrize(
    ("value", "names"),
    [
        ("app", ["app"]),
        ("app,istio-proxy", ["app", "istio-proxy"]),
        ("app, istio-proxy", ["app", " istio-proxy"]),  # TrimLeadingSpace is false in Go's reader
        ("", []),
        ('"app"', None),  # quotes: Go's reader may fail, then nothing is skipped
    ],
)
def test_skip_containers_is_split_as_go_csv_does(value: str, names: list[str] | None) -> None:
    assert skip_container_names(value) == names
