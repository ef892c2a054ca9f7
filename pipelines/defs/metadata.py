"""Dagster's standard metadata for a table of the working warehouse (a helper, no definitions)."""

from typing import Any

import dagster as dg
import duckdb

from pipelines.sql import table_exists

KINDS = {"duckdb"}


def table_metadata(con: duckdb.DuckDBPyConnection, qualified: str) -> dict[str, Any]:
    """Row count, column schema (with each column's comment) and table name of
    ``schema.table``; just the name and status 'absent' when the table is not there."""
    if not table_exists(con, qualified):
        return {"dagster/table_name": qualified, "status": "absent"}
    schema, table = qualified.split(".", 1)
    columns = con.execute(
        "SELECT column_name, data_type, comment FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name = ? AND table_name = ? "
        "ORDER BY column_index",
        [schema, table],
    ).fetchall()
    rows = con.execute(f"SELECT count(*) FROM {qualified}").fetchall()[0][0]
    return {
        "dagster/table_name": qualified,
        "dagster/row_count": rows,
        "dagster/column_schema": dg.TableSchema(
            columns=[dg.TableColumn(name=n, type=t, description=c or None) for n, t, c in columns]
        ),
        "status": "materialized",
    }
