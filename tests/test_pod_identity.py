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
    result = run(tmp_path, select=("IRSA006",))
    assert [(f.loc.path, f.loc.line) for f in result.findings] == [("main.tf", 2)]
