"""Running a region: every council folder a partition run on Dagster's daemon, then the roll-up."""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.cores import share
from pipelines.run.instance import concurrent_runs, ensure_dagster_home, open_instance
from pipelines.run.job import as_at_problem, threads_problem, wait_until_settled
from pipelines.sources.folder import shown

if TYPE_CHECKING:
    import dagster as dg


def region(
    input_dir: Path,
    output: Path,
    as_at: dt.date | None = None,
    settle_seconds: float = 0,
    timeout_seconds: float = 6 * 3600,
) -> bool:
    """Run every council of a region folder and the roll-up, on Dagster's daemon.

    Each council is a partition run, queued by Dagster's run queue (run_queue in dagster.yaml)
    and launched in a process of its own; the region_folders sensor requests them and the
    roll-up (pipelines/defs/region.py). This starts the daemon on those definitions, waits for
    the roll-up it requests and stops the daemon. True when the roll-up was published (a
    council may have failed: it is named)."""
    import subprocess

    import dagster as dg

    from pipelines.private import private_folder
    from pipelines.region import rollup as regions
    from pipelines.release.releases import current
    from pipelines.validation import gx_service

    home = ensure_dagster_home()
    problem = as_at_problem(as_at, False) or threads_problem()
    if problem:
        print(f"frontdoor region: {problem}", file=sys.stderr)
        return False
    try:
        names = regions.councils(input_dir)
    except (OSError, ValueError) as error:
        print(f"frontdoor region: {error}", file=sys.stderr)
        return False
    print(f"frontdoor region: {len(names)} councils in {shown(input_dir)} -> {shown(output)}")
    wait_until_settled(input_dir, settle_seconds)
    rollup = output / regions.REGION
    before = current(rollup)
    if before and _region_is_current(input_dir, output, names, before.manifest()):
        print("  nothing has changed since the last roll-up: it is current")
        return True
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "FRONTDOOR_REGION_INPUT": str(input_dir.resolve()),
        "FRONTDOOR_REGION_OUTPUT": str(output.resolve()),
        "FRONTDOOR_AS_AT": as_at.isoformat() if as_at else "",
        "FRONTDOOR_SETTLE_SECONDS": "0",  # waited for above
    }
    # The councils' runs Dagster's queue starts at once share the cores (pipelines/cores.py).
    share(env, concurrent_runs(home))
    logs = private_folder(rollup / ".frontdoor")  # the daemon's log: the owner's alone
    started, since = time.perf_counter(), time.time()
    with (
        (logs / "daemon.log").open("w") as log,
        (logs / "gx-service.log").open("wb") as gx_log,
        gx_service.running(gx_log) as gx_socket,  # one GX import for all the councils' runs
        open_instance() as instance,
    ):
        env[gx_service.SOCKET_VARIABLE] = str(gx_socket)
        daemon = subprocess.Popen(
            [str(Path(sys.executable).parent / "dagster-daemon"), "run", "-m",
             "pipelines.definitions"],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            reported: set[str] = set()
            while time.perf_counter() - started < timeout_seconds:
                time.sleep(2)
                for record in _finished_runs(instance, "region_councils", since):
                    run = record.dagster_run
                    if run.run_id not in reported:
                        reported.add(run.run_id)
                        name = run.tags.get("dagster/partition", run.run_id)
                        said = _outcome(instance, record).removeprefix(f"{name}: ")
                        print(f"  [{time.perf_counter() - started:6.1f} s] {name}: {said}")
                for record in _finished_runs(instance, "region_rollup", since):
                    now = current(rollup)
                    if record.dagster_run.status != dg.DagsterRunStatus.SUCCESS or now is None:
                        print(f"frontdoor region: the roll-up failed: {_outcome(instance, record)}",
                              file=sys.stderr)  # fmt: skip
                        return False
                    failed = now.manifest().get("failed") or []
                    print(
                        f"done in {time.perf_counter() - started:.1f} s: {rollup}/warehouse.duckdb "
                        f"and report.html ({len(names) - len(failed)} councils"
                        + (f"; failed: {', '.join(failed)})" if failed else ")")
                    )
                    return True
                if daemon.poll() is not None:
                    print(f"frontdoor region: Dagster's daemon stopped (see {log.name})",
                          file=sys.stderr)  # fmt: skip
                    return False
            print(f"frontdoor region: no roll-up after {timeout_seconds:.0f} s", file=sys.stderr)
            return False
        finally:
            daemon.terminate()
            daemon.wait(timeout=60)


def _finished_runs(instance: dg.DagsterInstance, job: str, since: float) -> list[dg.RunRecord]:
    """The runs of ``job`` created since ``since`` (a time.time()) that have ended, oldest
    first: Dagster's own record of the region's progress (in its PostgreSQL or SQLite storage)."""
    import dagster as dg

    ended = [dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED]
    return list(
        instance.get_run_records(
            filters=dg.RunsFilter(
                job_name=job,
                statuses=ended,
                created_after=dt.datetime.fromtimestamp(since, dt.UTC),
            ),
            order_by="create_timestamp",
            ascending=True,
        )
    )


def _outcome(instance: dg.DagsterInstance, record: dg.RunRecord) -> str:
    """``published`` for a run that succeeded; else what stopped it, as its failed step said."""
    import dagster as dg

    if record.dagster_run.status == dg.DagsterRunStatus.SUCCESS:
        return "published"
    failures = instance.get_records_for_run(
        record.dagster_run.run_id, of_type=dg.DagsterEventType.STEP_FAILURE
    ).records
    for failure in failures:
        event = failure.event_log_entry.dagster_event
        data = event.step_failure_data if event else None
        if data and data.user_failure_data and data.user_failure_data.description:
            return data.user_failure_data.description
        if data and data.error:
            return data.error.message.strip().splitlines()[0]
    return f"its run {record.dagster_run.run_id} ended {record.dagster_run.status.value.lower()}"


def _region_is_current(
    input_dir: Path, output: Path, names: list[str], manifest: dict[str, object]
) -> bool:
    """True when the published roll-up was made from every council's current extracts."""
    from pipelines.marts.run_info import input_fingerprint
    from pipelines.region import rollup as regions

    statuses = [regions.read_status(output, name) for name in names]
    return manifest.get("rollup_key") == regions.rollup_key(statuses) and all(
        s.fingerprint == input_fingerprint(input_dir / s.council) for s in statuses
    )
