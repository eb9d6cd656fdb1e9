"""Run one command and print its wall time, CPU time and peak RSS (of it and its children) as JSON."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def main() -> int:
    started = time.perf_counter()
    proc = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    sys.stderr.buffer.write(proc.stdout)
    print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                      "rss_mb": usage.ru_maxrss / 1024, "exit": proc.returncode}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
