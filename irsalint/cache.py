"""Content-hash cache of loaded files: an unchanged repository re-lints without parsing.

Key: sha256 of (file bytes, display path, load options, irsalint + parser versions). Value: the
pickled LoadResult (and, for a whole unchanged run, its project and findings), authenticated
with an HMAC whose key lives outside the repository
(`$XDG_CACHE_HOME/irsalint/cache-key`), so a cache directory planted in a pull request is never
unpickled. Writes are atomic (temp file + rename); unreadable or forged entries are ignored and
overwritten (self-healing); the directory is pruned to a bounded number of entries.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import importlib.util
import os
import pickle
import secrets
import tempfile
from pathlib import Path
from typing import Any

from irsalint import __version__

MAX_ENTRIES = 100_000
_MAC_BYTES = 32


@functools.lru_cache(maxsize=1)
def _versions() -> bytes:
    """The code an entry was produced by: irsalint's own files and the parsers' (by path, size and
    modification time: an edited checkout or a rebuilt wheel under the same version number must
    not reuse entries). Found without importing the parsers or importlib.metadata (a warm run
    imports neither)."""
    package = Path(__file__).resolve().parent
    stamps = [f"irsalint={__version__}"]
    stamps += sorted(f"{p.relative_to(package)}:{file_stamp(p)}" for p in package.rglob("*.py"))
    for module in ("tree_sitter", "tree_sitter_hcl", "yaml", "_yaml"):
        spec = importlib.util.find_spec(module)
        origin = spec.origin if spec is not None else None
        stamps.append(f"{module}={origin}:{file_stamp(Path(origin)) if origin else '?'}")
        if spec is not None and spec.submodule_search_locations:  # a package: its compiled parts too
            for location in spec.submodule_search_locations:
                stamps += sorted(f"{p.name}:{file_stamp(p)}" for p in Path(location).glob("*.so"))
    return hashlib.sha256("\n".join(stamps).encode()).hexdigest().encode()


def file_stamp(path: Path) -> str:
    """"size:mtime_ns" of a file ("?" when it cannot be stat'ed): what tells an edit apart."""
    try:
        status = path.stat()
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
    key = secrets.token_bytes(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(key)
    except OSError:
        pass  # a key for this run only: the cache then only helps within it
    return key


class Cache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory / "v1"
        self.key = _secret_key()
        self.hits = 0
        self.misses = 0
        self._usable = True

    def entry_key(self, path: str, kind: str, data: bytes, options: str) -> str:
        digest = hashlib.sha256()
        for part in (_versions(), path.encode(), kind.encode(), options.encode()):
            digest.update(part)
            digest.update(b"\0")
        digest.update(data)
        return digest.hexdigest()

    def _file(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.pickle"

    def get(self, key: str) -> Any:
        try:
            blob = self._file(key).read_bytes()
        except OSError:
            self.misses += 1
            return None
        mac, payload = blob[:_MAC_BYTES], blob[_MAC_BYTES:]
        if not hmac.compare_digest(mac, hmac.new(self.key, payload, hashlib.sha256).digest()):
            self.misses += 1
            return None  # corrupted or not ours: never unpickled
        try:
            result: Any = pickle.loads(payload)  # noqa: S301 - authenticated above
        except Exception:  # noqa: BLE001 - a stale entry is a miss
            self.misses += 1
            return None
        self.hits += 1
        return result

    def put(self, key: str, result: object) -> None:
        if not self._usable:
            return
        target = self._file(key)
        try:
            payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
            target.parent.mkdir(parents=True, exist_ok=True)
            self._ensure_gitignore()
            write_atomically(target, hmac.new(self.key, payload, hashlib.sha256).digest() + payload)
        except (OSError, pickle.PicklingError, RecursionError):
            self._usable = False  # read-only checkout, full disk: lint on without caching

    def _ensure_gitignore(self) -> None:
        ignore = self.directory.parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# irsalint's cache: never commit it\n*\n")

    def prune(self, max_entries: int = MAX_ENTRIES) -> None:
        """Keep the newest `max_entries` entries (by modification time)."""
        try:
            entries = [p for p in self.directory.glob("*/*.pickle")]
            if len(entries) <= max_entries:
                return
            entries.sort(key=lambda p: p.stat().st_mtime)
            for stale in entries[: len(entries) - max_entries]:
                stale.unlink(missing_ok=True)
        except OSError:
            pass
