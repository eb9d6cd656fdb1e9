"""Well-known platform components: their usual namespace/ServiceAccount appear in IRSA001 messages."""

from __future__ import annotations

from irsalint.checks.trust import component_hint, platform_components
from tests.helpers import FIXTURES, run


def test_data_file_covers_the_platform_components():
    components = platform_components()
    for name in ("aws-load-balancer-controller", "aws-ebs-csi-driver", "cluster-autoscaler", "karpenter",
                 "external-secrets", "velero"):
        namespace, account = components[name]
        assert namespace and account


def test_hint_names_the_usual_place():
    assert component_hint(["external-secret"]) == " external-secrets usually runs as external-secrets/external-secrets."
    assert component_hint(["payments-api"]) == ""


def test_irsa001_message_carries_the_hint():
    result = run(FIXTURES / "rules" / "IRSA001" / "bad" / "platform-component-namespace")
    [finding] = [f for f in result.findings if f.rule_id == "IRSA001"]
    assert "external-secrets usually runs as external-secrets/external-secrets" in finding.message
