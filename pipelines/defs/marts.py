"""marts.*: the row-level facts and marts.metric_values, from sql/marts/*.sql."""

import datetime as dt

import dagster as dg
import duckdb

from pipelines.contract import EXTRACTS
from pipelines.defs.calendar import calendar
from pipelines.marts import build_marts
from pipelines.metrics import UNSUPPORTED_METRICS
from pipelines.progress import report
from pipelines.warehouse import Warehouse


def withhold_unsupported(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Delete the metrics the run's input format cannot support (docs/formats.md).

    An Annex A list has no contact decision date, the CIN census no contacts at all: a figure
    computed from what is not there would be invented or falsely zero, so it is not written.
    """
    (kind,) = con.execute("SELECT any_value(format) FROM audit.load_log").fetchall()[0]
    withheld = sorted(UNSUPPORTED_METRICS.get(kind, {}))
    if withheld:
        con.execute("DELETE FROM marts.metric_values WHERE metric_id IN ?", [withheld])
    return withheld


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
        withheld = withhold_unsupported(con)
        rows, metrics = con.execute(
            "SELECT count(*), count(DISTINCT metric_id) FROM marts.metric_values"
        ).fetchall()[0]
    if withheld:
        report(context, f"not supported by this input format, not written: {', '.join(withheld)}")
    report(
        context,
        f"marts: {rows:,} metric values, {metrics} metrics, "
        f"as at {result.as_at}, {len(result.files_skipped)} SQL files skipped for absent inputs",
    )
    return dg.MaterializeResult(
        metadata={
            "as_at": str(result.as_at),
            "rows": rows,
            "metrics": metrics,
            "skipped": ", ".join(result.files_skipped),
        }
    )
