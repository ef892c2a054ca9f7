"""The managers' report: one self-contained HTML page, built beside the published one."""

import dagster as dg

from pipelines.defs.checks import data_quality
from pipelines.defs.marts import metric_values
from pipelines.progress import report
from pipelines.report import build_report
from pipelines.warehouse import Warehouse


@dg.asset(key=["report"], deps=[metric_values, data_quality], group_name="report")
def report_html(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """The HTML report for service managers: aggregates only, small numbers suppressed."""
    out = warehouse.report_build_path(context.run.run_id)
    with warehouse.connect(context.run.run_id) as con:
        build_report(con, out)
    size = out.stat().st_size
    report(context, f"report: {size / 1e6:.1f} MB")
    return dg.MaterializeResult(metadata={"bytes": size})
