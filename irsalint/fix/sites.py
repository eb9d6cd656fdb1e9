"""Where strings are written in a file: every scalar value with its exact span, the key it is the
value of, and the mapping or block holding that key (for sibling lookups)."""

from __future__ import annotations

from irsalint.record import record

# Site.kind values: how the raw text between start and end spells the value.
YAML_PLAIN, YAML_SINGLE, YAML_DOUBLE, YAML_LITERAL, YAML_FOLDED = "plain", "'", '"', "|", ">"
HCL_STRING = "hcl"
OPAQUE = "opaque"  # an entry whose value is not a literal string (an expression, a collection)


@record
class Site:
    start: int  # the raw value: [start, end) of the text, quotes included
    end: int
    value: str  # decoded
    kind: str
    key_start: int | None  # the key's offset when this is the value of a mapping entry / attribute
    key: str | None
    container: int  # the mapping, object or block holding the entry (an identity, not an offset)
    tag: str = ""  # YAML plain scalars: the tag the text resolves to
