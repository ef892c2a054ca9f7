"""What every staging and quarantine table and column says of itself (DuckDB COMMENTs), and
raw's when a run keeps it (``--keep-raw``).

frontdoor's own columns all start with ``_``; no column read from a file can (the CSV loader
renames such a header, sources/csv_extract/header.py), so these texts are always about our
columns.
"""

from __future__ import annotations

import duckdb

from pipelines.contract import Column, Extract
from pipelines.sql import ident, literal

LINEAGE: dict[str, str] = {
    "_source_file": "the file the row was read from",
    "_line": "the line of that file where the row starts (the header is line 1), the sheet row "
    "of a workbook, or the line of an XML element",
}
ROW_ERROR: dict[str, str] = {
    "_row_error": "why the CSV reader could not trust the row (more or fewer fields than the "
    "header, a NUL byte); NULL for a sound row. Such rows are quarantined as malformed_row",
    "_beyond_header": "the fields of a row beyond the header's last column, as read, "
    "comma-joined; NULL for a row that has none",
}
QUARANTINE: dict[str, str] = {
    "_column": "the column that broke the rule (the first failing one, in contract order; "
    "NULL for malformed_row)",
    "_rule": "malformed_row, required, too_long, implausible_date, not_a_date, not_a_datetime, "
    "not_an_integer, unknown_code or duplicate_id (pipelines/staging/build.py)",
    "_value": "the value as read (for too_long, its first 1,000 characters)",
    "_reason": "the problem in a sentence naming file, line and column",
}
NULLED: dict[str, str] = {
    "_nulled": "the optional columns whose value in the file could not be read (not a date, not "
    "a yes/no answer, not a number) and were set to NULL, the row kept; NULL when none was. The "
    "value as written is in the input file at the same line (audit.input_files has its sha256)",
}
OURS = {**LINEAGE, **ROW_ERROR, **QUARANTINE, **NULLED}


def column_comment(c: Column) -> str:
    """A staging column: what it means, its kind, whether required, its codes."""
    facts = [c.kind, "required" if c.required else "optional"]
    if c.codes and len(c.codes) <= 12:
        facts.append("codes " + " ".join(c.codes))
    return f"{c.meaning or c.name} ({', '.join(facts)})"


def raw_column_comment(extract: Extract, name: str, extras: dict[str, str] | None = None) -> str:
    """A column as read (raw and quarantine): a contract column, one of ours, or an extra column
    (``extras`` says what such a column holds; by default it is the source's own)."""
    if name in OURS:
        return OURS[name]
    if name in extract.column_names:
        return f"{column_comment(extract.column(name))}, as read (text)"
    return (extras or {}).get(
        name
    ) or f"the source's own column {name!r}, kept as read and not used"


def raw_comments(
    con: duckdb.DuckDBPyConnection,
    extract: Extract,
    source: str,
    extras: dict[str, str] | None = None,
) -> None:
    """Comment raw.<stem> and its columns; ``source`` says where the rows came from."""
    table = f"raw.{ident(extract.stem)}"
    con.execute(
        f"COMMENT ON TABLE {table} IS "
        + literal(
            f"{extract.meaning or extract.stem}: every row of {source} as read, all text, kept "
            f"for an investigation (--keep-raw); raw rows = staging.{extract.stem} rows + "
            f"quarantine.{extract.stem} rows"
        )
    )
    for name in _columns(con, "raw", extract.stem):
        text = raw_column_comment(extract, name, extras)
        con.execute(f"COMMENT ON COLUMN {table}.{ident(name)} IS {literal(text)}")


def staging_comments(
    con: duckdb.DuckDBPyConnection, extract: Extract, extras: dict[str, str] | None = None
) -> None:
    """Comment staging.<stem> and quarantine.<stem> and every column of both (``extras`` says
    what the source's extra columns, kept in quarantine as read, hold)."""
    stem = ident(extract.stem)
    con.execute(
        f"COMMENT ON TABLE staging.{stem} IS "
        + literal(
            f"{extract.meaning or extract.stem}: {extract.filename} typed per the extract "
            f"contract, one row per usable row; the rest are in quarantine.{extract.stem}"
        )
    )
    con.execute(
        f"COMMENT ON TABLE quarantine.{stem} IS "
        + literal(
            f"rows of {extract.filename} that could not be used, as read, each with the "
            "column and rule it broke; rows read (audit.input_files) = staging rows + "
            "quarantine rows"
        )
    )
    for c in extract.columns:
        con.execute(
            f"COMMENT ON COLUMN staging.{stem}.{ident(c.name)} IS {literal(column_comment(c))}"
        )
    for name, text in {**LINEAGE, **NULLED}.items():
        con.execute(f"COMMENT ON COLUMN staging.{stem}.{name} IS {literal(text)}")
    for name in _columns(con, "quarantine", extract.stem):
        text = raw_column_comment(extract, name, extras)
        con.execute(f"COMMENT ON COLUMN quarantine.{stem}.{ident(name)} IS {literal(text)}")


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> dict[str, str]:
    """Column -> its comment ('' when none), in column order."""
    return {
        name: comment or ""
        for name, comment in con.execute(
            "SELECT column_name, comment FROM duckdb_columns() WHERE database_name = "
            "current_database() AND schema_name = ? AND table_name = ? ORDER BY column_index",
            [schema, table],
        ).fetchall()
    }


def comment_table(
    con: duckdb.DuckDBPyConnection, table: str, text: str, columns: dict[str, str]
) -> None:
    """COMMENT ON a table and each named column."""
    con.execute(f"COMMENT ON TABLE {table} IS {literal(text)}")
    for name, comment in columns.items():
        con.execute(f"COMMENT ON COLUMN {table}.{ident(name)} IS {literal(comment)}")
