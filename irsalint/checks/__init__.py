"""The registry of check functions that rule files name in `check.function`."""

from __future__ import annotations

from collections.abc import Mapping

from irsalint.checks import inventory, policy, serviceaccount, trust
from irsalint.checks.base import Check, Hit

CHECKS: Mapping[str, Check] = {
    "trust_mismatch": trust.trust_mismatch,
    "wildcard_resource": policy.wildcard_resource,
    "wildcard_action": policy.wildcard_action,
    "automount_disabled": serviceaccount.automount_disabled,
    "token_expiration": serviceaccount.token_expiration,
    "orphan_role": inventory.orphan_role,
    "unknown_role": inventory.unknown_role,
    "parse_error": inventory.parse_error,
}

__all__ = ["CHECKS", "Check", "Hit"]
