"""The content-hash cache and the Terraform prefilter change speed, never findings."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from irsalint.cache import Cache
from irsalint.engine import LintOptions, lint
from irsalint.load.dispatch import load_bytes
from irsalint.rules import load_rules
from tests.helpers import FIXTURES, ROOT
from tests.test_cli import irsalint

sys.path.insert(0, str(ROOT / "bench"))
from generate import generate  # noqa: E402

RULES = load_rules()


def _findings(path: Path, **options) -> list[tuple[str, str, int, str]]:
    cwd = os.getcwd()
    os.chdir(path)
    try:
        result = lint(["."], RULES, LintOptions(jobs=1, **options))
    finally:
        os.chdir(cwd)
    return [(f.rule_id, f.loc.path, f.loc.line, f.message) for f in result.findings]


def test_cached_results_equal_fresh_ones(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES, repo)
    fresh = _findings(repo)
    cache_dir = str(tmp_path / "cache")
    cold = _findings(repo, cache=True, cache_dir=cache_dir)
    warm = _findings(repo, cache=True, cache_dir=cache_dir)
    assert fresh == cold == warm and fresh
    assert (tmp_path / "cache" / ".gitignore").read_text().strip().endswith("*")


def test_warm_run_hits_for_every_file_and_edits_miss(tmp_path):
    cache = Cache(tmp_path)
    data = b'variable "x" {\n  default = "a"\n}\n'
    key = cache.entry_key("main.tf", "terraform", data, "")
    assert cache.get(key) is None
    cache.put(key, load_bytes("main.tf", data, "terraform"))
    cache.flush()
    again = Cache(tmp_path)  # the next run
    assert again.get(key) == load_bytes("main.tf", data, "terraform") and again.hits == 1
    assert cache.entry_key("main.tf", "terraform", data + b"\n", "") != key
    assert cache.entry_key("other.tf", "terraform", data, "") != key  # results carry their path


def test_per_file_entries_share_256_pack_files(tmp_path):
    cache = Cache(tmp_path)
    keys = [cache.entry_key(f"f{i}.yaml", "yaml", b"kind: X\n", "") for i in range(1000)]
    for key in keys:
        cache.put(key, key.upper())
    cache.flush()
    packs = sorted((tmp_path / "v2" / "packs").iterdir())
    assert len(packs) == len({key[:2] for key in keys}) <= 256
    again = Cache(tmp_path)
    assert all(again.get(key) == key.upper() for key in keys) and again.misses == 0


def test_a_full_pack_drops_its_oldest_entries_but_keeps_those_in_use(tmp_path):
    cache = Cache(tmp_path)
    first = [f"aa{i:062x}" for i in range(3)]  # one pack ("aa")
    for key in first:
        cache.put(key, key)
    cache.flush(max_entries=3 * 256)  # three entries a pack
    reader = Cache(tmp_path)
    assert reader.get(first[0]) == first[0]  # in use by this run
    later = [f"aa{i:062x}" for i in range(3, 5)]
    for key in later:
        reader.put(key, key)
    reader.flush(max_entries=3 * 256)
    kept = Cache(tmp_path)
    assert [kept.get(key) is not None for key in first + later] == [True, False, False, True, True]


def test_whole_run_entries_are_files_of_their_own_and_bounded(tmp_path):
    cache = Cache(tmp_path)
    for number in range(5):
        cache.put_run(f"{number:064x}", ("run", number), max_entries=3)
    kept = sorted(p.name for p in (tmp_path / "v2" / "runs").iterdir())
    assert len(kept) == 3
    assert Cache(tmp_path).get_run(f"{4:064x}") == ("run", 4)
    assert Cache(tmp_path).get_run(f"{9:064x}") is None


def test_forged_or_corrupt_entries_are_never_unpickled(tmp_path):
    cache = Cache(tmp_path)
    key = cache.entry_key("a.yaml", "yaml", b"x", "")
    target = tmp_path / "v2" / "packs" / f"{key[:2]}.pack"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"\0" * 32 + b"cos\nsystem\n(S'echo pwned'\ntR.")  # a malicious pickle
    assert Cache(tmp_path).get(key) is None
    target.write_bytes(b"garbage")
    assert Cache(tmp_path).get(key) is None
    run = tmp_path / "v2" / "runs" / f"{key}.pickle"
    run.parent.mkdir(parents=True)
    run.write_bytes(b"\0" * 32 + b"cos\nsystem\n(S'echo pwned'\ntR.")
    assert Cache(tmp_path).get_run(key) is None
    healing = Cache(tmp_path)
    healing.put(key, load_bytes("a.yaml", b"kind: X\n", "yaml"))  # heals
    healing.flush()
    assert Cache(tmp_path).get(key) is not None


def test_read_only_cache_dir_still_lints(tmp_path):
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("")
    assert _findings(FIXTURES / "seed", cache=True, cache_dir=str(blocked)) == []


def test_prefilter_changes_no_finding_on_fixtures_and_bench_corpus(tmp_path):
    corpus = tmp_path / "corpus"
    generate(corpus, services=60, filler=60, configmaps=20)
    for repo in (FIXTURES, corpus):
        assert _findings(repo, prefilter=True) == _findings(repo, prefilter=False)


def test_cli_output_identical_with_and_without_cache_and_jobs(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES, repo)
    outputs = set()
    for args in (["--no-cache", "--jobs", "1"], ["--jobs", "2"], ["--jobs", "2"], ["--jobs", "1"]):
        for fmt in ("json", "sarif"):
            proc = irsalint("check", ".", "--format", fmt, *args, cwd=repo)
            assert proc.returncode == 1, proc.stderr
            outputs.add((fmt, proc.stdout))
    assert len(outputs) == 2  # one json, one sarif: byte-identical across the runs
    assert len(list((repo / ".irsalint_cache" / "v2" / "packs").iterdir())) > 1


def test_whole_run_cache_never_hides_an_edit(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "seed", repo)
    cache_dir = str(tmp_path / "cache")
    assert _findings(repo, cache=True, cache_dir=cache_dir) == []
    assert _findings(repo, cache=True, cache_dir=cache_dir) == []  # served whole from the cache
    sa = repo / "k8s" / "serviceaccount.yaml"
    sa.write_text(sa.read_text().replace("namespace: team-payments", "namespace: team-payment"))
    assert [f[0] for f in _findings(repo, cache=True, cache_dir=cache_dir)] == ["IRSA001"]
    only_005 = [r for r in RULES if r.id == "IRSA005"]  # other rules: another run key
    os.chdir(repo)
    try:
        result = lint(["."], only_005, LintOptions(jobs=1, cache=True, cache_dir=cache_dir))
    finally:
        os.chdir(ROOT)
    assert result.findings == ()


HEAVY_MODULES = ("networkx", "tree_sitter", "yaml", "irsalint.checks", "irsalint.graph", "irsalint.project",
                 "irsalint.load.dispatch", "irsalint.load.k8s", "irsalint.sources.terraform",
                 # and what only some paths need (docs/design.md, "Start-up and exit"): typing for
                 # annotations, threading for a progress line, shutil for argparse's width, the
                 # fix intents, the ignore-comment syntax without an ignore
                 "typing", "threading", "shutil", "irsalint.fix.intents", "irsalint.directives",
                 # hashlib and hmac start OpenSSL (irsalint.digest); dataclasses, inspect and the
                 # ignore-file library are not needed either (irsalint.record, irsalint.gitignore)
                 "hashlib", "hmac", "dataclasses", "inspect", "pathspec")


def test_a_warm_run_imports_no_loader_graph_or_check(tmp_path, monkeypatch):
    """The whole-run entry holds a ProjectSummary: answering from it needs none of the heavy
    modules (docs/design.md, "Warm runs"), and the report is the cold one, byte for byte."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))  # the rule pack's JSON copy
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "rules" / "IRSA001" / "bad", repo)
    args = ["check", str(repo), "--format", "sarif", "--cache-dir", str(tmp_path / "cache")]
    cold = irsalint(*args)
    probe = (
        "import sys, io, contextlib\n"
        "from irsalint.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        f"    main({args!r})\n"
        f"print(repr(sorted(m for m in {HEAVY_MODULES!r} if m in sys.modules)))\n"
        "print(out.getvalue(), end='')\n"
    )
    warm = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    imported, _, report = warm.stdout.partition("\n")
    assert imported == "[]"
    assert report == cold.stdout and "IRSA" in report


def test_files_whose_stamps_match_a_recorded_run_are_not_read(tmp_path, monkeypatch):
    import irsalint.engine as engine

    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "rules" / "IRSA001" / "bad", repo)
    cache_dir = str(tmp_path / "cache")
    monkeypatch.setattr(engine, "RACY_NANOSECONDS", -10**12)  # record even files changed just now
    recorded = _findings(repo, cache=True, cache_dir=cache_dir)

    def no_reading(*args, **kwargs):
        raise AssertionError("a file was read")

    with monkeypatch.context() as patched:
        patched.setattr(engine, "read_sources", no_reading)
        assert _findings(repo, cache=True, cache_dir=cache_dir) == recorded and recorded
    # a file whose bytes change gets a new change time: the stamps no longer match
    manifest = next(repo.rglob("*.yaml"))
    manifest.write_text(manifest.read_text() + "\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n"
                        "  name: extra\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::1:role/x\n")
    changed = _findings(repo, cache=True, cache_dir=cache_dir)
    assert changed == _findings(repo) != recorded


def test_a_first_run_takes_the_stamps_it_records_while_reading(tmp_path, monkeypatch):
    """With no run recorded, no stat pass precedes the reading: the stamps come from each file's
    status as it is opened, and the next run is answered by them without reading."""
    import irsalint.engine as engine

    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "rules" / "IRSA001" / "bad", repo)
    cache_dir = str(tmp_path / "cache")
    monkeypatch.setattr(engine, "RACY_NANOSECONDS", -10**12)  # record even files changed just now

    def no_stat_pass(*args, **kwargs):
        raise AssertionError("stamped before reading, with nothing recorded to find")

    def no_reading(*args, **kwargs):
        raise AssertionError("a file was read")

    with monkeypatch.context() as patched:
        patched.setattr(engine, "stamp_key", no_stat_pass)
        recorded = _findings(repo, cache=True, cache_dir=cache_dir)
    with monkeypatch.context() as patched:
        patched.setattr(engine, "read_sources", no_reading)
        assert _findings(repo, cache=True, cache_dir=cache_dir) == recorded and recorded


def test_a_run_is_not_recorded_by_stamps_while_its_files_are_racily_fresh(tmp_path, monkeypatch):
    import irsalint.engine as engine

    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "rules" / "IRSA001" / "bad", repo)  # just written: within RACY_NANOSECONDS
    cache_dir = str(tmp_path / "cache")
    _findings(repo, cache=True, cache_dir=cache_dir)

    def no_reading(*args, **kwargs):
        raise AssertionError("a file was read")

    monkeypatch.setattr(engine, "read_sources", no_reading)
    with pytest.raises(AssertionError, match="a file was read"):  # no stamps entry: files are read
        _findings(repo, cache=True, cache_dir=cache_dir)


def test_a_template_read_by_templatefile_is_part_of_the_cached_run(tmp_path, monkeypatch):
    """trust.json.tpl is not a scanned file (no .tf, .yaml or .json suffix), but the trust policy
    comes from it: editing or deleting it must not leave the cached findings standing."""
    import irsalint.engine as engine

    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "rules" / "IRSA001" / "bad" / "templatefile-trust", repo)
    cache_dir = str(tmp_path / "cache")
    template = repo / "trust.json.tpl"
    for by_stamps in (False, True):
        template.write_text((FIXTURES / "rules" / "IRSA001" / "bad" / "templatefile-trust" / "trust.json.tpl").read_text())
        if by_stamps:  # record the run by its files' stamps too
            monkeypatch.setattr(engine, "RACY_NANOSECONDS", -10**12)
        assert [f[0] for f in _findings(repo, cache=True, cache_dir=cache_dir)] == ["IRSA001"]
        template.write_text(template.read_text().replace(
            "system:serviceaccount:${namespace}:${service_account}", "system:serviceaccount:*").replace(
            '"StringEquals"', '"StringLike"'))
        assert _findings(repo, cache=True, cache_dir=cache_dir) == _findings(repo) != []
        template.unlink()
        assert _findings(repo, cache=True, cache_dir=cache_dir) == _findings(repo)


def test_a_big_run_writes_its_cache_in_the_background_and_lint_returns_it_complete(tmp_path):
    """Past the parallel threshold the packs are pickled and written by a forked child (while the
    rules run); lint() waits for it, so the next run finds every file's entry."""
    corpus = tmp_path / "corpus"
    generate(corpus, services=120, filler=60, configmaps=20)
    cache_dir = str(tmp_path / "cache")

    def run(jobs: int) -> list[tuple[str, str, int, str]]:
        os.chdir(corpus)
        try:
            result = lint(["."], RULES, LintOptions(jobs=jobs, cache=True, cache_dir=cache_dir))
        finally:
            os.chdir(ROOT)
        return [(f.rule_id, f.loc.path, f.loc.line, f.message) for f in result.findings]

    cold = run(jobs=2)
    cache = Cache(tmp_path / "cache")
    stored = sum(len(cache._pack(f"{n:02x}")) for n in range(256))
    parsed = sum(1 for p in corpus.rglob("*") if p.suffix in (".yaml", ".tf"))
    assert cold and stored >= parsed * 3 // 4  # every file but the prefiltered Terraform
    (corpus / "edited.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
    assert run(jobs=1) == cold


def test_the_mac_is_keyed_and_tells_any_change_apart() -> None:
    """irsalint.digest: keyed BLAKE2b authenticates cache files; a key longer than BLAKE2b's 64
    bytes is used by its first 64."""
    from irsalint.digest import authentic, mac

    key, payload = b"k" * 32, b"pickled entry"
    tag = mac(key, payload)
    assert len(tag) == 32 and authentic(key, tag, payload)
    assert not authentic(key, tag, payload + b"!") and not authentic(b"j" * 32, tag, payload)
    assert not authentic(key, tag[:-1] + bytes([tag[-1] ^ 1]), payload)
    assert mac(b"x" * 80, payload) == mac(b"x" * 64, payload) != mac(b"x" * 63, payload)


@given(st.binary(max_size=300))
def test_the_report_digests_are_hashlibs_sha256(data: bytes) -> None:
    """Fingerprints keep their SHA-256 whichever module computes it (irsalint.digest)."""
    import hashlib

    from irsalint.digest import sha256_hexdigest

    assert sha256_hexdigest(data) == hashlib.sha256(data).hexdigest()


def test_writing_tells_whether_a_flush_runs_in_the_background(tmp_path, monkeypatch) -> None:
    """The rules leave the background writer its CPU (engine.rule_processes): `writing` says
    whether one runs, until wait()."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    cache = Cache(tmp_path / "cache")
    cache.put("ab" + "0" * 62, "here")
    cache.flush(background=lambda write: write())  # done here: nothing to wait for
    assert not cache.writing
    waited: list[bool] = []
    cache.put("cd" + "0" * 62, "later")
    cache.flush(background=lambda write: (write(), lambda: waited.append(True))[1])
    assert cache.writing
    cache.wait()
    assert not cache.writing and waited == [True]
