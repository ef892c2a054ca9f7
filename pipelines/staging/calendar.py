"""The working-day calendar: ``ref.calendar``, the macro ``ref.wd`` and ``working_days``.

A working day is Monday-Friday and not an England and Wales bank holiday (metrics.md,
Conventions). ``wd(a, b)`` is the number of working days d with a < d <= b, so a same-day
completion is 0 and Saturday -> Monday is 1. In SQL it is a difference of running counts
(``wd_index``), which lets metric SQL join the calendar instead of counting day by day.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import duckdb
import holidays
import numpy as np
import polars as pl

DEFAULT_START = date(1980, 1, 1)
DEFAULT_END = date(2050, 12, 31)


@lru_cache(maxsize=16)
def _bank_holidays(first_year: int, last_year: int) -> dict[date, str]:
    # subdiv ENG: plain GB leaves out Easter Monday and the August holiday. The package carries
    # the substitute ("observed") days and the one-offs (royal weddings, jubilees, the 2022
    # state funeral, the 2023 coronation, VE Day 2020 moved from the Monday).
    return dict(
        holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
    )


def bank_holidays(start: date, end: date) -> dict[date, str]:
    """England and Wales bank holidays (any weekday) from start to end inclusive, with names."""
    return {d: n for d, n in _bank_holidays(start.year, end.year).items() if start <= d <= end}


@lru_cache(maxsize=16)
def _busday_calendar(first_year: int, last_year: int) -> np.busdaycalendar:
    hols = sorted(_bank_holidays(first_year, last_year))
    return np.busdaycalendar(weekmask="1111100", holidays=np.array(hols, dtype="datetime64[D]"))


def working_days(a: date, b: date) -> int:
    """The number of working days d with a < d <= b (negative when b is before a).

    Same definition as the SQL macro ``ref.wd(a, b)``; kept in Python for tests and the
    data generator.
    """
    if b < a:
        return -working_days(b, a)
    # One cached calendar covers the usual years, so a call costs microseconds.
    cal = _busday_calendar(min(a.year, DEFAULT_START.year), max(b.year, DEFAULT_END.year))
    one = np.timedelta64(1, "D")
    # busday_count counts [begin, end); shifting both ends by a day gives (a, b].
    return int(np.busday_count(np.datetime64(a) + one, np.datetime64(b) + one, busdaycal=cal))


def build_calendar(
    con: duckdb.DuckDBPyConnection, start: date = DEFAULT_START, end: date = DEFAULT_END
) -> int:
    """Write ``ref.calendar`` (one row per date, start..end) and the macro ``ref.wd(a, b)``.

    ``wd_index`` counts the working days from ``start`` to ``date`` inclusive, so
    ``ref.wd(a, b) = wd_index(b) - wd_index(a)``. The macro takes dates or timestamps (a
    timestamp counts as its date) and is NULL when either end is outside the calendar.
    Returns the number of calendar rows.
    """
    if end < start:
        raise ValueError(f"calendar end {end} is before its start {start}")
    hols = pl.DataFrame(
        sorted(bank_holidays(start, end).items()),
        schema={"date": pl.Date, "bank_holiday": pl.String},
        orient="row",
    )
    con.execute("CREATE SCHEMA IF NOT EXISTS ref")
    con.register("_bank_holidays", hols)
    try:
        con.execute(
            """
            CREATE OR REPLACE TABLE ref.calendar AS
            WITH days AS (
                SELECT CAST(d AS DATE) AS date
                FROM range(CAST($start AS DATE), CAST($end AS DATE) + INTERVAL 1 DAY,
                           INTERVAL 1 DAY) AS t(d)
            ),
            flagged AS (
                SELECT days.date,
                       isodow(days.date) <= 5 AND h.bank_holiday IS NULL AS is_working_day,
                       h.bank_holiday
                FROM days LEFT JOIN _bank_holidays AS h USING (date)
            )
            SELECT date, is_working_day, bank_holiday,
                   CAST(sum(CAST(is_working_day AS INTEGER)) OVER (ORDER BY date) AS INTEGER)
                       AS wd_index
            FROM flagged
            ORDER BY date
            """,
            {"start": start, "end": end},
        )
    finally:
        con.unregister("_bank_holidays")
    con.execute(
        """
        CREATE OR REPLACE MACRO ref.wd(a, b) AS (
            (SELECT wd_index FROM ref.calendar WHERE date = CAST(b AS DATE))
            - (SELECT wd_index FROM ref.calendar WHERE date = CAST(a AS DATE))
        )
        """
    )
    comments = {
        "": "Working-day calendar: one row per date; England and Wales bank holidays",
        "date": "the calendar date",
        "is_working_day": "Monday-Friday and not an England and Wales bank holiday",
        "bank_holiday": "the bank holiday's name (also when it falls at a weekend), else NULL",
        "wd_index": "working days from the first calendar date up to and including this date; "
        "wd(a, b) = wd_index(b) - wd_index(a)",
    }
    for col, text in comments.items():
        target = "TABLE ref.calendar" if not col else f"COLUMN ref.calendar.{col}"
        escaped = text.replace("'", "''")
        con.execute(f"COMMENT ON {target} IS '{escaped}'")
    return (end - start).days + 1
