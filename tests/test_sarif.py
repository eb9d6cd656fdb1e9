"""SARIF for GitHub code scanning: every property the issue lists, and line-free fingerprints."""

from __future__ import annotations

import json
import shutil

from tests.helpers import FIXTURES
from tests.test_cli import irsalint, sarif_validator

MULTI_RULE_DIRS = ("IRSA001", "IRSA002", "IRSA005", "IRSA009", "IRSA013")


def _repo(tmp_path):
    repo = tmp_path / "repo"
    for rule in MULTI_RULE_DIRS:
        shutil.copytree(FIXTURES / "rules" / rule / "bad", repo / rule)
    return repo


def _sarif(repo, *args):
    proc = irsalint("check", ".", "--format", "sarif", "--no-cache", *args, cwd=repo)
    assert proc.returncode == 1, proc.stderr
    document = json.loads(proc.stdout)
    sarif_validator().validate(document)
    return document


def test_every_property_code_scanning_reads(tmp_path):
    document = _sarif(_repo(tmp_path), "--category", "irsalint/pr")
    assert len(document["runs"]) == 1
    [run] = document["runs"]
    assert run["automationDetails"]["id"] == "irsalint/pr/"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file://")
    driver = run["tool"]["driver"]
    assert driver["name"] == "irsalint" and driver["version"] and driver["informationUri"].startswith("https://")
    for rule in driver["rules"]:
        for key in ("id", "name", "shortDescription", "fullDescription", "help", "defaultConfiguration"):
            assert rule[key], (rule["id"], key)
        assert rule["help"]["text"] and rule["help"]["markdown"].startswith(f"# {rule['id']}")
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
        properties = rule["properties"]
        assert "security" in properties["tags"] and len(properties["tags"]) <= 20
        assert properties["precision"] in ("very-high", "high", "medium", "low")
        if "security-severity" in properties:
            severity = float(properties["security-severity"])
            assert isinstance(properties["security-severity"], str) and 0.1 <= severity <= 10.0
    rule_ids = {r["ruleId"] for r in run["results"]}
    assert {"IRSA001", "IRSA002", "IRSA005", "IRSA009", "IRSA013"} <= rule_ids
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note") and result["message"]["text"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not location["artifactLocation"]["uri"].startswith(("/", "file:"))
        region = location["region"]
        assert {"startLine", "startColumn", "endLine", "endColumn"} <= set(region)
        assert region["endLine"] >= region["startLine"] >= 1
        assert list(result["partialFingerprints"]) == ["irsalint/v1"]
        for i, related in enumerate(result.get("relatedLocations", []), 1):
            assert related["id"] == i and f"]({i})" in result["message"]["text"]
            assert related["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert "suppressions" not in result


def test_fingerprints_survive_a_comment_inserted_at_the_top_of_every_file(tmp_path):
    repo = _repo(tmp_path)
    before = _sarif(repo)["runs"][0]["results"]
    for path in repo.rglob("*"):
        if path.suffix in (".tf", ".yaml", ".yml", ".tfvars"):
            path.write_text("# a comment that moves every line down\n" + path.read_text())
    after = _sarif(repo)["runs"][0]["results"]

    def key(result):
        return (result["ruleId"], result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                result["message"]["text"])

    assert len(before) == len(after)
    fingerprints_before = {key(r): r["partialFingerprints"]["irsalint/v1"] for r in before}
    fingerprints_after = {key(r): r["partialFingerprints"]["irsalint/v1"] for r in after}
    assert fingerprints_before == fingerprints_after
    def lines(results, shifted):  # JSON files (a plan) cannot take a comment: they did not move
        return sorted(r["locations"][0]["physicalLocation"]["region"]["startLine"]
                      for r in results
                      if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith(".json") != shifted)

    assert lines(after, True) == [line + 1 for line in lines(before, True)]
    assert lines(after, False) == lines(before, False)
