"""Scopes (SPEC §3.5): stacks side by side are never correlated; one repository of split trees is
one scope, where same-named roles are told apart by account."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from irsalint.scopes import ROOT, build_scope_map, terraform_units
from tests.helpers import FIXTURES, run

SCOPES = FIXTURES / "scopes"


def summary(path: Path) -> list[tuple[str, str, int]]:
    return sorted((f.rule_id, f.loc.path, f.loc.line) for f in run(path).findings)


def test_scope_fixtures_lint_clean() -> None:
    for repository in sorted(SCOPES.iterdir()):
        assert summary(repository) == [], repository.name


def test_typo_in_one_stack_is_reported_against_that_stack_only(tmp_path: Path) -> None:
    repository = tmp_path / "repo"
    shutil.copytree(SCOPES / "env-stacks", repository)
    manifest = repository / "envs/prod/k8s/serviceaccount.yaml"
    manifest.write_text(manifest.read_text().replace("namespace: payments\n", "namespace: payment\n"))
    findings = run(repository).findings
    assert [(f.rule_id, f.loc.path) for f in findings] == [("IRSA001", "envs/prod/k8s/serviceaccount.yaml")]
    assert [loc.path for _, loc in findings[0].related] == ["envs/prod/main.tf"]


def test_split_trees_pick_the_role_of_the_annotation_account(tmp_path: Path) -> None:
    repository = tmp_path / "repo"
    shutil.copytree(SCOPES / "split-trees", repository)
    manifest = repository / "k8s/overlays/dev/serviceaccount.yaml"
    manifest.write_text(manifest.read_text().replace("namespace: payments-dev\n", "namespace: payments-dv\n"))
    findings = run(repository).findings
    assert [(f.rule_id, f.loc.path) for f in findings] == [("IRSA001", "k8s/overlays/dev/serviceaccount.yaml")]
    assert [loc.path for _, loc in findings[0].related] == ["terraform/dev/main.tf"]


def test_stacks_are_two_sided_directories_with_two_sided_siblings() -> None:
    scopes = build_scope_map(
        role_units=["envs/dev", "envs/prod", "shared/iam"],
        manifest_units=["envs/dev/k8s", "envs/prod/k8s", "base"],
    )
    assert scopes.stacks == frozenset({"envs/dev", "envs/prod"})
    assert scopes.of(["envs/dev/k8s"]) == frozenset({"envs/dev"})
    assert scopes.of(["shared/iam", "base"]) == frozenset({ROOT})


def test_no_stack_without_a_two_sided_sibling() -> None:
    # terraform/ bootstraps a few ServiceAccounts itself; the manifests are in clusters/: one scope.
    scopes = build_scope_map(role_units=["terraform/aws"], manifest_units=["clusters/a", "clusters/b"])
    assert scopes.stacks == frozenset()


def test_child_module_belongs_to_every_root_that_calls_it() -> None:
    units = terraform_units({"envs/dev": ["modules/irsa"], "envs/prod": ["modules/irsa"], "modules/irsa": [],
                             "modules/nested": [], "modules/app": ["modules/nested"], "stack": ["modules/app"]})
    assert units["modules/irsa"] == ("envs/dev", "envs/prod")
    assert units["modules/nested"] == ("stack",)
    assert units["envs/dev"] == ("envs/dev",)


def test_local_module_cycle_terminates() -> None:
    units = terraform_units({"a": ["b"], "b": ["a"]})
    assert set(units) == {"a", "b"}


# --- property: two independent stacks side by side report exactly what each reports alone ----------

ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
NAMES = st.sampled_from(["api", "worker", "batch", "sync"])
NAMESPACES = st.sampled_from(["team-a", "team-b", "shared"])
APPS = st.lists(st.tuples(NAMES, NAMESPACES, NAMESPACES), min_size=1, max_size=3, unique_by=lambda app: app[0])


def write_stack(directory: Path, apps: list[tuple[str, str, str]], account: str) -> None:
    """One role per app, trusting `trusted_namespace`; its ServiceAccount lives in `namespace`."""
    directory.mkdir(parents=True)
    terraform, manifests = [], []
    for name, namespace, trusted_namespace in apps:
        terraform.append(
            f'resource "aws_iam_role" "{name}" {{\n  name = "{name}"\n  assume_role_policy = jsonencode({{\n'
            f'    Statement = [{{\n      Effect = "Allow"\n'
            f'      Principal = {{ Federated = "arn:aws:iam::{account}:oidc-provider/{ISSUER}" }}\n'
            f'      Action = "sts:AssumeRoleWithWebIdentity"\n'
            f'      Condition = {{ StringEquals = {{ "{ISSUER}:sub" = "system:serviceaccount:{trusted_namespace}:{name}",'
            f' "{ISSUER}:aud" = "sts.amazonaws.com" }} }}\n    }}]\n  }})\n}}\n'
        )
        manifests.append(
            f"apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n  namespace: {namespace}\n"
            f"  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::{account}:role/{name}\n"
            "automountServiceAccountToken: true\n"
        )
    (directory / "main.tf").write_text("\n".join(terraform))
    (directory / "k8s").mkdir()
    (directory / "k8s/serviceaccounts.yaml").write_text("---\n".join(manifests))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=APPS, second=APPS, name=st.sampled_from(["dev", "prod", "lab-1"]))
def test_stacks_side_by_side_never_correlate(first: list[tuple[str, str, str]], second: list[tuple[str, str, str]], name: str) -> None:
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        write_stack(root / "alone-a", first, "111111111111")
        write_stack(root / "alone-b", second, "111111111111")
        write_stack(root / "together" / "envs" / name, first, "111111111111")
        write_stack(root / "together" / "envs" / "other", second, "111111111111")
        alone = {("a", *f) for f in summary(root / "alone-a")} | {("b", *f) for f in summary(root / "alone-b")}
        together = set()
        for rule, path, line in summary(root / "together"):
            stack = "a" if path.startswith(f"envs/{name}/") else "b"
            together.add((stack, rule, path.split("/", 2)[2], line))
        assert together == alone
