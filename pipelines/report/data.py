"""Read the aggregates the report needs, and nothing else.

Privacy by construction: the only tables read are marts.metric_values, marts.run_info and
marts.data_quality (only its count, rule, file and run columns). No row-level table, no value
column is selected.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

import duckdb

from pipelines.sql import ident, table_exists

METRIC_COLUMNS = (
    "metric_id, period_type, period_label, period_start, period_end, "
    "breakdown, breakdown_value, numerator, denominator, value"
)


@dataclass(frozen=True)
class Row:
    metric_id: str
    period_type: str
    period_label: str
    period_start: date
    period_end: date
    breakdown: str
    breakdown_value: str
    numerator: float | None
    denominator: float | None
    value: float | None


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date

    @property
    def complete(self) -> bool:
        """A month is complete when its data run to the month's last day."""
        return self.end >= self.start.replace(
            day=calendar.monthrange(self.start.year, self.start.month)[1]
        )


@dataclass
class Metrics:
    """metric_values indexed for lookup: (metric, period_type, breakdown, value) -> label -> Row."""

    rows: list[Row]
    index: dict[tuple[str, str, str, str], dict[str, Row]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        series: dict[tuple[str, str, str, str], dict[str, Row]] = defaultdict(dict)
        for r in self.rows:
            series[(r.metric_id, r.period_type, r.breakdown, r.breakdown_value)][r.period_label] = r
        self.index = dict(series)

    @property
    def metric_ids(self) -> set[str]:
        return {r.metric_id for r in self.rows}

    def get(
        self,
        metric_id: str,
        period_type: str,
        label: str,
        breakdown: str = "all",
        value: str = "ALL",
    ) -> Row | None:
        return self.index.get((metric_id, period_type, breakdown, value), {}).get(label)

    def breakdown_values(
        self, metric_id: str, breakdown: str, period_type: str = "month"
    ) -> list[str]:
        return sorted(
            v
            for (m, pt, b, v) in self.index
            if m == metric_id and b == breakdown and pt == period_type
        )

    def periods(self, period_type: str) -> list[Period]:
        seen = {
            (r.period_label, r.period_start, r.period_end)
            for r in self.rows
            if r.period_type == period_type
        }
        return [Period(label, start, end) for label, start, end in sorted(seen, key=lambda p: p[1])]


def columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[tuple[str, str]]:
    return [
        (name, dtype.upper())
        for name, dtype in con.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            [schema, table],
        ).fetchall()
    ]


def read_metrics(con: duckdb.DuckDBPyConnection) -> Metrics:
    if not table_exists(con, "marts.metric_values"):
        return Metrics([])
    rows = con.execute(f"SELECT {METRIC_COLUMNS} FROM marts.metric_values").fetchall()
    return Metrics([Row(*r) for r in rows])


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


# What the report says of the run (marts.run_info, pipelines/marts/run_info.py): no folder path, no
# fingerprint; the manager's question is which data, as at when, made by what.
RUN_INFO_SHOWN = {
    "la_name": "Council",
    "la_code": "LA code (old, three digits)",
    "la_code_source": "LA code from",
    "as_at": "Data as at",
    "as_at_source": "As-at date from",
    "input_format": "Input format",
    "readings": "Readings of the input (docs/formats.md)",
    "started_at": "Run started (UTC)",
    "frontdoor_version": "frontdoor version",
    "git_commit": "frontdoor commit",
}


@dataclass(frozen=True)
class RunInfo:
    """What the report takes from marts.run_info: the as-at date, the first day of the data's
    own history (the report starts there), and the lines it shows in About."""

    as_at: date | None = None
    history_start: date | None = None
    shown: dict[str, str] = field(default_factory=dict)
    la_code: str | None = None  # the council (marts.run_info.la_code), when known
    la_name: str | None = None


def read_run_info(con: duckdb.DuckDBPyConnection) -> RunInfo:
    """The run_info columns the report uses (RUN_INFO_SHOWN, history_start), by name."""
    if not table_exists(con, "marts.run_info"):
        return RunInfo()
    have = {name for name, _ in columns(con, "marts", "run_info")}
    cols = [c for c in [*RUN_INFO_SHOWN, "history_start"] if c in have]
    if not cols:
        return RunInfo()
    row = con.execute(
        f"SELECT {', '.join(ident(c) for c in cols)} FROM marts.run_info LIMIT 1"
    ).fetchone()
    if row is None:
        return RunInfo()
    values = dict(zip(cols, row, strict=True))
    return RunInfo(
        as_at=_as_date(values.get("as_at")),
        history_start=_as_date(values.get("history_start")),
        la_code=values.get("la_code") or None,
        la_name=values.get("la_name") or None,
        shown={
            label: "" if values[c] is None else str(values[c])
            for c, label in RUN_INFO_SHOWN.items()
            if c in values and not (c == "readings" and values[c] is None)  # none: not a line
        },
    )


@dataclass(frozen=True)
class QualityData:
    """marts.data_quality, read by the columns frontdoor defines (validation/quality.py), never
    by whatever columns the table happens to have.

    failures: the count column that says how many rows failed.
    """

    labels: list[str]
    counts: list[str]
    run: str | None
    failures: str | None
    rows: list[tuple[object, ...]]  # labels..., counts..., run


QUALITY_LABELS = ["kind", "rule", "severity", "action", "file", "column_name"]
QUALITY_COUNTS = ["rows_checked", "rows_failed"]


def read_data_quality(con: duckdb.DuckDBPyConnection) -> QualityData | None:
    """The rule outcomes of marts.data_quality (names, counts and run times only: no message,
    example line or value), or None when the table is absent or not frontdoor's shape."""
    if not table_exists(con, "marts.data_quality"):
        return None
    have = {name for name, _ in columns(con, "marts", "data_quality")}
    picked = [*QUALITY_LABELS, *QUALITY_COUNTS, "run_at"]
    if not set(picked) <= have:
        return None
    rows = con.execute(
        f"SELECT {', '.join(ident(c) for c in picked)} FROM marts.data_quality"
    ).fetchall()
    return QualityData(QUALITY_LABELS, QUALITY_COUNTS, "run_at", "rows_failed", rows)


@dataclass(frozen=True)
class FlagCount:
    """One yes/no field's answers across the input: rows, blanks, and values not read."""

    rows: int
    blank: int
    unreadable: int


def read_flag_counts(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], FlagCount]:
    """(stem, column) -> its blank and unreadable yes/no answers, from marts.data_quality's
    blank_flag and not_yes_no rules (counts only); empty when the table is absent or not
    frontdoor's shape."""
    if not table_exists(con, "marts.data_quality"):
        return {}
    have = {name for name, _ in columns(con, "marts", "data_quality")}
    if not {"kind", "rule", "stem", "column_name", "rows_checked", "rows_failed"} <= have:
        return {}
    rows = con.execute(
        """
        SELECT stem, column_name,
               max(rows_checked) FILTER (WHERE rule = 'blank_flag'),
               max(rows_failed) FILTER (WHERE rule = 'blank_flag'),
               max(rows_failed) FILTER (WHERE rule = 'not_yes_no')
        FROM marts.data_quality
        WHERE (kind, rule) IN (('completeness', 'blank_flag'), ('typing', 'not_yes_no'))
        GROUP BY ALL
        """
    ).fetchall()
    return {
        (stem, column): FlagCount(int(n or 0), int(blank or 0), int(bad or 0))
        for stem, column, n, blank, bad in rows
    }
