"""Shapes of IAM policy values that several parts of irsalint recognise (pure functions)."""

from __future__ import annotations

import re

from irsalint.model import Partial

WILDCARD_ONLY_RE = re.compile(r"^[*?/:]+$")
_TYPED_WILDCARD_RE = re.compile(r"^[A-Za-z][\w-]*[/:][*?/:]+$")


def is_wildcard_resource(resource: str) -> bool:
    """`*`, or an ARN whose resource part is only wildcards (after an optional resource type):
    arn:aws:s3:::*, arn:aws:dynamodb:*:*:table/*, arn:aws:secretsmanager:*:*:secret:*."""
    if WILDCARD_ONLY_RE.match(resource):
        return True
    parts = resource.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return False
    service, rest = parts[2], parts[5]
    if WILDCARD_ONLY_RE.match(rest):
        return True
    # S3 object ARNs have no resource type: "bucket/*" is one bucket, not a wildcard.
    return service != "s3" and _TYPED_WILDCARD_RE.match(rest) is not None


def is_wildcard_resource_value(value: object) -> bool:
    """is_wildcard_resource for a policy value, also one written with placeholders for its
    partition, region or account (`arn:${data.aws_partition.current.partition}:secretsmanager:
    *:*:secret:*`): the resource part must be known and only wildcards."""
    if isinstance(value, str):
        return is_wildcard_resource(value)
    if not isinstance(value, Partial):
        return False
    parts = value.fill("\x00").split(":", 5)
    if len(parts) < 6 or parts[0] != "arn" or "\x00" in parts[5] or "\x00" in parts[2]:
        return False
    return is_wildcard_resource(":".join(["arn", "aws", parts[2], "*", "*", parts[5]]))


_AWS_MANAGED_RE = re.compile(r"^arn:(?:aws[a-z0-9-]*|\x00):iam::aws:policy/([\w+=,.@/-]+)$")


def aws_managed_policy_name(value: object) -> str | None:
    """arn:aws:iam::aws:policy/AdministratorAccess -> "AdministratorAccess" (with its path, if
    any: "service-role/AmazonEBSCSIDriverPolicy"); also when the partition is a placeholder
    (`arn:${data.aws_partition.current.partition}:iam::aws:policy/...`). None otherwise."""
    if isinstance(value, Partial):
        text = value.fill("\x00")
        if text.count("\x00") != 1 or not text.startswith("arn:\x00:"):
            return None  # only the partition may be unknown
    elif isinstance(value, str):
        text = value.strip()
    else:
        return None
    match = _AWS_MANAGED_RE.match(text)
    return match.group(1) if match else None
