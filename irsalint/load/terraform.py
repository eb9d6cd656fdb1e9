"""Terraform files (`*.tf`, `*.tfvars`) -> TfFile (positioned HCL AST) or a Diagnostic.

A pure function of (path, text): the project-wide meaning (variables, references between files)
is worked out later in `terraform_model`, once every file of a directory is loaded."""

from __future__ import annotations

from dataclasses import dataclass

from irsalint.load.hcl import Body, HclSyntaxError, HclTooDeep, parse_hcl
from irsalint.model import Diagnostic, Location


@dataclass(frozen=True, slots=True)
class TfFile:
    path: str
    body: Body
    is_tfvars: bool


def load_terraform(path: str, text: str) -> TfFile | Diagnostic:
    text = text.removeprefix("\ufeff")
    try:
        body = parse_hcl(text, path)
    except HclTooDeep as error:  # valid syntax: not a "syntax error"
        return Diagnostic(Location(path, error.line, error.col), f"HCL {error}")
    except HclSyntaxError as error:
        return Diagnostic(Location(path, error.line, error.col), f"HCL syntax error: {error}")
    return TfFile(path, body, is_tfvars=path.endswith(".tfvars"))
