"""Read one CSV extract into a reader frame: every data row as read, all text, with lineage.

The frame has the contract's shape (docs/architecture.md "Reader frames"): staging types it in
one pass (pipelines/staging.py); ``load_raw`` also writes it to ``raw.<stem>`` for a run with
``--keep-raw``.

The contract (docs/extracts.md) allows UTF-8 with or without a BOM and Windows-1252, header
names in any case with stray spaces, extra columns, and absent optional columns. Polars parses the
file (no per-row Python). ``_line`` is the physical line where a record starts (header = line 1);
when every record sits on one line it is simply the row number + 2, and only when a quoted field
holds a newline, the file has blank lines or a row may have the wrong number of fields do we
locate record starts and count fields from the raw bytes, which numpy does in a few vectorised
passes.

A file fails as a whole (ExtractError naming file, line and column) only when it cannot be read
as CSV at all: unreadable, empty, not text, larger than the size limit (``max_csv_bytes``), a
header without a required column, a quote never closed. A row that is merely malformed (more or
fewer fields than the header, a NUL byte, a byte that is neither UTF-8 nor Windows-1252) is kept
with a description in ``_row_error`` so that staging quarantines it with its line.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from pipelines.contract import Extract
from pipelines.errors import ExtractError
from pipelines.sql import ident

LINEAGE = ("_source_file", "_line")
# Present in raw only when some row is malformed: why that row cannot be trusted, else NULL.
ROW_ERROR = "_row_error"
# Present in raw only when some row has fields beyond the header: those fields, as read.
BEYOND = "_beyond_header"
# The loader's own working columns start so; a header name that does too is refused rather
# than silently overwritten.
_WORK = "_frontdoor_"
_FIELDS, _LONGER, _HUGE = f"{_WORK}fields", f"{_WORK}longer", f"{_WORK}huge"
# No field of any extract comes near this: a longer one (a blob, a run of NUL bytes from a sparse
# file) makes its row malformed, and only its first _KEPT_CHARS characters are kept, so that no
# step downstream has to hold or copy it (docs/security.md "The text cap").
MAX_VALUE_BYTES = 65_536
_KEPT_CHARS = 1_000
_BOM = b"\xef\xbb\xbf"
_NL, _CR, _QUOTE, _COMMA = ord("\n"), ord("\r"), ord('"'), ord(",")
# A header fits in 64 KiB; a first line longer than that is not a header (a binary file, or a
# whole file on one line), and we say so without reading or parsing the rest.
_HEAD = 65536
_OVERFLOW = f"{_WORK}overflow_"
# More fields than this on one line is no table row (a file run together, a blob): refused
# before any per-field work, which would cost memory in proportion to the fields.
_MAX_FIELDS = 10_000
# Five bytes are undefined in Windows-1252: one in a file that is not UTF-8 is read as U+FFFD and
# its row quarantined (docs/security.md "CSV size and bytes").
_UNDECODABLE = "\ufffd"


def max_csv_bytes() -> int:
    """The largest CSV file read (FRONTDOOR_CSV_MAX_MIB, default 512 MiB). A file is held in
    memory with its parsed frame, about five times its size at the peak (docs/security.md "CSV
    size and bytes"); a council's largest extract is tens of MiB (136 MiB at 2,800,000
    children). A larger file is refused before a byte of it is read, naming the file."""
    return int(os.environ.get("FRONTDOOR_CSV_MAX_MIB", "512")) * 2**20


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


@dataclass(frozen=True)
class RawLoad:
    """What ``load_raw`` wrote: ``table`` with ``rows`` data rows read from ``path``."""

    path: Path
    table: str  # "raw.contacts"
    rows: int
    encoding: str  # "utf-8", "utf-8-sig" (with BOM), "cp1252" or "utf-8+cp1252" (mixed lines)
    columns: tuple[str, ...]  # the raw columns before _source_file, _line (and _row_error)
    warnings: tuple[str, ...]  # header and layout notes for the data-quality page
    renamed: dict[str, str]  # raw column -> the header as written, for a header in our namespace


def load_raw(con: duckdb.DuckDBPyConnection, path: Path | str, extract: Extract) -> RawLoad:
    """Read the CSV at ``path`` (``read_csv_extract``) and write it to ``raw.<extract.stem>``
    (replacing it): what a run with ``--keep-raw`` keeps. Raises ExtractError as that does."""
    read = read_csv_extract(path, extract)
    write_raw(con, extract.stem, read.frame)
    return RawLoad(
        read.path,
        f"raw.{extract.stem}",
        read.rows,
        read.encoding,
        read.columns,
        read.warnings,
        read.renamed,
    )


def write_raw(con: duckdb.DuckDBPyConnection, stem: str, frame: pl.DataFrame) -> None:
    """Write a reader frame to ``raw.<stem>`` as it is (replacing it)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.register("_reader_frame_raw", frame)
    try:
        con.execute(f"CREATE OR REPLACE TABLE raw.{ident(stem)} AS SELECT * FROM _reader_frame_raw")
    finally:
        con.unregister("_reader_frame_raw")


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
    buf, encoding, warnings, bad_bytes, size, sha256 = _utf8_bytes(path)
    if b"\r" in buf and b"\n" not in buf:
        # Classic Mac line ends: the csv module and polars see one endless line otherwise.
        buf = buf.replace(b"\r", b"\n")
        warnings.append("lines end in CR only (old Mac style): read as line ends")
    header = _header(path, buf)
    names, header_warnings, renamed = _normalise_header(path, header, extract)
    warnings += header_warnings
    width = len(names)
    cut_line = None
    if buf.count(b'"') % 2:
        buf, cut_line = _close_cut_quote(path, buf, names)

    scan: _Scan | None = None
    overflow: list[str] = []
    try:
        frame = _read(buf, names)
    except pl.exceptions.PolarsError as exc:
        # Most often a row with more fields than the header: read those fields into overflow
        # columns so the row can be quarantined rather than the file failed.
        _refuse_endless_rows(path, buf, width)
        scan = _scan(buf)
        most = int(scan.fields[scan.header_at + 1 :].max(initial=0))
        if most <= width:
            raise _not_csv(path, buf, width, exc) from exc
        overflow = [f"{_OVERFLOW}{i}" for i in range(width + 1, most + 1)]
        try:
            frame = _read(_with_header(buf, scan, [*names, *overflow]), [*names, *overflow])
        except pl.exceptions.PolarsError as again:
            raise _not_csv(path, buf, width, again) from again

    if scan is None and not _one_line_records_of_full_width(buf, frame, names[-1]):
        scan = _scan(buf)
    if scan is None:
        lines = np.arange(2, frame.height + 2, dtype=np.int64)
        blank = np.zeros(frame.height, dtype=bool)
        fields = np.full(frame.height, width, dtype=np.int64)
    else:
        lines, blank, fields = scan.data(path, frame.height)
    frame = frame.with_columns(
        _line=pl.Series(lines, dtype=pl.Int64), **{_FIELDS: pl.Series(fields, dtype=pl.Int64)}
    )
    frame = _cut_huge_values(frame, names)
    if blank.any():
        frame = frame.filter(pl.Series(~blank))
        warnings.append(f"{int(blank.sum())} blank line(s) skipped")
    frame, row_warnings = _row_errors(
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
    return CsvFrame(path, frame, encoding, tuple(columns), tuple(warnings), renamed, size, sha256)


def _read(buf: bytes, names: list[str]) -> pl.DataFrame:
    return pl.read_csv(
        buf, infer_schema=False, has_header=True, new_columns=names, raise_if_empty=True
    )


_undecodable = threading.local()


def _cut_huge_values(frame: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """Values over MAX_VALUE_BYTES cut to their first _KEPT_CHARS characters, and ``_HUGE``
    saying so for their rows (NULL elsewhere)."""
    huge = [n for n in names if (frame.get_column(n).str.len_bytes().max() or 0) > MAX_VALUE_BYTES]
    if not huge:
        return frame
    over = {n: pl.col(n).str.len_bytes() > MAX_VALUE_BYTES for n in huge}
    why = pl.coalesce(
        [
            pl.when(over[n]).then(
                pl.lit(
                    f"holds a value in column '{n}' longer than the limit of "
                    f"{MAX_VALUE_BYTES:,} bytes (kept cut to its first {_KEPT_CHARS:,} characters)"
                )
            )
            for n in huge
        ]
    )
    return frame.with_columns(
        why.alias(_HUGE),
        *(
            pl.when(over[n]).then(pl.col(n).str.head(_KEPT_CHARS)).otherwise(pl.col(n)).alias(n)
            for n in huge
        ),
    )


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: bytes that are not UTF-8 are read as Windows-1252; a byte undefined
    in both is read as U+FFFD and its place kept (``_undecodable.at``) so its row is
    quarantined."""
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start : error.end]
    text = []
    for i, byte in enumerate(bytes(bad)):
        try:
            text.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            text.append(_UNDECODABLE)
            _undecodable.at.append((error.start + i, byte))
    return "".join(text), error.end


codecs.register_error("frontdoor-cp1252", _cp1252_fallback)


def _is_utf8(data: bytes) -> int | None:
    """None when ``data`` is valid UTF-8, else the offset of the first invalid byte. Checked
    in slices, so no decoded copy of the whole file is ever held."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    step = 16 * 2**20
    view = memoryview(data)
    try:
        for at in range(0, len(data), step):
            decoder.decode(view[at : at + step], final=at + step >= len(data))
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:  # the exact place, only for a file that is not UTF-8
            return exc.start
    return None


def _utf8_bytes(
    path: Path,
) -> tuple[bytes, str, list[str], list[tuple[int, int]], int, str]:
    """The file's bytes as UTF-8 without a BOM, the encoding it was read as, notes, the
    (line, byte) of each byte that is neither UTF-8 nor Windows-1252, the file's size and the
    SHA-256 of its bytes."""
    if not path.exists():
        raise ExtractError(path, "file does not exist")
    if not path.is_file():
        raise ExtractError(path, "not a regular file")
    try:
        size = path.stat().st_size
        limit = max_csv_bytes()
        if size > limit:
            # Refused before reading: a sparse file of 2 GB takes 244 KB on disk.
            raise ExtractError(
                path,
                f"is {size / 2**20:,.0f} MiB, larger than the limit of {limit / 2**20:,.0f} MiB "
                "for one CSV file (FRONTDOOR_CSV_MAX_MIB): refused",
            )
        with path.open("rb") as f:
            head = f.read(_HEAD)
        _check_head(path, head)
        data = path.read_bytes()
    except OSError as exc:
        raise ExtractError(path, f"cannot be read: {exc.strerror or exc}") from exc
    sha256 = hashlib.sha256(data).hexdigest()
    if data.startswith(_BOM):
        data, encoding = data[len(_BOM) :], "utf-8-sig"
    else:
        encoding = "utf-8"
    first_bad = _is_utf8(data)
    if first_bad is None:
        return data, encoding, [], [], size, sha256
    bad_line = data.count(b"\n", 0, first_bad) + 1
    # Not UTF-8: what Excel writes on Windows, or a file appended to by two programs. Each
    # stretch that is not UTF-8 is read as Windows-1252, so valid UTF-8 lines stay as they are.
    _undecodable.at = []
    try:
        text = data.decode("utf-8", errors="frontdoor-cp1252")
        undecodable = _undecodable.at
    finally:
        del _undecodable.at
    bad_bytes = [(data.count(b"\n", 0, at) + 1, byte) for at, byte in undecodable]
    notes = []
    if bad_bytes:
        notes.append(
            f"{len(bad_bytes)} byte(s) neither UTF-8 nor Windows-1252 (first 0x{bad_bytes[0][1]:02x} "
            f"at line {bad_bytes[0][0]}): read as U+FFFD, their rows quarantined"
        )
    # The same bytes read wholly as Windows-1252 (U+FFFD for its five undefined ones, as above).
    if text != data.decode("cp1252", errors="replace"):
        note = (
            f"mixes UTF-8 with Windows-1252 (first not UTF-8 at line {bad_line}): "
            "each part read in its own encoding"
        )
        return text.encode("utf-8"), "utf-8+cp1252", [note, *notes], bad_bytes, size, sha256
    note = f"not valid UTF-8 (first at line {bad_line}): read as Windows-1252"
    return text.encode("utf-8"), "cp1252", [note, *notes], bad_bytes, size, sha256


def _check_head(path: Path, head: bytes) -> None:
    """Refuse, from its first 64 KiB, a file that is no CSV text at all."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExtractError(path, "is UTF-16 (Excel's 'Unicode Text'): save it as CSV UTF-8")
    first_line = head.split(b"\n", 1)[0]
    if b"\x00" in first_line:
        raise ExtractError(
            path,
            "holds NUL bytes in its first line: not CSV text (UTF-16 without a byte-order "
            "mark, or a workbook or other binary file named .csv?)",
            line=1,
        )
    if len(head) == _HEAD and b"\n" not in head and b"\r" not in head:
        raise ExtractError(
            path,
            f"the first line is longer than {_HEAD // 1024} KiB with no line end: "
            "not a CSV header (is the file one long line?)",
            line=1,
        )


def _header(path: Path, buf: bytes) -> list[str]:
    """The header's fields as written: the first non-blank record (polars skips leading blanks)."""
    # A header fits in the first 64 KiB; a character cut at the end does not matter.
    head = buf[:_HEAD].decode("utf-8", errors="ignore")
    try:
        for fields in csv.reader(io.StringIO(head)):
            if fields:
                return fields
    except csv.Error as exc:
        raise ExtractError(path, f"the header is not CSV: {exc}", line=1) from exc
    raise ExtractError(path, "file is empty: no header row", line=1)


# frontdoor's own columns start with "_" (and DuckDB gives every table a hidden "rowid"); a
# header that would take such a name is renamed so that no input column can pose as ours.
_RENAMED_PREFIX = "col"
_PSEUDO_COLUMNS = ("rowid",)


def _outside_our_namespace(name: str, taken: set[str]) -> str:
    """A header name that cannot be taken for one of frontdoor's columns: ``_rule`` ->
    ``col_rule``, ``rowid`` -> ``col_rowid`` (with _2, _3 ... if the file has those too)."""
    if not name.startswith("_") and name not in _PSEUDO_COLUMNS:
        return name
    base = _RENAMED_PREFIX + (name if name.startswith("_") else "_" + name)
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}_{n}"
    return candidate


def _normalise_header(
    path: Path, header: list[str], extract: Extract
) -> tuple[list[str], list[str], dict[str, str]]:
    """Header names trimmed and lower-cased, checked against the contract; notes; and the
    renamed columns (new name -> the header as written).

    A message never quotes a header that may not be one (a file whose first line is data): it
    names the fields by position and count, and the contract's own names only.
    """
    names: list[str] = []
    warnings: list[str] = []
    renamed: dict[str, str] = {}
    lowered = [w.strip().lower() for w in header]
    for i, written in enumerate(header, start=1):
        name = lowered[i - 1]
        if not name:
            name = f"column_{i}"
            warnings.append(f"header field {i} is blank: named '{name}'")
        elif name != written and name in extract.column_names:
            warnings.append(f"header {written!r} read as '{name}'")
        if name in names:
            raise ExtractError(
                path,
                f"column appears twice in the header (fields {names.index(name) + 1} and {i})",
                line=1,
                column=name if name in extract.column_names else None,
            )
        safe = _outside_our_namespace(name, {*lowered, *names})
        if safe != name:
            renamed[safe] = written
            warnings.append(
                f"header field {i} starts with '_' or is 'rowid' (names frontdoor keeps for its "
                f"own columns): read as '{safe}'"
            )
        names.append(safe)
    missing = [c for c in extract.required_columns if c not in names]
    if missing:
        known = [n for n in names if n in extract.column_names]
        hint = ""
        if len(header) == 1 and any(s in header[0] for s in ("\t", ";", "|")):
            hint = " (the file looks separated by tabs, ';' or '|': save it comma-separated)"
        elif not known:
            hint = " (no header row? the first line reads as data)"
        found = f"the contract's {', '.join(known)}" if known else "none of the contract's columns"
        raise ExtractError(
            path,
            f"required column(s) {', '.join(missing)} missing: the header (line 1) has "
            f"{len(header)} field(s), {found}{hint}",
            line=1,
            column=missing[0],
        )
    return names, warnings, renamed


def _one_line_records_of_full_width(buf: bytes, frame: pl.DataFrame, last: str) -> bool:
    """True when, without a scan, every record is known to be one line of full width.

    Polars has already refused any row longer than the header. With no blank line and one
    line per row, no row is short if the file holds exactly the commas a full width needs
    (no quotes) or if every row has a value in the last column (a quoted file: a comma may
    be inside quotes, but a short row leaves the last column NULL).
    """
    if buf.startswith((b"\n", b"\r\n")) or b"\n\n" in buf or b"\n\r\n" in buf:
        return False
    rows, width = frame.height, frame.width
    if buf.count(b"\n") + (0 if buf.endswith(b"\n") else 1) != rows + 1:
        return False
    if b'"' not in buf:
        return buf.count(b",") == (rows + 1) * (width - 1)
    return frame.get_column(last).null_count() == 0


@dataclass(frozen=True)
class _Scan:
    """Every record of a file found from its bytes: where it starts, its line, whether it is a
    blank line, and its number of fields (commas outside quotes + 1)."""

    starts: np.ndarray
    stops: np.ndarray
    lines: np.ndarray
    blank: np.ndarray
    fields: np.ndarray
    header_at: int  # blank lines before the header are not rows

    def data(self, path: Path, rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Line, blankness and field count of each record after the header.

        Polars skips blank lines before the header and reads every later blank line as an
        all-null row, so its rows line up one to one with the records after the header.
        """
        after = slice(self.header_at + 1, None)
        if len(self.lines[after]) != rows:
            raise ExtractError(
                path,
                f"found {len(self.lines[after])} records but the CSV reader found {rows} rows "
                "(a quote inside an unquoted value?)",
            )
        return self.lines[after].astype(np.int64), self.blank[after], self.fields[after]


def _scan(buf: bytes) -> _Scan:
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
    lines = 1 + np.searchsorted(newlines, starts)  # newlines before a start, plus one
    commas = np.flatnonzero(arr == _COMMA)
    commas = commas[np.searchsorted(quotes, commas) % 2 == 0]  # the same parity rule
    record_of_comma = np.searchsorted(starts, commas, side="right") - 1
    fields = np.bincount(record_of_comma, minlength=len(starts)) + 1
    header_at = int(np.argmax(~blank)) if len(blank) else 0
    return _Scan(starts, stops, lines, blank, fields, header_at)


def _refuse_endless_rows(path: Path, buf: bytes, width: int) -> None:
    """ExtractError for the first line holding more than _MAX_FIELDS fields, if any."""
    ends = np.flatnonzero(np.frombuffer(buf, dtype=np.uint8) == _NL)
    bounds = np.concatenate(([-1], ends, [len(buf)]))
    # Only a line longer than _MAX_FIELDS bytes can hold that many commas: count those few.
    for i in np.flatnonzero(np.diff(bounds) > _MAX_FIELDS):
        commas = buf.count(b",", int(bounds[i]) + 1, int(bounds[i + 1]))
        if commas >= _MAX_FIELDS:
            raise ExtractError(
                path,
                f"the line holds {commas + 1:,} fields (commas in quotes included) where the "
                f"header has {width}: not a table row",
                line=i + 1,
            )


def _with_header(buf: bytes, scan: _Scan, names: list[str]) -> bytes:
    """The file with its header record replaced by ``names`` (the same records after it)."""
    header = ",".join('"' + n.replace('"', '""') + '"' for n in names).encode()
    return header + buf[scan.stops[scan.header_at] :]


def _row_errors(
    frame: pl.DataFrame,
    names: list[str],
    overflow: list[str],
    width: int,
    has_nul: bool,
    cut_line: int | None,
    bad_bytes: list[tuple[int, int]] | None = None,
) -> tuple[pl.DataFrame, list[str]]:
    """Add ``_row_error`` (when some row is malformed) and drop the helper columns; and notes.

    A row with more fields than the header is malformed when a field beyond the header holds
    something: empty ones are a trailing comma, ignored. A row with fewer fields was cut short,
    and so was the last row when it ends inside a quoted value (``cut_line``).
    """
    fields = pl.col(_FIELDS)
    if overflow:
        beyond = pl.concat_str([pl.col(o).fill_null("") for o in overflow], separator=",")
        has_more = pl.any_horizontal(
            [pl.col(o).str.strip_chars().str.len_chars() > 0 for o in overflow]
        )
    else:
        beyond, has_more = pl.lit(""), pl.lit(False)
    nul_column = pl.coalesce(
        [pl.when(pl.col(n).str.contains("\x00", literal=True)).then(pl.lit(n)) for n in names]
        if has_nul
        else [pl.lit(None, dtype=pl.String)]
    )
    # The row whose record holds each undecodable byte: the last that starts at or before its
    # line (a quoted value may run over several lines).
    undecodable = pl.lit(None, dtype=pl.String)
    if bad_bytes:
        starts = frame.get_column("_line").to_numpy()
        at = np.searchsorted(starts, [line for line, _ in bad_bytes], side="right") - 1
        byte_of_row: dict[int, str] = {}
        for row, (_, byte) in zip(at, bad_bytes, strict=True):
            if row >= 0:
                byte_of_row.setdefault(int(row), f"0x{byte:02x}")
        marks = [None] * frame.height
        for row, byte in byte_of_row.items():
            marks[row] = byte
        undecodable = pl.Series(marks, dtype=pl.String)
    huge = pl.col(_HUGE) if _HUGE in frame.columns else pl.lit(None, dtype=pl.String)
    error = (
        pl.when(pl.col("_line") == (cut_line or 0))  # line 0 is never a row
        .then(pl.lit("ends inside a quoted value (cut short?)"))
        .when(fields < width)
        .then(pl.format("has {} field(s) where the header has {} (cut short?)", fields, width))
        .when(has_more.fill_null(False))
        .then(pl.format("has {} fields where the header has {}", fields, width))
        .when(nul_column.is_not_null())
        .then(pl.format("holds a NUL byte in column '{}'", nul_column))
        .when(undecodable.is_not_null())
        .then(pl.format("holds the byte {}, which is neither UTF-8 nor Windows-1252", undecodable))
        .when(huge.is_not_null())
        .then(huge)
    )
    frame = frame.with_columns(
        error.alias(ROW_ERROR),
        (fields > width).alias(_LONGER),
        # What lay beyond the header's last column, kept as read (raw keeps every row whole).
        pl.when(has_more.fill_null(False)).then(beyond.str.strip_chars_end(",")).alias(BEYOND),
    ).drop(overflow)
    notes = []
    trailing = frame.filter(pl.col(_LONGER) & pl.col(ROW_ERROR).is_null())
    if trailing.height:
        notes.append(
            f"{trailing.height} row(s) end with empty field(s) beyond the header's {width} "
            f"(a trailing comma?), first at line {trailing['_line'][0]}: ignored"
        )
    bad = frame.filter(pl.col(ROW_ERROR).is_not_null())
    if bad.height:
        notes.append(
            f"{bad.height} malformed row(s) quarantined, first at line {bad['_line'][0]}: "
            f"the row {bad[ROW_ERROR][0]}"
        )
    frame = frame.drop(_FIELDS, _LONGER, _HUGE, strict=False)
    if not bad.height:
        frame = frame.drop(ROW_ERROR)
    if not overflow or frame.get_column(BEYOND).null_count() == frame.height:
        frame = frame.drop(BEYOND)
    return frame, notes


def _close_cut_quote(path: Path, buf: bytes, names: list[str]) -> tuple[bytes, int]:
    """For a file with an odd number of quotes: the file with the quote closed and the line of
    the record holding it, when that record is the last line (a file cut short inside a quoted
    value, whose last row is then quarantined); else the ExtractError for a quote never closed,
    at the record where it opens."""
    arr = np.frombuffer(buf, dtype=np.uint8)
    newlines = np.flatnonzero(arr == _NL)
    quotes = np.flatnonzero(arr == _QUOTE)
    ends = newlines[np.searchsorted(quotes, newlines) % 2 == 0]
    start = int(ends[-1]) + 1 if len(ends) else 0  # the last record that was closed ends here
    line = 1 + int(np.searchsorted(newlines, start))
    opening = int(quotes[np.searchsorted(quotes, start)])
    field = buf.count(b",", start, opening)  # no quote before it in the record: all unquoted
    rest = buf[start:].rstrip(b"\r\n")
    header_line = 1 + buf[: len(buf) - len(buf.lstrip(b"\r\n"))].count(b"\n")
    if line > header_line and b"\n" not in rest:
        return buf[:start] + rest + b'"\n', line
    raise ExtractError(
        path,
        "a quote opened in this record is never closed, so the rest of the file would be one value",
        line=line,
        column=names[field] if field < len(names) else None,
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
