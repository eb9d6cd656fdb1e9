"""Loading files in forked helper processes beside the main one (`--jobs`, docs/design.md,
"Parallel parsing").

A helper is forked with the files' bytes already in memory (nothing is sent to it) and sends back
one pickle of its results. What it sends decides what pays: a manifest comes back as a few small
records (2,000 manifests: 0.77 MB, 18 ms to unpickle), a Terraform file as its whole AST (1,000
files: 2 MB, 70 ms). So helpers take the YAML first and the main process keeps the Terraform, as
far as the shares stay even. A helper that fails (killed, out of memory) costs nothing but time:
its files are loaded here instead."""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import struct
import sys
import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, TypeVar

T = TypeVar("T")

# Below this much input a fork costs more than it saves (measured: docs/design.md).
MIN_PARALLEL_BYTES = 256_000
MAX_AUTO_PROCESSES = 4


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - platforms without affinity
        return os.cpu_count() or 1


def process_count(jobs: int, total_bytes: int) -> int:
    """`jobs` 0 (the default): as many processes as CPUs (at most 4) once the input is big enough
    to pay for the forks, on Linux; N: N processes, this one included. Elsewhere the default stays
    one process: macOS does not support forking a process whose system libraries may be in use
    (Python's own default there is to spawn), and Windows cannot fork."""
    if jobs > 0:
        return jobs
    if total_bytes < MIN_PARALLEL_BYTES or not sys.platform.startswith("linux"):
        return 1
    return max(1, min(MAX_AUTO_PROCESSES, available_cpus()))


def shares(sizes: Sequence[int], cheap: Sequence[bool], processes: int) -> list[list[int]]:
    """Item indices per process, the main process first: about equal cost each; the main process
    takes the items that are costly to send back (`cheap` False) before any cheap one."""
    if processes <= 1:
        return [list(range(len(sizes)))]
    target = sum(sizes) / processes
    by_size = sorted(range(len(sizes)), key=lambda i: (-sizes[i], i))
    mine: list[int] = []
    held = 0
    for index in [i for i in by_size if not cheap[i]] + [i for i in by_size if cheap[i]]:
        if held >= target:
            break
        mine.append(index)
        held += sizes[index]
    taken = set(mine)
    helpers: list[list[int]] = [[] for _ in range(processes - 1)]
    loads = [0] * len(helpers)
    for index in by_size:
        if index not in taken:
            lightest = loads.index(min(loads))
            helpers[lightest].append(index)
            loads[lightest] += sizes[index]
    return [sorted(mine), *(sorted(share) for share in helpers)]


def map_forked(function: Callable[[int], T], sizes: Sequence[int], cheap: Sequence[bool], jobs: int) -> list[T]:
    """[function(i) for i in range(len(sizes))], split over forked processes when that pays."""
    processes = process_count(jobs, sum(sizes))
    if processes <= 1 or not hasattr(os, "fork") or len(sizes) < processes:
        return [function(i) for i in range(len(sizes))]
    mine, *theirs = shares(sizes, cheap, processes)
    _flush_standard_streams()
    started: list[tuple[list[int], int, int | None]] = []  # (share, pipe, pid): pid None when the fork failed
    for share in theirs:
        reader, writer = os.pipe()
        started.append((share, reader, _fork(partial(_send_results, reader, writer, function, share))))
        os.close(writer)
    began = time.monotonic()
    results: dict[int, T] = {i: function(i) for i in mine}
    # A helper's share costs about what ours did: one that is still busy long after is stuck.
    deadline = _deadline(began)
    for share, pipe, pid in started:
        try:
            if pid is None:
                raise OSError("not forked")  # out of processes or memory
            results.update(zip(share, _receive(pipe, deadline)))
        except Exception:  # noqa: BLE001 - the helper died, hung or never started: do its share here
            results.update((i, function(i)) for i in share)
        finally:
            os.close(pipe)
            if pid is not None:
                _reap(pid)
    return [results[i] for i in range(len(sizes))]


MIN_PATIENCE_SECONDS = 30.0
PATIENCE_FACTOR = 10


def in_background(function: Callable[[], object], jobs: int, total_bytes: int) -> Callable[[], None]:
    """function() in a forked child while this process goes on, when `jobs` and the input's size
    allow a second process (process_count); else here and now. Returns what waits for the child:
    past MIN_PATIENCE_SECONDS, or PATIENCE_FACTOR times the time this process spent meanwhile, the
    child is killed (its work is lost, never half-done: it must write atomically)."""
    if process_count(jobs, total_bytes) <= 1 or not hasattr(os, "fork"):
        function()
        return lambda: None
    _flush_standard_streams()
    child = _fork(function)
    if child is None:  # out of processes or memory: do it here
        function()
        return lambda: None
    began = time.monotonic()

    def wait() -> None:
        deadline = _deadline(began)
        while os.waitpid(child, os.WNOHANG) == (0, 0):
            if time.monotonic() > deadline:
                _reap(child)
                return
            time.sleep(0.005)

    return wait


def _receive(reader: int, deadline: float) -> Any:
    """The helper's results, read from its pipe: EOFError when it exited without sending them all
    (the length it announced is checked), TimeoutError past the deadline."""
    poller = select.poll()
    poller.register(reader, select.POLLIN)
    chunks: list[bytes] = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the helper takes too long")
        if not poller.poll(min(remaining, 0.5) * 1000):
            continue
        chunk = os.read(reader, 1 << 20)
        if not chunk:  # the helper closed its end: finished, or died
            break
        chunks.append(chunk)
    data = b"".join(chunks)
    if len(data) < _LENGTH.size or _LENGTH.unpack_from(data)[0] != len(data) - _LENGTH.size:
        raise EOFError("the helper exited without its results")
    return pickle.loads(memoryview(data)[_LENGTH.size :])  # noqa: S301 - our own forked child's


_LENGTH = struct.Struct("<Q")  # the helper's message: its length, then its pickle


def _fork(work: Callable[[], object]) -> int | None:
    """A child process that runs work() and leaves with os._exit (status 0 once work returned), or
    None when the fork failed. os._exit skips the interpreter's exit work: flushing the standard
    streams could wait forever on a lock another thread of the parent held at the fork (the
    progress line)."""
    try:
        child = os.fork()
    except OSError:
        return None
    if child == 0:  # pragma: no cover - the child (coverage does not follow a fork)
        code = 1
        try:
            work()
            code = 0
        finally:
            os._exit(code)
    return child


def _send_results(reader: int, writer: int, function: Callable[[int], object], share: Sequence[int]) -> None:
    """In a helper: its share's results through the pipe, as one length-prefixed pickle."""
    os.close(reader)
    payload = pickle.dumps([function(i) for i in share], protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_LENGTH.pack(len(payload)) + payload)
    while view:
        view = view[os.write(writer, view) :]
    os.close(writer)


def _deadline(began: float) -> float:
    """When a helper that started with this process's own work at `began` counts as stuck."""
    return time.monotonic() + max(MIN_PATIENCE_SECONDS, PATIENCE_FACTOR * (time.monotonic() - began))


def _reap(child: int) -> None:
    """Collect a helper's exit; one still running (it hung, or is only now leaving) is killed."""
    with contextlib.suppress(OSError):
        if os.waitpid(child, os.WNOHANG) == (0, 0):
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)


def _flush_standard_streams() -> None:
    """Before a fork: nothing buffered is inherited (and so never written twice)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
