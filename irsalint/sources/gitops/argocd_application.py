"""Argo CD `Application` and `ApplicationSet` (argoproj.io).

Read from `spec.source` / `spec.sources[]` (an ApplicationSet: `spec.template.spec`): `chart`,
`path`, `ref`, `helm.releaseName`, `helm.valueFiles`, `helm.ignoreMissingValueFiles`,
`helm.values` (a YAML string, placed at its lines when it is a literal block `|`),
`helm.valuesObject` (a mapping), `helm.parameters` (`name` in Helm `--set` syntax, `value`,
`forceString`), and `spec.destination.namespace`. Not read: `helm.fileParameters`, Kustomize and
plugin sources, ApplicationSet generators (a `{{...}}` stays a placeholder).

Values precedence (Argo CD's documentation): parameters > valuesObject > values > valueFiles >
the chart's values.yaml; `valuesObject`, when set, replaces `values` entirely. The release name is
`helm.releaseName`, else the Application's name."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import yaml

from irsalint.model import Location
from irsalint.sources.gitops.common import Restore, flag, raw, raw_text, same
from irsalint.sources.gitops.records import ArgoApplication, ArgoSource, ValueFile, ValueLeaf, ValuesDoc
from irsalint.sources.gitops.values import values_from_node, values_from_string
from irsalint.sources.terraform.helm import helm_path
from irsalint.yamlutil import get, get_key

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
