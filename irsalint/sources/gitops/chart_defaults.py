"""The ServiceAccount name a Helm chart renders when its values leave `name` unset
(irsalint/data/chart_defaults.json), computed the way the chart's templates compute it."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from typing import Any, Union

from irsalint.model import UNKNOWN, Str, _Unknown
from irsalint.package_data import read_text
from irsalint.placeholders import has_placeholder
from irsalint.record import record

# What a values lookup gives: the text set there, None when the key is absent (or null), or UNKNOWN
# when a values source we cannot read may set it.
Looked = Union[str, None, _Unknown]
Lookup = Callable[[tuple[str, ...]], Looked]
_VARIABLE_RE = re.compile(r"\{(\w+)\}")


@record
class DefaultName:
    literal: str | None = None  # the values file names it (`ebs-csi-controller-sa`)
    name: str = "{chart}"  # the fullname's base name: the chart name, or a template over values
    defaults: tuple[tuple[str, str], ...] = ()  # the template's values when unset
    release_test: str = "contains"  # "contains": the helm-create rule; "differs": cluster-autoscaler
    trunc: int = 63  # the fullname's length cap
    suffix: str = ""  # appended to the fullname (`-server`)


@record
class ChartDefaults:
    service_accounts: Mapping[tuple[str, ...], DefaultName]
    namespace_values: tuple[tuple[str, ...], ...]  # values the chart takes its namespace from


@functools.cache
def table() -> Mapping[str, ChartDefaults]:
    text = read_text("data/chart_defaults.json")
    charts: dict[str, Any] = json.loads(text)["charts"]
    return {chart: _entry(entry) for chart, entry in charts.items()}


def _entry(entry: Mapping[str, Any]) -> ChartDefaults:
    blocks: dict[tuple[str, ...], DefaultName] = {}
    for block, spec in entry["service_accounts"].items():
        fullname = spec.get("fullname", {})
        blocks[tuple(block.split("."))] = DefaultName(
            literal=spec.get("literal"),
            name=fullname.get("name", "{chart}"),
            defaults=tuple(sorted(fullname.get("defaults", {}).items())),
            release_test=fullname.get("release_test", "contains"),
            trunc=int(fullname.get("trunc", 63)),
            suffix=spec.get("suffix", ""),
        )
    namespaces = tuple(tuple(p.split(".")) for p in entry.get("namespace_values", ()))
    return ChartDefaults(blocks, namespaces)


def value_inputs() -> set[tuple[str, ...]]:
    """Every values path the table's names depend on (the loader must keep them)."""
    found: set[tuple[str, ...]] = {("nameOverride",), ("fullnameOverride",)}
    for chart in table().values():
        for spec in chart.service_accounts.values():
            found.update((v,) for v in _VARIABLE_RE.findall(spec.name) if v != "chart")
        found.update(chart.namespace_values)
    return found


def _trim(text: str, length: int) -> str:
    """Helm's `trunc N | trimSuffix "-"`."""
    text = text[:length]
    return text[:-1] if text.endswith("-") else text


def _known(value: Looked) -> str | None | _Unknown:
    """A looked-up value as plain text; placeholders make it unknown."""
    if isinstance(value, str) and has_placeholder(value):
        return UNKNOWN
    return value


def default_name(chart: Str | None, block: tuple[str, ...], release: Str | None, lookup: Lookup) -> Str:
    """The chart's default ServiceAccount name for `block`, or UNKNOWN.

    A chart missing from the table falls back to the release name only when that is what the
    `helm create` fullname gives for certain: a top-level `serviceAccount` block, a release named
    exactly like the chart, and no name overrides."""
    spec = table()[chart].service_accounts.get(block) if isinstance(chart, str) and chart in table() else None
    if spec is None:
        overrides = [_known(lookup((key,))) for key in ("nameOverride", "fullnameOverride")]
        if block == ("serviceAccount",) and isinstance(release, str) and release == chart and all(
            o is None or o == "" for o in overrides
        ):
            return release
        return UNKNOWN
    if spec.literal is not None:
        return spec.literal
    fullname = _fullname(spec, chart, release, lookup)
    return fullname + spec.suffix if isinstance(fullname, str) else UNKNOWN


def _fullname(spec: DefaultName, chart: Str | None, release: Str | None, lookup: Lookup) -> Str:
    override = _known(lookup(("fullnameOverride",)))
    if isinstance(override, str) and override:
        return _trim(override, spec.trunc)
    name_override = _known(lookup(("nameOverride",)))
    if override is UNKNOWN or name_override is UNKNOWN or not isinstance(release, str) or not isinstance(chart, str):
        return UNKNOWN
    name = name_override if isinstance(name_override, str) and name_override else _base_name(spec, chart, lookup)
    if not isinstance(name, str):
        return UNKNOWN
    if spec.release_test == "differs":
        full = name if name == release else f"{release}-{name}"
    else:
        full = release if name in release else f"{release}-{name}"
    return _trim(full, spec.trunc)


def _base_name(spec: DefaultName, chart: str, lookup: Lookup) -> Str:
    defaults = dict(spec.defaults)
    values: dict[str, str] = {"chart": chart}
    for variable in _VARIABLE_RE.findall(spec.name):
        if variable == "chart":
            continue
        value = _known(lookup((variable,)))
        if value is UNKNOWN:
            return UNKNOWN
        found = value if isinstance(value, str) and value else defaults.get(variable)
        if found is None:
            return UNKNOWN
        values[variable] = found
    return _VARIABLE_RE.sub(lambda m: values[m.group(1)], spec.name)


def namespace_values(chart: Str | None) -> tuple[tuple[str, ...], ...]:
    return table()[chart].namespace_values if isinstance(chart, str) and chart in table() else ()
