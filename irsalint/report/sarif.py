"""SARIF 2.1.0 for GitHub code scanning (SPEC §5.1)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from irsalint import __version__
from irsalint.core import Location, SkipNote
from irsalint.docs import markdown, text
from irsalint.engine import Finding, LintResult, Suppressed
from irsalint.fix.model import SAFE, Fix
from irsalint.rules import Rule

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (2 ms of a warm run): annotations only
if TYPE_CHECKING:
    from typing import Any

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/irsalint/irsalint"
MAX_RESULTS = 5000  # GitHub: "only the top 5,000 results will be included"
MAX_RELATED = 999  # GitHub: at most 1,000 locations per result
_RANK = {"error": 3, "warning": 2, "note": 1}
_PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "note": "recommendation"}


def _rule(rule: Rule) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "tags": ["security", *sorted(set(rule.tags) - {"security"})][:20],  # GitHub reads at most 20
        "precision": "high",
        "problem.severity": _PROBLEM_SEVERITY[rule.level],
    }
    if rule.security_severity is not None:
        properties["security-severity"] = f"{rule.security_severity:.1f}"
    description = f"{rule.what_it_does.strip()} {rule.why_is_this_bad.strip()}".strip()
    entry: dict[str, Any] = {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": description or rule.summary},  # custom rules may omit the prose
        "help": {"text": text(rule), "markdown": markdown(rule)},
        "defaultConfiguration": {"level": rule.level},
        "properties": properties,
    }
    if rule.id.startswith("IRSA"):  # built-in rules have a page; custom rules do not
        entry["helpUri"] = f"{INFORMATION_URI}/blob/main/docs/rules/{rule.id}.md"
    return entry


def _physical(loc: Location) -> dict[str, Any]:
    end_col = loc.end_col if loc.end_line == loc.line and loc.end_col > loc.col else loc.col + 1
    return {
        "artifactLocation": {"uri": quote(loc.path), "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": loc.line, "startColumn": loc.col, "endLine": loc.line, "endColumn": end_col},
    }


def render(result: LintResult, include_suppressed: bool = False, category: str | None = None) -> str:
    """Suppressed findings are left out, or with include_suppressed carried with `suppressions`
    (kind inSource for comments and annotations, external for the baseline)."""
    rules = list(result.rules)
    index = {rule.id: i for i, rule in enumerate(rules)}
    results = []
    entries: list[tuple[Finding, Suppressed | None]] = [(f, None) for f in result.findings]
    if include_suppressed:
        entries.extend((s.finding, s) for s in result.suppressed)
        entries.sort(key=lambda e: e[0].sort_key())
    omitted = 0
    if len(entries) > MAX_RESULTS:
        # GitHub keeps 5,000 results of a run: keep the most severe ones, say how many were dropped.
        ranked = sorted(entries, key=lambda e: (-_RANK[e[0].level], -(e[0].security_severity or 0.0), e[0].sort_key()))
        kept = {id(e) for e in ranked[:MAX_RESULTS]}
        omitted = len(entries) - MAX_RESULTS
        entries = [e for e in entries if id(e) in kept]
    for finding, suppressed in entries:
        message = finding.message
        if finding.related:
            links = ", ".join(f"[{label}]({i})" for i, (label, _) in enumerate(finding.related, 1))
            message = f"{message} (see {links})"
        entry: dict[str, Any] = {
            "ruleId": finding.rule_id,
            "ruleIndex": index[finding.rule_id],
            "level": finding.level,
            "message": {"text": message},
            "locations": [{"physicalLocation": _physical(finding.loc)}],
            "partialFingerprints": {"irsalint/v1": finding.fingerprint},
        }
        if suppressed is not None:
            suppression: dict[str, Any] = {"kind": suppressed.kind, "status": "accepted"}
            if suppressed.justification:
                suppression["justification"] = suppressed.justification
            entry["suppressions"] = [suppression]
        if finding.fix is not None and suppressed is None:  # a suppressed finding asks for no edit
            entry["fixes"] = [_fix(finding.fix)]
        if finding.related:
            entry["relatedLocations"] = [
                {"id": i, "physicalLocation": _physical(loc), "message": {"text": label}}
                for i, (label, loc) in enumerate(finding.related[:MAX_RELATED], 1)
            ]
        results.append(entry)
    base_uri = Path(result.base).resolve().as_uri().rstrip("/") + "/"
    document: dict[str, Any] = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "irsalint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(rule) for rule in rules],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": base_uri}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    run: dict[str, Any] = document["runs"][0]
    if category:
        run["automationDetails"] = {"id": category if category.endswith("/") else f"{category}/"}
    notifications = [_skipped(note) for note in result.project.skipped]
    if omitted:
        notifications.append({
            "level": "warning",
            "message": {"text": f"{omitted} results left out: GitHub code scanning keeps at most "
                                f"{MAX_RESULTS} per run (the most severe are kept)"},
            "descriptor": {"id": "results-capped"},
        })
    # The run itself succeeded; what it could not read is said, file by file, so a green check
    # never hides a file that was never linted.
    run["invocations"] = [{"executionSuccessful": True, "toolExecutionNotifications": notifications}]
    return json.dumps(document, indent=2) + "\n"


def _fix(fix: Fix) -> dict[str, Any]:
    """SARIF §3.55: one artifactChange per file, its replacements in file order. Regions use the
    run's columnKind (code points), end exclusive; an empty region is an insertion point."""
    changes = []
    for path in fix.paths:
        replacements = [
            {
                "deletedRegion": {"startLine": e.line, "startColumn": e.col, "endLine": e.end_line, "endColumn": e.end_col},
                "insertedContent": {"text": e.text},
            }
            for e in fix.edits
            if e.path == path
        ]
        changes.append({"artifactLocation": {"uri": quote(path), "uriBaseId": "%SRCROOT%"}, "replacements": replacements})
    unsafe = "" if fix.applicability == SAFE else " (unsafe: changes behaviour; applied with --fix --unsafe-fixes)"
    return {
        "description": {"text": f"{fix.message}{unsafe}."},
        "artifactChanges": changes,
        "properties": {"applicability": fix.applicability},
    }


# Skips that are failures to read (rather than files deliberately left out, such as Helm
# templates or binaries) are warnings.
_FAILED_READS = ("cannot read", "symlink loop", "dangling symlink", "directory loop")


def _skipped(note: SkipNote) -> dict[str, Any]:
    failed = note.reason.startswith(_FAILED_READS)
    return {
        "level": "warning" if failed else "note",
        "message": {"text": f"Skipped {note.path}: {note.reason}"},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": quote(note.path), "uriBaseId": "%SRCROOT%"}}}],
        "descriptor": {"id": "skipped-file"},
    }
