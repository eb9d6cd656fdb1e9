"""IRSA008/009/010 details the marker harness does not see: severities, messages, related locations."""

from __future__ import annotations

from tests.helpers import FIXTURES, run


def _by_path(rule: str, case_dir: str) -> dict[str, list]:
    result = run(FIXTURES / "rules" / rule / case_dir, select=(rule,))
    found: dict[str, list] = {}
    for finding in result.findings:
        found.setdefault(finding.loc.path.split("/", 1)[0], []).append(finding)
    return found


def test_irsa009_severity_depends_on_namespace_wildcard():
    found = _by_path("IRSA009", "bad")
    severities = {case: {f.security_severity for f in fs} for case, fs in found.items()}
    assert severities == {
        "jsonencode-name-wildcard": {8.0},
        "question-mark-name": {8.0},
        "v5-module-stringlike": {8.0},
        "v6-module-stringlike": {8.0},
        "v5-oidc-module-wildcards": {8.0},
        "v5-eks-role-stringlike": {8.0},
        "jsonencode-cluster-wildcard": {9.5},
        "data-document-namespace-pattern": {9.5},
        "v6-iam-role-wildcard-subjects": {9.5},
    }
    assert "every ServiceAccount in the cluster" in found["jsonencode-cluster-wildcard"][0].message
    assert "every ServiceAccount of namespace team-reports" in found["jsonencode-name-wildcard"][0].message
    # One finding per offending value: the exact subject next to the pattern does not fire.
    assert len(found["data-document-namespace-pattern"]) == 1
    assert "team-*:log-shipper" in found["data-document-namespace-pattern"][0].message


def test_irsa008_data_source_finding_relates_the_role():
    found = _by_path("IRSA008", "bad")
    (finding,) = found["data-document-no-sub"]
    assert finding.loc.line == 7
    assert [loc.line for _, loc in finding.related] == [23]
    assert "any ServiceAccount in the cluster" in finding.message and "system:serviceaccount:" in finding.message


def test_irsa010_missing_and_wrong_audience_messages():
    found = _by_path("IRSA010", "bad")
    assert {f.level for fs in found.values() for f in fs} == {"warning"}
    (missing,) = found["jsonencode-sub-only"]
    assert "with no `:aud` condition" in missing.message
    (wrong,) = found["data-document-kubernetes-audience"]
    assert '"https://kubernetes.default.svc"' in wrong.message and "AccessDenied" in wrong.message
    assert [loc.line for _, loc in wrong.related] == [25]
