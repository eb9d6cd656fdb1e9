"""Controllers of dumped objects (SPEC §3.6): which object's pod template a dumped Pod, ReplicaSet
or Job is a copy of, and how a stale Pod is restarted.

A Pod made by a ReplicaSet carries its template (and the ReplicaSet its Deployment's): a defect
of the template is one defect, reported on the topmost copy in the scan. So an object whose
controller (`ownerReferences` with `controller: true`) is in the scan — in a dump, or as a
manifest of the same kind, namespace and name in a correlated scope — is a *copy*, and the
template rules skip it. Pods whose ReplicaSet is absent from the dump are matched to their
Deployment by the name the Deployment controller gives ReplicaSets, `<deployment>-<hash>`,
where `<hash>` is the Pod's `pod-template-hash` label. Of several Pods of one absent controller,
the first (by file and line) stands for all of them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from irsalint.model import OwnerRef, Workload
from irsalint.record import record

POD_TEMPLATE_HASH = "pod-template-hash"
# owners whose pods `kubectl rollout restart` replaces
ROLLOUT_KINDS = ("Deployment", "StatefulSet", "DaemonSet")


@record
class Restart:
    """How to give a stale Pod a fresh admission: a command, and what it acts on."""

    target: str  # "Deployment team-a/api" or "Pod team-a/api-x" (what the finding is about)
    command: str  # the kubectl command
    note: str  # what happens then, in a few words
    owner: Workload | None  # the scanned object that restarting acts on, if any


class Owners:
    def __init__(self, workloads: Sequence[Workload], correlated: Callable[[Workload, Workload], bool]) -> None:
        self._correlated = correlated
        self._by_name: dict[tuple[str, str, str], list[Workload]] = defaultdict(list)
        for workload in workloads:
            if isinstance(workload.namespace, str) and isinstance(workload.name, str):
                self._by_name[(workload.kind, workload.namespace, workload.name)].append(workload)
        self.copies: dict[str, Workload] = {}  # id -> the workload it copies its template from
        first_of: dict[tuple[str, str, str, str], Workload] = {}  # absent controller -> its first object
        for workload in sorted(workloads, key=lambda w: (w.name_loc, w.id)):
            owner = workload.live.owner if workload.live is not None else None
            if owner is None or not isinstance(workload.namespace, str):
                continue
            source = self.controller(workload) or self._deployment_by_hash(workload)
            if source is None:
                key = (workload.namespace, owner.kind, owner.name, owner.uid or "")
                source = first_of.setdefault(key, workload)
            if source is not workload:
                self.copies[workload.id] = source

    def is_copy(self, workload: Workload) -> bool:
        return workload.id in self.copies

    def find(self, kind: str, near: Workload, name: str, uid: str | None = None) -> Workload | None:
        """The scanned object of that kind and name in `near`'s namespace and scope; a dumped
        object with another uid is another incarnation, not this one."""
        if not isinstance(near.namespace, str):
            return None
        for candidate in self._by_name.get((kind, near.namespace, name), ()):
            other_uid = candidate.live.uid if candidate.live is not None else None
            if (uid is None or other_uid is None or other_uid == uid) and self._correlated(candidate, near):
                return candidate
        return None

    def controller(self, workload: Workload) -> Workload | None:
        owner = workload.live.owner if workload.live is not None else None
        return self.find(owner.kind, workload, owner.name, owner.uid) if owner is not None else None

    def _deployment_by_hash(self, pod: Workload) -> Workload | None:
        name = deployment_name_by_hash(pod)
        return self.find("Deployment", pod, name) if name is not None else None

    def restart(self, pod: Workload) -> Restart:
        """How to restart a dumped Pod: through its Deployment, StatefulSet or DaemonSet when the
        chain to it is certain, else by deleting the Pod (its controller, if any, makes a new one)."""
        ns, name = str(pod.namespace), str(pod.name)
        owner = pod.live.owner if pod.live is not None else None
        delete = f"kubectl delete pod {name} -n {ns}"
        if owner is None:
            return Restart(f"Pod {ns}/{name}", delete, "then apply its manifest again: nothing re-creates a bare pod", None)
        scanned = self.controller(pod)
        top: OwnerRef | None = owner
        if owner.kind == "ReplicaSet":
            if scanned is not None:
                top = scanned.live.owner if scanned.live is not None else None
            else:
                deployment = deployment_name_by_hash(pod)
                top = OwnerRef("Deployment", deployment, None) if deployment is not None else None
        if top is None or top.kind not in ROLLOUT_KINDS:
            return Restart(f"Pod {ns}/{name}", delete, f"its {owner.kind} {owner.name} creates a new one", scanned)
        target = self.find(top.kind, pod, top.name, top.uid) or scanned
        command = f"kubectl rollout restart {top.kind.lower()}/{top.name} -n {ns}"
        return Restart(f"{top.kind} {ns}/{top.name}", command, "its pods are replaced one by one", target)

def deployment_name_by_hash(pod: Workload) -> str | None:
    """`api` for a Pod of ReplicaSet `api-6d8f7c9b5d` labelled `pod-template-hash: 6d8f7c9b5d`: the
    Deployment controller names its ReplicaSets so and labels their pods. Without the label (a
    bare ReplicaSet, an Argo Rollout's) the name proves nothing."""
    owner = pod.live.owner if pod.live is not None else None
    if owner is None or owner.kind != "ReplicaSet":
        return None
    hashes = [label.value for label in pod.template_labels if label.key == POD_TEMPLATE_HASH]
    if len(hashes) != 1 or not isinstance(hashes[0], str) or not hashes[0]:
        return None
    suffix = "-" + hashes[0]
    if not owner.name.endswith(suffix) or len(owner.name) == len(suffix):
        return None
    return owner.name[: -len(suffix)]
