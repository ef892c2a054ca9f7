"""Are two warehouses' figures the same, value for value?

    .venv/bin/python bench/compare_metric_values.py BEFORE.duckdb AFTER.duckdb [--facts]

Compares marts.metric_values of two warehouses (published files or releases, opened read-only):
the row counts, the rows in one and not the other (EXCEPT ALL both ways, so a duplicated row
counts), and a digest of every row in a fixed order with each DOUBLE written out exactly
(float.hex), so "identical" means the same bits, not merely equal after rounding. With --facts,
every marts table the two share (the row-level facts) is compared the same way on the columns
they share. Columns that name the run rather than a figure (RUN_IDENTITY: its id, its time,
the commit it ran) are left out, and the output says so. Exit 0 when identical, 1 otherwise;
each difference is printed.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import duckdb

# Columns that say which run wrote a row, and so differ between any two runs.
RUN_IDENTITY = ("run_id", "run_at", "started_at", "git_commit", "frontdoor_version")


def _columns(con: duckdb.DuckDBPyConnection, db: str, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() "
        "WHERE database_name = ? AND schema_name = 'marts' AND table_name = ? ORDER BY column_index",
        [db, table],
    ).fetchall()


def _tables(con: duckdb.DuckDBPyConnection, db: str) -> set[str]:
    return {
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'marts'",
            [db],
        ).fetchall()
    }


def _digest(con: duckdb.DuckDBPyConnection, db: str, table: str, names: list[str]) -> str:
    """SHA-256 of the rows in sorted order, each value exactly (doubles as float.hex)."""
    select = ", ".join(f'"{n}"' for n in names)
    h = hashlib.sha256()
    result = con.execute(f"SELECT {select} FROM {db}.marts.{table} ORDER BY ALL")
    while rows := result.fetchmany(50_000):
        for row in rows:
            h.update(repr([v.hex() if isinstance(v, float) else v for v in row]).encode("utf-8"))
    return h.hexdigest()


def compare_table(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """The differences between before.marts.<table> and after.marts.<table>, as sentences."""
    before = dict(_columns(con, "before", table))
    after = dict(_columns(con, "after", table))
    problems = []
    if before != after:
        problems.append(
            f"{table}: columns differ: only before {sorted(set(before) - set(after))},"
            f" only after {sorted(set(after) - set(before))}"
        )
    names = [n for n in before if n in after and before[n] == after[n] and n not in RUN_IDENTITY]
    select = ", ".join(f'"{n}"' for n in names)
    for a, b in (("before", "after"), ("after", "before")):
        extra = con.execute(
            f"SELECT count(*) FROM (SELECT {select} FROM {a}.marts.{table} "
            f"EXCEPT ALL SELECT {select} FROM {b}.marts.{table})"
        ).fetchall()[0][0]
        if extra:
            problems.append(f"{table}: {extra} row(s) only in {a}")
    if not problems and _digest(con, "before", table, names) != _digest(con, "after", table, names):
        problems.append(f"{table}: same rows by SQL equality, but not bit for bit")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--facts", action="store_true", help="also every marts table both hold")
    args = parser.parse_args(argv)
    con = duckdb.connect()
    con.execute(f"ATTACH '{args.before}' AS before (READ_ONLY)")
    con.execute(f"ATTACH '{args.after}' AS after (READ_ONLY)")
    tables = ["metric_values"]
    if args.facts:
        shared = _tables(con, "before") & _tables(con, "after")
        tables += sorted(t for t in shared if t != "metric_values")
        for side, other in (("before", "after"), ("after", "before")):
            only = sorted(_tables(con, side) - _tables(con, other))
            if only:
                print(f"marts tables only in {side}: {', '.join(only)}")
    print(f"(compared without the columns naming the run: {', '.join(RUN_IDENTITY)})")
    problems = []
    for table in tables:
        found = compare_table(con, table)
        problems += found
        rows = con.execute(f"SELECT count(*) FROM after.marts.{table}").fetchall()[0][0]
        print(f"{table}: {rows:,} rows, {'identical' if not found else 'DIFFERENT'}")
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
