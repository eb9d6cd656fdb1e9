"""Inline ignores (YAML and HCL, same line and line above), the ignore annotation, baselines."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from irsalint.suppress import comment_ignores
from tests.helpers import FIXTURES, ROOT
from tests.test_cli import irsalint, sarif_validator

SUPPRESSION = FIXTURES / "suppression"
# (path, line, rule) of every finding the fixture suppresses, and how.
EXPECTED = {
    ("k8s/serviceaccounts.yaml", 9, "IRSA005"): "comment on the line above (YAML)",
    ("k8s/serviceaccounts.yaml", 10, "IRSA004"): "comment on the line (YAML)",
    ("k8s/serviceaccounts.yaml", 15, "IRSA004"): "annotation on a ServiceAccount",
    ("k8s/serviceaccounts.yaml", 19, "IRSA005"): "annotation on a ServiceAccount",
    ("k8s/serviceaccounts.yaml", 33, "IRSA004"): "annotation on a Deployment",
    ("terraform/serviceaccounts.tf", 8, "IRSA005"): "comment on the line above (HCL #)",
    ("terraform/serviceaccounts.tf", 12, "IRSA004"): "comment on the line (HCL #)",
    ("terraform/serviceaccounts.tf", 21, "IRSA005"): "comment on the line (HCL //)",
    ("terraform/serviceaccounts.tf", 26, "IRSA004"): "comment on the line above (HCL //)",
    ("terraform/serviceaccounts.tf", 35, "IRSA005"): "annotation on kubernetes_service_account_v1",
    ("terraform/serviceaccounts.tf", 40, "IRSA004"): "annotation on kubernetes_service_account_v1",
}


def _sarif_results(proc) -> list[tuple[tuple[str, int, str], bool]]:
    document = json.loads(proc.stdout)
    sarif_validator().validate(document)
    out = []
    for result in document["runs"][0]["results"]:
        region = result["locations"][0]["physicalLocation"]
        key = (region["artifactLocation"]["uri"], region["region"]["startLine"], result["ruleId"])
        out.append((key, "suppressions" in result))
    return out


def _strip_ignores(repo: Path) -> None:
    for file in repo.rglob("*"):
        if file.suffix in (".yaml", ".tf"):
            lines = [l for l in file.read_text().splitlines() if "irsalint.dev/ignore" not in l]
            file.write_text("\n".join(l.split("# irsalint:")[0].split("// irsalint:")[0].rstrip() if "irsalint:" in l
                                      else l for l in lines) + "\n")


def test_every_fixture_finding_is_suppressed_and_counted(tmp_path):
    proc = irsalint("check", ".", "--select", "IRSA004,IRSA005", cwd=SUPPRESSION)
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.startswith("No findings") and f"{len(EXPECTED)} suppressed" in proc.stdout


def test_sarif_carries_suppressed_results_only_when_asked():
    plain = irsalint("check", ".", "--root", ".", "--select", "IRSA004,IRSA005", "--format", "sarif", cwd=SUPPRESSION)
    assert _sarif_results(plain) == []
    proc = irsalint("check", ".", "--root", ".", "--select", "IRSA004,IRSA005", "--format", "sarif", "--include-suppressed",
                    cwd=SUPPRESSION)
    results = _sarif_results(proc)
    assert {key for key, _ in results} == set(EXPECTED)
    assert all(suppressed for _, suppressed in results)
    justification = json.loads(proc.stdout)["runs"][0]["results"][0]["suppressions"][0]["justification"]
    assert "five minutes" in justification


def test_without_the_ignores_the_same_findings_are_reported(tmp_path):
    """The fixture is not clean by accident: removing the ignores brings every finding back
    (the line numbers of the annotation cases shift by the removed annotation lines)."""
    repo = tmp_path / "repo"
    shutil.copytree(SUPPRESSION, repo)
    _strip_ignores(repo)
    proc = irsalint("check", ".", "--select", "IRSA004,IRSA005", "--format", "json", cwd=repo)
    assert proc.returncode == 1
    reported = {(f["location"]["path"], f["rule"]) for f in json.loads(proc.stdout)["findings"]}
    assert reported == {(path, rule) for path, _, rule in EXPECTED}
    assert len(json.loads(proc.stdout)["findings"]) == len(EXPECTED)


def test_ignore_of_another_rule_does_not_suppress(tmp_path):
    (tmp_path / "sa.yaml").write_text(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n  annotations:\n"
        '    eks.amazonaws.com/token-expiration: "172800"  # irsalint: ignore=IRSA004\n'
    )
    proc = irsalint("check", ".", "--select", "IRSA005", "--format", "json", cwd=tmp_path)
    assert [f["rule"] for f in json.loads(proc.stdout)["findings"]] == ["IRSA005"]


def test_trailing_comment_does_not_cover_the_next_line(tmp_path):
    (tmp_path / "sa.yaml").write_text(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a  # irsalint: ignore=IRSA005\n  annotations:\n"
        '    eks.amazonaws.com/token-expiration: "172800"\n'
    )
    proc = irsalint("check", ".", "--select", "IRSA005", "--format", "json", cwd=tmp_path)
    assert [f["rule"] for f in json.loads(proc.stdout)["findings"]] == ["IRSA005"]


def test_warn_unused_ignores_are_irsa901_findings(tmp_path):
    (tmp_path / "sa.yaml").write_text(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n  annotations:\n"
        '    eks.amazonaws.com/token-expiration: "3600"  # irsalint: ignore=IRSA005 -- stale\n'
    )
    proc = irsalint("check", ".", "--select", "IRSA005", "--warn-unused-ignores", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr  # a warning: fails the default gate
    [finding] = json.loads(proc.stdout)["findings"]
    assert (finding["rule"], finding["location"]["line"], finding["location"]["column"]) == ("IRSA901", 6, 49)
    assert "IRSA005" in finding["message"] and "matched no finding" in finding["message"]
    # without the flag an unused ignore is fine
    assert irsalint("check", ".", "--select", "IRSA005", "--format", "json", cwd=tmp_path).returncode == 0
    # an ignore of a rule that did not run is not reported as unused
    proc = irsalint("check", ".", "--select", "IRSA004", "--warn-unused-ignores", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0 and json.loads(proc.stdout)["findings"] == []
    # --ignore IRSA901 turns the report off, even with the flag
    proc = irsalint("check", ".", "--ignore", "IRSA901", "--warn-unused-ignores", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout.startswith("No findings")


def test_comment_syntax():
    [ignore] = comment_ignores("a.tf", 'x = 1 // irsalint: ignore=irsa004, IRSA005 -- because -- really\n')
    assert ignore.ids == ("IRSA004", "IRSA005") and ignore.reason == "because -- really"
    assert (ignore.first, ignore.last) == (1, 1)
    [above] = comment_ignores("a.yaml", "  # irsalint: ignore=IRSA00\nkey: v\n")
    assert (above.first, above.last) == (1, 2) and above.ids == ("IRSA00",)
    assert comment_ignores("a.yaml", "# irsalint: ignore\n# irsalint ignore=IRSA004\n") == []


BASELINE_SA = (
    "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n  namespace: team-a\n  annotations:\n"
    '    eks.amazonaws.com/token-expiration: "{ttl}"\n'
)


def test_baseline_survives_inserted_lines_and_still_reports_a_new_finding(tmp_path):
    sa = tmp_path / "k8s" / "sa.yaml"
    sa.parent.mkdir()
    sa.write_text(BASELINE_SA.format(name="old", ttl="100"))
    baseline = tmp_path / "irsalint-baseline.json"
    written = irsalint("check", "k8s", "--select", "IRSA005", "--write-baseline", str(baseline), cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    data = json.loads(baseline.read_text())
    assert data["version"] == 1
    [entry] = data["findings"]
    assert set(entry) == {"rule", "entity", "path", "fingerprint", "message"}
    assert (entry["rule"], entry["entity"], entry["path"]) == ("IRSA005", "ServiceAccount team-a/old", "k8s/sa.yaml")

    # lines inserted above the finding: still in the baseline
    sa.write_text("# owned by team-a\n# see the runbook\n\n" + sa.read_text())
    proc = irsalint("check", "k8s", "--select", "IRSA005", "--baseline", str(baseline), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout
    assert "1 in the baseline" in proc.stdout

    # a new finding is reported, the old one still is not
    sa.write_text(sa.read_text() + "---\n" + BASELINE_SA.format(name="new", ttl="200"))
    proc = irsalint("check", "k8s", "--select", "IRSA005", "--baseline", str(baseline), "--format", "json",
                    cwd=tmp_path)
    assert proc.returncode == 1
    assert [f["entity"] for f in json.loads(proc.stdout)["findings"]] == ["ServiceAccount team-a/new"]


def test_bad_baseline_exits_2(tmp_path):
    (tmp_path / "b.json").write_text("{not json")
    proc = irsalint("check", str(FIXTURES / "seed"), "--baseline", str(tmp_path / "b.json"), cwd=ROOT)
    assert proc.returncode == 2 and "b.json" in proc.stderr and proc.stderr.count("\n") == 1
    proc = irsalint("check", str(FIXTURES / "seed"), "--baseline", str(tmp_path / "missing.json"), cwd=ROOT)
    assert proc.returncode == 2 and "missing.json" in proc.stderr


def test_baselined_findings_in_sarif_are_external_suppressions(tmp_path):
    (tmp_path / "sa.yaml").write_text(BASELINE_SA.format(name="old", ttl="100"))
    assert irsalint("check", ".", "--select", "IRSA005", "--write-baseline", "b.json", cwd=tmp_path).returncode == 0
    proc = irsalint("check", ".", "--select", "IRSA005", "--baseline", "b.json", "--format", "sarif",
                    "--include-suppressed", cwd=tmp_path)
    assert proc.returncode == 0
    [result] = json.loads(proc.stdout)["runs"][0]["results"]
    assert result["suppressions"][0]["kind"] == "external"
    assert _sarif_results(proc) == [(("sa.yaml", 7, "IRSA005"), True)]


MALFORMED = (
    "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  namespace: team-a\n  annotations:\n"
    "    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/api\n"
    "    irsalint.dev/ignore: IRSA0004\n"
    "automountServiceAccountToken: false  # irsalint: ignore=IRSA004 managed elsewhere\n"
)


def test_malformed_and_unknown_suppressions_are_irsa901_in_every_format(tmp_path):
    """Malformed suppressions suppress nothing and are reported; an unknown id in repository content
    is a finding (exit 1), not a usage error: one typo in one file must not hide the whole report."""
    (tmp_path / "sa.yaml").write_text(MALFORMED)
    report = irsalint("check", ".", "--format", "json", cwd=tmp_path)
    assert report.returncode == 1, report.stderr
    found = [(f["rule"], f["location"]["line"]) for f in json.loads(report.stdout)["findings"]]
    assert found == [("IRSA901", 8), ("IRSA004", 9), ("IRSA901", 9)]
    messages = [f["message"] for f in json.loads(report.stdout)["findings"] if f["rule"] == "IRSA901"]
    assert "did you mean IRSA004?" in messages[0] and "' -- '" in messages[1]
    sarif = irsalint("check", ".", "--format", "sarif", cwd=tmp_path)
    document = json.loads(sarif.stdout)
    sarif_validator().validate(document)
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    assert [rules[r["ruleIndex"]]["id"] for r in document["runs"][0]["results"]] == ["IRSA901", "IRSA004", "IRSA901"]
    github = irsalint("check", ".", "--format", "github", cwd=tmp_path).stdout
    assert github.count("title=IRSA901 invalid-suppression::") == 2
    # a gate can turn the rule down or off like any other
    assert irsalint("check", ".", "--ignore", "IRSA901,IRSA004", cwd=tmp_path).returncode == 0
    (tmp_path / ".irsalint.yaml").write_text("levels: {IRSA901: error}\nfail_on: error\nignore: [IRSA004]\n")
    assert irsalint("check", ".", cwd=tmp_path).returncode == 1


def test_custom_rule_ids_are_known_in_suppressions_once_loaded(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "custom-rules" / "repo", repo)
    sa = repo / "k8s" / "serviceaccounts.yaml"
    sa.write_text(sa.read_text().replace("# expect: ACME002", "# irsalint: ignore=ACME002 -- reports are public"))
    rules = str(FIXTURES / "custom-rules" / "rules")
    proc = irsalint("check", ".", "--rules", rules, "--select", "ACME,IRSA901", "--format", "json", cwd=repo)
    assert [f["rule"] for f in json.loads(proc.stdout)["findings"]] == ["ACME001"]  # ACME002 suppressed
    proc = irsalint("check", ".", "--select", "IRSA901", "--format", "json", cwd=repo)  # without the pack
    [finding] = json.loads(proc.stdout)["findings"]
    assert finding["rule"] == "IRSA901" and "Unknown rule in an irsalint suppression: ACME002" in finding["message"]
