"""Reading files for the loaders: exact contents, the size cap, and no memory mapping per file."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from irsalint.load.dispatch import read_capped


def test_reads_the_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "main.tf"
    path.write_bytes(b'x = "y"\n' * 1000)
    assert read_capped(str(path), "terraform") == b'x = "y"\n' * 1000
    assert read_capped(str(path), "terraform", max_bytes=100) == 8000  # over the cap: its size


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs procfs")
def test_a_file_that_reports_no_size_is_still_read() -> None:
    data = read_capped("/proc/self/status", "yaml")
    assert isinstance(data, bytes) and b"Name:" in data


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="counts /proc/self/maps")
def test_no_memory_mapping_per_file(tmp_path: Path) -> None:
    """read(cap) allocated the whole cap per file (its own mapping) before shrinking it: a 50,000
    service monorepo (200,000 files) ran out of mappings (vm.max_map_count) and died."""
    for i in range(2000):
        (tmp_path / f"{i}.yaml").write_bytes(b"a: 1\n" * (i % 50 + 1))
    before = _mappings()
    kept = [read_capped(str(tmp_path / f"{i}.yaml"), "yaml") for i in range(2000)]
    assert len(kept) == 2000 and _mappings() - before < 200


def _mappings() -> int:
    return len(Path("/proc/self/maps").read_text().splitlines())


def test_short_reads_are_completed_up_to_the_end() -> None:
    """os.read may return less than asked (a pipe, a FUSE file system): the reader asks again."""
    import os
    import threading
    import time

    from irsalint.load.reading import _read_up_to

    reader, writer = os.pipe()

    def write_in_pieces() -> None:
        for piece in (b"kind: ", b"ServiceAccount", b"\n"):
            os.write(writer, piece)
            time.sleep(0.05)
        os.close(writer)

    thread = threading.Thread(target=write_in_pieces)
    thread.start()
    try:
        assert _read_up_to(reader, 100) == b"kind: ServiceAccount\n"  # stops at the end, short of 100
    finally:
        thread.join()
        os.close(reader)
