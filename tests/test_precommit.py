"""The hooks in .pre-commit-hooks.yaml, run by the real pre-commit (`pre-commit try-repo`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, ROOT
from tests.test_cli import irsalint

pytest.importorskip("pre_commit", reason="pre-commit is part of the [test] extra")


def _git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"})
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


@pytest.fixture(scope="module")
def head() -> str:
    try:
        return _git(ROOT, "rev-parse", "HEAD")
    except AssertionError:
        pytest.skip("not a git checkout: try-repo needs the hooks repository's history")


def _repo(tmp_path: Path, typo: bool) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "seed", repo)
    (repo / "k8s" / "configmap.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: team-payments\n"
    )
    if typo:
        sa = repo / "k8s" / "serviceaccount.yaml"
        sa.write_text(sa.read_text().replace("namespace: team-payments", "namespace: team-payment"))
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "seed")
    return repo


def _try_repo(repo: Path, head: str, hook: str, tmp_path: Path, *files: str) -> subprocess.CompletedProcess[str]:
    selection = ["--files", *files] if files else ["--all-files"]
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path.parent / "pre-commit-home")}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook, "--ref", head, *selection],
        cwd=repo, capture_output=True, text=True, timeout=600, env=env,
    )


def test_whole_repository_hook_passes_the_seed_and_fails_a_typo(tmp_path, head):
    clean = _try_repo(_repo(tmp_path / "clean", typo=False), head, "irsalint", tmp_path)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    broken = _try_repo(_repo(tmp_path / "typo", typo=True), head, "irsalint", tmp_path)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "IRSA001" in broken.stdout


def test_changed_hook_reports_through_related_locations_only(tmp_path, head):
    repo = _repo(tmp_path, typo=True)
    # Only the Terraform side of the mismatched pair is passed: the trust is a related location.
    terraform = _try_repo(repo, head, "irsalint-changed", tmp_path, "terraform/main.tf")
    assert terraform.returncode == 1, terraform.stdout + terraform.stderr
    uninvolved = _try_repo(repo, head, "irsalint-changed", tmp_path, "k8s/configmap.yaml")
    assert uninvolved.returncode == 0, uninvolved.stdout + uninvolved.stderr


def test_changed_is_correct_when_the_file_list_is_split(tmp_path):
    repo = _repo(tmp_path, typo=True)
    files = ["k8s/configmap.yaml", "k8s/deployment.yaml", "k8s/serviceaccount.yaml", "terraform/main.tf"]
    whole = irsalint("check", "--format", "json", "--no-cache", "--changed", *files, cwd=repo)
    halves = [irsalint("check", "--format", "json", "--no-cache", "--changed", *part, cwd=repo)
              for part in (files[:2], files[2:])]
    assert whole.returncode == 1
    assert max(h.returncode for h in halves) == 1  # the split still fails the commit
    import json

    union = {f["fingerprint"] for h in halves for f in json.loads(h.stdout)["findings"]}
    assert union == {f["fingerprint"] for f in json.loads(whole.stdout)["findings"]}


def test_diff_base_reports_only_findings_touching_changed_files(tmp_path):
    repo = _repo(tmp_path, typo=True)
    base = _git(repo, "rev-parse", "HEAD")
    assert irsalint("check", "--diff-base", base, "--no-cache", cwd=repo).returncode == 0  # nothing changed
    main_tf = repo / "terraform" / "main.tf"
    main_tf.write_text("# touched\n" + main_tf.read_text())
    _git(repo, "commit", "-qam", "touch the trust")
    proc = irsalint("check", "--diff-base", base, "--no-cache", "--format", "json", cwd=repo)
    assert proc.returncode == 1 and '"IRSA001"' in proc.stdout
    assert irsalint("check", "--diff-base", "no-such-rev", cwd=repo).returncode == 2


def test_fix_hook_modifies_the_files_fails_once_then_passes(tmp_path, head):
    repo = _repo(tmp_path, typo=False)
    sa = repo / "k8s" / "serviceaccount.yaml"
    sa.write_text(sa.read_text().replace('token-expiration: "43200"', 'token-expiration: "300"'))
    _git(repo, "commit", "-qam", "a token lifetime the webhook clamps")
    first = _try_repo(repo, head, "irsalint-fix", tmp_path)
    assert first.returncode == 1, first.stdout + first.stderr
    assert "files were modified by this hook" in first.stdout, first.stdout
    assert 'token-expiration: "600"' in sa.read_text()
    # The second commit attempt: the hook's own command (a second try-repo would only reinstall
    # the hook environment, ~8 s) exits 0 and changes nothing, which is what pre-commit checks.
    _git(repo, "commit", "-qam", "the fix")
    files = _git(repo, "ls-files").split()
    before = {f: (repo / f).read_bytes() for f in files}
    second = irsalint("check", "--changed", "--fix", *files, cwd=repo)
    assert second.returncode == 0, second.stdout + second.stderr
    assert {f: (repo / f).read_bytes() for f in files} == before
