"""Shared fixtures for the metric tests: a tiny in-memory warehouse built by hand.

- ``con``: an in-memory DuckDB with schemas staging, ref and marts, and ref.calendar (from
  pipelines.staging.calendar.build_calendar when it exists, else built here from the ``holidays``
  package, GB subdiv ENG, as docs/metrics.md says).
- ``load(con, stem, rows)``: create ``staging.<stem>`` with the contract's exact shape
  (contract.staging_ddl) and insert rows given as dicts (missing columns are NULL; dates as
  ``date`` or ISO strings).
- ``build(con, as_at)``: write marts.run_info (pipelines.marts.run_info) and run
  pipelines.marts.build.build_marts.
- ``mv(con, metric_id, period_label, breakdown="all", breakdown_value="ALL")``: the one
  metric_values row as a dict (numerator, denominator, value ...), or None if absent.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import holidays
import polars as pl
import pytest

from pipelines.contract import extract, staging_ddl
from pipelines.marts.build import MartsResult, build_marts
from pipelines.marts.run_info import Provenance, build_run_info

CAL_START = dt.date(2005, 1, 1)
CAL_END = dt.date(2030, 12, 31)


def _build_calendar_here(con: duckdb.DuckDBPyConnection) -> None:
    """ref.calendar(date, is_working_day, bank_holiday, wd_index) per docs/architecture.md."""
    bank = holidays.country_holidays(
        "GB", subdiv="ENG", years=range(CAL_START.year, CAL_END.year + 1)
    )
    hols = pl.DataFrame(
        {"date": list(bank.keys()), "bank_holiday": list(bank.values())},
        schema={"date": pl.Date, "bank_holiday": pl.String},
    )
    con.execute("CREATE SCHEMA IF NOT EXISTS ref")
    con.register("_hols", hols)
    con.execute(
        f"""
        CREATE OR REPLACE TABLE ref.calendar AS
        WITH days AS (
            SELECT CAST(d AS DATE) AS date
            FROM range(DATE '{CAL_START}', DATE '{CAL_END}' + INTERVAL 1 DAY, INTERVAL 1 DAY) t(d)
        ),
        flagged AS (
            SELECT date, isodow(date) <= 5 AND h.bank_holiday IS NULL AS is_working_day,
                   h.bank_holiday
            FROM days LEFT JOIN _hols AS h USING (date)
        )
        SELECT *, CAST(sum(CAST(is_working_day AS INTEGER)) OVER (ORDER BY date) AS INTEGER)
            AS wd_index
        FROM flagged
        """
    )
    con.unregister("_hols")


def _calendar(con: duckdb.DuckDBPyConnection) -> None:
    try:
        from pipelines.staging.calendar import build_calendar
    except ImportError:
        _build_calendar_here(con)
        return
    build_calendar(con, CAL_START, CAL_END)


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    c.execute("CREATE SCHEMA staging; CREATE SCHEMA marts")
    _calendar(c)
    yield c
    c.close()


def load(con: duckdb.DuckDBPyConnection, stem: str, rows: list[dict[str, Any]]) -> None:
    """Create staging.<stem> (if needed) and insert ``rows`` (dicts keyed by contract column)."""
    if not con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_schema = 'staging' AND table_name = ?",
        [stem],
    ).fetchall()[0][0]:
        con.execute(staging_ddl(stem))
    cols = extract(stem).column_names
    for i, row in enumerate(rows, start=2):
        unknown = set(row) - set(cols)
        assert not unknown, f"{stem} has no column(s) {unknown}"
        values = [row.get(c) for c in cols] + [f"{stem}.csv", i]
        con.execute(
            f"INSERT INTO staging.{stem} VALUES ({', '.join('?' for _ in values)}, NULL)", values
        )


# A hand-built warehouse's provenance: no run, no folder.
PROVENANCE = Provenance("test", None, "csv", "", "", "test", "test")


def build(con: duckdb.DuckDBPyConnection, as_at: dt.date | str | None = None) -> MartsResult:
    if isinstance(as_at, str):
        as_at = dt.date.fromisoformat(as_at)
    build_run_info(con, PROVENANCE, as_at)
    return build_marts(con)


def mv(
    con: duckdb.DuckDBPyConnection,
    metric_id: str,
    period_label: str,
    breakdown: str = "all",
    breakdown_value: str = "ALL",
    period_type: str | None = None,
) -> dict[str, Any] | None:
    """The metric_values row for one metric, period and breakdown value, or None.

    ``period_type`` defaults to month, or financial_year when the label cannot be a month
    (``2012-13``); say ``period_type="financial_year"`` for ``2011-12`` the year.
    """
    if period_type is None:
        period_type = "month" if int(period_label[5:]) <= 12 else "financial_year"
    cur = con.execute(
        "SELECT * FROM marts.metric_values WHERE metric_id = ? AND period_label = ? "
        "AND breakdown = ? AND breakdown_value = ? AND period_type = ?",
        [metric_id, period_label, breakdown, breakdown_value, period_type],
    )
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    assert len(rows) <= 1, f"duplicate metric_values rows for {metric_id} {period_label}"
    return dict(zip(names, rows[0], strict=True)) if rows else None


def value(con: duckdb.DuckDBPyConnection, metric_id: str, period_label: str, **kw: Any) -> Any:
    row = mv(con, metric_id, period_label, **kw)
    assert row is not None, f"no row for {metric_id} {period_label} {kw}"
    return row["value"]


def fact(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    """Rows of a query as dicts (for checking fact tables)."""
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


@pytest.fixture
def minimal(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """The three files every run needs, empty."""
    for stem in ("contacts", "referrals", "assessments"):
        load(con, stem, [])
    return con
