"""Content-hash cache of loaded files: an unchanged repository re-lints without parsing.

Key: BLAKE2b of (file bytes, display path, load options, irsalint + parser versions). Value: the
pickled LoadResult (and, for a whole unchanged run, its summary and findings). Every file is
authenticated with a MAC (keyed BLAKE2b, irsalint.digest) whose key lives outside the repository
(`$XDG_CACHE_HOME/irsalint/cache-key`), so a cache directory planted in a pull request is never
unpickled. Writes are atomic (temp file + rename); unreadable or forged files are ignored and
overwritten (self-healing); the number of entries is bounded.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import os
import pickle
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from irsalint import __version__
from irsalint.digest import DIGEST_BYTES, authentic, hasher, hexdigest, mac

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (2 ms of a warm run): annotations only
if TYPE_CHECKING:
    from typing import Any

MAX_ENTRIES = 100_000  # per-file entries, over all packs
MAX_RUN_ENTRIES = 64  # whole-run entries (two per run that changed something)
PACKS = 256


@functools.lru_cache(maxsize=1)
def _versions() -> bytes:
    """The code an entry was produced by: irsalint's own files and the parsers' (by path, size and
    modification time: an edited checkout or a rebuilt wheel under the same version number must
    not reuse entries). Found without importing the parsers or importlib.metadata (a warm run
    imports neither)."""
    package = os.path.dirname(os.path.realpath(__file__))
    stamps = [f"irsalint={__version__}"]
    stamps += sorted(_source_stamps(package, ""))
    for module in ("tree_sitter", "tree_sitter_hcl", "yaml", "_yaml"):
        spec = importlib.util.find_spec(module)
        origin = spec.origin if spec is not None else None
        stamps.append(f"{module}={origin}:{file_stamp(origin) if origin else '?'}")
        if spec is not None and spec.submodule_search_locations:  # a package: its compiled parts too
            for location in spec.submodule_search_locations:
                stamps += sorted(f"{p.name}:{file_stamp(p)}" for p in Path(location).glob("*.so"))
    return hexdigest("\n".join(stamps).encode()).encode()


def _source_stamps(directory: str, prefix: str) -> Iterator[str]:
    """"relative/path.py:size:mtime_ns" of every .py file below `directory` (os.scandir: rglob's
    Path objects cost 3 ms of every run for the package's 135 files)."""
    with os.scandir(directory) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                yield from _source_stamps(entry.path, f"{prefix}{entry.name}/")
            elif entry.name.endswith(".py"):
                yield f"{prefix}{entry.name}:{file_stamp(entry.path)}"


def file_stamp(path: str | Path) -> str:
    """"size:mtime_ns" of a file ("?" when it cannot be stat'ed): what tells an edit apart."""
    try:
        status = os.stat(path)
    except OSError:
        return "?"
    return f"{status.st_size}:{status.st_mtime_ns}"


def user_cache_dir() -> Path:
    """irsalint's directory in the user's cache ($XDG_CACHE_HOME, else ~/.cache): outside every
    repository (the cache key, the rule pack's JSON copy)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "irsalint"


def write_atomically(target: Path, data: bytes) -> None:
    """Write through a temporary file in the same directory and rename it: a concurrent run reads
    the old content or the new one, never half of it (raises OSError)."""
    import tempfile  # only to write: a warm run writes nothing

    descriptor, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, target)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _secret_key() -> bytes:
    path = user_cache_dir() / "cache-key"
    try:
        key = path.read_bytes()
        if len(key) >= 32:
            return key
    except OSError:
        pass
    key = os.urandom(32)  # what secrets.token_bytes returns, without importing random (1.5 ms)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(key)
    except OSError:
        pass  # a key for this run only: the cache then only helps within it
    return key


class Cache:
    """Per-file entries (a LoadResult each) live in 256 packs, by the first two hex digits of their
    key: a cold run writes 256 files, not one per scanned file (4,003 on the 1k-service bench
    corpus, where creating them cost more than parsing: docs/design.md, "Cache and prefilter").
    `put` only buffers; `flush` writes each pack that gained entries. Whole-run entries (a
    summary and findings) are single files under `runs/` (`get_run`, `put_run`)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory / "v2"
        self.key = _secret_key()
        self.hits = 0
        self.misses = 0
        self._usable = True
        self._packs: dict[str, dict[str, tuple[int, bytes]]] = {}  # read this run: key -> (written, pickle)
        self._pending: dict[str, dict[str, object]] = {}  # pack -> key -> result, until flush()
        self._used: dict[str, set[str]] = {}  # pack -> keys hit this run (kept fresh on rewrite)
        self._writer: Callable[[], None] | None = None  # waits for a flush running in the background

    def entry_key(self, path: str, kind: str, data: bytes, options: str) -> str:
        digest = hasher()
        for part in (_versions(), path.encode(), kind.encode(), options.encode()):
            digest.update(part)
            digest.update(b"\0")
        digest.update(data)
        return digest.hexdigest()

    # per-file entries, in packs

    def get(self, key: str) -> Any:
        name = key[:2]
        entry = self._pack(name).get(key)
        if entry is None:
            self.misses += 1
            return None
        try:
            result: Any = pickle.loads(entry[1])  # noqa: S301 - the pack was authenticated
        except Exception:  # noqa: BLE001 - a stale entry is a miss
            self.misses += 1
            return None
        self.hits += 1
        self._used.setdefault(name, set()).add(key)
        return result

    def put(self, key: str, result: object) -> None:
        """Buffered: pickled and written by flush()."""
        if self._usable:
            self._pending.setdefault(key[:2], {})[key] = result

    def flush(
        self, max_entries: int = MAX_ENTRIES, background: Callable[..., Callable[[], None] | None] | None = None
    ) -> None:
        """Write every pack that gained entries, keeping its newest `max_entries / 256` (entries hit
        by this run count as new). Two runs writing one pack at once: the last rename wins, and
        the other's new entries are misses next time, never wrong. `background`
        (irsalint.parallel.in_background, with its other arguments bound): pickle and write in a
        forked child while the run goes on (`writing` until wait() has waited for it)."""
        pending, self._pending = self._pending, {}
        if not self._usable or not pending:
            return
        if background is not None:
            self._writer = background(lambda: self._write_packs(pending, max_entries))
        else:
            self._write_packs(pending, max_entries)

    @property
    def writing(self) -> bool:
        """A flush runs in a forked child: it takes a CPU until wait()."""
        return self._writer is not None

    def wait(self) -> None:
        """Until the background flush, if any, has written its packs."""
        if self._writer is not None:
            writer, self._writer = self._writer, None
            writer()

    def _write_packs(self, pending: dict[str, dict[str, object]], max_entries: int) -> None:
        cap = max(1, max_entries // PACKS)
        now = time.time_ns()
        try:
            (self.directory / "packs").mkdir(parents=True, exist_ok=True)
            self._ensure_gitignore()
            for name in sorted(pending):
                entries = dict(self._pack(name))
                for key in self._used.get(name, ()):
                    entries[key] = (now, entries[key][1])
                for key, result in pending[name].items():
                    try:
                        entries[key] = (now, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
                    except (pickle.PicklingError, RecursionError):
                        continue  # not cached: parsed again next time
                if len(entries) > cap:  # the oldest written first out
                    newest = sorted(entries.items(), key=lambda item: (-item[1][0], item[0]))[:cap]
                    entries = dict(newest)
                self._packs[name] = entries
                self._write(self._pack_file(name), entries)
        except OSError:
            self._usable = False  # read-only checkout, full disk: lint on without caching

    def _pack_file(self, name: str) -> Path:
        return self.directory / "packs" / f"{name}.pack"

    def _pack(self, name: str) -> dict[str, tuple[int, bytes]]:
        entries = self._packs.get(name)
        if entries is None:
            loaded = self._read(self._pack_file(name))
            valid = isinstance(loaded, dict) and all(
                isinstance(k, str) and isinstance(v, tuple) and len(v) == 2 and isinstance(v[1], bytes)
                for k, v in loaded.items()
            )
            entries = self._packs[name] = loaded if valid else {}
        return entries

    # whole-run entries, one file each

    def has_runs(self) -> bool:
        """Whether any whole-run entry is recorded (none: a run need not look one up by stamps)."""
        try:
            with os.scandir(self.directory / "runs") as entries:
                return any(True for _ in entries)
        except OSError:
            return False

    def get_run(self, key: str) -> Any:
        return self._read(self.directory / "runs" / f"{key}.pickle")

    def put_run(self, key: str, value: object, max_entries: int = MAX_RUN_ENTRIES) -> None:
        if not self._usable:
            return
        runs = self.directory / "runs"
        try:
            runs.mkdir(parents=True, exist_ok=True)
            self._ensure_gitignore()
            self._write(runs / f"{key}.pickle", value)
            recorded = sorted(runs.glob("*.pickle"), key=lambda p: (p.stat().st_mtime_ns, p.name))
            for stale in recorded[: max(0, len(recorded) - max_entries)]:
                stale.unlink(missing_ok=True)
        except (OSError, pickle.PicklingError, RecursionError):
            self._usable = False

    # authenticated files

    def _read(self, path: Path) -> Any:
        """The unpickled content of an authenticated file, or None (absent, forged, corrupt)."""
        try:
            blob = path.read_bytes()
        except OSError:
            return None
        tag, payload = blob[:DIGEST_BYTES], blob[DIGEST_BYTES:]
        if not authentic(self.key, tag, payload):
            return None  # corrupted or not ours: never unpickled
        try:
            return pickle.loads(payload)  # noqa: S301 - authenticated above
        except Exception:  # noqa: BLE001 - a stale or truncated file is a miss
            return None

    def _write(self, path: Path, value: object) -> None:
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        write_atomically(path, mac(self.key, payload) + payload)

    def _ensure_gitignore(self) -> None:
        ignore = self.directory.parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# irsalint's cache: never commit it\n*\n")
