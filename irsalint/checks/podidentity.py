"""EKS Pod Identity: associations that shadow an IRSA annotation, or whose role rejects the agent."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from irsalint.checks.base import Hit, entity_of, rendering_of
from irsalint.checks.labels import namespaced, role_label, sa_label
from irsalint.graph import ROLE_ARN_ANNOTATION, IrsaGraph
from irsalint.iam import POD_IDENTITY_PRINCIPAL, Tri, action_matches, admits_pod_identity, tri_all, tri_any
from irsalint.model import (
    UNKNOWN,
    IamRole,
    Location,
    PodIdentityAssociation,
    PolicyDocument,
    Statement,
)

POD_IDENTITY_ACTIONS = ("sts:AssumeRole", "sts:TagSession")


def pod_identity_conflict(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    associations = graph.project.terraform.associations
    yield from _conflicts(graph, associations)
    yield from _bad_trusts(graph, associations)


# --- (a) a ServiceAccount with both an IRSA annotation and an association ---------------------------


def _conflicts(graph: IrsaGraph, associations: tuple[PodIdentityAssociation, ...]) -> Iterator[Hit]:
    if not associations:
        return
    for sa in graph.service_accounts:
        annotation = sa.annotation(ROLE_ARN_ANNOTATION)
        found = graph.associations_of(sa) if annotation is not None else []
        if annotation is None or not found:
            continue
        clusters = sorted({a.cluster_name for a in found if isinstance(a.cluster_name, str)})
        where = f" (cluster {', '.join(clusters)})" if clusters else ""
        yield Hit(
            f"ServiceAccount {sa_label(sa)} has a role-arn annotation and a Pod Identity association: Pod "
            f"Identity wins. Its pods never get the annotated role{where}: remove one of the two.",
            annotation.loc,
            entity_of(sa),
            tuple(("the Pod Identity association", a.loc) for a in found),
            rendering=rendering_of(sa),
        )


# --- (b) an association whose role does not trust the Pod Identity agent ------------------------------


def _association_roles(graph: IrsaGraph, association: PodIdentityAssociation) -> list[IamRole]:
    return graph.roles_for_arn(association.role, association)


def _grants(statement: Statement, action: str) -> Tri:
    if statement.actions is None:
        return None if statement.not_actions is not None else False
    verdict = action_matches(statement.actions.texts(), action)
    return None if verdict is False and not statement.actions.complete else verdict


def _trust_verdict(trust: PolicyDocument) -> tuple[Tri, set[str]]:
    """(does an Allow admit the agent for both actions?, actions a pods statement does allow)."""
    verdicts: list[Tri] = []
    partial: set[str] = set()
    for statement in trust.statements:
        if statement.effect is UNKNOWN:
            verdicts.append(None)
            continue
        if statement.effect != "Allow":
            continue
        principal = admits_pod_identity(statement)
        grants = [_grants(statement, action) for action in POD_IDENTITY_ACTIONS]
        if principal is True:
            partial.update(a for a, g in zip(POD_IDENTITY_ACTIONS, grants) if g is True)
        verdicts.append(tri_all([principal, *grants]))
    verdict = tri_any(verdicts)
    if verdict is False and not trust.complete:
        verdict = None
    return verdict, partial


def _bad_trusts(graph: IrsaGraph, associations: tuple[PodIdentityAssociation, ...]) -> Iterator[Hit]:
    for association in associations:
        for role in _association_roles(graph, association):
            if role.trust is None:
                continue
            verdict, partial = _trust_verdict(role.trust)
            if verdict is not False:
                continue
            if partial:
                missing = [a for a in POD_IDENTITY_ACTIONS if a not in partial]
                problem = f"its trust lacks {', '.join(missing)}"
            else:
                problem = f"its trust does not name {POD_IDENTITY_PRINCIPAL}"
            target = namespaced(association.namespace, association.service_account)
            related: list[tuple[str, Location]] = [(f"role {role_label(role)}", role.loc)]
            if role.trust_loc.line and role.trust_loc != role.loc:
                related.append(("its trust policy", role.trust_loc))
            yield Hit(
                f"The Pod Identity Agent cannot assume role {role_label(role)} for {target}: {problem}. Allow "
                f"{POD_IDENTITY_PRINCIPAL} sts:AssumeRole and sts:TagSession.",
                association.loc,
                f"PodIdentityAssociation {target} {role.address}",
                tuple(related),
            )
