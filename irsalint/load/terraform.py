"""Terraform files (`*.tf`, `*.tfvars`, and their `.json` forms) -> TfFile (positioned HCL AST) or a Diagnostic.

A pure function of (path, text): the project-wide meaning (variables, references between files)
is worked out later in `irsalint.sources.terraform`, once every file of a directory is loaded."""

from __future__ import annotations

from irsalint.load.hcl import Body, HclSyntaxError, HclTooDeep, parse_hcl_partial
from irsalint.model import Diagnostic, Location
from irsalint.record import record


@record
class TfFile:
    path: str
    body: Body
    is_tfvars: bool
    # A file with a syntax error whose other top-level blocks parsed: the error (IRSA900), reported
    # beside what was kept. A file of which nothing could be kept is a Diagnostic instead.
    diagnostics: tuple[Diagnostic, ...] = ()


TFVARS_SUFFIXES = (".tfvars", ".tfvars.json")


def load_terraform(path: str, text: str) -> TfFile | Diagnostic:
    text = text.removeprefix("\ufeff")
    is_tfvars = path.endswith(TFVARS_SUFFIXES)
    if path.endswith(".json"):  # Terraform JSON syntax
        from irsalint.load.tfjson import load_terraform_json

        parsed = load_terraform_json(path, text, is_tfvars)
        return parsed if isinstance(parsed, Diagnostic) else TfFile(path, parsed, is_tfvars)
    body, error = parse_hcl_partial(text, path)
    if error is None:
        return TfFile(path, body, is_tfvars=is_tfvars)
    diagnostic = _diagnostic(path, error)
    if not body.attributes and not body.blocks:
        return diagnostic
    return TfFile(path, body, is_tfvars=is_tfvars, diagnostics=(diagnostic,))


def _diagnostic(path: str, error: HclSyntaxError) -> Diagnostic:
    if isinstance(error, HclTooDeep):  # valid syntax: not a "syntax error"
        return Diagnostic(Location(path, error.line, error.col), f"HCL {error}")
    return Diagnostic(Location(path, error.line, error.col), f"HCL syntax error: {error}")
