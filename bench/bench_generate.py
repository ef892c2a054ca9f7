"""Time the synthetic council generator at several sizes, each in a fresh subprocess.

    uv run python bench/bench_generate.py                   # 3,000 / 100,000 / 1,000,000 children
    uv run python bench/bench_generate.py --sizes 3000 37000

Prints a Markdown table: wall time (including interpreter start and imports), the subprocess's
peak resident memory (its own getrusage maximum, so sizes do not contaminate each other), the
rows and bytes written. Run it alone: the machine's cores are shared.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = """
import json, resource, sys
from pathlib import Path
from pipelines.generate import generate
rows = generate(int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]))
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
print(json.dumps({"rows": sum(rows.values()), "peak_kib": peak_kib}))
"""


def run(children: int, seed: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench_generate_") as tmp:
        t0 = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(children), str(seed), tmp],
            check=True,
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - t0
        size = sum(f.stat().st_size for f in Path(tmp).iterdir())
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "children": children,
        "wall_s": wall,
        "peak_mib": result["peak_kib"] / 1024,
        "rows": result["rows"],
        "mib": size / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[3_000, 100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=2010)
    args = parser.parse_args()
    print("| children | wall time (s) | peak memory (MiB) | rows written | output (MiB) |")
    print("|---:|---:|---:|---:|---:|")
    for n in args.sizes:
        r = run(n, args.seed)
        print(
            f"| {r['children']:,} | {r['wall_s']:.1f} | {r['peak_mib']:.0f} "
            f"| {r['rows']:,} | {r['mib']:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
