"""ref.calendar: England and Wales working days, the one definition of wd(a, b)."""

import dagster as dg

from pipelines.defs.metadata import KINDS, table_metadata
from pipelines.run.progress import report
from pipelines.run.warehouse import POOL, Warehouse
from pipelines.staging.calendar import build_calendar


@dg.asset(key=["ref", "calendar"], group_name="ref", kinds={*KINDS, "python"}, pool=POOL)
def calendar(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """One row per date with its working-day flag, bank holiday and running working-day index."""
    with warehouse.connect() as con:
        days = build_calendar(con)
        metadata = table_metadata(con, "ref.calendar")
    report(context, f"ref.calendar: {days:,} dates")
    return dg.MaterializeResult(metadata=metadata)
