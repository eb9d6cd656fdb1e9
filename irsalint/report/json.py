"""Versioned JSON output; its schema ships as irsalint/schemas/output.schema.json."""

from __future__ import annotations

import json
from typing import Any

from irsalint import __version__
from irsalint.engine import LintResult
from irsalint.model import Location

SCHEMA_VERSION = "1"


def location(loc: Location) -> dict[str, Any]:
    return {
        "path": loc.path,
        "line": loc.line,
        "column": loc.col,
        "endLine": loc.end_line or loc.line,
        "endColumn": loc.end_col or loc.col,
    }


def document(result: LintResult) -> dict[str, Any]:
    findings = [
        {
            "rule": f.rule_id,
            "name": f.rule_name,
            "level": f.level,
            "securitySeverity": f.security_severity,
            "message": f.message,
            "location": location(f.loc),
            "related": [{"message": label, "location": location(loc)} for label, loc in f.related],
            "entity": f.entity,
            "fingerprint": f.fingerprint,
        }
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
