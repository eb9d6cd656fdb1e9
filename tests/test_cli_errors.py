"""A gate that never goes green by accident, through the real console script: every
misconfiguration is exit 2 with one line on stderr that says what to do; --help documents every
option and the exit codes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_cli import irsalint

SA = (
    "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n  namespace: team-a\n  annotations:\n"
    '    eks.amazonaws.com/token-expiration: "172800"\n'
)


def _one_line_error(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert proc.stderr.startswith("irsalint: error: ") and "Traceback" not in proc.stderr
    for needle in needles:
        assert needle in proc.stderr, proc.stderr


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "sa.yaml").write_text(SA)
    return repo


# --- unknown rule ids: flags, configuration, baseline ------------------------------------------


@pytest.mark.parametrize(("flag", "value", "suggestion"), [
    ("--select", "IRSA0001", "IRSA001"),
    ("--ignore", "IRSA005,IRSA0009", "IRSA009"),
    ("--select", "trust-mismatch", "IRSA001"),  # a rule name: the id it means
])
def test_unknown_rule_id_on_the_command_line_exits_2_with_a_suggestion(tmp_path, flag, value, suggestion):
    proc = irsalint("check", ".", flag, value, cwd=_repo(tmp_path))
    _one_line_error(proc, f"{flag}: unknown rule", f"did you mean {suggestion}?")


def test_prefixes_and_lower_case_ids_are_known():
    proc = irsalint("check", "fixtures/rules/IRSA005/bad", "--select", "irsa00", "--format", "json")
    assert proc.returncode == 1 and {f["rule"] for f in json.loads(proc.stdout)["findings"]} <= {
        f"IRSA00{i}" for i in range(1, 10)}


@pytest.mark.parametrize(("config", "needles"), [
    ("ignore: [IRSA999]\n", ("ignore: unknown rule IRSA999",)),
    ("select: [IRSA0005]\n", ("select: unknown rule IRSA0005", "did you mean IRSA005?")),
    ("levels: {IRSA0004: note}\n", ("levels: unknown rule IRSA0004", "did you mean IRSA004?")),
    ("levels: {IRSA00: note}\n", ("levels: 'IRSA00' does not match",)),  # the schema wants whole ids
    ("fail-on: error\n", ("unknown key 'fail-on'", "did you mean fail_on?")),
])
def test_configuration_mistakes_exit_2_naming_the_file(tmp_path, config, needles):
    repo = _repo(tmp_path)
    (repo / ".irsalint.yaml").write_text(config)
    _one_line_error(irsalint("check", ".", cwd=repo), ".irsalint.yaml", *needles)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="pyproject.toml is read with tomllib (3.11+)")
def test_pyproject_key_typo_suggests_the_right_key(tmp_path):
    repo = _repo(tmp_path)
    (repo / "pyproject.toml").write_text('[tool.irsalint]\nfail-on = "error"\n')
    _one_line_error(irsalint("check", ".", cwd=repo), "pyproject.toml", "unknown key 'fail-on'", "did you mean fail_on?")


def test_baseline_naming_an_unknown_rule_exits_2(tmp_path):
    repo = _repo(tmp_path)
    assert irsalint("check", ".", "--write-baseline", "b.json", cwd=repo).returncode == 0
    data = json.loads((repo / "b.json").read_text())
    data["findings"][0]["rule"] = "IRSA0005"
    (repo / "b.json").write_text(json.dumps(data))
    _one_line_error(irsalint("check", ".", "--baseline", "b.json", cwd=repo),
                    "b.json", "unknown rule IRSA0005", "did you mean IRSA005?")


# --- misleading errors of the issue ----------------------------------------------------------


def test_rules_option_naming_a_file_says_it_is_not_a_directory():
    _one_line_error(irsalint("check", "fixtures/seed", "--rules", "README.md"), "README.md", "not a directory")
    _one_line_error(irsalint("check", "fixtures/seed", "--rules", "no/such/dir"), "no such directory")


@pytest.mark.parametrize(("args", "needles"), [
    (("-f", "json"), ("check: unrecognized option -f", "did you mean --fail-on or --fix or --format?")),
    (("--form", "json"), ("check: unrecognized option --form", "did you mean --format?")),  # no prefix matching
    (("--no-cach",), ("did you mean --no-cache?",)),
    (("--fail-on=eror",), ("argument --fail-on: invalid choice: 'eror'",)),
])
def test_unknown_options_get_one_line_and_no_prefix_matching(args, needles):
    proc = irsalint("check", "fixtures/seed", *args)
    _one_line_error(proc, *needles)
    assert "irsalint: error: irsalint" not in proc.stderr


def test_diff_base_outside_git_says_so(tmp_path):
    (tmp_path / "sa.yaml").write_text(SA)
    _one_line_error(irsalint("check", "--diff-base", "main", cwd=tmp_path), "--diff-base needs a git repository")


def test_diff_base_bad_revision_gives_gits_reason(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    for command in (["init", "-q"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "x"]):
        subprocess.run(["git", *command], cwd=repo, check=True, capture_output=True)
    (repo / "sa.yaml").write_text(SA)
    proc = irsalint("check", "--diff-base", "no-such-rev", cwd=repo)
    _one_line_error(proc, "--diff-base no-such-rev", "no-such-rev")
    assert "usage" not in proc.stderr.lower()


def _inject_unreadable(tmp_path: Path, directory: Path) -> dict[str, str]:
    """An unreadable directory. Root reads every directory, so as root (CI containers) the same
    errors are injected: os.scandir and os.stat raise PermissionError inside it, as for a
    directory without r and x permissions."""
    env = dict(os.environ)
    if os.geteuid() != 0:
        directory.chmod(0)
        return env
    hook = tmp_path / "inject"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "import errno, os\n"
        f"LOCKED = {str(directory)!r}\n"
        "_scandir, _stat = os.scandir, os.stat\n"
        "def _denied(path):\n"
        "    return os.path.abspath(os.fspath(path)) == LOCKED\n"
        "def scandir(path='.'):\n"
        "    if _denied(path):\n"
        "        raise PermissionError(errno.EACCES, 'Permission denied', os.fspath(path))\n"
        "    return _scandir(path)\n"
        "def stat(path, *args, **kwargs):\n"
        "    if isinstance(path, (str, os.PathLike)) and _denied(os.path.dirname(os.path.abspath(os.fspath(path)))):\n"
        "        raise PermissionError(errno.EACCES, 'Permission denied', os.fspath(path))\n"
        "    return _stat(path, *args, **kwargs)\n"
        "os.scandir, os.stat = scandir, stat\n"
    )
    env["PYTHONPATH"] = str(hook)
    return env


def _irsalint_env(env: dict[str, str], *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "irsalint"
    return subprocess.run([str(exe), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_unreadable_directory(tmp_path):
    repo = _repo(tmp_path)
    locked = repo / "locked"
    locked.mkdir()
    (locked / "sa.yaml").write_text(SA)
    env = _inject_unreadable(tmp_path, locked)
    try:
        # named on the command line: one line, not "internal error: PermissionError ... .irsalint.yaml"
        _one_line_error(_irsalint_env(env, "check", "locked", cwd=repo), "cannot read directory locked",
                        "Permission denied")
        # found while walking: a visible skip, and the rest is linted
        proc = _irsalint_env(env, "check", ".", "--select", "IRSA005", cwd=repo)
        assert proc.returncode == 1, proc.stderr
        assert "    locked: cannot read directory: Permission denied" in proc.stdout
    finally:
        locked.chmod(0o755)


# --- no lintable file ------------------------------------------------------------------------


def test_a_path_without_lintable_files_exits_2_unless_allowed(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "README.md").write_text("# nothing to lint\n")
    (tmp_path / "docs" / "blob.yaml").write_bytes(b"\x00\x01binary")  # skipped: not lintable either
    proc = irsalint("check", "docs", cwd=tmp_path)
    _one_line_error(proc, "no lintable file in docs", "--allow-empty")
    assert "blob.yaml: binary file" in proc.stdout  # the report still says what was skipped
    allowed = irsalint("check", "docs", "--allow-empty", cwd=tmp_path)
    assert allowed.returncode == 0 and allowed.stderr.startswith("irsalint: warning: no lintable file")


# --- help --------------------------------------------------------------------------------------


def test_every_option_has_help_and_check_help_lists_exit_codes():
    from irsalint.cli import build_parser

    parser = build_parser()
    parsers = [parser, *next(a for a in parser._actions if a.dest == "command").choices.values()]
    for sub in parsers:
        for action in sub._actions:
            if action.dest in ("help", "command", "version"):
                continue
            assert action.help, f"{sub.prog} {action.option_strings or action.dest} has no help text"
    proc = irsalint("check", "--help")
    assert proc.returncode == 0
    text = re.sub(r"\s+", " ", proc.stdout)
    for line in ("0 no finding at or above --fail-on", "1 findings at or above --fail-on",
                 "2 usage, configuration or internal error"):
        assert line in text
    for option in ("--root", "--allow-empty", "--verbose", "--progress", "--no-prefilter", "--debug"):
        assert option in text


def test_verbose_says_which_root_and_configuration(tmp_path):
    repo = _repo(tmp_path)
    (repo / "k8s").mkdir()
    (repo / "sa.yaml").rename(repo / "k8s" / "sa.yaml")
    proc = irsalint("check", ".", "-v", "--select", "IRSA005", cwd=repo / "k8s")
    assert proc.returncode == 1, proc.stderr
    assert f"irsalint: root {repo.resolve()} (the git top level); configuration none (defaults)" in proc.stderr
    assert "1 rule; 1 file linted, 0 skipped; 1 finding," in proc.stderr
    (repo / ".irsalint.yaml").write_text("select: [IRSA005]\n")
    proc = irsalint("check", ".", "-v", "--root", ".", cwd=repo / "k8s")
    assert f"irsalint: root {(repo / 'k8s').resolve()} (--root); configuration {repo / '.irsalint.yaml'}" in proc.stderr
