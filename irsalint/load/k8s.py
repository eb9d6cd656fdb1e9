"""Kubernetes manifests (YAML or JSON) -> ServiceAccount / Workload / AnnotatedObject records.

A pure function of (path, text), so it can run in a worker process and be cached. Positions come
from libyaml's composer: every key we point at has its exact line and column.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import yaml

from irsalint.model import (
    UNKNOWN,
    AnnotatedObject,
    Annotation,
    Diagnostic,
    EnvVar,
    Location,
    ServiceAccount,
    SkipNote,
    Str,
    Workload,
)
from irsalint.placeholders import has_placeholder
from irsalint.yamlutil import compose_all, scalar_bool

# kind -> path from the object to its pod spec's parent (the object holding `spec` and `metadata`)
POD_TEMPLATE_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": (),
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
    "PodTemplate": ("template",),
}

_LOOKS_LIKE_MANIFEST_RE = re.compile(r"^\s*[\"']?(apiVersion|kind)[\"']?\s*:", re.MULTILINE)
_MAX_DEPTH = 200


@dataclass(frozen=True, slots=True)
class K8sFile:
    path: str
    service_accounts: tuple[ServiceAccount, ...]
    workloads: tuple[Workload, ...]
    objects: tuple[AnnotatedObject, ...]
    kustomization: Kustomization | None = None


@dataclass(frozen=True, slots=True)
class Kustomization:
    """What a kustomization.yaml says that changes where objects land."""

    path: str
    namespace: str | None
    namespace_loc: Location | None
    resources: tuple[str, ...]  # as written, relative to the kustomization's directory


def looks_like_manifest(text: str) -> bool:
    return _LOOKS_LIKE_MANIFEST_RE.search(text) is not None


def is_helm_template(text: str) -> bool:
    return "{{" in text and "}}" in text


def load_manifest(path: str, text: str) -> K8sFile | Diagnostic | SkipNote:
    """Parse one YAML/JSON file. Non-manifests are skipped; broken manifests are diagnostics."""
    if is_helm_template(text):
        return SkipNote(path, "Helm template ({{ }}): not linted")
    try:
        documents = compose_all(text)
    except yaml.MarkedYAMLError as error:
        if not looks_like_manifest(text) and not _is_kustomization_path(path):
            return SkipNote(path, "not YAML")
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        col = mark.column + 1 if mark else 1
        problem = error.problem or "invalid YAML"
        return Diagnostic(Location(path, line, col), f"YAML syntax error: {problem}")
    except (yaml.YAMLError, RecursionError, ValueError) as error:
        if not looks_like_manifest(text):
            return SkipNote(path, "not YAML")
        return Diagnostic(Location(path, 1, 1), f"cannot parse YAML: {type(error).__name__}")
    reader = _Reader(path)
    if _is_kustomization_path(path):
        return K8sFile(path, (), (), (), reader.kustomization(documents))
    for document in documents:
        if document is not None:
            reader.document(document, depth=0)
    return K8sFile(path, tuple(reader.sas), tuple(reader.workloads), tuple(reader.objects))


def _is_kustomization_path(path: str) -> bool:
    return path.rsplit("/", 1)[-1] in ("kustomization.yaml", "kustomization.yml", "Kustomization")


def get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    found = None
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            found = value_node  # the last duplicate wins, as in the API server's decoder
    return found


def get_key(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """The key node itself (for its line)."""
    if not isinstance(node, yaml.MappingNode):
        return None
    found = None
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            found = key_node
    return found


def get_path(node: yaml.Node | None, path: tuple[str, ...]) -> yaml.Node | None:
    for key in path:
        node = get(node, key)
    return node


def text_of(node: yaml.Node | None) -> str | None:
    if isinstance(node, yaml.ScalarNode) and not node.tag.endswith(":null"):
        return str(node.value)
    return None


def known_text(node: yaml.Node | None) -> Str | None:
    text = text_of(node)
    if text is None:
        return None
    return UNKNOWN if has_placeholder(text) else text


class _Reader:
    def __init__(self, path: str) -> None:
        self.path = path
        self.sas: list[ServiceAccount] = []
        self.workloads: list[Workload] = []
        self.objects: list[AnnotatedObject] = []

    def loc(self, node: yaml.Node) -> Location:
        start, end = node.start_mark, node.end_mark
        return Location(self.path, start.line + 1, start.column + 1, end.line + 1, end.column + 1)

    def document(self, node: yaml.Node, depth: int) -> None:
        if depth > 8 or not isinstance(node, yaml.MappingNode):
            return
        kind = text_of(get(node, "kind"))
        if kind is None or text_of(get(node, "apiVersion")) is None:
            return
        items = get(node, "items")
        if kind.endswith("List") and isinstance(items, yaml.SequenceNode):
            for item in items.value:
                self.document(item, depth + 1)
            return
        metadata = get(node, "metadata")
        name_node = get(metadata, "name")
        name = known_text(name_node)
        namespace = known_text(get(metadata, "namespace"))
        name_loc = self.loc(get_key(metadata, "name") or metadata or node)
        annotations = self.annotations(get(metadata, "annotations"))
        ident = f"{kind}:{_show(namespace) or 'default'}/{_show(name)}@{self.path}:{name_loc.line}"
        if kind == "ServiceAccount":
            automount_key = get_key(node, "automountServiceAccountToken")
            self.sas.append(
                ServiceAccount(
                    id=f"k8s:{ident}",
                    name=name if name is not None else UNKNOWN,
                    namespace=namespace if namespace is not None else "default",
                    annotations=annotations,
                    automount=scalar_bool(get(node, "automountServiceAccountToken")),
                    automount_loc=self.loc(automount_key) if automount_key else None,
                    name_loc=name_loc,
                    origin="manifest",
                )
            )
        elif kind in POD_TEMPLATE_PATHS:
            template = get_path(node, POD_TEMPLATE_PATHS[kind]) if POD_TEMPLATE_PATHS[kind] else node
            self.workloads.append(
                self.workload(kind, ident, name, namespace, name_loc, annotations, template)
            )
        elif annotations:
            self.objects.append(
                AnnotatedObject(kind, name if name is not None else UNKNOWN,
                                namespace if namespace is not None else "default", annotations, name_loc)
            )

    def workload(
        self,
        kind: str,
        ident: str,
        name: Str | None,
        namespace: Str | None,
        name_loc: Location,
        annotations: tuple[Annotation, ...],
        template: yaml.Node | None,
    ) -> Workload:
        spec = get(template, "spec")
        sa_key = get_key(spec, "serviceAccountName") or get_key(spec, "serviceAccount")
        sa_name: Str = "default"
        if sa_key is not None:
            written = known_text(get(spec, str(sa_key.value)))
            sa_name = "default" if written is None or written == "" else written
        automount_key = get_key(spec, "automountServiceAccountToken")
        return Workload(
            id=f"k8s:{ident}",
            kind=kind,
            name=name if name is not None else UNKNOWN,
            namespace=namespace if namespace is not None else "default",
            service_account=sa_name,
            service_account_loc=self.loc(sa_key) if sa_key is not None else None,
            automount=scalar_bool(get(spec, "automountServiceAccountToken")),
            automount_loc=self.loc(automount_key) if automount_key else None,
            annotations=annotations,
            template_annotations=self.annotations(get_path(template, ("metadata", "annotations"))),
            env=tuple(self.env(spec)),
            name_loc=name_loc,
        )

    def annotations(self, node: yaml.Node | None) -> tuple[Annotation, ...]:
        if not isinstance(node, yaml.MappingNode):
            return ()
        result: dict[str, Annotation] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            raw = text_of(value_node)
            value: Str = UNKNOWN if raw is None or has_placeholder(raw) else raw
            result[str(key_node.value)] = Annotation(str(key_node.value), value, self.loc(key_node))
        return tuple(result.values())

    def env(self, spec: yaml.Node | None) -> Iterator[EnvVar]:
        for list_key in ("initContainers", "containers"):
            containers = get(spec, list_key)
            if not isinstance(containers, yaml.SequenceNode):
                continue
            for container in containers.value:
                container_name = text_of(get(container, "name")) or "?"
                env = get(container, "env")
                if not isinstance(env, yaml.SequenceNode):
                    continue
                for variable in env.value:
                    name_key = get_key(variable, "name")
                    variable_name = text_of(get(variable, "name"))
                    if variable_name is not None and name_key is not None:
                        yield EnvVar(container_name, variable_name, self.loc(name_key))

    def kustomization(self, documents: list[yaml.Node | None]) -> Kustomization | None:
        node = documents[0] if documents else None
        if not isinstance(node, yaml.MappingNode):
            return None
        namespace_node = get(node, "namespace")
        namespace_key = get_key(node, "namespace")
        resources: list[str] = []
        for key in ("resources", "bases"):
            listed = get(node, key)
            if isinstance(listed, yaml.SequenceNode):
                resources.extend(t for t in (text_of(n) for n in listed.value) if t)
        return Kustomization(
            path=self.path,
            namespace=text_of(namespace_node),
            namespace_loc=self.loc(namespace_key) if namespace_key is not None else None,
            resources=tuple(resources),
        )


def _show(value: Str | None) -> str:
    return value if isinstance(value, str) else "?"
