"""A CI gate that crashes on one odd file blocks every pull request.

The hostile corpus (tests/hostile_corpus.py) is scanned by the real console script: every bad file
yields one IRSA900 (with the parser's line and column) or one skip note, never a traceback, a hang
or exit 2, within a memory bound; the real defects beside them are still reported."""

from __future__ import annotations

import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from irsalint import yamlutil
from irsalint.engine import LintOptions, lint
from irsalint.load.dispatch import load_bytes, load_path
from irsalint.load.k8s import K8sFile, load_manifest
from irsalint.model import Diagnostic, SkipNote
from irsalint.rules import load_rules
from irsalint.yamlutil import ComposeError, compose_all
from tests.helpers import FIXTURES
from tests.hostile_corpus import PWNED, Expect, alias_bomb, write_corpus
from tests.test_cli import sarif_validator

TIMEOUT = 120
MAX_RSS_BYTES = 1024 * 1024 * 1024


class Run:
    def __init__(self, returncode: int, stdout: str, stderr: str, seconds: float, max_rss: int) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr
        self.seconds, self.max_rss = seconds, max_rss


# Started by a small launcher: a process's peak RSS (ru_maxrss) includes the memory of the process
# it was forked from (Linux keeps the old address space's high-water mark across exec), so a child
# forked from this test process, which may hold hundreds of MB, would report those too.
_LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as report:
    report.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status) & 0xFF)
"""


def run_measured(*args: str, cwd: Path) -> Run:
    """The console script, with a hard timeout and its own peak RSS (os.wait4 on that process only,
    in a launcher that holds little memory)."""
    exe = shutil.which("irsalint", path=str(Path(sys.executable).parent)) or "irsalint"
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        started = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-c", _LAUNCHER, rss.name, exe, *args], cwd=cwd, stdout=out,
                                stderr=err, stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            proc.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
            pytest.fail(f"irsalint {' '.join(args)} did not finish within {TIMEOUT} s (a hang)")
        seconds = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        max_rss = int(rss.read() or 0) * (1 if sys.platform == "darwin" else 1024)
        return Run(proc.returncode, out.read().decode(), err.read().decode(), seconds, max_rss)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Expect]]:
    base = tmp_path_factory.mktemp("hostile")
    root = base / "repo"
    root.mkdir()
    expected = write_corpus(root, base / "outside")
    return root, expected


@pytest.fixture(scope="module")
def scans(corpus: tuple[Path, dict[str, Expect]]) -> dict[str, Run]:
    """The JSON and SARIF scans of the corpus, one after the other (each has its own RSS figure)."""
    root, _ = corpus
    return {
        "json": run_measured("check", ".", "--format", "json", "--output", "../report.json", cwd=root),
        # cold: not from the cache the first scan wrote
        "sarif": run_measured(
            "check", ".", "--format", "sarif", "--no-cache", "--output", "../report.sarif", cwd=root
        ),
    }


def test_hostile_corpus_exits_1_fast_small_and_without_traceback(scans: dict[str, Run]) -> None:
    for name, run in scans.items():
        assert run.returncode == 1, f"{name}: exit {run.returncode}\n{run.stderr}"
        assert "Traceback" not in run.stderr and "internal error" not in run.stderr, run.stderr
        assert run.seconds < 60, f"{name}: {run.seconds:.1f} s"
        assert run.max_rss < MAX_RSS_BYTES, f"{name}: peak RSS {run.max_rss / 2**20:.0f} MiB"
    # the figures, for the record (pytest -s shows them)
    print({name: (round(r.seconds, 1), f"{r.max_rss / 2**20:.0f} MiB") for name, r in scans.items()})


def test_every_hostile_file_has_exactly_its_expected_outcome(
    corpus: tuple[Path, dict[str, Expect]], scans: dict[str, Run]
) -> None:
    root, expected = corpus
    report = json.loads((root.parent / "report.json").read_text())
    findings: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for finding in report["findings"]:
        findings[finding["location"]["path"]].append(finding)
    skips: dict[str, list[str]] = defaultdict(list)
    for note in report["skipped"]:
        skips[note["path"]].append(note["reason"])

    problems = []
    for path, expect in sorted(expected.items()):
        got_findings, got_skips = findings.get(path, []), skips.get(path, [])
        shown = f"{path}: expected {expect}, got findings {[(f['rule'], f['location']['line'], f['location']['column'], f['message'][:80]) for f in got_findings]} skips {got_skips}"
        if expect.outcome in ("clean", "ignored"):
            ok = not got_findings and not got_skips
        elif expect.outcome == "skip":
            ok = not got_findings and len(got_skips) == 1 and expect.hint in got_skips[0]
        else:  # a rule id: exactly one finding of that rule, where expected
            ok = not got_skips and [f["rule"] for f in got_findings] == [expect.outcome]
            if ok:
                [finding] = got_findings
                location = finding["location"]
                ok = location["line"] >= 1 and location["column"] >= 1 and expect.hint in finding["message"]
                ok = (
                    ok
                    and expect.line in (None, location["line"])
                    and expect.col in (None, location["column"])
                )
        if not ok:
            problems.append(shown)
    unexpected = sorted((set(findings) | set(skips)) - set(expected))
    assert not problems, "\n".join(problems)
    assert not unexpected, f"findings or skip notes for paths outside the corpus's expectations: {unexpected}"
    assert not any(p.startswith(".terraform/") or "/.terraform/" in p for p in [*findings, *skips])
    # nothing from outside the root, and no absolute paths (they would make reports machine-specific)
    assert str(root.parent) not in (root.parent / "report.json").read_text()
    assert not (root.parent / "outside" / PWNED).exists(), "a YAML tag was executed"


def test_hostile_corpus_sarif_is_valid(corpus: tuple[Path, dict[str, Expect]], scans: dict[str, Run]) -> None:
    root, expected = corpus
    document = json.loads((root.parent / "report.sarif").read_text())
    sarif_validator().validate(document)
    [run] = document["runs"]
    rules = [r["ruleId"] for r in run["results"]]
    assert "IRSA005" in rules
    assert rules.count("IRSA900") == sum(1 for e in expected.values() if e.outcome == "IRSA900")
    for result in run["results"]:
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region.get("startColumn", 1) >= 1


# --- in-process checks ----------------------------------------------------------------------------


@pytest.mark.parametrize("jobs", [1, 2])
def test_scan_works_with_the_network_disabled(monkeypatch: pytest.MonkeyPatch, jobs: int) -> None:
    attempts: list[tuple[object, ...]] = []

    def no_network(*args: object, **kwargs: object) -> None:
        attempts.append(args)  # recorded too: a catch-all in the code under test cannot hide it
        raise OSError("network disabled by the test")

    for name in ("connect", "connect_ex", "sendto"):
        monkeypatch.setattr(socket.socket, name, no_network)
    for name in ("create_connection", "getaddrinfo", "gethostbyname", "gethostbyname_ex"):
        monkeypatch.setattr(socket, name, no_network)
    result = lint([str(FIXTURES)], load_rules(), LintOptions(jobs=jobs))  # 2: worker processes too
    assert result.files_scanned > 0 and result.findings
    assert not attempts, f"network access attempted: {attempts}"


def test_hostile_corpus_is_deterministic_and_jobs_independent(tmp_path: Path) -> None:
    """A second, small scan (without the 30 MB file): same bytes whatever the number of workers."""
    root = tmp_path / "repo"
    root.mkdir()
    write_corpus(root, tmp_path / "outside")
    (root / "k8s" / "huge-30mb.yaml").unlink()
    (root / "k8s" / "over-cap.yaml").unlink()
    for i in range(16):  # enough Terraform files for worker processes: results cross a pickle
        (root / "terraform" / f"filler{i}.tf").write_text(f"locals {{\n  n{i} = {i}\n}}\n")
    first = run_measured("check", ".", "--format", "sarif", "--jobs", "1", "--no-cache", cwd=root)
    second = run_measured("check", ".", "--format", "sarif", "--jobs", "2", "--no-cache", cwd=root)
    assert first.returncode == second.returncode == 1, first.stderr + second.stderr
    assert first.stdout == second.stdout and first.stdout


def test_unreadable_file_is_a_skip_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The chmod-000 case of the corpus is left out when running as root (root reads it anyway, and
    an unprivileged child cannot run this interpreter): here the read itself is refused."""
    from tests.hostile_corpus import DEFECT_SA

    locked = tmp_path / "locked.yaml"
    locked.write_text(DEFECT_SA.format(name="locked"))
    (tmp_path / "ok.yaml").write_text(DEFECT_SA.format(name="ok"))
    real_open = os.open  # files are read with os.open/os.read (irsalint.load.reading)

    def denied(file: Any, *args: Any, **kwargs: Any) -> Any:
        if str(file) == str(locked):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    result = load_path("locked.yaml", str(locked), "yaml")
    assert isinstance(result, SkipNote) and "Permission denied" in result.reason
    monkeypatch.chdir(tmp_path)
    linted = lint(["."], load_rules(), LintOptions(jobs=1))
    assert [(s.path, s.reason) for s in linted.project.skipped] == [
        ("locked.yaml", "cannot read: Permission denied")
    ]
    assert [(f.loc.path, f.rule_id) for f in linted.findings] == [("ok.yaml", "IRSA005")]


def test_alias_bomb_is_never_expanded() -> None:
    """Never expanded: refused at the alias that tips the count, as the Kubernetes decoder refuses
    it ("excessive aliasing"), in manifests (IRSA900) and in policy JSON alike."""
    text = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: b\n  annotations:\n"
    text += "\n".join(alias_bomb("    ")) + "\n"
    started = time.perf_counter()
    result = load_manifest("bomb.yaml", text)
    assert isinstance(result, Diagnostic) and "alias bomb" in result.message
    with pytest.raises(ComposeError) as raised:
        compose_all(text)
    assert "alias bomb" in str(raised.value)
    assert raised.value.problem_mark is not None and raised.value.problem_mark.line > 5
    assert time.perf_counter() - started < 10  # a guard against expansion (9**9 nodes), not a benchmark


def test_recursive_alias_is_a_positioned_diagnostic() -> None:
    result = load_manifest("r.yaml", "apiVersion: v1\nkind: ConfigMap\ndata: &d\n  self: *d\n")
    assert isinstance(result, Diagnostic) and "recursive alias" in result.message
    assert (result.loc.line, result.loc.col) == (4, 9)


def test_moderate_alias_use_is_fine() -> None:
    """Kubernetes accepts ordinary anchors and aliases (here 300 containers sharing one env list)."""
    lines = ["apiVersion: v1", "kind: Pod", "metadata:", "  name: p", "spec:", "  containers:"]
    lines += ["  - name: c0", "    env: &env", *[f"    - name: V{i}" for i in range(50)]]
    lines += [f"  - {{name: c{i}, env: *env}}" for i in range(1, 300)]
    result = load_manifest("pod.yaml", "\n".join(lines) + "\n")
    assert isinstance(result, K8sFile)
    assert len(result.workloads[0].env) == 300 * 50


def test_oversized_file_is_not_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "big.tf"
    with open(path, "wb") as handle:
        handle.truncate(4 * 1024 * 1024 * 1024)  # sparse: 4 GiB that cost nothing on disk
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = load_path("big.tf", str(path), "terraform")
    assert isinstance(result, SkipNote) and "size cap" in result.reason
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100 * 1024  # KiB: not read


def test_late_nul_byte_is_positioned() -> None:
    result = load_bytes(
        "x.yaml", b"apiVersion: v1\nkind: ServiceAccount\n" + b"#\n" * 5000 + b"x: \xc3\xa9\x00\n", "yaml"
    )
    assert isinstance(result, Diagnostic)
    assert (result.loc.line, result.loc.col) == (5003, 5)


# --- the manifest reader keeps only what it reads: same result as a full composition ---------------

YAML_FIXTURES = sorted(
    p
    for p in FIXTURES.rglob("*")
    if p.is_file() and p.suffix in (".yaml", ".yml", ".json") and p.stat().st_size < 2**20
)
TRICKY_MANIFESTS = [
    # an anchor in a part that is not kept, aliased where it is read
    (
        "x-common: &ann {eks.amazonaws.com/token-expiration: '300', team: a}\nx-meta: &meta {name: m, namespace: n}\n"
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  <<: *meta\n  name: sa\n  annotations: *ann\n"
    ),
    (
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: &m {name: a, annotations: {x: y}}\n---\n"
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
        "spec: {serviceAccountName: a, containers: [{name: c, env: [{name: E}]}]}\n"
    ),
    # kubectl's List: `items` before `kind`; nested Lists; a non-List with `items`
    (
        "apiVersion: v1\nitems:\n- {apiVersion: v1, kind: ServiceAccount, metadata: {name: a}}\n"
        "- {apiVersion: v1, kind: List, items: [{apiVersion: v1, kind: ServiceAccount, metadata: {name: b}}]}\n"
        "kind: List\n---\n"
        "apiVersion: example.com/v1\nitems: [{apiVersion: v1, kind: ServiceAccount, metadata: {name: c}}]\n"
        "kind: Catalog\nmetadata: {name: cat, annotations: {eks.amazonaws.com/role-arn: x}}\n"
    ),
    # complex keys, aliases as keys, tags, nulls, booleans
    (
        "? [a, b]\n: c\n&k name: v\napiVersion: v1\nkind: ServiceAccount\nmetadata: {*k : sa, namespace: ~}\n"
        "automountServiceAccountToken: !!bool yes\n"
    ),
]


@pytest.mark.parametrize(
    "path",
    YAML_FIXTURES + list(range(len(TRICKY_MANIFESTS))),
    ids=lambda p: str(p.relative_to(FIXTURES)) if isinstance(p, Path) else f"tricky{p}",
)
def test_pruned_reading_equals_full_reading(path: Path | int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlutil, "_FAST_COMPOSER", False)  # our composer, which prunes
    text = TRICKY_MANIFESTS[path] if isinstance(path, int) else path.read_text("utf-8")
    name = path.name if isinstance(path, Path) else "k8s/tricky.yaml"
    assert load_manifest(name, text) == load_manifest(name, text, keep=None)


def test_full_composition_equals_pyyaml_composer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Our composer gives exactly PyYAML's node trees, tags and marks included (tests/test_yaml_composers.py:
    the same with libyaml's composer where irsalint uses it)."""
    import yaml

    monkeypatch.setattr(yamlutil, "_FAST_COMPOSER", False)

    def shape(node: Any) -> Any:
        if node is None:
            return None
        marks = (node.start_mark.line, node.start_mark.column, node.end_mark.line, node.end_mark.column)
        if isinstance(node, yaml.ScalarNode):
            return ("s", node.tag, node.value, node.style, marks)
        if isinstance(node, yaml.SequenceNode):
            return ("q", node.tag, marks, [shape(n) for n in node.value])
        return ("m", node.tag, marks, [(shape(k), shape(v)) for k, v in node.value])

    for path in YAML_FIXTURES:
        text = path.read_text("utf-8")
        try:
            expected = [shape(d) for d in yaml.compose_all(text, Loader=yaml.CSafeLoader)]
        except yaml.YAMLError:
            with pytest.raises(yaml.YAMLError):
                compose_all(text)
            continue
        assert [shape(d) for d in compose_all(text)] == expected, path
