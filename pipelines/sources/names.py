"""How a statutory return names each contract column (audit.source_columns), so that a
quarantine reason or a finding points at the cell the analyst can open in the council's own
file: ``List 3 row 12, column 'Date of referral'`` rather than our ``referral_date``.

CSV extracts follow the contract's names, so they have no rows here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from pipelines.comments import comment_table
from pipelines.sources.result import SourceFrames
from pipelines.sql import table_exists

COLUMNS = {
    "format": "The input format: annex_a or cin_census.",
    "stem": "The extract (table) the column belongs to.",
    "column": "The contract column.",
    "source_name": "How the source names it, as a phrase: column 'Date of referral' (an Annex A "
    "header as written), element 'CINreferralDate' (a census element), or the key built from "
    "them.",
    "built": "True for a key the reader builds (Annex A and the census carry no record ids).",
}


@dataclass(frozen=True)
class SourceNames:
    """One extract's columns as its source names them, and the keys the reader built."""

    names: dict[str, str] = field(default_factory=dict)
    built: frozenset[str] = frozenset()
    # True when rows carry the Annex A sheet they were read from (raw.<stem>.sheet)
    sheets: bool = False

    def of(self, column: str) -> str:
        """The source's phrase for a contract column; the contract's own name otherwise."""
        return self.names.get(column, f"column {column!r}")


def record_source_names(
    con: duckdb.DuckDBPyConnection, kind: str, source: SourceFrames | None
) -> None:
    """Write audit.source_columns for this run (empty for CSV extracts)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS audit")
    con.execute(
        "CREATE OR REPLACE TABLE audit.source_columns (format VARCHAR, stem VARCHAR, "
        '"column" VARCHAR, source_name VARCHAR, built BOOLEAN)'
    )
    if source is not None:
        rows = [
            [kind, stem, column, name, column in source.built.get(stem, ())]
            for stem, names in source.source_names.items()
            for column, name in names.items()
        ]
        if rows:
            con.executemany("INSERT INTO audit.source_columns VALUES (?, ?, ?, ?, ?)", rows)
    comment_table(
        con,
        "audit.source_columns",
        "How a statutory return names each contract column, for messages that point at the "
        "council's own cell (no rows for CSV extracts)",
        COLUMNS,
    )


def source_names(con: duckdb.DuckDBPyConnection, stem: str) -> SourceNames:
    """The source's names for one extract's columns (none for CSV extracts)."""
    if not table_exists(con, "audit.source_columns"):
        return SourceNames()
    rows = con.execute(
        'SELECT format, "column", source_name, built FROM audit.source_columns WHERE stem = ?',
        [stem],
    ).fetchall()
    return SourceNames(
        names={column: name for _, column, name, _ in rows},
        built=frozenset(column for _, column, _, built in rows if built),
        sheets=any(kind == "annex_a" for kind, _, _, _ in rows),
    )
