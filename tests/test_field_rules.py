"""The rules from the field next to the older rules: one defect, one finding (IRSA010 and IRSA012
leave their cases to IRSA021/IRSA022, IRSA025 leaves a missing sts:TagSession to IRSA018,
IRSA028 reports a Fargate namespace once), and the adapters they read."""

from __future__ import annotations

import os
from pathlib import Path

from irsalint.engine import Finding, LintOptions, lint
from irsalint.load.terraform import TfFile, load_terraform
from irsalint.model import UNKNOWN, FargateProfile, PodIdentityAssociation, RoleRef
from irsalint.rules import load_rules
from irsalint.sources.terraform import build_terraform_facts
from tests.helpers import FIXTURES

RULES = FIXTURES / "rules"


def _findings(path: Path, *ids: str) -> list[Finding]:
    rules = tuple(r for r in load_rules() if r.id in ids)
    cwd = os.getcwd()
    os.chdir(path)
    try:
        return list(lint(["."], rules, LintOptions(jobs=1)).findings)
    finally:
        os.chdir(cwd)


def _lines(findings: list[Finding], rule: str) -> set[tuple[str, int]]:
    return {(f.loc.path, f.loc.line) for f in findings if f.rule_id == rule}


def test_irsa010_leaves_a_wildcard_or_a_subject_in_aud_to_the_field_rules() -> None:
    wildcard = _findings(RULES / "IRSA021" / "bad" / "audience-star", "IRSA010", "IRSA021")
    assert _lines(wildcard, "IRSA021") == {("main.tf", 16)} and _lines(wildcard, "IRSA010") == set()
    swapped = _findings(RULES / "IRSA022" / "bad" / "swapped-claims", "IRSA010", "IRSA022")
    assert _lines(swapped, "IRSA022") == {("main.tf", 14)} and _lines(swapped, "IRSA010") == set()


def test_irsa012_leaves_malformed_keys_to_irsa022() -> None:
    for case in ("provider-arn-prefix", "swapped-region", "missing-id"):
        found = _findings(RULES / "IRSA022" / "bad" / case, "IRSA012", "IRSA022")
        assert _lines(found, "IRSA012") == set(), case
        assert len(_lines(found, "IRSA022")) == 1, case


def test_irsa012_still_reports_a_well_formed_key_of_another_cluster(tmp_path: Path) -> None:
    source = (RULES / "IRSA022" / "good" / "well-formed-keys" / "main.tf").read_text()
    other = source.replace("/id/EXAMPLED539D4633E53DE1B71EXAMPLE:sub", "/id/0123456789ABCDEF0123456789ABCDEF:sub")
    (tmp_path / "main.tf").write_text(other)
    found = _findings(tmp_path, "IRSA012", "IRSA022")
    assert [f.rule_id for f in found] == ["IRSA012"]


def test_irsa025_leaves_a_missing_tag_session_to_irsa018() -> None:
    found = _findings(RULES / "IRSA018" / "bad" / "missing-tag-session", "IRSA018", "IRSA025")
    association = {(f.loc.path, f.loc.line) for f in found if f.rule_id == "IRSA018"}
    assert association and not association & _lines(found, "IRSA025")
    assert all("sts:TagSession" not in f.message for f in found if f.rule_id == "IRSA025")


def test_irsa028_reports_a_fargate_namespace_once(tmp_path: Path) -> None:
    case = RULES / "IRSA028" / "bad" / "fargate-namespace-karpenter"
    (tmp_path / "main.tf").write_text((case / "main.tf").read_text())
    (tmp_path / "karpenter.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: karpenter\n  namespace: karpenter\nspec:\n"
        "  template:\n    spec:\n      serviceAccountName: karpenter\n      containers:\n        - name: controller\n"
        "          image: example/karpenter:1.0\n"
    )
    found = _findings(tmp_path, "IRSA028")
    assert [(f.loc.path, f.loc.line) for f in found] == [("main.tf", 13)]


def _target_case(tmp_path: Path, trust_statements: str, tags: str = "") -> list[Finding]:
    (tmp_path / "main.tf").write_text(f'''
resource "aws_iam_role" "source" {{
  name               = "chain-source"
  assume_role_policy = jsonencode({{ Statement = [{{ Effect = "Allow", Principal = {{ Service = "pods.eks.amazonaws.com" }}, Action = ["sts:AssumeRole", "sts:TagSession"], Condition = {{ StringEquals = {{ "aws:SourceAccount" = "111122223333" }} }} }}] }})
}}

resource "aws_iam_role" "target" {{
  name               = "chain-target"
  assume_role_policy = jsonencode({{ Statement = [{trust_statements}] }})
}}

resource "aws_eks_pod_identity_association" "chain" {{
  cluster_name    = "production"
  namespace       = "team-chain"
  service_account = "app"
  role_arn        = aws_iam_role.source.arn
  target_role_arn = aws_iam_role.target.arn
  {tags}
}}
''')
    return [f for f in _findings(tmp_path, "IRSA025") if f.loc.line == 17]


def test_irsa025_target_role_verdicts(tmp_path: Path) -> None:
    source = "aws_iam_role.source.arn"
    pinned = f'{{ Effect = "Allow", Principal = {{ AWS = {source} }}, Action = ["sts:AssumeRole", "sts:TagSession"]'
    external = ', Condition = { StringEquals = { "sts:ExternalId" = "eu-west-1/111122223333/production/team-chain/app" } } }'
    assert _target_case(tmp_path, pinned + external) == []
    tags = ', Condition = { StringEquals = { "aws:RequestTag/kubernetes-namespace" = "team-chain", "aws:RequestTag/kubernetes-service-account" = "app" } } }'
    assert _target_case(tmp_path, pinned + tags) == []
    [open_to_role] = _target_case(tmp_path, pinned + " }")
    assert open_to_role.level == "warning" and "does not pin a namespace" in open_to_role.message
    root = '{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::111122223333:root" }, Action = ["sts:AssumeRole", "sts:TagSession"] }'
    assert _target_case(tmp_path, root) == []  # the source's account is unknown (a reference): cannot tell
    arn_root = root.replace("arn:aws:iam::111122223333:root", "*")
    [broad] = _target_case(tmp_path, arn_root)
    assert broad.level == "warning" and "whole account" in broad.message
    assume_only = f'{{ Effect = "Allow", Principal = {{ AWS = {source} }}, Action = "sts:AssumeRole"' + external
    [no_tags] = _target_case(tmp_path, assume_only)
    assert no_tags.level == "error" and "sts:TagSession" in no_tags.message
    assert _target_case(tmp_path, assume_only, "disable_session_tags = true") == []


def _facts(text: str):  # type: ignore[no-untyped-def]
    tf = load_terraform("main.tf", text)
    assert isinstance(tf, TfFile)
    return build_terraform_facts([tf])


def test_association_reads_target_role_session_tags_and_policy() -> None:
    facts = _facts('''
resource "aws_iam_role" "target" { name = "t" }
resource "aws_eks_pod_identity_association" "a" {
  cluster_name         = "c"
  namespace            = "n"
  service_account      = "s"
  role_arn             = "arn:aws:iam::111122223333:role/r"
  target_role_arn      = aws_iam_role.target.arn
  disable_session_tags = var.tags_off
  policy               = jsonencode({ Statement = [] })
}
resource "aws_eks_pod_identity_association" "b" {
  cluster_name    = "c"
  namespace       = "n"
  service_account = "t"
  role_arn        = "arn:aws:iam::111122223333:role/r"
  policy          = null
}
''')
    a, b = sorted(facts.associations, key=lambda x: x.id)
    assert isinstance(a, PodIdentityAssociation) and isinstance(a.target_role, RoleRef)
    assert a.disable_session_tags is UNKNOWN and a.policy_loc is not None and a.target_role_loc is not None
    assert (b.target_role, b.disable_session_tags, b.policy_loc) == (None, None, None)


def test_fargate_profile_records() -> None:
    facts = _facts('''
resource "aws_eks_fargate_profile" "p" {
  cluster_name = "production"
  selector {
    namespace = "team-*"
    labels    = { compute = "fargate" }
  }
  selector {
    namespace = "kube-system"
  }
  dynamic "selector" {
    for_each = var.more
    content {
      namespace = selector.value
    }
  }
}
''')
    [profile] = facts.fargate_profiles
    assert isinstance(profile, FargateProfile) and profile.cluster_name == "production"
    assert [(s.namespace, s.labels) for s in profile.selectors] == [("team-*", (("compute", "fargate"),)), ("kube-system", ())]
    assert not profile.complete
