"""AWS account dumps joined with the repository's roles (project stage; docs/design.md, "Live
dumps: AWS").

A dump's role whose ARN a code role (Terraform, a plan, CloudFormation, eksctl) also has is the
*twin* of that role: the code role is the one every rule judges, the dump copy only feeds IRSA020
(role drift), so one defect is reported once, where it is fixed. A dump role no code role
describes joins the scanned roles: annotations naming it link to it (no IRSA007), and the rules
judge it where the dump holds it.

Same ARN means same name (a code `name_prefix` fits a dump name starting with it, when that pairs
one role with one role), same path (an unknown code path fits) and the same account where the code
role's is known (declared, or the account of the OIDC provider it trusts). A partly known code name
(`${var.env}-api`) pairs with nothing: which role it is cannot be told."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from irsalint.load.aws_dump import AwsDumpFile, DumpRole
from irsalint.model import IamRole, InlinePolicy
from irsalint.record import record, replace
from irsalint.role_index import role_account
from irsalint.sources.terraform import TerraformFacts


@record
class Twin:
    dump: DumpRole
    code_role_ids: tuple[str, ...]  # several: the dump cannot say which one it is (no drift reported)


@record
class LiveFacts:
    twins: tuple[Twin, ...] = ()
    # (account, dump path) for dumps that list every role of their account
    listed_accounts: tuple[tuple[str, str], ...] = ()
    dump_paths: frozenset[str] = frozenset()  # never edited by --fix: the account is not changed by them

    def listing(self, account: str) -> str | None:
        """The dump that lists every role of `account`, if one was scanned."""
        return next((path for listed, path in self.listed_accounts if listed == account), None)


def join_dumps(facts: TerraformFacts, dumps: Sequence[AwsDumpFile]) -> tuple[TerraformFacts, LiveFacts]:
    if not dumps:
        return facts, LiveFacts()
    dump_roles = _unique(dumps)
    dump_roles, inline = _with_inline_policies(dump_roles, [p for d in dumps for p in d.inline_policies])
    twins = _twins(facts.roles, dump_roles)
    shadowed = {twin.dump.role.id for twin in twins}
    listed = sorted({(str(r.role.account), d.path) for d in dumps if d.lists_every_role for r in d.roles
                     if isinstance(r.role.account, str)})
    facts = replace(
        facts,
        roles=facts.roles + tuple(r.role for r in dump_roles if r.role.id not in shadowed),
        policies=facts.policies + tuple(p for d in dumps for p in d.policies),
        inline_policies=facts.inline_policies + tuple(inline),
    )
    return facts, LiveFacts(tuple(twins), tuple(listed), frozenset(d.path for d in dumps))


def _unique(dumps: Sequence[AwsDumpFile]) -> list[DumpRole]:
    """One record per ARN: the same role in an account dump and a get-role output is one role (the
    copy that lists its policies wins, then the first file)."""
    chosen: dict[str, DumpRole] = {}
    for dump in sorted(dumps, key=lambda d: d.path):
        for role in dump.roles:
            key = role.arn or role.role.id
            if key not in chosen or (role.policies_listed and not chosen[key].policies_listed):
                chosen[key] = role
    return sorted(chosen.values(), key=lambda r: r.role.id)


def _with_inline_policies(
    roles: list[DumpRole], inline: list[InlinePolicy]
) -> tuple[list[DumpRole], list[InlinePolicy]]:
    """`get-role-policy` outputs join the one dumped role of that name; otherwise they name a role
    like a Terraform `aws_iam_role_policy` with a literal `role` does."""
    by_name: dict[str, list[int]] = defaultdict(list)
    for index, role in enumerate(roles):
        if isinstance(role.role.name, str):
            by_name[role.role.name].append(index)
    left: list[InlinePolicy] = []
    for policy in inline:
        indexes = by_name.get(policy.role, []) if isinstance(policy.role, str) else []
        if len(indexes) != 1 or policy.document is None:
            left.append(policy)
            continue
        dumped = roles[indexes[0]]
        merged = replace(dumped.role, inline_policies=dumped.role.inline_policies + (policy.document,))
        roles[indexes[0]] = replace(dumped, role=merged)
    return roles, left


def _twins(code_roles: Sequence[IamRole], dump_roles: Sequence[DumpRole]) -> list[Twin]:
    exact: dict[str, list[IamRole]] = defaultdict(list)
    prefixes: dict[str, list[IamRole]] = defaultdict(list)
    for role in code_roles:
        if isinstance(role.name, str):
            (prefixes if role.name_is_prefix else exact)[role.name].append(role)
    twins: list[Twin] = []
    by_prefix: dict[str, list[DumpRole]] = defaultdict(list)  # prefix role id -> dump roles it fits
    prefix_fits: dict[str, list[IamRole]] = {}  # dump role id -> prefix roles that fit it
    for dump in dump_roles:
        name = dump.role.name
        if not isinstance(name, str):
            continue
        found = [r for r in exact.get(name, []) if _same_place(r, dump.role)]
        if found:
            twins.append(Twin(dump, tuple(sorted(r.id for r in found))))
            continue
        # every prefix of the name (at most 64 characters), not every prefix role (v6 modules' default)
        fits = [r for end in range(1, len(name) + 1) for r in prefixes.get(name[:end], ())
                if _same_place(r, dump.role)]
        prefix_fits[dump.role.id] = fits
        for role in fits:
            by_prefix[role.id].append(dump)
    for dump in dump_roles:
        fits = prefix_fits.get(dump.role.id, [])
        if len(fits) == 1 and len(by_prefix[fits[0].id]) == 1:
            twins.append(Twin(dump, (fits[0].id,)))
    return sorted(twins, key=lambda t: t.dump.role.id)


def _same_place(code: IamRole, dumped: IamRole) -> bool:
    """Path and account: equal where the code states them."""
    if isinstance(code.path, str) and _normalize(code.path) != _normalize(str(dumped.path)):
        return False
    account = role_account(code)
    return account is None or account == dumped.account


def _normalize(path: str) -> str:
    return "/" + path.strip("/") + "/" if path.strip("/") else "/"
