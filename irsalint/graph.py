"""Project -> IrsaGraph: Workload -> ServiceAccount -> role-arn -> IAM role -> policies.

The links are computed once here (annotation-to-role matching per SPEC §3.3, attachments to
roles, policies to documents); checks only read them. `IrsaGraph.graph` is the same records and
links as a frozen networkx DiGraph, built when first asked for (docs/design.md, "The graph")."""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from enum import Enum
from functools import cached_property
from typing import Any, TypeVar, Union

from irsalint.iam import (
    SA_SUBJECT_PREFIX,
    RoleArnPattern,
    admits_pod_identity,
    is_web_identity_statement,
    oidc_issuer_of_provider_arn,
    role_arn_pattern,
)
from irsalint.load.aws_dump import is_dump_role
from irsalint.model import (
    UNKNOWN,
    Annotation,
    IamRole,
    Location,
    ManagedPolicy,
    Partial,
    PodIdentityAssociation,
    PolicyDocument,
    PolicyRef,
    RoleName,
    RoleRef,
    RoleTarget,
    ServiceAccount,
    Statement,
    Str,
    Value,
    Workload,
)
from irsalint.owners import Owners
from irsalint.policy_patterns import aws_managed_policy_name
from irsalint.project import Project
from irsalint.record import record
from irsalint.role_index import MatchStatus as MatchStatus  # re-exported: checks read it from here
from irsalint.role_index import RoleIndex
from irsalint.scopes import ScopeMap, build_scope_map, cluster_of, compatible

ROLE_ARN_ANNOTATION = "eks.amazonaws.com/role-arn"
TOKEN_EXPIRATION_ANNOTATION = "eks.amazonaws.com/token-expiration"
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

T = TypeVar("T")


# Anything that has a place in the repository, and so a scope.
Scoped = Union[IamRole, ServiceAccount, Workload, PodIdentityAssociation, Location]
# (scopes, configured cluster, the Terraform roots that apply the record (None: not Terraform), and
# whether it lives in a child module those roots call rather than in a root of its own)
Place = tuple[frozenset[str], Union[str, None], Union[frozenset[str], None], bool]


class Edge(str, Enum):
    RUNS_AS = "runs-as"  # workload -> ServiceAccount
    ANNOTATES = "annotates"  # ServiceAccount -> role (role-arn)
    ATTACHES = "attaches"  # role -> policy


@record
class RoleMatch:
    status: MatchStatus
    role_ids: tuple[str, ...] = ()
    annotation: Annotation | None = None


@record
class AttachedDocument:
    document: PolicyDocument
    via: Location  # the attachment / policy that brings it to the role


class IrsaGraph:
    def __init__(self, project: Project, clusters: Mapping[str, tuple[str, tuple[str, ...]]] | None = None) -> None:
        self.project = project
        self.clusters = clusters or {}
        facts = project.terraform
        self.roles: dict[str, IamRole] = {r.id: r for r in facts.roles}
        self.policies: dict[str, ManagedPolicy] = {p.id: p for p in facts.policies}
        self.service_accounts: tuple[ServiceAccount, ...] = project.service_accounts
        self.workloads: tuple[Workload, ...] = project.workloads
        self._places: dict[str | Location, Place] = {}
        self._units: dict[str | Location, tuple[str, ...]] = {}
        self._correlated: dict[tuple[Place, Place], bool] = {}
        self._groups: dict[int, tuple[Sequence[Any], dict[Place, list[Any]]]] = {}
        self._association_role_ids: set[str] | None = None
        self._associations_by_target: dict[tuple[str, str], list[PodIdentityAssociation]] | None = None
        self._vague: tuple[PodIdentityAssociation, ...] | None = None
        self._derived: dict[str, Any] = {}
        self.scopes = self._scope_map()
        # Dumped Pods, ReplicaSets and Jobs whose controller is scanned are copies of its pod
        # template: the template rules see the controller only (irsalint.owners). IRSA019 reads
        # every dumped Pod.
        self.owners = Owners(project.workloads, self.correlated)
        self.workloads = tuple(w for w in project.workloads if not self.owners.is_copy(w))
        self.live_pods: tuple[Workload, ...] = tuple(
            w for w in project.workloads if w.kind == "Pod" and w.live is not None
        )
        self._role_list = tuple(facts.roles)
        self.role_index = RoleIndex(facts.roles, {r.id: self.scopes_of(r) for r in facts.roles})
        self.sa_matches: dict[str, RoleMatch] = {sa.id: self._match(sa) for sa in self.service_accounts}
        self.role_documents: dict[str, list[AttachedDocument]] = defaultdict(list)
        self.role_managed_arns: dict[str, list[Value]] = defaultdict(list)
        self.role_attachments: dict[str, list[Value]] = defaultdict(list)  # every policy value attached
        self._attach_policies()
        # Only known names link: two unknown names (a Helm release without serviceAccount.name,
        # a workload whose serviceAccountName is a placeholder) are not the same account.
        self._sa_by_name: dict[tuple[str, str], list[ServiceAccount]] = defaultdict(list)
        for sa in self.service_accounts:
            if isinstance(sa.namespace, str) and isinstance(sa.name, str):
                self._sa_by_name[(sa.namespace, sa.name)].append(sa)
        # The links, once: the checks read them from these dicts; `graph` turns the same records and
        # edges into a networkx DiGraph on first use, so a lint run never pays networkx's import
        # (~75 ms, 8% of a cold run on the 1k-service bench corpus) for two predecessor lookups.
        records: list[Any] = [*facts.roles, *facts.policies, *self.service_accounts, *self.workloads]
        self._records: dict[str, Any] = {record.id: record for record in records}
        edges: list[tuple[str, str, Edge]] = []
        for sa in self.service_accounts:
            edges.extend((sa.id, role_id, Edge.ANNOTATES) for role_id in self.sa_matches[sa.id].role_ids)
        for workload in self.workloads:
            for sa in self.service_accounts_of_workload(workload):
                edges.append((workload.id, sa.id, Edge.RUNS_AS))
        for role_id, policy_ids in self._attached_policy_ids.items():
            edges.extend((role_id, policy_id, Edge.ATTACHES) for policy_id in sorted(policy_ids))
        self.edges: tuple[tuple[str, str, Edge], ...] = tuple(edges)
        self._predecessors: dict[str, set[str]] = defaultdict(set)
        for source, target, _ in edges:
            self._predecessors[target].add(source)

    def derived(self, name: str, compute: Callable[[], T]) -> T:
        """A value computed from the graph alone, once per run however many rules read it (the
        reachable Allow statements, the EKS trust statements). The graph is frozen, so it never
        goes stale."""
        if name not in self._derived:
            self._derived[name] = compute()
        value: T = self._derived[name]
        return value

    # --- scopes (irsalint.scopes) ----------------------------------------------------------------

    def units_of(self, record: Scoped) -> tuple[str, ...]:
        """The directories a record is deployed from (several for a child module's records;
        cached per record, as place_of)."""
        key = record if isinstance(record, Location) else record.id
        units = self._units.get(key)
        if units is None:
            units = self._units[key] = self._units_of(record)
        return units

    def _units_of(self, record: Scoped) -> tuple[str, ...]:
        if isinstance(record, (ServiceAccount, Workload)) and record.unit is not None:
            return self._terraform_units(record.unit)
        if isinstance(record, Location):
            return self._terraform_units(posixpath.dirname(record.path))
        instance_root = terraform_instance_root(record.id)
        if instance_root is not None:
            return (instance_root,)
        directory = terraform_directory(record.id)
        if directory is not None:
            return self._terraform_units(directory)
        loc = record.loc if isinstance(record, (IamRole, PodIdentityAssociation)) else record.name_loc
        return (posixpath.dirname(loc.path),)

    def _terraform_units(self, directory: str) -> tuple[str, ...]:
        return self.project.terraform.units.get(directory, (directory,))

    def scopes_of(self, record: Scoped) -> frozenset[str]:
        return self.place_of(record)[0]

    def place_of(self, record: Scoped) -> Place:
        """All that correlation depends on (cached per record)."""
        key = record if isinstance(record, Location) else record.id
        place = self._places.get(key)
        if place is None:
            units = self.units_of(record)
            roots: frozenset[str] | None = None
            in_child = False
            if not isinstance(record, Location) and record.id.startswith("tf:"):
                roots = frozenset(units)
                directory = terraform_directory(record.id)
                in_child = terraform_instance_root(record.id) is not None or (
                    directory is not None and tuple(units) != (directory,)
                )
            place = (self.scopes.of(units), self.cluster_of(record), roots, in_child)
            self._places[key] = place
        return place

    def correlated(self, a: Scoped, b: Scoped) -> bool:
        """May these two be about the same cluster and account (SPEC §3.5)?"""
        return self._places_correlated(self.place_of(a), self.place_of(b))

    def associations_of(self, sa: ServiceAccount) -> list[PodIdentityAssociation]:
        """The Pod Identity associations naming this ServiceAccount (same namespace and name, known)
        in a correlated scope: with one, Pod Identity wins over its role-arn annotation."""
        if self._associations_by_target is None:
            self._associations_by_target = defaultdict(list)
            for association in self.project.terraform.associations:
                if isinstance(association.namespace, str) and isinstance(association.service_account, str):
                    self._associations_by_target[(association.namespace, association.service_account)].append(association)
        if not isinstance(sa.namespace, str) or not isinstance(sa.name, str):
            return []
        found = self._associations_by_target.get((sa.namespace, sa.name), [])
        return [a for a in found if self.correlated(a, sa)]

    def may_be_associated(self, sa: ServiceAccount) -> bool:
        """Could a Pod Identity association name this ServiceAccount? Also when the association's
        namespace or ServiceAccount (or the ServiceAccount's own) is not known."""
        if self.associations_of(sa):
            return True
        known_sa = isinstance(sa.namespace, str) and isinstance(sa.name, str)
        candidates = self._vague_associations() if known_sa else self.project.terraform.associations
        return any(
            (not isinstance(a.namespace, str) or not isinstance(sa.namespace, str) or a.namespace == sa.namespace)
            and (not isinstance(a.service_account, str) or not isinstance(sa.name, str) or a.service_account == sa.name)
            and self.correlated(a, sa)
            for a in candidates
        )

    def _vague_associations(self) -> tuple[PodIdentityAssociation, ...]:
        """The associations whose namespace or ServiceAccount is not known (computed once)."""
        if self._vague is None:
            self._vague = tuple(a for a in self.project.terraform.associations
                                if not isinstance(a.namespace, str) or not isinstance(a.service_account, str))
        return self._vague

    def _places_correlated(self, a: Place, b: Place) -> bool:
        key = (a, b)
        verdict = self._correlated.get(key)
        if verdict is None:
            verdict = any(compatible(x, y) for x in a[0] for y in b[0]) and (a[1] is None or b[1] is None or a[1] == b[1])
            if verdict and a[2] is not None and b[2] is not None and (a[3] or b[3]) and not a[2] & b[2]:
                verdict = False  # a child module is deployed with the roots that call it, not elsewhere
            self._correlated[key] = verdict
        return verdict

    def _correlated_with(self, records: Sequence[Any], record: Scoped) -> list[Any]:
        """The members of `records` correlated with `record`, grouped by place so that a big
        repository costs one comparison per pair of places, not per pair of records."""
        groups = self._groups.get(id(records))
        if groups is None:
            grouped: dict[Place, list[Any]] = defaultdict(list)
            for member in records:
                grouped[self.place_of(member)].append(member)
            groups = self._groups[id(records)] = (records, dict(grouped))
        place = self.place_of(record)
        return [m for member_place, members in groups[1].items() if self._places_correlated(member_place, place)
                for m in members]

    def cluster_of(self, record: Scoped) -> str | None:
        """The configured cluster of a manifest or an association (None: not configured)."""
        if isinstance(record, ServiceAccount) and record.cluster is not None:
            return record.cluster  # stated by its source (an eksctl ClusterConfig)
        if isinstance(record, (ServiceAccount, Workload)):
            return cluster_of(record.name_loc.path, self.clusters)
        if isinstance(record, PodIdentityAssociation) and isinstance(record.cluster_name, str):
            stated = record.id.startswith("eksctl:")  # the ClusterConfig it is declared in
            return record.cluster_name if stated or record.cluster_name in self.clusters else None
        return None

    def _scope_map(self) -> ScopeMap:
        facts = self.project.terraform
        # an account dump describes an account, not a stack: it never makes a directory two-sided
        role_units = [u for role in facts.roles if not is_dump_role(role) for u in self.units_of(role)]
        manifest_units = [u for sa in self.service_accounts if sa.origin != "terraform" for u in self.units_of(sa)]
        manifest_units.extend(u for workload in self.workloads for u in self.units_of(workload))
        other_units = [u for sa in self.service_accounts for u in self.units_of(sa)]
        other_units.extend(u for role in facts.roles if is_dump_role(role) for u in self.units_of(role))
        other_units.extend(u for association in facts.associations for u in self.units_of(association))
        return build_scope_map(role_units, manifest_units, other_units)

    # --- annotation -> role ---------------------------------------------------------------------

    def _match(self, sa: ServiceAccount) -> RoleMatch:
        annotation = sa.annotation(ROLE_ARN_ANNOTATION)
        if annotation is None:
            return RoleMatch(MatchStatus.NONE)
        value = annotation.value
        if isinstance(value, RoleRef):
            found = (value.role_id,) if value.role_id in self.roles and value.attribute == "arn" else ()
            return RoleMatch(MatchStatus.MATCHED if found else MatchStatus.UNKNOWN, found, annotation)
        if isinstance(value, RoleName):
            if value.attribute != "arn":
                return RoleMatch(MatchStatus.UNKNOWN, (), annotation)
            status, role_ids = self.role_index.find(lookup_pattern(value), self.scopes_of(sa), self.units_of(sa))
            return RoleMatch(status, role_ids, annotation)
        if not isinstance(value, (str, Partial)):
            return RoleMatch(MatchStatus.UNKNOWN, (), annotation)
        pattern = role_arn_pattern(value)
        if pattern is None:
            status = MatchStatus.INVALID if isinstance(value, str) else MatchStatus.UNKNOWN
            return RoleMatch(status, (), annotation)
        status, role_ids = self.role_index.find(pattern, self.scopes_of(sa), self.units_of(sa))
        return RoleMatch(status, role_ids, annotation)

    def roles_for_arn(self, value: object, near: Scoped) -> list[IamRole]:
        """The scanned role an ARN written near `near` names, when that is certain."""
        if isinstance(value, RoleRef):
            role = self.roles.get(value.role_id)
            return [role] if role is not None and value.attribute == "arn" else []
        if isinstance(value, RoleName):
            pattern = lookup_pattern(value) if value.attribute == "arn" else None
        elif isinstance(value, (str, Partial)):
            pattern = role_arn_pattern(value)
        else:
            return []
        if pattern is None:
            return []
        status, role_ids = self.role_index.find(pattern, self.scopes_of(near), self.units_of(near))
        return [self.roles[r] for r in role_ids] if status is MatchStatus.MATCHED else []

    def roles_correlated_with(self, record: Scoped) -> list[IamRole]:
        """The scanned roles in the scope(s) of `record`, sorted by id."""
        return sorted(self._correlated_with(self._role_list, record), key=lambda r: r.id)

    def service_accounts_correlated_with(self, record: Scoped) -> list[ServiceAccount]:
        return self._correlated_with(self.service_accounts, record)

    def may_use(self, sa: ServiceAccount, role: IamRole) -> bool:
        """Could this ServiceAccount's role-arn name this role, though it could not be linked?"""
        match = self.sa_matches[sa.id]
        if match.status is not MatchStatus.UNKNOWN or match.annotation is None:
            return False
        value = match.annotation.value
        pattern = role_arn_pattern(value) if isinstance(value, (str, Partial)) else None
        return self.role_index.could_be(role, pattern)

    def irsa_service_accounts(self) -> Iterator[ServiceAccount]:
        """ServiceAccounts that carry a role-arn annotation."""
        for sa in self.service_accounts:
            if self.sa_matches[sa.id].status is not MatchStatus.NONE:
                yield sa

    @cached_property
    def graph(self) -> Any:
        """The links as a frozen networkx DiGraph: every record a node (its record under "data"),
        every link an edge (its Edge under "kind"). Built on first use, from the same records and
        edges the checks read."""
        import networkx as nx

        graph = nx.DiGraph()
        # Bulk inserts: one networkx call per kind instead of one per node (4x faster on 10k nodes).
        graph.add_nodes_from((record_id, {"data": record}) for record_id, record in self._records.items())
        graph.add_edges_from((source, target, {"kind": kind}) for source, target, kind in self.edges)
        return nx.freeze(graph)

    def workloads_of(self, sa: ServiceAccount) -> list[Workload]:
        return [self._records[w] for w in sorted(self._predecessors.get(sa.id, ()))]

    def service_accounts_of_role(self, role_id: str) -> list[ServiceAccount]:
        return [self._records[s] for s in sorted(self._predecessors.get(role_id, ()))
                if isinstance(self._records[s], ServiceAccount)]

    def service_account_named(self, namespace: Str, name: Str) -> list[ServiceAccount]:
        """Every scanned ServiceAccount of that namespace and name, in any scope."""
        if not isinstance(namespace, str) or not isinstance(name, str):
            return []
        return list(self._sa_by_name.get((namespace, name), []))

    def service_accounts_of_workload(self, workload: Workload) -> list[ServiceAccount]:
        """The ServiceAccount a workload runs as: same namespace and name, in a correlated scope;
        one rendered by the same kustomization wins over the others."""
        found = [sa for sa in self.service_account_named(workload.namespace, workload.service_account)
                 if self.correlated(sa, workload)]
        same_unit = [sa for sa in found if set(self.units_of(sa)) & set(self.units_of(workload))]
        return same_unit or found

    # --- role -> policies -----------------------------------------------------------------------

    def _resolve_role(self, target: RoleTarget, near: Location) -> list[str]:
        """The role an attachment names: a reference, a lookup by name, or a name (`role = "x"`)."""
        if isinstance(target, RoleRef):
            return [target.role_id] if target.role_id in self.roles else []
        if isinstance(target, RoleName):
            return [r.id for r in self.roles_for_arn(RoleName(target.name, "arn"), near)]
        if not isinstance(target, str):
            return []
        candidates = [r for r in self.role_index.named(target) if self.correlated(r, near)]
        same_dir = [r.id for r in candidates if posixpath.dirname(r.loc.path) == posixpath.dirname(near.path)]
        return same_dir or [r.id for r in candidates]

    def _attach(self, role_id: str, policy: Value, via: Location) -> None:
        self.role_attachments[role_id].append(policy)
        value: Any = policy.value
        if isinstance(value, PolicyRef):
            managed = self.policies.get(value.policy_id)
            if managed is not None:
                self._attached_policy_ids[role_id].add(managed.id)
                if managed.document is not None:
                    self.role_documents[role_id].append(AttachedDocument(managed.document, via))
            return
        if aws_managed_policy_name(value) is not None:  # also with a partition placeholder
            self.role_managed_arns[role_id].append(policy)
            return
        if isinstance(value, str):
            # an account dump's own policy by its ARN; code policies by name (their ARNs are not
            # known), then a dumped policy of that ARN: what the account holds when the code has none
            dumped = self._dumped_policies.get(value.strip())
            name = value.rsplit("/", 1)[-1]
            customer = [] if dumped is not None and dumped.loc.path == via.path else [
                p for p in self.policies.values() if p.arn is None and p.name == name and self.correlated(p.loc, via)]
            customer = customer or ([dumped] if dumped is not None else [])
            if customer:
                for managed in customer:
                    self._attached_policy_ids[role_id].add(managed.id)
                    if managed.document is not None:
                        self.role_documents[role_id].append(AttachedDocument(managed.document, via))
                return
            self.role_managed_arns[role_id].append(policy)

    def _attach_policies(self) -> None:
        self._attached_policy_ids: dict[str, set[str]] = defaultdict(set)
        self._dumped_policies: dict[str, ManagedPolicy] = {}
        for policy in sorted(self.policies.values(), key=lambda p: p.id):
            if policy.arn:
                self._dumped_policies.setdefault(policy.arn, policy)
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

    def is_pod_identity_role(self, role: IamRole) -> bool:
        """A role an association names, or whose trust names the Pod Identity Agent."""
        if self._association_role_ids is None:
            self._association_role_ids = {
                r.id for a in self.project.terraform.associations for r in self.roles_for_arn(a.role, a)
            }
        if role.id in self._association_role_ids:
            return True
        return role.trust is not None and any(trusts_pod_identity(s) for s in role.trust.statements)

    def pod_roles(self) -> Iterator[tuple[IamRole, str]]:
        """The roles pods assume, each with how: "IRSA" or "Pod Identity" (IRSA when both)."""
        for role_id in sorted(self.roles):
            role = self.roles[role_id]
            if self.is_irsa_role(role):
                yield role, "IRSA"
            elif self.is_pod_identity_role(role):
                yield role, "Pod Identity"


def lookup_pattern(lookup: RoleName) -> RoleArnPattern:
    """The ARN of a role found by name: partition, account and path are those of the role."""
    return RoleArnPattern(None, None, None, lookup.name)


def terraform_directory(record_id: str) -> str | None:
    """`tf:module.x@envs/dev` (and its renderings) -> `envs/dev`; None for other records."""
    if not record_id.startswith("tf:") or "@" not in record_id:
        return None
    directory = record_id.rsplit("@", 1)[1].split("#", 1)[0].split("~", 1)[0].split("^", 1)[0]
    return "" if directory == "." else directory


def terraform_instance_root(record_id: str) -> str | None:
    """`tf:aws_iam_role.x@modules/app#envs/dev:module.app` -> `envs/dev`: the root module that
    deploys this instance of a local child module; None for other records."""
    if not record_id.startswith("tf:") or "#" not in record_id:
        return None
    root = record_id.split("#", 1)[1].split(":", 1)[0]
    return "" if root == "." else root


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


def trusts_pod_identity(statement: Statement) -> bool:
    """An Allow naming the Pod Identity Agent (pods.eks.amazonaws.com) as a Service principal."""
    return statement.effect == "Allow" and admits_pod_identity(statement) is True


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
