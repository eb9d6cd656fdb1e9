"""Project -> IrsaGraph: Workload -> ServiceAccount -> role-arn -> IAM role -> policies.

The links are computed once here (annotation-to-role matching per SPEC §3.3, attachments to
roles, policies to documents) and frozen into a networkx DiGraph; checks only read it."""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any

from irsalint.iam import (
    SA_SUBJECT_PREFIX,
    is_web_identity_statement,
    oidc_issuer_of_provider_arn,
    parse_role_arn,
    role_matches_arn,
)
from irsalint.model import (
    UNKNOWN,
    Annotation,
    IamRole,
    Location,
    ManagedPolicy,
    PolicyDocument,
    PolicyRef,
    RoleRef,
    ServiceAccount,
    Statement,
    Str,
    Value,
    Workload,
)
from irsalint.placeholders import has_placeholder
from irsalint.project import Project

ROLE_ARN_ANNOTATION = "eks.amazonaws.com/role-arn"
TOKEN_EXPIRATION_ANNOTATION = "eks.amazonaws.com/token-expiration"
AWS_MANAGED_POLICY_PREFIX = ":iam::aws:policy/"
NON_EKS_ISSUERS = (
    "token.actions.githubusercontent.com",
    "gitlab.com",
    "app.terraform.io",
    "accounts.google.com",
    "cognito-identity.amazonaws.com",
    "www.amazon.com",
    "graph.facebook.com",
    "oidc.circleci.com",
    "token.buildkite.com",
    "vstoken.actions.githubusercontent.com",
)


class Edge(str, Enum):
    RUNS_AS = "runs-as"  # workload -> ServiceAccount
    ANNOTATES = "annotates"  # ServiceAccount -> role (role-arn)
    ATTACHES = "attaches"  # role -> policy


class MatchStatus(str, Enum):
    MATCHED = "matched"  # one or more scanned roles match
    ABSENT = "absent"  # a valid ARN that names no scanned role
    UNKNOWN = "unknown"  # cannot tell (placeholders, roles with unknown names)
    INVALID = "invalid"  # not a well-formed role ARN (IRSA011)
    NONE = "none"  # no role-arn annotation


@dataclass(frozen=True, slots=True)
class RoleMatch:
    status: MatchStatus
    role_ids: tuple[str, ...] = ()
    annotation: Annotation | None = None


@dataclass(frozen=True, slots=True)
class AttachedDocument:
    document: PolicyDocument
    via: Location  # the attachment / policy that brings it to the role


class IrsaGraph:
    def __init__(self, project: Project) -> None:
        import networkx as nx

        self.project = project
        facts = project.terraform
        self.roles: dict[str, IamRole] = {r.id: r for r in facts.roles}
        self.policies: dict[str, ManagedPolicy] = {p.id: p for p in facts.policies}
        self.service_accounts: tuple[ServiceAccount, ...] = project.service_accounts
        self.workloads: tuple[Workload, ...] = project.workloads
        self._roles_by_name: dict[str, list[IamRole]] = defaultdict(list)
        self._inexact_roles: list[IamRole] = []  # name prefixes and unknown names: checked one by one
        for role in facts.roles:
            if isinstance(role.name, str) and not role.name_is_prefix:
                self._roles_by_name[role.name].append(role)
            else:
                self._inexact_roles.append(role)
        self.sa_matches: dict[str, RoleMatch] = {sa.id: self._match(sa) for sa in self.service_accounts}
        self.role_documents: dict[str, list[AttachedDocument]] = defaultdict(list)
        self.role_managed_arns: dict[str, list[Value]] = defaultdict(list)
        self._attach_policies()
        # Only known names link: two unknown names (a Helm release without serviceAccount.name,
        # a workload whose serviceAccountName is a placeholder) are not the same account.
        self._sa_by_name: dict[tuple[str, str], list[ServiceAccount]] = defaultdict(list)
        for sa in self.service_accounts:
            if isinstance(sa.namespace, str) and isinstance(sa.name, str):
                self._sa_by_name[(sa.namespace, sa.name)].append(sa)
        graph = nx.DiGraph()
        # Bulk inserts: one networkx call per kind instead of one per node (4x faster on 10k nodes).
        records: list[Any] = [*facts.roles, *facts.policies, *self.service_accounts, *self.workloads]
        graph.add_nodes_from((record.id, {"data": record}) for record in records)
        edges: list[tuple[str, str, dict[str, Edge]]] = []
        for sa in self.service_accounts:
            edges.extend((sa.id, role_id, {"kind": Edge.ANNOTATES}) for role_id in self.sa_matches[sa.id].role_ids)
        for workload in self.workloads:
            for sa in self.service_account_named(workload.namespace, workload.service_account):
                edges.append((workload.id, sa.id, {"kind": Edge.RUNS_AS}))
        for role_id, policy_ids in self._attached_policy_ids.items():
            edges.extend((role_id, policy_id, {"kind": Edge.ATTACHES}) for policy_id in sorted(policy_ids))
        graph.add_edges_from(edges)
        self.graph = nx.freeze(graph)

    # --- annotation -> role ---------------------------------------------------------------------

    def _match(self, sa: ServiceAccount) -> RoleMatch:
        annotation = sa.annotation(ROLE_ARN_ANNOTATION)
        if annotation is None:
            return RoleMatch(MatchStatus.NONE)
        value = annotation.value
        if isinstance(value, RoleRef):
            found = (value.role_id,) if value.role_id in self.roles and value.attribute == "arn" else ()
            return RoleMatch(MatchStatus.MATCHED if found else MatchStatus.UNKNOWN, found, annotation)
        if not isinstance(value, str) or has_placeholder(value):
            return RoleMatch(MatchStatus.UNKNOWN, (), annotation)
        arn = parse_role_arn(value)
        if arn is None:
            return RoleMatch(MatchStatus.INVALID, (), annotation)
        candidates = [*self._roles_by_name.get(arn.name, ()), *self._inexact_roles]
        verdicts = [(role, role_matches_arn(role, arn)) for role in candidates]
        matched = tuple(sorted(role.id for role, verdict in verdicts if verdict is True))
        if matched:
            return RoleMatch(MatchStatus.MATCHED, matched, annotation)
        if any(verdict is None for _, verdict in verdicts):
            return RoleMatch(MatchStatus.UNKNOWN, (), annotation)
        return RoleMatch(MatchStatus.ABSENT, (), annotation)

    def irsa_service_accounts(self) -> Iterator[ServiceAccount]:
        """ServiceAccounts that carry a role-arn annotation."""
        for sa in self.service_accounts:
            if self.sa_matches[sa.id].status is not MatchStatus.NONE:
                yield sa

    def workloads_of(self, sa: ServiceAccount) -> list[Workload]:
        return [self.graph.nodes[w]["data"] for w in sorted(self.graph.predecessors(sa.id))]

    def service_accounts_of_role(self, role_id: str) -> list[ServiceAccount]:
        return [self.graph.nodes[s]["data"] for s in sorted(self.graph.predecessors(role_id))
                if isinstance(self.graph.nodes[s]["data"], ServiceAccount)]

    def service_account_named(self, namespace: Str, name: Str) -> list[ServiceAccount]:
        if not isinstance(namespace, str) or not isinstance(name, str):
            return []
        return list(self._sa_by_name.get((namespace, name), []))

    # --- role -> policies -----------------------------------------------------------------------

    def _resolve_role(self, target: Str | RoleRef, near: Location) -> list[str]:
        if isinstance(target, RoleRef):
            return [target.role_id] if target.role_id in self.roles else []
        if not isinstance(target, str):
            return []
        candidates = self._roles_by_name.get(target, [])
        same_dir = [r.id for r in candidates if posixpath.dirname(r.loc.path) == posixpath.dirname(near.path)]
        return same_dir or [r.id for r in candidates]

    def _attach(self, role_id: str, policy: Value, via: Location) -> None:
        value: Any = policy.value
        if isinstance(value, PolicyRef):
            managed = self.policies.get(value.policy_id)
            if managed is not None:
                self._attached_policy_ids[role_id].add(managed.id)
                if managed.document is not None:
                    self.role_documents[role_id].append(AttachedDocument(managed.document, via))
            return
        if isinstance(value, str):
            name = value.rsplit("/", 1)[-1]
            customer = [p for p in self.policies.values() if p.name == name and AWS_MANAGED_POLICY_PREFIX not in value]
            if customer:
                for managed in customer:
                    self._attached_policy_ids[role_id].add(managed.id)
                    if managed.document is not None:
                        self.role_documents[role_id].append(AttachedDocument(managed.document, via))
                return
            self.role_managed_arns[role_id].append(policy)

    def _attach_policies(self) -> None:
        self._attached_policy_ids: dict[str, set[str]] = defaultdict(set)
        facts = self.project.terraform
        for role in facts.roles:
            for document in role.inline_policies:
                self.role_documents[role.id].append(AttachedDocument(document, document.loc))
            for arn in role.managed_policy_arns:
                self._attach(role.id, arn, arn.loc)
        for attachment in facts.attachments:
            for role_id in self._resolve_role(attachment.role, attachment.loc):
                self._attach(role_id, attachment.policy, attachment.loc)
        for inline in facts.inline_policies:
            if inline.document is None:
                continue
            for role_id in self._resolve_role(inline.role, inline.loc):
                self.role_documents[role_id].append(AttachedDocument(inline.document, inline.loc))

    def documents_of(self, role_id: str) -> list[AttachedDocument]:
        return self.role_documents.get(role_id, [])

    # --- which roles are IRSA roles --------------------------------------------------------------

    def is_irsa_role(self, role: IamRole) -> bool:
        if self.service_accounts_of_role(role.id):
            return True
        return role.trust is not None and any(is_eks_web_identity(s) for s in role.trust.statements)

    def irsa_roles(self) -> Iterator[IamRole]:
        for role_id in sorted(self.roles):
            role = self.roles[role_id]
            if self.is_irsa_role(role):
                yield role


def statement_issuers(statement: Statement) -> set[str]:
    issuers: set[str] = set()
    for principal in statement.principals:
        if principal.type in ("Federated", UNKNOWN):
            for text in principal.values.texts():
                if isinstance(text, str):
                    issuers.add(oidc_issuer_of_provider_arn(text) or text)
    for condition in statement.conditions:
        if isinstance(condition.issuer, str):
            issuers.add(condition.issuer)
    return issuers


def is_eks_web_identity(statement: Statement) -> bool:
    """A web-identity statement meant for Kubernetes ServiceAccounts (not GitHub Actions & co)."""
    if is_web_identity_statement(statement) is not True:
        return False
    for condition in statement.conditions:
        if condition.claim == "sub" and any(
            isinstance(v, str) and v.startswith(SA_SUBJECT_PREFIX) for v in condition.values.texts()
        ):
            return True
    issuers = statement_issuers(statement)
    if any("oidc.eks." in i for i in issuers):
        return True
    if any(i.startswith(NON_EKS_ISSUERS) or i in NON_EKS_ISSUERS for i in issuers):
        return False
    # A known issuer that is not EKS, and no ServiceAccount subject: some other federation.
    return not (issuers and all("eks" not in i for i in issuers))
