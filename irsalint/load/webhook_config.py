"""The pod identity webhook's own binding source: with `--watch-config-map`, the webhook reads the
ConfigMap `pod-identity-webhook` in its namespace, whose `data.config` is JSON mapping
`"<namespace>/<serviceaccount>"` (or `"*/<serviceaccount>"`, any namespace) to an entry with
`RoleARN` and `Audience` (Go's JSON decoding: field names case-insensitive). A ServiceAccount's
own role-arn annotation wins over it (amazon-eks-pod-identity-webhook, pkg/cache/cache.go).

Each entry becomes a ServiceAccount record of origin "webhook-config" carrying the role-arn (and
audience) as annotations located at the entry's lines, so every IRSA rule applies to it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence

import yaml

from irsalint.model import UNKNOWN, Annotation, Location, ServiceAccount
from irsalint.placeholders import placeholder_value
from irsalint.yamlutil import compose_all, get, get_key, text_of

CONFIGMAP_NAME = "pod-identity-webhook"
ORIGIN = "webhook-config"
ROLE_ARN_ANNOTATION = "eks.amazonaws.com/role-arn"
AUDIENCE_ANNOTATION = "eks.amazonaws.com/audience"
_FIELDS = {"rolearn": ROLE_ARN_ANNOTATION, "audience": AUDIENCE_ANNOTATION}


def read_webhook_config(
    path: str, configmap: yaml.Node, loc: Callable[[yaml.Node], Location], lines: Sequence[str]
) -> list[ServiceAccount]:
    """The bindings of a `pod-identity-webhook` ConfigMap; [] when its config is not readable
    JSON (the webhook then keeps no binding either)."""
    data = get(configmap, "data")
    node = get(data, "config")
    text = text_of(node)
    key = get_key(data, "config")
    if node is None or text is None or key is None:
        return []
    where = _Positions(path, node, loc(key), lines)
    try:
        json.loads(text)
    except ValueError:
        return []
    try:
        documents = compose_all(text)
    except (yaml.YAMLError, RecursionError, ValueError):
        documents = []
    root = documents[0] if len(documents) == 1 else None
    if not isinstance(root, yaml.MappingNode) or not all(isinstance(v, yaml.MappingNode) for _, v in root.value):
        return []  # valid JSON, but not an object of entries: the webhook rejects all of it
    return list(_bindings(path, root, where))


def _bindings(path: str, root: yaml.MappingNode, where: _Positions) -> Iterator[ServiceAccount]:
    for key_node, entry in root.value:
        target = text_of(key_node)
        if target is None or target.count("/") != 1 or not isinstance(entry, yaml.MappingNode):
            continue
        namespace, _, name = target.partition("/")
        annotations = list(_annotations(entry, where))
        role = next((a for a in annotations if a.key == ROLE_ARN_ANNOTATION), None)
        if role is None or role.value == "":
            continue  # an entry without a role: the webhook injects nothing
        entry_loc = where.of(key_node)
        yield ServiceAccount(
            id=f"{ORIGIN}:{target}@{path}:{entry_loc.line}",
            name=name,
            namespace=UNKNOWN if namespace == "*" else namespace,  # "*": every namespace
            annotations=tuple(annotations),
            automount=None,
            automount_loc=None,
            name_loc=entry_loc,
            origin=ORIGIN,
        )


def _annotations(entry: yaml.MappingNode, where: _Positions) -> Iterator[Annotation]:
    found: dict[str, Annotation] = {}
    for key_node, value_node in entry.value:
        field = _FIELDS.get(str(key_node.value).lower()) if isinstance(key_node, yaml.ScalarNode) else None
        text = text_of(value_node)
        if field is not None and text is not None:
            found[field] = Annotation(field, placeholder_value(text), where.of(key_node))  # the last one wins
    yield from found.values()


class _Positions:
    """Positions inside the JSON text, shifted to where the text sits in the manifest: line by
    line for a literal block scalar (`config: |`), else the `config` key's line."""

    def __init__(self, path: str, node: yaml.Node, key_loc: Location, lines: Sequence[str]) -> None:
        self.path = path
        self.key_loc = key_loc
        self.block = isinstance(node, yaml.ScalarNode) and node.style == "|"
        self.first = node.start_mark.line + 1  # 0-based line of the block's first text line
        self.indent = _indent(lines, self.first)

    def of(self, node: yaml.Node) -> Location:
        if not self.block:
            return self.key_loc
        line = self.first + node.start_mark.line
        return Location(self.path, line + 1, node.start_mark.column + 1 + self.indent)


def _indent(lines: Sequence[str], index: int) -> int:
    if 0 <= index < len(lines):
        line = lines[index]
        return len(line) - len(line.lstrip(" "))
    return 0


def shadowed(service_accounts: Sequence[ServiceAccount]) -> set[str]:
    """Ids of ConfigMap bindings that an annotated ServiceAccount of the same namespace and name
    overrides (annotations win); a binding for every namespace is kept."""
    annotated = {
        (sa.namespace, sa.name)
        for sa in service_accounts
        if sa.origin != ORIGIN and sa.annotation(ROLE_ARN_ANNOTATION) is not None
    }
    return {
        sa.id
        for sa in service_accounts
        if sa.origin == ORIGIN and isinstance(sa.namespace, str) and (sa.namespace, sa.name) in annotated
    }
