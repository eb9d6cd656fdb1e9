"""IRSA028: pods on compute where their credentials cannot arrive. EKS Pod Identity works on Linux
EC2 nodes only: not on Fargate, not on Windows nodes. And for IRSA on Windows the pod identity
webhook writes the Windows token path only when the pod's nodeSelector says
`kubernetes.io/os: windows` (or the beta label); a node affinity is not read.

A ServiceAccount counts as "Pod Identity only" when an association names its namespace and name and
no scanned ServiceAccount of that namespace and name has a role-arn (annotation or the webhook's
ConfigMap): with both, IRSA018 reports the conflict."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from irsalint.checks.base import Hit, entity_of, rendering_of
from irsalint.checks.labels import namespaced, workload_label
from irsalint.graph import ROLE_ARN_ANNOTATION, IrsaGraph, MatchStatus
from irsalint.iam import string_like
from irsalint.load.webhook_config import ORIGIN as WEBHOOK_CONFIG
from irsalint.model import FargateProfile, FargateSelector, Location, PodIdentityAssociation, Workload

WINDOWS = "windows"


def unsupported_compute(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    associations = graph.project.terraform.associations
    profiles = graph.project.terraform.fargate_profiles
    pod_identity_only = [a for a in associations if _pod_identity_only(graph, a)]
    covered: set[tuple[str, str]] = set()  # (association, profile) reported as a whole namespace
    for association in pod_identity_only:
        for profile, selector in _namespace_wide(graph, association, profiles):
            covered.add((association.id, profile.id))
            yield _fargate_namespace(association, profile, selector)
    for workload in graph.workloads:
        yield from _workload(graph, workload, pod_identity_only, profiles, covered)


def _pod_identity_only(graph: IrsaGraph, association: PodIdentityAssociation) -> bool:
    """Known namespace and name, and no correlated ServiceAccount of that name with a role-arn."""
    if not isinstance(association.namespace, str) or not isinstance(association.service_account, str):
        return False
    named = graph.service_account_named(association.namespace, association.service_account)
    # a `*/<name>` entry of the webhook's ConfigMap binds that name in every namespace
    named += [sa for sa in graph.service_accounts if sa.origin == WEBHOOK_CONFIG and sa.name == association.service_account
              and not isinstance(sa.namespace, str)]
    for sa in named:
        if graph.correlated(sa, association) and graph.sa_matches[sa.id].status is not MatchStatus.NONE:
            return False
    return True


def _same_cluster(profile: FargateProfile, association: PodIdentityAssociation) -> bool:
    a, b = profile.cluster_name, association.cluster_name
    return not (isinstance(a, str) and isinstance(b, str) and a != b)


def _namespace_matches(selector: FargateSelector, namespace: object) -> bool:
    return isinstance(selector.namespace, str) and isinstance(namespace, str) and string_like(selector.namespace, namespace)


def _namespace_wide(
    graph: IrsaGraph, association: PodIdentityAssociation, profiles: Sequence[FargateProfile]
) -> Iterator[tuple[FargateProfile, FargateSelector]]:
    """Profiles with a label-less selector for the association's namespace: all its pods on Fargate."""
    for profile in profiles:
        if not _same_cluster(profile, association) or not graph.correlated(profile.loc, association):
            continue
        for selector in profile.selectors:
            if not selector.labels and selector.labels_complete and _namespace_matches(selector, association.namespace):
                yield profile, selector
                break


def _fargate_namespace(association: PodIdentityAssociation, profile: FargateProfile, selector: FargateSelector) -> Hit:
    namespace = str(association.namespace)
    target = namespaced(association.namespace, association.service_account)
    return Hit(
        f"The Pod Identity association of {target} never delivers credentials: namespace {namespace} runs on "
        "Fargate. Fargate does not support EKS Pod Identity: use IRSA for this ServiceAccount (a role-arn "
        "annotation and a web-identity trust), or run the namespace on EC2 nodes.",
        association.loc,
        f"PodIdentityAssociation {target} fargate",
        (("the Fargate selector", selector.loc), (f"Fargate profile {profile.address}", profile.loc)),
    )


def _workload(
    graph: IrsaGraph,
    workload: Workload,
    pod_identity_only: Sequence[PodIdentityAssociation],
    profiles: Sequence[FargateProfile],
    covered: set[tuple[str, str]],
) -> Iterator[Hit]:
    mine = [
        a
        for a in pod_identity_only
        if a.namespace == workload.namespace and a.service_account == workload.service_account
        and graph.correlated(a, workload)
    ]
    label = workload_label(workload)
    account = namespaced(workload.namespace, workload.service_account)
    selector_os = workload.node_selector_os
    windows = selector_os is not None and selector_os.value == WINDOWS
    if mine and windows and selector_os is not None:
        yield Hit(
            f"{label} runs on Windows nodes, where EKS Pod Identity does not work, and ServiceAccount {account} has no other "
            "credentials. Its AWS calls fail: give the ServiceAccount an IRSA role (eks.amazonaws.com/role-arn) "
            "instead.",
            selector_os.loc,
            f"{entity_of(workload)} windows",
            _associations(mine),
            rendering=rendering_of(workload),
        )
    for association in mine:
        for profile, selector in _fargate_matches(graph, workload, association, profiles):
            if (association.id, profile.id) in covered:
                continue  # reported once for the whole namespace
            yield Hit(
                f"{label} runs on Fargate, where EKS Pod Identity does not work, and ServiceAccount {account} has no other "
                f"credentials. Fargate profile {profile.address} selects it: use IRSA for the ServiceAccount, or "
                "schedule these pods on EC2 nodes.",
                workload.service_account_loc or workload.name_loc,
                f"{entity_of(workload)} fargate {profile.address}",
                (("the Fargate selector", selector.loc),) + _associations([association]),
                rendering=rendering_of(workload),
            )
    if not windows and workload.windows_affinity_loc is not None:
        yield from _irsa_windows_affinity(graph, workload, label, workload.windows_affinity_loc)


def _fargate_matches(
    graph: IrsaGraph, workload: Workload, association: PodIdentityAssociation, profiles: Sequence[FargateProfile]
) -> Iterator[tuple[FargateProfile, FargateSelector]]:
    labels = {a.key: a.value for a in workload.template_labels}
    for profile in profiles:
        if not _same_cluster(profile, association) or not graph.correlated(profile.loc, workload):
            continue
        for selector in profile.selectors:
            if not selector.labels_complete or not _namespace_matches(selector, workload.namespace):
                continue
            if all(_label_matches(labels.get(k), v) for k, v in selector.labels):
                yield profile, selector
                break


def _label_matches(pod_value: object, wanted: object) -> bool:
    return isinstance(pod_value, str) and isinstance(wanted, str) and string_like(wanted, pod_value)


def _associations(found: Sequence[PodIdentityAssociation]) -> tuple[tuple[str, Location], ...]:
    return tuple(("the Pod Identity association", a.loc) for a in found)


def _irsa_windows_affinity(graph: IrsaGraph, workload: Workload, label: str, loc: Location) -> Iterator[Hit]:
    """IRSA on a pod pinned to Windows by affinity only: the webhook injects the Linux token path."""
    for sa in graph.service_accounts_of_workload(workload):
        if graph.sa_matches[sa.id].status is MatchStatus.NONE:
            continue
        annotation = sa.annotation(ROLE_ARN_ANNOTATION)
        yield Hit(
            f"{label} runs on Windows by node affinity only, so the webhook gives its pods the Linux token path "
            "and the AWS SDK finds no token. Add nodeSelector kubernetes.io/os: windows: the webhook reads only the "
            "nodeSelector.",
            loc,
            f"{entity_of(workload)} windows affinity",
            (("the ServiceAccount's role-arn", annotation.loc if annotation else sa.name_loc),),
            rendering=rendering_of(workload),
        )
        return
