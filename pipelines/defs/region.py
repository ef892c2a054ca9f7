"""A region of councils (pipelines.region.rollup): each council a partition, and the roll-up.

- ``region/council``, partitioned by ``council`` (a dynamic partition per sub-folder of the
  region folder): that council's folder through `frontdoor run`, in a process of its own, into
  OUT/<council>/, exactly as `frontdoor run` writes it for that folder alone. Each council has
  its own Dagster home under OUT/<council>/.frontdoor/dagster, so councils' runs do not wait on
  one another's warehouse pool.
- ``region/rollup``: every council's published figures side by side, into OUT/region/.

Each council is a separate Dagster run, queued by Dagster's run queue (run_queue in
DAGSTER_HOME/dagster.yaml: two at a time on this machine). The ``region_folders`` sensor adds a
partition when a council folder appears, requests a council's run when its extracts change and
the roll-up once every council has been run on its current extracts; ``region_nightly`` runs
every council at 02:00. `frontdoor region` starts Dagster's daemon on these definitions and
waits for the roll-up; `dg dev` shows and runs the same.

The settings come from FRONTDOOR_REGION_INPUT, FRONTDOOR_REGION_OUTPUT and FRONTDOOR_AS_AT; with
no region folder set, the sensor and schedule skip.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg

from pipelines.defs.automation import NIGHTLY, REGION_HUB, SETTLE_SECONDS
from pipelines.marts.run_info import input_fingerprint
from pipelines.private import open_to_readers, private_folder
from pipelines.region import rollup as regions
from pipelines.release import releases
from pipelines.run.instance import POSTGRES_URL
from pipelines.sources.folder import settled

COUNCILS = dg.DynamicPartitionsDefinition(name="council")
GROUP = "region"


class RegionSettings(dg.ConfigurableResource):
    """Where the region's council folders are, where their outputs go, and the as-at date."""

    input_dir: str = ""
    output_dir: str = ""
    as_at: str | None = None

    @property
    def input(self) -> Path:
        return Path(self.input_dir)

    @property
    def output(self) -> Path:
        return Path(self.output_dir)


def region_from_environment() -> RegionSettings:
    return RegionSettings(
        input_dir=os.environ.get("FRONTDOOR_REGION_INPUT", ""),
        output_dir=os.environ.get("FRONTDOOR_REGION_OUTPUT", ""),
        as_at=os.environ.get("FRONTDOOR_AS_AT") or None,
    )


def _problems(stderr: str, region_input: Path) -> str:
    """What stopped a council's run: `frontdoor run` says each problem on a line of its own,
    indented, before its closing line. A problem another one already says in full is said once
    (the failed step repeats its extract's message), and files are named from the region's input
    folder (the reader knows where that is)."""
    lines = stderr.splitlines()
    problems = [line.strip() for line in lines if line.startswith("  ") and line.strip()]
    said = problems or [line.strip() for line in lines if line.strip()][-1:]
    said = [p for i, p in enumerate(said) if p not in said[:i]]
    said = [p for p in said if not any(p != q and p in q for q in said)]
    text = " ".join(said).replace(f"{region_input}{os.sep}", "")
    return text or "the run failed without saying why"


@dg.asset(
    key=["region", "council"],
    partitions_def=COUNCILS,
    group_name=GROUP,
    kinds={"duckdb", "html"},
    description="One council's folder through `frontdoor run`: its own published warehouse "
    "and report in OUT/<council>/.",
)
def council(context: dg.AssetExecutionContext, region_settings: RegionSettings) -> dg.Output:
    name = context.partition_key
    folder, out = region_settings.input / name, region_settings.output / name
    fingerprint = input_fingerprint(folder)
    command = [sys.executable, "-m", "pipelines.cli", "run", "--input", str(folder)]
    command += ["--output", str(out), "--settle-seconds", "0"]
    if region_settings.as_at:
        command += ["--as-at", region_settings.as_at]
    la_code = regions.council_la_codes(region_settings.input).get(name)
    if la_code:
        command += ["--la-code", la_code]
    home = out / ".frontdoor" / "dagster"
    home.mkdir(parents=True, exist_ok=True)
    # The council's own SQLite history, even where the hub's is PostgreSQL: its pool is its own.
    env = {k: v for k, v in os.environ.items() if k != POSTGRES_URL}
    done = subprocess.run(
        command, env={**env, "DAGSTER_HOME": str(home)}, capture_output=True, text=True
    )
    ok = done.returncode == 0
    message = None if ok else _problems(done.stderr, region_settings.input)
    regions.write_status(
        out,
        regions.CouncilStatus(
            name, "published" if ok else "failed", message, regions.finished_now(), fingerprint
        ),
    )
    if not ok:
        raise dg.Failure(description=f"{name}: {message}")
    return dg.Output(
        None,
        metadata={
            "warehouse": str(out / releases.WAREHOUSE),
            "report": str(out / releases.REPORT),
        },
    )


@dg.asset(
    key=["region", "rollup"],
    deps=[dg.AssetDep(council, partition_mapping=dg.AllPartitionMapping())],
    group_name=GROUP,
    kinds={"duckdb", "html"},
    description="Every council's figures side by side: OUT/region/warehouse.duckdb and "
    "report.html, aggregates only, the councils that failed named.",
)
def rollup(context: dg.AssetExecutionContext, region_settings: RegionSettings) -> dg.Output:
    from pipelines.report.region import build_region_report

    out = region_settings.output / regions.REGION
    open_to_readers(region_settings.output, 0o640)  # the way to every council's release
    work = private_folder(out / ".frontdoor")
    names = regions.councils(region_settings.input)
    statuses = regions.build_rollup(region_settings.output, names, work / "warehouse.duckdb")
    build_region_report(work / "warehouse.duckdb", work / "report.html")
    failed = [s.council for s in statuses if s.status != "published"]
    published = releases.publish(
        out,
        context.run.run_id,
        work / "warehouse.duckdb",
        work / "report.html",
        {
            "region": str(region_settings.input),
            "councils": names,
            "failed": failed,
            "rollup_key": regions.rollup_key(statuses),
        },
    )
    return dg.Output(
        None,
        metadata={"release": published.name, "councils": len(names), "failed": failed},
    )


region_councils = dg.define_asset_job(
    "region_councils",
    selection=[council],
    partitions_def=COUNCILS,
    description="One council of the region (a partition) through the whole pipeline.",
    executor_def=dg.in_process_executor,
)
region_rollup = dg.define_asset_job(
    "region_rollup",
    selection=[rollup],
    description="The region's warehouse and report from every council's published figures.",
    executor_def=dg.in_process_executor,
)


@dg.sensor(
    jobs=[region_councils, region_rollup],
    minimum_interval_seconds=5,
    # Off unless a region folder is set: `dg dev` on one council shows it stopped, rather than
    # logging "skipped: no region folder" every few seconds.
    default_status=dg.DefaultSensorStatus.RUNNING if REGION_HUB else dg.DefaultSensorStatus.STOPPED,
    description="Adds a council when its folder appears, runs a council when its extracts "
    "change, and the roll-up once every council has been run on its current extracts.",
)
def region_folders(
    context: dg.SensorEvaluationContext, region_settings: RegionSettings
) -> dg.SensorResult | dg.SkipReason:
    if not region_settings.input_dir or not region_settings.input.is_dir():
        return dg.SkipReason("no region folder set (FRONTDOOR_REGION_INPUT)")
    names = regions.councils(region_settings.input)
    known = set(context.instance.get_dynamic_partitions(COUNCILS.name))
    requests = []
    statuses = []
    for name in names:
        folder = region_settings.input / name
        status = regions.read_status(region_settings.output, name)
        statuses.append(status)
        fingerprint = input_fingerprint(folder)
        if status.fingerprint != fingerprint and settled(folder, SETTLE_SECONDS):
            requests.append(
                dg.RunRequest(
                    run_key=f"{name}-{fingerprint[:16]}-{region_settings.as_at}",
                    partition_key=name,
                    job_name=region_councils.name,
                )
            )
    if not requests and names:
        # every council has been run on its current extracts: roll them up (once per outcome)
        requests.append(
            dg.RunRequest(run_key=regions.rollup_key(statuses), job_name=region_rollup.name)
        )
    # A run key asked for at an earlier tick is not asked again (Dagster would skip it anyway,
    # logging a "skipped" line each tick while the run goes on): the cursor holds the keys asked.
    asked = set(json.loads(context.cursor)) if context.cursor else set()
    return dg.SensorResult(
        run_requests=[r for r in requests if r.run_key not in asked],
        dynamic_partitions_requests=[COUNCILS.build_add_request(sorted(set(names) - known))],
        cursor=json.dumps(sorted(r.run_key for r in requests)),
    )


@dg.schedule(
    job=region_councils,
    **NIGHTLY,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every night at 02:00 UK time, every council of the region (the sensor then "
    "rolls them up).",
)
def region_nightly(
    context: dg.ScheduleEvaluationContext, region_settings: RegionSettings
) -> list[dg.RunRequest] | dg.SkipReason:
    if not region_settings.input_dir or not region_settings.input.is_dir():
        return dg.SkipReason("no region folder set (FRONTDOOR_REGION_INPUT)")
    known = set(context.instance.get_dynamic_partitions(COUNCILS.name))
    return [
        dg.RunRequest(partition_key=name, tags={"frontdoor/trigger": "nightly"})
        for name in regions.councils(region_settings.input)
        if name in known
    ]


@dg.definitions
def region_definitions() -> dg.Definitions:
    return dg.Definitions(
        assets=[council, rollup],
        jobs=[region_councils, region_rollup],
        sensors=[region_folders],
        schedules=[region_nightly],
        resources={"region_settings": region_from_environment()},
    )
