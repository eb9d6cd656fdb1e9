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
`kustomize.toolkit.fluxcd.io/substitute: disabled` are not substituted."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import yaml

from irsalint.model import Location
from irsalint.sources.gitops.common import flag, raw, raw_text
from irsalint.sources.gitops.records import FluxKustomization, Raw, ValuesRef
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


@dataclass(frozen=True, slots=True)
class Variables:
    """The variables of one Flux Kustomization. `values[name]` is None when the variable exists
    but its value is unreadable (an encrypted Secret). `closed`: every source was read, so a
    variable not in `values` is undefined."""

    values: Mapping[str, str | None]
    closed: bool

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
                target = posixpath.normpath(posixpath.join(directory, resource)) if directory else posixpath.normpath(resource)
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
