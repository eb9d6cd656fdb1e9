"""--fix / --diff / --unsafe-fixes through the console script, and fixes in every format."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import jsonschema

from irsalint.engine import LintOptions, lint
from irsalint.fix.model import SAFE, UNSAFE
from irsalint.rules import load_rules
from tests.helpers import FIXTURES, ROOT
from tests.test_cli import OUTPUT_SCHEMA, irsalint, sarif_validator

CASE = FIXTURES / "fixes" / "irsa011-role-arn" / "before"  # two safe fixes, one unsafe


def _repo(tmp_path, case=CASE):
    repo = tmp_path / "repo"
    shutil.copytree(case, repo)
    return repo


def test_diff_prints_the_edits_writes_nothing_and_exits_1(tmp_path):
    repo = _repo(tmp_path)
    before = (repo / "serviceaccounts.yaml").read_bytes()
    proc = irsalint("check", "--diff", "--no-cache", ".", cwd=repo)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith("--- a/serviceaccounts.yaml\n+++ b/serviceaccounts.yaml\n@@ ")
    assert '-    eks.amazonaws.com/role-arn: " arn:aws:iam::111122223333:role/geo-index "' in proc.stdout
    assert "role/telemetry-server" not in proc.stdout  # unsafe: not without --unsafe-fixes
    assert proc.stderr == "irsalint: would fix 2 findings in 1 file.\n"
    assert (repo / "serviceaccounts.yaml").read_bytes() == before
    unsafe = irsalint("check", "--diff", "--unsafe-fixes", "--no-cache", ".", cwd=repo)
    assert unsafe.returncode == 1 and "+    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/telemetry-server" in unsafe.stdout
    clean = irsalint("check", "--diff", "--no-cache", "fixtures/seed")
    assert clean.returncode == 0 and clean.stdout == "" and "nothing to fix" in clean.stderr


def test_flags_that_do_not_combine_are_usage_errors():
    for args in (("--fix", "--write-baseline", "/dev/null"), ("--diff", "--format", "json")):
        proc = irsalint("check", "fixtures/seed", *args)
        assert proc.returncode == 2 and proc.stderr.startswith("irsalint: error: "), proc.stderr


def test_text_marks_fixable_findings_and_counts_them(tmp_path):
    proc = irsalint("check", "--no-cache", ".", cwd=_repo(tmp_path))
    lines = proc.stdout.splitlines()
    assert sum("IRSA011 [error] [*] " in line for line in lines) == 2
    assert lines[-1] == "2 fixable with --fix (1 more with --unsafe-fixes)."
    unsafe = irsalint("check", "--no-cache", "--unsafe-fixes", ".", cwd=_repo(tmp_path / "again"))
    assert unsafe.stdout.count("[*]") == 3 and unsafe.stdout.endswith("3 fixable with --fix --unsafe-fixes.\n")


def test_json_and_sarif_carry_the_fixes_and_validate(tmp_path):
    repo = _repo(tmp_path)
    report = json.loads(irsalint("check", "--no-cache", "--format", "json", ".", cwd=repo).stdout)
    jsonschema.Draft202012Validator(OUTPUT_SCHEMA).validate(report)
    fixes = sorted((f["fix"]["applicability"], f["location"]["line"]) for f in report["findings"] if "fix" in f)
    assert fixes == [("safe", 8), ("safe", 17), ("unsafe", 27)]
    [geo] = [f["fix"] for f in report["findings"] if f["location"]["line"] == 8]
    assert geo["applicability"] == "safe" and "aws_iam_role.geo_index" in geo["message"]
    assert geo["edits"] == [{  # inside the quotes, which stay
        "location": {"path": "serviceaccounts.yaml", "line": 8, "column": 34, "endLine": 8, "endColumn": 76},
        "content": "arn:aws:iam::111122223333:role/geo-index",
    }]
    sarif = json.loads(irsalint("check", "--no-cache", "--format", "sarif", ".", cwd=repo).stdout)
    sarif_validator().validate(sarif)
    results = sarif["runs"][0]["results"]
    with_fixes = [r for r in results if "fixes" in r]
    assert len(with_fixes) == 3
    unsafe = [r["fixes"][0] for r in with_fixes if r["fixes"][0]["properties"]["applicability"] == UNSAFE]
    assert len(unsafe) == 1 and "unsafe" in unsafe[0]["description"]["text"]
    change = with_fixes[0]["fixes"][0]["artifactChanges"][0]
    assert change["artifactLocation"] == {"uri": "serviceaccounts.yaml", "uriBaseId": "%SRCROOT%"}
    replacement = change["replacements"][0]
    assert set(replacement) == {"deletedRegion", "insertedContent"}
    assert set(replacement["deletedRegion"]) == {"startLine", "startColumn", "endLine", "endColumn"}


def test_fix_leaves_suppressed_findings_alone(tmp_path):
    repo = _repo(tmp_path, FIXTURES / "fixes" / "irsa005-terraform" / "before")
    main = repo / "main.tf"
    main.write_text(main.read_text().replace("# clamped to 600 by the webhook", "# irsalint: ignore=IRSA005 -- on purpose"))
    before = main.read_bytes()
    proc = irsalint("check", "--fix", "--no-cache", ".", cwd=repo)
    assert proc.returncode == 0 and main.read_bytes() == before and "fixed" not in proc.stderr


def test_the_rule_file_caps_what_a_fix_may_be(tmp_path):
    rules = {r.id: r for r in load_rules() if r.id in ("IRSA005",)}
    path = str(FIXTURES / "fixes" / "irsa005-terraform" / "before")
    options = LintOptions(jobs=1, root=path)

    def applicability(fix: str) -> set[str | None]:
        found = lint([path], (replace(rules["IRSA005"], fix=fix),), options).findings
        return {f.fix.applicability if f.fix else None for f in found}

    assert applicability("safe") == {SAFE}
    assert applicability("unsafe") == {UNSAFE}
    assert applicability("none") == {None}


def test_rules_list_and_explain_say_what_can_be_fixed():
    listing = {r["id"]: r["fix"] for r in json.loads(irsalint("rules", "--format", "json").stdout)}
    assert listing["IRSA005"] == "safe" and listing["IRSA010"] == "unsafe" and listing["IRSA014"] == "none"
    explain = irsalint("explain", "IRSA014").stdout
    assert "Fix" in explain and "serviceAccountName" in explain.split("Fix", 1)[1]
    assert (ROOT / "docs" / "fixes.md").is_file()
