"""Asset checks on staging/<stem>, and the marts/data_quality asset (docs/validation.md).

Per extract stem, three checks:

- ``loaded`` (ERROR): the file loaded. A file that could not be read or lacks a required column
  (audit.load_log status 'failed') fails it, with the loader's message naming file and column.
  An absent file passes with metadata status "absent". Blocking for the files every run needs.
- ``rows_reconcile`` (ERROR, blocking): raw rows = staging rows + quarantined rows. A failure
  means rows went missing between file and staging, so no figure may be published.
- ``suite`` (WARN): the stem's expectations/<stem>.json over every row in SQL, and Great
  Expectations on a bounded sample. Findings warn; the rows are in marts.data_quality_rows.

The checks are grouped into two multi-asset checks (one step each) so GX is imported once. Every
spec is ``blocking``: an ERROR failure stops what is downstream, and a WARN result blocks nothing,
but either way the checks finish before the marts (and so before publish renames the file).
"""

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.contract import EXTRACTS
from pipelines.progress import report
from pipelines.validation import build_data_quality
from pipelines.validation.frames import extract_date, table_exists
from pipelines.validation.rules import create_work_tables, run_suite_sql
from pipelines.validation.suites import load_suite
from pipelines.warehouse import Warehouse


def _as_at(warehouse: Warehouse) -> dt.date | None:
    return dt.date.fromisoformat(warehouse.as_at) if warehouse.as_at else None


def _load_status(con: duckdb.DuckDBPyConnection, stem: str) -> tuple[str, str, str]:
    """(status, file, message) of the stem in audit.load_log; 'absent' when not recorded."""
    if not table_exists(con, "audit", "load_log"):
        return "absent", "", ""
    rows = con.execute(
        "SELECT status, coalesce(file, ''), coalesce(message, '') FROM audit.load_log "
        "WHERE stem = ?",
        [stem],
    ).fetchall()
    return rows[0] if rows else ("absent", "", "")


@dg.multi_asset_check(
    specs=[
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
    ],
    name="extract_checks",
)
def extract_checks(
    context: dg.AssetCheckExecutionContext, warehouse: Warehouse
) -> Iterator[dg.AssetCheckResult]:
    """Structural checks: each file loaded, and raw = staging + quarantine."""
    with warehouse.connect(context.run.run_id) as con:
        for e in EXTRACTS:
            key = dg.AssetKey(["staging", e.stem])
            status, file, message = _load_status(con, e.stem)
            yield dg.AssetCheckResult(
                asset_key=key,
                check_name="loaded",
                passed=status != "failed",
                severity=dg.AssetCheckSeverity.ERROR,
                description=message or None,
                metadata={"status": status, "file": file, "message": message},
            )
            if not (table_exists(con, "raw", e.stem) and table_exists(con, "staging", e.stem)):
                yield dg.AssetCheckResult(
                    asset_key=key,
                    check_name="rows_reconcile",
                    passed=True,
                    metadata={"status": "absent" if status != "failed" else "failed"},
                )
                continue
            raw, staged, quarantined = con.execute(
                f"SELECT (SELECT count(*) FROM raw.{e.stem}), "
                f"(SELECT count(*) FROM staging.{e.stem}), "
                f"(SELECT count(*) FROM quarantine.{e.stem})"
            ).fetchall()[0]
            ok = raw == staged + quarantined
            yield dg.AssetCheckResult(
                asset_key=key,
                check_name="rows_reconcile",
                passed=ok,
                severity=dg.AssetCheckSeverity.ERROR,
                description=None
                if ok
                else f"{file or e.filename}: {raw} rows read but {staged} staged + "
                f"{quarantined} quarantined",
                metadata={
                    "status": "loaded",
                    "raw_rows": raw,
                    "staging_rows": staged,
                    "quarantine_rows": quarantined,
                },
            )


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(
            "suite",
            asset=["staging", e.stem],
            description=f"expectations/{e.stem}.json: every row in SQL, a sample in GX",
            blocking=True,
        )
        for e in EXTRACTS
    ],
    name="suites",
)
def suites(
    context: dg.AssetCheckExecutionContext, warehouse: Warehouse
) -> Iterator[dg.AssetCheckResult]:
    """Each stem's suite: SQL counts over every row, GX on a bounded sample (WARN)."""
    from pipelines.validation.gx_runner import sample_frame, validate_frame

    started = time.perf_counter()
    gx_seconds = 0.0
    with warehouse.connect(context.run.run_id) as con:
        as_of = extract_date(con, _as_at(warehouse))
        for e in EXTRACTS:
            key = dg.AssetKey(["staging", e.stem])
            if not table_exists(con, "staging", e.stem):
                status = _load_status(con, e.stem)[0]
                yield dg.AssetCheckResult(
                    asset_key=key, check_name="suite", passed=True, metadata={"status": status}
                )
                continue
            create_work_tables(con)
            run_suite_sql(con, e.stem, as_of)
            counts = con.execute(
                "SELECT rule, column_name, count(*), list(line ORDER BY line)[1:5] "
                "FROM dq_findings GROUP BY ALL ORDER BY ALL"
            ).fetchall()
            flagged = [
                r[0]
                for r in con.execute(
                    "SELECT DISTINCT line FROM dq_findings WHERE line IS NOT NULL"
                ).fetchall()
            ]
            frame = sample_frame(con, e.stem, as_of, flagged_lines=flagged)
            t = time.perf_counter()
            outcomes = validate_frame(e.stem, frame, load_suite(e.stem))
            t_gx = time.perf_counter() - t
            gx_seconds += t_gx
            gx_failed = [o for o in outcomes if not o.success]
            # GX sees every row SQL flagged (up to FLAGGED_ROWS): a line GX flags that SQL did
            # not means the SQL translation of the suite is wrong. GX counts every copy of a
            # duplicate id, SQL the later copies only, so that rule is not compared.
            sql_lines: dict[tuple[str, str], set[int]] = {}
            for rule, column, line in con.execute(
                "SELECT rule, column_name, line FROM dq_findings WHERE line IS NOT NULL"
            ).fetchall():
                sql_lines.setdefault((rule, column), set()).add(line)
            disagree = {
                f"{o.rule}:{o.column}": sorted(extra)
                for o in gx_failed
                if o.rule != "duplicate_id"
                and (extra := set(o.lines) - sql_lines.get((o.rule, o.column), set()))
            }
            findings = {f"{rule}:{column}": n for rule, column, n, _ in counts}
            examples = {f"{rule}:{column}": lines for rule, column, _, lines in counts}
            yield dg.AssetCheckResult(
                asset_key=key,
                check_name="suite",
                passed=not counts and not gx_failed,
                severity=dg.AssetCheckSeverity.WARN,
                description=(
                    "; ".join(
                        f"{k}: {n} rows (e.g. lines {examples[k]})" for k, n in findings.items()
                    )
                    or None
                ),
                metadata={
                    "status": "loaded",
                    "rows": con.execute(f"SELECT count(*) FROM staging.{e.stem}").fetchall()[0][0],
                    "sql_findings": findings,
                    "gx_sample_rows": len(frame),
                    "gx_failed": {
                        f"{o.rule}:{o.column}": o.error or o.unexpected_count for o in gx_failed
                    },
                    "gx_sql_disagree": disagree,
                    "gx_seconds": round(t_gx, 2),
                },
            )
    total = time.perf_counter() - started
    report(
        context.op_execution_context,
        f"suites: {total:.1f} s, of which Great Expectations {gx_seconds:.1f} s",
    )


@dg.asset(
    key=["marts", "data_quality"],
    deps=[
        *(["staging", e.stem] for e in EXTRACTS),
        *(["quarantine", e.stem] for e in EXTRACTS),
    ],
    group_name="marts",
)
def data_quality(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """Every data-quality rule's outcome per file and run, with the history of earlier runs."""
    previous = Path(warehouse.path)
    if not warehouse.build_path(context.run.run_id).exists():
        # The build file has been published (renamed) already: writing now would start a new,
        # empty file. marts/data_quality must be upstream of the report (see docs/validation.md).
        raise dg.Failure(description="marts/data_quality ran after publish: no build file")
    with warehouse.connect(context.run.run_id) as con:
        added = build_data_quality(
            con, context.run.run_id, previous if previous.exists() else None, _as_at(warehouse)
        )
        failing, rows = con.execute(
            "SELECT count(*) FILTER (WHERE rows_failed > 0), sum(rows_failed) "
            "FROM marts.data_quality WHERE run_id = ?",
            [context.run.run_id],
        ).fetchall()[0]
    report(context, f"marts.data_quality: {added} rules checked, {failing} with findings")
    return dg.MaterializeResult(
        metadata={"rules": added, "rules_with_findings": failing, "rows_failed": int(rows or 0)}
    )
