"""Flux `Kustomization` (kustomize.toolkit.fluxcd.io): what it renders and its postBuild
variable substitution.

Read: `spec.sourceRef`, `spec.path` (relative to the repository root), `spec.targetNamespace`,
`spec.postBuild.substitute` (a map) and `spec.postBuild.substituteFrom` (ConfigMaps / Secrets,
`optional`). Variables come from `substituteFrom` in order, then `substitute` wins. Flux replaces
`${var}`, `${var:=default}`, `${var:-default}`, `${var=default}` and `${var-default}` (fluxcd/pkg
envsubst); other functions (`${var:0:3}`, `${var/a/b}`...) are left unknown here. A variable whose
value we cannot read stays a placeholder; a default is used only when every source of variables
is known and none defines the variable. Flux's own empty-string replacement of undefined
variables is not modelled (the value stays unknown). Objects annotated or labelled
`kustomize.toolkit.fluxcd.io/substitute: disabled` are not substituted.

Loader side: `read` (one object -> a FluxKustomization record). Project side: `FluxScopes` (which
files each Kustomization renders, with its variables and unit) and the substitution of the
ServiceAccounts and workloads it renders."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TypeVar

import yaml

from irsalint.model import (
    UNKNOWN,
    Annotation,
    AnnotationValue,
    Location,
    RoleRef,
    ServiceAccount,
    Str,
    Workload,
)
from irsalint.placeholders import has_placeholder, placeholder_value
from irsalint.record import field, record, replace
from irsalint.sources.gitops.common import contains, flag, raw, raw_text
from irsalint.sources.gitops.configmaps import ConfigIndex
from irsalint.sources.gitops.records import FluxKustomization, Raw, RawFields, ValuesRef
from irsalint.yamlutil import get, get_key

API_GROUP = "kustomize.toolkit.fluxcd.io/"
DISABLE_KEY = "kustomize.toolkit.fluxcd.io/substitute"
# ${name}, ${name:=d}, ${name:-d}, ${name=d}, ${name-d}; the default is literal text here
_VARIABLE_RE = re.compile(r"\$\{([_A-Za-z][_A-Za-z0-9]*)(?:(:?[=-])([^${}]*))?\}")


def read(path: str, node: yaml.Node, locate: Callable[[yaml.Node], Location]) -> FluxKustomization:
    metadata = get(node, "metadata")
    spec = get(node, "spec")
    post_build = get(spec, "postBuild")
    substitute: list[tuple[str, Raw, Location]] = []
    mapping = get(post_build, "substitute")
    if isinstance(mapping, yaml.MappingNode):
        for key_node, value_node in mapping.value:
            key = raw_text(key_node)
            if key is not None:
                substitute.append((key, raw(value_node), locate(key_node)))
    refs: list[ValuesRef] = []
    listed = get(post_build, "substituteFrom")
    for entry in listed.value if isinstance(listed, yaml.SequenceNode) else ():
        name = raw(get(entry, "name"))
        refs.append(ValuesRef(raw_text(get(entry, "kind")) or "", name if isinstance(name, str) else None, "", None,
                              flag(get(entry, "optional")), locate(entry)))
    name_key = get_key(metadata, "name")
    target_key = get_key(spec, "targetNamespace")
    return FluxKustomization(
        name=raw(get(metadata, "name")),
        namespace=raw(get(metadata, "namespace")),
        path=raw(get(spec, "path")),
        target_namespace=raw(get(spec, "targetNamespace")),
        substitute=tuple(substitute),
        substitute_from=tuple(refs),
        loc=locate(name_key if name_key is not None else node),
        target_namespace_loc=locate(target_key) if target_key is not None else None,
        source_kind=raw(get(get(spec, "sourceRef"), "kind")),
        source_name=raw(get(get(spec, "sourceRef"), "name")),
    )


@record
class Variables:
    """The variables of one Flux Kustomization. `values[name]` is None when the variable exists
    but its value is unreadable (an encrypted Secret). `closed`: every source was read, so a
    variable not in `values` is undefined."""

    values: Mapping[str, str | None]
    closed: bool
    # variables whose value is a scanned role's ARN (a ConfigMap Terraform writes): a value that is
    # exactly `${name}` becomes that role
    refs: Mapping[str, RoleRef] = field(default_factory=dict)

    def role_ref(self, text: str) -> RoleRef | None:
        match = _VARIABLE_RE.fullmatch(text.strip())  # a default never applies: an ARN is not empty
        return self.refs.get(match.group(1)) if match is not None else None

    def model(self, text: str) -> AnnotationValue:
        """A value as irsalint models it after substitution: a role, text, a Partial or UNKNOWN."""
        return self.role_ref(text) or placeholder_value(self.substitute(text))

    def substitute(self, text: str) -> str:
        """`text` with every variable we can resolve replaced; the rest stays as written."""

        def one(match: re.Match[str]) -> str:
            name, operator, default = match.group(1), match.group(2), match.group(3)
            if name in self.values:
                value = self.values[name]
                if value is None:
                    return match.group(0)
                if operator in (":=", ":-") and value == "":
                    return default
                return value
            if operator is not None and self.closed:
                return default
            return match.group(0)

        if "${" not in text:
            return text
        # `$${var}` is Flux's escape for a literal `${var}`: left alone (it stays a placeholder)
        return re.sub(r"(?<!\$)" + _VARIABLE_RE.pattern, one, text)


NO_VARIABLES = Variables({}, closed=False)


def normalize_path(text: str) -> str | None:
    """`./clusters/dev` -> `clusters/dev`; the repository root is ``; None outside it."""
    path = posixpath.normpath(text.strip().lstrip("/")) if text.strip() not in ("", ".", "./") else "."
    if path == ".":
        return ""
    return None if path.startswith("..") else path


def rendered_files(
    root: str, kustomizations: Mapping[str, Sequence[str]], manifests: Iterable[str]
) -> tuple[set[str], set[str]]:
    """The manifest files `kustomize build root` reads, as Flux builds it: the directory's
    kustomization.yaml (its resources, recursively), or when it has none, every manifest below
    it, with subdirectories holding a kustomization.yaml built as such.

    `kustomizations`: directory -> its resources as written (relative to the directory). Returns
    (manifest files, kustomization directories built)."""
    manifest_set = set(manifests)
    by_dir: dict[str, list[str]] = {}
    for path in manifest_set:
        by_dir.setdefault(posixpath.dirname(path), []).append(path)
    found: set[str] = set()
    seen: set[str] = set()
    stack = [root]
    while stack:
        directory = stack.pop()
        if directory in seen or len(seen) > 10_000:
            continue
        seen.add(directory)
        if directory in kustomizations:
            for resource in kustomizations[directory]:
                target = posixpath.normpath(posixpath.join(directory, resource))
                if target in manifest_set:
                    found.add(target)
                elif target in kustomizations:
                    stack.append(target)
                else:
                    prefix = target + "/"
                    found.update(p for p in manifest_set if p.startswith(prefix))
            continue
        prefix = directory + "/" if directory else ""
        for path in manifest_set:
            if not path.startswith(prefix):
                continue
            nested = _kustomization_between(posixpath.dirname(path), directory, kustomizations)
            if nested is None:
                found.add(path)
            else:
                stack.append(nested)  # Flux includes a subdirectory with a kustomization.yaml as one
    return found, {d for d in seen if d in kustomizations}


def _kustomization_between(start: str, stop: str, kustomizations: Mapping[str, Sequence[str]]) -> str | None:
    """The outermost kustomization directory from `start` up to (not including) `stop`."""
    found = None
    current = start
    while current != stop and current:
        if current in kustomizations:
            found = current
        current = posixpath.dirname(current)
    return found


def disabled(annotations: Iterable[tuple[str, object]]) -> bool:
    return any(key == DISABLE_KEY and value == "disabled" for key, value in annotations)


# --- project side -----------------------------------------------------------------------------------


def field_value(value: Raw, variables: Variables = NO_VARIABLES) -> Str | None:
    """A field as the model sees it after substitution: None when absent, UNKNOWN when not fully
    known."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    modelled = placeholder_value(variables.substitute(value))
    return modelled if isinstance(modelled, str) else UNKNOWN


def known_or_unknown(value: Str | None) -> Str:
    return UNKNOWN if value is None else value


@record
class FluxScope:
    """One Flux Kustomization as it applies to the files it renders."""

    label: str  # names this rendering in ids and merged findings
    root: str  # its spec.path
    unit: str  # the directory its objects are deployed from
    variables: Variables
    target_namespace: str | None
    loc: Location
    namespace_loc: Location | None  # spec.targetNamespace


Locator = Callable[[str, str, bool], "str | None"]
_Placed = TypeVar("_Placed", ServiceAccount, Workload)


class FluxScopes:
    """Which Flux Kustomizations render which files, with their variables and units."""

    def __init__(
        self,
        kustomizations_of_flux: Sequence[tuple[str, FluxKustomization]],
        kustomizations: Mapping[str, Sequence[str]],
        manifests: set[str],
        index: ConfigIndex,
        locate: Locator,
        raw_fields: Mapping[Location, RawFields],
    ) -> None:
        self.flux_kustomizations = kustomizations_of_flux
        self.kustomizations = kustomizations
        self.manifests = manifests
        self.index = index
        self.locate = locate
        self.raw_fields = raw_fields
        self.scopes: dict[str, list[FluxScope]] = {}  # file (or kustomization dir) -> scopes
        if kustomizations_of_flux:
            self._flux_scopes()

    def _flux_scopes(self) -> None:
        """Every Kustomization's scope, computed again with the parents found by the previous
        round until nothing changes: a child's unit, its `${VAR}` path and target namespace
        depend on the Kustomization that renders its file (flux-system -> apps -> app)."""
        kustomizations = sorted(self.flux_kustomizations, key=lambda item: item[1].loc)
        rendered: dict[str, list[str]] = {}
        previous: dict[str, list[FluxScope]] = {}
        for _round in range(6):
            current: dict[str, list[FluxScope]] = {}
            for path, fk in kustomizations:
                parents = [s for s in previous.get(path, []) if s.loc != fk.loc]
                parent = parents[0] if len(parents) == 1 else None
                root = self._root(path, fk, parent)
                if root is None:
                    continue
                scope = self._scope(path, fk, root, parent)
                if root not in rendered:
                    files, directories = rendered_files(root, self.kustomizations, self.manifests)
                    rendered[root] = sorted(files | directories)
                for target in rendered[root]:
                    if scope not in current.setdefault(target, []):
                        current[target].append(scope)
            if current == previous:
                break
            previous = current
        self.scopes = previous

    def _root(self, path: str, fk: FluxKustomization, parent: FluxScope | None) -> str | None:
        """The directory a Flux Kustomization builds, when its source is this repository: a
        GitRepository (an OCIRepository or Bucket holds other files). The whole repository
        (no path, `./`) only for `flux-system`, the source `flux bootstrap` makes of it."""
        if fk.source_kind != "GitRepository":
            return None
        text = field_value(fk.path, parent.variables if parent else NO_VARIABLES) if fk.path is not None else ""
        if not isinstance(text, str):
            return None
        if normalize_path(text) == "" and fk.source_name != "flux-system":
            return None
        return self.locate(text, path, True)

    def _scope(self, path: str, fk: FluxKustomization, root: str, parent: FluxScope | None) -> FluxScope:
        variables = self._variables(fk, parent)
        if root and contains(root, path):
            unit = root  # a cluster's own Kustomization (flux-system) renders the directory it is in
        elif parent is not None:
            unit = parent.unit
        else:
            unit = posixpath.dirname(path)
        target = field_value(fk.target_namespace, parent.variables if parent else NO_VARIABLES)
        name = field_value(fk.name) if fk.name is not None else None
        label = f"Kustomization {name}" if isinstance(name, str) else f"Kustomization at {fk.loc}"
        return FluxScope(label, root, unit, variables, target if isinstance(target, str) else None, fk.loc,
                         fk.target_namespace_loc)

    def _variables(self, fk: FluxKustomization, parent: FluxScope | None) -> Variables:
        values: dict[str, str | None] = {}
        refs: dict[str, RoleRef] = {}
        closed = True
        namespace = field_value(fk.namespace)
        for ref in fk.substitute_from:
            found = self.index.candidates(ref, namespace if isinstance(namespace, str) else UNKNOWN)
            if not found:
                # an optional source that is not in the repository is empty (as Flux treats a
                # missing one); one of that name in another namespace may be misplaced by us
                closed = closed and ref.optional and not self.index.named_anywhere(ref)
                continue
            if len(found) > 1:
                closed = False
                continue
            data = found[0]
            closed = closed and data.complete
            for entry in data.entries:
                if entry.file is not None:
                    closed = False  # a generator `files:` entry holds a file's text, not a variable
                    continue
                values[entry.key] = entry.text
                if entry.ref is not None:
                    refs[entry.key] = entry.ref
                else:
                    refs.pop(entry.key, None)
        parent_variables = parent.variables if parent else NO_VARIABLES
        for key, value, _loc in fk.substitute:
            refs.pop(key, None)  # `substitute` wins over `substituteFrom`
            if value is None:
                values[key] = ""
            elif isinstance(value, bool):
                values[key] = str(value).lower()
            else:
                text = parent_variables.substitute(value)
                values[key] = None if has_placeholder(text) else text
        return Variables(values, closed, refs)

    def scopes_of(self, path: str, top: str | None = None) -> list[FluxScope]:
        """The Flux Kustomizations that render a file (through the kustomize rendering `top`)."""
        found = self.scopes.get(path, [])
        if top is None:
            return list(found)
        return [s for s in found if contains(s.root, top) or contains(top, s.root)]

    def variables_of(self, path: str) -> Variables:
        """The variables substituted in a file (or a generator's file, through the kustomization
        directory beside it), when exactly one Flux Kustomization renders it."""
        found = self.scopes.get(path) or self.scopes.get(posixpath.dirname(path), [])
        return found[0].variables if len(found) == 1 else NO_VARIABLES

    def render_service_accounts(self, sas: Sequence[ServiceAccount]) -> Iterator[ServiceAccount]:
        for sa in sas:
            scopes = self.scopes_of(sa.name_loc.path, sa.unit) if sa.origin == "manifest" else []
            if not scopes:
                yield _placeholder_namespace_unknown(sa)
                continue
            for scope in scopes:
                yield self._substituted_sa(sa, scope, several=len(scopes) > 1)

    def _substituted_sa(self, sa: ServiceAccount, scope: FluxScope, several: bool) -> ServiceAccount:
        fields = dict(self.raw_fields[sa.name_loc].fields) if sa.name_loc in self.raw_fields else {}
        variables = NO_VARIABLES if disabled([(a.key, a.value) for a in (*sa.annotations, *sa.labels)]) \
            else scope.variables
        name = field_value(fields["name"], variables) if "name" in fields else sa.name
        namespace, related = _substituted_namespace(sa, scope, fields, variables)
        return replace(
            sa,
            id=f"{sa.id}%{scope.loc.path}:{scope.loc.line}" if several else sa.id,
            name=name if name is not None else UNKNOWN,
            namespace=namespace,
            annotations=_substituted_annotations(sa.annotations, "annotation:", fields, variables),
            related=related,
            unit=scope.unit,
            rendering=scope.label if several else sa.rendering,
        )

    def render_workloads(self, workloads: Sequence[Workload]) -> Iterator[Workload]:
        for workload in workloads:
            scopes = self.scopes_of(workload.name_loc.path, workload.unit)
            if not scopes:
                yield _placeholder_namespace_unknown(workload)
                continue
            for scope in scopes:
                yield self._substituted_workload(workload, scope, several=len(scopes) > 1)

    def _substituted_workload(self, workload: Workload, scope: FluxScope, several: bool) -> Workload:
        fields = dict(self.raw_fields[workload.name_loc].fields) if workload.name_loc in self.raw_fields else {}
        variables = NO_VARIABLES if disabled([(a.key, a.value) for a in workload.annotations]) else scope.variables
        namespace, related = _substituted_namespace(workload, scope, fields, variables)
        account = field_value(fields["serviceAccountName"], variables) if "serviceAccountName" in fields else None
        return replace(
            workload,
            id=f"{workload.id}%{scope.loc.path}:{scope.loc.line}" if several else workload.id,
            namespace=namespace,
            service_account=account if account is not None else workload.service_account,
            annotations=_substituted_annotations(workload.annotations, "annotation:", fields, variables),
            template_annotations=_substituted_annotations(
                workload.template_annotations, "template-annotation:", fields, variables),
            related=related,
            unit=scope.unit,
            rendering=scope.label if several else workload.rendering,
        )


def _substituted_annotations(
    items: tuple[Annotation, ...], prefix: str, fields: Mapping[str, str], variables: Variables
) -> tuple[Annotation, ...]:
    """Annotations whose value was written with `${VAR}`s (kept raw in `fields`), substituted."""
    return tuple(replace(a, value=variables.model(fields[prefix + a.key])) if prefix + a.key in fields else a
                 for a in items)


def _substituted_namespace(
    record: _Placed, scope: FluxScope, fields: Mapping[str, str], variables: Variables
) -> tuple[Str, tuple[Location, ...]]:
    """The namespace a Flux Kustomization deploys `record` in, and where that is said."""
    if scope.target_namespace is not None:
        return scope.target_namespace, (*record.related, scope.namespace_loc or scope.loc)
    if "namespace" in fields and record.namespace is UNKNOWN:
        return known_or_unknown(field_value(fields["namespace"], variables)), record.related
    if isinstance(record.namespace, str):  # kustomize may have set `${VAR}`: Flux substitutes it
        return known_or_unknown(field_value(record.namespace, variables)), record.related
    return record.namespace, record.related


def _placeholder_namespace_unknown(record: _Placed) -> _Placed:
    """A namespace a kustomization wrote as `${VAR}` (kustomize keeps it as text): unknown."""
    if isinstance(record.namespace, str) and has_placeholder(record.namespace):
        return replace(record, namespace=UNKNOWN)
    return record
