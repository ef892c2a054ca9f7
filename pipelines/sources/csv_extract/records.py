"""Where each record of a file starts and how many fields it holds, found from its bytes.

Polars parses the file; when a record may not be one line of the header's width (a quoted
newline, a blank line, a short or long row) the records are found here from the raw bytes, in a
few vectorised numpy passes: a newline or comma counts when an even number of quotes precede
it. The same parity finds a quote never closed; a line too wide to be a table row is refused
before any of that.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.errors import ExtractError

_NL, _CR, _QUOTE, _COMMA = ord("\n"), ord("\r"), ord('"'), ord(",")
# More fields than this on one line is no table row (a file run together, a blob): refused
# before any per-field work, which would cost memory in proportion to the fields.
_MAX_FIELDS = 10_000


def one_line_records_of_full_width(buf: bytes, frame: pl.DataFrame, last: str) -> bool:
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
class Scan:
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


def scan_records(buf: bytes) -> Scan:
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
    return Scan(starts, stops, lines, blank, fields, header_at)


def refuse_endless_rows(path: Path, buf: bytes, width: int) -> None:
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


def with_header(buf: bytes, scan: Scan, names: list[str]) -> bytes:
    """The file with its header record replaced by ``names`` (the same records after it)."""
    header = ",".join('"' + n.replace('"', '""') + '"' for n in names).encode()
    return header + buf[scan.stops[scan.header_at] :]


def close_cut_quote(path: Path, buf: bytes, names: list[str]) -> tuple[bytes, int]:
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


def record_lines(
    path: Path, buf: bytes, frame: pl.DataFrame, names: list[str], scan: Scan | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Line, blankness and field count of each of ``frame``'s rows (the header's ``names``,
    then any overflow columns): counted from the row number when every record is known to be
    one line of full width, else from a scan of the bytes (``scan``, when the parser made one)."""
    width = len(names)
    if scan is None and not one_line_records_of_full_width(buf, frame, names[-1]):
        scan = scan_records(buf)
    if scan is None:
        lines = np.arange(2, frame.height + 2, dtype=np.int64)
        blank = np.zeros(frame.height, dtype=bool)
        fields = np.full(frame.height, width, dtype=np.int64)
        return lines, blank, fields
    return scan.data(path, frame.height)
