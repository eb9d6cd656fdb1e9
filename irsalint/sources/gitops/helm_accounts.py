"""Helm values layers (in precedence order) -> the ServiceAccounts the chart renders with them.

Each layer is a values document we read, or one we cannot (a ConfigMap that is not in the
repository, a values file from another repository): that one may set anything, so what it could
change is unknown. A value counts only when the last layer that may set it is one we read."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from irsalint.model import (
    UNKNOWN,
    Annotation,
    AnnotationValue,
    Location,
    RoleRef,
    ServiceAccount,
    Str,
    _Unknown,
)
from irsalint.placeholders import placeholder_value
from irsalint.record import record
from irsalint.sources.gitops.chart_defaults import Looked, default_name, namespace_values
from irsalint.sources.gitops.records import Raw, ValueLeaf, ValuesDoc
from irsalint.sources.gitops.values import NAMESPACE_INPUTS, is_service_account_key

ROLE_ARN_KEY = "eks.amazonaws.com/role-arn"
_IRSA_PREFIX = "eks.amazonaws.com/"


@record
class Layer:
    """Values applied at one precedence level. `values` None (or incomplete): unreadable; then
    `only` limits what it may set to one path (a Flux `targetPath`)."""

    values: ValuesDoc | None
    only: tuple[str, ...] | None = None
    label: str = ""  # for ids: where the values come from


Substitute = Callable[[ValueLeaf], Raw | RoleRef]  # a role: a Flux variable Terraform fills with its ARN


def _as_is(leaf: ValueLeaf) -> Raw:
    return leaf.value


class Merged:
    """Layers merged the way Helm coalesces values (later layers win; null deletes)."""

    def __init__(self, layers: Sequence[Layer], substitute: Substitute = _as_is) -> None:
        self.layers = tuple(layers)
        self.substitute = substitute
        self._index = [
            {leaf.path: leaf for leaf in layer.values.leaves}
            if layer.values is not None and layer.values.complete else None
            for layer in self.layers
        ]

    def find(self, path: tuple[str, ...]) -> tuple[Raw | RoleRef | _Unknown, Location | None]:
        """(value, where) for a leaf path: the value (None when absent) or UNKNOWN, and the line of
        the last leaf written for it."""
        last_loc: Location | None = None
        status: Raw | RoleRef | _Unknown | None = None
        decided = False
        for layer, index in zip(reversed(self.layers), reversed(self._index)):
            if index is None:
                if layer.only is None or path[: len(layer.only)] == layer.only:
                    if not decided:
                        status, decided = UNKNOWN, True
                continue
            leaf = index.get(path)
            if leaf is not None:
                last_loc = last_loc or leaf.loc
                if not decided:
                    status, decided = self.substitute(leaf), True
                continue
            for cut in range(len(path) - 1, 0, -1):  # a scalar or null higher up replaces the map
                above = index.get(path[:cut])
                if above is not None and not decided:
                    status, decided = None, True
                    break
        return status, last_loc

    def lookup(self, path: tuple[str, ...]) -> Looked:
        value, _ = self.find(path)
        if value is UNKNOWN or value is None or isinstance(value, str):
            return value
        if isinstance(value, RoleRef):
            return UNKNOWN  # a role's ARN where a name or a flag is read: nothing we can use
        return str(value).lower()

    def blocks(self) -> list[tuple[str, ...]]:
        """Every ServiceAccount block (`serviceAccount`, `controller.serviceAccount`,
        `serviceAccount.server`) with IRSA annotations in some layer we read."""
        found: set[tuple[str, ...]] = set()
        for index in self._index:
            for path in index or ():
                for position, key in enumerate(path):
                    if not is_service_account_key(key):
                        continue
                    rest = path[position + 1 :]
                    if len(rest) == 2 and rest[0] == "annotations" and rest[1].startswith(_IRSA_PREFIX):
                        found.add(path[: position + 1])
                    elif len(rest) == 3 and rest[1] == "annotations" and rest[2].startswith(_IRSA_PREFIX):
                        found.add(path[: position + 2])  # serviceAccount.server.annotations
                    break
        return sorted(found)

    def annotation_keys(self, block: tuple[str, ...]) -> list[str]:
        prefix = (*block, "annotations")
        return sorted({p[-1] for index in self._index for p in index or () if len(p) == len(prefix) + 1
                       and p[: len(prefix)] == prefix})


@record
class Release:
    """What a GitOps object says about the Helm release it makes."""

    id: str  # unique per release (and rendering)
    chart: Str | None
    name: Str | None  # the release name
    namespace: Str  # the release namespace
    loc: Location  # the object's metadata.name
    related: tuple[Location, ...] = ()  # where the namespace is set
    unit: str | None = None
    rendering: str = ""


def service_accounts(merged: Merged, release: Release) -> Iterator[ServiceAccount]:
    """One ServiceAccount per values block that carries an `eks.amazonaws.com/` annotation and
    whose chart creates it (`create: false` means the annotations land nowhere)."""
    for block in merged.blocks():
        create, _ = merged.find((*block, "create"))
        if create is False or (isinstance(create, str) and create.lower() == "false"):
            continue
        annotations = tuple(_annotations(merged, block))
        if not any(a.key.startswith(_IRSA_PREFIX) for a in annotations):
            continue
        name = _name(merged, block, release)
        if create is UNKNOWN:
            name = UNKNOWN  # a values source we cannot read may say the chart creates none
        name_value, name_loc = merged.find((*block, "name"))
        role = next((a for a in annotations if a.key == ROLE_ARN_KEY), annotations[0])
        dotted = ".".join(block)
        yield ServiceAccount(
            id=f"{release.id}[{dotted}]",
            name=name,
            namespace=_namespace(merged, release),
            annotations=annotations,
            automount=None,
            automount_loc=None,
            name_loc=name_loc if isinstance(name_value, str) and name_loc is not None else role.loc,
            origin="helm-values",
            related=release.related,
            unit=release.unit,
            rendering=release.rendering,
        )


def _annotations(merged: Merged, block: tuple[str, ...]) -> Iterator[Annotation]:
    for key in merged.annotation_keys(block):
        value, loc = merged.find((*block, "annotations", key))
        if value is None or loc is None:
            continue
        modelled: AnnotationValue
        if isinstance(value, RoleRef):
            modelled = value
        elif value is UNKNOWN or not isinstance(value, (str, bool)):
            modelled = UNKNOWN
        elif isinstance(value, bool):
            modelled = str(value).lower()
        else:
            modelled = placeholder_value(value)
        yield Annotation(key, modelled, loc)


def _name(merged: Merged, block: tuple[str, ...], release: Release) -> Str:
    value = merged.lookup((*block, "name"))
    if value is UNKNOWN:
        return UNKNOWN
    if isinstance(value, str) and value:
        modelled = placeholder_value(value)
        return modelled if isinstance(modelled, str) else UNKNOWN
    return default_name(release.chart, block, release.name, merged.lookup)


def _namespace(merged: Merged, release: Release) -> Str:
    """The release namespace, unless the values move the chart's objects elsewhere: a namespace
    key the chart honours gives the namespace; any other such key makes it unknown."""
    honoured = namespace_values(release.chart)
    for path in NAMESPACE_INPUTS:
        value = merged.lookup(path)
        if value is None or value == "":
            continue
        if path in honoured and isinstance(value, str):
            modelled = placeholder_value(value)
            return modelled if isinstance(modelled, str) else UNKNOWN
        return UNKNOWN
    return release.namespace
