"""Checks that read trust policies: does the role admit the ServiceAccount that names it?"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from irsalint.checks.base import Hit, show
from irsalint.graph import IrsaGraph, MatchStatus
from irsalint.iam import (
    SA_SUBJECT_PREFIX,
    admitted_subjects,
    edit_distance,
    service_account_claims,
    sub_conditions,
    trust_admits,
    web_identity_statements,
)
from irsalint.model import IamRole, Location, ServiceAccount


def trust_mismatch(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    for sa in graph.irsa_service_accounts():
        match = graph.sa_matches[sa.id]
        if match.status is not MatchStatus.MATCHED or match.annotation is None:
            continue
        if not isinstance(sa.namespace, str) or not isinstance(sa.name, str):
            continue
        claims = service_account_claims(sa.namespace, sa.name)
        roles = [graph.roles[role_id] for role_id in match.role_ids]
        if any(role.trust is None or trust_admits(role.trust, claims) is not False for role in roles):
            continue
        role = roles[0]
        yield Hit(
            message=_message(sa, role),
            loc=match.annotation.loc,
            entity=f"ServiceAccount {sa.namespace}/{sa.name}",
            related=(("the trust policy", _trust_location(role)),) + tuple(("the kustomization", loc) for loc in sa.related),
        )


def _trust_location(role: IamRole) -> Location:
    """The `:sub` condition when there is one, else the trust attribute."""
    if role.trust is not None:
        for statement in web_identity_statements(role.trust):
            for condition in sub_conditions(statement):
                return condition.loc
    return role.trust_loc


def _message(sa: ServiceAccount, role: IamRole) -> str:
    subject = f"{SA_SUBJECT_PREFIX}{show(sa.namespace)}:{show(sa.name)}"
    head = (
        f"ServiceAccount {show(sa.namespace)}/{show(sa.name)} is not trusted by role "
        f"{show(role.name)} ({role.address}): sts:AssumeRoleWithWebIdentity will fail with AccessDenied"
    )
    subjects = admitted_subjects(role.trust) if role.trust is not None else ()
    if not subjects:
        return f"{head}; its trust policy admits no ServiceAccount subject"
    listed = ", ".join(f'"{s}"' for s in subjects[:5]) + (f" and {len(subjects) - 5} more" if len(subjects) > 5 else "")
    closest = min(subjects, key=lambda s: (edit_distance(subject, s), s))
    hint = _typo_hint(sa, closest)
    return f"{head}; the trust admits {listed}{hint}"


def _typo_hint(sa: ServiceAccount, closest: str) -> str:
    if not closest.startswith(SA_SUBJECT_PREFIX):
        return ""
    namespace, _, name = closest[len(SA_SUBJECT_PREFIX) :].partition(":")
    if not isinstance(sa.namespace, str) or not isinstance(sa.name, str):
        return ""
    if name == sa.name and namespace != sa.namespace and edit_distance(namespace, sa.namespace) == 1:
        return f' — namespace "{namespace}" is one edit away: likely a typo'
    if namespace == sa.namespace and name != sa.name and edit_distance(name, sa.name) == 1:
        return f' — name "{name}" is one edit away: likely a typo'
    return ""
