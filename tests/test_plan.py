"""Terraform plan JSON: resolved names, trusts and policies, located in the plan file."""

from __future__ import annotations

import json

from irsalint.load.dispatch import load_bytes
from irsalint.load.k8s import K8sFile
from irsalint.load.plan import PlanFile
from tests.helpers import FIXTURES, findings, run

PLAN_DIR = FIXTURES / "rules" / "IRSA001" / "bad" / "terraform-plan-json"


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_plan_findings_point_into_the_plan():
    plan_text = (PLAN_DIR / "plan.json").read_text()
    result = run(PLAN_DIR)
    assert ("plan.json", _line_of(plan_text, '"policy": "{'), "IRSA003") in findings(result)
    [mismatch] = [f for f in result.findings if f.rule_id == "IRSA001"]
    assert [loc.path for _, loc in mismatch.related] == ["plan.json"]
    assert mismatch.related[0][1].line == _line_of(plan_text, '"assume_role_policy"')


def test_plan_is_detected_by_content_and_other_json_stays_a_manifest():
    plan = load_bytes("anything.json", (PLAN_DIR / "plan.json").read_bytes(), "yaml")
    assert isinstance(plan, PlanFile)
    assert [r.name for r in plan.roles] == ["ledger-writer-production"]
    assert plan.attachments and plan.policies[0].document is not None
    manifest = json.dumps({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "a"}})
    assert isinstance(load_bytes("sa.json", manifest.encode(), "yaml"), K8sFile)
    not_a_plan = json.dumps({"format_version": "1.0", "values": {}})
    assert not isinstance(load_bytes("state.json", not_a_plan.encode(), "yaml"), PlanFile)
