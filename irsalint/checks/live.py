"""IRSA019: running Pods of a `kubectl get` dump whose credentials are not those of their
ServiceAccount's current role-arn. The webhook mutates a Pod once, when it is created: a Pod
created before the annotation has no web identity, and one created before the annotation changed
keeps the old role, until it is replaced.

Which Pods: dumped (irsalint.load.live), in phase Running or Pending. Succeeded and Failed Pods
are history: they will not call AWS again. Their ServiceAccount: the dumped one of the same
namespace and name when the dump has it (it is what the cluster holds now), else the
repository's; several that disagree are unknown, so the rule stays silent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from irsalint.checks.base import Hit
from irsalint.checks.labels import join_some, quoted, sa_label
from irsalint.checks.webhook_annotations import SKIP_CONTAINERS, skip_container_names
from irsalint.graph import IrsaGraph
from irsalint.injection import IRSA, IRSA_VARIABLES, POD_IDENTITY, container_env, injection
from irsalint.model import EnvVar, Location, ServiceAccount, Workload
from irsalint.owners import Restart
from irsalint.record import record

RUNNING_PHASES = ("Running", "Pending")
MISSING = "missing"  # no web identity injected
OUTDATED = "outdated"  # injected with a role-arn the ServiceAccount no longer has


@record
class Stale:
    pod: Workload
    case: str  # MISSING | OUTDATED
    sa: ServiceAccount
    annotation_loc: Location
    containers: tuple[str, ...]  # the containers concerned
    injected: EnvVar | None = None  # OUTDATED: the AWS_ROLE_ARN the pod carries
    current: str = ""  # OUTDATED: the annotation's value
    orphaned_pod_identity: bool = False  # MISSING: Pod Identity credentials without an association

    @property
    def loc(self) -> Location:
        return self.injected.loc if self.injected is not None else self.pod.name_loc


def stale_pod_identity(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    groups: dict[tuple[str, str], list[tuple[Stale, Restart]]] = defaultdict(list)
    for pod in graph.live_pods:
        if pod.live is None or pod.live.phase not in RUNNING_PHASES:
            continue
        stale = _stale(graph, pod)
        if stale is not None:
            restart = graph.owners.restart(pod)
            groups[(restart.command, stale.case)].append((stale, restart))
    for key in sorted(groups):
        found = sorted(groups[key], key=lambda pair: (pair[0].loc, pair[0].pod.id))
        yield _hit([stale for stale, _ in found], found[0][1])


def _stale(graph: IrsaGraph, pod: Workload) -> Stale | None:
    chosen = _service_accounts(graph, pod)
    annotations = {graph.sa_matches[sa.id].annotation for sa in chosen}
    values = {a.value if a is not None else None for a in annotations}
    if len(values) != 1 or None in values:
        return None  # not an IRSA ServiceAccount, or ServiceAccounts that disagree
    annotation = next(a for a in annotations if a is not None)
    current = annotation.value
    if isinstance(current, str) and not current:
        return None  # an empty role-arn: the webhook injects nothing
    containers = _containers(pod)
    if containers is None:
        return None
    template = _template(graph, pod)
    missing: list[str] = []
    outdated: list[tuple[str, EnvVar]] = []
    orphaned = False
    for container in containers:
        found = injection(pod, container)
        if _opted_out(pod, template, container, found is not None):
            continue
        if found is None:
            missing.append(container)
        elif found.kind == IRSA:
            role_arn = found.role_arn
            if isinstance(current, str) and role_arn is not None and role_arn.value != current:
                outdated.append((container, role_arn))
        elif found.kind == POD_IDENTITY and _association_absent(graph, pod, chosen[0]):
            missing.append(container)
            orphaned = True
    sa = chosen[0]
    if missing:
        return Stale(pod, MISSING, sa, annotation.loc, tuple(missing), orphaned_pod_identity=orphaned)
    if outdated and isinstance(current, str):
        return Stale(pod, OUTDATED, sa, annotation.loc, tuple(c for c, _ in outdated), outdated[0][1], current)
    return None


def _service_accounts(graph: IrsaGraph, pod: Workload) -> list[ServiceAccount]:
    """The dumped ServiceAccount (what the cluster holds now) when there is one, else the
    repository's."""
    found = graph.service_accounts_of_workload(pod)
    live = [sa for sa in found if sa.live]
    return sorted(live or found, key=lambda sa: sa.id)


def _containers(pod: Workload) -> list[str] | None:
    """The containers the webhook mutates: all but those `skip-containers` names. None when that
    cannot be told (an unparseable list, unnamed containers)."""
    if pod.containers is None or not all(isinstance(c, str) for c in pod.containers):
        return None
    skipped: set[str] = set()
    for annotation in pod.template_annotations:
        if annotation.key == SKIP_CONTAINERS:
            if not isinstance(annotation.value, str):
                return None
            names = skip_container_names(annotation.value)
            if names is None:
                return None
            skipped.update(names)
    return [c for c in pod.containers if isinstance(c, str) and c not in skipped]


def _template(graph: IrsaGraph, pod: Workload) -> Workload | None:
    """The object whose pod template the Pod copies (its scanned Deployment, ReplicaSet...)."""
    source = graph.owners.copies.get(pod.id)
    seen = {pod.id}
    while source is not None and source.kind == "Pod" and source.id not in seen:  # a hostile dump may loop
        seen.add(source.id)
        source = graph.owners.copies.get(source.id)
    return source if source is not None and source.kind != "Pod" else None


def _opted_out(pod: Workload, template: Workload | None, container: str, injected: bool) -> bool:
    """A container that sets AWS_ROLE_ARN or AWS_WEB_IDENTITY_TOKEN_FILE itself gets no web
    identity from the webhook (IRSA016's finding, not a stale pod): the variables are the user's
    when the template sets them, or when they are not the webhook's shape."""
    if not any(name in container_env(pod, container) for name in IRSA_VARIABLES):
        return False
    if not injected:
        return True
    return template is not None and any(v.container == container and v.name in IRSA_VARIABLES for v in template.env)


def _association_absent(graph: IrsaGraph, pod: Workload, sa: ServiceAccount) -> bool:
    """Pod Identity credentials are current when an association names the ServiceAccount. When
    the scan holds associations but none for it, they are gone; with none scanned, unknown."""
    scanned = [a for a in graph.project.terraform.associations if graph.correlated(a, pod)]
    if not scanned or any(not isinstance(a.namespace, str) or not isinstance(a.service_account, str) for a in scanned):
        return False  # none scanned, or one that may name it
    return not any(a.namespace == pod.namespace and a.service_account == sa.name for a in scanned)


def _hit(stales: Sequence[Stale], restart: Restart) -> Hit:
    first = stales[0]
    one = len(stales) == 1
    pods = f"Pod {first.pod.namespace}/{first.pod.name}" if one else f"{len(stales)} pods of {restart.target}"
    sa = f"ServiceAccount {sa_label(first.sa)}"
    fix = f"Restart {'it' if one else 'them'}: `{restart.command}` ({restart.note})."
    have = "has" if len(first.containers) == 1 else "have"
    it, its = ("it", "its") if one else ("they", "their")
    if first.case == MISSING and first.orphaned_pod_identity:
        message = (
            f"{pods} still {'has' if one else 'have'} Pod Identity credentials, but no scanned association names "
            f"{its} ServiceAccount any more. {sa} has a role-arn, and {_containers_text(first)} {have} no web "
            f"identity: {it} started before the association was removed, and the agent has no role to give. {fix}"
        )
    elif first.case == MISSING:
        message = (
            f"{pods} {'has' if one else 'have'} no web identity: {it} started before {its} ServiceAccount's role-arn, "
            f"or the webhook missed {'it' if one else 'them'}. {sa} has one now, but {_containers_text(first)} {have} "
            "no AWS_ROLE_ARN or AWS_WEB_IDENTITY_TOKEN_FILE, so the SDK falls back to the node's role or finds no "
            f"credentials. {fix}"
        )
    else:
        assert first.injected is not None and isinstance(first.injected.value, str)
        old, new = _arn_pair(first.injected.value, first.current)
        message = (
            f"{pods} still {'runs' if one else 'run'} with AWS_ROLE_ARN {old}, which {its} ServiceAccount no longer "
            f"names. {sa} now names {new}: the webhook sets the role when a pod is created, never later, so AWS calls "
            f"still use the old role. {fix}"
        )
    related: list[tuple[str, Location]] = [("the ServiceAccount's role-arn", first.annotation_loc)]
    if restart.owner is not None:
        related.append((f"the {restart.owner.kind} to restart", restart.owner.name_loc))
    related.extend((f"pod {s.pod.name} too", s.loc) for s in stales[1:6])
    return Hit(message, first.loc, restart.target, tuple(related))


def _containers_text(stale: Stale) -> str:
    return ("container " if len(stale.containers) == 1 else "containers ") + join_some(list(stale.containers), 3)


def _arn_pair(old: str, new: str) -> tuple[str, str]:
    """The two ARNs as told apart in a message: only the role part when the rest is equal."""
    old_head, _, old_role = old.partition(":role/")
    new_head, _, new_role = new.partition(":role/")
    if old_role and new_role and old_head == new_head:
        return quoted("role/" + old_role, 60), quoted("role/" + new_role, 60)
    return quoted(old, 80), quoted(new, 80)
