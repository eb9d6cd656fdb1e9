"""Loaded files -> one Project: every ServiceAccount and workload where it really lands
(kustomize namespaces applied), the Terraform facts, and what could not be read."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from irsalint.load.aws_dump import AwsDumpFile
from irsalint.load.dispatch import LoadResult
from irsalint.load.k8s import K8sFile, Kustomization
from irsalint.load.plan import PlanFile
from irsalint.load.terraform import TfFile
from irsalint.load.webhook_config import ORIGIN as WEBHOOK_CONFIG
from irsalint.load.webhook_config import shadowed
from irsalint.model import (
    IGNORE_ANNOTATION,
    AnnotatedObject,
    Annotation,
    Diagnostic,
    Location,
    ServiceAccount,
    SkipNote,
    Workload,
)
from irsalint.record import record, replace
from irsalint.sources.gitops import render as gitops
from irsalint.sources.live_aws import LiveFacts, join_dumps
from irsalint.sources.terraform import HelmRelease, TerraformFacts, build_terraform_facts


@record
class Project:
    files: tuple[str, ...]
    service_accounts: tuple[ServiceAccount, ...]
    workloads: tuple[Workload, ...]
    objects: tuple[AnnotatedObject, ...]
    terraform: TerraformFacts
    diagnostics: tuple[Diagnostic, ...]
    skipped: tuple[SkipNote, ...]
    live: LiveFacts = LiveFacts()  # AWS account dumps: roles that are also in the code (IRSA020)
    live_files: frozenset[str] = frozenset()  # `kubectl get` dumps: reports, never sources to fix

    @property
    def has_kubernetes(self) -> bool:
        return bool(self.service_accounts or self.workloads)

    def ignore_annotations(self) -> Iterator[Annotation]:
        """Every `irsalint.dev/ignore` annotation, in the order suppressions are collected."""
        carried = [
            *(sa.annotations for sa in self.service_accounts),
            *(part for w in self.workloads for part in (w.annotations, w.template_annotations)),
            *(obj.annotations for obj in self.objects),
        ]
        for group in carried:
            yield from (a for a in group if a.key == IGNORE_ANNOTATION)


@record
class Rendering:
    """One way a manifest file is deployed: through a top-level kustomization, maybe in a namespace,
    maybe with ServiceAccount patches applied (innermost first, so outer overlays win)."""

    namespace: str | None
    via: Location | None  # the kustomization line that set the namespace
    patches: tuple[tuple[str | None, ServiceAccount], ...] = ()  # (target name, patch)
    top: str | None = None  # the directory of the top-level kustomization that renders it


@record
class TerraformPart:
    """The Terraform side of a project, worked out from the Terraform files alone: the engine
    builds it while the manifests are still loading (irsalint.parallel.map_forked's `meanwhile`)."""

    files: tuple[TfFile, ...]
    facts: TerraformFacts


def terraform_part(files: Sequence[TfFile], base: Path | None = None) -> TerraformPart:
    """`base`: where `templatefile()` paths are resolved (build_terraform_facts)."""
    return TerraformPart(tuple(files), build_terraform_facts(files, str(base) if base else None))


def build_project(
    results: Sequence[LoadResult],
    extra_skips: Iterable[SkipNote] = (),
    base: Path | None = None,
    terraform: TerraformPart | None = None,
) -> Project:
    """`terraform`: the Terraform side already built, used when it was built from exactly these
    results' Terraform files (else it is built here)."""
    k8s_files = [r for r in results if isinstance(r, K8sFile)]
    tf_files = [r for r in results if isinstance(r, TfFile)]
    if terraform is None or len(terraform.files) != len(tf_files) or any(
            a is not b for a, b in zip(terraform.files, tf_files)):
        terraform = terraform_part(tf_files, base)
    facts = terraform.facts
    renderings = kustomize_renderings(k8s_files)
    sas: list[ServiceAccount] = []
    workloads: list[Workload] = []
    objects: list[AnnotatedObject] = []
    patches = patch_paths({posixpath.dirname(f.path): f.kustomization for f in k8s_files if f.kustomization})
    for k8s in k8s_files:
        if k8s.path in patches:
            continue  # a patch is applied to the objects it targets, never deployed on its own
        for rendering in renderings.get(k8s.path, (Rendering(None, None),)):
            sas.extend(_render_sa(sa, rendering) for sa in k8s.service_accounts)
            workloads.extend(_render_workload(w, rendering) for w in k8s.workloads)
            objects.extend(
                replace(o, namespace=rendering.namespace) if rendering.namespace else o for o in k8s.objects
            )
    manifest_roles = tuple(role for k8s in k8s_files for role in k8s.roles)
    if manifest_roles:  # eksctl ClusterConfig and CloudFormation roles join the Terraform ones
        uses = dict(facts.role_uses)
        uses.update(use for k8s in k8s_files for use in k8s.role_uses)
        facts = replace(facts, roles=facts.roles + manifest_roles, role_uses=uses)
    manifest_associations = tuple(a for k8s in k8s_files for a in k8s.associations)
    if manifest_associations:  # eksctl podIdentityAssociations
        facts = replace(facts, associations=facts.associations + manifest_associations)
    sas = [*_helm_values_in_release(sas, facts.helm_releases)]
    # Flux and Argo CD objects: postBuild substitution, Helm releases' ServiceAccounts
    sas, workloads = gitops.apply(k8s_files, renderings, sas, workloads, frozenset(k.path for k in k8s_files),
                                  facts.config_maps)
    for plan in (r for r in results if isinstance(r, PlanFile)):  # resolved values from a plan
        facts = replace(
            facts,
            roles=facts.roles + plan.roles,
            policies=facts.policies + plan.policies,
            attachments=facts.attachments + plan.attachments,
            inline_policies=facts.inline_policies + plan.inline_policies,
            service_accounts=facts.service_accounts + plan.service_accounts,
        )
    # a manifest Terraform renders (`kubectl_manifest` + `templatefile()`) is deployed as rendered:
    # its raw copy, with the template's `${...}` unknown, is not a ServiceAccount of its own
    rendered = {(sa.name_loc.path, sa.name_loc.line, sa.name_loc.col) for sa in facts.service_accounts}
    sas = [sa for sa in sas if not (sa.origin in ("manifest", "carrier")
                                    and (sa.name_loc.path, sa.name_loc.line, sa.name_loc.col) in rendered)]
    # AWS account dumps: their roles join the code's, except the copies of code roles (IRSA020's)
    facts, live = join_dumps(facts, [r for r in results if isinstance(r, AwsDumpFile)])
    sas.extend(facts.service_accounts)
    hidden = shadowed(sas)  # the webhook's ConfigMap bindings that a role-arn annotation overrides
    sas = [sa for sa in sas if sa.id not in hidden]
    return Project(
        files=tuple(sorted(_path_of(r) for r in results)),
        service_accounts=tuple(sas),
        workloads=tuple(workloads),
        objects=tuple(objects),
        terraform=facts,
        diagnostics=tuple(sorted((r for r in results if isinstance(r, Diagnostic)), key=lambda d: d.loc)),
        skipped=tuple(sorted([*(r for r in results if isinstance(r, SkipNote)), *extra_skips], key=lambda s: s.path)),
        live=live,
        live_files=frozenset({sa.name_loc.path for sa in sas if sa.live}
                             | {w.name_loc.path for w in workloads if w.live is not None}),
    )


def _helm_values_in_release(
    sas: Sequence[ServiceAccount], releases: Sequence[HelmRelease]
) -> Iterator[ServiceAccount]:
    """A values file of a chart that a helm_release in the scan installs: its ServiceAccounts land
    in the release's namespace (one rendering per release of that chart)."""
    for sa in sas:
        using = [r for r in releases if sa.origin == "helm-values" and sa.name_loc.path.startswith(r.chart_dir + "/")]
        if not using:
            yield sa
        for release in using:
            yield replace(sa, id=f"{sa.id}~{release.address}", namespace=release.namespace,
                          related=sa.related + (release.loc,), unit=posixpath.dirname(release.loc.path),
                          rendering=release.address if len(using) > 1 else "")


def _path_of(result: LoadResult) -> str:
    return result.loc.path if isinstance(result, Diagnostic) else result.path


def _render_sa(sa: ServiceAccount, rendering: Rendering) -> ServiceAccount:
    sa = _patched(sa, rendering.patches)
    if rendering.top is not None:
        sa = replace(sa, unit=rendering.top, rendering=rendering.top)
    if rendering.namespace is None or sa.origin == WEBHOOK_CONFIG:  # its entries name their namespaces
        return sa if rendering.top is None else replace(sa, id=f"{sa.id}^{rendering.top}")
    return replace(
        sa,
        id=f"{sa.id}~{rendering.namespace}",
        namespace=rendering.namespace,
        related=sa.related + ((rendering.via,) if rendering.via else ()),
    )


def _patched(sa: ServiceAccount, patches: Sequence[tuple[str | None, ServiceAccount]]) -> ServiceAccount:
    """Strategic merge of annotations and automountServiceAccountToken, matched by name; a patched
    annotation points at the patch, where its value is written."""
    for target, patch in patches:
        if (target or patch.name) != sa.name:
            continue
        merged = {a.key: a for a in sa.annotations}
        merged.update({a.key: a for a in patch.annotations})
        sa = replace(
            sa,
            annotations=tuple(merged.values()),
            automount=patch.automount if patch.automount is not None else sa.automount,
            automount_loc=patch.automount_loc if patch.automount is not None else sa.automount_loc,
            id=f"{sa.id}+{patch.name_loc.path}:{patch.name_loc.line}",
        )
    return sa


def _render_workload(workload: Workload, rendering: Rendering) -> Workload:
    if rendering.top is not None:
        workload = replace(workload, unit=rendering.top, rendering=rendering.top)
    if rendering.namespace is None:
        return workload if rendering.top is None else replace(workload, id=f"{workload.id}^{rendering.top}")
    return replace(
        workload,
        id=f"{workload.id}~{rendering.namespace}",
        namespace=rendering.namespace,
        related=workload.related + ((rendering.via,) if rendering.via else ()),
    )


def patch_paths(kustomizations: dict[str, Kustomization]) -> set[str]:
    """Files used as patches: they are not resources, so they are not linted on their own."""
    return {
        posixpath.normpath(posixpath.join(directory, patch.path))
        for directory, kustomization in kustomizations.items()
        for patch in kustomization.patches
        if patch.path
    }


def kustomize_renderings(files: Sequence[K8sFile]) -> dict[str, tuple[Rendering, ...]]:
    """file path -> how it is rendered by the top-level kustomizations that include it.

    The outermost kustomization that sets `namespace:` wins (kustomize applies overlays last);
    a base only included by overlays is not rendered on its own."""
    kustomizations = {posixpath.dirname(f.path): f.kustomization for f in files if f.kustomization}
    by_path = {f.path: f for f in files}
    patch_files = patch_paths(kustomizations)
    manifests = {f.path for f in files if not f.kustomization and f.path not in patch_files}
    by_dir: dict[str, list[str]] = {}
    for path in manifests:
        by_dir.setdefault(posixpath.dirname(path), []).append(path)

    def targets(directory: str, kustomization: Kustomization) -> tuple[list[str], list[str]]:
        files_out: list[str] = []
        dirs_out: list[str] = []
        for resource in kustomization.resources:
            target = posixpath.normpath(posixpath.join(directory, resource))
            if target in manifests:
                files_out.append(target)
            elif target in kustomizations:
                dirs_out.append(target)
            else:  # a plain directory: every manifest below it
                prefix = target + "/"
                files_out.extend(p for p in manifests if p.startswith(prefix))
        return files_out, dirs_out

    included_dirs = {d for k_dir, k in kustomizations.items() for d in targets(k_dir, k)[1]}
    result: dict[str, list[Rendering]] = {}
    for top in sorted(set(kustomizations) - included_dirs):
        stack: list[tuple[str, Rendering, int]] = [(top, Rendering(None, None, top=top), 0)]
        visited: set[str] = set()
        while stack:
            directory, outer, depth = stack.pop()
            if directory in visited or depth > 32:
                continue
            visited.add(directory)
            kustomization = kustomizations[directory]
            rendering = outer
            if outer.namespace is None and kustomization.namespace:
                rendering = Rendering(kustomization.namespace, kustomization.namespace_loc, outer.patches, top)
            own_patches = tuple(
                (patch.target_name, sa)
                for patch in kustomization.patches
                for sa in (
                    by_path[posixpath.normpath(posixpath.join(directory, patch.path))].service_accounts
                    if patch.path and posixpath.normpath(posixpath.join(directory, patch.path)) in by_path
                    else patch.service_accounts
                )
            )
            if own_patches:  # inner kustomizations patch first: the outer (overlay) patches win
                rendering = replace(rendering, patches=own_patches + rendering.patches)
            file_targets, dir_targets = targets(directory, kustomization)
            for path in file_targets:
                if rendering not in result.setdefault(path, []):
                    result[path].append(rendering)
            stack.extend((d, rendering, depth + 1) for d in dir_targets)
    return {k: tuple(v) for k, v in result.items()}
