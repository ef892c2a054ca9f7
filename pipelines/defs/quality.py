"""marts.data_quality and marts.data_quality_rows: every rule's outcome, this run beside the
earlier ones (pipelines/validation/quality.py)."""

from collections.abc import Iterator

import dagster as dg

from pipelines.contract import EXTRACTS
from pipelines.defs.metadata import KINDS, table_metadata
from pipelines.defs.validation import CHECK_RESULTS
from pipelines.run.progress import report
from pipelines.run.warehouse import POOL, Warehouse
from pipelines.validation import build_data_quality

# What the data-quality tables read: the rows, the load's audit and the SQL rules' results.
READS = [
    *(dg.AssetKey(["staging", e.stem]) for e in EXTRACTS),
    *(dg.AssetKey(["quarantine", e.stem]) for e in EXTRACTS),
    *(dg.AssetKey(["audit", t]) for t in ("load_log", "input_files", "reader_findings")),
    *CHECK_RESULTS,
    dg.AssetKey(["marts", "run_info"]),
]


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["marts", "data_quality"],
            # run_info gives the as-at date.
            deps=READS,
            description="One row per data-quality rule, file and run, with every earlier run.",
            group_name="quality",
            kinds=KINDS,
        ),
        dg.AssetSpec(
            ["marts", "data_quality_rows"],
            deps=READS,
            description="One row per finding of the latest run: the file and line behind each count.",
            group_name="quality",
            kinds=KINDS,
        ),
    ],
    name="data_quality",
    can_subset=True,
    pool=POOL,
)
def data_quality(
    context: dg.AssetExecutionContext, warehouse: Warehouse
) -> Iterator[dg.MaterializeResult]:
    """Every data-quality rule's outcome per file and run, with the history of earlier runs."""
    tables = [key.path[-1] for key in context.selected_asset_keys]
    with warehouse.connect() as con:
        added = build_data_quality(con, context.run.run_id, tables)
        failing = con.execute(
            "SELECT count(*) FILTER (WHERE rows_failed > 0) FROM dq_this_run"
        ).fetchall()[0][0]
        for table in tables:
            yield dg.MaterializeResult(
                asset_key=["marts", table], metadata=table_metadata(con, f"marts.{table}")
            )
    report(context, f"marts.data_quality: {added} rules checked, {failing} with findings")
