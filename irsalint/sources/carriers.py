"""Annotation carriers (SPEC §3.4): Kubernetes objects whose annotations a controller copies onto
the ServiceAccount it creates — Crossplane ControllerConfig / DeploymentRuntimeConfig, CloudNativePG
Cluster. Which object, where its annotations sit and how the ServiceAccount is named come from
irsalint/data/carriers.json; an unknown custom resource is no carrier (and no IRSA017 either)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Mapping
from typing import Generic, TypeVar

from irsalint.model import UNKNOWN, Annotation, Location, ServiceAccount, Str
from irsalint.package_data import read_text
from irsalint.record import record


@record
class Carrier:
    api_group: str
    kind: str
    annotations: tuple[tuple[str, ...], ...]  # paths to annotation maps, in order of precedence
    service_account_name: tuple[str, ...]  # path to an explicit name (empty: none)
    name_default: str  # "object": the carrier's own name; "generated": set by the controller
    namespace: str  # "metadata": the carrier's namespace if written; "object": its namespace; "unknown"


@functools.lru_cache(maxsize=1)
def carriers() -> Mapping[tuple[str, str], Carrier]:
    text = read_text("data/carriers.json")
    found = {}
    for entry in json.loads(text)["carriers"]:
        carrier = Carrier(
            entry["api_group"], entry["kind"], tuple(tuple(p) for p in entry["annotations"]),
            tuple(entry["service_account_name"]), entry["name_default"], entry["namespace"],
        )
        found[(carrier.api_group, carrier.kind)] = carrier
    return found


def carrier_of(api_version: str | None, kind: str | None) -> Carrier | None:
    if not api_version or not kind:
        return None
    return carriers().get((api_version.split("/", 1)[0], kind))


# Paths the carriers read, for the streaming reader's list of kept keys.
CARRIER_KEYS = frozenset({"serviceAccountTemplate", "inheritedMetadata", "serviceAccountName"})


Node = TypeVar("Node")


@record
class TreeAccess(Generic[Node]):
    """How to read an object tree: a manifest's YAML nodes, or a tree Terraform renders
    (`kubectl_manifest` with `templatefile()`, irsalint.sources.terraform.manifests)."""

    child: Callable[[Node | None, str], Node | None]  # the value under a key
    key_loc: Callable[[Node | None, str], Location | None]  # where that key is written
    text: Callable[[Node | None], Str | None]  # a scalar's known text; None when absent
    annotations: Callable[[Node | None], tuple[Annotation, ...]]  # a map of annotations
    loc: Callable[[Node], Location]


def carried_service_account(carrier: Carrier, node: Node, sa_id: str, tree: TreeAccess[Node]) -> Iterator[ServiceAccount]:
    """The ServiceAccount the controller creates, carrying the object's IRSA annotations."""
    merged: dict[str, Annotation] = {}
    for path in reversed(carrier.annotations):  # the first path wins
        for annotation in tree.annotations(_at(tree, node, path)):
            merged[annotation.key] = annotation
    if not any(key.startswith("eks.amazonaws.com/") for key in merged):
        return
    metadata = tree.child(node, "metadata")
    explicit = tree.text(_at(tree, node, carrier.service_account_name)) if carrier.service_account_name else None
    name: Str = explicit if explicit is not None else UNKNOWN
    if explicit is None and carrier.name_default == "object":
        object_name = tree.text(tree.child(metadata, "name"))
        name = object_name if object_name is not None else UNKNOWN
    namespace: Str = UNKNOWN
    if carrier.namespace in ("metadata", "object"):
        written = tree.text(tree.child(metadata, "namespace"))
        namespace = written if written is not None else ("default" if carrier.namespace == "object" else UNKNOWN)
    yield ServiceAccount(
        id=sa_id,
        name=name,
        namespace=namespace,
        annotations=tuple(merged[k] for k in sorted(merged)),
        automount=None,
        automount_loc=None,
        name_loc=tree.key_loc(metadata, "name") or tree.loc(node),
        origin="carrier",
    )


def _at(tree: TreeAccess[Node], node: Node | None, path: tuple[str, ...]) -> Node | None:
    for key in path:
        node = tree.child(node, key)
    return node


__all__ = ["CARRIER_KEYS", "Carrier", "TreeAccess", "carried_service_account", "carrier_of"]
