"""GitLab SAST report (`artifacts:reports:sast`, security report schema 15.0.7): findings in the
merge request's security widget and the vulnerability report.

GitLab's schema requires the scan's start and end time, so unlike the other formats this one is not
byte-identical between runs, unless SOURCE_DATE_EPOCH is set (the reproducible-builds convention):
then both times are that instant. Severity follows the rule's security-severity with the bands
GitHub code scanning uses (9.0 critical, 7.0 high, 4.0 medium, else low); a rule without one is
rated by level. Skipped files become scan messages."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone

from irsalint import __version__
from irsalint.engine import Finding, LintResult
from irsalint.report.sarif import INFORMATION_URI

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (2 ms of a warm run): annotations only
if TYPE_CHECKING:
    from typing import Any

SCHEMA_VERSION = "15.0.7"
SCHEMA_URI = (
    "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/"
    f"v{SCHEMA_VERSION}/dist/sast-report-format.json"
)
_BY_LEVEL = {"error": "Medium", "warning": "Low", "note": "Info"}


def severity(finding: Finding) -> str:
    score = finding.security_severity
    if score is None:
        return _BY_LEVEL.get(finding.level, "Unknown")
    if score >= 9.0:
        return "Critical"
    if score >= 7.0:
        return "High"
    return "Medium" if score >= 4.0 else "Low"


def _times(seconds: float) -> tuple[str, str]:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        end = datetime.fromtimestamp(int(epoch), tz=timezone.utc)
        start = end
    else:
        end = datetime.now(timezone.utc)
        start = end - timedelta(seconds=seconds)
    stamp = "%Y-%m-%dT%H:%M:%S"
    return start.strftime(stamp), end.strftime(stamp)


def _vulnerability(finding: Finding) -> dict[str, Any]:
    loc = finding.loc
    identifier: dict[str, Any] = {"type": "irsalint_rule", "name": f"irsalint {finding.rule_id}", "value": finding.rule_id}
    if finding.rule_id.startswith("IRSA"):  # built-in rules have a documentation page
        identifier["url"] = f"{INFORMATION_URI}/blob/main/docs/rules/{finding.rule_id}.md"
    description = finding.message
    for label, related in finding.related:
        description += f"\n\n- {label}: `{related.path}:{related.line}`"
    return {
        "id": finding.fingerprint,
        "name": f"{finding.rule_id} {finding.rule_name}"[:255],
        "description": description,
        "severity": severity(finding),
        "identifiers": [identifier],
        "location": {"file": loc.path, "start_line": loc.line, "end_line": loc.end_line or loc.line},
    }


def render(result: LintResult) -> str:
    start, end = _times(result.seconds)
    tool = {"id": "irsalint", "name": "irsalint", "version": __version__, "vendor": {"name": "irsalint"},
            "url": INFORMATION_URI}
    messages = [
        {"level": "warn" if note.reason.startswith("cannot read") else "info",
         "value": f"Skipped {note.path}: {note.reason}"}
        for note in result.project.skipped
    ]
    document = {
        "version": SCHEMA_VERSION,
        "schema": SCHEMA_URI,
        "scan": {
            "analyzer": tool,
            "scanner": tool,
            "type": "sast",
            "status": "success",
            "start_time": start,
            "end_time": end,
            "messages": messages,
        },
        "vulnerabilities": [_vulnerability(f) for f in result.findings],
    }
    return json.dumps(document, indent=2) + "\n"
