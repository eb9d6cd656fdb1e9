"""Policies the v5 IRSA module generates from `attach_*_policy` flags (irsalint/data/irsa_module_v5_policies.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import ROOT, run

DATA = json.loads((ROOT / "irsalint" / "data" / "irsa_module_v5_policies.json").read_text("utf-8"))

MODULE = """module "x_irsa" {{
  source    = "terraform-aws-modules/iam/aws//modules/{source}"
  role_name = "x"
  name      = "x"
{body}
  oidc_providers = {{
    main = {{
      provider_arn               = module.eks.oidc_provider_arn
      namespace_service_accounts = ["x:x"]
    }}
  }}
}}
"""


def _lint(tmp_path: Path, body: str, source: str = "iam-role-for-service-accounts-eks") -> list[tuple[str, int, str]]:
    (tmp_path / "main.tf").write_text(MODULE.format(source=source, body=body))
    result = run(tmp_path, select=("IRSA002", "IRSA013"))
    return sorted((f.rule_id, f.loc.line, f.message) for f in result.findings)


def test_data_file_shape() -> None:
    assert DATA["sources"] and all(s.startswith("https://github.com/terraform-aws-modules/") for s in DATA["sources"])
    assert DATA["module_version"].startswith("5.")
    for flag, entries in DATA["policies"].items():
        assert flag.startswith("attach_") and flag.endswith("_policy")
        for entry in entries:
            assert set(entry) <= {"actions", "resource_variable", "default", "resource_suffix"}
            assert entry["actions"] and isinstance(entry["default"], list)


def test_external_secrets_default_names_the_variable(tmp_path: Path) -> None:
    found = _lint(tmp_path, "  attach_external_secrets_policy = true\n")
    assert {(rule, line) for rule, line, _ in found} == {("IRSA002", 5)}
    assert any("external_secrets_secrets_manager_arns" in message and "set them to the ARNs" in message
               for _, _, message in found)


def test_karpenter_default_passrole_fires_escalation(tmp_path: Path) -> None:
    found = _lint(tmp_path, "  attach_karpenter_controller_policy = true\n")
    assert {rule for rule, _, _ in found} == {"IRSA002", "IRSA013"}
    assert all("karpenter_controller_node_iam_role_arns" in message for _, _, message in found)


@pytest.mark.parametrize(
    "body",
    [
        "  attach_external_secrets_policy = false\n",
        "  attach_external_secrets_policy = var.enabled\n",
        "  attach_ebs_csi_policy = true\n",  # ebs_csi_kms_cmk_ids defaults to []: no KMS statement
        "  attach_cluster_autoscaler_policy = true\n",
        '  attach_velero_policy  = true\n  velero_s3_bucket_arns = ["arn:aws:s3:::velero-backups"]\n',
        "  attach_velero_policy  = true\n  velero_s3_bucket_arns = var.buckets\n",
        (
            '  attach_karpenter_controller_policy      = true\n'
            '  karpenter_controller_node_iam_role_arns = ["arn:aws:iam::111122223333:role/node"]\n'
        ),
    ],
)
def test_scoped_or_unknown_is_silent(tmp_path: Path, body: str) -> None:
    assert _lint(tmp_path, body) == []


def test_v6_defaults_are_scoped(tmp_path: Path) -> None:
    body = "  attach_external_secrets_policy = true\n  attach_karpenter_controller_policy = true\n"
    assert _lint(tmp_path, body, source="iam-role-for-service-accounts") == []


def test_explicit_wildcard_points_at_the_variable(tmp_path: Path) -> None:
    found = _lint(tmp_path, '  attach_external_dns_policy    = true\n  external_dns_hosted_zone_arns = ["arn:aws:route53:::hostedzone/*"]\n')
    assert {(rule, line) for rule, line, _ in found} == {("IRSA002", 6)}
