"""JSON written verbatim inside another file: a Terraform heredoc, a YAML literal block scalar
(CloudFormation `!Sub |`). Its characters are the file's, so positions found in it are file
positions; Terraform interpolations (`${...}`, `%{...}`) are masked first, keeping their length,
so that the quotes inside `${replace(x, "https://", "")}` do not end a JSON string."""

from __future__ import annotations

import yaml

from irsalint.fix.source import SourceText
from irsalint.fix.yamldoc import YamlIndex
from irsalint.load.hcl import matching_brace


def mask_interpolations(text: str) -> str:
    out = list(text)
    index = 0
    while index < len(text):
        if text.startswith(("$${", "%%{"), index):
            index += 3
            continue
        if text.startswith(("${", "%{"), index):
            close = matching_brace(text, index + 1)
            cursor = close if close >= 0 else len(text)  # unclosed: masked to the end
            for position in range(index, min(cursor + 1, len(text))):
                if out[position] not in "\r\n":
                    out[position] = "x"
            index = cursor + 1
            continue
        index += 1
    return "".join(out)


def embedded_json(source: SourceText, start: int, end: int) -> YamlIndex | None:
    """The JSON document in text[start:end], with file offsets; None when it does not parse."""
    masked = mask_interpolations(source.text[start:end])
    try:
        index = YamlIndex(masked, base=start)
    except (yaml.YAMLError, RecursionError, ValueError):
        return None
    return index if len(index.documents) == 1 else None


def masked(source: SourceText, start: int, end: int) -> bool:
    """Whether an interpolation touches text[start:end] (its decoded value is then not the text's)."""
    piece = source.text[start:end]
    return "${" in piece or "%{" in piece
