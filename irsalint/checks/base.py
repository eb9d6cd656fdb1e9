"""What a check yields, and the protocol every check function follows."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from irsalint.graph import IrsaGraph
from irsalint.model import Location


@dataclass(frozen=True, slots=True)
class Hit:
    message: str
    loc: Location
    entity: str  # the logical thing the finding is about (for fingerprints): "ServiceAccount ns/name"
    related: tuple[tuple[str, Location], ...] = ()  # (what it is, where)
    level: str | None = None  # overrides the rule's default level for this finding
    security_severity: float | None = None  # overrides the rule's default severity


class Check(Protocol):
    def __call__(self, graph: IrsaGraph, params: Mapping[str, Any]) -> Iterator[Hit]: ...


def show(value: object) -> str:
    return value if isinstance(value, str) else "<unknown>"
