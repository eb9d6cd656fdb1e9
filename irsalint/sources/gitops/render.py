"""Project stage: the GitOps records of every file joined into ServiceAccounts.

* Flux Kustomizations: which files each renders, its variables, and the unit (cluster directory)
  its objects are deployed from; manifests they render get their `${VAR}`s substituted.
* Flux HelmReleases and Argo CD Applications: their values layers (ConfigMaps, Secrets, values
  files found in the repository) merged into the ServiceAccounts the chart renders.
* Helm values files a release consumes no longer stand alone (their unknown-namespace copies are
  dropped): the release places them."""

from __future__ import annotations

import itertools
import posixpath
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol, TypeVar

from irsalint.model import UNKNOWN, Annotation, Location, ServiceAccount, Str, Workload
from irsalint.placeholders import has_placeholder, placeholder_value
from irsalint.sources.gitops import flux_helmrelease
from irsalint.sources.gitops.configmaps import ConfigIndex, values_in_file
from irsalint.sources.gitops.flux_postbuild import (
    NO_VARIABLES,
    Variables,
    disabled,
    normalize_path,
    rendered_files,
)
from irsalint.sources.gitops.helm_accounts import Layer, Merged, Release, service_accounts
from irsalint.sources.gitops.records import (
    ArgoApplication,
    ArgoSource,
    ConfigData,
    FluxHelmRelease,
    FluxKustomization,
    GitOpsRecord,
    Raw,
    RawFields,
    ValueLeaf,
    ValuesDoc,
    ValuesFile,
    ValuesRef,
)
from irsalint.sources.terraform.helm import helm_path

_MAX_VARIANTS = 16
_Placed = TypeVar("_Placed", ServiceAccount, Workload)


class KustomizationLike(Protocol):
    @property
    def namespace(self) -> str | None: ...
    @property
    def resources(self) -> tuple[str, ...]: ...


class FileLike(Protocol):
    @property
    def path(self) -> str: ...
    @property
    def gitops(self) -> tuple[GitOpsRecord, ...]: ...
    @property
    def kustomization(self) -> KustomizationLike | None: ...


class RenderingLike(Protocol):
    @property
    def namespace(self) -> str | None: ...
    @property
    def top(self) -> str | None: ...
    @property
    def via(self) -> Location | None: ...


@dataclass(frozen=True, slots=True)
class FluxScope:
    """One Flux Kustomization as it applies to the files it renders."""

    label: str  # names this rendering in ids and merged findings
    root: str  # its spec.path
    unit: str  # the directory its objects are deployed from
    variables: Variables
    target_namespace: str | None
    loc: Location
    namespace_loc: Location | None  # spec.targetNamespace


def _text(value: Raw, variables: Variables = NO_VARIABLES) -> Str | None:
    """A field as the model sees it: None when absent, UNKNOWN when not fully known."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    modelled = placeholder_value(variables.substitute(value))
    return modelled if isinstance(modelled, str) else UNKNOWN


def _known_or_unknown(value: Str | None) -> Str:
    return UNKNOWN if value is None else value


def _contains(outer: str, inner: str) -> bool:
    return outer == "" or inner == outer or inner.startswith(outer + "/")


class GitOpsProject:
    def __init__(
        self, files: Sequence[FileLike], renderings: Mapping[str, Sequence[RenderingLike]], read: frozenset[str]
    ) -> None:
        self.renderings = renderings
        self.read = read
        self.values_files: dict[str, ValuesFile] = {}
        self.raw_fields: dict[Location, RawFields] = {}
        configs: list[ConfigData] = []
        self.config_paths: dict[int, str] = {}
        self.helm_releases: list[tuple[str, FluxHelmRelease]] = []
        self.flux_kustomizations: list[tuple[str, FluxKustomization]] = []
        self.applications: list[tuple[str, ArgoApplication]] = []
        self.kustomizations: dict[str, tuple[str, ...]] = {}
        manifests: set[str] = set()
        for file in files:
            if file.kustomization is not None:
                self.kustomizations[posixpath.dirname(file.path)] = file.kustomization.resources
            else:
                manifests.add(file.path)
            for record in file.gitops:
                if isinstance(record, ValuesFile):
                    self.values_files[record.path] = record
                elif isinstance(record, RawFields):
                    self.raw_fields[record.name_loc] = record
                elif isinstance(record, ConfigData):
                    configs.append(record)
                elif isinstance(record, FluxHelmRelease):
                    self.helm_releases.append((file.path, record))
                elif isinstance(record, FluxKustomization):
                    self.flux_kustomizations.append((file.path, record))
                elif isinstance(record, ArgoApplication):
                    self.applications.append((file.path, record))
        self.manifests = manifests
        self.index = ConfigIndex(configs, self.values_files, read, self._placed(configs))
        self.consumed: set[str] = set()  # values files a release reads
        self.scopes: dict[str, list[FluxScope]] = {}  # file (or kustomization dir) -> scopes
        if self.flux_kustomizations:
            self._flux_scopes()

    def _placed(self, configs: Sequence[ConfigData]) -> dict[Location, frozenset[str | None]]:
        """The namespaces a ConfigMap / Secret manifest lands in: kustomize's, else its own."""
        placed: dict[Location, frozenset[str | None]] = {}
        for data in configs:
            if data.generated:
                continue
            renderings = self.renderings.get(data.loc.path, ())
            namespaces: set[str | None] = {r.namespace for r in renderings if r.namespace}
            if not renderings or any(not r.namespace for r in renderings):
                namespaces.add(data.namespace)
            placed[data.loc] = frozenset(namespaces)
        return placed

    # --- Flux Kustomizations ----------------------------------------------------------------------

    def _flux_scopes(self) -> None:
        """Every Kustomization's scope, computed again with the parents found by the previous
        round until nothing changes: a child's unit, its `${VAR}` path and target namespace
        depend on the Kustomization that renders its file (flux-system -> apps -> app)."""
        kustomizations = sorted(self.flux_kustomizations, key=lambda item: item[1].loc)
        rendered: dict[str, list[str]] = {}
        previous: dict[str, list[FluxScope]] = {}
        for _round in range(6):
            current: dict[str, list[FluxScope]] = {}
            for path, fk in kustomizations:
                parents = [s for s in previous.get(path, []) if s.loc != fk.loc]
                parent = parents[0] if len(parents) == 1 else None
                root = self._root(path, fk, parent)
                if root is None:
                    continue
                scope = self._scope(path, fk, root, parent)
                if root not in rendered:
                    files, directories = rendered_files(root, self.kustomizations, self.manifests)
                    rendered[root] = sorted(files | directories)
                for target in rendered[root]:
                    if scope not in current.setdefault(target, []):
                        current[target].append(scope)
            if current == previous:
                break
            previous = current
        self.scopes = previous

    def _root(self, path: str, fk: FluxKustomization, parent: FluxScope | None) -> str | None:
        """The directory a Flux Kustomization builds, when its source is this repository: a
        GitRepository (an OCIRepository or Bucket holds other files). The whole repository
        (no path, `./`) only for `flux-system`, the source `flux bootstrap` makes of it."""
        if fk.source_kind != "GitRepository":
            return None
        text = _text(fk.path, parent.variables if parent else NO_VARIABLES) if fk.path is not None else ""
        if not isinstance(text, str):
            return None
        if normalize_path(text) == "" and fk.source_name != "flux-system":
            return None
        return self.locate(text, path, directory=True)

    def locate(self, text: str, near: str, directory: bool) -> str | None:
        """A path written relative to the repository root, as scanned. When it is not there, the
        scanned tree may be a copy of the Git source below the root (a fixture, a monorepo folder
        pushed as its own repository): the nearest directory above `near` that holds it."""
        relative = normalize_path(text)
        if relative is None:
            return None
        ancestors = [posixpath.dirname(near)]
        while ancestors[-1]:
            ancestors.append(posixpath.dirname(ancestors[-1]))
        for base in ["", *ancestors[:-1]]:
            candidate = posixpath.join(base, relative) if relative else base
            if directory and (candidate in self.kustomizations or any(_contains(candidate, p) for p in self.read)):
                return candidate
            if not directory and candidate in self.read:
                return candidate
        return None

    def _scope(self, path: str, fk: FluxKustomization, root: str, parent: FluxScope | None) -> FluxScope:
        variables = self._variables(fk, parent)
        if root and _contains(root, path):
            unit = root  # a cluster's own Kustomization (flux-system) renders the directory it is in
        elif parent is not None:
            unit = parent.unit
        else:
            unit = posixpath.dirname(path)
        target = _text(fk.target_namespace, parent.variables if parent else NO_VARIABLES)
        name = _text(fk.name) if fk.name is not None else None
        label = f"Kustomization {name}" if isinstance(name, str) else f"Kustomization at {fk.loc}"
        return FluxScope(label, root, unit, variables, target if isinstance(target, str) else None, fk.loc,
                         fk.target_namespace_loc)

    def _variables(self, fk: FluxKustomization, parent: FluxScope | None) -> Variables:
        values: dict[str, str | None] = {}
        closed = True
        namespace = _text(fk.namespace)
        for ref in fk.substitute_from:
            found = self.index.candidates(ref, namespace if isinstance(namespace, str) else UNKNOWN)
            if not found:
                # an optional source that is not in the repository is empty (as Flux treats a
                # missing one); one of that name in another namespace may be misplaced by us
                closed = closed and ref.optional and not self.index.named_anywhere(ref)
                continue
            if len(found) > 1:
                closed = False
                continue
            data = found[0]
            closed = closed and data.complete
            for entry in data.entries:
                if entry.file is not None:
                    closed = False  # a generator `files:` entry holds a file's text, not a variable
                    continue
                values[entry.key] = entry.text
        parent_variables = parent.variables if parent else NO_VARIABLES
        for key, value, _loc in fk.substitute:
            if value is None:
                values[key] = ""
            elif isinstance(value, bool):
                values[key] = str(value).lower()
            else:
                text = parent_variables.substitute(value)
                values[key] = None if has_placeholder(text) else text
        return Variables(values, closed)

    def scopes_of(self, path: str, top: str | None = None) -> list[FluxScope]:
        """The Flux Kustomizations that render a file (through the kustomize rendering `top`)."""
        found = self.scopes.get(path, [])
        if top is None:
            return list(found)
        return [s for s in found if _contains(s.root, top) or _contains(top, s.root)]

    def variables_of(self, path: str) -> Variables:
        """The variables substituted in a file (or a generator's file, through the kustomization
        directory beside it), when exactly one Flux Kustomization renders it."""
        found = self.scopes.get(path) or self.scopes.get(posixpath.dirname(path), [])
        return found[0].variables if len(found) == 1 else NO_VARIABLES

    # --- manifests -------------------------------------------------------------------------------

    def render_service_accounts(self, sas: Sequence[ServiceAccount]) -> Iterator[ServiceAccount]:
        for sa in sas:
            scopes = self.scopes_of(sa.name_loc.path, sa.unit) if sa.origin == "manifest" else []
            if not scopes:
                yield _placeholder_namespace_unknown(sa)
                continue
            for scope in scopes:
                yield self._substituted_sa(sa, scope, several=len(scopes) > 1)

    def _substituted_sa(self, sa: ServiceAccount, scope: FluxScope, several: bool) -> ServiceAccount:
        fields = dict(self.raw_fields[sa.name_loc].fields) if sa.name_loc in self.raw_fields else {}
        variables = NO_VARIABLES if disabled([(a.key, a.value) for a in (*sa.annotations, *sa.labels)]) \
            else scope.variables
        annotations = tuple(
            replace(a, value=placeholder_value(variables.substitute(fields["annotation:" + a.key])))
            if "annotation:" + a.key in fields else a
            for a in sa.annotations
        )
        name = _text(fields["name"], variables) if "name" in fields else sa.name
        namespace: Str = sa.namespace
        related = sa.related
        if scope.target_namespace is not None:
            namespace = scope.target_namespace
            related = (*related, scope.namespace_loc or scope.loc)
        elif "namespace" in fields and sa.namespace is UNKNOWN:
            namespace = _known_or_unknown(_text(fields["namespace"], variables))
        elif isinstance(sa.namespace, str):  # kustomize may have set `${VAR}`: Flux substitutes it
            namespace = _known_or_unknown(_text(sa.namespace, variables))
        return replace(
            sa,
            id=f"{sa.id}%{scope.loc.path}:{scope.loc.line}" if several else sa.id,
            name=name if name is not None else UNKNOWN,
            namespace=namespace,
            annotations=annotations,
            related=related,
            unit=scope.unit,
            rendering=scope.label if several else sa.rendering,
        )

    def render_workloads(self, workloads: Sequence[Workload]) -> Iterator[Workload]:
        for workload in workloads:
            scopes = self.scopes_of(workload.name_loc.path, workload.unit)
            if not scopes:
                yield _placeholder_namespace_unknown(workload)
                continue
            for scope in scopes:
                yield self._substituted_workload(workload, scope, several=len(scopes) > 1)

    def _substituted_workload(self, workload: Workload, scope: FluxScope, several: bool) -> Workload:
        fields = dict(self.raw_fields[workload.name_loc].fields) if workload.name_loc in self.raw_fields else {}
        variables = NO_VARIABLES if disabled([(a.key, a.value) for a in workload.annotations]) else scope.variables

        def annotations(items: tuple[Annotation, ...], prefix: str) -> tuple[Annotation, ...]:
            return tuple(
                replace(a, value=placeholder_value(variables.substitute(fields[prefix + a.key])))
                if prefix + a.key in fields else a
                for a in items
            )

        namespace: Str = workload.namespace
        related = workload.related
        if scope.target_namespace is not None:
            namespace = scope.target_namespace
            related = (*related, scope.namespace_loc or scope.loc)
        elif "namespace" in fields and workload.namespace is UNKNOWN:
            namespace = _known_or_unknown(_text(fields["namespace"], variables))
        elif isinstance(workload.namespace, str):
            namespace = _known_or_unknown(_text(workload.namespace, variables))
        account = _text(fields["serviceAccountName"], variables) if "serviceAccountName" in fields else None
        return replace(
            workload,
            id=f"{workload.id}%{scope.loc.path}:{scope.loc.line}" if several else workload.id,
            namespace=namespace,
            service_account=account if account is not None else workload.service_account,
            annotations=annotations(workload.annotations, "annotation:"),
            template_annotations=annotations(workload.template_annotations, "template-annotation:"),
            related=related,
            unit=scope.unit,
            rendering=scope.label if several else workload.rendering,
        )

    # --- Flux HelmReleases -------------------------------------------------------------------------

    def helm_release_accounts(self) -> Iterator[ServiceAccount]:
        for path, hr in self.helm_releases:
            placements: list[tuple[RenderingLike | None, FluxScope | None]] = []
            for rendering in self.renderings.get(path, ()) or (None,):
                scopes = self.scopes_of(path, rendering.top if rendering is not None else None)
                options: list[FluxScope | None] = [*scopes] if scopes else [None]
                placements.extend((rendering, scope) for scope in options)
            for rendering, scope in placements:
                yield from self._helm_release(path, hr, rendering, scope, several=len(placements) > 1)

    def _helm_release(
        self, path: str, hr: FluxHelmRelease, rendering: RenderingLike | None, scope: FluxScope | None, several: bool
    ) -> Iterator[ServiceAccount]:
        variables = scope.variables if scope is not None else NO_VARIABLES
        namespace: Str = "default"
        where: Location | None = None
        written = _text(hr.namespace, variables)
        if scope is not None and scope.target_namespace is not None:
            namespace, where = scope.target_namespace, scope.namespace_loc
        elif rendering is not None and rendering.namespace:
            namespace, where = _known_or_unknown(_text(rendering.namespace, variables)), rendering.via
        elif written is not None:
            namespace, where = written, hr.namespace_loc
        name = _text(hr.name, variables)
        target = _text(hr.target_namespace, variables)
        release_text = _text(hr.release_name, variables)
        release: Str | None = UNKNOWN
        if isinstance(name, str) and target is not UNKNOWN and release_text is not UNKNOWN:
            release = flux_helmrelease.release_name(
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
            id=f"flux:HelmRelease:{_show(namespace)}/{_show(name)}@{path}:{hr.loc.line}"
               + (f"%{label}" if several else ""),
            chart=_text(hr.chart, variables), name=release, namespace=release_namespace, loc=hr.loc,
            related=(where,) if where is not None else (), unit=unit, rendering=label,
        )
        for index, layers in enumerate(self._flux_layers(hr, namespace)):
            release_record = replace(base, id=base.id + (f"#{index}" if index else ""))
            yield from service_accounts(Merged(layers, self._substitute(path, variables)), release_record)

    def _substitute(self, own_path: str, own: Variables) -> Callable[[ValueLeaf], Raw]:
        """A leaf's value after the substitution of the Flux Kustomization that applies its file."""

        def substitute(leaf: ValueLeaf) -> Raw:
            if not isinstance(leaf.value, str):
                return leaf.value
            variables = own if leaf.loc.path == own_path else self.variables_of(leaf.loc.path)
            return variables.substitute(leaf.value)

        return substitute

    def _flux_layers(self, hr: FluxHelmRelease, namespace: Str) -> Iterator[list[Layer]]:
        """The values layers, once per combination of same-named ConfigMaps (one per cluster...)."""
        options: list[list[Layer | None]] = []
        for ref in hr.values_from:
            options.append(self._values_ref(ref, namespace))
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

    def _values_ref(self, ref: ValuesRef, namespace: Str) -> list[Layer | None]:
        target = _target(ref)
        if ref.kind not in ("ConfigMap", "Secret") or (ref.target_path and target is None):
            return [Layer(None, target)]
        found = self.index.candidates(ref, namespace)
        if not found:
            # not in the repository: absent when optional (Flux skips it), else made elsewhere
            absent = ref.optional and not self.index.named_anywhere(ref)
            return [None] if absent else [Layer(None, target)]
        return [self._values_entry(ref, data, target) for data in found]

    def _values_entry(self, ref: ValuesRef, data: ConfigData, target: tuple[str, ...] | None) -> Layer | None:
        entry = next((e for e in data.entries if e.key == ref.key), None)
        if entry is None:
            return None if data.complete and ref.optional else Layer(None, target)
        if target is not None:
            if entry.text is None:
                return Layer(None, target)
            return Layer(ValuesDoc((ValueLeaf(target, entry.text, entry.loc),)))
        values = self.index.values_of(entry)
        if entry.file is not None:
            self.consumed.add(entry.file)
        return Layer(values)

    # --- Argo CD -----------------------------------------------------------------------------------

    def application_accounts(self) -> Iterator[ServiceAccount]:
        for path, app in self.applications:
            namespace = _text(app.destination_namespace)
            app_name = _text(app.name)
            refs: dict[Raw, ArgoSource] = {s.ref: s for s in app.sources if isinstance(s.ref, str)}
            for index, source in enumerate(app.sources):
                layers = list(self._argo_layers(path, source, refs))
                release_text = _text(source.release_name)
                chart = _text(source.chart)
                suffix = f"[{index}]" if len(app.sources) > 1 else ""
                release = Release(
                    id=f"argocd:{app.kind}:{_show(app_name)}{suffix}@{path}:{app.loc.line}",
                    chart=chart,
                    name=release_text if release_text is not None else app_name,
                    namespace=namespace if namespace is not None else UNKNOWN,
                    loc=app.loc,
                    related=(app.namespace_loc,) if app.namespace_loc is not None else (),
                    unit=posixpath.dirname(path),
                )
                yield from service_accounts(Merged(layers), release)

    def _argo_layers(self, path: str, source: ArgoSource, refs: Mapping[Raw, ArgoSource]) -> Iterator[Layer]:
        base = None
        if isinstance(source.path, str) and not has_placeholder(source.path):
            base = self.locate(source.path, path, directory=True)
        if base is not None:
            chart_values = values_in_file(_join(base, "values.yaml"), self.values_files, self.read)
            if chart_values is not None:
                self.consumed.add(_join(base, "values.yaml"))
                yield Layer(chart_values)
        for value_file in source.value_files:
            yield self._value_file(path, value_file.text, base, source, refs)
        if source.values_object is not None:
            yield Layer(source.values_object)
        elif source.values is not None:
            yield Layer(source.values)
        if source.parameters:
            yield Layer(ValuesDoc(source.parameters))

    def _value_file(
        self, path: str, text: str, base: str | None, source: ArgoSource, refs: Mapping[Raw, ArgoSource]
    ) -> Layer:
        if has_placeholder(text) or "://" in text:
            return Layer(None)
        if text.startswith("$"):  # `$ref/path`: a file of the source whose `ref:` is `ref`
            ref, _, rest = text[1:].partition("/")
            if ref not in refs:
                return Layer(None)
            located = self.locate(rest, path, directory=False)
            file = located if located is not None else posixpath.normpath(rest)
        elif base is not None:
            file = _join(base, text)
        else:
            return Layer(None)  # a file of a chart from a Helm repository
        if file.startswith(".."):
            return Layer(None)
        values = values_in_file(file, self.values_files, self.read)
        if values is not None:
            self.consumed.add(file)
            return Layer(values)
        directory = posixpath.dirname(file)
        in_repository = any(_contains(directory, p) for p in self.read) if directory else False
        if source.ignore_missing and in_repository:
            return Layer(ValuesDoc(()))  # Argo CD skips a missing file of this repository
        return Layer(None)


def _placeholder_namespace_unknown(record: _Placed) -> _Placed:
    """A namespace a kustomization wrote as `${VAR}` (kustomize keeps it as text): unknown."""
    if isinstance(record.namespace, str) and has_placeholder(record.namespace):
        return replace(record, namespace=UNKNOWN)
    return record


def _join(base: str, relative: str) -> str:
    return posixpath.normpath(posixpath.join(base, relative))


def _target(ref: ValuesRef) -> tuple[str, ...] | None:
    return helm_path(ref.target_path) if ref.target_path else None


def _show(value: Str | None) -> str:
    return value if isinstance(value, str) else "?"


def apply(
    files: Sequence[FileLike],
    renderings: Mapping[str, Sequence[RenderingLike]],
    sas: Sequence[ServiceAccount],
    workloads: Sequence[Workload],
    read: frozenset[str],
) -> tuple[list[ServiceAccount], list[Workload]]:
    """The project's ServiceAccounts and workloads with the GitOps objects applied."""
    project = GitOpsProject(files, renderings, read)
    rendered = list(project.render_service_accounts(sas))
    rendered_workloads = list(project.render_workloads(workloads))
    added = [*project.helm_release_accounts(), *project.application_accounts()]
    kept = [sa for sa in rendered if not (sa.origin == "helm-values" and sa.name_loc.path in project.consumed
                                          and sa.id.startswith("helm:"))]
    return kept + added, rendered_workloads
