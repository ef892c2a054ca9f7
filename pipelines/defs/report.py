"""The managers' report: one self-contained HTML page, built in the working folder; the release
publishes it beside the warehouse it was built from."""

from pathlib import Path

import dagster as dg

from pipelines.report import build_report
from pipelines.run.progress import report
from pipelines.run.warehouse import POOL, Warehouse


@dg.asset(
    key=["report"],
    deps=[["marts", "metric_values"], ["marts", "data_quality"], ["marts", "run_info"]],
    group_name="report",
    kinds={"plotly", "html"},
    pool=POOL,
)
def report_html(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """The HTML report for service managers: aggregates only, small numbers suppressed."""
    out = warehouse.report_build_path
    with warehouse.connect() as con:
        built = build_report(
            con, out, targets_csv=Path(warehouse.targets) if warehouse.targets else None
        )
    report(context, f"report: {built.size_bytes / 1e6:.1f} MB")
    return dg.MaterializeResult(
        metadata={"path": str(out), "bytes": built.size_bytes, "figures": built.figures}
    )
