"""--format github | junit, and the text format's terminal-only extras."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from irsalint.engine import Finding
from irsalint.model import Location
from irsalint.report.github import command, escape_data, escape_property
from tests.helpers import ROOT
from tests.test_cli import irsalint

BAD = "fixtures/rules/IRSA005/bad"
_COMMAND_RE = re.compile(r"^::(error|warning|notice) ((?:[a-zA-Z]+=[^,:]*)(?:,[a-zA-Z]+=[^,:]*)*)::(.*)$")


def _finding(**changes) -> Finding:
    values = {"rule_id": "IRSA001", "rule_name": "trust-mismatch", "level": "error", "security_severity": 8.0,
              "message": "m", "loc": Location("a.yaml", 3, 5, 3, 9), "related": (), "entity": "ServiceAccount a/b"}
    values.update(changes)
    return Finding(**values)  # type: ignore[arg-type]


def test_github_workflow_commands_from_the_cli():
    proc = irsalint("check", BAD, "--format", "github")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    json_proc = irsalint("check", BAD, "--format", "json")
    findings = json.loads(json_proc.stdout)["findings"]
    assert len(lines) == len(findings) > 0
    levels = {"error": "error", "warning": "warning", "note": "notice"}
    for line, finding in zip(lines, findings):
        match = _COMMAND_RE.match(line)
        assert match, line
        assert match.group(1) == levels[finding["level"]]
        props = dict(p.split("=", 1) for p in match.group(2).split(","))
        assert props["file"] == finding["location"]["path"]
        assert props["line"] == str(finding["location"]["line"])
        assert props["title"] == f"{finding['rule']} {finding['name']}"
        assert "\n" not in match.group(3)


def test_github_escaping_follows_the_toolkit():
    assert escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"
    text = command(_finding(message="50% of\nthe: roles, all", loc=Location("dir,x/a:b.yaml", 3, 5, 3, 9)))
    assert text == "::error file=dir%2Cx/a%3Ab.yaml,line=3,endLine=3,col=5,endColumn=9," \
                   "title=IRSA001 trust-mismatch::50%25 of%0Athe: roles, all"


def test_github_columns_only_on_one_line_and_levels():
    multi = command(_finding(loc=Location("a.tf", 3, 5, 7, 2), level="note"))
    assert multi.startswith("::notice file=a.tf,line=3,endLine=7,title=")
    assert "col=" not in multi and "endColumn=" not in multi
    related = command(_finding(related=(("its trust policy", Location("iam.tf", 9, 3)),), level="warning"))
    assert related.startswith("::warning ") and related.endswith("::m%0Aits trust policy: iam.tf:9:3")


def test_junit_one_testcase_per_finding_with_unique_names():
    proc = irsalint("check", BAD, "--format", "junit")
    assert proc.returncode == 1
    root = ET.fromstring(proc.stdout)
    findings = json.loads(irsalint("check", BAD, "--format", "json").stdout)["findings"]
    cases = root.findall("./testsuite/testcase")
    assert root.tag == "testsuites" and len(cases) == len(findings) == int(root.get("failures", "-1"))
    names = [c.get("name") for c in cases]
    assert len(set(names)) == len(names)
    for case, finding in zip(cases, findings):
        assert case.get("classname") == finding["rule"]
        [failure] = case.findall("failure")
        assert failure.get("message") == finding["message"] and failure.get("type") == finding["level"]


def test_junit_passing_testcase_when_clean_and_escaping(tmp_path):
    proc = irsalint("check", "fixtures/seed", "--format", "junit")
    assert proc.returncode == 0
    root = ET.fromstring(proc.stdout)
    [case] = root.findall("./testsuite/testcase")
    assert case.findall("failure") == [] and root.get("failures") == "0"
    (tmp_path / "sa.yaml").write_text(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n  annotations:\n"
        "    eks.amazonaws.com/token-expiration: \"<&'>\"\n"
    )
    proc = irsalint("check", ".", "--format", "junit", cwd=tmp_path)
    message = ET.fromstring(proc.stdout).find("./testsuite/testcase/failure").get("message")
    assert "<&'>" in message


def test_text_summary_has_time_json_and_sarif_do_not():
    text = next(line for line in irsalint("check", BAD).stdout.splitlines() if line.startswith("Found"))
    assert re.search(r"in \d+ files? \(\d+\.\d\ds\)\.$", text), text
    for fmt in ("json", "sarif"):
        out = irsalint("check", BAD, "--format", fmt).stdout
        assert '"seconds"' not in out and "time" not in json.loads(out)


def _run_in_pty(*args: str) -> str:
    exe = str(Path(sys.executable).parent / "irsalint")
    master, slave = pty.openpty()
    proc = subprocess.Popen([exe, *args], cwd=ROOT, stdout=slave, stderr=subprocess.DEVNULL,
                            env={**os.environ, "NO_COLOR": ""})
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(master)
    return b"".join(chunks).decode()


def test_text_excerpt_and_colour_only_on_a_terminal():
    piped = irsalint("check", "fixtures/rules/IRSA005/bad/sa-below-minimum").stdout
    assert "\033[" not in piped and " | " not in piped
    tty = _run_in_pty("check", "fixtures/rules/IRSA005/bad/sa-below-minimum")
    assert "\033[31m" in tty
    assert re.search(r"\s+\d+ \| .*eks\.amazonaws\.com/token-expiration", tty), tty
    assert re.search(r"\|\s+\^", tty)
    forced = irsalint("check", "fixtures/rules/IRSA005/bad/sa-below-minimum", "--color", "always").stdout
    assert "\033[31m" in forced and " | " not in forced  # colour forced, excerpt still terminal-only


def test_gitlab_sast_report_validates_and_rates_by_security_severity(tmp_path):
    import jsonschema

    schema = json.loads((ROOT / "tests" / "schemas" / "gitlab-sast-report-15.0.7.subset.schema.json").read_text())
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    runs = [subprocess.run([str(Path(sys.executable).parent / "irsalint"), "check", "fixtures/rules",
                            "--format", "gitlab-sast"], cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=120, check=False) for _ in range(2)]
    assert runs[0].returncode == 1 and runs[0].stdout == runs[1].stdout  # reproducible with SOURCE_DATE_EPOCH
    report = json.loads(runs[0].stdout)
    jsonschema.Draft7Validator(schema).validate(report)
    assert report["scan"]["start_time"] == report["scan"]["end_time"] == "2023-11-14T22:13:20"
    by_rule = {v["identifiers"][0]["value"]: v["severity"] for v in report["vulnerabilities"]}
    assert (by_rule["IRSA008"], by_rule["IRSA001"], by_rule["IRSA005"], by_rule["IRSA010"]) == (
        "Critical", "High", "Medium", "Low")
    assert by_rule["IRSA900"] == "Medium"  # no security-severity: rated by level (error)
    assert len({v["id"] for v in report["vulnerabilities"]}) == len(report["vulnerabilities"])
    assert all(v["location"]["file"].startswith("fixtures/rules/") for v in report["vulnerabilities"])
    assert any(m["value"].startswith("Skipped fixtures/rules/IRSA001/") for m in report["scan"]["messages"])
