"""GitHub Actions workflow commands: `::error file=…,line=…,title=IRSA001 trust-mismatch::message`.

Escaping follows the Actions toolkit (`@actions/core` command.ts): data escapes `%`, CR and LF;
property values additionally escape `:` and `,`. Related locations are appended to the message
as extra lines, which the annotation shows."""

from __future__ import annotations

from irsalint.engine import Finding, LintResult

_COMMAND = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(finding: Finding) -> str:
    loc = finding.loc
    end_line = loc.end_line or loc.line
    properties = [("file", loc.path), ("line", str(loc.line)), ("endLine", str(end_line))]
    if end_line == loc.line:  # columns only make sense on one line (toolkit rule)
        properties.append(("col", str(loc.col)))
        if loc.end_col > loc.col:
            properties.append(("endColumn", str(loc.end_col)))
    properties.append(("title", f"{finding.rule_id} {finding.rule_name}"))
    message = finding.message
    for label, related in finding.related:
        message += f"\n{label}: {related.path}:{related.line}:{related.col}"
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    return f"::{_COMMAND.get(finding.level, 'error')} {props}::{escape_data(message)}"


def render(result: LintResult) -> str:
    return "".join(command(finding) + "\n" for finding in result.findings)
