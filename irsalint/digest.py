"""Digests for the cache: its keys, the stamps that answer a warm run, and the MAC that
authenticates what it reads back. BLAKE2b (RFC 7693), keyed for the MAC (the construction BLAKE2
provides in place of HMAC).

BLAKE2b comes from CPython's `_blake2` module, the one `hashlib.blake2b` is, and SHA-256 (for the
digests reports show: fingerprints, Helm's shortened release names) from its built-in `_sha2`
(`_sha256` before Python 3.12): importing hashlib starts OpenSSL for its other algorithms (with
hmac, ~3 ms: a twentieth of a warm run, median of 31 interpreter starts). The digests are the same
whichever module computes them; hashlib is the fallback on an interpreter without CPython's."""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: annotations only
if TYPE_CHECKING:
    from hashlib import blake2b, sha256
else:
    try:
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover - an interpreter without CPython's module
        from hashlib import blake2b
    try:
        from _sha2 import sha256  # Python 3.12+
    except ImportError:
        try:
            from _sha256 import sha256
        except ImportError:  # pragma: no cover - an interpreter without CPython's modules
            from hashlib import sha256

if TYPE_CHECKING:
    from hmac import compare_digest as _compare_digest
else:
    try:
        from _operator import _compare_digest  # what hmac.compare_digest is
    except ImportError:  # pragma: no cover - an interpreter without CPython's module
        from hmac import compare_digest as _compare_digest

DIGEST_BYTES = 32
MAX_KEY_BYTES = 64  # BLAKE2b's limit


def hexdigest(*parts: bytes) -> str:
    """The hex digest of the parts, in order (as one update of their concatenation)."""
    digest = blake2b(digest_size=DIGEST_BYTES)
    for part in parts:
        digest.update(part)
    return digest.hexdigest()


def hasher() -> blake2b:
    """A digest to update piece by piece."""
    return blake2b(digest_size=DIGEST_BYTES)


def mac(key: bytes, payload: bytes) -> bytes:
    """The keyed BLAKE2b of `payload` under `key` (its first 64 bytes)."""
    return blake2b(payload, key=key[:MAX_KEY_BYTES], digest_size=DIGEST_BYTES).digest()


def authentic(key: bytes, tag: bytes, payload: bytes) -> bool:
    """Whether `tag` is mac(key, payload), compared in constant time."""
    return bool(_compare_digest(tag, mac(key, payload)))


def sha256_hexdigest(data: bytes) -> str:
    """SHA-256, for the digests a report shows."""
    return sha256(data).hexdigest()
