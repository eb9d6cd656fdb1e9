"""Loading files in forked helper processes beside the main one (`--jobs`, docs/design.md,
"Parallel parsing").

A helper is forked with the files' bytes already in memory (nothing is sent to it) and sends back
its results as two pickles: its early items' (the Terraform files) as soon as they are done, so
that the main process can build the Terraform model while the helper goes on, then the rest. What
it sends decides what pays: a manifest comes back as a few small records (2,000 manifests: 0.77 MB,
18 ms to unpickle), a Terraform file as its whole AST (1,000 files: 2 MB, 70 ms). So helpers take
the YAML first and the main process keeps the Terraform, as far as the shares stay even. A helper
that fails (killed, out of memory, hung) costs nothing but time: its files are loaded here
instead."""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import struct
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any, Generic, TypeVar

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
    if total_bytes < MIN_PARALLEL_BYTES:
        return 1
    return default_processes()


def default_processes() -> int:
    """One per CPU, at most MAX_AUTO_PROCESSES, on Linux; one elsewhere (see process_count)."""
    if not sys.platform.startswith("linux"):
        return 1
    return max(1, min(MAX_AUTO_PROCESSES, available_cpus()))


def shares(sizes: Sequence[int], cheap: Sequence[bool], processes: int, reserve: float = 0) -> list[list[int]]:
    """Item indices per process, the main process first: about equal cost each, counting `reserve`
    (other work the main process has meanwhile) as part of its own; the main process takes the
    items that are costly to send back (`cheap` False) before any cheap one."""
    if processes <= 1:
        return [list(range(len(sizes)))]
    target = (sum(sizes) + reserve) / processes - reserve
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


def map_forked(
    function: Callable[[int], T],
    sizes: Sequence[int],
    cheap: Sequence[bool],
    jobs: int,
    early: Sequence[bool] | None = None,
    meanwhile: Callable[[dict[int, T]], object] | None = None,
    reserve: float = 0,
) -> list[T]:
    """[function(i) for i in range(len(sizes))], split over forked processes when that pays.

    Every process does its `early` items first, and a helper sends their results as soon as they
    are done. `meanwhile` (given the early items' results by index) runs here once all of them are
    known, while the helpers go on with the rest; `reserve` is its cost in the units of `sizes`,
    which this process takes off its own share."""
    count = len(sizes)
    is_early = list(early) if early is not None else [False] * count
    processes = process_count(jobs, sum(sizes))
    if processes <= 1 or not hasattr(os, "fork") or count < processes:
        first, rest = _batches(range(count), is_early)
        results = {i: function(i) for i in first}
        if meanwhile is not None:
            meanwhile(dict(results))
        results.update((i, function(i)) for i in rest)
        return [results[i] for i in range(count)]
    mine, *theirs = shares(sizes, cheap, processes, reserve)
    _flush_standard_streams()
    helpers: list[_Helper[T]] = []
    for share in theirs:
        reader, writer = os.pipe()
        _widen(writer)
        batches = _batches(share, is_early)
        helpers.append(_Helper(batches, reader, _fork(partial(_send_results, reader, writer, function, batches))))
        os.close(writer)
    began = time.monotonic()
    results = {}
    try:
        for batch in (0, 1):
            for position, i in enumerate(_batches(mine, is_early)[batch]):
                results[i] = function(i)
                if position % 8 == 7:  # take in what the helpers sent so far: a full pipe would stall them
                    for helper in helpers:
                        helper.inbox.pump()
            # A helper's share costs about what ours did: one that is still busy long after is stuck.
            deadline = _deadline(began)
            for helper in helpers:
                helper.collect(batch, results, function, deadline)
            if batch == 0 and meanwhile is not None:
                meanwhile({i: results[i] for i in range(count) if is_early[i]})
    finally:  # `meanwhile` or our own share raised (a bug, Ctrl-C): no helper is left behind
        for helper in helpers:
            helper.release()
    return [results[i] for i in range(count)]


def _batches(items: Iterable[int], is_early: Sequence[bool]) -> tuple[list[int], list[int]]:
    first: list[int] = []
    rest: list[int] = []
    for i in items:
        (first if is_early[i] else rest).append(i)
    return first, rest


class _Helper(Generic[T]):
    """One forked helper: its two batches of items, and the pipe its results come through."""

    def __init__(self, batches: tuple[list[int], list[int]], reader: int, pid: int | None) -> None:
        self.batches = batches
        self.inbox = _Inbox(reader)
        self.pid = pid
        self.failed = pid is None  # out of processes or memory: never started

    def collect(self, batch: int, results: dict[int, T], function: Callable[[int], T], deadline: float) -> None:
        """The helper's results of one batch into `results`; when it died, hung or never started,
        the batch is done here instead. After the last batch the helper is reaped."""
        items = self.batches[batch]
        try:
            if self.failed:
                raise OSError("no helper")
            results.update(zip(items, self.inbox.message(deadline), strict=True))
        except Exception:  # noqa: BLE001 - the helper died, hung or never started: do its share here
            self.failed = True
            results.update((i, function(i)) for i in items)
        if batch == 1 or self.failed:
            self.release()

    def release(self) -> None:
        """Close the pipe and collect the helper (killed if it is still running)."""
        self.inbox.close()
        if self.pid is not None:
            _reap(self.pid)
            self.pid = None


class _Inbox:
    """A helper's messages (each its length, then its pickle), read as they arrive."""

    def __init__(self, reader: int) -> None:
        self.reader = reader
        self.buffer = bytearray()
        self.ended = False  # the helper closed its end: finished, or died
        self.closed = False
        os.set_blocking(reader, False)

    def pump(self) -> None:
        """Read what has arrived, without waiting."""
        while not self.ended and not self.closed:
            try:
                chunk = os.read(self.reader, 1 << 20)
            except BlockingIOError:
                return
            if chunk:
                self.buffer += chunk
            else:
                self.ended = True

    def message(self, deadline: float) -> Any:
        """The next whole message: EOFError when the helper exited without sending it all,
        TimeoutError past the deadline."""
        poller = select.poll()
        poller.register(self.reader, select.POLLIN)
        while True:
            self.pump()
            if len(self.buffer) >= _LENGTH.size:
                end = _LENGTH.size + _LENGTH.unpack_from(self.buffer)[0]
                if len(self.buffer) >= end:
                    with memoryview(self.buffer) as view, view[_LENGTH.size : end] as payload:
                        value = pickle.loads(payload)  # noqa: S301 - our own forked child's
                    del self.buffer[:end]
                    return value
            if self.ended:
                raise EOFError("the helper exited without its results")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("the helper takes too long")
            poller.poll(min(remaining, 0.5) * 1000)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            os.close(self.reader)


MIN_PATIENCE_SECONDS = 30.0
PATIENCE_FACTOR = 10


def in_background(function: Callable[[], object], jobs: int, total_bytes: int) -> Callable[[], None] | None:
    """function() in a forked child while this process goes on, when `jobs` and the input's size
    allow a second process (process_count); else here and now (then None). Returns what waits for
    the child: past MIN_PATIENCE_SECONDS, or PATIENCE_FACTOR times the time this process spent
    meanwhile, the child is killed (its work is lost, never half-done: it must write atomically)."""
    if process_count(jobs, total_bytes) <= 1 or not hasattr(os, "fork"):
        function()
        return None
    _flush_standard_streams()
    child = _fork(function)
    if child is None:  # out of processes or memory: do it here
        function()
        return None
    began = time.monotonic()

    def wait() -> None:
        deadline = _deadline(began)
        while os.waitpid(child, os.WNOHANG) == (0, 0):
            if time.monotonic() > deadline:
                _reap(child)
                return
            time.sleep(0.005)

    return wait


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


def _send_results(
    reader: int, writer: int, function: Callable[[int], object], batches: tuple[list[int], list[int]]
) -> None:
    """In a helper: each batch's results through the pipe, as one length-prefixed pickle each."""
    os.close(reader)
    for batch in batches:
        payload = pickle.dumps([function(i) for i in batch], protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(_LENGTH.pack(len(payload)) + payload)
        while view:
            view = view[os.write(writer, view) :]
    os.close(writer)


_PIPE_BYTES = 1 << 20  # Linux's default ceiling for an unprivileged process (fs.pipe-max-size)


def _widen(writer: int) -> None:
    """A helper's pipe buffer at 1 MB where Linux allows (else 64 KB): a batch of results then fits,
    and the helper goes on without waiting for this process to read it."""
    with contextlib.suppress(OSError, ImportError, AttributeError):  # not Linux, or over the ceiling
        import fcntl

        fcntl.fcntl(writer, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)


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
