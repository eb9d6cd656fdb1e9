"""IRSA018 companions: roles used only by Pod Identity associations are not IRSA006 orphans."""

from __future__ import annotations

from tests.helpers import FIXTURES, run


def test_association_roles_are_not_orphans():
    # IRSA018/bad holds web-identity roles whose only user is an aws_eks_pod_identity_association,
    # by reference (module.x.iam_role_arn) and by ARN string, next to Kubernetes manifests.
    result = run(FIXTURES / "rules" / "IRSA018" / "bad", select=("IRSA006",))
    assert result.files_scanned > 0
    assert [(f.loc.path, f.loc.line) for f in result.findings] == []


def test_same_roles_without_associations_are_orphans(tmp_path):
    source = FIXTURES / "rules" / "IRSA018" / "bad" / "missing-tag-session" / "main.tf"
    text = source.read_text("utf-8")
    (tmp_path / "main.tf").write_text(text[: text.index('resource "aws_eks_pod_identity_association"')])
    (tmp_path / "sa.yaml").write_text("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: other\n  namespace: team-geo\n")
    # another app of the stack links to its role: evidence that the stack's ServiceAccounts are scanned
    (tmp_path / "linked.tf").write_text(
        'resource "aws_iam_role" "mapper" {\n  name = "geo-mapper"\n  assume_role_policy = jsonencode({Statement = [{\n'
        '    Effect = "Allow", Action = "sts:AssumeRoleWithWebIdentity"\n'
        '    Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/X" }\n'
        '    Condition = { StringEquals = { "oidc.eks.eu-west-1.amazonaws.com/id/X:sub" = "system:serviceaccount:team-geo:mapper" } }\n'
        '  }]})\n}\n'
    )
    (tmp_path / "linked.yaml").write_text(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: mapper\n  namespace: team-geo\n  annotations:\n"
        "    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/geo-mapper\n"
    )
    result = run(tmp_path, select=("IRSA006",))
    assert [(f.loc.path, f.loc.line) for f in result.findings] == [("main.tf", 2)]


def test_a_pod_identity_association_silences_irsa001_on_its_service_account(tmp_path):
    """Pod Identity wins over the annotation: the annotated role is never assumed, so its trust
    cannot cause AccessDenied (IRSA018 reports the pair). Without the association, IRSA001 fires."""
    case = FIXTURES / "rules" / "IRSA018" / "bad" / "tf-serviceaccount-and-association"
    assert {f.rule_id for f in run(case, select=("IRSA001", "IRSA018")).findings} == {"IRSA018"}
    text = (case / "main.tf").read_text()
    start = text.index('resource "aws_eks_pod_identity_association"')
    (tmp_path / "main.tf").write_text(text[:start] + text[text.index("}", start) + 1 :])
    assert {f.rule_id for f in run(tmp_path, select=("IRSA001", "IRSA018")).findings} == {"IRSA001"}
