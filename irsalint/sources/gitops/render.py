"""Project stage: the GitOps records of every file joined into ServiceAccounts.

* Flux Kustomizations (`flux_postbuild`): which files each renders, its variables, and the unit
  (cluster directory) its objects are deployed from; manifests they render get their `${VAR}`s
  substituted.
* Flux HelmReleases (`flux_helmrelease`) and Argo CD Applications (`argocd_application`): their
  values layers (ConfigMaps, Secrets, values files found in the repository) merged into the
  ServiceAccounts the chart renders.
* Helm values files a release consumes no longer stand alone (their unknown-namespace copies are
  dropped): the release places them."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from typing import Protocol

from irsalint.model import Location, ServiceAccount, Workload
from irsalint.sources.gitops import argocd_application, flux_helmrelease
from irsalint.sources.gitops.common import contains
from irsalint.sources.gitops.configmaps import ConfigIndex
from irsalint.sources.gitops.flux_postbuild import FluxScope, FluxScopes, Variables, normalize_path
from irsalint.sources.gitops.records import (
    ArgoApplication,
    ConfigData,
    FluxHelmRelease,
    FluxKustomization,
    GitOpsRecord,
    RawFields,
    ValuesFile,
)


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


class GitOpsProject:
    """Every GitOps record of the scan, by kind, and what the families share: the ConfigMap
    index, the Flux scopes, the values files a release consumed."""

    def __init__(
        self,
        files: Sequence[FileLike],
        renderings: Mapping[str, Sequence[RenderingLike]],
        read: frozenset[str],
        terraform_configs: Sequence[ConfigData] = (),
    ) -> None:
        self.renderings = renderings
        self.read = read  # YAML files read without error
        self.values_files: dict[str, ValuesFile] = {}
        self.raw_fields: dict[Location, RawFields] = {}
        configs: list[ConfigData] = list(terraform_configs)  # ConfigMaps Terraform writes
        self.helm_releases: list[tuple[str, FluxHelmRelease]] = []
        self.applications: list[tuple[str, ArgoApplication]] = []
        flux_kustomizations: list[tuple[str, FluxKustomization]] = []
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
                    flux_kustomizations.append((file.path, record))
                elif isinstance(record, ArgoApplication):
                    self.applications.append((file.path, record))
        self.index = ConfigIndex(configs, self.values_files, read, self._placed(configs))
        self.consumed: set[str] = set()  # values files a release reads
        self.flux = FluxScopes(flux_kustomizations, self.kustomizations, manifests, self.index, self.locate,
                               self.raw_fields)

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
            if directory and (candidate in self.kustomizations or any(contains(candidate, p) for p in self.read)):
                return candidate
            if not directory and candidate in self.read:
                return candidate
        return None

    def scopes_of(self, path: str, top: str | None = None) -> list[FluxScope]:
        return self.flux.scopes_of(path, top)

    def variables_of(self, path: str) -> Variables:
        return self.flux.variables_of(path)


def apply(
    files: Sequence[FileLike],
    renderings: Mapping[str, Sequence[RenderingLike]],
    sas: Sequence[ServiceAccount],
    workloads: Sequence[Workload],
    read: frozenset[str],
    terraform_configs: Sequence[ConfigData] = (),
) -> tuple[list[ServiceAccount], list[Workload]]:
    """The project's ServiceAccounts and workloads with the GitOps objects applied."""
    project = GitOpsProject(files, renderings, read, terraform_configs)
    rendered = list(project.flux.render_service_accounts(sas))
    rendered_workloads = list(project.flux.render_workloads(workloads))
    added = [*flux_helmrelease.accounts(project), *argocd_application.accounts(project)]
    kept = [sa for sa in rendered if not (sa.origin == "helm-values" and sa.name_loc.path in project.consumed
                                          and sa.id.startswith("helm:"))]
    return kept + added, rendered_workloads
