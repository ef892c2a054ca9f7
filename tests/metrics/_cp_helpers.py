"""Helpers for the S47, CP, recording and workforce metric tests (engineer M2).

`build(tables, as_at, families)` makes an in-memory warehouse with exactly the staging shapes
of pipelines/contract.py and the project's ref.calendar (pipelines.staging.calendar), then builds
marts.run_info, every fact table and the given metric families (``metrics_<family>``) through
pipelines.marts.build.build_marts. Tests then read rows with `metric(...)`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from pipelines.contract import extract, staging_ddl
from pipelines.marts.build import METRIC_VALUES, build_marts, models
from pipelines.marts.run_info import build_run_info
from pipelines.staging.calendar import build_calendar
from tests.metrics.conftest import PROVENANCE


def d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def _insert(con: duckdb.DuckDBPyConnection, stem: str, rows: list[dict[str, Any]]) -> None:
    cols = extract(stem).column_names
    con.execute(staging_ddl(stem))
    for i, row in enumerate(rows, start=2):
        unknown = set(row) - set(cols)
        assert not unknown, f"{stem}: no columns {unknown}"
        values = [row.get(c) for c in cols] + [f"{stem}.csv", i]
        con.execute(
            f"INSERT INTO staging.{stem} VALUES ({', '.join('?' * len(values))}, NULL)", values
        )


def build(
    tables: dict[str, list[dict[str, Any]]],
    as_at: str,
    families: tuple[str, ...],
    first_date: str | None = None,
) -> duckdb.DuckDBPyConnection:
    """A warehouse holding `tables` (stem -> rows), marts built at `as_at` with `families`.

    contacts and referrals are always created (needed for a run); when `first_date` is given a
    referral on that date is added so the periods start there (child FIRST, team T0).
    """
    con = duckdb.connect()
    con.execute("CREATE SCHEMA staging")
    tables = {k: list(v) for k, v in tables.items()}
    tables.setdefault("contacts", [])
    tables.setdefault("referrals", [])
    if first_date:
        tables["referrals"].append(
            {
                "referral_id": "R-FIRST",
                "child_id": "FIRST",
                "referral_date": d(first_date),
                "team": "T0",
            }
        )
    for stem, rows in tables.items():
        _insert(con, stem, rows)
    build_calendar(con)  # the project's one ref.calendar (England and Wales working days)
    build_run_info(con, PROVENANCE, d(as_at))
    frame = {m.name for m in models() if not m.name.startswith("metrics_")}
    build_marts(con, frame | set(families) | {METRIC_VALUES})
    return con


def metric(
    con: duckdb.DuckDBPyConnection,
    metric_id: str,
    period_label: str,
    breakdown_value: str = "ALL",
) -> tuple[float | None, float | None, float | None]:
    """(numerator, denominator, value) of one metric_values row; fails unless exactly one."""
    rows = con.execute(
        "SELECT numerator, denominator, value FROM marts.metric_values "
        "WHERE metric_id = ? AND period_label = ? AND breakdown_value = ?",
        [metric_id, period_label, breakdown_value],
    ).fetchall()
    assert len(rows) == 1, f"{metric_id} {period_label} {breakdown_value}: {rows}"
    return rows[0]


def metric_ids(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        r[0] for r in con.execute("SELECT DISTINCT metric_id FROM marts.metric_values").fetchall()
    }
