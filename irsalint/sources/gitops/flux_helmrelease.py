"""Flux `HelmRelease` (helm.toolkit.fluxcd.io v2beta1, v2beta2, v2).

Read: `metadata.name/namespace`, `spec.releaseName`, `spec.targetNamespace`,
`spec.chart.spec.chart` (the chart name), `spec.chart.spec.valuesFiles`, `spec.values` (with
positions) and `spec.valuesFrom` (kind, name, `valuesKey` default `values.yaml`, `targetPath`,
`optional`). Not read: `spec.chartRef` (the chart's name is in another object), `postRenderers`.

Release name: `spec.releaseName`, else `<targetNamespace>-<name>` when `targetNamespace` is set,
else the object's name; a composed name over 53 characters is shortened the way helm-controller
does (first 40 characters, `-`, 12 hex digits of its SHA-256). Values: `valuesFrom` entries in
order, then `spec.values`; a `targetPath` entry sets one value.

Loader side: `read`. Project side: `accounts` (the ServiceAccounts each release renders, once per
placement: kustomize rendering x Flux Kustomization x same-named values source)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import yaml

from irsalint.digest import sha256_hexdigest
from irsalint.model import UNKNOWN, Location, RoleRef, ServiceAccount, Str
from irsalint.record import replace
from irsalint.sources.gitops.common import flag, raw, raw_text, show
from irsalint.sources.gitops.flux_postbuild import (
    NO_VARIABLES,
    FluxScope,
    Variables,
    field_value,
    known_or_unknown,
)
from irsalint.sources.gitops.helm_accounts import Layer, Merged, Release, service_accounts
from irsalint.sources.gitops.records import ConfigData, FluxHelmRelease, Raw, ValueLeaf, ValuesDoc, ValuesRef
from irsalint.sources.gitops.values import values_from_node
from irsalint.sources.terraform.helm import helm_path
from irsalint.yamlutil import get, get_key

if TYPE_CHECKING:
    from irsalint.sources.gitops.render import GitOpsProject, RenderingLike

API_GROUP = "helm.toolkit.fluxcd.io/"
DEFAULT_VALUES_KEY = "values.yaml"
_MAX_VARIANTS = 16  # combinations of same-named values sources before they count as unknown


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
    return composed[:40] + "-" + sha256_hexdigest(composed.encode())[:12]


# --- project side ---------------------------------------------------------------------------------


def accounts(project: GitOpsProject) -> Iterator[ServiceAccount]:
    for path, hr in project.helm_releases:
        placements: list[tuple[RenderingLike | None, FluxScope | None]] = []
        for rendering in project.renderings.get(path, ()) or (None,):
            scopes = project.scopes_of(path, rendering.top if rendering is not None else None)
            options: list[FluxScope | None] = [*scopes] if scopes else [None]
            placements.extend((rendering, scope) for scope in options)
        for rendering, scope in placements:
            yield from _helm_release(project, path, hr, rendering, scope, several=len(placements) > 1)


def _helm_release(
    project: GitOpsProject,
    path: str,
    hr: FluxHelmRelease,
    rendering: RenderingLike | None,
    scope: FluxScope | None,
    several: bool,
) -> Iterator[ServiceAccount]:
    variables = scope.variables if scope is not None else NO_VARIABLES
    namespace: Str = "default"
    where: Location | None = None
    written = field_value(hr.namespace, variables)
    if scope is not None and scope.target_namespace is not None:
        namespace, where = scope.target_namespace, scope.namespace_loc
    elif rendering is not None and rendering.namespace:
        namespace, where = known_or_unknown(field_value(rendering.namespace, variables)), rendering.via
    elif written is not None:
        namespace, where = written, hr.namespace_loc
    name = field_value(hr.name, variables)
    target = field_value(hr.target_namespace, variables)
    release_text = field_value(hr.release_name, variables)
    release: Str | None = UNKNOWN
    if isinstance(name, str) and target is not UNKNOWN and release_text is not UNKNOWN:
        release = release_name(
            name, release_text if isinstance(release_text, str) else None, target if isinstance(target, str) else None
        )
    elif isinstance(release_text, str) and release_text:
        release = release_text
    release_namespace = target if target is not None else namespace
    if target is not None:
        where = hr.target_namespace_loc
    label = ""
    if several:
        label = scope.label if scope is not None else (rendering.top or "") if rendering is not None else ""
    unit = scope.unit if scope is not None else rendering.top if rendering is not None else None
    base = Release(
        id=f"flux:HelmRelease:{show(namespace)}/{show(name)}@{path}:{hr.loc.line}"
           + (f"%{label}" if several else ""),
        chart=field_value(hr.chart, variables), name=release, namespace=release_namespace, loc=hr.loc,
        related=(where,) if where is not None else (), unit=unit, rendering=label,
    )
    for index, layers in enumerate(_flux_layers(project, hr, namespace)):
        release_record = replace(base, id=base.id + (f"#{index}" if index else ""))
        yield from service_accounts(Merged(layers, _substitute(project, path, variables)), release_record)


def _substitute(project: GitOpsProject, own_path: str, own: Variables) -> Callable[[ValueLeaf], Raw | RoleRef]:
    """A leaf's value after the substitution of the Flux Kustomization that applies its file (a
    scanned role when the leaf is exactly a variable holding one)."""

    def substitute(leaf: ValueLeaf) -> Raw | RoleRef:
        if not isinstance(leaf.value, str):
            return leaf.value
        variables = own if leaf.loc.path == own_path else project.variables_of(leaf.loc.path)
        return variables.role_ref(leaf.value) or variables.substitute(leaf.value)

    return substitute


def _flux_layers(project: GitOpsProject, hr: FluxHelmRelease, namespace: Str) -> Iterator[list[Layer]]:
    """The values layers, once per combination of same-named ConfigMaps (one per cluster...)."""
    options: list[list[Layer | None]] = []
    for ref in hr.values_from:
        options.append(_values_ref(project, ref, namespace))
    combinations = list(itertools.islice(itertools.product(*options), _MAX_VARIANTS + 1))
    if len(combinations) > _MAX_VARIANTS:  # too many: every ambiguous reference is unknown
        options = [o if len(o) == 1 else [Layer(None, _target(ref))] for o, ref in zip(options, hr.values_from)]
        combinations = list(itertools.product(*options))
    for combination in combinations:
        layers: list[Layer] = [Layer(None)] if hr.chart_values_files else []
        layers.extend(layer for layer in combination if layer is not None)
        if hr.values is not None:
            layers.append(Layer(hr.values))
            for ref in hr.values_from:  # Flux's docs and code disagree on which wins here
                target = _target(ref)
                if target and any(leaf.path[: len(target)] == target for leaf in hr.values.leaves):
                    layers.append(Layer(None, target))
        yield layers


def _values_ref(project: GitOpsProject, ref: ValuesRef, namespace: Str) -> list[Layer | None]:
    target = _target(ref)
    if ref.kind not in ("ConfigMap", "Secret") or (ref.target_path and target is None):
        return [Layer(None, target)]
    found = project.index.candidates(ref, namespace)
    if not found:
        # not in the repository: absent when optional (Flux skips it), else made elsewhere
        absent = ref.optional and not project.index.named_anywhere(ref)
        return [None] if absent else [Layer(None, target)]
    return [_values_entry(project, ref, data, target) for data in found]


def _values_entry(
    project: GitOpsProject, ref: ValuesRef, data: ConfigData, target: tuple[str, ...] | None) -> Layer | None:
    entry = next((e for e in data.entries if e.key == ref.key), None)
    if entry is None:
        return None if data.complete and ref.optional else Layer(None, target)
    if target is not None:
        if entry.text is None:
            return Layer(None, target)
        return Layer(ValuesDoc((ValueLeaf(target, entry.text, entry.loc),)))
    values = project.index.values_of(entry)
    if entry.file is not None:
        project.consumed.add(entry.file)
    return Layer(values)


def _target(ref: ValuesRef) -> tuple[str, ...] | None:
    return helm_path(ref.target_path) if ref.target_path else None
