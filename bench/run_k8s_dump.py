"""Benchmark: N dumped Pods (`kubectl get pods,sa -o yaml`, bench/gen_k8s_dump.py) against the same
workloads as N plain Deployments, cold (`--no-cache`), one run each.

    python bench/run_k8s_dump.py [--pods 20000] [--keep DIR]

Prints files, MB, wall, CPU, peak RSS of both, the dump/manifest wall-time ratio, and the recall
and false positives of IRSA019 on the dump's stale services. Figures are only comparable within
one run: the machines are shared and noisy."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen_k8s_dump import generate  # noqa: E402
from run import cost_row, irsalint_command, measure, print_table  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pods", type=int, default=20000)
    parser.add_argument("--keep", type=Path, help="generate the corpora here and keep them")
    args = parser.parse_args()
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="irsalint-bench-k8s-"))
    rows = []
    for kind in ("dump", "manifests"):
        corpus = workdir / kind
        expected = generate(corpus, args.pods, 1000, kind == "manifests")
        files = list(corpus.rglob("*.yaml"))
        output = workdir / f"{kind}.json"
        command = [*irsalint_command(), "check", str(corpus), "--format", "json", "--fail-on", "never", "--no-cache",
                   "--output", str(output)]
        result, _ = measure(command)
        report = json.loads(output.read_text())
        found = {(f["rule"], f["location"]["path"].split(f"{kind}/", 1)[-1], f["location"]["line"])
                 for f in report["findings"]}
        wanted = {(e["rule"], e["path"], e["line"]) for e in expected}
        rows.append({"corpus": kind, **cost_row(files, result), "recall": f"{len(found & wanted)}/{len(wanted)}",
                     "false_positives": len(found - wanted)})
    print_table(rows)
    print(f"dump / manifests wall time: {float(rows[0]['wall_s']) / float(rows[1]['wall_s']):.2f}x")
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
