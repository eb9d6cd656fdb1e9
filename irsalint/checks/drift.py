"""IRSA020 role-drift: a role the repository defines and an account dump holds (same ARN) differ in
what the trust admits (`:sub` values, Federated providers, Service principals) or in the managed
policies attached to it.

The code side is compared only where it is known: a value irsalint cannot compute (a variable, a
module output) is never called drift. A value the code certainly has and the account lacks is
drift whatever else is unknown; a value only the account has is drift only when the code's list
is complete. Attached policies are compared only when the dump lists them (get-role and
list-roles do not), and account-only ones only for code that irsalint reads whole: modules create
and attach policies of their own (`attach_*_policy`), under generated names."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from irsalint.checks.base import Hit
from irsalint.checks.labels import role_label, short_issuer
from irsalint.graph import IrsaGraph
from irsalint.iam import is_positive_string_operator, oidc_issuer_of_provider_arn
from irsalint.model import (
    Attachment,
    IamRole,
    Location,
    PolicyDocument,
    PolicyRef,
    RoleName,
    RoleRef,
    ValueList,
)
from irsalint.policy_patterns import aws_managed_policy_name

# Role kinds whose every attached policy the code states (no module attaches anything unseen).
_WHOLE = frozenset({"aws_iam_role", "plan:aws_iam_role", "cloudformation"})
# terraform-aws-modules/iam modules: they create customer managed policies of their own, but attach
# AWS managed policies only when their inputs say so
_AWS_MANAGED_FROM_INPUTS = _WHOLE | {
    "module:iam-role-for-service-accounts-eks", "module:iam-role-for-service-accounts",
    "module:iam-assumable-role-with-oidc", "module:iam-eks-role", "module:iam-role",
}  # fmt: skip
_TRUST_PARTS = (("sub", "the trust admits {}"), ("Federated", "the trust names provider {}"),
                ("Service", "the trust names {}"))
_ACCOUNT, _CODE = "account", "code"  # where a difference is: only in the account, only in the code


class _Known:
    __slots__ = ("values", "complete")

    def __init__(self, complete: bool = True) -> None:
        self.values: set[str] = set()
        self.complete = complete  # False: something unknown may add to `values`

    def add(self, values: ValueList) -> None:
        self.complete = self.complete and values.complete
        for value in values.values:
            if isinstance(value.value, str):
                self.values.add(value.value)
            else:
                self.complete = False


def _trust_parts(document: PolicyDocument) -> dict[str, _Known]:
    """The `:sub` values, Federated providers and Service principals the Allow statements name."""
    parts = {part: _Known(complete=document.complete) for part, _ in _TRUST_PARTS}
    for statement in document.statements:
        if statement.effect != "Allow":
            if not isinstance(statement.effect, str):
                for known in parts.values():
                    known.complete = False
            continue
        for principal in statement.principals:
            if principal.type in ("Federated", "Service"):
                parts[str(principal.type)].add(principal.values)
            elif not isinstance(principal.type, str):
                parts["Federated"].complete = parts["Service"].complete = False
        parts["sub"].complete = parts["sub"].complete and statement.conditions_complete
        for condition in statement.conditions:
            if condition.claim == "sub" and is_positive_string_operator(condition.operator):
                parts["sub"].add(condition.values)
            elif not isinstance(condition.claim, str) or not isinstance(condition.operator, str):
                parts["sub"].complete = False  # may be a `:sub` condition
    return parts


def _shown(part: str, value: str) -> str:
    return short_issuer(oidc_issuer_of_provider_arn(value) or value) if part == "Federated" else value


def _trust_differences(code: IamRole, dumped: IamRole) -> list[tuple[str, str]]:
    """(where, what) for every trust value only one side has."""
    if code.trust is None or dumped.trust is None:
        return []
    ours, theirs = _trust_parts(code.trust), _trust_parts(dumped.trust)
    found: list[tuple[str, str]] = []
    for part, template in _TRUST_PARTS:
        only_account, only_code = theirs[part].values - ours[part].values, ours[part].values - theirs[part].values
        if ours[part].complete:
            found.extend((_ACCOUNT, template.format(_shown(part, v))) for v in sorted(only_account))
        if theirs[part].complete:
            found.extend((_CODE, template.format(_shown(part, v))) for v in sorted(only_code))
    return found


def _policy_key(graph: IrsaGraph, value: object) -> tuple[str, str] | None:
    """("aws", "AdministratorAccess") or ("customer", "payments"); None when unknown."""
    if isinstance(value, PolicyRef):
        policy = graph.policies.get(value.policy_id)
        return ("customer", policy.name) if policy is not None and isinstance(policy.name, str) else None
    name = aws_managed_policy_name(value)
    if name is not None:
        return ("aws", name)
    return ("customer", value.strip().rsplit("/", 1)[-1]) if isinstance(value, str) and value.strip() else None


def _code_policies(graph: IrsaGraph, role: IamRole, unnamed: list[Attachment]) -> tuple[set[tuple[str, str]], bool]:
    keys: set[tuple[str, str]] = set()
    complete = True
    for value in graph.role_attachments.get(role.id, []):
        key = _policy_key(graph, value.value)
        if key is None:
            complete = False
        else:
            keys.add(key)
    if any(graph.correlated(role, attachment.loc) for attachment in unnamed):
        complete = False  # attached to a role irsalint cannot name: maybe this one
    return keys, complete


def _policy_differences(
    graph: IrsaGraph, code: IamRole, dumped: IamRole, unnamed: list[Attachment]
) -> list[tuple[str, str]]:
    ours, complete = _code_policies(graph, code, unnamed)
    theirs = {key for key in (_policy_key(graph, v.value) for v in dumped.managed_policy_arns) if key is not None}

    def shown(key: tuple[str, str]) -> str:
        return key[1] if key[0] == "aws" else f"policy {key[1]}"

    found: list[tuple[str, str]] = []
    for key in sorted(theirs - ours):
        whole = _WHOLE if key[0] == "customer" else _AWS_MANAGED_FROM_INPUTS
        if complete and code.kind in whole:
            found.append((_ACCOUNT, f"{shown(key)} attached"))
    found.extend((_CODE, f"{shown(key)} attached") for key in sorted(ours - theirs))
    return found


def role_drift(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    unnamed = [a for a in graph.project.terraform.attachments if not isinstance(a.role, (str, RoleRef, RoleName))]
    for twin in graph.project.live.twins:
        if len(twin.code_role_ids) != 1 or twin.code_role_ids[0] not in graph.roles:
            continue  # several code roles have this ARN: which one the account holds is unknown
        code, dumped = graph.roles[twin.code_role_ids[0]], twin.dump.role
        trust = _trust_differences(code, dumped)
        found = trust + (_policy_differences(graph, code, dumped, unnamed) if twin.dump.policies_listed else [])
        if not found:
            continue
        account_only = "; ".join(what for where, what in found if where == _ACCOUNT)
        code_only = "; ".join(what for where, what in found if where == _CODE)
        details = (f" In the account, not in code: {account_only}." if account_only else "") + (
            f" In code, not in the account: {code_only}." if code_only else "")
        related: list[tuple[str, Location]] = [("the role in the account dump", dumped.loc)]
        if trust and dumped.trust_loc != dumped.loc:
            related.append(("its trust in the account", dumped.trust_loc))
        yield Hit(
            f"Role {role_label(code)} has drifted in account {dumped.account}.{details} The code no longer "
            "describes the account: apply it again, or write the change into the code if it was meant.",
            code.loc,
            f"Role {code.address} drift",
            tuple(related),
        )
