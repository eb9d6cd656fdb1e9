"""JUnit XML for GitLab (artifacts:reports:junit) and Jenkins: one testcase per finding.

Each testcase is named after its location and entity (unique: a counter is appended to repeats),
its classname is the rule id, and it holds one `<failure message=… type=level>`. A run without
findings yields one passing testcase so that the report is never empty. No timestamps: output is
deterministic."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter

from irsalint.engine import LintResult


def render(result: LintResult) -> str:
    findings = result.findings
    failures = str(len(findings))
    tests = str(max(len(findings), 1))
    root = ET.Element("testsuites", name="irsalint", tests=tests, failures=failures, errors="0")
    suite = ET.SubElement(root, "testsuite", name="irsalint", tests=tests, failures=failures, errors="0", skipped="0")
    seen: Counter[str] = Counter()
    for finding in findings:
        loc = finding.loc
        name = f"{finding.rule_id} {loc.path}:{loc.line}:{loc.col} {finding.entity}"
        seen[name] += 1
        if seen[name] > 1:
            name = f"{name} #{seen[name]}"
        case = ET.SubElement(suite, "testcase", name=name, classname=finding.rule_id, file=loc.path, line=str(loc.line))
        failure = ET.SubElement(case, "failure", message=finding.message, type=finding.level)
        body = [f"{loc.path}:{loc.line}:{loc.col}: {finding.rule_id} [{finding.level}] {finding.message}"]
        body.extend(f"    {r.path}:{r.line}:{r.col}: {label}" for label, r in finding.related)
        failure.text = "\n".join(body)
    if not findings:
        ET.SubElement(suite, "testcase", name="no findings", classname="irsalint")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
