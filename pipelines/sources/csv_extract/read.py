"""Read one CSV extract into a reader frame: each job in turn, and any failure as the file's."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl

from pipelines.contract import Extract
from pipelines.errors import ExtractError
from pipelines.sources.csv_extract.encoding import utf8_bytes
from pipelines.sources.csv_extract.frame import CsvFrame, contract_shape
from pipelines.sources.csv_extract.header import header_fields, normalise_header
from pipelines.sources.csv_extract.parse import parse
from pipelines.sources.csv_extract.records import close_cut_quote, record_lines
from pipelines.sources.csv_extract.rows import FIELDS, cut_huge_values, row_errors


def read_csv_extract(path: Path | str, extract: Extract) -> CsvFrame:
    """Read the CSV at ``path`` into a reader frame and describe it.

    Columns: the contract's columns in contract order (an absent optional one all NULL), then
    any extra columns in file order, all text (an unquoted empty field is NULL), then
    ``_row_error`` when some row is malformed, then ``_source_file`` (``path`` as given) and
    ``_line`` (the physical line where the record starts). Blank lines are not rows. Raises
    ExtractError naming the file (and line or column) when the file cannot be read, is not CSV,
    is over the size limit or lacks a required column; never anything else for bad input.
    """
    try:
        return _read_csv(path, extract)
    except ExtractError:
        raise
    except (OSError, ValueError, csv.Error, pl.exceptions.PolarsError, MemoryError) as exc:
        # Bad input fails its own file, never the run: an error not foreseen above is still
        # reported against the file, with what went wrong.
        # Its message is not shown: a parser's message may quote the row it choked on.
        raise ExtractError(path, f"could not be loaded ({type(exc).__name__})") from exc


def _read_csv(path: Path | str, extract: Extract) -> CsvFrame:
    source_file = str(path)
    path = Path(path)
    buf, encoding, warnings, bad_bytes, size, sha256 = utf8_bytes(path)
    if b"\r" in buf and b"\n" not in buf:
        # Classic Mac line ends: the csv module and polars see one endless line otherwise.
        buf = buf.replace(b"\r", b"\n")
        warnings.append("lines end in CR only (old Mac style): read as line ends")
    header = header_fields(path, buf)
    names, header_warnings, renamed = normalise_header(path, header, extract)
    warnings += header_warnings
    width = len(names)
    cut_line = None
    if buf.count(b'"') % 2:
        buf, cut_line = close_cut_quote(path, buf, names)

    frame, scan, overflow = parse(path, buf, names)
    lines, blank, fields = record_lines(path, buf, frame, names, scan)
    frame = frame.with_columns(
        _line=pl.Series(lines, dtype=pl.Int64), **{FIELDS: pl.Series(fields, dtype=pl.Int64)}
    )
    frame = cut_huge_values(frame, names)
    if blank.any():
        frame = frame.filter(pl.Series(~blank))
        warnings.append(f"{int(blank.sum())} blank line(s) skipped")
    frame, row_warnings = row_errors(
        frame,
        names,
        overflow,
        width,
        has_nul=b"\x00" in buf,
        cut_line=cut_line,
        bad_bytes=bad_bytes,
    )
    warnings += row_warnings
    # The file's bytes and the scan are done with: let them go before the frame is staged,
    # whose peak they would otherwise add to (a 136 MB contacts.csv, docs/architecture.md).
    del buf, scan, lines, blank, fields

    frame, columns, shape_warnings = contract_shape(frame, names, extract, source_file)
    warnings += shape_warnings
    return CsvFrame(path, frame, encoding, tuple(columns), tuple(warnings), renamed, size, sha256)
