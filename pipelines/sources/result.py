"""What every statutory-format reader returns: raw frames per contract stem, and findings.

A reader never types values (staging does, once); it builds each stem's raw frame with
``raw_frame`` and notes what it worked around as a ``Finding``, naming the source's own file,
sheet, line and column so an analyst can find the cell.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from pipelines.contract import extract


@dataclass(frozen=True)
class Finding:
    """An oddity a reader met and worked around: the file still loads."""

    file: str
    rule: str  # short name: unmatched_header, unknown_code, serial_date, schema ...
    message: str
    sheet: str | None = None  # Annex A sheet; None for a CSV list or an XML file
    line: int | None = None  # sheet row, CSV line or XML source line
    column: str | None = None  # the source's header or element name
    # No value: a finding never carries a cell's content (it may be a child's record); the
    # analyst finds the cell from the file, sheet, line and column.

    def __str__(self) -> str:
        where = self.file
        if self.sheet is not None:
            where += f" [{self.sheet}]"
        if self.line is not None:
            where += f", line {self.line}"
        if self.column is not None:
            where += f", column {self.column!r}"
        return f"{where}: {self.rule}: {self.message}"


@dataclass
class SourceFrames:
    """Raw frames per contract stem, and what the reader noticed on the way."""

    frames: dict[str, pl.DataFrame] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    # What each column the reader adds beside the contract's holds (for the raw tables' comments).
    extra_columns: dict[str, str] = field(default_factory=dict)
    # The date the return is taken at (docs/metrics.md "As at"), and where it comes from; None
    # when the return holds no date to take it from.
    as_at: date | None = None
    as_at_source: str = ""
    # The first day of the return's own history, when it says (a census: 1 April before its
    # earliest ReferenceDate); records dated earlier are cases carried in open.
    history_start: date | None = None
    # The council the return says it is from (old three-digit LA code: a census header's LEA,
    # an Annex A front sheet's LA code), and where it says so; None when it does not say.
    la_code: str | None = None
    la_code_source: str = ""
    # The files read, by name (for a message about the return as a whole).
    files: list[str] = field(default_factory=list)
    # How the source names each contract column, per stem, as a phrase for a message ("column
    # 'Date of referral'", "element 'CINreferralDate'"), so that a quarantine reason points at
    # the cell the analyst can open; and the columns the reader builds rather than reads (the
    # record keys, which Annex A and the census do not carry).
    source_names: dict[str, dict[str, str]] = field(default_factory=dict)
    built: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Metrics this input cannot support beyond its format's own list (an SSD column NULL in
    # every row: the council does not have it), metric_id -> why; not written for the run.
    withheld: dict[str, str] = field(default_factory=dict)
    # Readings of the reader's own that fill a gap of the format (docs/formats.md), by name:
    # (what it says, the metric_ids resting on it); kept in marts.run_info.
    readings: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)


def raw_frame(
    stem: str, rows: Iterable[dict[str, object]], extra: tuple[str, ...] = ()
) -> pl.DataFrame:
    """A raw frame: the stem's contract columns and any extra columns as Utf8, then lineage.

    Each row is a dict holding some contract columns, the extras, ``_source_file`` and ``_line``;
    a column a row lacks is null (a reader never invents a value).
    """
    names = (*extract(stem).column_names, *extra)
    schema = {name: pl.Utf8 for name in names} | {"_source_file": pl.Utf8, "_line": pl.Int64}
    data = [{name: row.get(name) for name in schema} for row in rows]
    return pl.DataFrame(data, schema=schema) if data else pl.DataFrame(schema=schema)
