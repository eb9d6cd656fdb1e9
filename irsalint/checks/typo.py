"""IRSA001's fix for a one-edit typo between a ServiceAccount and the trust subject of its role.

The side to edit is the one whose value nothing else in the repository uses, while the other
side's value is used elsewhere: the namespace of other ServiceAccounts, workloads, objects, trust
subjects or Pod Identity associations; the name of workloads' `serviceAccountName`, of other
trust subjects or associations. When both or neither side is used elsewhere, there is no fix:
the repository does not say which one is wrong. Either edit changes who may assume the role or
where the ServiceAccount lives: unsafe."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from irsalint.fix.intents import FixIntent, SetString
from irsalint.fix.model import UNSAFE
from irsalint.graph import IrsaGraph
from irsalint.iam import (
    SA_SUBJECT_PREFIX,
    has_wildcard,
    is_positive_string_operator,
    sub_conditions,
    web_identity_statements,
)
from irsalint.model import IamRole, Location, ServiceAccount, Str, Value
from irsalint.record import record
from irsalint.suggest import one_edit_apart


def typo_fix(graph: IrsaGraph, sa: ServiceAccount, role: IamRole) -> FixIntent | None:
    if role.trust is None or not isinstance(sa.namespace, str) or not isinstance(sa.name, str):
        return None
    subject = f"{SA_SUBJECT_PREFIX}{sa.namespace}:{sa.name}"
    values = [v for v in _subject_values(role, admitting=True) if isinstance(v.value, str)]
    near = sorted({v.value for v in values if isinstance(v.value, str) and _one_edit(v.value, subject)})
    if len(near) != 1:
        return None
    admitted = near[0]
    namespace, _, name = admitted[len(SA_SUBJECT_PREFIX) :].partition(":")
    part = "namespace" if namespace != sa.namespace else "name"
    trust_sites = [v for v in values if v.value == admitted]
    exclude = {sa.name_loc, *(v.loc for v in trust_sites)}
    trust_used = _used(graph, part, namespace, name, exclude)
    sa_used = _used(graph, part, sa.namespace, sa.name, exclude)
    if trust_used and not sa_used:
        return _fix_service_account(sa, part, namespace if part == "namespace" else name)
    if sa_used and not trust_used:
        message = f'Admit "{subject}" in the trust of role {role.address} instead of "{admitted}"'
        changes = tuple(SetString(v.loc, admitted, subject, tail=True) for v in trust_sites)
        return FixIntent(message, UNSAFE, changes)
    return None


def _one_edit(admitted: str, subject: str) -> bool:
    """A subject that differs from the ServiceAccount's in one character of its namespace or name."""
    if has_wildcard(admitted) or not admitted.startswith(SA_SUBJECT_PREFIX):
        return False
    namespace, _, name = admitted[len(SA_SUBJECT_PREFIX) :].partition(":")
    want_namespace, _, want_name = subject[len(SA_SUBJECT_PREFIX) :].partition(":")
    if name == want_name and namespace != want_namespace:
        return one_edit_apart(namespace, want_namespace)
    return namespace == want_namespace and name != want_name and one_edit_apart(name, want_name)


def _fix_service_account(sa: ServiceAccount, part: str, value: str) -> FixIntent | None:
    """The ServiceAccount's own `metadata.namespace` or `metadata.name` (manifests and Terraform
    `kubernetes_service_account`); not a namespace that a kustomization sets."""
    if sa.related or sa.rendering or sa.origin not in ("manifest", "terraform"):
        return None
    old = sa.namespace if part == "namespace" else sa.name
    if not isinstance(old, str):
        return None
    message = f'Change the {part} of ServiceAccount {sa.name if part == "namespace" else old} to "{value}"'
    sibling = "namespace" if part == "namespace" else None
    return FixIntent(message, UNSAFE, (SetString(sa.name_loc, old, value, sibling=sibling),))


def _subject_values(role: IamRole, admitting: bool = False) -> Iterator[Value]:
    """The `:sub` values of a trust; `admitting`: only those of positive operators (the subjects
    it admits, not those a StringNotEquals excludes)."""
    if role.trust is None:
        return
    for statement in web_identity_statements(role.trust):
        for condition in sub_conditions(statement):
            if not admitting or is_positive_string_operator(condition.operator):
                yield from condition.values.values


def _used(graph: IrsaGraph, part: str, namespace: str, name: str, exclude: set[Location]) -> bool:
    """Whether something other than the pair itself uses this namespace (or this name in it)."""
    uses = graph.derived("typo_uses", lambda: _Uses.of(graph))
    if part == "namespace":
        if any(loc not in exclude for loc in uses.namespace_places.get(namespace, ())):
            return True
        if namespace in uses.association_namespaces:
            return True
        return any(loc not in exclude for loc in uses.subject_namespaces.get(namespace, ()))
    if (namespace, name) in uses.workload_accounts or (namespace, name) in uses.association_accounts:
        return True
    if any(loc not in exclude for loc in uses.service_accounts.get((namespace, name), ())):
        return True
    return any(loc not in exclude for loc in uses.subjects.get(f"{SA_SUBJECT_PREFIX}{namespace}:{name}", ()))


@record
class _Uses:
    """Who uses which namespace and ServiceAccount name, indexed once per run (a repository with
    hundreds of typo findings would otherwise scan every record for each)."""

    namespace_places: dict[str, list[Location]]  # ServiceAccounts, workloads, annotated objects
    association_namespaces: frozenset[Str]
    subject_namespaces: dict[str, list[Location]]  # trust `:sub` values naming the namespace
    workload_accounts: frozenset[tuple[Str, Str]]
    association_accounts: frozenset[tuple[Str, Str]]
    service_accounts: dict[tuple[Str, Str], list[Location]]
    subjects: dict[str, list[Location]]

    @classmethod
    def of(cls, graph: IrsaGraph) -> _Uses:
        project = graph.project
        namespace_places: dict[str, list[Location]] = defaultdict(list)
        places = [(s.namespace, s.name_loc) for s in graph.service_accounts]
        places += [(w.namespace, w.name_loc) for w in graph.workloads]
        places += [(o.namespace, o.name_loc) for o in project.objects]
        for namespace, loc in places:
            if isinstance(namespace, str):
                namespace_places[namespace].append(loc)
        service_accounts: dict[tuple[Str, Str], list[Location]] = defaultdict(list)
        for sa in graph.service_accounts:
            service_accounts[(sa.namespace, sa.name)].append(sa.name_loc)
        subjects: dict[str, list[Location]] = defaultdict(list)
        subject_namespaces: dict[str, list[Location]] = defaultdict(list)
        for role in graph.roles.values():
            for value in _subject_values(role):
                if isinstance(value.value, str):
                    subjects[value.value].append(value.loc)
                    namespace, colon, _ = value.value.removeprefix(SA_SUBJECT_PREFIX).partition(":")
                    if value.value.startswith(SA_SUBJECT_PREFIX) and colon:
                        subject_namespaces[namespace].append(value.loc)
        associations = project.terraform.associations
        return cls(
            namespace_places=namespace_places,
            association_namespaces=frozenset(a.namespace for a in associations),
            subject_namespaces=subject_namespaces,
            workload_accounts=frozenset((w.namespace, w.service_account) for w in graph.workloads),
            association_accounts=frozenset((a.namespace, a.service_account) for a in associations),
            service_accounts=service_accounts,
            subjects=subjects,
        )
