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

_SERVICE_WILDCARD_RE = re.compile(r"^[a-z0-9-]+:\*+$", re.IGNORECASE)
_WILDCARD_ONLY_RE = re.compile(r"^[*?/:]+$")
_TYPED_WILDCARD_RE = re.compile(r"^[A-Za-z][\w-]*[/:][*?/:]+$")


@dataclass(frozen=True, slots=True)
class _Reach:
    statement: Statement
    roles: tuple[IamRole, ...]
    via: tuple[Location, ...]


def _allow_statements(graph: IrsaGraph) -> list[_Reach]:
    """Every Allow statement reachable from an IRSA role, once, with the roles that reach it."""
    roles_of: dict[Location, list[IamRole]] = defaultdict(list)
    via_of: dict[Location, list[Location]] = defaultdict(list)
    statements: dict[Location, Statement] = {}
    for role in graph.irsa_roles():
        for attached in graph.documents_of(role.id):
            for statement in attached.document.statements:
                if statement.effect != "Allow":
                    continue
                statements[statement.loc] = statement
                if role not in roles_of[statement.loc]:
                    roles_of[statement.loc].append(role)
                    via_of[statement.loc].append(attached.via)
    return [_Reach(statements[k], tuple(roles_of[k]), tuple(via_of[k])) for k in sorted(statements)]


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


def is_wildcard_resource(resource: str) -> bool:
    """`*`, or an ARN whose resource part is only wildcards (after an optional resource type):
    arn:aws:s3:::*, arn:aws:dynamodb:*:*:table/*, arn:aws:secretsmanager:*:*:secret:*."""
    if _WILDCARD_ONLY_RE.match(resource):
        return True
    parts = resource.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return False
    service, rest = parts[2], parts[5]
    if _WILDCARD_ONLY_RE.match(rest):
        return True
    # S3 object ARNs have no resource type: "bucket/*" is one bucket, not a wildcard.
    return service != "s3" and _TYPED_WILDCARD_RE.match(rest) is not None


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
            yield Hit(
                f'Resource "{value.text}" lets IRSA role {_role_names(reach)} use '
                f"{_actions_summary(statement)} on every resource; scope it to the ARNs the workload uses",
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
