"""End to end: the real `irsalint` console script in a subprocess."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from tests.helpers import FIXTURES, ROOT

SHARED_SARIF = ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
SARIF_SCHEMA_PATH = SHARED_SARIF if SHARED_SARIF.exists() else ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json"
OUTPUT_SCHEMA = json.loads((ROOT / "irsalint" / "schemas" / "output.schema.json").read_text())
BAD_DIRS = sorted(p / "bad" for p in (FIXTURES / "rules").iterdir() if (p / "bad").is_dir())


def irsalint(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("irsalint", path=str(Path(sys.executable).parent)) or "irsalint"
    return subprocess.run([exe, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def sarif_validator() -> jsonschema.Draft4Validator:
    return jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA_PATH.read_text()))


def test_seed_is_clean_and_exits_0():
    proc = irsalint("check", "fixtures/seed")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("No findings")


def test_namespace_typo_in_seed_fails_with_trust_as_related(tmp_path):
    seed = tmp_path / "seed"
    shutil.copytree(FIXTURES / "seed", seed)
    sa = seed / "k8s" / "serviceaccount.yaml"
    sa.write_text(sa.read_text().replace("namespace: team-payments", "namespace: team-payment"))
    proc = irsalint("check", ".", "--format", "json", cwd=seed)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    [finding] = [f for f in report["findings"] if f["rule"] == "IRSA001"]
    annotation_line = next(i for i, l in enumerate(sa.read_text().splitlines(), 1) if "eks.amazonaws.com/role-arn" in l)
    assert (finding["location"]["path"], finding["location"]["line"]) == ("k8s/serviceaccount.yaml", annotation_line)
    main_tf = (seed / "terraform" / "main.tf").read_text().splitlines()
    trust_line = next(i for i, l in enumerate(main_tf, 1) if "namespace_service_accounts" in l)
    assert [(r["location"]["path"], r["location"]["line"]) for r in finding["related"]] == [("terraform/main.tf", trust_line)]
    assert "likely a typo" in finding["message"] and "team-payments" in finding["message"]


@pytest.mark.parametrize("bad_dir", BAD_DIRS, ids=lambda p: p.parent.name)
def test_sarif_of_every_bad_fixture_is_valid(bad_dir):
    # --fail-on note: some rules (IRSA015) only produce notes, which do not fail by default.
    proc = irsalint("check", str(bad_dir.relative_to(ROOT)), "--format", "sarif", "--fail-on", "note")
    assert proc.returncode == 1, proc.stderr
    document = json.loads(proc.stdout)
    sarif_validator().validate(document)
    [run] = document["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert run["results"], "a bad fixture must produce results"
    for result in run["results"]:
        rule = rules[result["ruleIndex"]]
        assert rule["id"] == result["ruleId"]
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("/")
        assert set(result["partialFingerprints"]) == {"irsalint/v1"}
        for i, related in enumerate(result.get("relatedLocations", []), 1):
            assert related["id"] == i and f"]({i})" in result["message"]["text"]
    for rule in rules:
        assert "security" in rule["properties"]["tags"]
        assert rule["help"]["text"] and rule["help"]["markdown"]
        if "security-severity" in rule["properties"]:
            assert 0.1 <= float(rule["properties"]["security-severity"]) <= 10.0
            assert isinstance(rule["properties"]["security-severity"], str)


def test_json_report_matches_its_schema():
    proc = irsalint("check", "fixtures/rules", "--format", "json")
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    jsonschema.Draft202012Validator(OUTPUT_SCHEMA).validate(report)
    assert report["summary"]["findings"] == len(report["findings"]) > 0


def test_output_is_deterministic(tmp_path):
    first = irsalint("check", "fixtures", "--format", "sarif", "--jobs", "1").stdout
    second = irsalint("check", "fixtures", "--format", "sarif", "--jobs", "2").stdout
    assert first == second and first


def test_missing_path_exits_2_with_one_line():
    proc = irsalint("check", "does/not/exist")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "does/not/exist" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_bad_flag_exits_2_with_one_line():
    proc = irsalint("check", "--format", "xml", "fixtures/seed")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_fail_on_levels(tmp_path):
    # IRSA005 above 86400 is a warning: fails by default, passes with --fail-on error.
    (tmp_path / "sa.yaml").write_text(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n  annotations:\n"
        '    eks.amazonaws.com/token-expiration: "172800"\n'
    )
    assert irsalint("check", ".", "--select", "IRSA005", cwd=tmp_path).returncode == 1
    assert irsalint("check", ".", "--select", "IRSA005", "--fail-on", "error", cwd=tmp_path).returncode == 0
    assert irsalint("check", ".", "--fail-on", "never", cwd=tmp_path).returncode == 0


def test_select_and_ignore():
    proc = irsalint("check", "fixtures/rules/IRSA005/bad", "--format", "json", "--ignore", "IRSA005")
    assert all(f["rule"] != "IRSA005" for f in json.loads(proc.stdout)["findings"])
    proc = irsalint("check", "fixtures/rules/IRSA005/bad", "--format", "json", "--select", "IRSA005")
    rules = {f["rule"] for f in json.loads(proc.stdout)["findings"]}
    assert rules == {"IRSA005"}


def test_rules_command_lists_the_pack_and_python_m_works():
    proc = subprocess.run([sys.executable, "-m", "irsalint", "rules", "--format", "json"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    ids = [r["id"] for r in json.loads(proc.stdout)]
    assert "IRSA001" in ids and "IRSA900" in ids and ids == sorted(ids)


def test_explain_prints_rationale_example_and_fix():
    proc = irsalint("explain", "IRSA001")
    assert proc.returncode == 0
    for heading in ("What it does", "Why is this bad?", "Example", "Use instead"):
        assert heading in proc.stdout
    assert irsalint("explain", "IRSA999").returncode == 2


def test_output_file(tmp_path):
    target = tmp_path / "report.sarif"
    proc = irsalint("check", "fixtures/seed", "--format", "sarif", "--output", str(target))
    assert proc.returncode == 0 and proc.stdout == ""
    sarif_validator().validate(json.loads(target.read_text()))


def test_vendored_and_tooling_directories_are_never_linted(tmp_path):
    for hidden in (".terraform/modules/vpc", ".git/refs", "node_modules/pkg"):
        folder = tmp_path / hidden
        folder.mkdir(parents=True)
        (folder / "broken.tf").write_text('resource "x" {\n')
        (folder / "broken.yaml").write_text("apiVersion: v1\nkind: ServiceAccount\n  bad: [\n")
    (tmp_path / "ok.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n")
    proc = irsalint("check", ".", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout
    assert json.loads(proc.stdout)["summary"]["files"] == 1


def test_unknown_yaml_tags_are_tolerated(tmp_path):
    (tmp_path / "sa.yaml").write_text(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app\n  labels:\n    ref: !Ref Something\n"
        "  annotations:\n    eks.amazonaws.com/token-expiration: !Sub '${Ttl}'\n"
    )
    proc = irsalint("check", ".", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(proc.stdout)["findings"] == []


@pytest.mark.parametrize("entry", ["console script", "python -m"])
def test_hard_exit_flushes_a_report_bigger_than_a_pipe_and_keeps_the_exit_code(entry):
    """`irsalint` and `python -m irsalint` leave with os._exit (cli.run): the whole report must
    still reach a pipe, and the exit code must be main()'s."""
    args = ["check", "fixtures/", "--format", "sarif", "--no-cache"]
    if entry == "python -m":
        proc = subprocess.run([sys.executable, "-m", "irsalint", *args], cwd=ROOT, capture_output=True,
                              text=True, timeout=120)
    else:
        proc = irsalint(*args)
    assert proc.returncode == 1, proc.stderr
    assert len(proc.stdout.encode()) > 1 << 20  # far more than a pipe holds: written while read
    sarif = json.loads(proc.stdout)
    sarif_validator().validate(sarif)
    assert len(sarif["runs"][0]["results"]) > 400
