"""The validation checks on staging.<stem>, run once per run (docs/validation.md).

- ``suite`` (WARN), per extract: the stem's expectations/<stem>.json over every row in SQL, and
  Great Expectations on a bounded sample, in the worker process the run started at its beginning
  (so GX's import is off the critical path). A line GX flags that SQL did not means the SQL
  translation of the suite is wrong: the check says so.
- one check per cross-file rule (sql/checks/*.sql) and extract it judges (WARN).

Findings warn and block nothing; every spec is ``blocking`` so the checks finish before what
depends on staging (marts/data_quality reads their results from audit.check_rules).
"""

import datetime as dt
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.contract import EXTRACTS
from pipelines.defs.resources import GreatExpectations
from pipelines.progress import report
from pipelines.sql import table_exists
from pipelines.validation.frames import extract_date
from pipelines.validation.gx_runner import write_sample
from pipelines.validation.quality import evaluate_checks, record_checks
from pipelines.validation.rules import cross_checks
from pipelines.warehouse import POOL, Warehouse


def check_specs() -> list[dg.AssetCheckSpec]:
    suites = [
        dg.AssetCheckSpec(
            "suite",
            asset=["staging", e.stem],
            description=f"expectations/{e.stem}.json: every row in SQL, a sample in GX",
            blocking=True,
        )
        for e in EXTRACTS
    ]
    rules = [
        dg.AssetCheckSpec(
            check.rule,
            asset=["staging", stem],
            description=f"sql/checks/{check.path.name}: {check.description}",
            blocking=True,
        )
        for check in cross_checks()
        for stem in check.stems
    ]
    return suites + rules


@dg.multi_asset_check(specs=check_specs(), name="validation", can_subset=True, pool=POOL)
def validation(
    context: dg.AssetCheckExecutionContext,
    warehouse: Warehouse,
    great_expectations: GreatExpectations,
) -> Iterator[dg.AssetCheckResult]:
    """Each extract's suite and the cross-file rules, over every row; results kept in audit."""
    started = time.perf_counter()
    selected = {(key.asset_key.path[-1], key.name) for key in context.selected_asset_check_keys}
    stems = [e.stem for e in EXTRACTS if any(s == e.stem for s, _ in selected)]
    as_at = dt.date.fromisoformat(warehouse.as_at) if warehouse.as_at else None
    with tempfile.TemporaryDirectory(prefix="gx-", dir=_mkdir(warehouse.work_dir)) as tmp:
        with warehouse.connect() as con:
            evaluate_checks(con, stems, as_at)
            record_checks(con, stems)
            found = _findings(con)
            as_of = extract_date(con, as_at)
            samples = {
                stem: write_sample(
                    con, stem, as_of, Path(tmp) / f"{stem}.parquet", _lines(found, stem)
                )
                for stem in stems
                if (stem, "suite") in selected and table_exists(con, f"staging.{stem}")
            }
            rows = {stem: _count(con, stem) for stem in samples}
            for stem, rule in sorted(selected):
                if rule != "suite":
                    yield _cross_file_result(con, stem, rule, found)
                elif stem not in samples:
                    yield dg.AssetCheckResult(
                        asset_key=["staging", stem],
                        check_name="suite",
                        passed=True,
                        metadata={"status": _status(con, stem)},
                    )
        # The warehouse is closed: GX works on its own copies of the samples.
        t = time.perf_counter()
        for stem, frame in samples.items():
            yield _suite_result(stem, rows[stem], found, great_expectations.validate(stem, frame))
        gx_seconds = time.perf_counter() - t
    report(
        context.op_execution_context,
        f"validation: {time.perf_counter() - started:.1f} s, of which waiting for Great "
        f"Expectations {gx_seconds:.1f} s",
    )


def _mkdir(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


Found = dict[tuple[str, str, str], list[int | None]]  # (kind, stem, "rule:column") -> lines


def _findings(con: duckdb.DuckDBPyConnection) -> Found:
    found: Found = {}
    for kind, rule, stem, column, line in con.execute(
        "SELECT kind, rule, stem, column_name, line FROM dq_findings"
    ).fetchall():
        key = rule if kind == "cross_file" else f"{rule}:{column}"
        found.setdefault((kind, stem, key), []).append(line)
    return found


def _lines(found: Found, stem: str) -> list[int]:
    """Every line SQL flagged in the stem's suite: GX must see those rows too."""
    return sorted(
        {
            n
            for (kind, s, _), lines in found.items()
            if kind == "rule" and s == stem
            for n in lines
            if n is not None
        }
    )


def _count(con: duckdb.DuckDBPyConnection, stem: str) -> int:
    return con.execute(f"SELECT count(*) FROM staging.{stem}").fetchall()[0][0]


def _status(con: duckdb.DuckDBPyConnection, stem: str) -> str:
    if not table_exists(con, "audit.load_log"):
        return "absent"
    rows = con.execute("SELECT status FROM audit.load_log WHERE stem = ?", [stem]).fetchall()
    return rows[0][0] if rows else "absent"


def _cross_file_result(
    con: duckdb.DuckDBPyConnection, stem: str, rule: str, found: Found
) -> dg.AssetCheckResult:
    evaluated = con.execute(
        "SELECT count(*) FROM dq_rules WHERE kind = 'cross_file' AND rule = ? AND stem = ?",
        [rule, stem],
    ).fetchall()[0][0]
    lines = found.get(("cross_file", stem, rule), [])
    if not evaluated:
        return dg.AssetCheckResult(
            asset_key=["staging", stem],
            check_name=rule,
            passed=True,
            metadata={"status": "not evaluated: a file it needs is absent"},
        )
    return dg.AssetCheckResult(
        asset_key=["staging", stem],
        check_name=rule,
        passed=not lines,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            f"{len(lines)} rows (e.g. lines {sorted(n for n in lines if n is not None)[:5]})"
            if lines
            else None
        ),
        metadata={"status": "loaded", "rows_failed": len(lines)},
    )


def _suite_result(stem: str, rows: int, found: Found, outcomes: list) -> dg.AssetCheckResult:
    counts = {
        key: len(lines) for (kind, s, key), lines in found.items() if kind == "rule" and s == stem
    }
    lines = {
        key: {n for n in found_lines if n is not None}
        for (kind, s, key), found_lines in found.items()
        if kind == "rule" and s == stem
    }
    gx_failed = [o for o in outcomes if not o.success]
    # GX counts every copy of a duplicate id, SQL the later copies only: not compared.
    disagree = {
        f"{o.rule}:{o.column}": sorted(extra)
        for o in gx_failed
        if o.rule != "duplicate_id"
        and (extra := set(o.lines) - lines.get(f"{o.rule}:{o.column}", set()))
    }
    return dg.AssetCheckResult(
        asset_key=["staging", stem],
        check_name="suite",
        passed=not counts and not gx_failed,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            "; ".join(
                f"{k}: {n} rows (e.g. lines {sorted(lines[k])[:5]})" for k, n in counts.items()
            )
            or None
        ),
        metadata={
            "status": "loaded",
            "rows": rows,
            "sql_findings": counts,
            "gx_failed": {f"{o.rule}:{o.column}": o.error or o.unexpected_count for o in gx_failed},
            "gx_sql_disagree": disagree,
        },
    )
