"""The `frontdoor` command: run the pipeline, or generate a synthetic council."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.sources.folder import shown
from pipelines.warehouse import (
    DEFAULT_FILE_MODE,
    DEFAULT_INPUT,
    DEFAULT_KEEP_RELEASES,
    DEFAULT_MEMORY_LIMIT,
    DEFAULT_OUTPUT,
    PROJECT_ROOT,
    file_mode,
)

if TYPE_CHECKING:
    import dagster as dg
    import polars as pl

    from pipelines.region import CouncilStatus

# A person at a terminal waits ten seconds for a copy to finish; the sensor and schedule, a minute.
SETTLE_SECONDS_RUN = 10

_WRITTEN_BY = "# Written by frontdoor"
# What bootstrap.py wrote before it left dagster.yaml to frontdoor: upgraded like our own.
_BOOTSTRAP_YAML = "telemetry:\n  enabled: false\n"
DAGSTER_YAML = """\
# Written by frontdoor: nothing about a council's runs leaves this machine, and one run at a
# time writes the working warehouse (every step that opens it is in the pool frontdoor_warehouse).
telemetry:
  enabled: false
# A region's councils are separate runs: Dagster's run queue starts two at a time (2 cores).
concurrency:
  pools:
    default_limit: 1
  runs:
    max_concurrent_runs: 2
run_monitoring:
  enabled: true
# Dagster's SQLite storage in its usual folders, with an event log that keeps its SQLAlchemy
# engines (pipelines/run_storage.py): a run's ~500 events cost seconds less.
run_storage:
  module: dagster._core.storage.runs
  class: SqliteRunStorage
  config:
    base_dir: {home}/history
event_log_storage:
  module: pipelines.run_storage
  class: EventLogStorage
  config:
    base_dir: {home}/history/runs
schedule_storage:
  module: dagster._core.storage.schedules
  class: SqliteScheduleStorage
  config:
    base_dir: {home}/schedules
"""


def ensure_dagster_home() -> Path:
    """A persistent DAGSTER_HOME (run history survives) with telemetry off and the pool limit.

    Dagster's pyproject setting does not stop telemetry; only dagster.yaml does.
    """
    home = Path(os.environ.get("DAGSTER_HOME") or PROJECT_ROOT / ".dagster_home").resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    ours = DAGSTER_YAML.format(home=home)
    # A dagster.yaml frontdoor wrote is brought up to date; one written by a person is theirs.
    written = config.read_text() if config.exists() else None
    if written is None or (
        written != ours and (written.startswith(_WRITTEN_BY) or written == _BOOTSTRAP_YAML)
    ):
        config.write_text(ours)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


@contextmanager
def open_instance() -> Iterator[dg.DagsterInstance]:
    """The Dagster instance of DAGSTER_HOME, opened under a lock: two runs starting at once on a
    new DAGSTER_HOME would otherwise both create its SQLite storage and corrupt it."""
    import fcntl

    import dagster as dg

    home = ensure_dagster_home()
    with (home / ".frontdoor.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            instance = dg.DagsterInstance.get()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    with instance:
        yield instance


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
) -> bool:
    """Run the frontdoor job in this process; True when it succeeded and published a release.

    Waits first until no input file has changed for ``settle_seconds`` (a copy still arriving),
    the rule the sensor and the nightly schedule use. Problems are said in one sentence each on
    stderr; Dagster's own stack traces stay in the run's log (`dg dev`)."""
    ensure_dagster_home()
    # Imported here: Dagster takes seconds to import and `frontdoor generate` does not need it.

    from pipelines.definitions import defs
    from pipelines.runs import fail_abandoned_runs, run_tags

    job = defs().resolve_job_def("frontdoor")
    settings = {
        "input_dir": str(input_dir.resolve()),
        "output_dir": str(output.resolve()),
        "as_at": as_at.isoformat() if as_at else None,
        "cin_xsd_dir": str(cin_xsd_dir.resolve()) if cin_xsd_dir else None,
        "keep_releases": keep_releases,
        "file_mode": file_mode,
        "as_at_anyway": as_at_anyway,
        "memory_limit": memory_limit,
    }
    print(f"frontdoor run: {shown(input_dir)} -> {shown(output)}", flush=True)
    problem = as_at_problem(as_at, as_at_anyway)
    if problem:
        print(f"frontdoor run: {problem}", file=sys.stderr)
        return False
    wait_until_settled(input_dir, settle_seconds)
    started = time.perf_counter()
    with open_instance() as instance:
        for abandoned in fail_abandoned_runs(instance):
            print(f"  run {abandoned} was left unfinished (killed?): marked failed", flush=True)
        result = job.execute_in_process(
            run_config={
                "resources": {"warehouse": {"config": settings}},
                # Our own one line per step is the progress; Dagster's event stream is in dg dev.
                # Dagster's console log would print stack traces: only its worst is let through.
                "loggers": {"console": {"config": {"log_level": "CRITICAL"}}, "waiting": {}},
            },
            instance=instance,
            raise_on_error=False,
            tags=run_tags(),
        )
    seconds = time.perf_counter() - started
    if result.success:
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

    from pipelines import region as regions
    from pipelines.releases import current

    home = ensure_dagster_home()
    problem = as_at_problem(as_at, False)
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
    (rollup / ".frontdoor").mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with (rollup / ".frontdoor" / "daemon.log").open("w") as log:
        daemon = subprocess.Popen(
            [str(Path(sys.executable).parent / "dagster-daemon"), "run", "-m",
             "pipelines.definitions"],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            reported: set[str] = set()
            while time.perf_counter() - started < timeout_seconds:
                time.sleep(2)
                for name in names:
                    status = regions.read_status(output, name)
                    if name not in reported and _ran_since(status, started):
                        reported.add(name)
                        said = "published" if status.status == "published" else status.message
                        print(f"  [{time.perf_counter() - started:6.1f} s] {name}: {said}")
                now = current(rollup)
                if now and (before is None or now.name != before.name):
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


def _ran_since(status: CouncilStatus, started: float) -> bool:
    """Whether the council's run ended after ``started`` (a perf_counter reading)."""
    if not status.finished_at:
        return False
    age = dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(status.finished_at)
    return age.total_seconds() <= time.perf_counter() - started + 1


def _region_is_current(
    input_dir: Path, output: Path, names: list[str], manifest: dict[str, object]
) -> bool:
    """True when the published roll-up was made from every council's current extracts."""
    from pipelines import region as regions
    from pipelines.run_info import input_fingerprint

    statuses = [regions.read_status(output, name) for name in names]
    return manifest.get("rollup_key") == regions.rollup_key(statuses) and all(
        s.fingerprint == input_fingerprint(input_dir / s.council) for s in statuses
    )


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
    from pipelines.calendar import DEFAULT_END, DEFAULT_START

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


def rollback(output: Path) -> int:
    """Switch the published warehouse and report back to the previous release."""
    from pipelines.releases import PublishError, current, rollback

    before = current(output)
    try:
        now = rollback(output)
    except PublishError as error:
        print(f"frontdoor rollback: {error}", file=sys.stderr)
        return 1
    print(f"rolled back {output}: {before.name if before else '-'} -> {now.name}")
    return 0


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _mode(text: str) -> str:
    try:
        file_mode(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def _memory(text: str) -> str:
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)?\s*[KMGT]i?B", text.strip(), flags=re.IGNORECASE):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an amount of memory such as 1GB or 512MB"
        )
    return text.strip()


def _settle_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--settle-seconds",
        type=float,
        default=float(os.environ.get("FRONTDOOR_RUN_SETTLE_SECONDS", SETTLE_SECONDS_RUN)),
        help="wait until no input file has changed for this long (default "
        f"{SETTLE_SECONDS_RUN:g} s; the sensor and schedule wait a minute)",
    )


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="frontdoor", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("run", help="load the extracts, compute the metrics, write the report")
    r.add_argument("--input", type=Path, default=DEFAULT_INPUT, help="folder of extracts")
    r.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help="where warehouse.duckdb and report.html are published (default output/)",
    )
    r.add_argument(
        "--as-at", type=_date, default=None, help="extract date (default: latest contact/referral)"
    )
    r.add_argument(
        "--as-at-anyway",
        action="store_true",
        help="run with an --as-at after today or before the earliest record",
    )
    _settle_argument(r)
    r.add_argument(
        "--keep-releases",
        type=int,
        default=DEFAULT_KEEP_RELEASES,
        help=f"how many releases to keep for rollback (default {DEFAULT_KEEP_RELEASES})",
    )
    r.add_argument(
        "--file-mode",
        type=_mode,
        default=DEFAULT_FILE_MODE,
        help=f"the published files' mode (default {DEFAULT_FILE_MODE}; never world-readable)",
    )
    r.add_argument(
        "--memory-limit",
        type=_memory,
        default=os.environ.get("FRONTDOOR_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT),
        help=f"DuckDB's memory limit for each step (default {DEFAULT_MEMORY_LIMIT}; past it DuckDB "
        "spills to disk)",
    )
    r.add_argument(
        "--cin-xsd",
        type=Path,
        default=None,
        help="folder of DfE CIN_schema_<year>.xsd files to validate CIN census XML against",
    )

    rg = sub.add_parser(
        "region", help="run every council of a region folder and roll their figures up"
    )
    rg.add_argument("--input", type=Path, required=True, help="one sub-folder per council")
    rg.add_argument(
        "--output",
        type=Path,
        required=True,
        help="OUTPUT/<council>/ for each council, OUTPUT/region/ for the roll-up",
    )
    rg.add_argument("--as-at", type=_date, default=None, help="extract date for every council")
    _settle_argument(rg)

    b = sub.add_parser("rollback", help="publish the previous release again")
    b.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="the output folder")

    g = sub.add_parser("generate", help="write a synthetic council's extracts")
    g.add_argument("--children", type=int, default=None, help="resident children aged 0-17")
    g.add_argument(
        "--region",
        type=int,
        default=None,
        metavar="N",
        help="write N councils of varied size, story and input format, one folder each",
    )
    g.add_argument("--seed", type=int, default=2010)
    g.add_argument("--out", type=Path, required=True, help="folder to write the extracts to")
    g.add_argument(
        "--faults",
        action="store_true",
        help="plant a known set of faults in the CSV extracts (each reported once by a run)",
    )
    g.add_argument(
        "--format",
        choices=("csv", "ssd", "csc-api"),
        default="csv",
        help="csv: the contract's extracts; ssd: SSD tables as SQL Server exports them; "
        "csc-api: a DfE CSC API payload",
    )
    g.add_argument(
        "--annex-a", action="store_true", help="also write an Annex A workbook to OUT/annex_a/"
    )
    g.add_argument(
        "--cin-census",
        action="store_true",
        help="also write CIN census XML, one file per collection year, to OUT/cin_census/",
    )
    return p


def _write_statutory_returns(
    frames: dict[str, pl.DataFrame], out: Path, annex_a: bool, cin_census: bool
) -> None:
    """The same council as Ofsted's Annex A and DfE's CIN census, each in its own subfolder
    (a folder holds one format), with population.csv beside each for the rate per 10,000."""
    from pipelines.generate import story
    from pipelines.generate.annex_a_writer import write_annex_a
    from pipelines.generate.cin_writer import write_cin_census

    as_at = dt.date.fromisoformat(story.END)
    written: list[Path] = []
    if annex_a:
        written.append(write_annex_a(frames, out / "annex_a", as_at))
    if cin_census:
        written += write_cin_census(frames, out / "cin_census", as_at)
    for folder in {path.parent for path in written}:
        frames["population"].write_csv(folder / "population.csv")
    for path in written:
        print(f"  {path.relative_to(out)}")


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "run":
        ok = run(
            args.input,
            args.output,
            args.as_at,
            args.cin_xsd,
            args.keep_releases,
            args.file_mode,
            args.as_at_anyway,
            args.settle_seconds,
            args.memory_limit,
        )
        return 0 if ok else 1
    if args.command == "region":
        ok = region(args.input, args.output, args.as_at, args.settle_seconds)
        return 0 if ok else 1
    if args.command == "rollback":
        return rollback(args.output)
    from pipelines.generate import simulate, write_extracts

    if args.region is not None:
        from pipelines.generate.region import write_region

        if args.region < 1:
            raise SystemExit("--region must be at least 1")
        for name, kind, children in write_region(args.region, args.out, args.seed, args.children):
            print(f"  {name}: {children:,} children, {kind}")
        return 0
    if args.children is None or args.children < 1:
        raise SystemExit("--children must be at least 1 (or give --region N)")
    started = time.perf_counter()
    frames = simulate(args.children, args.seed)
    if args.format != "csv":
        from pipelines.generate.formats import write_format

        for path in write_format(args.format, frames, args.out):
            print(f"  {path.name}")
        return 0
    rows = write_extracts(frames, args.out)
    for name, count in rows.items():
        print(f"  {name}: {count:,} rows")
    if args.annex_a or args.cin_census:
        _write_statutory_returns(frames, args.out, args.annex_a, args.cin_census)
    if args.faults:
        from pipelines.faults import plant_faults

        planted = plant_faults(args.out, args.seed)
        for fault in planted:
            print(f"  planted {fault.rule}: {fault.file} line {fault.line}, column {fault.column}")
        print(f"  {len(planted)} faults planted in the CSV extracts (docs/validation.md)")
    seconds = time.perf_counter() - started
    print(f"wrote {args.out} in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
