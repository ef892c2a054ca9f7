"""Running one council: the frontdoor job in this process, and what to say when it fails.

The run's settings are checked before Dagster's definitions are imported (seconds): a refused
--as-at costs a person no wait.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import sys
import time
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipelines.run.instance import ensure_dagster_home, open_instance
from pipelines.run.warehouse import DEFAULT_FILE_MODE, DEFAULT_KEEP_RELEASES, DEFAULT_MEMORY_LIMIT
from pipelines.sources.folder import shown

if TYPE_CHECKING:
    import dagster as dg


def run(
    input_dir: Path,
    output: Path,
    as_at: dt.date | None = None,
    cin_xsd_dir: Path | None = None,
    keep_releases: int = DEFAULT_KEEP_RELEASES,
    file_mode: str = DEFAULT_FILE_MODE,
    as_at_anyway: bool = False,
    settle_seconds: float = 0,
    memory_limit: str = DEFAULT_MEMORY_LIMIT,
    la_code: str | None = None,
    targets: Path | None = None,
    keep_raw: bool = False,
    instance: dg.DagsterInstance | None = None,
) -> bool:
    """Run the frontdoor job in this process; True when it published a release.

    Waits first until no input file has changed for ``settle_seconds`` (a copy still arriving),
    the rule the sensor and the nightly schedule use. Problems are said in one sentence each on
    stderr; Dagster's own stack traces stay in the run's log (`dg dev`).

    The run is recorded in DAGSTER_HOME's instance (its history in `dg dev`), or in ``instance``
    when given: a caller that reads only the warehouse and report, such as a test, may pass
    ``dg.DagsterInstance.ephemeral()``: no history, and none of the SQLite storage's cost, about
    3 s of the sample's 12 s (bench/bench_dagster_cost.py, its sqlite and memory variants)."""
    print(f"frontdoor run: {shown(input_dir)} -> {shown(output)}", flush=True)
    problem = as_at_problem(as_at, as_at_anyway) or threads_problem()
    if problem:
        print(f"frontdoor run: {problem}", file=sys.stderr)
        return False
    ensure_dagster_home()
    from pipelines.run.abandoned import fail_abandoned_runs, run_tags

    job = frontdoor_job()
    settings = {
        "input_dir": str(input_dir.resolve()),
        "output_dir": str(output.resolve()),
        "as_at": as_at.isoformat() if as_at else None,
        "cin_xsd_dir": str(cin_xsd_dir.resolve()) if cin_xsd_dir else None,
        "keep_releases": keep_releases,
        "file_mode": file_mode,
        "as_at_anyway": as_at_anyway,
        "memory_limit": memory_limit,
        "la_code": la_code,
        "targets": str(targets.resolve()) if targets else None,
        "keep_raw": keep_raw,
    }
    wait_until_settled(input_dir, settle_seconds)
    started = time.perf_counter()
    with open_instance() if instance is None else nullcontext(instance) as recorded_in:
        for abandoned in fail_abandoned_runs(recorded_in):
            print(f"  run {abandoned} was left unfinished (killed?): marked failed", flush=True)
        result = job.execute_in_process(
            run_config=run_config(settings),
            instance=recorded_in,
            raise_on_error=False,
            tags=run_tags(),
        )
    seconds = time.perf_counter() - started
    published = result.success or result.is_node_success("release")
    if published:
        if not result.success:
            # A step that failed after the release is Great Expectations' (its worker died, or
            # an answer could not be read). Its findings never hold a release back: the release
            # stands, and what stopped the step is said.
            for problem in failures(result):
                print(f"  {problem} (after the release, which stands)", file=sys.stderr)
        print(
            f"done in {seconds:.1f} s: {output / 'warehouse.duckdb'} and {output / 'report.html'}",
            flush=True,
        )
        return True
    for problem in failures(result):
        print(f"  {problem}", file=sys.stderr)
    print(
        f"frontdoor run failed after {seconds:.1f} s; the published warehouse and report are as "
        "they were (the run's full log is in Dagster: dg dev).",
        file=sys.stderr,
    )
    return False


@functools.cache
def frontdoor_job() -> dg.JobDefinition:
    """The frontdoor job, its definitions loaded once in a process (they take seconds): imported
    after the refusals, so a refused run costs no wait."""
    from pipelines.definitions import defs

    return defs().resolve_job_def("frontdoor")


def run_config(settings: dict[str, Any]) -> dict[str, Any]:
    """The run config of a `frontdoor run`: the settings, and the console kept quiet."""
    return {
        "resources": {"warehouse": {"config": settings}},
        # Our own one line per step is the progress; Dagster's event stream is in dg dev.
        # Dagster's console log would print stack traces: only its worst is let through.
        "loggers": {"console": {"config": {"log_level": "CRITICAL"}}, "waiting": {}},
    }


def failures(result: dg.ExecuteInProcessResult) -> list[str]:
    """What stopped a run, one sentence each: the steps that failed (their innermost error,
    without its class name) and the blocking checks that failed."""
    import dagster as dg

    out = []
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data:
            error = event.step_failure_data.error
            # Dagster wraps the step's own exception: what the step raised is below its wrappers
            # (and may itself say more than the error that caused it).
            while (
                error is not None
                and error.cause is not None
                and (error.cls_name or "").startswith("Dagster")
            ):
                error = error.cause
            message = error.message.strip() if error else "unknown error"
            # "pipelines.errors.ExtractError: /in/contacts.csv: ..." -> "/in/contacts.csv: ..."
            if error is not None and error.cls_name:
                message = re.sub(rf"^([\w.]+\.)?{re.escape(error.cls_name)}: ", "", message)
            out.append(message.splitlines()[0] if message else f"step {event.step_key} failed")
    for check in result.get_asset_check_evaluations():
        if not check.passed and check.severity == dg.AssetCheckSeverity.ERROR:
            out.append(check.description or f"check {check.check_name} failed")
    return out


def as_at_problem(as_at: dt.date | None, anyway: bool) -> str | None:
    """Why an --as-at date is refused before the run starts, or None.

    Outside the working-day calendar it is always refused; after today, unless ``anyway``
    (the figures would call years-old snapshots current). A date before the earliest record is
    refused by the run itself (marts/run_info), which knows the records.
    """
    from pipelines.staging.calendar import DEFAULT_END, DEFAULT_START

    if as_at is None:
        return None
    if not DEFAULT_START <= as_at <= DEFAULT_END:
        return (
            f"--as-at {as_at} is outside the working-day calendar ({DEFAULT_START} to "
            f"{DEFAULT_END}): refused"
        )
    if as_at > dt.date.today() and not anyway:
        return (
            f"--as-at {as_at} is after today ({dt.date.today()}): the figures would show that "
            "day's snapshots as if they were current. Refused; add --as-at-anyway to run it."
        )
    return None


def threads_problem() -> str | None:
    """Why FRONTDOOR_THREADS is refused before the run starts, or None."""
    from pipelines.cores import threads

    try:
        threads()
    except ValueError as error:
        return f"{error}: refused"
    return None


def wait_until_settled(folder: Path, seconds: float) -> None:
    """Wait until no input file has changed for ``seconds`` (a copy still arriving)."""
    from pipelines.sources.folder import newest_change

    if not folder.is_dir():
        return
    while (newest := newest_change(folder)) is not None and (
        left := seconds - (time.time() - newest)
    ) > 0:
        print(
            f"  waiting {left:.0f} s: an input file changed {seconds - left:.0f} s ago", flush=True
        )
        time.sleep(min(left, 5))
