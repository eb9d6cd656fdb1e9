"""What the field rules read from a pod spec besides ServiceAccount and env (IRSA023, IRSA028):
its container names and whether it is pinned to Windows nodes, by nodeSelector (what the pod
identity webhook looks at) or only by a required node affinity (which the webhook ignores)."""

from __future__ import annotations

from collections.abc import Callable

import yaml

from irsalint.model import UNKNOWN, Location, Str
from irsalint.placeholders import has_placeholder
from irsalint.yamlutil import get, get_key, text_of

# the nodeSelector keys the webhook reads to give a Windows pod a Windows token path
OS_LABELS = ("kubernetes.io/os", "beta.kubernetes.io/os")
_REQUIRED = ("nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms")


def container_names(spec: yaml.Node | None) -> tuple[Str, ...] | None:
    """Names of the init containers and containers; None when the list cannot be read whole."""
    names: list[Str] = []
    for list_key in ("initContainers", "containers"):
        containers = get(spec, list_key)
        if containers is None:
            continue
        if not isinstance(containers, yaml.SequenceNode):
            return None
        for container in containers.value:
            name = text_of(get(container, "name"))
            if name is None:
                return None
            names.append(UNKNOWN if has_placeholder(name) else name)
    return tuple(names) if names else None


def windows_affinity(spec: yaml.Node | None, loc: Callable[[yaml.Node], Location]) -> Location | None:
    """The first `kubernetes.io/os In [windows]` expression when every required node-selector term
    (they are ORed) has one: the pod can only be scheduled on Windows nodes."""
    terms: yaml.Node | None = get(spec, "affinity")
    for key in _REQUIRED:
        terms = get(terms, key)
    if not isinstance(terms, yaml.SequenceNode) or not terms.value:
        return None
    found: list[Location] = []
    for term in terms.value:
        pinned = _pinned_to_windows(get(term, "matchExpressions"), loc)
        if pinned is None:
            return None
        found.append(pinned)
    return found[0]


def _pinned_to_windows(expressions: yaml.Node | None, loc: Callable[[yaml.Node], Location]) -> Location | None:
    if not isinstance(expressions, yaml.SequenceNode):
        return None
    for expression in expressions.value:
        if text_of(get(expression, "key")) not in OS_LABELS or text_of(get(expression, "operator")) != "In":
            continue
        values = get(expression, "values")
        if isinstance(values, yaml.SequenceNode) and values.value and all(text_of(v) == "windows" for v in values.value):
            key = get_key(expression, "key")
            return loc(key if key is not None else expression)
    return None
