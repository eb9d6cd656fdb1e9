"""Checks over ServiceAccounts and the workloads that run as them."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from irsalint.checks.base import Hit, show
from irsalint.graph import ROLE_ARN_ANNOTATION, TOKEN_EXPIRATION_ANNOTATION, IrsaGraph
from irsalint.model import Annotation, Location

MIN_EXPIRATION = 600
MAX_EXPIRATION = 86400
_GO_INT_RE = re.compile(r"^[+-]?[0-9]+$")  # strconv.ParseInt(value, 10, 64)
_INT64 = 2**63


def automount_disabled(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    irsa = list(graph.irsa_service_accounts())
    for sa in irsa:
        entity = f"ServiceAccount {show(sa.namespace)}/{show(sa.name)}"
        annotation = sa.annotation(ROLE_ARN_ANNOTATION)
        related = (("the role-arn annotation", annotation.loc),) if annotation else ()
        if sa.automount is False and sa.automount_loc is not None:
            yield Hit(
                f"IRSA {entity} sets automountServiceAccountToken: false; the pod identity webhook still "
                "injects its AWS token, but the application loses the Kubernetes API token it usually "
                "also needs — set it to true (or opt in per pod)",
                sa.automount_loc,
                entity,
                related,
            )
        elif sa.automount is None and sa.origin == "manifest":
            yield Hit(
                f"IRSA {entity} does not set automountServiceAccountToken; set it explicitly "
                "(true, or false with a per-pod opt-in) as the platform convention asks",
                sa.name_loc,
                entity,
                related,
                level="note",
            )
    irsa_ids = {sa.id for sa in irsa}
    for workload in graph.workloads:
        users = [sa for sa in graph.service_accounts_of_workload(workload) if sa.id in irsa_ids]
        user = users[0] if users else None
        if user is None or workload.automount is not False or workload.automount_loc is None:
            continue
        annotation = user.annotation(ROLE_ARN_ANNOTATION)
        yield Hit(
            f"{workload.kind} {show(workload.namespace)}/{show(workload.name)} runs as IRSA ServiceAccount "
            f"{show(user.name)} but sets automountServiceAccountToken: false in its pod spec; the application "
            "loses the Kubernetes API token",
            workload.automount_loc,
            f"{workload.kind} {show(workload.namespace)}/{show(workload.name)}",
            (("the ServiceAccount", annotation.loc if annotation else user.name_loc),),
        )


def token_expiration(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    for sa in graph.service_accounts:
        annotation = sa.annotation(TOKEN_EXPIRATION_ANNOTATION)
        if annotation is not None:
            yield from _expiration(annotation, f"ServiceAccount {show(sa.namespace)}/{show(sa.name)}")
    for workload in graph.workloads:
        for annotation in workload.template_annotations:
            if annotation.key == TOKEN_EXPIRATION_ANNOTATION:
                yield from _expiration(
                    annotation, f"{workload.kind} {show(workload.namespace)}/{show(workload.name)}"
                )


def _expiration(annotation: Annotation, entity: str) -> Iterator[Hit]:
    value = annotation.value
    if not isinstance(value, str):
        return  # a placeholder: unknown
    loc: Location = annotation.loc
    if not _GO_INT_RE.match(value) or not -_INT64 <= int(value) < _INT64:
        yield Hit(
            f'{TOKEN_EXPIRATION_ANNOTATION} "{value}" on {entity} is not a base-10 integer: the webhook '
            f"ignores it and uses the default {MAX_EXPIRATION} seconds; write a number of seconds such as \"3600\"",
            loc,
            entity,
        )
        return
    seconds = int(value)
    if seconds < MIN_EXPIRATION:
        yield Hit(
            f"{TOKEN_EXPIRATION_ANNOTATION} {seconds} on {entity} is below {MIN_EXPIRATION}: the webhook "
            f"silently raises it to {MIN_EXPIRATION} seconds; write \"{MIN_EXPIRATION}\" or more",
            loc,
            entity,
        )
    elif seconds > MAX_EXPIRATION:
        yield Hit(
            f"{TOKEN_EXPIRATION_ANNOTATION} {seconds} on {entity} is above {MAX_EXPIRATION}: the API server "
            f"may issue a shorter token than asked; use at most {MAX_EXPIRATION}",
            loc,
            entity,
            level="warning",
        )
