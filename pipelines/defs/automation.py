"""How the job starts: by hand (`frontdoor run`, `dg launch`), nightly, or when extracts land."""

import hashlib
import json
import os
import time
from pathlib import Path

import dagster as dg

from pipelines.warehouse import Warehouse

frontdoor_job = dg.define_asset_job(
    "frontdoor",
    selection=dg.AssetSelection.all(),
    description="Load the extracts, compute every metric, write the report, publish atomically.",
    executor_def=dg.in_process_executor,
)

nightly = dg.ScheduleDefinition(
    name="nightly",
    job=frontdoor_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Europe/London",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every night at 02:00 UK time, after the case-management system's export.",
)

# A file still being copied in must not start a run: wait until the folder has been quiet this long.
SETTLE_SECONDS = float(os.environ.get("FRONTDOOR_SENSOR_SETTLE_SECONDS", "60"))
EXTRACT_SUFFIXES = {".csv", ".xlsx", ".xml"}


def input_fingerprint(folder: Path) -> dict[str, list[int]]:
    """Name -> [size, mtime_ns] of every extract-like file in the folder."""
    if not folder.is_dir():
        return {}
    return {
        p.name: [p.stat().st_size, p.stat().st_mtime_ns]
        for p in sorted(folder.iterdir())
        if p.is_file() and p.suffix.lower() in EXTRACT_SUFFIXES
    }


@dg.sensor(
    job=frontdoor_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts a run when new or changed extracts land in the input folder.",
)
def new_extracts(
    context: dg.SensorEvaluationContext, warehouse: Warehouse
) -> dg.RunRequest | dg.SkipReason:
    state = input_fingerprint(Path(warehouse.input_dir))
    if not state:
        return dg.SkipReason(f"no extracts in {warehouse.input_dir}")
    newest = max(mtime for _, mtime in state.values()) / 1e9
    if time.time() - newest < SETTLE_SECONDS:
        return dg.SkipReason("extracts are still arriving")
    key = hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()[:16]
    if context.cursor == key:
        return dg.SkipReason("no new extracts since the last run")
    context.update_cursor(key)
    return dg.RunRequest(run_key=key, tags={"frontdoor/trigger": "new_extracts"})
