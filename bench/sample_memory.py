"""Where a run's memory goes: the resident set of the run process and each child, over time.

    .venv/bin/python bench/sample_memory.py COUNCIL OUTPUT [--every 0.2] [--csv rss.csv]

Runs bench_run.py's RUN snippet (the whole `frontdoor run`, in a fresh process) and polls
/proc every ``--every`` seconds for the resident set (VmRSS, and its anonymous, file-backed and
shared-memory parts) of that process and of every process below it (the Great Expectations
worker). Then it reads the run's step boundaries from Dagster's own record of it and says, for
each step, the largest resident set of each process while the step ran, and which process and
step reach the peak. Polling misses what lasts less than one interval: the kernel's own maximum
(``max RSS``, what bench_run.py reports) is printed beside it for that reason.

Timing and memory live here, never in a test: the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from bench_run import ROOT, RUN  # bench/ is on the path when this script runs

STEP_TIMES = """
import json, sys
import dagster as dg
with dg.DagsterInstance.get() as instance:
    latest = instance.get_runs(limit=1)[0]
    steps = {s.step_key: [s.start_time, s.end_time] for s in instance.get_run_step_stats(latest.run_id)}
print(json.dumps(steps))
"""

# Processes that never reach this are left out of the per-step table (Dagster's log tailers).
SMALL_KIB = 50 * 1024
FIELDS = ("VmRSS", "RssAnon", "RssFile", "RssShmem", "VmHWM")


def status(pid: int) -> dict[str, int] | None:
    """The process's resident-set fields in KiB (None once it has gone)."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    out = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in FIELDS:
            out[key] = int(value.split()[0])
    return out


def children(pid: int) -> list[int]:
    """Every process below ``pid`` (its children, theirs, ...)."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for t in tasks:
            try:
                kids = Path(f"/proc/{p}/task/{t}/children").read_text().split()
            except OSError:
                continue
            for k in kids:
                found.append(int(k))
                todo.append(int(k))
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:80]
    except OSError:
        return "?"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("council", type=Path)
    p.add_argument("output", type=Path)
    p.add_argument("--every", type=float, default=0.2)
    p.add_argument("--csv", type=Path, help="write every sample here (t, pid, name, fields)")
    args = p.parse_args()
    args.output.mkdir(parents=True, exist_ok=True)
    started = time.time()
    proc = subprocess.Popen(
        [sys.executable, "-c", RUN, str(args.council), str(args.output)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    samples: list[tuple[float, int, dict[str, int]]] = []
    names = {proc.pid: "run"}
    while proc.poll() is None:
        now = time.time()
        for pid in [proc.pid, *children(proc.pid)]:
            if pid not in names:
                names[pid] = cmdline(pid)
            s = status(pid)
            if s:
                samples.append((now, pid, s))
        time.sleep(args.every)
    log = proc.stdout.read() if proc.stdout else ""
    print(log)
    steps = json.loads(
        subprocess.run(
            [sys.executable, "-c", STEP_TIMES], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
    )
    if args.csv:
        with args.csv.open("w") as f:
            f.write("t,pid,name," + ",".join(FIELDS) + "\n")
            for t, pid, s in samples:
                name = "run" if pid == proc.pid else "child"
                f.write(
                    f"{t - started:.2f},{pid},{name},"
                    + ",".join(str(s.get(k, 0)) for k in FIELDS)
                    + "\n"
                )

    def step_at(t: float) -> str:
        inside = [k for k, (a, b) in steps.items() if a <= t <= b]
        return "+".join(inside) if inside else "(between steps)"

    print(f"processes: { {pid: name for pid, name in names.items()} }")
    print("step boundaries (s from start):")
    for key, (a, b) in sorted(steps.items(), key=lambda kv: kv[1][0]):
        print(f"  {key:<24} {a - started:7.1f} - {b - started:7.1f}  ({b - a:.1f} s)")
    print(
        "largest VmRSS MiB while each step ran, per process over 50 MiB "
        "(anon / file / shmem at that sample):"
    )
    per: dict[tuple[str, int], tuple[int, dict[str, int], float]] = {}
    for t, pid, s in samples:
        key = (step_at(t), pid)
        if key not in per or s["VmRSS"] > per[key][0]:
            per[key] = (s["VmRSS"], s, t)
    for (step, pid), (rss, s, t) in sorted(per.items(), key=lambda kv: kv[1][2]):
        if rss < SMALL_KIB:
            continue
        who = "run" if pid == proc.pid else f"child {pid}"
        print(
            f"  {step:<24} {who:<12} {rss / 1024:7.0f}  ({s.get('RssAnon', 0) / 1024:.0f} / "
            f"{s.get('RssFile', 0) / 1024:.0f} / {s.get('RssShmem', 0) / 1024:.0f}) at {t - started:.1f} s"
        )
    top = max(samples, key=lambda x: x[2]["VmRSS"])
    print(
        f"peak sampled: {top[2]['VmRSS'] / 1024:.0f} MiB in "
        f"{'run' if top[1] == proc.pid else 'child ' + str(top[1])} during {step_at(top[0])} "
        f"at {top[0] - started:.1f} s"
    )
    hwm = {pid: max(s.get("VmHWM", 0) for _, q, s in samples if q == pid) for pid in names}
    print(
        "max RSS (VmHWM, last seen) MiB: "
        + ", ".join(f"{names[p][:30]} {v / 1024:.0f}" for p, v in hwm.items())
    )
    last = re.findall(r"^\d+$", log, re.M)
    if last:
        print(f"bench_run's peak (getrusage): {int(last[-1]) / 1024:.0f} MiB")
    print(f"wall {time.time() - started:.1f} s")


if __name__ == "__main__":
    main()
