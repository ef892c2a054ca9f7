"""Extracts in: raw.<stem> as read, then staging.<stem> typed and quarantine.<stem> set aside."""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from pipelines.contract import EXTRACTS
from pipelines.errors import ExtractError
from pipelines.progress import report
from pipelines.sources.load import load_folder, needed_for_run, record_outcomes
from pipelines.staging import build_staging
from pipelines.warehouse import Warehouse


def raw_specs() -> list[dg.AssetSpec]:
    # Built in a function: the defs loader would take module-level specs for assets of their own.
    return [
        dg.AssetSpec(
            ["raw", e.stem], group_name="raw", description=f"{e.filename} as read: {e.meaning}"
        )
        for e in EXTRACTS
    ]


def staged_specs() -> list[dg.AssetSpec]:
    return [
        spec
        for e in EXTRACTS
        for spec in (
            dg.AssetSpec(
                ["staging", e.stem],
                deps=[["raw", e.stem]],
                group_name="staging",
                description=f"{e.filename} typed and keyed: {e.meaning}",
            ),
            dg.AssetSpec(
                ["quarantine", e.stem],
                deps=[["raw", e.stem]],
                group_name="quarantine",
                description=f"rows of {e.filename} that cannot be used, each with its reason",
            ),
        )
    ]


@dg.multi_asset(specs=raw_specs(), name="load_extracts")
def load_extracts(
    context: dg.AssetExecutionContext, warehouse: Warehouse
) -> Iterator[dg.MaterializeResult]:
    """Load every extract the input folder holds; one bad file does not stop the others."""
    folder = Path(warehouse.input_dir)
    xsd_dir = Path(warehouse.cin_xsd_dir) if warehouse.cin_xsd_dir else None
    with warehouse.connect(context.run.run_id) as con:
        kind, outcomes = load_folder(con, folder, xsd_dir)
        record_outcomes(con, kind, outcomes)
    report(context, f"input: {folder} holds {kind} extracts")
    blocking = []
    for o in outcomes:
        if o.status == "loaded":
            report(context, f"raw.{o.stem}: {o.rows:,} rows from {o.file}")
        elif o.status == "failed":
            report(context, f"raw.{o.stem}: FAILED {o.message}")
        if o.status != "loaded" and o.stem in needed_for_run(kind):
            blocking.append(o.message or f"no {o.stem} in the {kind} extracts in {folder}")
        yield dg.MaterializeResult(
            asset_key=["raw", o.stem],
            metadata={
                "status": o.status,
                "rows": o.rows,
                "file": o.file or "",
                "message": o.message,
            },
        )
    if blocking:
        raise dg.Failure(
            description="An extract every run needs cannot be used: " + "; ".join(blocking)
        )


@dg.multi_asset(specs=staged_specs(), name="stage_extracts")
def stage_extracts(
    context: dg.AssetExecutionContext, warehouse: Warehouse
) -> Iterator[dg.MaterializeResult]:
    """Type and key every loaded extract; set aside each row that cannot be used."""
    with warehouse.connect(context.run.run_id) as con:
        loaded = {
            row[0]
            for row in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw'"
            ).fetchall()
        }
        for e in EXTRACTS:
            status, message = ("absent", "") if e.stem not in loaded else ("loaded", "")
            if status == "loaded":
                try:
                    counts = build_staging(con, e)
                except ExtractError as error:
                    # A reader's raw table that cannot be staged blocks this extract only.
                    status, message = "failed", str(error)
                    report(context, f"staging.{e.stem}: FAILED {message}")
            if status != "loaded":
                for schema in ("staging", "quarantine"):
                    yield dg.MaterializeResult(
                        asset_key=[schema, e.stem], metadata={"status": status, "message": message}
                    )
                continue
            report(
                context,
                f"staging.{e.stem}: {counts.staged:,} rows staged, {counts.quarantined:,} quarantined",
            )
            yield dg.MaterializeResult(
                asset_key=["staging", e.stem],
                metadata={"status": "loaded", "rows": counts.staged, "raw_rows": counts.raw},
            )
            yield dg.MaterializeResult(
                asset_key=["quarantine", e.stem],
                metadata={"status": "loaded", "rows": counts.quarantined},
            )
