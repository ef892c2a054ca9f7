"""The frame every rule of a suite is evaluated on: the staging table plus two derived columns.

``_earliest_date``: the first day the child's events may fall on, from children.csv: the date of
birth, or 280 days (a pregnancy) before it when the child was first known unborn (an
``expected_date_of_birth`` is recorded: pre-birth work is lawful). NULL when the stem has no
birth rule, children.csv is absent, or the child or their date of birth is unknown.

``_as_at_next``: midnight after the extract date, so "not after the extract date" is a strict
``_as_at_next > value`` for dates and date-times alike. The extract date is the latest contact or
referral date in staging (for a statutory return, the date the return says it is taken at), or
the run's configured as_at when that is later: a run reproducing history with an earlier as_at
must not turn every later row into a finding.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from pipelines.contract import extract
from pipelines.sql import table_exists
from pipelines.validation.suites import AS_AT_NEXT, BIRTH_BOUND, EARLIEST

PRE_BIRTH_DAYS = 280


def extract_date(con: duckdb.DuckDBPyConnection, as_at: dt.date | None = None) -> dt.date | None:
    """The date the input says it is taken at (run_info.data_as_at), or ``as_at`` when that is
    later."""
    from pipelines.marts.run_info import data_as_at

    found, _ = data_as_at(con)
    candidates = [d for d in (found, as_at) if d is not None]
    return max(candidates) if candidates else None


def frame_sql(
    con: duckdb.DuckDBPyConnection, stem: str, as_of: dt.date | None, source: str | None = None
) -> str:
    """SELECT of staging.<stem> (or ``source``, a subquery of its rows, e.g. a sample) with
    ``_earliest_date`` and ``_as_at_next``."""
    columns = ", ".join(f's."{c}"' for c in extract(stem).column_names)
    next_day = (
        f"TIMESTAMP '{(as_of + dt.timedelta(days=1)).isoformat()}'"
        if as_of
        else "CAST(NULL AS TIMESTAMP)"
    )
    if stem in BIRTH_BOUND and table_exists(con, "staging.children"):
        earliest = (
            f"CAST(CASE WHEN b.expected_date_of_birth IS NOT NULL "
            f"THEN b.date_of_birth - INTERVAL {PRE_BIRTH_DAYS} DAY "
            f"ELSE b.date_of_birth END AS TIMESTAMP)"
        )
        join = "LEFT JOIN staging.children b ON b.child_id = s.child_id"
    else:
        earliest, join = "CAST(NULL AS TIMESTAMP)", ""
    return (
        f"SELECT {columns}, {earliest} AS {EARLIEST}, {next_day} AS {AS_AT_NEXT}, "
        f"s._source_file, s._line FROM {source or f'staging.{stem}'} s {join}"
    )
