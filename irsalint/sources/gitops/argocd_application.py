"""Argo CD `Application` and `ApplicationSet` (argoproj.io).

Read from `spec.source` / `spec.sources[]` (an ApplicationSet: `spec.template.spec`): `chart`,
`path`, `ref`, `helm.releaseName`, `helm.valueFiles`, `helm.ignoreMissingValueFiles`,
`helm.values` (a YAML string, placed at its lines when it is a literal block `|`),
`helm.valuesObject` (a mapping), `helm.parameters` (`name` in Helm `--set` syntax, `value`,
`forceString`), and `spec.destination.namespace`. Not read: `helm.fileParameters`, Kustomize and
plugin sources, ApplicationSet generators (a `{{...}}` stays a placeholder).

Values precedence (Argo CD's documentation): parameters > valuesObject > values > valueFiles >
the chart's values.yaml; `valuesObject`, when set, replaces `values` entirely. The release name is
`helm.releaseName`, else the Application's name.

Loader side: `read`. Project side: `accounts` (the ServiceAccounts each Helm source renders)."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

import yaml

from irsalint.model import UNKNOWN, Location, ServiceAccount
from irsalint.placeholders import has_placeholder
from irsalint.sources.gitops.common import Restore, contains, flag, raw, raw_text, same, show
from irsalint.sources.gitops.configmaps import values_in_file
from irsalint.sources.gitops.flux_postbuild import field_value
from irsalint.sources.gitops.helm_accounts import Layer, Merged, Release, service_accounts
from irsalint.sources.gitops.records import ArgoApplication, ArgoSource, Raw, ValueFile, ValueLeaf, ValuesDoc
from irsalint.sources.gitops.values import values_from_node, values_from_string
from irsalint.sources.terraform.helm import helm_path
from irsalint.yamlutil import get, get_key

if TYPE_CHECKING:
    from irsalint.sources.gitops.render import GitOpsProject

API_GROUP = "argoproj.io/"
KINDS = ("Application", "ApplicationSet")

Locate = Callable[[yaml.Node], Location]


def read(
    path: str, kind: str, node: yaml.Node, locate: Locate, lines: Sequence[str], restore: Restore = same
) -> ArgoApplication:
    metadata = get(node, "metadata")
    spec = get(node, "spec")
    if kind == "ApplicationSet":
        template = get(spec, "template")
        metadata, spec = get(template, "metadata"), get(template, "spec")
    name_key = get_key(metadata, "name")
    where = locate(name_key if name_key is not None else (metadata or node))
    sources: list[ArgoSource] = []
    single = get(spec, "source")
    if single is not None:
        sources.append(_source(path, single, locate, lines, restore))
    listed = get(spec, "sources")
    for item in listed.value if isinstance(listed, yaml.SequenceNode) else ():
        sources.append(_source(path, item, locate, lines, restore))
    namespace_key = get_key(get(spec, "destination"), "namespace")
    return ArgoApplication(
        kind=kind,
        name=raw(get(metadata, "name"), restore),
        destination_namespace=raw(get(get(spec, "destination"), "namespace"), restore),
        sources=tuple(sources),
        loc=where,
        namespace_loc=locate(namespace_key) if namespace_key is not None else None,
    )


def _source(path: str, node: yaml.Node, locate: Locate, lines: Sequence[str], restore: Restore) -> ArgoSource:
    helm = get(node, "helm")
    files = get(helm, "valueFiles")
    value_files = tuple(
        ValueFile(text, locate(item))
        for item in (files.value if isinstance(files, yaml.SequenceNode) else ())
        for text in [raw_text(item, restore)]
        if text is not None
    )
    values: ValuesDoc | None = None
    values_node = get(helm, "values")
    values_key = get_key(helm, "values")
    if isinstance(values_node, yaml.ScalarNode) and values_key is not None and not values_node.tag.endswith(":null"):
        values = values_from_string(values_node, path, lines, locate(values_key), restore)
    elif isinstance(values_node, yaml.MappingNode):  # some users write a mapping here
        values = values_from_node(values_node, locate, restore)
    values_object = None
    if get_key(helm, "valuesObject") is not None:
        values_object = values_from_node(get(helm, "valuesObject"), locate, restore)
    return ArgoSource(
        chart=raw(get(node, "chart"), restore),
        path=raw(get(node, "path"), restore),
        ref=raw(get(node, "ref"), restore),
        release_name=raw(get(helm, "releaseName"), restore),
        value_files=value_files,
        ignore_missing=flag(get(helm, "ignoreMissingValueFiles")),
        values=values,
        values_object=values_object,
        parameters=tuple(_parameters(get(helm, "parameters"), locate, restore)),
        loc=locate(node),
    )


def _parameters(node: yaml.Node | None, locate: Locate, restore: Restore) -> Iterator[ValueLeaf]:
    """`--set`-style parameters: `true`/`false`/`null` are typed unless `forceString`."""
    for item in node.value if isinstance(node, yaml.SequenceNode) else ():
        name = raw_text(get(item, "name"), restore)
        keys = helm_path(name) if name else None
        if keys is None:
            continue
        value_key = get_key(item, "value")
        text = raw_text(get(item, "value"), restore) or ""
        value: str | bool | None = text
        if not flag(get(item, "forceString")) and text in ("true", "false", "null"):
            value = None if text == "null" else text == "true"
        yield ValueLeaf(keys, value, locate(value_key if value_key is not None else item))


# --- project side ---------------------------------------------------------------------------------


def accounts(project: GitOpsProject) -> Iterator[ServiceAccount]:
    for path, app in project.applications:
        namespace = field_value(app.destination_namespace)
        app_name = field_value(app.name)
        refs: dict[Raw, ArgoSource] = {s.ref: s for s in app.sources if isinstance(s.ref, str)}
        for index, source in enumerate(app.sources):
            layers = list(_argo_layers(project, path, source, refs))
            release_text = field_value(source.release_name)
            chart = field_value(source.chart)
            suffix = f"[{index}]" if len(app.sources) > 1 else ""
            release = Release(
                id=f"argocd:{app.kind}:{show(app_name)}{suffix}@{path}:{app.loc.line}",
                chart=chart,
                name=release_text if release_text is not None else app_name,
                namespace=namespace if namespace is not None else UNKNOWN,
                loc=app.loc,
                related=(app.namespace_loc,) if app.namespace_loc is not None else (),
                unit=posixpath.dirname(path),
            )
            yield from service_accounts(Merged(layers), release)


def _argo_layers(
    project: GitOpsProject, path: str, source: ArgoSource, refs: Mapping[Raw, ArgoSource]
) -> Iterator[Layer]:
    base = None
    if isinstance(source.path, str) and not has_placeholder(source.path):
        base = project.locate(source.path, path, True)
    if base is not None:
        chart_values = values_in_file(_join(base, "values.yaml"), project.values_files, project.read)
        if chart_values is not None:
            project.consumed.add(_join(base, "values.yaml"))
            yield Layer(chart_values)
    for value_file in source.value_files:
        yield _value_file(project, path, value_file.text, base, source, refs)
    if source.values_object is not None:
        yield Layer(source.values_object)
    elif source.values is not None:
        yield Layer(source.values)
    if source.parameters:
        yield Layer(ValuesDoc(source.parameters))


def _value_file(
    project: GitOpsProject, path: str, text: str, base: str | None, source: ArgoSource, refs: Mapping[Raw, ArgoSource]
) -> Layer:
    if has_placeholder(text) or "://" in text:
        return Layer(None)
    if text.startswith("$"):  # `$ref/path`: a file of the source whose `ref:` is `ref`
        ref, _, rest = text[1:].partition("/")
        if ref not in refs:
            return Layer(None)
        located = project.locate(rest, path, False)
        file = located if located is not None else posixpath.normpath(rest)
    elif base is not None:
        file = _join(base, text)
    else:
        return Layer(None)  # a file of a chart from a Helm repository
    if file.startswith(".."):
        return Layer(None)
    values = values_in_file(file, project.values_files, project.read)
    if values is not None:
        project.consumed.add(file)
        return Layer(values)
    directory = posixpath.dirname(file)
    in_repository = any(contains(directory, p) for p in project.read) if directory else False
    if source.ignore_missing and in_repository:
        return Layer(ValuesDoc(()))  # Argo CD skips a missing file of this repository
    return Layer(None)


def _join(base: str, relative: str) -> str:
    return posixpath.normpath(posixpath.join(base, relative))
