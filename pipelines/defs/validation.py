"""The validation of staging.<stem>, run once per run (docs/validation.md).

The SQL rules are evaluated by the asset ``check_results`` (audit.check_rules and
audit.check_findings, its one writer); the asset checks read their outcome from there:

- ``suite`` (WARN), per extract: the stem's expectations/<stem>.json over every row, in SQL.
- one check per cross-file rule (sql/checks/*.sql) and extract it judges (WARN).
- ``great_expectations`` (WARN), per extract: the same suite run by Great Expectations on a
  bounded sample, the independent second opinion. The validation step hands the samples to the
  GX worker the run started at its beginning and goes on; this check takes the answers last,
  after the release (so GX works beside the metrics, the report and the release, and nothing
  waits for it). A line GX flags that SQL did not means the SQL translation of the suite is
  wrong: the check says so.

Findings warn and block nothing: marts/data_quality reads the findings from the asset, not from
the checks, so no check holds up what depends on staging.
"""

import datetime as dt
import time
from collections.abc import Iterator

import dagster as dg
import duckdb

from pipelines.contract import EXTRACTS
from pipelines.defs.metadata import KINDS, table_metadata
from pipelines.defs.resources import GreatExpectations
from pipelines.run.progress import report
from pipelines.run.warehouse import POOL, Warehouse
from pipelines.sql import table_exists
from pipelines.validation.frames import extract_date
from pipelines.validation.gx_runner import write_sample
from pipelines.validation.quality import evaluate_checks, record_checks
from pipelines.validation.rules import cross_checks

CHECK_TABLES = {
    "check_rules": "The latest result of every suite and cross-file rule, one row a rule and file",
    "check_findings": "The rows behind audit.check_rules: file, line and column of each finding",
}
CHECK_RESULTS = [dg.AssetKey(["audit", table]) for table in CHECK_TABLES]


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key,
            deps=[*(["staging", e.stem] for e in EXTRACTS), ["audit", "load_log"]],
            description=text,
            group_name="audit",
            kinds={*KINDS, "sql"},
        )
        for key, text in zip(CHECK_RESULTS, CHECK_TABLES.values(), strict=True)
    ],
    name="check_results",
    can_subset=False,  # one evaluation writes both tables
    pool=POOL,
)
def check_results(
    context: dg.AssetExecutionContext, warehouse: Warehouse
) -> Iterator[dg.MaterializeResult]:
    """Every extract's suite and the cross-file rules over every row, in SQL; kept in audit."""
    started = time.perf_counter()
    as_at = dt.date.fromisoformat(warehouse.as_at) if warehouse.as_at else None
    stems = [e.stem for e in EXTRACTS]
    with warehouse.connect() as con:
        evaluate_checks(con, stems, as_at)
        record_checks(con, stems)
        for table in CHECK_TABLES:
            yield dg.MaterializeResult(
                asset_key=["audit", table], metadata=table_metadata(con, f"audit.{table}")
            )
    report(context, f"validation rules: {time.perf_counter() - started:.1f} s")


def check_specs() -> list[dg.AssetCheckSpec]:
    suites = [
        dg.AssetCheckSpec(
            "suite",
            asset=["staging", e.stem],
            description=f"expectations/{e.stem}.json: every row in SQL, a sample in GX",
            additional_deps=CHECK_RESULTS,
        )
        for e in EXTRACTS
    ]
    rules = [
        dg.AssetCheckSpec(
            check.rule,
            asset=["staging", stem],
            description=f"sql/checks/{check.path.name}: {check.description}",
            additional_deps=CHECK_RESULTS,
        )
        for check in cross_checks()
        for stem in check.stems
    ]
    return suites + rules


def gx_specs() -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            "great_expectations",
            asset=["staging", e.stem],
            description=f"expectations/{e.stem}.json run by Great Expectations on a sample: "
            "fails when GX flags a line SQL did not",
            # Last, after the release: GX answers while the metrics, the report and the release
            # are made, and none of them waits for it (its findings warn and block nothing).
            additional_deps=[dg.AssetKey(["release"])],
        )
        for e in EXTRACTS
    ]


@dg.multi_asset_check(specs=check_specs(), name="validation", can_subset=True, pool=POOL)
def validation(
    context: dg.AssetCheckExecutionContext,
    warehouse: Warehouse,
    great_expectations: GreatExpectations,
) -> Iterator[dg.AssetCheckResult]:
    """Each extract's suite and the cross-file rules, as check_results found them. Each
    extract's sample goes to the Great Expectations worker, answered while the run goes on."""
    started = time.perf_counter()
    selected = {(key.asset_key.path[-1], key.name) for key in context.selected_asset_check_keys}
    as_at = dt.date.fromisoformat(warehouse.as_at) if warehouse.as_at else None
    samples = great_expectations.samples_dir(warehouse.work_dir)
    with warehouse.connect() as con:
        found = _findings(con)
        as_of = extract_date(con, as_at)
        for stem, rule in sorted(selected):
            if rule != "suite":
                yield _cross_file_result(con, stem, rule, found)
            elif not table_exists(con, f"staging.{stem}"):
                yield dg.AssetCheckResult(
                    asset_key=["staging", stem],
                    check_name="suite",
                    passed=True,
                    metadata={"status": _status(con, stem)},
                )
            else:
                frame = write_sample(
                    con, stem, as_of, samples / f"{stem}.parquet", _lines(found, stem)
                )
                great_expectations.submit(stem, frame, _suite_findings(found, stem))
                yield _suite_result(stem, _count(con, stem), found)
    report(
        context.op_execution_context,
        f"validation: {time.perf_counter() - started:.1f} s (Great Expectations answers beside "
        "the metrics)",
    )


@dg.multi_asset_check(specs=gx_specs(), name="great_expectations", can_subset=True)
def great_expectations_check(
    context: dg.AssetCheckExecutionContext, great_expectations: GreatExpectations
) -> Iterator[dg.AssetCheckResult]:
    """Great Expectations' answers on each extract's sample, compared with what SQL found."""
    started = time.perf_counter()
    submitted = great_expectations.submitted()
    for key in sorted(context.selected_asset_check_keys, key=str):
        stem = key.asset_key.path[-1]
        if stem not in submitted:
            yield dg.AssetCheckResult(
                asset_key=key.asset_key,
                check_name=key.name,
                passed=True,
                metadata={"status": "not run: the extract is absent, or validation did not run"},
            )
            continue
        yield _gx_result(stem, submitted[stem], great_expectations.result(stem))
    report(
        context.op_execution_context,
        f"great_expectations: waited {time.perf_counter() - started:.1f} s for its answers",
    )


Found = dict[tuple[str, str, str], list[int | None]]  # (kind, stem, "rule:column") -> lines


def _findings(con: duckdb.DuckDBPyConnection) -> Found:
    found: Found = {}
    if not table_exists(con, "audit.check_findings"):
        return found
    for kind, rule, stem, column, line in con.execute(
        "SELECT kind, rule, stem, column_name, line FROM audit.check_findings"
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
    evaluated = (
        table_exists(con, "audit.check_rules")
        and con.execute(
            "SELECT count(*) FROM audit.check_rules WHERE kind = 'cross_file' AND rule = ? "
            "AND stem = ?",
            [rule, stem],
        ).fetchall()[0][0]
    )
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


def _suite_findings(found: Found, stem: str) -> dict[str, set[int]]:
    """The lines SQL flagged under each rule:column of the stem's suite."""
    return {
        key: {n for n in lines if n is not None}
        for (kind, s, key), lines in found.items()
        if kind == "rule" and s == stem
    }


def _suite_result(stem: str, rows: int, found: Found) -> dg.AssetCheckResult:
    counts = {
        key: len(lines) for (kind, s, key), lines in found.items() if kind == "rule" and s == stem
    }
    lines = _suite_findings(found, stem)
    return dg.AssetCheckResult(
        asset_key=["staging", stem],
        check_name="suite",
        passed=not counts,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            "; ".join(
                f"{k}: {n} rows (e.g. lines {sorted(lines[k])[:5]})" for k, n in counts.items()
            )
            or None
        ),
        metadata={"status": "loaded", "rows": rows, "sql_findings": counts},
    )


def _gx_result(stem: str, lines: dict[str, set[int]], outcomes: list) -> dg.AssetCheckResult:
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
        check_name="great_expectations",
        passed=not gx_failed,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            "GX flagged lines SQL did not (the SQL translation of the suite is wrong): "
            + "; ".join(f"{k}: lines {v[:5]}" for k, v in disagree.items())
            if disagree
            else None
        ),
        metadata={
            "status": "loaded",
            "gx_failed": {f"{o.rule}:{o.column}": o.error or o.unexpected_count for o in gx_failed},
            "gx_sql_disagree": disagree,
        },
    )
