"""ref.calendar: England and Wales working days, the one definition of wd(a, b)."""

import dagster as dg

from pipelines.calendar import build_calendar
from pipelines.progress import report
from pipelines.warehouse import Warehouse


@dg.asset(key=["ref", "calendar"], group_name="ref")
def calendar(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """One row per date with its working-day flag, bank holiday and running working-day index."""
    with warehouse.connect(context.run.run_id) as con:
        days = build_calendar(con)
    report(context, f"ref.calendar: {days:,} dates")
    return dg.MaterializeResult(metadata={"rows": days})
