"""ConfigMaps and Secrets found in the repository, as Flux `valuesFrom` / `substituteFrom`
sources: plain manifests, and kustomize `configMapGenerator` / `secretGenerator` entries
(`files:` with an optional `key=path`, `literals:`).

Loader side: one file's objects -> ConfigData records (values strings parsed with positions in
the file). Project side: finding the object a reference names, and the values of a key."""

from __future__ import annotations

import base64
import binascii
import posixpath
from collections.abc import Callable, Iterator, Mapping, Sequence

import yaml

from irsalint.model import Location
from irsalint.record import record
from irsalint.sources.gitops.records import ConfigData, DataEntry, ValuesDoc, ValuesFile, ValuesRef
from irsalint.sources.gitops.values import values_from_string, values_from_text
from irsalint.yamlutil import get, text_of

_MAX_FLAT = 4096  # longer values are not variables or ARNs: not kept as text
_VALUES_HINTS = ("serviceAccount", "nameOverride", "fullnameOverride", "namespaceOverride")

Locate = Callable[[yaml.Node], Location]


def _looks_like_values(text: str) -> bool:
    return any(hint in text for hint in _VALUES_HINTS)


def read_config_object(
    path: str, kind: str, node: yaml.Node, locate: Locate, lines: Sequence[str]
) -> ConfigData | None:
    """A ConfigMap (`data`) or Secret (`stringData`, base64 `data`) manifest."""
    metadata = get(node, "metadata")
    name = text_of(get(metadata, "name"))
    if name is None:
        return None
    entries: list[DataEntry] = []
    complete = True
    for field in ("data", "stringData"):
        mapping = get(node, field)
        if not isinstance(mapping, yaml.MappingNode):
            continue
        encoded = kind == "Secret" and field == "data"
        for key_node, value_node in mapping.value:
            key = text_of(key_node)
            if key is None or not isinstance(value_node, yaml.ScalarNode):
                complete = False
                continue
            entry = _entry(path, key, str(value_node.value), value_node, locate(key_node), lines, encoded)
            complete = complete and entry.text is not None
            entries.append(entry)
    namespace = text_of(get(metadata, "namespace"))
    return ConfigData(kind, name, namespace, tuple(entries), complete, locate(get(metadata, "name") or node))


def _entry(
    path: str, key: str, text: str, node: yaml.ScalarNode, loc: Location, lines: Sequence[str], encoded: bool
) -> DataEntry:
    if encoded:  # base64: no line of the decoded text can be placed, everything points at the key
        try:
            text = base64.b64decode(text, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return DataEntry(key, None, None, loc)  # SOPS-encrypted, binary...
        values = values_from_text(text, lambda _node: loc) if _looks_like_values(text) else None
    else:
        values = values_from_string(node, path, lines, loc) if _looks_like_values(text) else None
    flat = text if len(text) <= _MAX_FLAT and "\n" not in text.strip() else None
    if flat is not None and text.startswith("ENC[AES256_GCM,"):
        flat = None  # SOPS
    return DataEntry(key, flat, values, loc)


def read_generators(path: str, node: yaml.Node | None, locate: Locate) -> Iterator[ConfigData]:
    """`configMapGenerator:` / `secretGenerator:` entries of a kustomization."""
    directory = posixpath.dirname(path)
    own_namespace = text_of(get(node, "namespace"))
    for field, kind in (("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret")):
        listed = get(node, field)
        if not isinstance(listed, yaml.SequenceNode):
            continue
        for generator in listed.value:
            name = text_of(get(generator, "name"))
            if name is None:
                continue
            entries: list[DataEntry] = []
            complete = get(generator, "envs") is None and get(generator, "env") is None
            files = get(generator, "files")
            for item in files.value if isinstance(files, yaml.SequenceNode) else ():
                written = text_of(item)
                if written is None:
                    complete = False
                    continue
                key, _, file_path = written.rpartition("=")
                file_path = posixpath.normpath(posixpath.join(directory, file_path))
                key = key or posixpath.basename(file_path)
                entries.append(DataEntry(key, None, None, locate(item), file=file_path))
            literals = get(generator, "literals")
            for item in literals.value if isinstance(literals, yaml.SequenceNode) else ():
                written = text_of(item)
                if written is None or "=" not in written:
                    complete = False
                    continue
                key, _, value = written.partition("=")
                entries.append(DataEntry(key, value, None, locate(item)))
            namespace = text_of(get(generator, "namespace")) or own_namespace
            where = locate(get(generator, "name") or generator)
            yield ConfigData(kind, name, namespace, tuple(entries), complete, where, generated=True)


# --- project side ---------------------------------------------------------------------------------


@record
class Found:
    """A reference resolved: the object, or None when it is not in the repository."""

    data: ConfigData | None
    entry: DataEntry | None  # the key (None: the object lacks it, or the object is unknown)


class ConfigIndex:
    """Every ConfigMap / Secret of the scan, by kind and name."""

    def __init__(
        self,
        objects: Sequence[ConfigData],
        values_files: Mapping[str, ValuesFile],
        read: frozenset[str],
        placed: Mapping[Location, frozenset[str | None]] | None = None,
    ) -> None:
        self.by_name: dict[tuple[str, str], list[ConfigData]] = {}
        for data in objects:
            self.by_name.setdefault((data.kind, data.name), []).append(data)
        self.values_files = values_files
        self.read = read  # YAML files read without error (a file with no values record holds none)
        self.placed = placed or {}  # an object's namespaces as rendered (None: its deployer's)

    def candidates(self, ref: ValuesRef, namespace: object) -> list[ConfigData]:
        """The objects a reference may name: same kind and name, in the referrer's namespace when
        both are known (an object written without namespace takes its deployer's)."""
        if ref.name is None:
            return []
        found = self.by_name.get((ref.kind, ref.name), [])
        if isinstance(namespace, str):
            found = [d for d in found if namespace in self.placed.get(d.loc, frozenset({d.namespace}))
                     or None in self.placed.get(d.loc, frozenset({d.namespace}))]
        return sorted(found, key=lambda d: d.loc)

    def named_anywhere(self, ref: ValuesRef) -> bool:
        """Some object of that kind and name is in the repository (whatever its namespace)."""
        return ref.name is not None and (ref.kind, ref.name) in self.by_name

    def values_of(self, entry: DataEntry) -> ValuesDoc | None:
        """The values a key holds: parsed in place, or the generator's file; None when unreadable."""
        if entry.file is not None:
            return values_in_file(entry.file, self.values_files, self.read)
        return entry.values


def values_in_file(path: str, values_files: Mapping[str, ValuesFile], read: frozenset[str]) -> ValuesDoc | None:
    """A scanned YAML file as Helm values; None when it was not read (absent, broken, skipped)."""
    loaded = values_files.get(path)
    if loaded is not None:
        return loaded.values
    return ValuesDoc(()) if path in read else None
