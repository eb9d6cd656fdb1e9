"""Loader glue: which GitOps record a Kubernetes document gives (irsalint.load.k8s calls this per
document), and the values record of a YAML file that is not a Kubernetes object."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import yaml

from irsalint.model import Location
from irsalint.sources.gitops import argocd_application, configmaps, flux_helmrelease, flux_postbuild
from irsalint.sources.gitops.common import Restore, same
from irsalint.sources.gitops.configmaps import read_generators
from irsalint.sources.gitops.records import GitOpsRecord, RawFields, ValuesFile
from irsalint.sources.gitops.values import values_from_node
from irsalint.yamlutil import get, text_of

# Flux and Argo CD objects are read whole (their values sit under arbitrary keys).
_GITOPS_API_RE = re.compile(
    r"^\s*(?:-\s+)?apiVersion:\s*[\"']?(?:(?:helm|kustomize)\.toolkit\.fluxcd\.io|argoproj\.io)/", re.MULTILINE
)
# ConfigMaps and Secrets (valuesFrom / substituteFrom sources) are read from files this small only:
# a dump of thousands of ConfigMaps is composed key by key, never whole.
_CONFIG_RE = re.compile(r"^\s*(?:-\s+)?kind:\s*[\"']?(?:ConfigMap|Secret)[\"']?\s*$", re.MULTILINE)
MAX_CONFIG_FILE = 256 * 1024
MAX_VALUES_FILE = 2 * 1024 * 1024
# A YAML file that is not a manifest may be Helm values when it mentions one of these.
_VALUES_HINT_RE = re.compile(r"serviceAccount|nameOverride|fullnameOverride|namespaceOverride", re.IGNORECASE)

Locate = Callable[[yaml.Node], Location]
Lines = Callable[[], Sequence[str]]


__all__ = ["may_be_values", "raw_fields", "read_generators", "read_object", "values_file", "wants_whole_documents"]


def wants_whole_documents(text: str) -> bool:
    """Flux / Argo CD objects and small ConfigMap files are composed whole: their values sit under
    arbitrary keys. Larger files (dumps) stay pruned, and their GitOps objects are not read."""
    # the words first: the line-anchored expressions cost 3-4 µs on a small manifest (15 ms of
    # the 1k-service corpus's 2,001), the substring tests a tenth of that
    if (len(text) <= MAX_VALUES_FILE and ("toolkit.fluxcd.io/" in text or "argoproj.io/" in text)
            and _GITOPS_API_RE.search(text) is not None):
        return True
    return (len(text) <= MAX_CONFIG_FILE and ("ConfigMap" in text or "Secret" in text)
            and _CONFIG_RE.search(text) is not None)


def may_be_values(text: str) -> bool:
    """A YAML file worth composing whole to read as Helm values (values files are small; a large
    data file is not read that way)."""
    return len(text) <= MAX_VALUES_FILE and _VALUES_HINT_RE.search(text) is not None


def read_object(
    path: str, kind: str, api_version: str, node: yaml.Node, locate: Locate, lines: Lines, depth: int,
    restore: Restore = same, whole: bool = True,
) -> GitOpsRecord | None:
    """`whole`: the document was composed in full (a pruned one lacks the values to read)."""
    if not whole:
        return None
    if kind == "HelmRelease" and api_version.startswith(flux_helmrelease.API_GROUP):
        return flux_helmrelease.read(path, node, locate)
    if kind == "Kustomization" and api_version.startswith(flux_postbuild.API_GROUP):
        return flux_postbuild.read(path, node, locate)
    if kind in argocd_application.KINDS and api_version.startswith(argocd_application.API_GROUP):
        return argocd_application.read(path, kind, node, locate, lines(), restore)
    if kind in ("ConfigMap", "Secret") and api_version == "v1" and depth == 0:
        # depth 0 only: the ConfigMaps of a `kubectl get -o yaml` List are no GitOps source
        return configmaps.read_config_object(path, kind, node, locate, lines())
    return None


def values_file(path: str, document: yaml.Node | None, locate: Locate) -> ValuesFile | None:
    """A YAML file's first document read as Helm values (None when it holds no relevant leaf)."""
    values = values_from_node(document, locate)
    return ValuesFile(path, values) if values.leaves or not values.complete else None


def raw_fields(
    name_loc: Location, metadata: yaml.Node | None, pod_spec: yaml.Node | None = None,
    template_metadata: yaml.Node | None = None,
) -> RawFields | None:
    """The `${VAR}`-bearing name, namespace, ServiceAccount name and annotations of an object."""
    found: list[tuple[str, str]] = []

    def keep(field: str, node: yaml.Node | None) -> None:
        text = text_of(node)
        if text is not None and "${" in text:
            found.append((field, text))

    keep("name", get(metadata, "name"))
    keep("namespace", get(metadata, "namespace"))
    keep("serviceAccountName", get(pod_spec, "serviceAccountName") or get(pod_spec, "serviceAccount"))
    for prefix, holder in (("annotation:", metadata), ("template-annotation:", template_metadata)):
        annotations = get(holder, "annotations")
        if isinstance(annotations, yaml.MappingNode):
            for key_node, value_node in annotations.value:
                key = text_of(key_node)
                if key is not None:
                    keep(prefix + key, value_node)
    return RawFields(name_loc, tuple(found)) if found else None
