"""The names of the check functions that rule files name in `check.function`, and the module of
irsalint.checks that defines each (a function of that name).

Kept apart from irsalint.checks so that loading and validating the rule pack does not import the
checks (networkx, the graph, every model module): a run whose result is in the cache never needs
them (docs/design.md, "Warm runs")."""

from __future__ import annotations

from collections.abc import Mapping

CHECK_MODULES: Mapping[str, str] = {
    "trust_mismatch": "trust",
    "trust_any_serviceaccount": "trust",
    "trust_wildcard_subject": "trust",
    "trust_audience": "trust",
    "wildcard_resource": "policy",
    "wildcard_action": "policy",
    "automount_disabled": "serviceaccount",
    "token_expiration": "serviceaccount",
    "orphan_role": "inventory",
    "unknown_role": "inventory",
    "parse_error": "inventory",
    "invalid_role_arn": "annotations",
    "default_serviceaccount": "annotations",
    "misplaced_annotation": "annotations",
    "credentials_override": "annotations",
    "privilege_escalation": "policy",
    "shared_role": "inventory",
    "pod_identity_conflict": "podidentity",
    "oidc_provider_mismatch": "trust",
    # rules from the field (issue 14)
    "stringequals_wildcard": "conditions",
    "malformed_condition_key": "conditions",
    "multivalued_operator": "conditions",
    "annotation_key_typo": "webhook_annotations",
    "partition_mismatch": "partition",
    "session_tags": "session_tags",
    "trust_policy_size": "trust_size",
    "unsupported_compute": "compute",
    # live dumps (issue 15)
    "role_drift": "drift",
    "stale_pod_identity": "live",
    # Generic checks for user rule files (--rules DIR); see docs/custom-rules.md.
    "forbidden_actions": "custom",
    "max_token_expiration": "custom",
    "required_annotations": "custom",
    "allowed_namespaces": "custom",
    "required_labels": "custom",
    "permissions_boundary_required": "custom",
}
