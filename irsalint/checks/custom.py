"""Generic, parameterised checks for user rule files (`--rules DIR`, config `rules_dirs`).

A user rule names one of these in `check.function` and configures it in `check.params`; no user
code runs. PARAM_SCHEMAS holds the JSON Schema of each function's params, which irsalint.rules
validates when it loads a user rule file (docs/custom-rules.md)."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from fnmatch import fnmatchcase
from typing import Any

from irsalint.checks.base import Hit
from irsalint.checks.labels import role_label, sa_label
from irsalint.graph import ROLE_ARN_ANNOTATION, TOKEN_EXPIRATION_ANNOTATION, IrsaGraph
from irsalint.model import Location, ServiceAccount

DEFAULT_EXPIRATION = 86400  # what the pod identity webhook uses without the annotation

_GLOBS: dict[str, Any] = {"type": "array", "items": {"type": "string", "minLength": 1}}
_SCOPE: dict[str, Any] = {
    "namespaces": {**_GLOBS, "description": "namespace globs the rule applies to (default: all)"},
    "service_accounts": {**_GLOBS, "description": "ServiceAccount name (or namespace/name) globs (default: all)"},
}


def _params(required: Sequence[str], **properties: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": list(required),
        "properties": {**_SCOPE, **properties},
    }


PARAM_SCHEMAS: Mapping[str, Mapping[str, Any]] = {
    "forbidden_actions": _params(["actions"], actions={**_GLOBS, "minItems": 1}),
    "max_token_expiration": _params(["seconds"], seconds={"type": "integer", "minimum": 600}),
    "required_annotations": _params(["annotations"], annotations={**_GLOBS, "minItems": 1}),
    "required_labels": _params(["labels"], labels={**_GLOBS, "minItems": 1}),
    "permissions_boundary_required": _params(
        [], boundaries={**_GLOBS, "description": "accepted boundary policy ARN globs (default: any)"}
    ),
    "allowed_namespaces": {
        "type": "object",
        "additionalProperties": False,
        "required": ["namespaces"],
        "properties": {"namespaces": {**_GLOBS, "minItems": 1}},
    },
}


def _entity(sa: ServiceAccount) -> str:
    return f"ServiceAccount {sa_label(sa)}"


def _in_scope(sa: ServiceAccount, params: Mapping[str, Any]) -> bool:
    namespaces = params.get("namespaces") or ()
    names = params.get("service_accounts") or ()
    if namespaces and not (isinstance(sa.namespace, str) and any(fnmatchcase(sa.namespace, g) for g in namespaces)):
        return False
    if names:
        if not isinstance(sa.name, str) or not isinstance(sa.namespace, str):
            return False
        qualified = f"{sa.namespace}/{sa.name}"
        if not any(fnmatchcase(qualified if "/" in g else sa.name, g) for g in names):
            return False
    return True


def _scoped_irsa(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[ServiceAccount]:
    for sa in graph.irsa_service_accounts():
        if _in_scope(sa, params):
            yield sa


def _role_arn_loc(sa: ServiceAccount) -> Location:
    annotation = sa.annotation(ROLE_ARN_ANNOTATION)
    return annotation.loc if annotation is not None else sa.name_loc


def globs_overlap(a: str, b: str) -> bool:
    """Some string matches both IAM-style globs (`*`, `?`; case-insensitive)."""
    a, b = a.lower(), b.lower()

    @functools.cache
    def overlap(i: int, j: int) -> bool:
        if i == len(a) and j == len(b):
            return True
        if i < len(a) and a[i] == "*":
            return overlap(i + 1, j) or (j < len(b) and overlap(i, j + 1))
        if j < len(b) and b[j] == "*":
            return overlap(i, j + 1) or (i < len(a) and overlap(i + 1, j))
        if i == len(a) or j == len(b):
            return False
        return (a[i] == b[j] or "?" in (a[i], b[j])) and overlap(i + 1, j + 1)

    return overlap(0, 0)


def forbidden_actions(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    """An Allow statement of a role used by a matching IRSA ServiceAccount grants a forbidden action."""
    forbidden = [str(a) for a in params.get("actions", ())]
    users: dict[tuple[str, Location], list[ServiceAccount]] = {}
    granted: dict[tuple[str, Location], tuple[str, str]] = {}
    for sa in _scoped_irsa(graph, params):
        for role_id in graph.sa_matches[sa.id].role_ids:
            for attached in graph.documents_of(role_id):
                for statement in attached.document.statements:
                    if statement.effect != "Allow" or statement.actions is None:
                        continue
                    for value in statement.actions.values:
                        action = value.text
                        if not isinstance(action, str):
                            continue
                        pattern = next((p for p in forbidden if globs_overlap(action, p)), None)
                        if pattern is None:
                            continue
                        key = (role_id, value.loc)
                        granted[key] = (action, pattern)
                        if sa not in users.setdefault(key, []):
                            users[key].append(sa)
    for (role_id, loc), sas in sorted(users.items(), key=lambda item: (item[0][1], item[0][0])):
        role = graph.roles[role_id]
        action, pattern = granted[(role_id, loc)]
        names = ", ".join(sorted(sa_label(s) for s in sas))
        yield Hit(
            f'role {role_label(role)} grants "{action}", which matches the forbidden action "{pattern}", '
            f"to ServiceAccount {names}",
            loc,
            f"Role {role.address} action {action}",
            tuple((f"used by {_entity(s)}", _role_arn_loc(s)) for s in sas),
        )


def max_token_expiration(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    """IRSA tokens must not live longer than `seconds` (absent annotation: the webhook's 86400)."""
    limit = int(params["seconds"])
    for sa in _scoped_irsa(graph, params):
        annotation = sa.annotation(TOKEN_EXPIRATION_ANNOTATION)
        if annotation is None:
            if limit < DEFAULT_EXPIRATION:
                yield Hit(
                    f"{_entity(sa)} does not set {TOKEN_EXPIRATION_ANNOTATION}, so its tokens live "
                    f"{DEFAULT_EXPIRATION} seconds; this repository allows at most {limit}",
                    _role_arn_loc(sa),
                    _entity(sa),
                )
            continue
        value = annotation.value
        if isinstance(value, str) and value.strip().lstrip("+").isdigit() and int(value) > limit:
            yield Hit(
                f"{TOKEN_EXPIRATION_ANNOTATION} {int(value)} on {_entity(sa)} is above the {limit} "
                "seconds this repository allows",
                annotation.loc,
                _entity(sa),
            )


def _required_keys(graph: IrsaGraph, params: Mapping[str, Any], what: str) -> Iterator[Hit]:
    wanted = [str(k) for k in params.get(what, ())]
    for sa in _scoped_irsa(graph, params):
        if sa.origin in ("helm-values", "eksctl"):
            continue  # their metadata is rendered elsewhere (chart templates, eksctl)
        keys = [a.key for a in (sa.annotations if what == "annotations" else sa.labels)]
        missing = [w for w in wanted if not any(fnmatchcase(k, w) for k in keys)]
        if missing:
            noun = what[:-1]
            yield Hit(
                f"IRSA {_entity(sa)} lacks the required {noun}{'s' if len(missing) > 1 else ''} "
                + ", ".join(missing),
                sa.name_loc,
                _entity(sa),
                (("the role-arn annotation", _role_arn_loc(sa)),),
            )


def required_annotations(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    """IRSA ServiceAccounts must carry every listed annotation key (globs allowed)."""
    yield from _required_keys(graph, params, "annotations")


def required_labels(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    """IRSA ServiceAccounts must carry every listed label key (globs allowed)."""
    yield from _required_keys(graph, params, "labels")


def permissions_boundary_required(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    """Roles used by (matching) IRSA ServiceAccounts must set a permissions boundary, optionally
    one of `boundaries` (ARN globs). An unknown boundary value counts as set."""
    accepted = [str(b) for b in params.get("boundaries", ())]
    users: dict[str, list[ServiceAccount]] = {}
    for sa in _scoped_irsa(graph, params):
        for role_id in graph.sa_matches[sa.id].role_ids:
            users.setdefault(role_id, []).append(sa)
    for role_id in sorted(users):
        role = graph.roles[role_id]
        boundary = role.permissions_boundary
        names = ", ".join(sorted(sa_label(s) for s in users[role_id]))
        if boundary is None:
            yield Hit(
                f"role {role_label(role)}, used by ServiceAccount {names}, has no permissions "
                "boundary; set one so the role can never exceed the platform's ceiling",
                role.loc,
                f"Role {role.address}",
                tuple((f"used by {_entity(s)}", _role_arn_loc(s)) for s in users[role_id]),
            )
        elif accepted and isinstance(boundary.value, str) and not any(fnmatchcase(boundary.value, g) for g in accepted):
            yield Hit(
                f'role {role_label(role)} uses permissions boundary "{boundary.value}", which is not one of '
                + ", ".join(accepted),
                boundary.loc,
                f"Role {role.address}",
            )


def allowed_namespaces(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    """IRSA ServiceAccounts may only live in the listed namespaces (globs)."""
    allowed = [str(n) for n in params.get("namespaces", ())]
    for sa in graph.irsa_service_accounts():
        if not isinstance(sa.namespace, str) or any(fnmatchcase(sa.namespace, g) for g in allowed):
            continue
        yield Hit(
            f"IRSA {_entity(sa)} is in namespace {sa.namespace}, which may not use IAM roles "
            f"(allowed: {', '.join(allowed)})",
            _role_arn_loc(sa),
            _entity(sa),
        )
