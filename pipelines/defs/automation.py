"""How the job starts: by hand (`frontdoor run`, `dg launch`), nightly, or when extracts land."""

import hashlib
import os
from pathlib import Path

import dagster as dg

from pipelines.marts.run_info import input_fingerprint
from pipelines.release import releases
from pipelines.run.warehouse import Warehouse
from pipelines.sources.folder import newest_change, settled

frontdoor_job = dg.define_asset_job(
    "frontdoor",
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups("region"),
    description="Load the extracts, compute every metric, write the report, publish a release.",
    executor_def=dg.in_process_executor,
)

# A file still being copied in must not start a run: wait until the folder has been quiet this
# long (the rule `frontdoor run` applies too, pipelines/sources/folder.settled).
SETTLE_SECONDS = float(os.environ.get("FRONTDOOR_SETTLE_SECONDS", "60"))
# 02:00 UK time, after the case-management system's nightly export (a council's and a region's).
NIGHTLY = {"cron_schedule": "0 2 * * *", "execution_timezone": "Europe/London"}

# A regional hub's daemon (FRONTDOOR_REGION_INPUT set, as `frontdoor region` starts it) runs the
# region's automation only: this schedule and sensor would otherwise run the default council
# (data/sample into output/) beside the region's councils, in the hub's run history. The
# region's sensor is on only there (pipelines/defs/region.py).
REGION_HUB = bool(os.environ.get("FRONTDOOR_REGION_INPUT"))


@dg.schedule(
    job=frontdoor_job,
    **NIGHTLY,
    default_status=dg.DefaultScheduleStatus.STOPPED
    if REGION_HUB
    else dg.DefaultScheduleStatus.RUNNING,
    description="Every night at 02:00 UK time, after the case-management system's export; "
    "skipped while the extracts are still arriving (the sensor then starts the run).",
)
def nightly(
    context: dg.ScheduleEvaluationContext, warehouse: Warehouse
) -> dg.RunRequest | dg.SkipReason:
    folder = Path(warehouse.input_dir)
    if folder.is_dir() and not settled(folder, SETTLE_SECONDS):
        return dg.SkipReason(
            f"an extract in {folder} changed in the last {SETTLE_SECONDS:g} s (still being "
            "copied?): the new_extracts sensor starts the run once it has settled"
        )
    return dg.RunRequest(tags={"frontdoor/trigger": "nightly"})


def published_fingerprint(output: Path) -> str | None:
    """The input fingerprint of the published release, or None before the first."""
    now = releases.current(output)
    return now.manifest().get("input_fingerprint") if now else None


@dg.sensor(
    job=frontdoor_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED if REGION_HUB else dg.DefaultSensorStatus.RUNNING,
    description="Starts a run when the extracts differ from the published release's and have "
    "stopped changing.",
)
def new_extracts(
    context: dg.SensorEvaluationContext, warehouse: Warehouse
) -> dg.RunRequest | dg.SkipReason:
    folder = Path(warehouse.input_dir)
    if not folder.is_dir() or newest_change(folder) is None:
        return dg.SkipReason(f"no extracts in {folder}")
    if not settled(folder, SETTLE_SECONDS):
        return dg.SkipReason("extracts are still arriving")
    fingerprint = input_fingerprint(folder)
    if fingerprint == published_fingerprint(Path(warehouse.output_dir)):
        return dg.SkipReason("the published release was made from these extracts")
    if context.cursor == fingerprint:
        return dg.SkipReason("a run for these extracts has been requested already")
    context.update_cursor(fingerprint)
    key = hashlib.sha256(fingerprint.encode()).hexdigest()[:16]
    return dg.RunRequest(run_key=key, tags={"frontdoor/trigger": "new_extracts"})
