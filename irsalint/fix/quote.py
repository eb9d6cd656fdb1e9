"""A new string value written in the style of the one it replaces (YAML plain, single- or double-
quoted; HCL and JSON strings), or None when that style cannot hold it. Every YAML rendering is
read back with libyaml before it is used."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import yaml
from yaml.nodes import ScalarNode

from irsalint.yamlutil import Loader

_resolve: Callable[[type[yaml.Node], Any, Any], str] = yaml.resolver.Resolver().resolve
STR_TAG = "tag:yaml.org,2002:str"


def plain_tag(value: str) -> str:
    """The tag a plain YAML scalar with this text resolves to (str, int, bool, null...)."""
    return str(_resolve(ScalarNode, value, (True, False)))


def _reads_back(raw: str, value: str, style: str | None) -> bool:
    loader = Loader(f"k: {raw}\n")
    try:
        events = []
        while True:
            event = loader.get_event()
            if event is None or isinstance(event, yaml.StreamEndEvent):
                break
            events.append(event)
    except yaml.YAMLError:
        return False
    finally:
        loader.dispose()
    scalars = [e for e in events if isinstance(e, yaml.ScalarEvent)]
    return len(scalars) == 2 and scalars[1].value == value and (scalars[1].style or None) == style


def yaml_scalar(value: str, style: str | None, tag: str) -> str | None:
    """`value` as a YAML flow scalar: plain when the old one was plain and the new text keeps its
    type (a plain `1h` is a string, a plain `3600` an integer: that one is quoted instead, as
    annotation values must be strings), else single- or double-quoted as before."""
    if style is None and plain_tag(value) == tag and _reads_back(value, value, None):
        return value
    if style == "'" and "\n" not in value:
        raw = "'" + value.replace("'", "''") + "'"
        if _reads_back(raw, value, "'"):
            return raw
    raw = json.dumps(value, ensure_ascii=False)
    return raw if _reads_back(raw, value, '"') else None


_HCL_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def hcl_string(value: str) -> str:
    """A quoted HCL string whose value is `value` (no interpolation: `${` and `%{` escaped)."""
    out = []
    for char in value:
        if char in _HCL_ESCAPES:
            out.append(_HCL_ESCAPES[char])
        elif ord(char) < 0x20:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out).replace("${", "$${").replace("%{", "%%{") + '"'


def json_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)
