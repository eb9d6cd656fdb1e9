"""What the API server adds to an object, read from a `kubectl get -o yaml|json` dump.

An object is *live* when its metadata has a non-empty `uid` or `resourceVersion`: only the API
server writes them. `status: {}` and `creationTimestamp: null` are not evidence, since
`kubectl create --dry-run=client -o yaml` writes both into manifests people commit. Everything
else the server adds (`managedFields`, `generateName`, `status`, the last-applied annotation) is
never read as a setting: the reader only follows fixed paths, and these are not on them.
"""

from __future__ import annotations

import yaml

from irsalint.model import Live, OwnerRef, TokenVolume, VolumeMount
from irsalint.yamlutil import get, text_of

# The keys read here, for irsalint.load.k8s.KEYS_READ (only these are composed from a dump).
KEYS = frozenset({
    "uid", "resourceVersion", "ownerReferences", "controller", "status", "phase",
    "volumes", "volumeMounts", "mountPath", "projected", "sources", "serviceAccountToken",
    "audience", "path",
})  # fmt: skip


def is_live(metadata: yaml.Node | None) -> bool:
    return bool(text_of(get(metadata, "uid")) or text_of(get(metadata, "resourceVersion")))


def read_live(node: yaml.Node, metadata: yaml.Node | None, pod_spec: yaml.Node | None) -> Live | None:
    """The live state of a dumped object (None: a manifest). `pod_spec`: a Pod's own spec, whose
    token volumes and mounts tell whether the webhook injected credentials (None for other kinds:
    their template is what the user wrote)."""
    if not is_live(metadata):
        return None
    if pod_spec is None:
        return Live(uid=_nonempty(get(metadata, "uid")), owner=_controller(metadata))
    volumes = _token_volumes(pod_spec)
    names = {v.name for v in volumes}
    return Live(
        uid=_nonempty(get(metadata, "uid")),
        owner=_controller(metadata),
        phase=_nonempty(get(get(node, "status"), "phase")),
        token_volumes=volumes,
        mounts=tuple(m for m in _mounts(pod_spec) if m.volume in names),
    )


def _nonempty(node: yaml.Node | None) -> str | None:
    return text_of(node) or None


def _controller(metadata: yaml.Node | None) -> OwnerRef | None:
    """The owner reference with `controller: true` (at most one, as the API server enforces);
    other owners only tie garbage collection, they do not create the object."""
    owners = get(metadata, "ownerReferences")
    if not isinstance(owners, yaml.SequenceNode):
        return None
    for owner in owners.value:
        controller = get(owner, "controller")
        kind, name = text_of(get(owner, "kind")), text_of(get(owner, "name"))
        if isinstance(controller, yaml.ScalarNode) and str(controller.value).lower() == "true" and kind and name:
            return OwnerRef(kind, name, _nonempty(get(owner, "uid")))
    return None


def _token_volumes(spec: yaml.Node) -> tuple[TokenVolume, ...]:
    """Projected volumes with a `serviceAccountToken` source."""
    found: list[TokenVolume] = []
    volumes = get(spec, "volumes")
    for volume in volumes.value if isinstance(volumes, yaml.SequenceNode) else ():
        name = text_of(get(volume, "name"))
        sources = get(get(volume, "projected"), "sources")
        if not name or not isinstance(sources, yaml.SequenceNode):
            continue
        for source in sources.value:
            token = get(source, "serviceAccountToken")
            path = text_of(get(token, "path"))
            if isinstance(token, yaml.MappingNode) and path:
                found.append(TokenVolume(name, path, text_of(get(token, "audience"))))
    return tuple(found)


def _mounts(spec: yaml.Node) -> list[VolumeMount]:
    found: list[VolumeMount] = []
    for list_key in ("initContainers", "containers"):
        containers = get(spec, list_key)
        for container in containers.value if isinstance(containers, yaml.SequenceNode) else ():
            container_name = text_of(get(container, "name")) or "?"
            mounts = get(container, "volumeMounts")
            for mount in mounts.value if isinstance(mounts, yaml.SequenceNode) else ():
                volume, path = text_of(get(mount, "name")), text_of(get(mount, "mountPath"))
                if volume and path:
                    found.append(VolumeMount(container_name, volume, path))
    return found
