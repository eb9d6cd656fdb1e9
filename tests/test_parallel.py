"""irsalint.parallel: shares cover every item once, forked results equal serial ones, a helper that
dies costs only time."""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from irsalint.parallel import MIN_PARALLEL_BYTES, map_forked, process_count, shares


@given(st.lists(st.tuples(st.integers(0, 10_000), st.booleans()), max_size=60), st.integers(1, 5))
def test_shares_cover_every_item_exactly_once(items: list[tuple[int, bool]], processes: int) -> None:
    parts = shares([s for s, _ in items], [c for _, c in items], processes)
    assert len(parts) == processes
    flat = [i for part in parts for i in part]
    assert sorted(flat) == list(range(len(items)))


def test_the_main_process_keeps_what_is_costly_to_send_back() -> None:
    sizes = [100, 100, 100, 100]
    cheap = [True, False, True, False]  # 1 and 3: Terraform (an AST each)
    mine, theirs = shares(sizes, cheap, 2)
    assert mine == [1, 3] and theirs == [0, 2]


def test_small_inputs_stay_in_one_process_unless_asked() -> None:
    assert process_count(0, MIN_PARALLEL_BYTES - 1) == 1
    assert process_count(3, 10) == 3
    assert process_count(1, 10 * MIN_PARALLEL_BYTES) == 1


def test_forked_results_equal_serial_results_in_order() -> None:
    sizes = [MIN_PARALLEL_BYTES // 10] * 40
    cheap = [i % 2 == 0 for i in range(40)]
    results = map_forked(lambda i: (i, i * i, os.getpid()), sizes, cheap, jobs=2)
    assert [r[:2] for r in results] == [(i, i * i) for i in range(40)]
    assert len({r[2] for r in results}) == 2  # two processes did the work


def test_a_helper_that_dies_has_its_share_done_by_the_main_process() -> None:
    parent = os.getpid()

    def load(index: int) -> int:
        if os.getpid() != parent:
            os._exit(1)  # killed mid-work (out of memory, a signal)
        return index * 2

    sizes = [MIN_PARALLEL_BYTES] * 8
    assert map_forked(load, sizes, [True] * 8, jobs=2) == [i * 2 for i in range(8)]


def test_a_helper_that_hangs_is_killed_and_its_share_done_here(monkeypatch) -> None:
    import irsalint.parallel as parallel

    monkeypatch.setattr(parallel, "MIN_PATIENCE_SECONDS", 1.0)
    parent = os.getpid()

    def load(index: int) -> int:
        if os.getpid() != parent:
            while True:  # a deadlock, an endless loop
                pass
        return index + 1

    sizes = [MIN_PARALLEL_BYTES] * 6
    assert map_forked(load, sizes, [True] * 6, jobs=2) == [i + 1 for i in range(6)]


def test_the_default_forks_only_on_linux(monkeypatch) -> None:
    import irsalint.parallel as parallel

    monkeypatch.setattr(parallel.sys, "platform", "darwin")
    assert process_count(0, 100 * MIN_PARALLEL_BYTES) == 1
    assert process_count(2, 100 * MIN_PARALLEL_BYTES) == 2  # asked for: as on Linux
    monkeypatch.setattr(parallel.sys, "platform", "linux")
    monkeypatch.setattr(parallel, "available_cpus", lambda: 2)
    assert process_count(0, 100 * MIN_PARALLEL_BYTES) == 2


def test_background_work_runs_in_a_child_and_wait_reaps_it(tmp_path) -> None:
    from irsalint.parallel import in_background

    marker = tmp_path / "pid"
    wait = in_background(lambda: marker.write_text(str(os.getpid())), jobs=2, total_bytes=10)
    assert wait is not None
    wait()
    assert marker.read_text() != str(os.getpid())  # written by the child, complete once wait() returned


def test_background_work_stays_here_with_one_process(tmp_path) -> None:
    from irsalint.parallel import in_background

    marker = tmp_path / "pid"
    wait = in_background(lambda: marker.write_text(str(os.getpid())), jobs=1, total_bytes=10 * MIN_PARALLEL_BYTES)
    assert marker.read_text() == str(os.getpid())  # done before in_background returned
    assert wait is None  # nothing to wait for


def test_background_work_that_hangs_is_killed(monkeypatch) -> None:
    import time

    import irsalint.parallel as parallel
    from irsalint.parallel import in_background

    monkeypatch.setattr(parallel, "MIN_PATIENCE_SECONDS", 0.5)
    wait = in_background(lambda: time.sleep(60), jobs=2, total_bytes=10)
    assert wait is not None
    began = time.monotonic()
    wait()
    assert time.monotonic() - began < 10


def test_a_fork_that_fails_leaves_the_work_to_this_process(monkeypatch, tmp_path) -> None:
    from irsalint.parallel import in_background

    def no_fork() -> int:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    sizes = [MIN_PARALLEL_BYTES] * 6
    assert map_forked(lambda i: i * 3, sizes, [True] * 6, jobs=3) == [i * 3 for i in range(6)]
    marker = tmp_path / "done"
    wait = in_background(lambda: marker.write_text("here"), jobs=2, total_bytes=10)
    assert marker.read_text() == "here" and wait is None


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_meanwhile_sees_every_early_result_once_before_the_rest_is_waited_for(jobs: int) -> None:
    """Early items (Terraform) come first everywhere; `meanwhile` gets all of their results, and
    the late ones are still right after it."""
    sizes = [MIN_PARALLEL_BYTES // 4] * 30
    early = [i % 3 == 0 for i in range(30)]
    calls: list[dict[int, tuple[int, int]]] = []
    parent = os.getpid()

    def meanwhile(results: dict[int, tuple[int, int]]) -> None:
        assert os.getpid() == parent
        calls.append(dict(results))

    results = map_forked(lambda i: (i, os.getpid()), sizes, [not e for e in early], jobs, early, meanwhile)
    assert [r[0] for r in results] == list(range(30))
    assert len(calls) == 1 and sorted(calls[0]) == [i for i in range(30) if early[i]]
    assert all(calls[0][i] == results[i] for i in calls[0])
    assert len({pid for _, pid in results}) == jobs  # every process took a share


def test_a_helper_that_dies_after_its_early_batch_has_its_late_items_done_here() -> None:
    parent = os.getpid()
    early = [i < 4 for i in range(12)]

    def load(index: int) -> int:
        if os.getpid() != parent and not early[index]:
            os._exit(1)  # killed between its two batches
        return index * 5

    seen: list[list[int]] = []
    sizes = [MIN_PARALLEL_BYTES] * 12
    results = map_forked(load, sizes, [True] * 12, 2, early, lambda got: seen.append(sorted(got)))
    assert results == [i * 5 for i in range(12)] and seen == [[0, 1, 2, 3]]


def test_results_bigger_than_a_pipe_buffer_arrive_whole() -> None:
    """Several MB per helper: the main process takes them in while it works, no helper stalls."""
    sizes = [MIN_PARALLEL_BYTES] * 8
    early = [i % 2 == 0 for i in range(8)]
    results = map_forked(lambda i: bytes([i]) * 3_000_000, sizes, [True] * 8, 2, early, lambda got: None)
    assert [len(r) for r in results] == [3_000_000] * 8 and [r[:1] for r in results] == [bytes([i]) for i in range(8)]


def test_the_main_process_takes_its_reserve_off_its_share() -> None:
    sizes = [10] * 20
    cheap = [False] * 20
    mine, theirs = shares(sizes, cheap, 2, reserve=40)
    assert len(mine) == 8 and len(theirs) == 12  # (200 + 40) / 2 - 40 = 80 of work here
    only_theirs, rest = shares(sizes, cheap, 2, reserve=1000)
    assert only_theirs == [] and len(rest) == 20


def test_no_helper_is_left_behind_when_meanwhile_raises(monkeypatch) -> None:
    import time

    import irsalint.parallel as parallel

    forked: list[int] = []
    fork = parallel._fork

    def recorded(work):  # type: ignore[no-untyped-def]
        pid = fork(work)
        forked.append(pid)
        return pid

    monkeypatch.setattr(parallel, "_fork", recorded)

    def load(index: int) -> int:
        time.sleep(0.05)  # the helper is still busy when meanwhile raises
        return index

    def meanwhile(results: dict[int, int]) -> None:
        raise RuntimeError("a bug in the Terraform model")

    sizes = [MIN_PARALLEL_BYTES] * 8
    with pytest.raises(RuntimeError):
        map_forked(load, sizes, [True] * 8, 2, [i < 4 for i in range(8)], meanwhile)
    assert len(forked) == 1 and forked[0] is not None
    with pytest.raises(ProcessLookupError):  # killed and reaped: neither running nor a zombie
        os.kill(forked[0], 0)


# The rules (irsalint.engine.run_rules): shared with a forked helper on big projects only.


def test_the_rules_stay_in_one_process_unless_the_project_is_big_or_jobs_asks() -> None:
    from irsalint.engine import PARALLEL_RULES_MAX_FILES, PARALLEL_RULES_MIN_FILES, rule_processes
    from irsalint.parallel import default_processes

    assert rule_processes(0, PARALLEL_RULES_MIN_FILES - 1) == 1
    assert rule_processes(0, PARALLEL_RULES_MIN_FILES) == default_processes()
    assert rule_processes(1, PARALLEL_RULES_MIN_FILES * 2) == 1
    assert rule_processes(3, 10) == 3  # asked for
    # a CPU taken by the cache's background writer is left to it, unless --jobs says otherwise
    assert rule_processes(0, PARALLEL_RULES_MIN_FILES, busy=1) == max(1, default_processes() - 1)
    assert rule_processes(3, PARALLEL_RULES_MIN_FILES, busy=1) == 3
    # the helper's copy-on-write share of a huge model costs more memory than its time is worth
    assert rule_processes(0, PARALLEL_RULES_MAX_FILES + 1) == 1
    assert rule_processes(3, PARALLEL_RULES_MAX_FILES + 1) == 1


def _fixture_findings(jobs: int) -> tuple[Any, ...]:
    from irsalint.engine import LintOptions, lint
    from irsalint.rules import load_rules
    from tests.helpers import ROOT

    return lint([str(ROOT / "fixtures")], load_rules(), LintOptions(jobs=jobs, cache=False)).findings


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_rules_shared_with_a_helper_find_what_one_process_finds() -> None:
    alone = _fixture_findings(jobs=1)  # every field compared: message, location, fix, fingerprint...
    assert len(alone) > 400 and sum(f.fix is not None for f in alone) > 50
    assert _fixture_findings(jobs=2) == alone == _fixture_findings(jobs=3)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_check_that_fails_in_a_helper_fails_as_in_one_process(monkeypatch) -> None:
    from irsalint import checks
    from irsalint.errors import CheckError

    def broken(graph, params):  # type: ignore[no-untyped-def]
        raise ValueError("a bug")

    for name in ("trust_mismatch", "annotation_key_typo"):  # one heavy, one light: whichever process has it
        monkeypatch.setitem(checks.CHECKS, name, broken)
    with pytest.raises(CheckError) as raised:
        _fixture_findings(jobs=2)
    assert raised.value.rule_id in ("IRSA001", "IRSA023")
