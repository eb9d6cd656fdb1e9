"""The pod identity webhook's ConfigMap as a binding source: its `data.config` entries become
ServiceAccounts with a role-arn located at their lines, a `*/name` entry has every namespace,
a role-arn annotation of the same ServiceAccount wins, and a broken config binds nothing."""

from __future__ import annotations

import os
from pathlib import Path

from irsalint.engine import LintOptions, LintResult, lint
from irsalint.load.k8s import K8sFile, load_manifest
from irsalint.model import UNKNOWN
from irsalint.rules import load_rules

TRUST = """resource "aws_iam_role" "api" {
  name = "api-role"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE" }
        Action    = "sts:AssumeRoleWithWebIdentity"
        Condition = {
          StringEquals = {
            "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:sub" = "system:serviceaccount:team-a:api"
            "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:aud" = "sts.amazonaws.com"
          }
        }
      },
    ]
  })
}
"""

CONFIGMAP = """apiVersion: v1
kind: ConfigMap
metadata:
  name: pod-identity-webhook
  namespace: kube-system
data:
  config: |
    {
      "team-b/api": {
        "RoleARN": "arn:aws:iam::111122223333:role/api-role",
        "Audience": "sts.amazonaws.com"
      },
      "*/metrics": {
        "rolearn": "arn:aws:iam::111122223333:role/metrics-role"
      }
    }
"""


def _load(text: str) -> K8sFile:
    result = load_manifest("k8s/webhook.yaml", text)
    assert isinstance(result, K8sFile)
    return result


def _lint(tmp_path: Path, files: dict[str, str], *ids: str) -> LintResult:
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        return lint(["."], tuple(r for r in load_rules() if r.id in ids), LintOptions(jobs=1))
    finally:
        os.chdir(cwd)


def test_entries_become_service_accounts_at_their_lines() -> None:
    loaded = _load(CONFIGMAP)
    by_name = {sa.name: sa for sa in loaded.service_accounts}
    api, metrics = by_name["api"], by_name["metrics"]
    assert (api.namespace, api.origin) == ("team-b", "webhook-config")
    role_arn = api.annotation("eks.amazonaws.com/role-arn")
    assert role_arn is not None and role_arn.value == "arn:aws:iam::111122223333:role/api-role"
    assert (api.name_loc.line, role_arn.loc.line, role_arn.loc.col) == (9, 10, 9)
    audience = api.annotation("eks.amazonaws.com/audience")
    assert audience is not None and audience.loc.line == 11
    assert metrics.namespace is UNKNOWN  # "*/metrics": every namespace
    assert metrics.annotation("eks.amazonaws.com/role-arn") is not None  # field names are case-insensitive


def test_other_configmaps_and_broken_configs_bind_nothing() -> None:
    assert _load(CONFIGMAP.replace("name: pod-identity-webhook", "name: something-else")).service_accounts == ()
    assert _load(CONFIGMAP.replace('"Audience": "sts.amazonaws.com"', '"Audience": ')).service_accounts == ()
    not_objects = CONFIGMAP.replace('"*/metrics": {\n        "rolearn": "arn:aws:iam::111122223333:role/metrics-role"\n      }', '"*/metrics": "x"')
    assert _load(not_objects).service_accounts == ()  # Go's json.Unmarshal rejects the whole config


def test_a_binding_is_checked_like_an_annotation(tmp_path: Path) -> None:
    result = _lint(tmp_path, {"iam.tf": TRUST, "k8s/webhook.yaml": CONFIGMAP}, "IRSA001", "IRSA006")
    assert [(f.rule_id, f.loc.path, f.loc.line) for f in result.findings] == [("IRSA001", "k8s/webhook.yaml", 10)]
    assert "ServiceAccount team-b/api is not admitted" in result.findings[0].message


def test_an_annotation_wins_over_the_configmap(tmp_path: Path) -> None:
    annotated = """apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  namespace: team-b
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/other-role
"""
    result = _lint(tmp_path, {"iam.tf": TRUST, "k8s/webhook.yaml": CONFIGMAP, "k8s/sa.yaml": annotated}, "IRSA001")
    assert result.findings == ()  # the entry for team-b/api is never used
    assert not [sa for sa in result.project.service_accounts if sa.origin == "webhook-config" and sa.name == "api"]


def test_a_wildcard_entry_is_named_for_every_namespace(tmp_path: Path) -> None:
    result = _lint(tmp_path, {"iam.tf": TRUST, "k8s/webhook.yaml": CONFIGMAP}, "IRSA007")
    messages = [f.message for f in result.findings if f.loc.line == 14]
    assert messages and "ServiceAccount */metrics" in messages[0]


def test_a_kustomize_namespace_does_not_move_the_entries(tmp_path: Path) -> None:
    files = {
        "iam.tf": TRUST,
        "k8s/webhook.yaml": CONFIGMAP,
        "k8s/kustomization.yaml": "namespace: webhook-system\nresources:\n  - webhook.yaml\n",
    }
    result = _lint(tmp_path, files, "IRSA001")
    bound = [sa for sa in result.project.service_accounts if sa.origin == "webhook-config"]
    assert sorted(str(sa.namespace) for sa in bound) == ["UNKNOWN", "team-b"]


def test_a_wildcard_entry_is_irsa_for_pod_identity_checks(tmp_path: Path) -> None:
    """IRSA028: a ServiceAccount bound by a `*/<name>` entry is not "Pod Identity only"."""
    fargate = """resource "aws_eks_fargate_profile" "metrics" {
  cluster_name = "production"
  selector {
    namespace = "monitoring"
  }
}

resource "aws_eks_pod_identity_association" "metrics" {
  cluster_name    = "production"
  namespace       = "monitoring"
  service_account = "metrics"
  role_arn        = "arn:aws:iam::111122223333:role/metrics-role"
}
"""
    assert [f.rule_id for f in _lint(tmp_path / "without", {"main.tf": fargate}, "IRSA028").findings] == ["IRSA028"]
    with_entry = _lint(tmp_path / "with", {"main.tf": fargate, "k8s/webhook.yaml": CONFIGMAP}, "IRSA028")
    assert with_entry.findings == ()
