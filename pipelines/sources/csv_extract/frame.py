"""A reader frame: its own columns, what the reader returns, and the contract's shape."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.contract import Extract

LINEAGE = ("_source_file", "_line")
# Present in raw only when some row is malformed: why that row cannot be trusted, else NULL.
ROW_ERROR = "_row_error"
# Present in raw only when some row has fields beyond the header: those fields, as read.
BEYOND = "_beyond_header"
# The loader's own working columns start so (dropped before the frame is returned); no header
# name can collide with them, as one starting with "_" is renamed (header.py).
WORK = "_frontdoor_"


@dataclass(frozen=True)
class CsvFrame:
    """A CSV extract as read: ``frame`` in the contract's shape (contract columns in contract
    order, extra columns, ``_row_error``/``_beyond_header`` when some row needs them, then
    ``_source_file`` and ``_line``), all text; and what the reader noticed."""

    path: Path
    frame: pl.DataFrame
    encoding: str  # "utf-8", "utf-8-sig" (with BOM), "cp1252" or "utf-8+cp1252" (mixed lines)
    columns: tuple[str, ...]  # the columns before _row_error, _source_file, _line
    warnings: tuple[str, ...]  # header and layout notes for the data-quality page
    renamed: dict[str, str]  # column -> the header as written, for a header in our namespace
    size: int  # bytes
    sha256: str  # of the file's bytes as read

    @property
    def rows(self) -> int:
        return self.frame.height


def contract_shape(
    frame: pl.DataFrame, names: list[str], extract: Extract, source_file: str
) -> tuple[pl.DataFrame, list[str], list[str]]:
    """``frame`` (the header's ``names``, then the reader's columns) in the contract's shape:
    contract columns in contract order (an absent optional one all NULL), extra columns in file
    order, ``_row_error``/``_beyond_header`` when present, ``_source_file`` (``source_file``)
    and ``_line``; the columns before those; and notes on extra and absent columns."""
    warnings = []
    extra = [n for n in names if n not in extract.column_names]
    absent = [c for c in extract.column_names if c not in names]
    if extra:
        warnings.append(f"{len(extra)} extra column(s) read and not used")
    warnings += [f"optional column '{c}' is absent: loaded as NULL" for c in absent]
    columns = [*extract.column_names, *extra]
    ours = [c for c in (ROW_ERROR, BEYOND) if c in frame.columns]
    frame = frame.select(
        *(pl.col(c) if c in names else pl.lit(None, dtype=pl.String).alias(c) for c in columns),
        *ours,
        pl.lit(source_file, dtype=pl.String).alias("_source_file"),
        "_line",
    )
    return frame, columns, warnings
