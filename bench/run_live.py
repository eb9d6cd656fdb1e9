"""Benchmark for the live audit (issue 15): an account dump of N roles and a cluster dump of M Pods,
linted together, against the same roles as Terraform and the same workloads as plain manifests,
cold (`--no-cache`), one run each.

    python bench/run_live.py [--roles 5000] [--pods 20000] [--keep DIR]

Uses the generators of bench/gen_aws_dump.py and bench/gen_k8s_dump.py; prints files, MB, wall,
CPU and peak RSS of both trees and the live / code wall-time ratio (the issue asks for under 3x).
Figures are only comparable within one run: the machines are shared and noisy."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gen_aws_dump  # noqa: E402
import gen_k8s_dump  # noqa: E402
from run import cost_row, irsalint_command, measure, print_table  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--roles", type=int, default=5000)
    parser.add_argument("--pods", type=int, default=20000)
    parser.add_argument("--keep", type=Path, help="generate the corpora here and keep them")
    args = parser.parse_args()
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="irsalint-bench-live-"))
    gen_aws_dump.generate(workdir / "aws", args.roles)
    gen_k8s_dump.generate(workdir / "live" / "cluster", args.pods, 1000, False)
    gen_k8s_dump.generate(workdir / "code" / "manifests", args.pods, 1000, True)
    (workdir / "aws" / "dump").rename(workdir / "live" / "aws")
    (workdir / "aws" / "terraform").rename(workdir / "code" / "terraform")
    rows = []
    for tree in ("live", "code"):
        files = [p for p in (workdir / tree).rglob("*") if p.is_file() and p.suffix in (".json", ".yaml", ".tf")]
        command = [*irsalint_command(), "check", str(workdir / tree), "--format", "json", "--fail-on", "never",
                   "--no-cache", "--max-file-size", "200000000", "--output", str(workdir / f"{tree}.json")]
        result, _ = measure(command)
        rows.append({"tree": tree, **cost_row(files, result)})
    print_table(rows)
    print(f"live / code wall time: {float(rows[0]['wall_s']) / float(rows[1]['wall_s']):.2f}x")
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
