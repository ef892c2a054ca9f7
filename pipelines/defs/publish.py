"""Publish: only when everything before succeeded, rename the new files over the old."""

from pathlib import Path

import dagster as dg

from pipelines.defs.report import report_html
from pipelines.progress import report
from pipelines.warehouse import Warehouse, publish


@dg.asset(key=["published"], deps=[report_html], group_name="publish")
def published(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """The analysts' warehouse and the managers' report, replaced atomically."""
    publish(warehouse.build_path(context.run.run_id), Path(warehouse.path))
    publish(warehouse.report_build_path(context.run.run_id), Path(warehouse.report_path))
    report(context, f"published {warehouse.path} and {warehouse.report_path}")
    return dg.MaterializeResult(
        metadata={"warehouse": warehouse.path, "report": warehouse.report_path}
    )
