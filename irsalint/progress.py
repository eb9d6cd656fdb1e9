"""A progress line on stderr for long runs: `irsalint: parsing 40002 files... 4s`.

Shown only after DELAY seconds (short runs and pre-commit stay quiet), and by default only when
stderr is a terminal, where it rewrites one line and erases it at the end: CI logs never get it
unless asked (`--progress always`, then one plain line per stage).
"""

from __future__ import annotations

import time
from types import TracebackType

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (2 ms of a warm run): annotations only
if TYPE_CHECKING:
    import threading
    from typing import TextIO

DELAY = 2.0  # seconds before the first line
TICK = 0.5


class Progress:
    def __init__(self, stream: TextIO, mode: str) -> None:
        """mode: "auto" (a terminal only), "always" or "never"."""
        self.stream = stream
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.enabled = mode == "always" or (mode == "auto" and self.tty)
        self._stage = "starting"
        self._shown = ""  # the last line written
        self._started = time.monotonic()
        self._stop: threading.Event | None = None
        self._thread: threading.Thread | None = None
        self._lock: threading.Lock | None = None

    def stage(self, text: str) -> None:
        """Called by the engine at each stage (from the main thread)."""
        self._stage = text

    def __enter__(self) -> None:
        self._started = time.monotonic()
        if self.enabled:
            import threading  # only for a progress line: most runs (CI, pre-commit) have none

            self._stop = threading.Event()
            self._lock = threading.Lock()
            self._thread = threading.Thread(target=self._run, args=(self._stop, self._lock),
                                            name="irsalint-progress", daemon=True)
            self._thread.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._thread is None or self._stop is None or self._lock is None:
            return  # no progress line was started
        self._stop.set()
        self._thread.join()
        with self._lock:
            if self.tty and self._shown:  # leave the terminal as it was
                self.stream.write("\r" + " " * len(self._shown) + "\r")
                self.stream.flush()

    def _run(self, stop: threading.Event, lock: threading.Lock) -> None:
        last_stage = ""
        while not stop.wait(TICK):
            elapsed = time.monotonic() - self._started
            if elapsed < DELAY:
                continue
            stage = self._stage
            with lock:
                if self.tty:
                    line = f"irsalint: {stage}... {elapsed:.0f}s"
                    self.stream.write("\r" + line.ljust(len(self._shown)))
                    self._shown = line
                elif stage != last_stage:  # a log: one line per stage, no carriage returns
                    self.stream.write(f"irsalint: {stage}... ({elapsed:.0f}s)\n")
                    self._shown = stage
                self.stream.flush()
            last_stage = stage
