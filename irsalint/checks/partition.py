"""IRSA024: ARNs of one IRSA chain in different AWS partitions (`arn:aws:` hard-coded next to a
GovCloud or China cluster). The chain's partition comes from the cluster's OIDC issuer region
(`oidc.eks.us-gov-west-1.amazonaws.com` -> aws-us-gov), else from its provider ARN; every ARN
with a literal partition is compared with it: the provider ARN itself, the ServiceAccounts'
role-arn annotations, the resources of the role's policies and its managed policy ARNs. A
partition that is a placeholder (`${data.aws_partition.current.partition}`, `${AWS::Partition}`)
or unknown is a wildcard: it never mismatches."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from irsalint.checks.base import Hit, entity_of, rendering_of
from irsalint.checks.issuer_keys import EKS_HOST_RE
from irsalint.checks.labels import plural, quoted, role_label, sa_label
from irsalint.graph import IrsaGraph, MatchStatus, is_eks_web_identity
from irsalint.iam import oidc_issuer_of_provider_arn
from irsalint.model import IamRole, Partial, Statement, Value
from irsalint.placeholders import has_placeholder
from irsalint.record import record

_PARTITION_RE = re.compile(r"aws(?:-[a-z]+)*\Z")
# region prefix -> partition (the pod identity webhook's own table, main.go, plus aws-iso-e/f)
_REGION_PARTITIONS = (
    ("cn-", "aws-cn"),
    ("us-gov-", "aws-us-gov"),
    ("us-isob-", "aws-iso-b"),
    ("us-iso-", "aws-iso"),
    ("eu-isoe-", "aws-iso-e"),
    ("us-isof-", "aws-iso-f"),
)
PARTITION_FIX = "arn:${data.aws_partition.current.partition}:"


def region_partition(region: str) -> str:
    for prefix, partition in _REGION_PARTITIONS:
        if region.startswith(prefix):
            return partition
    return "aws"


def issuer_region(issuer: str) -> str | None:
    """The region of an EKS issuer (`oidc.eks.<region>.amazonaws.com/id/...`), else None."""
    host = issuer.split("/", 1)[0]
    match = EKS_HOST_RE.fullmatch(host)
    return match.group(1).lower() if match else None


def arn_partition(value: object) -> str | None:
    """The partition an ARN is written with; None when it is not an ARN or the partition is a
    placeholder, unknown or not a partition name."""
    if isinstance(value, Partial):
        value = value.pieces[0]  # the literal text before the first hole
    if not isinstance(value, str) or not value.startswith("arn:"):
        return None
    head = value.split(":", 2)
    if len(head) < 3:
        return None
    partition = head[1]
    if has_placeholder(partition) or not _PARTITION_RE.match(partition):
        return None
    return partition


def mismatch(partition: str | None, expected: str | None) -> bool:
    """Two known partitions that differ; an unknown one matches anything."""
    return partition is not None and expected is not None and partition != expected


@record
class ChainPartition:
    partition: str
    evidence: str  # "an issuer in us-gov-west-1", "an OIDC provider ARN of aws-cn"


def chain_partition(statements: Sequence[Statement]) -> ChainPartition | None:
    """The partition of the cluster(s) a role trusts, when the evidence agrees."""
    regions: dict[str, str] = {}  # partition -> a region
    providers: set[str] = set()
    for statement in statements:
        for issuer in _issuers(statement):
            region = issuer_region(issuer)
            if region is not None:
                regions.setdefault(region_partition(region), region)
        for value in _federated(statement):
            partition = arn_partition(value.value)
            if partition is not None:
                providers.add(partition)
    if len(regions) == 1:
        partition, region = next(iter(regions.items()))
        return ChainPartition(partition, f"an issuer in {region}")
    if not regions and len(providers) == 1:
        partition = next(iter(providers))
        return ChainPartition(partition, f"an OIDC provider ARN of {partition}")
    return None


def _federated(statement: Statement) -> Iterator[Value]:
    for principal in statement.principals:
        if principal.type == "Federated":
            yield from principal.values.values


def _issuers(statement: Statement) -> Iterator[str]:
    for value in _federated(statement):
        if isinstance(value.value, str):
            issuer = oidc_issuer_of_provider_arn(value.value)
            if issuer is not None:
                yield issuer
    for condition in statement.conditions:
        if isinstance(condition.issuer, str):
            yield condition.issuer


# --- the check -------------------------------------------------------------------------------------


def partition_mismatch(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    for role_id in sorted(graph.roles):
        role = graph.roles[role_id]
        if role.trust is None:
            continue
        statements = [s for s in role.trust.statements if is_eks_web_identity(s)]
        chain = chain_partition(statements)
        if chain is None:
            continue
        yield from _providers(role, statements, chain)
        yield from _annotations(graph, role, chain)
        yield from _policy_resources(graph, role, chain)
        yield from _managed_policies(graph, role, chain)


def _fix(value: str, partition: str) -> str:
    return f"arn:{partition}:" + value.split(":", 2)[2] if value.count(":") >= 2 else value


def _providers(role: IamRole, statements: Sequence[Statement], chain: ChainPartition) -> Iterator[Hit]:
    for statement in statements:
        for value in _federated(statement):
            partition = arn_partition(value.value)
            if not mismatch(partition, chain.partition) or not isinstance(value.value, str):
                continue
            yield Hit(
                f"The OIDC provider ARN trusted by role {role_label(role)} is written for partition {partition}, "
                f"but the role is in {chain.partition}. It trusts {chain.evidence}: the principal names no provider "
                f"there, so its pods get AccessDenied. Build the ARN with {PARTITION_FIX}… (data.aws_partition).",
                value.loc,
                f"Role {role.address} provider {partition}",
                (("the role", role.loc),) if role.loc != value.loc else (),
            )


def _annotations(graph: IrsaGraph, role: IamRole, chain: ChainPartition) -> Iterator[Hit]:
    for sa in graph.service_accounts_of_role(role.id):
        match = graph.sa_matches[sa.id]
        annotation = match.annotation
        if match.status is not MatchStatus.MATCHED or annotation is None:
            continue
        partition = arn_partition(annotation.value)
        if not mismatch(partition, chain.partition):
            continue
        written = annotation.value if isinstance(annotation.value, str) else str(annotation.value)
        yield Hit(
            f"The role-arn of ServiceAccount {sa_label(sa)} is written for partition {partition}, but its role is "
            f"in {chain.partition}. Role {role_label(role)} trusts {chain.evidence}: STS rejects the ARN, so its "
            f"pods get AccessDenied. Write {quoted(_fix(written, chain.partition), 100)}.",
            annotation.loc,
            entity_of(sa),
            (("the role's trust", role.trust_loc),),
            rendering=rendering_of(sa),
        )


def _policy_resources(graph: IrsaGraph, role: IamRole, chain: ChainPartition) -> Iterator[Hit]:
    for attached in graph.documents_of(role.id):
        for statement in attached.document.statements:
            values = [
                v
                for values in (statement.resources, statement.not_resources)
                if values is not None
                for v in values.values
                if mismatch(arn_partition(v.value), chain.partition)
            ]
            if not values:
                continue
            first = values[0]
            partition = arn_partition(first.value)
            yield Hit(
                f"A policy of role {role_label(role)} names {plural(len(values), 'resource ARN')} of partition "
                f"{partition}, but the role is in {chain.partition}. It trusts {chain.evidence}: "
                f"{'it matches' if len(values) == 1 else 'they match'} nothing there. Build "
                f"{'it' if len(values) == 1 else 'them'} with {PARTITION_FIX}… (data.aws_partition).",
                first.loc,
                f"ARN {first.value}",
                (("the role", role.loc),) + tuple(("another ARN", v.loc) for v in values[1:3] if v.loc != first.loc),
            )


def _managed_policies(graph: IrsaGraph, role: IamRole, chain: ChainPartition) -> Iterator[Hit]:
    seen: set[tuple[str, int, int]] = set()
    for value in (*role.managed_policy_arns, *graph.role_managed_arns.get(role.id, ())):
        key = (value.loc.path, value.loc.line, value.loc.col)
        partition = arn_partition(value.value)
        if key in seen or not mismatch(partition, chain.partition) or not isinstance(value.value, str):
            continue
        seen.add(key)
        yield Hit(
            f"Role {role_label(role)} attaches a managed policy of partition {partition}, but the role is in "
            f"{chain.partition}. It trusts {chain.evidence}: {quoted(value.value, 80)} does not exist there. Write "
            f"{PARTITION_FIX}{value.value.split(':', 2)[2]}.",
            value.loc,
            f"Role {role.address} policy {value.value}",
            (("the role", role.loc),) if role.loc != value.loc else (),
        )
