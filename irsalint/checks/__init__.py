"""The registry of check functions that rule files name in `check.function`."""

from __future__ import annotations

from collections.abc import Mapping

from irsalint.checks import (
    compute,
    conditions,
    custom,
    drift,
    inventory,
    live,
    partition,
    policy,
    serviceaccount,
    session_tags,
    trust,
    trust_size,
)

# Imported by name: `from irsalint.checks import annotations` would find the __future__ feature of
# the same name in this module's namespace instead of the submodule.
from irsalint.checks.annotations import (
    credentials_override,
    default_serviceaccount,
    invalid_role_arn,
    misplaced_annotation,
)
from irsalint.checks.base import Check, Hit
from irsalint.checks.podidentity import pod_identity_conflict
from irsalint.checks.webhook_annotations import annotation_key_typo

CHECKS: Mapping[str, Check] = {
    "trust_mismatch": trust.trust_mismatch,
    "trust_any_serviceaccount": trust.trust_any_serviceaccount,
    "trust_wildcard_subject": trust.trust_wildcard_subject,
    "trust_audience": trust.trust_audience,
    "wildcard_resource": policy.wildcard_resource,
    "wildcard_action": policy.wildcard_action,
    "automount_disabled": serviceaccount.automount_disabled,
    "token_expiration": serviceaccount.token_expiration,
    "orphan_role": inventory.orphan_role,
    "unknown_role": inventory.unknown_role,
    "parse_error": inventory.parse_error,
    "invalid_role_arn": invalid_role_arn,
    "default_serviceaccount": default_serviceaccount,
    "misplaced_annotation": misplaced_annotation,
    "credentials_override": credentials_override,
    "privilege_escalation": policy.privilege_escalation,
    "shared_role": inventory.shared_role,
    "pod_identity_conflict": pod_identity_conflict,
    "oidc_provider_mismatch": trust.oidc_provider_mismatch,
    # rules from the field (issue 14)
    "stringequals_wildcard": conditions.stringequals_wildcard,
    "malformed_condition_key": conditions.malformed_condition_key,
    "multivalued_operator": conditions.multivalued_operator,
    "annotation_key_typo": annotation_key_typo,
    "partition_mismatch": partition.partition_mismatch,
    "session_tags": session_tags.session_tags,
    "trust_policy_size": trust_size.trust_policy_size,
    "unsupported_compute": compute.unsupported_compute,
    # live dumps (issue 15)
    "role_drift": drift.role_drift,
    "stale_pod_identity": live.stale_pod_identity,
    # Generic checks for user rule files (--rules DIR); see docs/custom-rules.md.
    "forbidden_actions": custom.forbidden_actions,
    "max_token_expiration": custom.max_token_expiration,
    "required_annotations": custom.required_annotations,
    "allowed_namespaces": custom.allowed_namespaces,
    "required_labels": custom.required_labels,
    "permissions_boundary_required": custom.permissions_boundary_required,
}

__all__ = ["CHECKS", "Check", "Hit"]
