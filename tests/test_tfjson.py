"""Terraform JSON syntax (*.tf.json, *.tfvars.json) is read into the same model as HCL."""

from __future__ import annotations

import json

from irsalint.load.dispatch import load_bytes
from irsalint.load.terraform import TfFile
from irsalint.model import Diagnostic
from irsalint.sources.terraform import build_terraform_facts


def _tf(path: str, document: object) -> TfFile:
    result = load_bytes(path, json.dumps(document, indent=2).encode(), "terraform")
    assert isinstance(result, TfFile), result
    return result


def test_blocks_templates_and_tfvars_json():
    main = _tf("env/main.tf.json", {
        "variable": {"env": {"default": "staging"}},
        "locals": {"team": "payments"},
        "module": {"api_irsa": {
            "source": "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks",
            "role_name": "${local.team}-api-${var.env}",
            "oidc_providers": {"main": {"provider_arn": "${module.eks.oidc_provider_arn}",
                                        "namespace_service_accounts": ["team-payments:api"]}},
        }},
        "//": "comments are allowed and ignored",
    })
    tfvars = _tf("env/terraform.tfvars.json", {"env": "production"})
    assert tfvars.is_tfvars
    [role] = build_terraform_facts([main, tfvars]).roles
    assert role.name == "payments-api-production"
    [statement] = role.trust.statements
    [sub, _aud] = statement.conditions
    assert sub.values.texts() == ("system:serviceaccount:team-payments:api",)
    assert sub.loc.path == "env/main.tf.json" and sub.loc.line > 1


def test_broken_json_is_a_positioned_diagnostic():
    result = load_bytes("main.tf.json", b'{\n  "resource": {\n    "aws_iam_role": [\n}\n', "terraform")
    assert isinstance(result, Diagnostic) and result.loc.line >= 3
    not_an_object = load_bytes("main.tf.json", b"[1, 2]", "terraform")
    assert isinstance(not_an_object, Diagnostic)
