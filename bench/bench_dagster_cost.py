"""What Dagster itself costs a run of the sample council, part by part.

    .venv/bin/python bench/bench_dagster_cost.py [--runs 2] [--work /tmp/frontdoor-dagster-cost]

Each variant runs in a fresh process: one warm-up run (imports, the storage's first tables),
then ``--runs`` timed runs of the frontdoor job on data/sample, each profiled (cProfile), and
prints the job's wall time and the seconds spent in each of Dagster's fixed costs:

- sqlite:         Dagster's SQLite storage as frontdoor configures it (the embedded default);
- sqlite-nosync:  the same with SQLite told not to wait for the disk (PRAGMA synchronous=OFF,
                  set here only, through SQLAlchemy's connect event): sqlite minus this is what
                  the fsync at every event costs;
- no-compute-logs: sqlite without Dagster's capture of each run's stdout and stderr (its
                  NoOpComputeLogManager in dagster.yaml): what the capture (two `tail`
                  processes and two Python watchers a run) costs;
- memory:         Dagster's in-memory instance (DagsterInstance.ephemeral()): no storage at all,
                  the floor of what storage can cost.

Timing lives here, never in a test: these machines are shared and noisy, so read the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

VARIANT = r"""
import cProfile, collections, json, os, pstats, sys, time
from pathlib import Path

variant, work, runs = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
os.environ["DAGSTER_HOME"] = str(work / "home")
started = time.perf_counter()
import dagster as dg
from pipelines.run.instance import ensure_dagster_home
from pipelines.run.job import frontdoor_job, run_config
from pipelines.run.abandoned import run_tags
imports = time.perf_counter() - started
ensure_dagster_home()
if variant == "no-compute-logs":
    with (work / "home" / "dagster.yaml").open("a") as f:
        f.write("compute_logs:\n  module: dagster.core.storage.noop_compute_log_manager\n"
                "  class: NoOpComputeLogManager\n")
if variant == "sqlite-nosync":
    import sqlite3
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def _nosync(dbapi_connection, _record):
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.execute("PRAGMA synchronous=OFF")

started = time.perf_counter()
job = frontdoor_job()
definitions = time.perf_counter() - started

# cProfile's cumulative seconds of these functions (filename suffix, function name).
PARTS = {
    "store events": ("instance/methods/event_methods.py", "handle_new_event"),
    "data-version look-ups": ("context/data_version_cache.py", "_fetch_input_asset_version_info"),
    "run snapshot": ("instance/methods/run_methods.py", "create_run_for_job"),
    "resources (GX worker start)": ("execution/resources_init.py", "resource_initialization_manager"),
}


def once(output):
    settings = {"input_dir": str(Path("data/sample").resolve()), "output_dir": str(output)}
    instance = dg.DagsterInstance.ephemeral() if variant == "memory" else dg.DagsterInstance.get()
    with instance:
        profile = cProfile.Profile()
        t = time.perf_counter()
        profile.enable()
        result = job.execute_in_process(
            run_config=run_config(settings), instance=instance, tags=run_tags()
        )
        profile.disable()
        seconds = time.perf_counter() - t
        events = len(instance.all_logs(result.run_id))
    assert result.success
    stats = pstats.Stats(profile).stats
    parts = {}
    for name, (suffix, function) in PARTS.items():
        parts[name] = sum(
            v[3] for (f, _, fn), v in stats.items() if f.endswith(suffix) and fn == function
        )
    return seconds, events, parts


out = work / "out"
once(out)  # warm-up
for i in range(runs):
    seconds, events, parts = once(out)
    print("RESULT " + json.dumps({"variant": variant, "job": seconds, "events": events,
                                  "imports": imports, "definitions": definitions, **parts}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--work", type=Path, default=Path("/tmp/frontdoor-dagster-cost"))
    parser.add_argument(
        "--variants", nargs="+", default=["sqlite", "sqlite-nosync", "no-compute-logs", "memory"]
    )
    args = parser.parse_args()
    rows = []
    for variant in args.variants:
        work = args.work / variant
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        done = subprocess.run(
            [sys.executable, "-c", VARIANT, variant, str(work), str(args.runs)],
            cwd=ROOT,
            env={k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"},
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            sys.exit(f"{variant} failed:\n{done.stderr[-3000:]}")
        for line in done.stdout.splitlines():
            if line.startswith("RESULT "):
                rows.append(json.loads(line[len("RESULT ") :]))
    columns = [k for k in rows[0] if k != "variant"]
    print("| variant | " + " | ".join(columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for row in rows:
        cells = [f"{row[c]:.2f}" if isinstance(row[c], float) else str(row[c]) for c in columns]
        print(f"| {row['variant']} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
