"""Which files are linted and how their paths are written: the repository root (git top level or
--root) whatever the working directory, .gitignore / .irsalintignore, vendored directories; and
skipped files made visible in every format. Through the real console script."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from irsalint.discover import classify, discover, find_repository_root, scan_root
from irsalint.errors import UsageError
from irsalint.ignorefiles import IgnoreRules
from tests.helpers import FIXTURES
from tests.test_cli import irsalint, sarif_validator


def _monorepo(tmp_path: Path) -> Path:
    """A repository whose manifests and Terraform live two levels down (deploy/payments)."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    shutil.copytree(FIXTURES / "rules" / "IRSA001" / "bad" / "namespace-typo", repo / "deploy" / "payments")
    return repo


# --- item 4: paths relative to the repository root ---------------------------------------------


def test_sarif_from_a_subdirectory_is_valid_and_root_relative(tmp_path):
    repo = _monorepo(tmp_path)
    proc = irsalint("check", ".", "--format", "sarif", cwd=repo / "deploy")
    assert proc.returncode == 1, proc.stderr
    document = json.loads(proc.stdout)
    sarif_validator().validate(document)
    [run] = document["runs"]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"
    locations = [loc for r in run["results"] for loc in (*r["locations"], *r.get("relatedLocations", ()))]
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"] for loc in locations}
    assert uris == {"deploy/payments/serviceaccount.yaml", "deploy/payments/main.tf"}
    assert {loc["physicalLocation"]["artifactLocation"]["uriBaseId"] for loc in locations} == {"%SRCROOT%"}
    # the same report from the root and from a sibling directory
    from_root = irsalint("check", "deploy", "--format", "sarif", cwd=repo)
    assert from_root.stdout == proc.stdout
    (repo / "docs").mkdir()
    assert irsalint("check", "../deploy", "--format", "sarif", cwd=repo / "docs").stdout == proc.stdout


def test_github_junit_and_json_are_root_relative_text_is_cwd_relative(tmp_path):
    repo = _monorepo(tmp_path)
    cwd = repo / "deploy" / "payments"
    github = irsalint("check", ".", "--format", "github", cwd=cwd).stdout
    assert github.startswith("::error file=deploy/payments/serviceaccount.yaml,line=8,")
    junit = ET.fromstring(irsalint("check", ".", "--format", "junit", cwd=cwd).stdout)
    assert {case.get("file") for case in junit.iter("testcase")} == {"deploy/payments/serviceaccount.yaml"}
    report = json.loads(irsalint("check", ".", "--format", "json", cwd=cwd).stdout)
    assert [f["location"]["path"] for f in report["findings"]] == ["deploy/payments/serviceaccount.yaml"]
    assert [r["location"]["path"] for r in report["findings"][0]["related"]] == ["deploy/payments/main.tf"]
    text = irsalint("check", ".", cwd=cwd).stdout
    assert text.startswith("serviceaccount.yaml:8:5: IRSA001") and "\n    main.tf:" in text
    beside = irsalint("check", "../payments", cwd=repo / "deploy" / "payments")
    assert beside.stdout.startswith("serviceaccount.yaml:8:5:")
    (repo / "docs").mkdir()
    assert irsalint("check", "../deploy", cwd=repo / "docs").stdout.startswith("../deploy/payments/serviceaccount.yaml:8:5:")


def test_fingerprints_and_baselines_do_not_depend_on_the_working_directory(tmp_path):
    repo = _monorepo(tmp_path)
    assert irsalint("check", ".", "--write-baseline", "../b.json", cwd=repo / "deploy").returncode == 0
    assert json.loads((repo / "b.json").read_text())["findings"][0]["path"] == "deploy/payments/serviceaccount.yaml"
    proc = irsalint("check", "deploy", "--baseline", "b.json", cwd=repo)
    assert proc.returncode == 0 and "1 in the baseline" in proc.stdout


def test_root_option_and_its_errors(tmp_path):
    repo = _monorepo(tmp_path)
    proc = irsalint("check", ".", "--root", ".", "--format", "json", cwd=repo / "deploy")
    assert {f["location"]["path"] for f in json.loads(proc.stdout)["findings"]} == {"payments/serviceaccount.yaml"}
    proc = irsalint("check", ".", "--root", "payments", cwd=repo / "deploy")
    assert proc.returncode == 2 and "--root payments does not contain the scanned path ." in proc.stderr
    proc = irsalint("check", ".", "--root", "nowhere", cwd=repo)
    assert proc.returncode == 2 and "--root nowhere: not a directory" in proc.stderr


def test_root_is_found_without_git_and_falls_back_to_the_scanned_directory(tmp_path):
    repo = _monorepo(tmp_path)
    (repo / ".git").rmdir()
    (repo / ".git").write_text("gitdir: ../elsewhere\n")  # a worktree or submodule: .git is a file
    assert find_repository_root(repo / "deploy" / "payments") == repo
    assert scan_root([str(repo / "deploy")]) == (repo, "the git top level")
    (repo / ".git").unlink()
    root, source = scan_root([str(repo / "deploy")])  # outside the working directory: their parent
    assert (root, source) == (repo / "deploy", "no .git found: the scanned directory")
    with pytest.raises(UsageError, match="does not contain"):
        scan_root([str(repo)], str(repo / "deploy"))


# --- item 5: ignore files and vendored directories ---------------------------------------------


BROKEN_SA = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: [broken\n"


def test_gitignore_irsalintignore_and_tool_directories_are_not_linted(tmp_path):
    repo = _monorepo(tmp_path)
    for hidden in (".terragrunt-cache/abc/deploy", "vendor/modules", "node_modules/x", ".terraform/modules/y",
                   "generated", "deploy/payments/rendered", "deploy/payments/old"):
        (repo / hidden).mkdir(parents=True)
        (repo / hidden / "sa.yaml").write_text(BROKEN_SA)  # would be IRSA900 if linted
    (repo / "deploy" / "scratch.tmp.yaml").write_text(BROKEN_SA)
    (repo / "deploy" / "keep.tmp.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kept\n")
    (repo / ".gitignore").write_text("# build output\ngenerated/\n*.tmp.yaml\n!keep.tmp.yaml\n")
    (repo / "deploy" / "payments" / ".gitignore").write_text("rendered/\n")
    (repo / "deploy" / ".irsalintignore").write_text("payments/old/\n")
    proc = irsalint("check", ".", "--format", "json", "--no-cache", cwd=repo)
    report = json.loads(proc.stdout)
    assert proc.returncode == 1 and {f["rule"] for f in report["findings"]} == {"IRSA001"}, proc.stdout
    assert report["summary"]["files"] == 3 and report["skipped"] == []  # 2 fixture files + keep.tmp.yaml
    # from a subdirectory the root's .gitignore still applies
    sub = json.loads(irsalint("check", ".", "--format", "json", "--no-cache", cwd=repo / "deploy").stdout)
    assert sub["summary"]["files"] == 3
    # a file named on the command line is linted even if ignored
    named = json.loads(irsalint("check", "generated/sa.yaml", "--format", "json", cwd=repo).stdout)
    assert [f["rule"] for f in named["findings"]] == ["IRSA900"]


def test_ignore_rules_follow_git_precedence(tmp_path):
    (tmp_path / ".git" / "info").mkdir(parents=True)
    (tmp_path / ".git" / "info" / "exclude").write_text("local.yaml\n")
    (tmp_path / ".gitignore").write_text("*.gen.yaml\n/top-only.yaml\nbuild/\n")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / ".gitignore").write_text("!keep.gen.yaml\n")
    (tmp_path / "a" / ".irsalintignore").write_text("extra.yaml\n")
    rules = IgnoreRules(tmp_path)
    assert rules.ignored(tmp_path, "local.yaml", is_dir=False)
    assert rules.ignored(tmp_path / "a", "x.gen.yaml", is_dir=False)
    assert not rules.ignored(tmp_path / "a", "keep.gen.yaml", is_dir=False)  # the deeper file wins
    assert rules.ignored(tmp_path, "top-only.yaml", is_dir=False)
    assert not rules.ignored(tmp_path / "a", "top-only.yaml", is_dir=False)  # anchored to its directory
    assert rules.ignored(tmp_path / "a", "build", is_dir=True) and not rules.ignored(tmp_path, "build", is_dir=False)
    assert rules.ignored(tmp_path / "a", "extra.yaml", is_dir=False)
    for name in ("local.yaml", "a/x.gen.yaml", "a/keep.gen.yaml", "a/extra.yaml", "a/ok.yaml"):
        (tmp_path / name).write_text("apiVersion: v1\n")
    files, _, _ = discover([str(tmp_path)], root=str(tmp_path))
    assert [f.path for f in files] == ["a/keep.gen.yaml", "a/ok.yaml"]


def test_lines_git_does_not_use_are_skipped_not_fatal(tmp_path):
    """A `.gitignore` line ending in a lone backslash, a bare `!` or an unclosed `[` matches
    nothing in git; pathspec raised on the first two and the run stopped with an internal error."""
    (tmp_path / ".gitignore").write_text("foo\\\n!\n[unclosed\n*.gen.yaml\n")
    for name in ("a.gen.yaml", "ok.yaml", "foo\\"):
        (tmp_path / name).write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
    files, _, _ = discover([str(tmp_path)], root=str(tmp_path))
    assert [f.path for f in files] == ["ok.yaml"]  # `foo\\` has no .yaml suffix either way
    proc = irsalint("check", ".", "--no-cache", cwd=tmp_path)
    assert proc.returncode == 0 and "internal error" not in proc.stderr


# --- item 3: skipped files are visible -----------------------------------------------------------


def _with_skips(tmp_path: Path, count: int) -> Path:
    repo = _monorepo(tmp_path)
    for i in range(count):
        (repo / "deploy" / f"blob{i}.yaml").write_bytes(b"\x00\x01\x02")
    return repo


def test_text_names_the_first_skipped_files_and_verbose_all(tmp_path):
    repo = _with_skips(tmp_path, 7)
    text = irsalint("check", ".", cwd=repo).stdout
    assert "Skipped 7 paths:\n    deploy/blob0.yaml: binary file: not linted\n" in text
    assert "deploy/blob4.yaml" in text and "deploy/blob5.yaml" not in text
    assert "    ... and 2 more (-v lists them all)\nFound 1 finding" in text and ", 7 skipped" in text.splitlines()[-1]
    verbose = irsalint("check", ".", "-v", cwd=repo).stdout
    assert "deploy/blob6.yaml: binary file: not linted" in verbose and "more (-v" not in verbose
    quiet = irsalint("check", ".", "-q", cwd=repo).stdout
    assert "Skipped" not in quiet and quiet.startswith("deploy/payments/serviceaccount.yaml:8:5: IRSA001")


def test_sarif_and_json_record_every_skip(tmp_path):
    repo = _with_skips(tmp_path, 2)
    (repo / "deploy" / "loop").symlink_to(repo / "deploy" / "loop")
    proc = irsalint("check", ".", "--format", "sarif", cwd=repo / "deploy")
    document = json.loads(proc.stdout)
    sarif_validator().validate(document)
    [invocation] = document["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is True
    notes = invocation["toolExecutionNotifications"]
    assert [(n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], n["level"]) for n in notes] == [
        ("deploy/blob0.yaml", "note"), ("deploy/blob1.yaml", "note"), ("deploy/loop", "warning")]
    assert notes[0]["message"]["text"] == "Skipped deploy/blob0.yaml: binary file: not linted"
    assert {n["descriptor"]["id"] for n in notes} == {"skipped-file"}
    skipped = json.loads(irsalint("check", ".", "--format", "json", cwd=repo / "deploy").stdout)["skipped"]
    assert [s["path"] for s in skipped] == ["deploy/blob0.yaml", "deploy/blob1.yaml", "deploy/loop"]


@settings(max_examples=300)
@given(st.text(alphabet="aTfFjsonymlvr.-_", max_size=14))
def test_classify_by_suffix(name: str) -> None:
    """One lookup of the last suffix, as the suffix tests it replaced decided."""
    lower = name.lower()
    if lower.endswith((".tf.json", ".tfvars.json")) or lower.endswith((".tf", ".tfvars")):
        expected: str | None = "terraform"
    elif lower.endswith((".yaml", ".yml", ".json")):
        expected = "yaml"
    else:
        expected = None
    assert classify(name) == expected
