"""Terraform attributes whose values are unknown never break the model (they stay UNKNOWN)."""

from __future__ import annotations

from irsalint.load.terraform import load_terraform
from irsalint.model import UNKNOWN
from irsalint.sources.terraform import build_terraform_facts

UNKNOWN_EVERYWHERE = """
resource "kubernetes_service_account_v1" "x" {
  metadata {
    name      = var.sa_name
    namespace = var.ns
  }
}
resource "aws_iam_policy" "p" {
  name   = var.pname
  policy = "{}"
}
resource "aws_eks_pod_identity_association" "a" {
  cluster_name    = var.c
  namespace       = var.n
  service_account = var.s
  role_arn        = var.r
}
resource "aws_iam_role" "r" {
  name               = var.rn
  path               = var.path
  assume_role_policy = "{}"
}
module "irsa" {
  source    = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"
  role_name = var.name
  role_path = var.path
}
"""


def test_unknown_attribute_values_stay_unknown():
    tf = load_terraform("main.tf", UNKNOWN_EVERYWHERE)
    facts = build_terraform_facts([tf])
    [sa] = facts.service_accounts
    assert sa.name is UNKNOWN and sa.namespace is UNKNOWN
    assert {r.address: (r.name, r.path) for r in facts.roles} == {
        "aws_iam_role.r": (UNKNOWN, UNKNOWN),
        "module.irsa": (UNKNOWN, UNKNOWN),
    }
    [association] = facts.associations
    assert association.namespace is UNKNOWN and association.role is UNKNOWN
    [policy] = facts.policies
    assert policy.name is UNKNOWN


def test_role_name_and_path_from_tfvars_and_locals():
    main = load_terraform("env/main.tf", """
variable "env" { default = "staging" }
locals { prefix = "payments" }
resource "aws_iam_role" "api" {
  name               = "${local.prefix}-api-${var.env}"
  path               = "/irsa/"
  assume_role_policy = "{}"
}
""")
    tfvars = load_terraform("env/terraform.tfvars", 'env = "production"\n')
    [role] = build_terraform_facts([main, tfvars]).roles
    assert (role.name, role.path) == ("payments-api-production", "/irsa/")


def test_the_terraform_side_built_early_is_used_only_for_the_same_files() -> None:
    """The engine builds the Terraform side while manifests load (project.terraform_part):
    build_project takes it only when it came from exactly the results' Terraform files."""
    from pathlib import Path

    from irsalint.discover import discover
    from irsalint.engine import LintOptions, load_all
    from irsalint.load.terraform import TfFile
    from irsalint.project import build_project, terraform_part
    from tests.helpers import FIXTURES

    sources, notes, base = discover([str(FIXTURES / "seed")], (), None)
    results = load_all(sources, LintOptions(jobs=1), Path(base))
    files = [r for r in results if isinstance(r, TfFile)]
    assert files
    early = terraform_part(files, Path(base))
    assert build_project(results, notes, Path(base), early).terraform is early.facts
    stale = terraform_part(files[:-1], Path(base))  # one file short: built again from the results
    rebuilt = build_project(results, notes, Path(base), stale)
    assert rebuilt.terraform is not stale.facts and rebuilt == build_project(results, notes, Path(base))
    assert rebuilt.terraform.roles and rebuilt.terraform != stale.facts
