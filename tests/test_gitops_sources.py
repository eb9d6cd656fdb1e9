"""GitOps objects as ServiceAccount sources (SPEC §3.4, issue 11): Flux HelmRelease and
Kustomization postBuild, Argo CD Application / ApplicationSet, the chart-defaults table."""

from __future__ import annotations

import json
import pickle
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from irsalint.cli import main
from irsalint.load.k8s import K8sFile, load_manifest
from irsalint.model import UNKNOWN, Diagnostic, Partial, RoleRef, ServiceAccount, SkipNote
from irsalint.project import build_project
from irsalint.sources.gitops import chart_defaults
from irsalint.sources.gitops.flux_helmrelease import release_name
from irsalint.sources.gitops.flux_postbuild import Variables, rendered_files
from irsalint.sources.gitops.records import ArgoApplication, ConfigData, FluxHelmRelease, FluxKustomization
from irsalint.sources.gitops.values import NAME_INPUTS
from tests.helpers import FIXTURES, findings, run

IRSA001 = FIXTURES / "rules" / "IRSA001"
ROLE_ARN = "eks.amazonaws.com/role-arn"


def _irsa001(path: Path) -> set[tuple[str, int, str]]:
    return {f for f in findings(run(path, ("IRSA001",))) if f[2] == "IRSA001"}


def _accounts(path: Path) -> list[ServiceAccount]:
    return [sa for sa in run(path, ("IRSA001",)).project.service_accounts if sa.annotation(ROLE_ARN) is not None]


def _only(path: Path, prefix: str) -> ServiceAccount:
    found = [sa for sa in _accounts(path) if sa.id.startswith(prefix)]
    assert len(found) == 1, [sa.id for sa in _accounts(path)]
    return found[0]


# --- Flux HelmRelease ----------------------------------------------------------------------------


def test_helmrelease_inline_values_land_in_the_target_namespace() -> None:
    case = IRSA001 / "bad" / "flux-helmrelease-values"
    sa = _only(case, "flux:HelmRelease:")
    assert (sa.namespace, sa.name, sa.origin) == ("payouts-ops", "payout-exporter", "helm-values")
    annotation = sa.annotation(ROLE_ARN)
    assert annotation is not None and (annotation.loc.path, annotation.loc.line) == ("helmrelease.yaml", 21)
    assert [(loc.path, loc.line) for loc in sa.related] == [("helmrelease.yaml", 10)]  # targetNamespace
    assert _irsa001(case) == {("helmrelease.yaml", 21, "IRSA001")}


def test_valuesfrom_a_configmap_generator_file() -> None:
    """`files: [values.yaml=audit-forwarder-values.yaml]`: the values and their lines come from
    the generator's file; the HelmRelease gives the namespace."""
    case = IRSA001 / "bad" / "flux-valuesfrom-generator-file"
    sa = _only(case, "flux:HelmRelease:")
    assert (sa.namespace, sa.name) == ("auditing", "audit-forwarder")
    annotation = sa.annotation(ROLE_ARN)
    assert annotation is not None and annotation.value == "arn:aws:iam::111122223333:role/audit-forwarder"
    assert (annotation.loc.path, annotation.loc.line, annotation.loc.col) == ("audit-forwarder-values.yaml", 5, 5)
    assert _irsa001(case) == {("audit-forwarder-values.yaml", 5, "IRSA001")}


def test_valuesfrom_a_configmap_manifest_string_keeps_its_lines() -> None:
    case = IRSA001 / "bad" / "flux-valuesfrom-configmap"
    sa = _only(case, "flux:HelmRelease:")
    annotation = sa.annotation(ROLE_ARN)
    assert annotation is not None and (annotation.loc.line, annotation.loc.col) == (12, 9)
    assert sa.name == "quota-syncer"


def test_valuesfrom_target_path_from_a_generator_literal() -> None:
    case = IRSA001 / "bad" / "flux-valuesfrom-target-path"
    sa = _only(case, "flux:HelmRelease:")
    annotation = sa.annotation(ROLE_ARN)
    assert annotation is not None and annotation.value == "arn:aws:iam::111122223333:role/billing-agent"
    assert (annotation.loc.path, annotation.loc.line) == ("kustomization.yaml", 12)
    assert (sa.namespace, sa.name) == ("billing-ops", "billing-agent")


def test_chart_default_name_when_service_account_name_is_absent() -> None:
    """No releaseName and a targetNamespace: the release is `<targetNamespace>-<name>`, and the
    external-dns chart names its ServiceAccount after the release."""
    bad = _only(IRSA001 / "bad" / "flux-chart-default-name", "flux:HelmRelease:")
    assert (bad.namespace, bad.name) == ("dns-system", "dns-system-external-dns")
    good = _only(IRSA001 / "good" / "flux-chart-default-name", "flux:HelmRelease:")
    assert (good.namespace, good.name) == ("karpenter", "karpenter")


def test_values_source_outside_the_repository_makes_the_name_unknown() -> None:
    case = IRSA001 / "good" / "flux-valuesfrom-not-in-repository"
    sa = _only(case, "flux:HelmRelease:")
    assert sa.name is UNKNOWN
    assert _irsa001(case) == set()


def _helmrelease(tmp_path: Path, values_from: str) -> Path:
    shutil.copytree(IRSA001 / "bad" / "flux-helmrelease-values", tmp_path / "case")
    path = tmp_path / "case" / "helmrelease.yaml"
    text = path.read_text().replace("  values:\n", values_from + "  values:\n")
    path.write_text(text)
    return tmp_path / "case"


def test_optional_values_source_not_in_the_repository_is_absent(tmp_path: Path) -> None:
    case = _helmrelease(tmp_path, "  valuesFrom:\n    - kind: ConfigMap\n      name: overrides\n      optional: true\n")
    assert _irsa001(case) == {("helmrelease.yaml", 25, "IRSA001")}


def test_target_path_set_by_an_unread_source_is_unknown(tmp_path: Path) -> None:
    values_from = (
        "  valuesFrom:\n    - kind: Secret\n      name: payout-role\n      valuesKey: arn\n"
        "      targetPath: serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn\n"
    )
    case = _helmrelease(tmp_path, values_from)
    sa = _only(case, "flux:HelmRelease:")
    annotation = sa.annotation(ROLE_ARN)
    assert annotation is not None and annotation.value is UNKNOWN  # spec.values' value may be overridden
    assert sa.name == "payout-exporter"  # a targetPath sets one value only
    assert _irsa001(case) == set()


def test_release_name_is_shortened_like_helm_controller() -> None:
    assert release_name("podinfo", None, None) == "podinfo"
    assert release_name("podinfo", None, "apps") == "apps-podinfo"
    assert release_name("podinfo", "web", "apps") == "web"
    long = release_name("nice-object-name", None, "a-very-lengthy-target-namespace-with-a")
    assert long == "a-very-lengthy-target-namespace-with-a-n-97af5d7f41f3"
    assert len(long) == 53


# --- Flux Kustomization postBuild -------------------------------------------------------------------


def test_postbuild_substitution_makes_the_annotation_concrete() -> None:
    case = IRSA001 / "bad" / "flux-postbuild-substitute"
    sa = _only(case, "k8s:ServiceAccount:")
    annotation = sa.annotation(ROLE_ARN)
    assert annotation is not None and annotation.value == "arn:aws:iam::111122223333:role/tenant-reporter"
    assert (sa.namespace, sa.unit) == ("tenant-blue", "")  # the unit: the Kustomization's directory
    assert _irsa001(case) == {("apps/serviceaccount.yaml", 7, "IRSA001")}


def test_postbuild_substitute_from_an_in_repository_configmap_and_defaults() -> None:
    sa = _only(IRSA001 / "good" / "flux-postbuild-substitute", "k8s:ServiceAccount:")
    annotation = sa.annotation(ROLE_ARN)
    assert annotation is not None and annotation.value == "arn:aws:iam::111122223333:role/tenant-auditor"
    assert sa.namespace == "tenant-green"


def test_unresolved_variables_stay_unknown(tmp_path: Path) -> None:
    """Variables from a ConfigMap that is not in the repository are never guessed: the namespace
    is unknown and a role name written with a variable stays a placeholder."""
    shutil.copytree(IRSA001 / "good" / "flux-postbuild-unresolved", tmp_path / "case")
    account = tmp_path / "case" / "apps" / "serviceaccount.yaml"
    account.write_text(account.read_text().replace("role/stream-loader", "role/${LOADER_ROLE:=stream-loader}"))
    sa = _only(tmp_path / "case", "k8s:ServiceAccount:")
    annotation = sa.annotation(ROLE_ARN)
    assert sa.namespace is UNKNOWN
    assert annotation is not None and isinstance(annotation.value, Partial)  # the default is not used
    assert _irsa001(tmp_path / "case") == set()


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


FLUX_KUSTOMIZATION = """apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: {name}
  namespace: flux-system
spec:
  interval: 10m
  path: {path}
  sourceRef:
    kind: {source}
    name: flux-system
  postBuild:
    substitute:
      {variable}: {value}
"""


def test_a_kustomization_path_resolves_with_its_parent_s_variables(tmp_path: Path) -> None:
    """flux-system (./clusters/prod) renders apps.yaml, whose path is ./apps/${CLUSTER}: the
    parent's variables resolve it; the objects take the cluster directory as their unit."""
    repo = _write(tmp_path / "repo", {
        "clusters/prod/flux-system/gotk-sync.yaml": FLUX_KUSTOMIZATION.format(
            name="flux-system", path="./clusters/prod", source="GitRepository", variable="CLUSTER", value="prod"),
        "clusters/prod/apps.yaml": FLUX_KUSTOMIZATION.format(
            name="apps", path="./apps/${CLUSTER}", source="GitRepository", variable="TEAM_NS", value="payments"),
        "apps/prod/sa.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  namespace: ${TEAM_NS}\n"
                             "  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/prod-api\n",
        "terraform/main.tf": (IRSA001 / "bad" / "flux-helmrelease-values" / "main.tf").read_text()
        .replace("payout-exporter", "prod-api").replace("payouts:prod-api", "payments:api"),
    })
    result = run(repo)
    sa = next(sa for sa in result.project.service_accounts if sa.name == "api")
    assert (sa.namespace, sa.unit) == ("payments", "clusters/prod")
    assert not [f for f in result.findings if f.rule_id == "IRSA001"]


def test_an_oci_source_renders_nothing_of_this_repository(tmp_path: Path) -> None:
    repo = _write(tmp_path / "repo", {
        "flux.yaml": FLUX_KUSTOMIZATION.format(name="vendor", path="./", source="OCIRepository",
                                               variable="NS", value="x"),
        "sa.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  namespace: ${NS}\n",
    })
    sa = next(sa for sa in run(repo).project.service_accounts if sa.name == "api")
    assert sa.namespace is UNKNOWN


def test_an_optional_source_of_that_name_elsewhere_is_unknown_not_absent(tmp_path: Path) -> None:
    case = _helmrelease(tmp_path, "  valuesFrom:\n    - kind: ConfigMap\n      name: overrides\n      optional: true\n")
    (case / "overrides.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: overrides\n  namespace: elsewhere\ndata:\n  a: b\n"
    )
    assert _only(case, "flux:HelmRelease:").name is UNKNOWN


def test_variables_substitution_semantics() -> None:
    closed = Variables({"A": "x", "E": ""}, closed=True)
    assert closed.substitute("${A}-${B}") == "x-${B}"  # undefined: kept (Flux would make it empty)
    assert closed.substitute("${B:=d}/${E:=d}/${E=d}/${B-e}") == "d/d//e"
    assert closed.substitute("$${A}") == "$${A}"  # Flux's escape
    assert closed.substitute("${A:0:1}") == "${A:0:1}"  # functions are not modelled
    open_ = Variables({"A": "x", "S": None}, closed=False)
    assert open_.substitute("${B:=d}-${S}-${A}") == "${B:=d}-${S}-x"


def test_rendered_files_follow_flux_generated_kustomizations() -> None:
    kustomizations = {"apps/base": ("sa.yaml",), "apps/overlay": ("../base",)}
    manifests = {"apps/base/sa.yaml", "apps/loose.yaml", "apps/overlay/extra.yaml", "other/x.yaml"}
    files, directories = rendered_files("apps", kustomizations, manifests)
    assert files == {"apps/base/sa.yaml", "apps/loose.yaml"}  # overlay/extra.yaml is no resource
    assert directories == {"apps/base", "apps/overlay"}


# --- Argo CD -----------------------------------------------------------------------------------


def test_argocd_helm_values_string_keeps_exact_lines() -> None:
    case = IRSA001 / "bad" / "argocd-helm-values"
    sa = _only(case, "argocd:Application:")
    annotation = sa.annotation(ROLE_ARN)
    assert annotation is not None
    assert (annotation.loc.path, annotation.loc.line, annotation.loc.col) == ("application.yaml", 19, 13)
    assert (sa.name_loc.line, sa.name_loc.col) == (17, 11)  # serviceAccount.name inside the string
    assert (sa.namespace, sa.name) == ("quoting-dev", "quote-engine")
    assert _irsa001(case) == {("application.yaml", 19, "IRSA001")}


def test_argocd_value_files_replace_the_standalone_values_file() -> None:
    case = IRSA001 / "bad" / "argocd-value-files"
    accounts = _accounts(case)
    assert [sa.id.split("@")[0] for sa in accounts] == ["argocd:Application:tile-renderer"]
    assert accounts[0].namespace == "maps-prod"


def test_argocd_parameters_are_set_style_and_win() -> None:
    sa = _only(IRSA001 / "bad" / "argocd-parameters", "argocd:Application:")
    annotation = sa.annotation(ROLE_ARN)
    assert annotation is not None and annotation.loc.line == 17
    assert sa.name == "fraud-scorer"


def test_argocd_values_object_replaces_values(tmp_path: Path) -> None:
    shutil.copytree(IRSA001 / "bad" / "argocd-values-object", tmp_path / "case")
    app = tmp_path / "case" / "application.yaml"
    text = app.read_text().replace("      valuesObject:", "      values: |\n        serviceAccount:\n"
                                   "          name: doc-indexer\n      valuesObject:")
    app.write_text(text)
    assert _only(tmp_path / "case", "argocd:Application:").name == "doc-index"


def test_applicationset_templates_stay_placeholders() -> None:
    sa = _only(IRSA001 / "good" / "argocd-applicationset-templated", "argocd:ApplicationSet:")
    assert sa.namespace is UNKNOWN and sa.name == "shard-router"
    bad = _only(IRSA001 / "bad" / "argocd-applicationset", "argocd:ApplicationSet:")
    assert bad.namespace == "stock"


def test_broken_templated_applicationset_stays_a_skipped_template() -> None:
    text = "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nspec:\n{{- range .x }}\n  a: [\n{{- end }}\n"
    result = load_manifest("apps/appset.yaml", text)
    assert isinstance(result, SkipNote) and "Helm template" in result.reason


def test_chart_template_applications_stay_skipped() -> None:
    text = "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: {{ .Values.name }}\n"
    assert isinstance(load_manifest("chart/templates/appset.yaml", text), SkipNote)


# --- every form: the graph edge, and unknown stays unknown -----------------------------------------

FORMS = [
    ("bad", "flux-helmrelease-values", "module.payout_exporter_irsa"),
    ("bad", "flux-valuesfrom-configmap", "module.quota_sync_irsa"),
    ("bad", "flux-valuesfrom-generator-file", "module.audit_forwarder_irsa"),
    ("bad", "flux-valuesfrom-target-path", "module.billing_agent_irsa"),
    ("bad", "flux-chart-default-name", "module.public_dns_irsa"),
    ("bad", "flux-postbuild-substitute", "module.tenant_reporter_irsa"),
    ("bad", "argocd-helm-values", "module.quote_engine_irsa"),
    ("bad", "argocd-values-object", "module.doc_indexer_irsa"),
    ("bad", "argocd-value-files", "module.tile_renderer_irsa"),
    ("bad", "argocd-parameters", "module.fraud_scorer_irsa"),
    ("bad", "argocd-applicationset", "module.inventory_sync_irsa"),
    ("bad", "flux-terraform-configmap", "module.metrics_archiver_irsa"),
    ("good", "flux-helmrelease-values", "module.invoice_mailer_irsa"),
    ("good", "flux-valuesfrom-generator-file", "module.clickstream_irsa"),
    ("good", "flux-chart-default-name", "module.node_provisioner_irsa"),
    ("good", "flux-postbuild-substitute", "module.tenant_auditor_irsa"),
    ("good", "argocd-helm-values", "module.journal_reader_irsa"),
    ("good", "argocd-multi-source-value-files", "module.digest_mailer_irsa"),
    ("good", "argocd-applicationset-templated", "module.shard_router_irsa"),
    ("good", "flux-terraform-configmap", "module.ledger_sync_irsa"),
]


@pytest.mark.parametrize(("kind", "case", "role"), FORMS, ids=lambda v: str(v))
def test_graph_json_has_the_role_arn_edge(kind: str, case: str, role: str, tmp_path: Path) -> None:
    """`irsalint graph --format json` run as a user would (paths from the git top level: the
    Flux and Argo CD paths, written relative to the case, are found by their nearest ancestor)."""
    out = tmp_path / "graph.json"
    assert main(["graph", str(IRSA001 / kind / case), "--format", "json", "--output", str(out)]) == 0
    graph = json.loads(out.read_text())
    edges = [(e["source"], e["target"]) for e in graph["edges"] if e["label"] == "role-arn"]
    assert any(target.startswith(f"tf:{role}@") and not source.startswith("tf:") for source, target in edges), edges


NAMESPACE_LITERALS = {
    "flux-helmrelease-values": ("helmrelease.yaml", "targetNamespace: payouts-ops"),
    "flux-valuesfrom-configmap": ("helmrelease.yaml", "namespace: quotas"),
    "flux-valuesfrom-generator-file": ("helmrelease.yaml", "namespace: auditing"),
    "flux-valuesfrom-target-path": ("helmrelease.yaml", "namespace: billing-ops"),
    "flux-chart-default-name": ("helmrelease.yaml", "targetNamespace: dns-system"),
    "flux-postbuild-substitute": ("flux-kustomization.yaml", "TENANT: blue"),
    "argocd-helm-values": ("application.yaml", "namespace: quoting-dev"),
    "argocd-values-object": ("application.yaml", "namespace: docsearch"),
    "argocd-value-files": ("application.yaml", "namespace: maps-prod"),
    "argocd-parameters": ("application.yaml", "namespace: fraud-staging"),
    "argocd-applicationset": ("applicationset.yaml", "namespace: stock"),
    "flux-terraform-configmap": ("infrastructure/metrics-archiver.yaml", "targetNamespace: archive"),
}


@pytest.mark.parametrize("case", sorted(NAMESPACE_LITERALS))
def test_a_namespace_made_unknown_silences_the_finding(case: str, tmp_path: Path) -> None:
    """Unknown stays unknown: the literal that places each bad case's ServiceAccount, replaced by
    a variable nothing defines, leaves no finding (and never adds one)."""
    shutil.copytree(IRSA001 / "bad" / case, tmp_path / case)
    file, literal = NAMESPACE_LITERALS[case]
    path = tmp_path / case / file
    key = literal.split(":")[0]
    assert literal in path.read_text()
    path.write_text(path.read_text().replace(literal, f"{key}: ${{UNSET}}-x" if key == "TENANT" else f"{key}: ${{UNSET}}"))
    assert _irsa001(tmp_path / case) == set()


import re as _re  # noqa: E402

_SCALAR_LINE = _re.compile(r"^(\s*(?:- )?[\w.\-/]+: )([A-Za-z0-9][^#'\"{}\[\]]*?)(\s*(?:#.*)?)$")
GITOPS_CASES = sorted({(kind, case) for kind, case, _role in FORMS})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.sampled_from(GITOPS_CASES), st.integers(0, 10_000))
def test_a_literal_made_unknown_never_adds_a_finding(tmp_path: Path, pick: tuple[str, str], line_pick: int) -> None:
    """Property (issue 11): replace any scalar literal of a case's YAML with an undefined
    variable; the findings of every rule are a subset of the original ones."""
    kind, case = pick
    source = IRSA001 / kind / case
    candidates = [(path, number) for path in sorted(source.rglob("*.yaml")) if "/templates/" not in str(path)
                  for number, line in enumerate(path.read_text().splitlines())
                  if _SCALAR_LINE.match(line) and "automountServiceAccountToken" not in line]
    # (automountServiceAccountToken: ${X} reads as absent, an older IRSA004 behaviour outside this)
    path, number = candidates[line_pick % len(candidates)]
    target = Path(tempfile.mkdtemp(dir=tmp_path)) / case  # hypothesis reuses tmp_path
    shutil.copytree(source, target)
    copy = target / path.relative_to(source)
    lines = copy.read_text().splitlines()
    lines[number] = _SCALAR_LINE.sub(lambda m: m.group(1) + "${UNSET_VALUE}" + m.group(3), lines[number])
    copy.write_text("\n".join(lines) + "\n")
    before = {(f.loc.path, f.loc.line, f.rule_id) for f in run(source).findings}
    after = {(f.loc.path, f.loc.line, f.rule_id) for f in run(target).findings}
    assert after <= before, (copy, lines[number])


# --- loader records ---------------------------------------------------------------------------------


def test_records_survive_pickling() -> None:
    """The loader runs in worker processes and its results are cached."""
    paths = [
        IRSA001 / "bad" / "flux-valuesfrom-configmap" / "configmap.yaml",
        IRSA001 / "bad" / "flux-valuesfrom-configmap" / "helmrelease.yaml",
        IRSA001 / "bad" / "flux-postbuild-substitute" / "flux-kustomization.yaml",
        IRSA001 / "bad" / "argocd-applicationset" / "applicationset.yaml",
        IRSA001 / "bad" / "flux-valuesfrom-target-path" / "kustomization.yaml",
    ]
    kinds = set()
    for path in paths:
        loaded = load_manifest(path.name, path.read_text())
        assert isinstance(loaded, K8sFile)
        assert pickle.loads(pickle.dumps(loaded)) == loaded
        kinds.update(type(record) for record in loaded.gitops)
    assert kinds == {ConfigData, FluxHelmRelease, FluxKustomization, ArgoApplication}


def test_large_configmap_dumps_are_not_read_as_values_sources() -> None:
    head = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n"
    small = load_manifest("cm.yaml", head + "  a: b\n")
    big = load_manifest("cm.yaml", head + "".join(f"  k{i}: v\n" for i in range(40_000)))
    assert isinstance(small, K8sFile) and [type(r) for r in small.gitops] == [ConfigData]
    assert isinstance(big, K8sFile) and big.gitops == ()


def test_large_dumps_of_gitops_objects_are_not_read_from_pruned_documents() -> None:
    """A `kubectl get helmreleases -o yaml` dump over 2 MB is composed key by key: its values are
    not there, so no record claims to know them."""
    item = (
        "- apiVersion: helm.toolkit.fluxcd.io/v2\n  kind: HelmRelease\n  metadata:\n    name: r{i}\n"
        "  spec:\n    values:\n      serviceAccount:\n        name: x\n"
    )
    text = "apiVersion: v1\nkind: List\nitems:\n" + "".join(item.format(i=i) for i in range(25_000))
    assert len(text) > 2 * 1024 * 1024
    loaded = load_manifest("dump.yaml", text)
    assert isinstance(loaded, K8sFile) and loaded.gitops == ()


GITOPS_FILES = sorted(
    p for p in IRSA001.rglob("*.yaml") if ("flux-" in str(p) or "argocd-" in str(p)) and "/templates/" not in str(p)
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(GITOPS_FILES) - 1), st.integers(0, 400), st.integers(0, 5),
                          st.sampled_from(["", "{{x}}", "${V}", ": ", "- ", "  ", "\n", "|", "null", "~", "[", "'", "0"])),
                min_size=1, max_size=6))
def test_mutated_gitops_objects_never_break_loading_or_joining(edits: list[tuple[int, int, int, str]]) -> None:
    """Loader and project stage are total on GitOps objects: any edit gives a record, a
    diagnostic or a skip note, and joining the files never raises."""
    texts = {path.relative_to(IRSA001).as_posix(): path.read_text() for path in GITOPS_FILES}
    for index, position, length, insert in edits:
        name = sorted(texts)[index]
        text = texts[name]
        at = position % (len(text) + 1)
        texts[name] = text[:at] + insert + text[at + length:]
    results = [load_manifest(name, text) for name, text in sorted(texts.items())]
    assert all(isinstance(r, (K8sFile, Diagnostic, SkipNote)) for r in results)
    build_project(results)


# --- the chart defaults table ----------------------------------------------------------------------


def test_chart_table_inputs_are_kept_by_the_loader() -> None:
    assert chart_defaults.value_inputs() <= NAME_INPUTS


def test_chart_defaults_compute_like_the_charts() -> None:
    def lookup(values: dict[str, str]):  # type: ignore[no-untyped-def]
        return lambda path: values.get(".".join(path))

    default = chart_defaults.default_name
    assert default("aws-load-balancer-controller", ("serviceAccount",), "lbc", lookup({})) == "lbc-aws-load-balancer-controller"
    assert default("external-dns", ("serviceAccount",), "prod-external-dns", lookup({})) == "prod-external-dns"
    assert default("external-dns", ("serviceAccount",), "x", lookup({"fullnameOverride": "dns-"})) == "dns"
    assert default("external-dns", ("serviceAccount",), "x", lookup({"nameOverride": "dns"})) == "x-dns"
    assert default("cluster-autoscaler", ("rbac", "serviceAccount"), "ca", lookup({})) == "ca-aws-cluster-autoscaler"
    assert default("cluster-autoscaler", ("rbac", "serviceAccount"), "aws-cluster-autoscaler", lookup({})) \
        == "aws-cluster-autoscaler"
    assert default("velero", ("serviceAccount", "server"), "velero", lookup({})) == "velero-server"
    assert default("aws-ebs-csi-driver", ("controller", "serviceAccount"), "anything", lookup({})) \
        == "ebs-csi-controller-sa"
    assert default("kube-prometheus-stack", ("prometheus", "serviceAccount"), "monitoring", lookup({})) \
        == "monitoring-kube-prometheus-prometheus"  # the fullname is cut to 26 characters
    # unknown inputs and charts outside the table: unknown, except the helm-create case
    assert default("external-dns", ("serviceAccount",), UNKNOWN, lookup({})) is UNKNOWN
    assert default("karpenter", ("serviceAccount",), "k", lambda path: UNKNOWN) is UNKNOWN
    assert default("my-chart", ("serviceAccount",), "my-chart", lookup({})) == "my-chart"
    assert default("my-chart", ("serviceAccount",), "my-chart-prod", lookup({})) is UNKNOWN
    assert default("my-chart", ("controller", "serviceAccount"), "my-chart", lookup({})) is UNKNOWN


def test_chart_table_entries_have_sources() -> None:
    data = json.loads((Path(chart_defaults.__file__).parents[2] / "data" / "chart_defaults.json").read_text())
    assert data["charts"]
    for chart, entry in data["charts"].items():
        assert entry["source"].startswith("https://github.com/"), chart
        assert entry["retrieved"], chart
        assert entry["service_accounts"], chart
    readme = (Path(chart_defaults.__file__).parents[2] / "data" / "README.md").read_text()
    assert "chart_defaults.json" in readme


# --- ConfigMaps Terraform writes (Flux substituteFrom) ------------------------------------------------


def _terraform_configmap_case(tmp_path: Path, edit: Callable[[str], str], file: str = "main.tf") -> Path:
    case = tmp_path / "case"
    shutil.copytree(IRSA001 / "good" / "flux-terraform-configmap", case)
    path = case / file
    path.write_text(edit(path.read_text()))
    return case


def _linked_role(case: Path) -> object:
    [sa] = [sa for sa in _accounts(case) if sa.origin == "manifest"]
    annotation = sa.annotation(ROLE_ARN)
    assert annotation is not None
    return annotation.value


def test_a_terraform_configmap_entry_holding_a_role_links_it(tmp_path: Path) -> None:
    value = _linked_role(_terraform_configmap_case(tmp_path, lambda text: text))
    assert isinstance(value, RoleRef) and value.role_id.startswith("tf:module.ledger_sync_irsa@")


def test_a_substitute_entry_wins_over_the_terraform_configmap(tmp_path: Path) -> None:
    case = _terraform_configmap_case(tmp_path, lambda text: text.replace(
        "    substituteFrom:", "    substitute:\n      ledger_sync_role_arn: arn:aws:iam::111122223333:role/other\n    substituteFrom:"),
        "infrastructure.yaml")
    assert _linked_role(case) == "arn:aws:iam::111122223333:role/other"


def test_a_terraform_configmap_of_another_namespace_is_not_used(tmp_path: Path) -> None:
    case = _terraform_configmap_case(tmp_path, lambda text: text.replace('namespace = "flux-system"', 'namespace = "apps"'))
    assert _linked_role(case) is UNKNOWN


def test_a_terraform_configmap_value_that_is_not_a_role_stays_unknown(tmp_path: Path) -> None:
    case = _terraform_configmap_case(tmp_path, lambda text: text.replace(
        "module.ledger_sync_irsa.iam_role_arn", "data.terraform_remote_state.iam.outputs.ledger_sync"))
    assert _linked_role(case) is UNKNOWN


def test_a_terraform_configmap_literal_is_substituted(tmp_path: Path) -> None:
    case = _terraform_configmap_case(tmp_path, lambda text: text.replace(
        "module.ledger_sync_irsa.iam_role_arn", '"arn:aws:iam::111122223333:role/ledger-sync"'))
    assert _linked_role(case) == "arn:aws:iam::111122223333:role/ledger-sync"
