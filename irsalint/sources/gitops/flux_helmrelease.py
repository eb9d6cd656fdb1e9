"""Flux `HelmRelease` (helm.toolkit.fluxcd.io v2beta1, v2beta2, v2).

Read: `metadata.name/namespace`, `spec.releaseName`, `spec.targetNamespace`,
`spec.chart.spec.chart` (the chart name), `spec.chart.spec.valuesFiles`, `spec.values` (with
positions) and `spec.valuesFrom` (kind, name, `valuesKey` default `values.yaml`, `targetPath`,
`optional`). Not read: `spec.chartRef` (the chart's name is in another object), `postRenderers`.

Release name: `spec.releaseName`, else `<targetNamespace>-<name>` when `targetNamespace` is set,
else the object's name; a composed name over 53 characters is shortened the way helm-controller
does (first 40 characters, `-`, 12 hex digits of its SHA-256). Values: `valuesFrom` entries in
order, then `spec.values`; a `targetPath` entry sets one value."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import yaml

from irsalint.model import Location
from irsalint.sources.gitops.common import flag, raw, raw_text
from irsalint.sources.gitops.records import FluxHelmRelease, ValuesRef
from irsalint.sources.gitops.values import values_from_node
from irsalint.yamlutil import get, get_key

API_GROUP = "helm.toolkit.fluxcd.io/"
DEFAULT_VALUES_KEY = "values.yaml"


def read(path: str, node: yaml.Node, locate: Callable[[yaml.Node], Location]) -> FluxHelmRelease:
    metadata = get(node, "metadata")
    spec = get(node, "spec")
    chart_spec = get(get(spec, "chart"), "spec")
    files = get(chart_spec, "valuesFiles")
    listed = [raw_text(f) for f in files.value] if isinstance(files, yaml.SequenceNode) else []
    single = raw_text(get(chart_spec, "valuesFile"))  # deprecated singular form
    chart_values_files = any(f != DEFAULT_VALUES_KEY for f in [*listed, *([single] if single else [])])
    values_key = get_key(spec, "values")
    values = values_from_node(get(spec, "values"), locate) if values_key is not None else None
    refs: list[ValuesRef] = []
    entries = get(spec, "valuesFrom")
    for entry in entries.value if isinstance(entries, yaml.SequenceNode) else ():
        name = raw(get(entry, "name"))
        refs.append(ValuesRef(
            kind=raw_text(get(entry, "kind")) or "",
            name=name if isinstance(name, str) else None,
            key=raw_text(get(entry, "valuesKey")) or DEFAULT_VALUES_KEY,
            target_path=raw_text(get(entry, "targetPath")) or None,
            optional=flag(get(entry, "optional")),
            loc=locate(entry),
        ))
    name_key = get_key(metadata, "name")
    target_key = get_key(spec, "targetNamespace")
    namespace_key = get_key(metadata, "namespace")
    return FluxHelmRelease(
        name=raw(get(metadata, "name")),
        namespace=raw(get(metadata, "namespace")),
        release_name=raw(get(spec, "releaseName")),
        target_namespace=raw(get(spec, "targetNamespace")),
        chart=raw(get(chart_spec, "chart")),
        values=values,
        values_from=tuple(refs),
        chart_values_files=chart_values_files,
        loc=locate(name_key if name_key is not None else node),
        target_namespace_loc=locate(target_key) if target_key is not None else None,
        namespace_loc=locate(namespace_key) if namespace_key is not None else None,
    )


def release_name(name: str, release: str | None, target_namespace: str | None) -> str:
    """helm-controller's release name (GetReleaseName + ShortenName)."""
    if release:
        return release
    composed = f"{target_namespace}-{name}" if target_namespace else name
    if len(composed) <= 53:
        return composed
    return composed[:40] + "-" + hashlib.sha256(composed.encode()).hexdigest()[:12]
