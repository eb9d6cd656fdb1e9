"""What the loader keeps of GitOps objects, per file (frozen, picklable: cached and sent between
processes). The project stage (irsalint.sources.gitops.render) joins them across files.

Values are kept as written (raw text) so that Flux postBuild substitution can run before a value
is modelled; `irsalint.placeholders.placeholder_value` turns them into model values at the end."""

from __future__ import annotations

from typing import Union

from irsalint.model import Location, RoleRef
from irsalint.record import record

# A scalar as written: its text, a YAML bool, or None for an explicit null (Helm deletes the key).
Raw = Union[str, bool, None]


@record
class ValueLeaf:
    """One scalar of a Helm values tree that can matter for a ServiceAccount."""

    path: tuple[str, ...]  # ("serviceAccount", "annotations", "eks.amazonaws.com/role-arn")
    value: Raw
    loc: Location  # the key (YAML) or the entry that sets it (`--set`-style)


@record
class ValuesDoc:
    """The ServiceAccount-relevant leaves of one values document. `complete` is False when the
    document could not be read (then it may set anything)."""

    leaves: tuple[ValueLeaf, ...]
    complete: bool = True


@record
class ValuesFile:
    """A YAML file that is not a Kubernetes object but may be Helm values (a configMapGenerator
    file, an Argo CD valueFile, a chart's values.yaml)."""

    path: str
    values: ValuesDoc


@record
class DataEntry:
    """One key of a ConfigMap / Secret (or of a kustomize generator)."""

    key: str
    text: str | None  # the value as written; None when it cannot be read (SOPS, binary, too long)
    values: ValuesDoc | None  # the value parsed as Helm values, with positions in the file
    loc: Location
    file: str | None = None  # a generator's `files:` entry: repository-relative path of the file
    # a ConfigMap Terraform writes (`kubernetes_config_map`): the value is this scanned role's ARN
    ref: RoleRef | None = None


@record
class ConfigData:
    """A ConfigMap or Secret found in the repository: a manifest, or a kustomize generator."""

    kind: str  # "ConfigMap" | "Secret"
    name: str
    namespace: str | None  # as written (None: from the rendering)
    entries: tuple[DataEntry, ...]
    complete: bool  # False: some keys are not readable here (an `envs:` file, a malformed entry)
    loc: Location
    generated: bool = False


@record
class ValuesRef:
    """A Flux `valuesFrom` entry, or a Flux `substituteFrom` entry (no key, no target)."""

    kind: str
    name: str | None  # None: not a plain string
    key: str
    target_path: str | None
    optional: bool
    loc: Location


@record
class FluxHelmRelease:
    name: Raw
    namespace: Raw  # metadata.namespace as written (None: absent)
    release_name: Raw
    target_namespace: Raw
    chart: Raw  # spec.chart.spec.chart (None for chartRef)
    values: ValuesDoc | None  # spec.values
    values_from: tuple[ValuesRef, ...]
    chart_values_files: bool  # spec.chart.spec.valuesFiles lists files besides values.yaml
    loc: Location  # metadata.name
    target_namespace_loc: Location | None = None
    namespace_loc: Location | None = None


@record
class FluxKustomization:
    name: Raw
    namespace: Raw
    path: Raw  # spec.path as written
    target_namespace: Raw
    substitute: tuple[tuple[str, Raw, Location], ...]
    substitute_from: tuple[ValuesRef, ...]
    loc: Location  # metadata.name
    target_namespace_loc: Location | None = None
    source_kind: Raw = None  # spec.sourceRef: only a GitRepository can be this repository
    source_name: Raw = None


@record
class ValueFile:
    """An Argo CD `helm.valueFiles` entry as written."""

    text: str
    loc: Location


@record
class ArgoSource:
    chart: Raw  # `chart` (a Helm repository source)
    path: Raw  # `path` (a Git source)
    ref: Raw  # `ref` (a multi-source values reference)
    release_name: Raw
    value_files: tuple[ValueFile, ...]
    ignore_missing: bool
    values: ValuesDoc | None  # `helm.values` (a YAML string)
    values_object: ValuesDoc | None  # `helm.valuesObject` (wins over `values` entirely)
    parameters: tuple[ValueLeaf, ...]  # `helm.parameters`, as `--set` leaves
    loc: Location


@record
class ArgoApplication:
    kind: str  # "Application" | "ApplicationSet"
    name: Raw  # the Application's name (an ApplicationSet: its template's)
    destination_namespace: Raw
    sources: tuple[ArgoSource, ...]
    loc: Location
    namespace_loc: Location | None = None  # destination.namespace


@record
class RawFields:
    """Fields of a ServiceAccount or workload written with `${VAR}` placeholders, kept as text for
    Flux postBuild substitution (the model keeps them as unknown)."""

    name_loc: Location  # identifies the object (its metadata.name key)
    fields: tuple[tuple[str, str], ...]  # ("name" | "namespace" | "serviceAccountName" |
    # "annotation:<key>" | "template-annotation:<key>", text)


GitOpsRecord = Union[ValuesFile, ConfigData, FluxHelmRelease, FluxKustomization, ArgoApplication, RawFields]

