"""Time a region of councils through `frontdoor region` at run-queue concurrency 1 and 2.

    .venv/bin/python bench/bench_region.py [--councils 10] [--children 37000] [--concurrency 1 2]
        [--work /tmp/region-bench]

Generates the region once (`frontdoor generate --region N`: sizes spread around --children, the
three input formats in turn), then for each concurrency runs `frontdoor region` with a fresh
DAGSTER_HOME holding frontdoor's own dagster.yaml with Dagster's run queue set to that many runs
at once, and a fresh output folder. Prints the wall time of each, the time per council and the
speed-up (against the first concurrency given), and what that time per council makes of a hub
of 33 (London) and of 153 (all of England) councils run the same way.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines.run.instance import dagster_yaml  # noqa: E402  (after the path to the package)


def run_region(region: Path, work: Path, concurrency: int) -> float:
    home, out = work / f"home_{concurrency}", work / f"out_{concurrency}"
    for folder in (home, out):
        shutil.rmtree(folder, ignore_errors=True)
    home.mkdir(parents=True)
    # Without its first line ("# Written by frontdoor"), frontdoor keeps it as a person's own
    # file, rather than bringing the run queue back to its default.
    yaml = dagster_yaml(home, max_concurrent_runs=concurrency).split("\n", 1)[1]
    (home / "dagster.yaml").write_text(yaml)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "region", "--input", str(region),
         "--output", str(out), "--settle-seconds", "0"],
        cwd=ROOT, env={**os.environ, "DAGSTER_HOME": str(home)}, check=True,
    )  # fmt: skip
    return time.perf_counter() - started


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--councils", type=int, default=10)
    p.add_argument("--children", type=int, default=37_000)
    p.add_argument("--concurrency", type=int, nargs="+", default=[1, 2])
    p.add_argument("--work", type=Path, default=Path("/tmp/region-bench"))
    args = p.parse_args()
    region = args.work / "region"
    if not region.is_dir():
        subprocess.run(
            [sys.executable, "-m", "pipelines.cli", "generate", "--region", str(args.councils),
             "--children", str(args.children), "--out", str(region)],
            cwd=ROOT, check=True,
        )  # fmt: skip
    seconds = {}
    for c in args.concurrency:
        seconds[c] = run_region(region, args.work, c)
        print(f"concurrency {c}: {seconds[c]:.1f} s", flush=True)
    first = seconds[args.concurrency[0]]
    print(
        "| run queue concurrency | wall s | s per council | speed-up | 33 councils | 153 councils |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for c, s in seconds.items():
        per = s / args.councils
        print(
            f"| {c} | {s:.0f} | {per:.1f} | {first / s:.2f}x"
            f" | {per * 33 / 60:.0f} min | {per * 153 / 60:.0f} min |"
        )


if __name__ == "__main__":
    main()
