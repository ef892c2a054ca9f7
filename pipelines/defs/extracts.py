"""Extracts in: each file read and staged in one pass into staging.<stem> (typed) and
quarantine.<stem> (set aside), with what came in recorded in audit.* (LOAD_AUDIT).

Each table is its own asset, and this step is their one writer. The load is one pass over the
input folder (an Annex A workbook or a census file holds many extracts at once), so the step
cannot be subset: materialising any of its tables materialises them all, and no other step
writes them (tests/test_warehouse.py proves it from the asset graph and DuckDB's query log).
No copy of the rows as read is kept (issue 23) unless the run sets ``keep_raw`` (raw.<stem>: a
data-migration investigation's copy outside the asset graph). Two checks run with staging, per
extract (docs/validation.md):

- ``loaded`` (ERROR): the file loaded. A file that could not be read or lacks a required column
  (audit.load_log status 'failed') fails it, with the loader's message naming file and column.
  An absent file passes with status "absent". Blocking for the files every run needs.
- ``rows_reconcile`` (ERROR, blocking): rows read (audit.input_files) = staging rows +
  quarantined rows. A failure means rows went missing between file and staging, so no figure
  may be published.
"""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.contract import EXTRACTS
from pipelines.defs.metadata import KINDS, tables_metadata
from pipelines.run.progress import report
from pipelines.run.warehouse import POOL, Warehouse
from pipelines.sources.load import load_folder, needed_for_run, record_outcomes
from pipelines.sql import table_exists

# What the load records beside the rows: the audit tables it writes (pipelines/sources/load.py,
# names.py and readings.py), each an asset of this step.
LOAD_AUDIT = {
    "load_log": "Each extract of the contract: loaded, absent or failed, with its rows and message",
    "input_files": "Each input file: name, size, sha256, rows read, staged and quarantined",
    "reader_findings": "Oddities the statutory-return readers worked around, with file and line",
    "return_info": "The statutory return's own as-at date, council and files (one row)",
    "source_columns": "How the statutory return names each contract column",
    "readings": "The reader's own readings that fill a gap of the input format",
    "withheld_metrics": "Metrics this input cannot support, with the reason",
}


def load_audit_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["audit", table])


def staged_specs() -> list[dg.AssetSpec]:
    # Built in a function: the defs loader would take module-level specs for assets of their own.
    audit = [
        dg.AssetSpec(load_audit_key(t), group_name="audit", description=text, kinds=KINDS)
        for t, text in LOAD_AUDIT.items()
    ]
    return audit + [
        spec
        for e in EXTRACTS
        for spec in (
            dg.AssetSpec(
                ["staging", e.stem],
                group_name="staging",
                description=f"{e.filename} typed and keyed: {e.meaning}",
                kinds={*KINDS, "polars"},
            ),
            dg.AssetSpec(
                ["quarantine", e.stem],
                group_name="quarantine",
                description=f"rows of {e.filename} that cannot be used, each with its reason",
                kinds=KINDS,
            ),
        )
    ]


def staging_check_specs() -> list[dg.AssetCheckSpec]:
    return [
        spec
        for e in EXTRACTS
        for spec in (
            dg.AssetCheckSpec(
                "loaded",
                asset=["staging", e.stem],
                description=f"{e.filename} could be read and has every required column",
                blocking=e.needed_for_run,
            ),
            dg.AssetCheckSpec(
                "rows_reconcile",
                asset=["staging", e.stem],
                description=f"every row of {e.filename} is in staging or quarantine",
                blocking=True,
            ),
        )
    ]


@dg.multi_asset(
    specs=staged_specs(),
    check_specs=staging_check_specs(),
    name="stage_extracts",
    can_subset=False,
    pool=POOL,
)
def stage_extracts(
    context: dg.AssetExecutionContext, warehouse: Warehouse
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """Read and stage every extract the input folder holds, one file at a time; set aside each
    row that cannot be used. One bad file does not stop the others."""
    folder = Path(warehouse.input_dir)
    xsd_dir = Path(warehouse.cin_xsd_dir) if warehouse.cin_xsd_dir else None
    checks = {(key.asset_key.path[-1], key.name) for key in context.selected_asset_check_keys}
    with warehouse.connect() as con:
        kind, outcomes = load_folder(con, folder, xsd_dir, keep_raw=warehouse.keep_raw)
        record_outcomes(con, kind, outcomes)
        report(context, f"input: {folder} holds {kind} extracts")
        described = tables_metadata(
            con,
            [f"audit.{table}" for table in LOAD_AUDIT]
            + [f"{schema}.{o.stem}" for o in outcomes for schema in ("staging", "quarantine")],
        )
        for table in LOAD_AUDIT:
            yield dg.MaterializeResult(
                asset_key=load_audit_key(table), metadata=described[f"audit.{table}"]
            )
        blocking = []
        for o in outcomes:
            if o.status == "loaded":
                report(
                    context,
                    f"staging.{o.stem}: {o.rows:,} rows read from {o.file}, {o.staged:,} staged, "
                    f"{o.quarantined:,} quarantined",
                )
            elif o.status == "failed":
                report(context, f"staging.{o.stem}: FAILED {o.message}")
            if o.status != "loaded" and o.stem in needed_for_run(kind):
                blocking.append(o.message or f"no {o.stem} in the {kind} extracts in {folder}")
            for schema in ("staging", "quarantine"):
                yield dg.MaterializeResult(
                    asset_key=[schema, o.stem],
                    metadata={
                        **described[f"{schema}.{o.stem}"],
                        "status": o.status,
                        "file": o.file or "",
                        "message": o.message,
                    },
                )
            if (o.stem, "loaded") in checks:
                yield loaded_check(con, o.stem)
            if (o.stem, "rows_reconcile") in checks:
                yield reconcile_check(con, o.stem)
    if blocking:
        raise dg.Failure(
            description="An extract every run needs cannot be used: " + "; ".join(blocking)
        )


def _load_status(con: duckdb.DuckDBPyConnection, stem: str) -> tuple[str, str, str]:
    """(status, file, message) of the stem in audit.load_log; 'absent' when not recorded."""
    if not table_exists(con, "audit.load_log"):
        return "absent", "", ""
    rows = con.execute(
        "SELECT status, coalesce(file, ''), coalesce(message, '') FROM audit.load_log "
        "WHERE stem = ?",
        [stem],
    ).fetchall()
    return rows[0] if rows else ("absent", "", "")


def loaded_check(con: duckdb.DuckDBPyConnection, stem: str) -> dg.AssetCheckResult:
    status, file, message = _load_status(con, stem)
    return dg.AssetCheckResult(
        asset_key=["staging", stem],
        check_name="loaded",
        passed=status != "failed",
        severity=dg.AssetCheckSeverity.ERROR,
        description=message or None,
        metadata={"status": status, "file": file, "message": message},
    )


def reconcile_check(con: duckdb.DuckDBPyConnection, stem: str) -> dg.AssetCheckResult:
    """Rows read, as audit.input_files recorded them, against the rows now in staging and
    quarantine."""
    status, file, _ = _load_status(con, stem)
    if not (table_exists(con, "audit.input_files") and table_exists(con, f"staging.{stem}")):
        return dg.AssetCheckResult(
            asset_key=["staging", stem],
            check_name="rows_reconcile",
            passed=True,
            metadata={"status": "absent" if status != "failed" else "failed"},
        )
    raw, staged, quarantined = con.execute(
        "SELECT (SELECT coalesce(sum(rows_read), 0) FROM audit.input_files WHERE stem = ?), "
        f"(SELECT count(*) FROM staging.{stem}), (SELECT count(*) FROM quarantine.{stem})",
        [stem],
    ).fetchall()[0]
    ok = raw == staged + quarantined
    return dg.AssetCheckResult(
        asset_key=["staging", stem],
        check_name="rows_reconcile",
        passed=ok,
        severity=dg.AssetCheckSeverity.ERROR,
        description=None
        if ok
        else f"{file or stem + '.csv'}: {raw} rows read but {staged} staged + "
        f"{quarantined} quarantined",
        metadata={
            "status": "loaded",
            "raw_rows": raw,
            "staging_rows": staged,
            "quarantine_rows": quarantined,
        },
    )
