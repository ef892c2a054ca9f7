"""marts.run_info: the warehouse's provenance and the as-at date every marts table is taken at."""

import datetime as dt
from pathlib import Path

import dagster as dg

from pipelines.contract import EXTRACTS
from pipelines.defs.metadata import KINDS, table_metadata
from pipelines.marts.run_info import (
    AsAtError,
    Provenance,
    build_run_info,
    frontdoor_version,
    git_commit,
    input_fingerprint,
)
from pipelines.run.progress import report
from pipelines.run.warehouse import POOL, Warehouse
from pipelines.sql import table_exists


def run_started_at(context: dg.AssetExecutionContext) -> dt.datetime | None:
    """When the Dagster run started (UTC), from the instance's record of it."""
    stats = context.instance.get_run_stats(context.run.run_id)
    if not stats.start_time:
        return None
    return dt.datetime.fromtimestamp(stats.start_time, dt.UTC).replace(tzinfo=None)


@dg.asset(
    key=["marts", "run_info"],
    deps=[
        *(["staging", e.stem] for e in EXTRACTS),
        *(["audit", t] for t in ("load_log", "return_info", "readings")),
    ],
    group_name="marts",
    kinds={*KINDS, "python"},
    pool=POOL,
)
def run_info(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """One row: the run, input and version behind the warehouse, and the as-at date."""
    folder = Path(warehouse.input_dir)
    configured = dt.date.fromisoformat(warehouse.as_at) if warehouse.as_at else None
    with warehouse.connect() as con:
        kind = (
            con.execute("SELECT any_value(format) FROM audit.load_log").fetchall()[0][0]
            if table_exists(con, "audit.load_log")
            else None
        )
        provenance = Provenance(
            run_id=context.run.run_id,
            started_at=run_started_at(context),
            input_format=kind or "unknown",
            input_dir=str(folder.resolve()),
            input_fingerprint=input_fingerprint(folder),
            frontdoor_version=frontdoor_version(),
            git_commit=git_commit(),
        )
        try:
            as_at = build_run_info(
                con, provenance, configured, warehouse.as_at_anyway, warehouse.la_code
            )
        except AsAtError as error:
            raise dg.Failure(description=str(error)) from None
        source = con.execute("SELECT as_at_source FROM marts.run_info").fetchall()[0][0]
        metadata = table_metadata(con, "marts.run_info")
    report(context, f"as at {as_at} ({source})")
    return dg.MaterializeResult(metadata={**metadata, "as_at": str(as_at), "as_at_source": source})
