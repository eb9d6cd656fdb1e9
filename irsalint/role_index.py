"""Which scanned role does a role ARN name? (SPEC §3.3, §3.5)

An ARN names a role by name and path, in an account. Any part may be a placeholder: an unknown
partition or account is a wildcard for that part, never a mismatch; a partly known name
(`${CLUSTER_NAME}-irsa-kuard`) fits the roles whose names could be the same string. Only roles in
a scope correlated with the annotation's are candidates. The answer is a role only when it is
clear: several fitting roles are narrowed by account, then scope depth, then directory names
shared with the annotation's path; still several -> unknown, never a guess.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from enum import Enum

from irsalint.iam import RoleArnPattern, oidc_issuer_of_provider_arn
from irsalint.model import IamRole, Name, Partial
from irsalint.partial import could_equal, literal_length, make_partial, matches
from irsalint.scopes import compatible

# A partly known name links only when at least this many letters and digits of it are known:
# "${var.env}-app" says too little to pick a role.
MIN_LITERAL = 4


class MatchStatus(str, Enum):
    MATCHED = "matched"  # one scanned role (or several that are certainly all of them) matches
    ABSENT = "absent"  # a valid ARN that names no scanned role
    UNKNOWN = "unknown"  # cannot tell (placeholders, roles with unknown names, ambiguous)
    INVALID = "invalid"  # not a well-formed role ARN (IRSA011)
    NONE = "none"  # no role-arn annotation


def role_account(role: IamRole) -> str | None:
    """The role's account: as declared, else the account of the OIDC provider its trust names
    (an IAM role can only trust a provider of its own account)."""
    if isinstance(role.account, str):
        return role.account
    found: set[str] = set()
    for statement in role.trust.statements if role.trust is not None else ():
        for principal in statement.principals:
            if principal.type != "Federated":
                continue
            for text in principal.values.texts():
                if isinstance(text, str) and oidc_issuer_of_provider_arn(text) is not None:
                    account = text.split(":", 5)[4]
                    if account.isdigit() and len(account) == 12:
                        found.add(account)
    return found.pop() if len(found) == 1 else None


class RoleIndex:
    def __init__(self, roles: Sequence[IamRole], scopes: Mapping[str, frozenset[str]]) -> None:
        self.scopes = scopes  # role id -> its scope directories
        self._by_name: dict[str, list[IamRole]] = defaultdict(list)
        self._inexact: list[IamRole] = []  # prefixes, partial and unknown names: checked one by one
        self._accounts = {role.id: role_account(role) for role in roles}
        for role in roles:
            if isinstance(role.name, str) and not role.name_is_prefix:
                self._by_name[role.name].append(role)
            else:
                self._inexact.append(role)

    def named(self, name: str) -> list[IamRole]:
        return list(self._by_name.get(name, ()))

    def find(
        self, pattern: RoleArnPattern, scopes: frozenset[str], units: Sequence[str]
    ) -> tuple[MatchStatus, tuple[str, ...]]:
        """(status, role ids) for an ARN written in `units` (whose scopes are `scopes`)."""
        certain: list[IamRole] = []  # name, path and account agree
        possible: list[IamRole] = []  # the names could be the same string
        maybe = False  # a role whose name we cannot read could be it
        for role in self._candidates(pattern):
            if not any(compatible(a, b) for a in self.scopes.get(role.id, ()) for b in scopes):
                continue
            parts = self._parts_fit(role, pattern)
            if parts is False:
                continue
            name = _name_fit(role.name, role.name_is_prefix, pattern.name)
            if name is None:
                maybe = True
            elif name == "certain" and parts is True:
                certain.append(role)
            elif name == "certain":
                maybe = True  # the name matches, the path is unknown
            elif name == "possible":
                possible.append(role)
        if certain:
            chosen = self._narrow(certain, pattern, units)
            if len(chosen) == 1 or not self._separable(chosen):
                return MatchStatus.MATCHED, tuple(sorted(r.id for r in chosen))
            return MatchStatus.UNKNOWN, ()
        if possible:
            chosen = self._narrow(possible, pattern, units)
            if len(chosen) == 1:
                return MatchStatus.MATCHED, (chosen[0].id,)
            return MatchStatus.UNKNOWN, ()
        if maybe or not pattern.exact:
            return MatchStatus.UNKNOWN, ()
        return MatchStatus.ABSENT, ()

    def could_be(self, role: IamRole, pattern: RoleArnPattern | None) -> bool:
        """Could an ARN of this pattern (None: nothing of it is known) name this role?"""
        if pattern is None:
            return True
        if self._parts_fit(role, pattern) is False:
            return False
        return _name_fit(role.name, role.name_is_prefix, pattern.name) != ""

    def _candidates(self, pattern: RoleArnPattern) -> Iterable[IamRole]:
        if isinstance(pattern.name, str):
            yield from self._by_name.get(pattern.name, ())
        else:
            for roles in self._by_name.values():
                yield from roles
        yield from self._inexact

    def _parts_fit(self, role: IamRole, pattern: RoleArnPattern) -> bool | None:
        """Account and path: False when known on both sides and different; None when the role's
        path is unknown; True otherwise."""
        account = self._accounts.get(role.id)
        if account is not None and pattern.account is not None and account != pattern.account:
            return False
        if not isinstance(role.path, str):
            return None
        if pattern.path is not None and _normalize_path(role.path) != pattern.path:
            return False
        return True

    def _narrow(self, roles: list[IamRole], pattern: RoleArnPattern, units: Sequence[str]) -> list[IamRole]:
        """Several fitting roles: the one in the annotation's account, then the one whose
        directory shares the most names with the annotation's (`envs/dev`, `overlays/dev`)."""
        if pattern.account is not None:
            same = [r for r in roles if self._accounts.get(r.id) == pattern.account]
            roles = same or roles
        if len(roles) > 1:
            scores = {r.id: max(_affinity(posixpath.dirname(r.loc.path), u) for u in units) for r in roles}
            best = max(scores.values())
            if best > 0 and sum(1 for v in scores.values() if v == best) == 1:
                roles = [r for r in roles if scores[r.id] == best]
        return roles

    def _separable(self, roles: list[IamRole]) -> bool:
        """Several certain matches that are really different roles (different scopes or files),
        as opposed to one role read twice (e.g. a child module and its copy)."""
        return len({r.loc.path for r in roles}) > 1


def _name_fit(name: Name, is_prefix: bool, wanted: str | Partial) -> str | None:
    """"certain" (the ARN names it), "possible" (partly known names that could be equal), ""
    (cannot be it), None (the role's name is unknown)."""
    if not isinstance(name, (str, Partial)):
        return None
    if isinstance(name, str) and isinstance(wanted, str):
        hit = wanted.startswith(name) if is_prefix else wanted == name
        return "certain" if hit else ""
    pattern = make_partial([name, ("*",)]) if is_prefix else name
    if pattern is None:
        return None
    for side in (pattern, wanted):
        if isinstance(side, Partial) and literal_length(side) < MIN_LITERAL:
            return None  # too little is known to say
    if isinstance(pattern, str):
        return "possible" if matches(wanted, pattern) else ""
    return "possible" if could_equal(pattern, wanted) else ""


def _normalize_path(path: str) -> str:
    if not path.startswith("/"):
        path = "/" + path
    if not path.endswith("/"):
        path += "/"
    return path


def _affinity(directory: str, unit: str) -> int:
    """How many directory names two paths share below their common ancestor (`envs/dev` and
    `k8s/overlays/dev` share "dev")."""
    left = directory.strip("/").split("/") if directory.strip("/") else []
    right = unit.strip("/").split("/") if unit.strip("/") else []
    common = 0
    while common < min(len(left), len(right)) and left[common] == right[common]:
        common += 1
    return len(set(left[common:]) & set(right[common:]))


__all__ = ["MatchStatus", "RoleIndex", "role_account"]
