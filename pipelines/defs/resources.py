"""The run's settings. `frontdoor run` passes them as run config; `dg launch`, the nightly
schedule and the sensor take them from FRONTDOOR_* environment variables or the defaults."""

import os

import dagster as dg

from pipelines.warehouse import DEFAULT_INPUT, DEFAULT_OUTPUT, Warehouse


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "warehouse": Warehouse(
                input_dir=os.environ.get("FRONTDOOR_INPUT", str(DEFAULT_INPUT)),
                path=os.environ.get(
                    "FRONTDOOR_WAREHOUSE", str(DEFAULT_OUTPUT / "warehouse.duckdb")
                ),
                report_path=os.environ.get("FRONTDOOR_REPORT", str(DEFAULT_OUTPUT / "report.html")),
                as_at=os.environ.get("FRONTDOOR_AS_AT") or None,
                cin_xsd_dir=os.environ.get("FRONTDOOR_CIN_XSD_DIR") or None,
            )
        },
        # One DuckDB writer and no per-step re-import: every job runs in-process.
        executor=dg.in_process_executor,
    )
