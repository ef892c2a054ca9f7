"""Small SQL helpers every part of frontdoor shares: quoting, and what the warehouse holds."""

from __future__ import annotations

import duckdb


def ident(name: str) -> str:
    """An SQL identifier, double-quoted: a column name from a file may hold any character."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """An SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def literals(values: tuple[str, ...] | list[str]) -> str:
    """``('a', 'b')``: an SQL list of string literals, for ``IN``."""
    return "(" + ", ".join(literal(v) for v in values) + ")"


def table_exists(con: duckdb.DuckDBPyConnection, qualified: str) -> bool:
    """True if ``schema.table`` (a bare ``table`` is in main) exists as a table or view."""
    schema, _, name = qualified.rpartition(".")
    try:
        # Binding a relation is the quick way to ask: a query on information_schema costs 4 ms,
        # and a run asks hundreds of times. A missing name does not abort the transaction here,
        # as a failed query would.
        con.table(f"{ident(schema or 'main')}.{ident(name)}")
    except duckdb.CatalogException:
        return False
    return True


def tables_in(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    """The tables of one schema of the current database, by name."""
    return [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_catalog = current_database() AND table_schema = ? ORDER BY table_name",
            [schema],
        ).fetchall()
    ]
