"""Time the pipeline against its floor at three council sizes.

    .venv/bin/python bench/bench_run.py [--sizes 37000 300000 2800000] [--work /tmp/frontdoor-bench]

For each size it generates a council (once; reused if present) and measures, each in a fresh
process so imports and caches are counted honestly:

- floor:   DuckDB only reading every CSV file (all columns as text), nothing else;
- run:     the whole `frontdoor run` (Dagster job: stage_extracts reads and stages, then validate, metrics, report, publish);
- metrics: the metric step alone (build_marts) on a copy of the working warehouse that run left.

Peak memory is the larger of the process's own maximum resident set and that of its largest
child (the Great Expectations worker). Timing lives here, never in a test:
these machines are shared and noisy, so read the ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

FLOOR = """
import duckdb, glob, resource, sys
con = duckdb.connect()
for f in sorted(glob.glob(sys.argv[1] + '/*.csv')):
    con.execute("SELECT count(*) FROM read_csv(?, all_varchar=true, header=true)", [f]).fetchall()
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

RUN = """
import json, resource, sys
from pathlib import Path
import dagster as dg
from pipelines.run.job import run
ok = run(Path(sys.argv[1]), Path(sys.argv[2]))
with dg.DagsterInstance.get() as instance:
    latest = instance.get_runs(limit=1)[0]
    steps = {s.step_key: s.end_time - s.start_time for s in instance.get_run_step_stats(latest.run_id)}
print("STEPS " + json.dumps(steps))
print(max(resource.getrusage(r).ru_maxrss for r in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))
sys.exit(0 if ok else 1)
"""

METRICS = """
import resource, sys
from pathlib import Path
from pipelines.marts.build import build_marts
from pipelines.run.warehouse import DEFAULT_MEMORY_LIMIT, connect
con = connect(Path(sys.argv[1]), memory_limit=DEFAULT_MEMORY_LIMIT)
build_marts(con)
con.close()
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def timed(code: str, *args: str) -> tuple[float, float, str]:
    """Seconds, peak MiB and stdout of a fresh Python process running `code`."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, check=True
    )
    seconds = time.perf_counter() - started
    peak_kib = int(done.stdout.strip().splitlines()[-1])
    return seconds, peak_kib / 1024, done.stdout


def bench(children: int, work: Path) -> dict:
    council = work / f"council_{children}"
    if not (council / "contacts.csv").exists():
        subprocess.run(
            [sys.executable, "-m", "pipelines.cli", "generate", "--children", str(children),
             "--seed", "2010", "--out", str(council)],
            cwd=ROOT, check=True, capture_output=True,
        )  # fmt: skip
    out = work / f"out_{children}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    floor_s, floor_mib, _ = timed(FLOOR, str(council))
    run_s, run_mib, log = timed(RUN, str(council), str(out))
    steps = json.loads(re.search(r"^STEPS (.*)$", log, re.M).group(1))
    shutil.copy(out / ".frontdoor" / "work.duckdb", out / "metrics.duckdb")
    metrics_s, metrics_mib, _ = timed(METRICS, str(out / "metrics.duckdb"))
    rows = sum(sum(1 for _ in f.open("rb")) - 1 for f in council.glob("*.csv"))
    return {
        "children": children,
        "input_rows": rows,
        "input_mib": sum(f.stat().st_size for f in council.glob("*.csv")) / 2**20,
        "floor_s": floor_s,
        "run_s": run_s,
        "run_peak_mib": run_mib,
        "metrics_s": metrics_s,
        "metrics_peak_mib": metrics_mib,
        "floor_peak_mib": floor_mib,
        "steps": steps,
    }


def table(results: list[dict]) -> str:
    """One table, a column per council size: the input, the floor, the run and their ratio,
    each Dagster step's seconds (from Dagster's own record of the run), the metric step alone,
    and peak memory."""
    rows: list[tuple[str, Callable[[dict], str]]] = [
        ("input rows", lambda r: f"{r['input_rows']:,}"),
        ("input MiB", lambda r: f"{r['input_mib']:.0f}"),
        ("**floor s** (DuckDB reading every CSV)", lambda r: f"{r['floor_s']:.1f}"),
        ("**run s** (`frontdoor run`)", lambda r: f"{r['run_s']:.1f}"),
        ("**run / floor**", lambda r: f"{r['run_s'] / r['floor_s']:.1f}x"),
    ]
    rows += [
        (f"step {key} s", lambda r, key=key: f"{r['steps'].get(key, float('nan')):.1f}")
        for key in results[-1]["steps"]
    ]
    rows += [
        ("metric step alone s", lambda r: f"{r['metrics_s']:.1f}"),
        ("metric step / floor", lambda r: f"{r['metrics_s'] / r['floor_s']:.1f}x"),
        ("**run peak MiB**", lambda r: f"{r['run_peak_mib']:,.0f}"),
        ("floor peak MiB", lambda r: f"{r['floor_peak_mib']:,.0f}"),
    ]
    lines = [
        "| children | " + " | ".join(f"{r['children']:,}" for r in results) + " |",
        "|---|" + "---:|" * len(results),
    ]
    lines += [f"| {name} | " + " | ".join(cell(r) for r in results) + " |" for name, cell in rows]
    return "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--sizes", type=int, nargs="+", default=[37_000, 300_000, 2_800_000])
    p.add_argument("--work", type=Path, default=Path("/tmp/frontdoor-bench"))
    args = p.parse_args()
    # Runs keep their history in a Dagster home of the bench's own, which frontdoor sets up.
    os.environ["DAGSTER_HOME"] = str(args.work / "dagster_home")
    results = []
    for size in args.sizes:
        results.append(bench(size, args.work))
        print(json.dumps(results[-1]), flush=True)
    print(table(results))


if __name__ == "__main__":
    main()
