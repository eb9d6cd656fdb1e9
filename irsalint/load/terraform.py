"""Terraform files (`*.tf`, `*.tfvars`, and their `.json` forms) -> TfFile (positioned HCL AST) or a Diagnostic.

A pure function of (path, text): the project-wide meaning (variables, references between files)
is worked out later in `irsalint.sources.terraform`, once every file of a directory is loaded."""

from __future__ import annotations

from dataclasses import dataclass

from irsalint.load.hcl import Body, HclSyntaxError, HclTooDeep, parse_hcl
from irsalint.model import Diagnostic, Location


@dataclass(frozen=True, slots=True)
class TfFile:
    path: str
    body: Body
    is_tfvars: bool


TFVARS_SUFFIXES = (".tfvars", ".tfvars.json")


def load_terraform(path: str, text: str) -> TfFile | Diagnostic:
    text = text.removeprefix("\ufeff")
    is_tfvars = path.endswith(TFVARS_SUFFIXES)
    if path.endswith(".json"):  # Terraform JSON syntax
        from irsalint.load.tfjson import load_terraform_json

        parsed = load_terraform_json(path, text, is_tfvars)
        return parsed if isinstance(parsed, Diagnostic) else TfFile(path, parsed, is_tfvars)
    try:
        body = parse_hcl(text, path)
    except HclTooDeep as error:  # valid syntax: not a "syntax error"
        return Diagnostic(Location(path, error.line, error.col), f"HCL {error}")
    except HclSyntaxError as error:
        return Diagnostic(Location(path, error.line, error.col), f"HCL syntax error: {error}")
    return TfFile(path, body, is_tfvars=is_tfvars)
