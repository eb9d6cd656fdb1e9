"""Checks that compare what is defined with what is used: orphan and unknown roles, parse errors."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from fnmatch import fnmatchcase
from typing import Any

from irsalint.checks.base import Hit, entity_of, rendering_of
from irsalint.checks.labels import join_some, role_label, sa_label
from irsalint.graph import IrsaGraph, MatchStatus, is_eks_web_identity
from irsalint.iam import (
    admitted_subjects,
    parse_role_arn,
    service_account_claims,
    trust_admits,
    within_edits,
)
from irsalint.load.aws_dump import is_dump_role
from irsalint.model import IamRole, Location, RoleRef, ServiceAccount


def _used_elsewhere(graph: IrsaGraph, role: IamRole) -> bool:
    facts = graph.project.terraform
    if facts.role_uses.get(role.id):
        return True
    if any(isinstance(a.role, RoleRef) and a.role.role_id == role.id for a in facts.associations):
        return True
    if isinstance(role.name, str):
        for literal in facts.role_arn_literals:
            arn = parse_role_arn(literal.strip())
            names = [arn.name] if arn else [literal.rsplit(":role/", 1)[-1].rsplit("/", 1)[-1]]
            if any(n == role.name or (role.name_is_prefix and n.startswith(role.name)) for n in names):
                return True
        if any(a.role == role.name for a in facts.associations):
            return True
    return False


def _used_roles_by_unit(graph: IrsaGraph) -> dict[str, list[IamRole]]:
    """unit -> the roles defined there that a scanned ServiceAccount uses (built once: asking every
    role about every other role of its unit was quadratic, 3 minutes for 5,000 roles in one root)."""
    used: dict[str, list[IamRole]] = defaultdict(list)
    for role_id in sorted(graph.roles):
        if graph.service_accounts_of_role(role_id) and not is_dump_role(graph.roles[role_id]):
            for unit in graph.units_of(graph.roles[role_id]):
                used[unit].append(graph.roles[role_id])
    return used


def _siblings_are_used(graph: IrsaGraph, role: IamRole, used: Mapping[str, list[IamRole]]) -> bool:
    """Evidence that the users of this role's Terraform are in the scan: another role defined in
    the same unit (Terraform root module) is used by a scanned ServiceAccount. A role nobody uses
    is only an orphan if we can see the users of its neighbours."""
    return any(
        other.id != role.id and graph.correlated(other, role)
        for unit in graph.units_of(role)
        for other in used.get(unit, ())
    )


def _neighbours_are_linked(
    graph: IrsaGraph, sa: ServiceAccount, cache: dict[tuple[object, frozenset[str]], bool] | None = None
) -> bool:
    """Evidence that the roles of this ServiceAccount's manifests are in the scan: a ServiceAccount
    in the same part of the repository (same top directory) links to a scanned role. The same for
    every unlinked ServiceAccount of a place: `cache` keeps it."""
    top = frozenset(_top(u) for u in graph.units_of(sa))
    key = (graph.place_of(sa), top)
    if cache is not None and key in cache:
        return cache[key]
    linked = any(
        other.id != sa.id and graph.sa_matches[other.id].status is MatchStatus.MATCHED
        and top & {_top(u) for u in graph.units_of(other)}
        for other in graph.service_accounts_correlated_with(sa)
    )
    if cache is not None and graph.sa_matches[sa.id].status is not MatchStatus.MATCHED:
        cache[key] = linked  # an unlinked ServiceAccount is never its own evidence
    return linked


def _top(directory: str) -> str:
    return directory.strip("/").split("/", 1)[0]


def _admits_a_scanned_sa(graph: IrsaGraph, role: IamRole) -> bool:
    if role.trust is None:
        return True  # cannot tell: treat as used
    for sa in graph.service_accounts_correlated_with(role):
        if not isinstance(sa.namespace, str) or not isinstance(sa.name, str):
            return True  # a ServiceAccount we cannot name may be the one the trust admits
        if trust_admits(role.trust, service_account_claims(sa.namespace, sa.name)) is not False:
            return True
    return False


def orphan_role(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    external = tuple(params.get("external_roles", ()))
    if not graph.service_accounts:
        return  # nothing can use a role, and nothing shows its users were scanned
    used = _used_roles_by_unit(graph)
    for role_id in sorted(graph.roles):
        role = graph.roles[role_id]
        if is_dump_role(role):
            continue  # an account holds the roles of every repository: unused here is not unused
        if role.trust is None or not any(is_eks_web_identity(s) for s in role.trust.statements):
            continue
        if graph.service_accounts_of_role(role.id) or _used_elsewhere(graph, role):
            continue
        if isinstance(role.name, str) and any(fnmatchcase(role.name, g.rsplit("/", 1)[-1]) for g in external):
            continue
        accounts = graph.service_accounts_correlated_with(role)
        if not _siblings_are_used(graph, role, used):
            continue  # no evidence that the ServiceAccounts of this role's stack were scanned
        if any(graph.may_use(sa, role) for sa in accounts):
            continue  # an annotation we could not link may well name it
        if _admits_a_scanned_sa(graph, role):
            continue
        yield Hit(
            f"Role {role_label(role)} trusts an EKS OIDC provider, but no scanned ServiceAccount uses it or is "
            "admitted by its trust. Remove it, or annotate the ServiceAccount that should use it.",
            role.loc,
            f"Role {role.address}",
            (("its trust policy", role.trust_loc),) if role.trust_loc.line else (),
        )


def unknown_role(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    external = tuple(params.get("external_roles", ()))
    admitting = _SubjectIndex(graph.roles.values())
    candidates: dict[tuple[object, str | None], _Candidates] = {}
    linked_nearby: dict[tuple[object, frozenset[str]], bool] = {}
    for sa in graph.irsa_service_accounts():
        match = graph.sa_matches[sa.id]
        if match.status is not MatchStatus.ABSENT or match.annotation is None:
            continue
        arn = str(match.annotation.value)
        parsed = parse_role_arn(arn)
        # an account dump speaks for its own account only; one that lists every role of the
        # annotation's account is proof enough that the role does not exist
        account = parsed.account if parsed is not None else None
        found = candidates.get((graph.place_of(sa), account))
        if found is None:  # the same for every ServiceAccount of a place: computed once
            found = candidates[(graph.place_of(sa), account)] = _Candidates(
                [r for r in graph.roles_correlated_with(sa) if not is_dump_role(r) or r.account == account])
        scoped = found.roles
        listing = graph.project.live.listing(parsed.account) if parsed is not None else None
        if not scoped and listing is None:
            continue  # no Terraform of this ServiceAccount's stack was scanned
        if any(fnmatchcase(arn, pattern) for pattern in external):
            continue
        name = parsed.name if parsed else arn
        close = found.close_names(name)
        trusting = admitting.roles_admitting(scoped, sa)
        if not close and not trusting and listing is None and not _neighbours_are_linked(graph, sa, linked_nearby):
            continue  # nothing says this Terraform is where the role should be
        if trusting:
            hint = f" Role {role_label(trusting[0])} trusts this ServiceAccount: did you mean it?"
        else:
            hint = f' Did you mean "{close[0]}"?' if close else ""
        if listing is not None and parsed is not None:
            message = (f"Role {name}, named by ServiceAccount {sa_label(sa)}, does not exist in account "
                       f"{parsed.account}: the scanned account dump lists no such role.{hint} Create the role, "
                       "or name one that exists.")
            related: tuple[tuple[str, Location], ...] = (("the account dump", Location(listing, 1)),)
        else:
            message = (f"Role {name}, named by ServiceAccount {sa_label(sa)}, is not defined in the scanned "
                       f"Terraform.{hint} If it is managed elsewhere, list it under external_roles in .irsalint.yaml.")
            related = ()
        yield Hit(message, match.annotation.loc, entity_of(sa), related, rendering=rendering_of(sa))


class _Candidates:
    """The roles an unknown ServiceAccount's annotation may have meant, and their names near a
    given one. Names are looked up through their one- and two-character deletions once there are
    many of them: comparing every name with every annotation was quadratic."""

    _LINEAR = 64  # below this many names a plain scan is cheaper than the index

    def __init__(self, roles: list[IamRole]) -> None:
        self.roles = roles
        self.names = sorted({r.name for r in roles if isinstance(r.name, str)})
        self._index: dict[str, set[str]] | None = None

    def close_names(self, name: str) -> list[str]:
        """Known names within two edits of `name`, sorted."""
        if len(self.names) <= self._LINEAR:
            return [n for n in self.names if within_edits(n, name, 2)]
        if self._index is None:
            self._index = defaultdict(set)
            for known in self.names:
                for variant in _deletions(known):
                    self._index[variant].add(known)
        found: set[str] = set()
        for variant in _deletions(name):
            found.update(self._index.get(variant, ()))
        return sorted(n for n in found if within_edits(n, name, 2))


def _deletions(text: str) -> set[str]:
    """`text` with none, one or two characters removed: two strings within two edits share one."""
    once = {text[:i] + text[i + 1 :] for i in range(len(text))}
    twice = {variant[:i] + variant[i + 1 :] for variant in once for i in range(len(variant))}
    return {text} | once | twice


class _SubjectIndex:
    """Roles by the `:sub` values their trusts name, built once per run: asking every role about
    every unknown ServiceAccount was quadratic (an account dump of 5,000 roles with a cluster dump)."""

    def __init__(self, roles: Iterable[IamRole]) -> None:
        self.roles = roles
        self._by_subject: dict[str, list[IamRole]] | None = None  # built on the first question

    def roles_admitting(self, roles: list[IamRole], sa: ServiceAccount) -> list[IamRole]:
        """Those of `roles` whose trust certainly admits this ServiceAccount (exact subjects)."""
        if not isinstance(sa.namespace, str) or not isinstance(sa.name, str):
            return []
        if self._by_subject is None:
            self._by_subject = defaultdict(list)
            for role in self.roles:
                if role.trust is not None:
                    for subject in admitted_subjects(role.trust):
                        self._by_subject[subject].append(role)
        claims = service_account_claims(sa.namespace, sa.name)
        candidates = {role.id for role in self._by_subject.get(claims["sub"], ())}
        return [r for r in roles if r.id in candidates and r.trust is not None and trust_admits(r.trust, claims) is True]


def parse_error(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    for diagnostic in graph.project.diagnostics:
        message = diagnostic.message if diagnostic.message.endswith((".", ")")) else diagnostic.message + "."
        if diagnostic.level == "note":
            message += " It holds no IRSA content (role-arn, ServiceAccount, pod template, IAM), so this is a note."
        yield Hit(message, diagnostic.loc, f"File {diagnostic.loc.path}", level=diagnostic.level)


def shared_role(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    """IRSA015: one scanned role named by ServiceAccounts of more than one namespace."""
    users: dict[str, list[ServiceAccount]] = defaultdict(list)
    for sa in graph.irsa_service_accounts():
        match = graph.sa_matches[sa.id]
        if match.status is not MatchStatus.MATCHED or match.annotation is None:
            continue
        if not isinstance(sa.namespace, str) or not isinstance(sa.name, str):
            continue
        for role_id in match.role_ids:
            users[role_id].append(sa)
    for role_id in sorted(users):
        sas = sorted(users[role_id], key=lambda s: (str(s.namespace), str(s.name), s.name_loc))
        namespaces = sorted({str(s.namespace) for s in sas})
        if len(namespaces) < 2:
            continue
        role = graph.roles[role_id]
        first = sas[0]
        annotation = graph.sa_matches[first.id].annotation
        assert annotation is not None
        related: list[tuple[str, Location]] = []
        for other in sas[1:]:
            other_annotation = graph.sa_matches[other.id].annotation
            if other_annotation is not None:
                related.append((f"ServiceAccount {sa_label(other)}", other_annotation.loc))
        related.append((f"role {role_label(role)}", role.loc))
        yield Hit(
            f"Role {role_label(role)} is shared by ServiceAccounts of {len(namespaces)} namespaces: a compromise "
            f"of one exposes what all may do. The namespaces are {join_some(namespaces, 3)}: give each "
            "namespace's workload its own role.",
            annotation.loc,
            f"Role {role.address}",
            tuple(dict.fromkeys(related)),
        )
