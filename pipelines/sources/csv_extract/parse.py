"""The bytes parsed into a frame of text by polars, and what to say of a file that is no CSV.

A row with more fields than the header makes polars refuse the file: it is read again with
overflow columns for the fields beyond the header, so that the row is quarantined rather than
the file failed. A file that still cannot be parsed fails as a whole, with the line and reason
the (slow, exact) csv module finds, and never the parser's own message, which may quote a row.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl

from pipelines.errors import ExtractError
from pipelines.sources.csv_extract.frame import WORK
from pipelines.sources.csv_extract.records import (
    Scan,
    refuse_endless_rows,
    scan_records,
    with_header,
)

_OVERFLOW = f"{WORK}overflow_"


def parse(path: Path, buf: bytes, names: list[str]) -> tuple[pl.DataFrame, Scan | None, list[str]]:
    """``buf`` as a frame of text with columns ``names``, then overflow columns if some row
    is longer than the header; the scan of its records when one was needed; the overflow
    columns. Raises ExtractError for a file that is not CSV."""
    width = len(names)
    scan: Scan | None = None
    overflow: list[str] = []
    try:
        frame = _read(buf, names)
    except pl.exceptions.PolarsError as exc:
        # Most often a row with more fields than the header: read those fields into overflow
        # columns so the row can be quarantined rather than the file failed.
        refuse_endless_rows(path, buf, width)
        scan = scan_records(buf)
        most = int(scan.fields[scan.header_at + 1 :].max(initial=0))
        if most <= width:
            raise _not_csv(path, buf, width, exc) from exc
        overflow = [f"{_OVERFLOW}{i}" for i in range(width + 1, most + 1)]
        try:
            frame = _read(with_header(buf, scan, [*names, *overflow]), [*names, *overflow])
        except pl.exceptions.PolarsError as again:
            raise _not_csv(path, buf, width, again) from again
    return frame, scan, overflow


def _read(buf: bytes, names: list[str]) -> pl.DataFrame:
    return pl.read_csv(
        buf, infer_schema=False, has_header=True, new_columns=names, raise_if_empty=True
    )


def _not_csv(path: Path, buf: bytes, width: int, exc: Exception) -> ExtractError:
    line, why = _diagnose(buf, width)
    # The parser's own message may quote the row it choked on: only its kind is shown.
    return ExtractError(path, f"not a readable CSV file: {why or type(exc).__name__}", line=line)


def _diagnose(buf: bytes, width: int) -> tuple[int | None, str | None]:
    """Where and why a file is not CSV, found with the (slow, exact) csv module; else Nones."""
    reader = csv.reader(io.StringIO(buf.decode("utf-8")), strict=True)
    start = 1
    try:
        for fields in reader:
            if len(fields) > width:
                return start, f"{len(fields)} fields where the header has {width}"
            start = reader.line_num + 1
    except csv.Error as exc:
        return reader.line_num, str(exc)
    return None, None
