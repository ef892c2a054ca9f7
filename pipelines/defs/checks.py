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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

from pipelines.contract import EXTRACTS
from pipelines.progress import report
from pipelines.sql import table_exists
from pipelines.validation import build_data_quality
from pipelines.validation.frames import extract_date
from pipelines.validation.rules import create_work_tables, run_suite_sql
from pipelines.validation.suites import load_suite
from pipelines.warehouse import Warehouse


def _as_at(warehouse: Warehouse) -> dt.date | None:
    return dt.date.fromisoformat(warehouse.as_at) if warehouse.as_at else None


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
            if not (table_exists(con, f"raw.{e.stem}") and table_exists(con, f"staging.{e.stem}")):
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
    sql: dict[str, _SqlResult] = {}
    with warehouse.connect(context.run.run_id) as con:
        as_of = extract_date(con, _as_at(warehouse))
        for e in EXTRACTS:
            if table_exists(con, f"staging.{e.stem}"):
                sql[e.stem] = _suite_sql(con, e.stem, as_of, sample_frame)
            else:
                status = _load_status(con, e.stem)[0]
                yield dg.AssetCheckResult(
                    asset_key=dg.AssetKey(["staging", e.stem]),
                    check_name="suite",
                    passed=True,
                    metadata={"status": status},
                )
    t = time.perf_counter()  # GX's time from here includes its import on first use
    for stem, found in sql.items():
        outcomes = validate_frame(stem, found.frame, load_suite(stem))
        gx_failed = [o for o in outcomes if not o.success]
        # GX sees every row SQL flagged (up to FLAGGED_ROWS): a line GX flags that SQL did not
        # means the SQL translation of the suite is wrong. GX counts every copy of a duplicate
        # id, SQL the later copies only, so that rule is not compared.
        disagree = {
            f"{o.rule}:{o.column}": sorted(extra)
            for o in gx_failed
            if o.rule != "duplicate_id"
            and (extra := set(o.lines) - found.lines.get(f"{o.rule}:{o.column}", set()))
        }
        yield dg.AssetCheckResult(
            asset_key=dg.AssetKey(["staging", stem]),
            check_name="suite",
            passed=not found.counts and not gx_failed,
            severity=dg.AssetCheckSeverity.WARN,
            description=(
                "; ".join(
                    f"{k}: {n} rows (e.g. lines {sorted(found.lines[k])[:5]})"
                    for k, n in found.counts.items()
                )
                or None
            ),
            metadata={
                "status": "loaded",
                "rows": found.rows,
                "sql_findings": found.counts,
                "gx_sample_rows": len(found.frame),
                "gx_failed": {
                    f"{o.rule}:{o.column}": o.error or o.unexpected_count for o in gx_failed
                },
                "gx_sql_disagree": disagree,
            },
        )
    gx_seconds = time.perf_counter() - t
    total = time.perf_counter() - started
    report(
        context.op_execution_context,
        f"suites: {total:.1f} s, of which Great Expectations {gx_seconds:.1f} s",
    )


@dataclass
class _SqlResult:
    """One stem's suite over every row in SQL, and the frame GX will see."""

    rows: int
    counts: dict[str, int]  # "rule:column" -> rows failing
    lines: dict[str, set[int]]  # "rule:column" -> their lines
    frame: Any  # pandas.DataFrame: the sample plus the flagged rows


def _suite_sql(
    con: duckdb.DuckDBPyConnection,
    stem: str,
    as_of: dt.date | None,
    sample_frame: Callable[..., Any],
) -> _SqlResult:
    create_work_tables(con)
    run_suite_sql(con, stem, as_of)
    lines: dict[str, set[int]] = {}
    counts: dict[str, int] = {}
    for rule, column, line in con.execute(
        "SELECT rule, column_name, line FROM dq_findings"
    ).fetchall():
        key = f"{rule}:{column}"
        counts[key] = counts.get(key, 0) + 1
        if line is not None:
            lines.setdefault(key, set()).add(line)
    flagged = sorted(set().union(*lines.values())) if lines else []
    rows = con.execute(f"SELECT count(*) FROM staging.{stem}").fetchall()[0][0]
    return _SqlResult(rows, counts, lines, sample_frame(con, stem, as_of, flagged_lines=flagged))


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
