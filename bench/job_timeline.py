"""Where a `frontdoor run` job's time goes: Dagster's bookkeeping against the steps' own work.

    .venv/bin/python bench/job_timeline.py [--input data/sample] [--work /tmp/frontdoor-timeline]

Runs the job once in a fresh process with a fresh DAGSTER_HOME, then reads the run's own event
timestamps from Dagster's run database (DAGSTER_HOME/history/runs/<run_id>.db). It prints the
run's creation (one planned event per asset and check, before the run starts) and, for each step,
its whole time and the time from its first output to its end. For a step that yields its outputs
only once its work is done (marts, the GX checks), that tail is Dagster's alone: storing a
STEP_OUTPUT and a materialisation or check evaluation for each output, with its data-version
look-ups (and frontdoor's table metadata, 4 ms a table). A step that yields as it goes
(stage_extracts yields each table as it is loaded, validation each check as it writes the
sample) counts some of its own work in that tail too. Unprofiled; read the split, not the
seconds (these machines are shared).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def events(run_db: Path) -> list[tuple[float, str | None, str | None]]:
    """(seconds since the first event, event type, step key) of every event of the run."""
    with sqlite3.connect(run_db) as con:
        rows = con.execute(
            "SELECT timestamp, dagster_event_type, step_key FROM event_logs ORDER BY id"
        ).fetchall()
    times = [dt.datetime.fromisoformat(str(ts)) for ts, _, _ in rows]
    return [
        ((t - times[0]).total_seconds(), kind, step)
        for t, (_, kind, step) in zip(times, rows, strict=True)
    ]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--input", type=Path, default=ROOT / "data" / "sample")
    p.add_argument("--work", type=Path, default=Path("/tmp/frontdoor-timeline"))
    args = p.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    home = args.work / "dagster_home"
    home.mkdir(parents=True)
    subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "run", "--input", str(args.input),
         "--output", str(args.work / "out")],
        cwd=ROOT, env={**os.environ, "DAGSTER_HOME": str(home)}, check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    (run_db,) = [p for p in (home / "history" / "runs").glob("*.db") if p.name != "index.db"]
    timeline = events(run_db)
    planned = [t for t, kind, _ in timeline if kind and kind.endswith("_PLANNED")]
    start = next(t for t, kind, _ in timeline if kind == "PIPELINE_START")
    end = next(t for t, kind, _ in timeline if kind == "PIPELINE_SUCCESS")
    print(f"job: {end:.2f} s; run creation ({len(planned)} planned events): {start:.2f} s")
    print("| step | s | outputs | first output to end s | ms an output |")
    print("|---|---:|---:|---:|---:|")
    tails = 0.0
    for step in dict.fromkeys(s for _, kind, s in timeline if kind == "STEP_START"):
        mine = [(t, kind) for t, kind, s in timeline if s == step]
        began = next(t for t, kind in mine if kind == "STEP_START")
        ended = next(t for t, kind in mine if kind == "STEP_SUCCESS")
        outputs = [t for t, kind in mine if kind == "STEP_OUTPUT"]
        tail = ended - outputs[0] if outputs else 0.0
        tails += tail
        each = f"{tail / len(outputs) * 1000:.0f}" if len(outputs) > 1 else ""
        print(f"| {step} | {ended - began:.2f} | {len(outputs)} | {tail:.2f} | {each} |")
    print(f"run creation plus every step's tail: {start + tails:.2f} s of the job's {end:.2f} s")


if __name__ == "__main__":
    main()
