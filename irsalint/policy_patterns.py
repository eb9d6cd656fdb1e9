"""Shapes of IAM policy values that several parts of irsalint recognise (pure functions)."""

from __future__ import annotations

import re

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
