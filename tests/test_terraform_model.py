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
