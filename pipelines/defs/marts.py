"""marts.*: the row-level facts and marts.metric_values, from sql/marts/*.sql."""

import datetime as dt

import dagster as dg

from pipelines.contract import EXTRACTS
from pipelines.defs.calendar import calendar
from pipelines.marts import build_marts
from pipelines.progress import report
from pipelines.warehouse import Warehouse


@dg.asset(
    key=["marts", "metric_values"],
    deps=[calendar, *(["staging", e.stem] for e in EXTRACTS)],
    group_name="marts",
)
def metric_values(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """Every metric of the catalogue by month and financial year, for all and by team."""
    as_at = dt.date.fromisoformat(warehouse.as_at) if warehouse.as_at else None
    with warehouse.connect(context.run.run_id) as con:
        result = build_marts(con, as_at=as_at)
        metrics = con.execute(
            "SELECT count(DISTINCT metric_id) FROM marts.metric_values"
        ).fetchall()[0][0]
    report(
        context,
        f"marts: {result.metric_values_rows:,} metric values, {metrics} metrics, "
        f"as at {result.as_at}, {len(result.files_skipped)} SQL files skipped for absent inputs",
    )
    return dg.MaterializeResult(
        metadata={
            "as_at": str(result.as_at),
            "rows": result.metric_values_rows,
            "metrics": metrics,
            "skipped": ", ".join(result.files_skipped),
        }
    )
