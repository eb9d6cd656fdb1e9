"""Versioned JSON output; its schema ships as irsalint/schemas/output.schema.json."""

from __future__ import annotations

import json

from irsalint import __version__
from irsalint.core import Location
from irsalint.engine import Finding, LintResult
from irsalint.fix.model import Edit

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (2 ms of a warm run): annotations only
if TYPE_CHECKING:
    from typing import Any

# "1" grows only by optional keys (the schema of version 1 validates every version-1 report ever
# written); a key removed, renamed or given another meaning is version "2".
SCHEMA_VERSION = "1"


def location(loc: Location) -> dict[str, Any]:
    return {
        "path": loc.path,
        "line": loc.line,
        "column": loc.col,
        "endLine": loc.end_line or loc.line,
        "endColumn": loc.end_col or loc.col,
    }


def edit(edit: Edit) -> dict[str, Any]:
    """A replacement of the span from (line, column) to (endLine, endColumn), end exclusive,
    columns in code points; equal ends: an insertion."""
    return {
        "location": {"path": edit.path, "line": edit.line, "column": edit.col, "endLine": edit.end_line,
                     "endColumn": edit.end_col},
        "content": edit.text,
    }


def _with_fix(entry: dict[str, Any], finding: Finding) -> dict[str, Any]:
    if finding.fix is not None:
        entry["fix"] = {
            "applicability": finding.fix.applicability,
            "message": finding.fix.message,
            "edits": [edit(e) for e in finding.fix.edits],
        }
    return entry


def document(result: LintResult) -> dict[str, Any]:
    findings = [
        _with_fix({
            "rule": f.rule_id,
            "name": f.rule_name,
            "level": f.level,
            "securitySeverity": f.security_severity,
            "message": f.message,
            "location": location(f.loc),
            "related": [{"message": label, "location": location(loc)} for label, loc in f.related],
            "entity": f.entity,
            "fingerprint": f.fingerprint,
        }, f)
        for f in result.findings
    ]
    counts = {level: sum(1 for f in result.findings if f.level == level) for level in ("error", "warning", "note")}
    return {
        "version": SCHEMA_VERSION,
        "tool": {"name": "irsalint", "version": __version__},
        "findings": findings,
        "skipped": [{"path": s.path, "reason": s.reason} for s in result.project.skipped],
        "summary": {"files": result.files_scanned, "findings": len(findings), **counts},
    }


def render(result: LintResult) -> str:
    return json.dumps(document(result), indent=2, sort_keys=False) + "\n"
