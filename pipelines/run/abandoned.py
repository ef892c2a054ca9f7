"""Runs that died: a run killed or crashed is marked failed at the next start, not left STARTED.

`frontdoor run` executes the job in its own process. Killed (SIGKILL, a power cut), that process
cannot tell Dagster it stopped: the run stays STARTED for ever and keeps its claim on the
warehouse's concurrency pool, so every later run would wait for it. Each run is tagged with the
host, process id and process start time that ran it; at the next start, a STARTED run of this
host whose process is gone (or whose id now belongs to another process) is marked failed and its
pool slots are freed. Runs launched by `dg dev` are watched by Dagster's own run monitoring
(dagster.yaml).
"""

from __future__ import annotations

import os
import socket

import dagster as dg

HOST, PID, PROCESS_STARTED = "frontdoor/host", "frontdoor/pid", "frontdoor/process_started"
UNFINISHED = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]


def _process_started(pid: int) -> str | None:
    """The kernel's start time of a process (ticks since boot), or None if there is none."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            # The command name (field 2) may hold spaces; the fields after its ')' are fixed.
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def run_tags() -> dict[str, str]:
    """The tags that let a later start tell whether this process is still running."""
    return {
        HOST: socket.gethostname(),
        PID: str(os.getpid()),
        PROCESS_STARTED: _process_started(os.getpid()) or "",
    }


def _alive(tags: dict[str, str]) -> bool:
    try:
        pid = int(tags[PID])
    except (KeyError, ValueError):
        return True  # not ours to judge
    return _process_started(pid) == tags.get(PROCESS_STARTED)


def fail_abandoned_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark failed every unfinished run of this host whose process has gone; their ids."""
    abandoned = []
    for record in instance.get_run_records(filters=dg.RunsFilter(statuses=UNFINISHED)):
        run = record.dagster_run
        if run.tags.get(HOST) != socket.gethostname() or _alive(run.tags):
            continue
        instance.report_run_failed(
            run, "The process running it stopped without finishing (killed or crashed)."
        )
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        abandoned.append(run.run_id)
    return abandoned
