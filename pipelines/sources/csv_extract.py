"""Load one CSV extract into ``raw.<stem>``: every data row as read, all VARCHAR, with lineage.

The contract (shared/spec/extracts.md) allows UTF-8 with or without a BOM and Windows-1252, header
names in any case with stray spaces, extra columns, and absent optional columns. Polars parses the
file (no per-row Python). ``_line`` is the physical line where a record starts (header = line 1);
when every record sits on one line it is simply the row number + 2, and only when a quoted field
holds a newline (or the file has blank lines) do we locate record starts from the raw bytes, which
numpy does in a few vectorised passes.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from pipelines.contract import Extract
from pipelines.errors import ExtractError

LINEAGE = ("_source_file", "_line")
_BOM = b"\xef\xbb\xbf"
_NL, _CR, _QUOTE = ord("\n"), ord("\r"), ord('"')


@dataclass(frozen=True)
class RawLoad:
    """What ``load_raw`` wrote: ``table`` with ``rows`` data rows read from ``path``."""

    path: Path
    table: str  # "raw.contacts"
    rows: int
    encoding: str  # "utf-8", "utf-8-sig" (with BOM) or "cp1252"
    columns: tuple[str, ...]  # the raw columns before _source_file, _line
    warnings: tuple[str, ...]  # header and layout notes for the data-quality page


def load_raw(con: duckdb.DuckDBPyConnection, path: Path, extract: Extract) -> RawLoad:
    """Read the CSV at ``path`` into ``raw.<extract.stem>`` (replacing it) and describe the load.

    Columns: the contract's columns in contract order (an absent optional one all NULL), then
    any extra columns in file order, all VARCHAR (an unquoted empty field is NULL), then
    ``_source_file`` (``path`` as given) and ``_line`` (the physical line where the record
    starts). Blank lines are not rows. Raises ExtractError naming the file (and line or
    column) when the file cannot be read, is not CSV, or lacks a required column.
    """
    source_file = str(path)
    path = Path(path)
    buf, encoding, warnings = _utf8_bytes(path)
    header = _header(path, buf)
    names, header_warnings = _normalise_header(path, header, extract)
    warnings += header_warnings

    try:
        frame = pl.read_csv(
            buf, infer_schema=False, has_header=True, new_columns=names, raise_if_empty=True
        )
    except pl.exceptions.PolarsError as exc:
        line, why = _diagnose(buf, len(names))
        raise ExtractError(path, f"not a readable CSV file: {why or exc}", line=line) from exc
    if frame.width != len(names):
        raise ExtractError(path, f"header has {len(names)} columns but rows have {frame.width}")

    lines, blank = _line_numbers(path, buf, frame.height)
    frame = frame.with_columns(_line=pl.Series(lines, dtype=pl.Int64))
    if blank is not None and blank.any():
        frame = frame.filter(pl.Series(~blank))
        warnings.append(f"{int(blank.sum())} blank line(s) skipped")

    extra = [n for n in names if n not in extract.column_names]
    absent = [c for c in extract.column_names if c not in names]
    warnings += [f"extra column '{n}' kept in raw and ignored after" for n in extra]
    warnings += [f"optional column '{c}' is absent: loaded as NULL" for c in absent]
    columns = [*extract.column_names, *extra]
    # Shape the table in SQL: a constant _source_file costs nothing there.
    select = ", ".join(
        _quote(c) if c in names else f"CAST(NULL AS VARCHAR) AS {_quote(c)}" for c in columns
    )

    table = f"raw.{_quote(extract.stem)}"
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.register("_csv_extract_frame", frame)
    try:
        con.execute(
            f"CREATE OR REPLACE TABLE {table} AS "
            f"SELECT {select}, CAST($path AS VARCHAR) AS _source_file, _line "
            "FROM _csv_extract_frame",
            {"path": source_file},
        )
    finally:
        con.unregister("_csv_extract_frame")
    return RawLoad(
        path, f"raw.{extract.stem}", frame.height, encoding, tuple(columns), tuple(warnings)
    )


def _quote(name: str) -> str:
    """A SQL identifier, quoted: extra columns may hold any characters."""
    return '"' + name.replace('"', '""') + '"'


def _utf8_bytes(path: Path) -> tuple[bytes, str, list[str]]:
    """The file's bytes as UTF-8 without a BOM, the encoding it was read as, and notes."""
    if not path.exists():
        raise ExtractError(path, "file does not exist")
    if not path.is_file():
        raise ExtractError(path, "not a regular file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExtractError(path, f"cannot be read: {exc.strerror or exc}") from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExtractError(path, "is UTF-16 (Excel's 'Unicode Text'): save it as CSV UTF-8")
    if data.startswith(_BOM):
        data, encoding = data[len(_BOM) :], "utf-8-sig"
    else:
        encoding = "utf-8"
    try:
        data.decode("utf-8")  # validation only: polars reads the bytes
        return data, encoding, []
    except UnicodeDecodeError as utf8_error:
        bad_line = data.count(b"\n", 0, utf8_error.start) + 1
    # Not UTF-8: what Excel writes on Windows. Five bytes are undefined in Windows-1252, and a
    # file holding one is neither encoding.
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ExtractError(
            path,
            "is neither UTF-8 nor Windows-1252 (byte "
            f"0x{data[exc.start]:02x} is undefined in Windows-1252)",
            line=data.count(b"\n", 0, exc.start) + 1,
        ) from exc
    note = f"not valid UTF-8 (first at line {bad_line}): read as Windows-1252"
    return text.encode("utf-8"), "cp1252", [note]


def _header(path: Path, buf: bytes) -> list[str]:
    """The header's fields as written: the first non-blank record (polars skips leading blanks)."""
    # A header fits in the first 64 KiB; a character cut at the end does not matter.
    head = buf[:65536].decode("utf-8", errors="ignore")
    for fields in csv.reader(io.StringIO(head)):
        if fields:
            return fields
    raise ExtractError(path, "file is empty: no header row", line=1)


def _normalise_header(
    path: Path, header: list[str], extract: Extract
) -> tuple[list[str], list[str]]:
    """Header names trimmed and lower-cased, checked against the contract; and notes."""
    names: list[str] = []
    warnings: list[str] = []
    for i, written in enumerate(header, start=1):
        name = written.strip().lower()
        if not name:
            name = f"column_{i}"
            warnings.append(f"header field {i} is blank: named '{name}'")
        elif name != written:
            warnings.append(f"header '{written}' read as '{name}'")
        if name in names:
            raise ExtractError(path, "column appears twice in the header", line=1, column=name)
        if name in LINEAGE:
            raise ExtractError(path, "column name is reserved for lineage", line=1, column=name)
        names.append(name)
    missing = [c for c in extract.required_columns if c not in names]
    if missing:
        raise ExtractError(
            path,
            f"required column(s) {', '.join(missing)} missing; header has {', '.join(names)}",
            line=1,
            column=missing[0],
        )
    return names, warnings


def _line_numbers(path: Path, buf: bytes, rows: int) -> tuple[np.ndarray, np.ndarray | None]:
    """The start line of each row polars read, and which of them are blank lines (or None).

    Polars skips blank lines before the header and reads every later blank line as an all-null
    row, so rows line up one to one with the records after the header.
    """
    has_blank_line = buf.startswith((b"\n", b"\r\n")) or b"\n\n" in buf or b"\n\r\n" in buf
    physical_lines = buf.count(b"\n") + (0 if buf.endswith(b"\n") else 1)
    if not has_blank_line and physical_lines == rows + 1:
        # Every record (header included) is exactly one line.
        return np.arange(2, rows + 2, dtype=np.int64), None

    arr = np.frombuffer(buf, dtype=np.uint8)
    newlines = np.flatnonzero(arr == _NL)
    quotes = np.flatnonzero(arr == _QUOTE)
    # A newline ends a record unless it is inside quotes, i.e. preceded by an odd number of
    # quote characters (an escaped quote "" adds two, so the parity still holds).
    ends = newlines[np.searchsorted(quotes, newlines) % 2 == 0]
    starts = np.concatenate(([0], ends + 1))
    stops = np.concatenate((ends, [len(buf)]))
    if starts[-1] == len(buf):  # the file ends with a newline: no record after it
        starts, stops = starts[:-1], stops[:-1]
    length = stops - starts
    first_byte = arr[np.minimum(starts, len(buf) - 1)]
    blank = (length == 0) | ((length == 1) & (first_byte == _CR))
    start_lines = 1 + np.searchsorted(newlines, starts)  # newlines before a start, plus one

    header_at = int(np.argmax(~blank))  # blank lines before the header are not rows
    data_lines, data_blank = start_lines[header_at + 1 :], blank[header_at + 1 :]
    if len(data_lines) != rows:
        raise ExtractError(
            path,
            f"found {len(data_lines)} records but the CSV reader found {rows} rows "
            "(an unbalanced quote?)",
        )
    return data_lines.astype(np.int64), data_blank


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
