"""Benchmark: generate synthetic monorepos and time irsalint against the bare-parse floor.

    python bench/run.py [--sizes 100,1000] [--jobs 0] [--keep DIR]

For each size prints files, MB, wall and CPU seconds, peak RSS, files/s (the cold run: the median
of three, alternating with the floor), the floor (bare parse of the same files, one process; the
median of three) and irsalint's ratio to it, warm (nothing changed: answered by the
files' stamps, measured once the corpus is older than the 2 s racy window; the median of five
runs), restored-cache (the same bytes with new stamps, as in a CI job that restores the cache into
a fresh checkout: answered by content) and one-changed (one Terraform file edited since the last
run: a pre-commit run) times, and recall / false positives on the injected defects. When `checkov`
is on PATH, Checkov runs on the same corpus in the same run.
Figures are only comparable within one run: the machines are shared and noisy."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

from irsalint.engine import RACY_NANOSECONDS  # noqa: E402


def measure(command: list[str]) -> tuple[dict[str, float], str]:
    proc = subprocess.run([sys.executable, str(HERE / "measure.py"), *command], capture_output=True, text=True)
    return json.loads(proc.stdout.strip().splitlines()[-1]), proc.stderr


def print_table(rows: list[dict[str, object]]) -> None:
    """The rows as `a | b | c` lines under a header of every key any row has."""
    keys = list(dict.fromkeys(k for row in rows for k in row))
    print(" | ".join(keys))
    for row in rows:
        print(" | ".join(str(row.get(k, "")) for k in keys))


def cost_row(files: list[Path], result: dict[str, float]) -> dict[str, Any]:
    """files, MB, wall and CPU seconds, peak RSS: the columns every bench script prints."""
    return {"files": len(files), "MB": round(sum(p.stat().st_size for p in files) / 1e6, 1),
            "wall_s": round(result["wall"], 2), "cpu_s": round(result["cpu"], 2), "rss_MB": round(result["rss_mb"])}


RACY_SECONDS = RACY_NANOSECONDS / 1e9


def median_run(runs: list[dict[str, float]]) -> dict[str, float]:
    """The run of median wall time (an odd number of runs)."""
    return sorted(runs, key=lambda run: run["wall"])[len(runs) // 2]


def wait_until_older(files: list[Path], seconds: float) -> None:
    """Sleep until every file was last changed more than `seconds` ago."""
    newest = max(max(status.st_mtime, status.st_ctime) for status in (p.stat() for p in files))
    time.sleep(max(0.0, newest + seconds + 0.1 - time.time()))


def irsalint_command() -> list[str]:
    exe = shutil.which("irsalint", path=str(Path(sys.executable).parent)) or shutil.which("irsalint")
    return [exe] if exe else [sys.executable, "-m", "irsalint"]


def bench(size: int, workdir: Path, jobs: int) -> dict[str, object]:
    corpus = workdir / f"corpus-{size}"
    expected = generate(corpus, size, size, size)
    files = [p for p in corpus.rglob("*") if p.suffix in (".tf", ".yaml")]
    megabytes = sum(p.stat().st_size for p in files) / 1e6
    # The floor and the cold run alternate, three times, and each column is the median: one cold
    # run on a shared machine varied by +-10% (a noisy second), the floor by 1%.
    floors, colds = [], []
    command = [*irsalint_command(), "check", str(corpus), "--format", "json", "--fail-on", "never", "--jobs", str(jobs)]
    for _ in range(3):
        floors.append(measure([sys.executable, str(HERE / "floor.py"), str(corpus)])[0])
        colds.append(measure([*command, "--no-cache"]))
    floor = median_run(floors)
    cold, output = sorted(colds, key=lambda run: run[0]["wall"])[1]
    cache_dir = str(workdir / f"cache-{size}")
    # A run is recorded by the files' stamps only when none changed in the last 2 s (git's "racy
    # clean" rule, docs/design.md "Warm runs"): a user's files are older than that, a corpus
    # written a second ago is not, and the warm run would then read and hash every file.
    every_file = [p for p in corpus.rglob("*") if p.is_file()]
    wait_until_older(every_file, RACY_SECONDS)
    measure([*command, "--cache-dir", cache_dir])  # fills the cache
    # the median of five: an 80 ms process on a shared machine varies by +-20 ms from run to run
    warm = median_run([measure([*command, "--cache-dir", cache_dir])[0] for _ in range(5)])
    # A CI job with a restored cache: a fresh checkout, same bytes, new stamps (answered by content)
    for path in every_file:
        status = path.stat()
        os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))  # a new ctime, nothing else
    restored, _ = measure([*command, "--cache-dir", cache_dir])
    # a pre-commit run: one service's Terraform file edited since the last run
    edited = sorted((corpus / "terraform").glob("*.tf"))[0]
    edited.write_text(edited.read_text() + "\n# edited\n")
    one_changed, _ = measure([*command, "--cache-dir", cache_dir])
    unfiltered, _ = measure([*command, "--no-cache", "--no-prefilter"])
    report = json.loads(output)
    found = {(f["rule"], f["location"]["path"].split(f"corpus-{size}/", 1)[-1], f["location"]["line"])
             for f in report["findings"]}
    wanted = {(e["rule"], e["path"], e["line"]) for e in expected}
    row: dict[str, object] = {
        "services": size, "files": len(files), "MB": round(megabytes, 2),
        "wall_s": round(cold["wall"], 2), "cpu_s": round(cold["cpu"], 2), "rss_MB": round(cold["rss_mb"]),
        "files_per_s": round(len(files) / cold["wall"]), "floor_s": round(floor["wall"], 2),
        "ratio_to_floor": round(cold["wall"] / floor["wall"], 2),
        "warm_s": round(warm["wall"], 3), "warm_vs_cold": f"{warm['wall'] / cold['wall']:.1%}",
        "restored_cache_s": round(restored["wall"], 2),
        "one_changed_s": round(one_changed["wall"], 2),
        "no_prefilter_s": round(unfiltered["wall"], 2),
        "recall": f"{len(found & wanted)}/{len(wanted)}", "false_positives": len(found - wanted),
    }
    if shutil.which("checkov"):
        checkov, _ = measure(["checkov", "-d", str(corpus), "--framework", "terraform", "kubernetes", "--quiet",
                              "--compact", "-o", "json"])
        row.update({"checkov_wall_s": round(checkov["wall"], 2), "checkov_rss_MB": round(checkov["rss_mb"]),
                    "vs_checkov": round(checkov["wall"] / cold["wall"], 1)})
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,1000")
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="generate corpora here and keep them")
    args = parser.parse_args()
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="irsalint-bench-"))
    rows = [bench(int(size), workdir, args.jobs) for size in args.sizes.split(",")]
    print_table(rows)
    if len(rows) >= 2:
        first, last = rows[0], rows[-1]
        scale = int(str(last["services"])) / int(str(first["services"]))
        print(f"scaling: {scale:.0f}x the corpus took {float(str(last['wall_s'])) / float(str(first['wall_s'])):.1f}x the time")
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
