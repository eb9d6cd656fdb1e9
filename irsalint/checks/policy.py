"""Checks over the permission policies reachable from IRSA roles."""

from __future__ import annotations

import functools
import json
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from irsalint.checks.base import Hit, show
from irsalint.graph import IrsaGraph
from irsalint.iam import Tri, string_like
from irsalint.model import IamRole, Location, Statement, Value
from irsalint.policy_patterns import WILDCARD_ONLY_RE as _WILDCARD_ONLY_RE
from irsalint.policy_patterns import aws_managed_policy_name, is_wildcard_resource

_SERVICE_WILDCARD_RE = re.compile(r"^[a-z0-9-]+:\*+$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Reach:
    statement: Statement
    roles: tuple[IamRole, ...]
    via: tuple[Location, ...]


def _allow_statements(graph: IrsaGraph) -> list[_Reach]:
    """Every Allow statement reachable from an IRSA role, once, with the roles that reach it."""
    # Keyed by position (a document read twice is one statement); statements generated from a
    # module flag share the flag's line, so their origin is part of the key.
    Key = tuple[Location, tuple[str, int] | None]
    roles_of: dict[Key, list[IamRole]] = defaultdict(list)
    via_of: dict[Key, list[Location]] = defaultdict(list)
    statements: dict[Key, Statement] = {}
    for role in graph.irsa_roles():
        for attached in graph.documents_of(role.id):
            for statement in attached.document.statements:
                if statement.effect != "Allow":
                    continue
                origin = statement.generated_by
                key: Key = (statement.loc, (origin.flag, origin.index) if origin else None)
                statements[key] = statement
                if role not in roles_of[key]:
                    roles_of[key].append(role)
                    via_of[key].append(attached.via)
    ordered = sorted(statements, key=lambda k: (k[0], k[1] or ("", -1)))
    return [_Reach(statements[k], tuple(roles_of[k]), tuple(via_of[k])) for k in ordered]


def _related(reach: _Reach) -> tuple[tuple[str, Location], ...]:
    related = [(f"role {show(r.name)} ({r.address})", r.loc) for r in reach.roles]
    related.extend(("attached here", v) for v in reach.via if v not in {r.loc for r in reach.roles})
    return tuple(dict.fromkeys(related))


def _role_names(reach: _Reach) -> str:
    names = sorted({show(r.name) for r in reach.roles})
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _entity(reach: _Reach) -> str:
    sid = reach.statement.sid
    return f"Statement {sid if isinstance(sid, str) else '#'} of {_role_names(reach)}"


def wildcard_action(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    for reach in _allow_statements(graph):
        statement = reach.statement
        if statement.not_actions is not None:
            yield Hit(
                f"Allow with NotAction grants every action except those listed to IRSA role {_role_names(reach)}; "
                "list the actions the workload needs in Action instead",
                statement.not_actions.loc,
                _entity(reach),
                _related(reach),
            )
        if statement.actions is None:
            continue
        for value in statement.actions.values:
            text = value.text
            if not isinstance(text, str):
                continue
            if text.strip("*") == "" or _SERVICE_WILDCARD_RE.match(text):
                scope = "every action of every service" if text.strip("*") == "" else f"every {text.split(':')[0]} action"
                yield Hit(
                    f'Action "{text}" grants {scope} to IRSA role {_role_names(reach)}; '
                    "list the actions the workload calls",
                    value.loc,
                    _entity(reach),
                    _related(reach),
                )


@functools.lru_cache(maxsize=1)
def _action_table() -> tuple[frozenset[str], dict[str, tuple[tuple[str, bool], ...]]]:
    """(star-only actions, service -> ((action, resource_scoped), ...)) from the shipped data file."""
    text = resources.files("irsalint").joinpath("data/star_only_actions.json").read_text("utf-8")
    data = json.loads(text)
    star_only = frozenset(data["star_only"])
    by_service: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    for action in data["star_only"]:
        by_service[action.split(":", 1)[0]].append((action, False))
    for action in data["resource_scoped"]:
        by_service[action.split(":", 1)[0]].append((action, True))
    return star_only, {k: tuple(v) for k, v in by_service.items()}


def supports_resource_scoping(pattern: str) -> Tri:
    """Can this action (or pattern) be scoped to resources? Unknown actions count as scopable.

    A pattern is scopable when at least half of the actions it matches are: `ec2:Describe*` is
    read-only and AWS allows most of it only on "*", so it stays quiet; `s3:Get*` does not."""
    pattern = pattern.lower()
    if pattern.strip("*") == "":
        return True
    service, _, name = pattern.partition(":")
    star_only, by_service = _action_table()
    actions = by_service.get(service)
    if not actions or not name:
        return True
    if "*" not in name and "?" not in name:
        return pattern not in star_only
    matched = [scoped for action, scoped in actions if string_like(pattern, action)]
    if not matched:
        return True
    return sum(matched) * 2 >= len(matched)


def _scopable_actions(statement: Statement) -> Tri:
    if statement.not_actions is not None:
        return True  # NotAction allows nearly everything, scopable actions included
    if statement.actions is None:
        return False
    verdicts = [supports_resource_scoping(v) if isinstance(v, str) else None for v in statement.actions.texts()]
    if any(v is True for v in verdicts):
        return True
    if any(v is None for v in verdicts) or not statement.actions.complete:
        return None
    return False


def wildcard_resource(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    for reach in _allow_statements(graph):
        statement = reach.statement
        if _scopable_actions(statement) is not True:
            continue
        if statement.not_resources is not None:
            yield Hit(
                f"Allow with NotResource applies to every resource except those listed, for IRSA role "
                f"{_role_names(reach)}; list the resources in Resource instead",
                statement.not_resources.loc,
                _entity(reach),
                _related(reach),
            )
        if statement.resources is None:
            continue
        for value in _wildcards(statement.resources.values):
            origin = statement.generated_by
            if origin is not None:
                how = "is set to" if origin.explicit else "defaults to"
                message = (
                    f'{origin.flag} = true on {origin.module} generates a policy allowing {_actions_summary(statement)} '
                    f'on "{value.text}" because {origin.variable} {how} a wildcard: IRSA role {_role_names(reach)} '
                    f"can use them on every resource; set {origin.variable} to the ARNs the workload uses"
                )
            else:
                message = (
                    f'Resource "{value.text}" lets IRSA role {_role_names(reach)} use '
                    f"{_actions_summary(statement)} on every resource; scope it to the ARNs the workload uses"
                )
            yield Hit(
                message,
                value.loc,
                _entity(reach),
                _related(reach),
            )


def _wildcards(values: tuple[Value, ...]) -> Iterator[Value]:
    for value in values:
        if isinstance(value.text, str) and is_wildcard_resource(value.text):
            yield value


def _actions_summary(statement: Statement) -> str:
    if statement.not_actions is not None:
        return "all but a few actions"
    texts = [t for t in statement.actions.texts() if isinstance(t, str)] if statement.actions else []
    if not texts:
        return "its actions"
    return ", ".join(texts[:3]) + (f" (+{len(texts) - 3})" if len(texts) > 3 else "")


# --- IRSA013 privilege escalation --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Escalation:
    action: str  # lowercase service:action
    requires_resource_star: bool
    why: str


@functools.lru_cache(maxsize=1)
def _escalation_table() -> tuple[tuple[_Escalation, ...], dict[str, str]]:
    """(escalation actions, managed policy name -> why) from the shipped data file."""
    text = resources.files("irsalint").joinpath("data/privilege_escalation.json").read_text("utf-8")
    data = json.loads(text)
    actions = tuple(
        _Escalation(e["action"], bool(e["requires_resource_star"]), e["why"]) for e in data["escalation_actions"]
    )
    managed = {p["name"]: p["why"] for p in data["managed_policies"]}
    return actions, managed


def _display_action(action: str) -> str:
    """iam:passrole -> iam:PassRole (display only; IAM action names are case-insensitive)."""
    service, _, name = action.partition(":")
    known = {
        "passrole": "PassRole", "createpolicyversion": "CreatePolicyVersion",
        "setdefaultpolicyversion": "SetDefaultPolicyVersion", "attachrolepolicy": "AttachRolePolicy",
        "attachuserpolicy": "AttachUserPolicy", "attachgrouppolicy": "AttachGroupPolicy",
        "putrolepolicy": "PutRolePolicy", "putuserpolicy": "PutUserPolicy", "putgrouppolicy": "PutGroupPolicy",
        "updateassumerolepolicy": "UpdateAssumeRolePolicy", "createaccesskey": "CreateAccessKey",
        "createloginprofile": "CreateLoginProfile", "updateloginprofile": "UpdateLoginProfile",
        "addusertogroup": "AddUserToGroup", "assumerole": "AssumeRole",
    }
    return f"{service}:{known.get(name, name)}"


def _pattern_grants(pattern: str, action: str) -> bool:
    """Case-insensitive IAM action matching, wildcards on either side."""
    pattern = pattern.lower()
    return string_like(pattern, action) or string_like(action, pattern)


def _resource_applies(resource: str, service: str) -> bool:
    """Can this Resource value name resources of `service` (iam, sts)? `*`, wildcard-only text and
    ARNs of that service (or of a wildcard service) can; an S3 ARN cannot grant iam:PassRole."""
    if _WILDCARD_ONLY_RE.match(resource):
        return True
    parts = resource.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return False
    arn_service = parts[2].lower()
    targets = _RESOURCE_SERVICES.get(service, (service,))
    return any(string_like(arn_service, t) or string_like(t, arn_service) for t in targets)


# sts:AssumeRole names its target by role ARN, which is an `iam` ARN.
_RESOURCE_SERVICES = {"sts": ("sts", "iam")}


def _escalation_resource(statement: Statement, escalation: _Escalation) -> Tri:
    """Does the statement's Resource let the escalation action work as escalation? For the
    `requires_resource_star` actions only `*`-like resources count."""
    service = escalation.action.split(":", 1)[0]
    if statement.not_resources is not None:
        return True  # everything except a few resources
    if statement.resources is None:
        return False
    verdict: Tri = False
    for text in statement.resources.texts():
        if not isinstance(text, str):
            verdict = None
            continue
        if not _resource_applies(text, service):
            continue
        if not escalation.requires_resource_star or is_wildcard_resource(text):
            return True
    if verdict is False and not statement.resources.complete:
        return None
    return verdict


def _star_resource(statement: Statement, escalation: _Escalation) -> str:
    if statement.not_resources is not None or statement.resources is None:
        return "every resource (NotResource)"
    service = escalation.action.split(":", 1)[0]
    for text in statement.resources.texts():
        if isinstance(text, str) and _resource_applies(text, service) and is_wildcard_resource(text):
            return f'"{text}"'
    return '"*"'  # pragma: no cover - only called for statements _escalation_resource accepted


def _granted(patterns: list[str], statement: Statement) -> list[_Escalation]:
    escalations, _ = _escalation_table()
    return [
        e for e in escalations
        if any(_pattern_grants(p, e.action) for p in patterns) and _escalation_resource(statement, e) is True
    ]


def _escalation_message(what: str, granted: list[_Escalation], reach: _Reach, exact: bool) -> str:
    first = granted[0]
    shown = _display_action(first.action)
    scope = f" on {_star_resource(reach.statement, first)}" if first.requires_resource_star else ""
    advice = _generated_hint(reach.statement) or "Remove it, or scope it to the exact resources the workload needs"
    tail = f": {first.why} {advice}"
    if exact:
        return f"{what}{scope} lets IRSA role {_role_names(reach)} escalate its privileges{tail}"
    others = [_display_action(e.action) for e in granted[1:]]
    more = ""
    if others:
        more = f" (also {', '.join(others[:4])}" + (f" and {len(others) - 4} more" if len(others) > 4 else "") + ")"
    return f"{what} grants {shown}{scope}{more}, so IRSA role {_role_names(reach)} can escalate its privileges{tail}"


def privilege_escalation(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    for reach in _allow_statements(graph):
        statement = reach.statement
        if statement.not_actions is not None:
            if not statement.not_actions.complete:
                continue
            texts = statement.not_actions.texts()
            if any(not isinstance(t, str) for t in texts):
                continue
            escalations, _ = _escalation_table()
            excluded = [t for t in texts if isinstance(t, str)]
            granted = [
                e for e in escalations
                if not any(_pattern_grants(p, e.action) for p in excluded) and _escalation_resource(statement, e) is True
            ]
            if granted:
                yield Hit(
                    _escalation_message("Allow with NotAction", granted, reach, exact=False),
                    statement.not_actions.loc,
                    f"{_entity(reach)} NotAction",
                    _related(reach),
                )
        if statement.actions is None:
            continue
        for value in statement.actions.values:
            text = value.text
            if not isinstance(text, str):
                continue
            granted = _granted([text], statement)
            if granted:
                yield Hit(
                    _escalation_message(
                        f'Action "{text}"', granted, reach, exact=len(granted) == 1 and text.lower() == granted[0].action
                    ),
                    value.loc,
                    f"{_entity(reach)} {text}",
                    _related(reach),
                )
    _, managed = _escalation_table()
    for role in graph.irsa_roles():
        for arn in graph.role_managed_arns.get(role.id, []):
            name = aws_managed_policy_name(arn.value)
            if name is None or name not in managed:
                continue
            yield Hit(
                f"AWS managed policy {name} is attached to IRSA role {show(role.name)} ({role.address}): "
                f"{managed[name]} Every pod running as its ServiceAccount holds these permissions; attach a "
                "policy that grants only the actions and resources the workload needs",
                arn.loc,
                f"Role {role.address} {name}",
                ((f"role {show(role.name)} ({role.address})", role.loc),) if role.loc != arn.loc else (),
            )


def _generated_hint(statement: Statement) -> str:
    """For statements synthesized from a module flag: which variable scopes them."""
    origin = statement.generated_by
    if origin is None:
        return ""
    if origin.explicit:
        return (
            f"{origin.module} sets {origin.variable} to a wildcard for its {origin.flag} policy; "
            f"set {origin.variable} to the exact ARNs"
        )
    return (
        f"{origin.module} generates this with {origin.flag} = true and {origin.variable} left at its "
        f"wildcard default; set {origin.variable} to the exact ARNs"
    )
