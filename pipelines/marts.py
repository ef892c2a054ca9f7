"""Build the marts: run every ``sql/marts/*.sql`` in name order, then ``marts.metric_values``.

The SQL files do the work; this module only sequences them (docs/metrics.md, "The framework"):

- each file begins with ``-- requires: staging.contacts`` comment lines naming the tables it
  reads; a file whose required tables do not all exist is skipped, so an absent extract writes
  no metric (absent is not zero, spec/metrics.md);
- before any file runs, schema ``marts`` exists and the DuckDB variables ``as_at`` (the extract
  date) and ``first_date`` (the earliest contact or referral date, at most ``as_at``) are set, so
  SQL reads ``getvariable('as_at')``;
- afterwards ``marts.metric_values`` is the UNION ALL of every ``marts.metrics_<family>`` table,
  with exactly the columns of spec/metrics.md;
- all of it is one transaction (unless the caller is already in one): one commit, and a failed
  build leaves the marts as they were.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.sql import table_exists

SQL_DIR = Path(__file__).resolve().parent.parent / "sql" / "marts"

# The analysts' interface (spec/metrics.md "Where the figures land"): name, type, comment.
METRIC_VALUES_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("metric_id", "VARCHAR", "The metric, as named in spec/metrics.md (e.g. contacts)."),
    ("period_type", "VARCHAR", "month or financial_year."),
    ("period_label", "VARCHAR", "2012-03 for a month, 2012-13 for a financial year."),
    ("period_start", "DATE", "First day of the period."),
    (
        "period_end",
        "DATE",
        "Last day of the period (as_at for the last, partial period); snapshots are taken here.",
    ),
    (
        "breakdown",
        "VARCHAR",
        "all, team (the entity's team) or, for contacts, out_of_hours.",
    ),
    (
        "breakdown_value",
        "VARCHAR",
        "ALL for breakdown all; else the team name ((none) when blank) or Y/N.",
    ),
    ("numerator", "DOUBLE", "The count, or the percentage/rate numerator; NULL for medians."),
    (
        "denominator",
        "DOUBLE",
        "The percentage/rate denominator; NULL for counts, medians and ratios without one.",
    ),
    (
        "value",
        "DOUBLE",
        "The figure: percent 0-100, count, working days or rate; NULL when there is nothing to "
        "divide by or take a median of.",
    ),
)

_REQUIRES = re.compile(r"^\s*--\s*requires:\s*(.+?)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class MartsResult:
    """What one build did."""

    as_at: dt.date
    files_run: list[str] = field(default_factory=list)
    files_skipped: list[str] = field(default_factory=list)  # file names whose inputs are absent
    metric_values_rows: int = 0
    # Wall-clock seconds per file run (and "metric_values" for the union, "commit" for the
    # commit), for bench and progress.
    file_seconds: dict[str, float] = field(default_factory=dict)


def requirements(sql: str) -> list[str]:
    """The tables named by the file's leading ``-- requires:`` comment lines (comma or space separated)."""
    tables: list[str] = []
    for line in sql.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("--"):
            break  # only the leading comment block declares requirements
        m = _REQUIRES.match(stripped)
        if m:
            tables += [t for t in re.split(r"[,\s]+", m.group(1)) if t]
    return tables


def _latest_and_earliest(con: duckdb.DuckDBPyConnection) -> tuple[dt.date | None, dt.date | None]:
    """(latest, earliest) contact or referral date found in staging (metrics.md "As at")."""
    parts = []
    if table_exists(con, "staging.contacts"):
        parts.append("SELECT CAST(contact_datetime AS DATE) AS d FROM staging.contacts")
    if table_exists(con, "staging.referrals"):
        parts.append("SELECT referral_date AS d FROM staging.referrals")
    if not parts:
        return None, None
    latest, earliest = con.execute(
        f"SELECT max(d), min(d) FROM ({' UNION ALL '.join(parts)})"
    ).fetchall()[0]
    return latest, earliest


def default_as_at(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The latest contact or referral date in staging, or None when there is none."""
    return _latest_and_earliest(con)[0]


def _comment_family_columns(con: duckdb.DuckDBPyConnection) -> None:
    """Give each metrics_<family> column without a comment the metric_values column's comment."""
    comments = {n: c for n, _, c in METRIC_VALUES_COLUMNS}
    rows = con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() "
        "WHERE schema_name = 'marts' AND table_name LIKE 'metrics\\_%' ESCAPE '\\' "
        "AND (comment IS NULL OR comment = '')"
    ).fetchall()
    for table, column in rows:
        if column in comments:
            escaped = comments[column].replace("'", "''")
            con.execute(f"COMMENT ON COLUMN marts.{table}.{column} IS '{escaped}'")


def _build_metric_values(con: duckdb.DuckDBPyConnection) -> int:
    families = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'marts' AND table_name LIKE 'metrics\\_%' ESCAPE '\\' "
            "ORDER BY table_name"
        ).fetchall()
    ]
    cols = ", ".join(f"CAST({n} AS {t}) AS {n}" for n, t, _ in METRIC_VALUES_COLUMNS)
    names = ", ".join(n for n, _, _ in METRIC_VALUES_COLUMNS)
    if families:
        body = " UNION ALL ".join(f"SELECT {names} FROM marts.{f}" for f in families)
        select = f"SELECT {cols} FROM ({body})"
    else:
        select = f"SELECT {cols} FROM (SELECT {', '.join(f'NULL AS {n}' for n in names.split(', '))}) WHERE false"
    con.execute(
        f"CREATE OR REPLACE TABLE marts.metric_values AS {select} "
        "ORDER BY metric_id, period_type, period_start, breakdown, breakdown_value"
    )
    con.execute(
        "COMMENT ON TABLE marts.metric_values IS 'Every figure: one row per metric, period and "
        "breakdown (spec/metrics.md). The union of the marts.metrics_<family> tables.'"
    )
    for n, _, comment in METRIC_VALUES_COLUMNS:
        escaped = comment.replace("'", "''")
        con.execute(f"COMMENT ON COLUMN marts.metric_values.{n} IS '{escaped}'")
    return int(con.execute("SELECT count(*) FROM marts.metric_values").fetchall()[0][0])


def _begin(con: duckdb.DuckDBPyConnection) -> bool:
    """Start a transaction; False (and none started) if the connection is already in one.

    A failed BEGIN would abort the caller's transaction, so it is detected first: outside a
    transaction each statement runs in a new one, inside it they share the same id.
    """
    query = "SELECT current_transaction_id()"
    if con.execute(query).fetchall() == con.execute(query).fetchall():
        return False
    con.execute("BEGIN TRANSACTION")
    return True


def _build(
    con: duckdb.DuckDBPyConnection, as_at: dt.date, first_date: dt.date, sql_dir: Path
) -> tuple[list[str], list[str], dict[str, float], int]:
    """Run the files and build metric_values: (run, skipped, seconds per file, metric_values rows)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    # A family table left by an earlier build on this connection must not leak into this one.
    for (name,) in con.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'marts' AND table_name LIKE 'metrics\\_%' ESCAPE '\\'"
    ).fetchall():
        con.execute(f"DROP TABLE marts.{name}")
    con.execute(f"SET VARIABLE as_at = DATE '{as_at.isoformat()}'")
    con.execute(f"SET VARIABLE first_date = DATE '{first_date.isoformat()}'")

    run: list[str] = []
    skipped: list[str] = []
    seconds: dict[str, float] = {}
    for path in sorted(sql_dir.glob("*.sql"), key=lambda p: p.name):
        sql = path.read_text(encoding="utf-8")
        if all(table_exists(con, t) for t in requirements(sql)):
            started = time.perf_counter()
            try:
                con.execute(sql).fetchall()  # finish the result before the next file
            except duckdb.Error as e:
                raise RuntimeError(f"{path.name}: {e}") from e
            seconds[path.name] = time.perf_counter() - started
            run.append(path.name)
        else:
            skipped.append(path.name)

    started = time.perf_counter()
    _comment_family_columns(con)
    rows = _build_metric_values(con)
    seconds["metric_values"] = time.perf_counter() - started
    return run, skipped, seconds, rows


def build_marts(
    con: duckdb.DuckDBPyConnection,
    as_at: dt.date | None = None,
    sql_dir: Path = SQL_DIR,
) -> MartsResult:
    """Run every ``sql_dir/*.sql`` in file-name order and build ``marts.metric_values``.

    ``as_at`` defaults to the latest contact or referral date in staging. ``ref.calendar`` must
    exist (pipelines.calendar.build_calendar) and cover the data's dates.
    """
    if not table_exists(con, "ref.calendar"):
        raise RuntimeError("ref.calendar is missing: build the calendar before the marts")
    latest, earliest = _latest_and_earliest(con)
    if as_at is None:
        as_at = latest
    if as_at is None:
        raise RuntimeError("no contact or referral date in staging and no as_at given")
    first_date = min(earliest, as_at) if earliest is not None else as_at

    # One transaction for the whole build: DuckDB then commits once instead of after each of
    # some 300 statements (about 10% of the build at 1M children), and a build that fails part
    # way leaves the marts as they were. A caller already inside a transaction keeps its own.
    own_transaction = _begin(con)
    try:
        run, skipped, seconds, rows = _build(con, as_at, first_date, sql_dir)
    except BaseException:
        if own_transaction:
            con.execute("ROLLBACK")
        raise
    if own_transaction:
        started = time.perf_counter()
        con.execute("COMMIT")
        seconds["commit"] = time.perf_counter() - started
    return MartsResult(
        as_at=as_at,
        files_run=run,
        files_skipped=skipped,
        metric_values_rows=rows,
        file_seconds=seconds,
    )
