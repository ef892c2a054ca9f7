"""Read one CSV extract into a reader frame: every data row as read, all text, with lineage.

The frame has the contract's shape (docs/architecture.md "Reader frames"): staging types it in
one pass (pipelines/staging/build.py); ``load_raw`` also writes it to ``raw.<stem>`` for a run with
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

One job per module, in the order a file meets them: ``encoding`` (the size limit, what is no CSV
text, UTF-8 / BOM / Windows-1252), ``header`` (the header row checked against the contract),
``records`` (where each record starts and its field count, from the bytes), ``parse`` (polars
parses the bytes; a file that is no CSV), ``rows`` (each malformed row's ``_row_error``),
``frame`` (the reader frame and the contract's shape), ``read`` (all of it, for one file) and
``raw`` (the frame written to ``raw.<stem>``).
"""

from __future__ import annotations

from pipelines.sources.csv_extract.encoding import max_csv_bytes
from pipelines.sources.csv_extract.frame import BEYOND, LINEAGE, ROW_ERROR, CsvFrame
from pipelines.sources.csv_extract.raw import RawLoad, load_raw, write_raw
from pipelines.sources.csv_extract.read import read_csv_extract
from pipelines.sources.csv_extract.rows import MAX_VALUE_BYTES

__all__ = [
    "BEYOND",
    "LINEAGE",
    "MAX_VALUE_BYTES",
    "ROW_ERROR",
    "CsvFrame",
    "RawLoad",
    "load_raw",
    "max_csv_bytes",
    "read_csv_extract",
    "write_raw",
]
