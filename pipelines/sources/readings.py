"""What a reader says about the metrics beyond its format's own list (docs/formats.md):

- audit.withheld_metrics: metrics this input cannot support (an SSD column NULL in every row is a
  column the council does not have), with why; the marts do not write them;
- audit.readings: the readings of the reader's own that fill a gap of the format (every SSD
  assessment a single assessment ...), with the metrics resting on each; marts.run_info shows them.

Both tables exist (empty) for every run, so a run on another format replaces the last one's.
"""

from __future__ import annotations

import duckdb

from pipelines.comments import comment_table
from pipelines.sources.result import SourceFrames
from pipelines.sql import table_exists

WITHHELD_COLUMNS = {
    "metric_id": "A metric not written for this run.",
    "reason": "Why: the input column it rests on, empty for every record.",
}
READINGS_COLUMNS = {
    "reading": "The reading's name (docs/formats.md).",
    "says": "What the reading takes the input to mean.",
    "metrics": "The metrics whose figures rest on it.",
}


def record_readings(con: duckdb.DuckDBPyConnection, source: SourceFrames | None) -> None:
    """Write audit.withheld_metrics and audit.readings for this run (empty for CSV extracts)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS audit")
    con.execute(
        "CREATE OR REPLACE TABLE audit.withheld_metrics (metric_id VARCHAR, reason VARCHAR)"
    )
    con.execute(
        "CREATE OR REPLACE TABLE audit.readings (reading VARCHAR, says VARCHAR, metrics VARCHAR[])"
    )
    if source is not None and source.withheld:
        con.executemany(
            "INSERT INTO audit.withheld_metrics VALUES (?, ?)", sorted(source.withheld.items())
        )
    if source is not None and source.readings:
        con.executemany(
            "INSERT INTO audit.readings VALUES (?, ?, ?)",
            [
                [name, says, list(metrics)]
                for name, (says, metrics) in sorted(source.readings.items())
            ],
        )
    comment_table(
        con,
        "audit.withheld_metrics",
        "Metrics this input cannot support beyond its format's list: not written",
        WITHHELD_COLUMNS,
    )
    comment_table(
        con,
        "audit.readings",
        "Readings of the reader's own that fill a gap of the input format, and the metrics "
        "resting on each",
        READINGS_COLUMNS,
    )


def withheld(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """metric_id -> why, for this run's input (none when the table is absent)."""
    if not table_exists(con, "audit.withheld_metrics"):
        return {}
    return dict(con.execute("SELECT metric_id, reason FROM audit.withheld_metrics").fetchall())


def readings_text(con: duckdb.DuckDBPyConnection, written: set[str] | None = None) -> str | None:
    """The readings as one line for marts.run_info: ``name: says (metrics: a, b); ...``; only
    metrics in ``written`` are named when it is given. None when the run rests on none."""
    if not table_exists(con, "audit.readings"):
        return None
    parts = []
    for name, says, metrics in con.execute(
        "SELECT reading, says, metrics FROM audit.readings ORDER BY reading"
    ).fetchall():
        named = [m for m in metrics if written is None or m in written]
        parts.append(f"{name}: {says} (metrics: {', '.join(named) or 'none written'})")
    return "; ".join(parts) or None
