"""Checks over ServiceAccounts and the workloads that run as them."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from irsalint.checks.base import Hit, entity_of, rendering_of, show
from irsalint.checks.labels import quoted, sa_label, workload_label
from irsalint.fix.intents import FixIntent, InsertEntry, SetString
from irsalint.fix.model import SAFE
from irsalint.graph import ROLE_ARN_ANNOTATION, TOKEN_EXPIRATION_ANNOTATION, IrsaGraph
from irsalint.model import Annotation, Location

if TYPE_CHECKING:
    from fractions import Fraction

MIN_EXPIRATION = 600
MAX_EXPIRATION = 86400
_GO_INT_RE = re.compile(r"^[+-]?[0-9]+$")  # strconv.ParseInt(value, 10, 64)
_INT64 = 2**63
# A Go duration (time.ParseDuration) and days: "1h", "90m", "3600s", "1h30m", "1d". The webhook
# accepts none of them; the fix writes the seconds they mean.
_DURATION_PART_RE = re.compile(r"([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h|d)")
# Seconds per unit as (numerator, denominator): fractions is imported only when a value is read
# (3 ms of start-up otherwise).
_UNIT_SECONDS = {
    "ns": (1, 10**9), "us": (1, 10**6), "µs": (1, 10**6), "μs": (1, 10**6),
    "ms": (1, 1000), "s": (1, 1), "m": (60, 1), "h": (3600, 1), "d": (86400, 1),
}  # fmt: skip
AUTOMOUNT_KEY = "automountServiceAccountToken"


def automount_disabled(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    irsa = list(graph.irsa_service_accounts())
    for sa in irsa:
        annotation = sa.annotation(ROLE_ARN_ANNOTATION)
        related = (("the role-arn annotation", annotation.loc),) if annotation else ()
        if sa.automount is False and sa.automount_loc is not None:
            yield Hit(
                f"IRSA ServiceAccount {sa_label(sa)} sets automountServiceAccountToken: false: its pods lose the "
                "Kubernetes API token. The AWS token is injected anyway; set it to true, or opt in per pod.",
                sa.automount_loc,
                entity_of(sa),
                related,
                rendering=rendering_of(sa),
            )
        elif sa.automount is None and sa.automount_loc is None and sa.origin == "manifest":  # absent, not unknown
            yield Hit(
                f"IRSA ServiceAccount {sa_label(sa)} does not set automountServiceAccountToken. Set it explicitly "
                "(true, or false with a per-pod opt-in), as the platform convention asks.",
                sa.name_loc,
                entity_of(sa),
                related,
                level="note",
                rendering=rendering_of(sa),
                fix=FixIntent(f"Add {AUTOMOUNT_KEY}: true (the default, made explicit)", SAFE,
                              (InsertEntry(sa.name_loc, AUTOMOUNT_KEY, "true"),)),
            )
    irsa_ids = {sa.id for sa in irsa}
    for workload in graph.workloads:
        users = [sa for sa in graph.service_accounts_of_workload(workload) if sa.id in irsa_ids]
        user = users[0] if users else None
        if user is None or workload.automount is not False or workload.automount_loc is None:
            continue
        annotation = user.annotation(ROLE_ARN_ANNOTATION)
        yield Hit(
            f"{workload_label(workload)} sets automountServiceAccountToken: false: its pods lose the Kubernetes "
            f"API token. It runs as IRSA ServiceAccount {show(user.name)}; the AWS token is injected anyway.",
            workload.automount_loc,
            entity_of(workload),
            (("the ServiceAccount", annotation.loc if annotation else user.name_loc),),
            rendering=rendering_of(workload),
        )


def token_expiration(graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]:
    for sa in graph.service_accounts:
        annotation = sa.annotation(TOKEN_EXPIRATION_ANNOTATION)
        if annotation is not None:
            yield from _expiration(annotation, f"ServiceAccount {sa_label(sa)}", entity_of(sa), rendering_of(sa))
    for workload in graph.workloads:
        for annotation in workload.template_annotations:
            if annotation.key == TOKEN_EXPIRATION_ANNOTATION:
                yield from _expiration(annotation, workload_label(workload), entity_of(workload), rendering_of(workload))


def _expiration(annotation: Annotation, where: str, entity: str, rendering: str) -> Iterator[Hit]:
    value = annotation.value
    if not isinstance(value, str):
        return  # a placeholder: unknown
    loc: Location = annotation.loc
    if not _GO_INT_RE.match(value) or not -_INT64 <= int(value) < _INT64:
        yield Hit(
            f"{TOKEN_EXPIRATION_ANNOTATION} {quoted(value, 40)} on {where} is not a base-10 integer: the webhook "
            f'ignores it and uses {MAX_EXPIRATION} seconds. Write a number of seconds, such as "3600".',
            loc,
            entity,
            rendering=rendering,
            fix=_expiration_fix(annotation, value),
        )
        return
    seconds = int(value)
    if seconds < MIN_EXPIRATION:
        yield Hit(
            f"{TOKEN_EXPIRATION_ANNOTATION} {seconds} on {where} is below {MIN_EXPIRATION}: the webhook "
            f'silently raises it to {MIN_EXPIRATION} seconds. Write "{MIN_EXPIRATION}" or more.',
            loc,
            entity,
            rendering=rendering,
            fix=_expiration_fix(annotation, value),
        )
    elif seconds > MAX_EXPIRATION:
        yield Hit(
            f"{TOKEN_EXPIRATION_ANNOTATION} {seconds} on {where} is above {MAX_EXPIRATION}: the API server "
            f"may issue a shorter token than asked. Use at most {MAX_EXPIRATION}.",
            loc,
            entity,
            level="warning",
            rendering=rendering,
            fix=_expiration_fix(annotation, value),
        )


def duration_seconds(value: str) -> Fraction | None:
    """Seconds meant by an integer with stray whitespace or by a duration ("1h30m", "1d"); None
    for anything else (a sign, hexadecimal, prose)."""
    from fractions import Fraction

    text = value.strip()
    if _GO_INT_RE.match(text):
        return Fraction(int(text))
    total, position = Fraction(0), 0
    for match in _DURATION_PART_RE.finditer(text):
        if match.start() != position:
            return None
        total += Fraction(match.group(1)) * Fraction(*_UNIT_SECONDS[match.group(2)])
        position = match.end()
    return total if text and position == len(text) else None


def _expiration_fix(annotation: Annotation, value: str) -> FixIntent | None:
    """The value the webhook would use or the author meant, in seconds, within [600, 86400]."""
    seconds = duration_seconds(value)
    if seconds is None:
        return None
    if seconds < MIN_EXPIRATION:
        new = str(MIN_EXPIRATION)
    elif seconds > MAX_EXPIRATION:
        new = str(MAX_EXPIRATION)
    elif seconds.denominator == 1:
        new = str(seconds.numerator)
    else:
        return None  # "3600.5s": no whole number of seconds to write
    if new == value:
        return None
    return FixIntent(f'Write "{new}"', SAFE, (SetString(annotation.loc, value, new),))
