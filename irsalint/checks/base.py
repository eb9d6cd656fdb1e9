"""What a check yields, and the protocol every check function follows."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Protocol

from irsalint.checks.labels import namespaced, sa_label, workload_label
from irsalint.fix.intents import FixIntent
from irsalint.graph import IrsaGraph, is_eks_web_identity
from irsalint.model import IamRole, Location, ServiceAccount, Statement, Workload
from irsalint.record import record


@record
class Hit:
    message: str
    loc: Location
    entity: str  # the logical thing the finding is about (for fingerprints): "ServiceAccount ns/name"
    related: tuple[tuple[str, Location], ...] = ()  # (what it is, where)
    level: str | None = None  # overrides the rule's default level for this finding
    security_severity: float | None = None  # overrides the rule's default severity
    # for hits about one rendering of a source object (a kustomize overlay's copy): how this
    # rendering is called; the engine merges the renderings of one line into one finding
    rendering: str = ""
    fix: FixIntent | None = None  # the edit that removes the finding (irsalint.fix)


class Check(Protocol):
    def __call__(self, graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]: ...


def show(value: object) -> str:
    return value if isinstance(value, str) else "(unknown)"


def entity_of(obj: ServiceAccount | Workload) -> str:
    """The fingerprint entity of a ServiceAccount or workload: as written in its file. A rendered
    copy (kustomize) is named without the namespace its kustomization gives it, so that all the
    renderings of one line are one finding whose fingerprint does not depend on the overlays."""
    kind = "ServiceAccount" if isinstance(obj, ServiceAccount) else obj.kind
    if obj.rendering:
        return f"{kind} {show(obj.name)}"
    return f"{kind} {namespaced(obj.namespace, obj.name)}"


def rendering_of(obj: ServiceAccount | Workload) -> str:
    """How this rendering of its source object is called in a merged finding: `ns/name (overlay)`."""
    if not obj.rendering:
        return ""
    label = sa_label(obj) if isinstance(obj, ServiceAccount) else workload_label(obj)
    return f"{label} ({obj.rendering})"


def eks_statements(graph: IrsaGraph) -> list[tuple[IamRole, Statement]]:
    """Every web-identity trust statement meant for ServiceAccounts, role by role (six rules read
    them: computed once per run)."""
    return graph.derived("eks_statements", lambda: list(_eks_statements(graph)))


def _eks_statements(graph: IrsaGraph) -> Iterator[tuple[IamRole, Statement]]:
    for role_id in sorted(graph.roles):
        role = graph.roles[role_id]
        if role.trust is None:
            continue
        for statement in role.trust.statements:
            if is_eks_web_identity(statement):
                yield role, statement


def role_related(role: IamRole, loc: Location) -> tuple[tuple[str, Location], ...]:
    return () if role.loc == loc else ((f"the role {role.address}", role.loc),)
