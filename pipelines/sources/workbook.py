"""Opening a workbook in bounded memory: limits checked before any sheet is read.

An .xlsx file is a zip of XML parts. The reader (python-calamine) holds each sheet as a dense grid
from A1 to its last cell, so a 1.7 KB file with one cell at XFD1048576 would ask for hundreds of
gigabytes, and a zip bomb (megabytes that inflate to gigabytes) would fill memory. Before a sheet
is read:

- every part's inflated size is checked against ``max_part_bytes`` (the zip's directory says it,
  and the scan below stops reading a part that inflates past what it declared);
- every part of the zip (not only the sheets the workbook's relationships name: the reader has
  rules of its own for finding them) is scanned, streaming, for its last row and column (the
  cells' own ``r`` references), which must be within ``max_rows`` and ``max_columns``, and
  their product within ``max_cells``.

A workbook over a limit is refused with a message naming the file, the sheet and the limit; the
limits are settings (``WorkbookLimits.from_environment``, docs/security.md). An .xls file (the old
binary format, at most 65,536 x 256 cells) is only held to ``max_part_bytes`` as a whole.
"""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from lxml import etree

from pipelines.errors import ExtractError
from pipelines.sources.folder import shown
from pipelines.sources.parser_errors import reduced

_CELL = re.compile(r"([A-Z]{1,3})(\d+)")


@dataclass(frozen=True)
class WorkbookLimits:
    max_part_bytes: int = 256 * 2**20  # one sheet's XML (or the shared strings), inflated
    max_rows: int = 1_048_576  # Excel's own maximum
    max_columns: int = 512
    max_cells: int = 2_000_000  # rows x columns of one sheet's grid (an Annex A list of 100k
    # children over 20 columns; reading it costs about a gigabyte)

    @classmethod
    def from_environment(cls) -> WorkbookLimits:
        """The limits, each overridable by a FRONTDOOR_WORKBOOK_* environment variable."""
        base = cls()
        return cls(
            max_part_bytes=int(
                os.environ.get("FRONTDOOR_WORKBOOK_MAX_PART_MIB", base.max_part_bytes // 2**20)
            )
            * 2**20,
            max_rows=int(os.environ.get("FRONTDOOR_WORKBOOK_MAX_ROWS", base.max_rows)),
            max_columns=int(os.environ.get("FRONTDOOR_WORKBOOK_MAX_COLUMNS", base.max_columns)),
            max_cells=int(os.environ.get("FRONTDOOR_WORKBOOK_MAX_CELLS", base.max_cells)),
        )


def column_number(letters: str) -> int:
    """A1-style column letters to a 1-based number: A -> 1, XFD -> 16384."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


class _Capped:
    """A file-like reader that refuses to give more than ``limit`` bytes (a part that inflates
    past what its zip entry declared)."""

    def __init__(self, raw: IO[bytes], limit: int, on_over: ExtractError) -> None:
        self._raw, self._left, self._error = raw, limit, on_over

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size if size and size > 0 else 65536)
        self._left -= len(data)
        if self._left < 0:
            raise self._error
        return data


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part name -> sheet name, from the workbook's own list and relationships."""
    try:
        workbook = etree.fromstring(archive.read("xl/workbook.xml"))
        rels = etree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, etree.XMLSyntaxError):
        return {
            name: Path(name).stem
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and name.endswith(".xml")
        }
    targets = {
        r.get("Id"): r.get("Target", "") for r in rels if r.get("Type", "").endswith("/worksheet")
    }
    parts = {}
    for sheet in workbook.iter("{*}sheet"):
        rid = sheet.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
        target = targets.get(rid)
        if target:
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            parts[os.path.normpath(path)] = sheet.get("name", "")
    return parts


# A cell's reference (rows carry digits only, so letters mean a cell); a row's number.
_CELL_REF = re.compile(rb' r="([A-Z]{1,3})([0-9]{1,9})"')
_ROW_REF = re.compile(rb' r="([0-9]{1,9})"')
_PREFIXED_CELL = re.compile(rb"<\w+:c[\s/>]")
_CHUNK = 1 << 20


def _extent(stream: IO[bytes]) -> tuple[int, int]:
    """(last row, last column) of a worksheet's cells, from their ``r`` references, read a
    megabyte at a time (regular expressions over the bytes: the XML is not built). A sheet with
    a cell that has no reference (allowed, though Excel always writes one), or with prefixed
    element names, is scanned again by ``_extent_by_position``."""
    rows = cols = 0
    carry = b""
    while chunk := stream.read(_CHUNK):
        data = carry + chunk
        cut = data.rfind(b"<")  # an element may straddle the chunk boundary
        data, carry = (data[:cut], data[cut:]) if cut > 0 else (data, b"")
        refs = _CELL_REF.findall(data)
        cells = data.count(b"<c ") + data.count(b"<c>") + data.count(b"<c/")
        if cells != len(refs) or _PREFIXED_CELL.search(data):
            raise _NeedsPositions
        if refs:
            letters, numbers = zip(*refs, strict=True)
            rows = max(rows, max(map(int, numbers)))
            cols = max(cols, *(column_number(x.decode()) for x in set(letters)))
        rows = max(rows, *map(int, _ROW_REF.findall(data)), 0)
    return rows, cols


class _NeedsPositions(Exception):
    """A cell without its own reference: its place is known only by counting."""


def _extent_by_position(stream: IO[bytes]) -> tuple[int, int]:
    """(last row, last column) of a worksheet, counting cells and rows that carry no reference;
    a streaming parse that frees each row once it is scanned."""
    rows = cols = row = col = 0
    for _event, element in etree.iterparse(
        stream, events=("start",), tag=("{*}row", "{*}c"), huge_tree=True, resolve_entities=False
    ):
        ref = element.get("r")
        if element.tag.endswith("row"):
            row = int(ref) if ref and ref.isdigit() else row + 1
            rows, col = max(rows, row), 0
            # Free the rows already scanned, so a million of them cost nothing to keep.
            while element.getprevious() is not None:
                del element.getparent()[0]
        else:
            match = _CELL.fullmatch(ref or "")
            col = column_number(match.group(1)) if match else col + 1
            if match:
                rows = max(rows, int(match.group(2)))
            cols = max(cols, col)
    return rows, cols


def _looks_like_a_sheet(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether a part's first 64 KiB hold a worksheet's cell data (as XML, any prefix)."""
    with archive.open(info) as raw:
        return b"sheetdata" in raw.read(65536).lower()


def check_workbook(path: Path, limits: WorkbookLimits | None = None) -> None:
    """Raise ExtractError (naming the file, the sheet and the limit) when reading the workbook
    would exceed a limit; return when it is safe to read."""
    limits = limits or WorkbookLimits.from_environment()
    mib = limits.max_part_bytes / 2**20
    if path.suffix.lower() == ".xls":
        if path.stat().st_size > limits.max_part_bytes:
            raise ExtractError(
                path, f"is larger than the workbook limit of {mib:,.0f} MiB: refused"
            )
        return
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise ExtractError(
            path, "is not a readable .xlsx workbook (not a zip archive; encrypted or damaged?)"
        ) from error
    with archive:
        for info in archive.infolist():
            if info.file_size > limits.max_part_bytes:
                raise ExtractError(
                    path,
                    f"its part {shown(info.filename)!r} inflates to {info.file_size / 2**20:,.0f} MiB, "
                    f"over the limit of {mib:,.0f} MiB per part (FRONTDOOR_WORKBOOK_MAX_PART_MIB):"
                    " refused",
                )
        # Every part is scanned, not only those the workbook's relationships name: a reader
        # finds its sheets by its own rules (names in any case, absolute or broken targets, a
        # sheet moved out of xl/worksheets/), so whatever it reads must already be checked.
        named = {part.lower(): name for part, name in _sheet_parts(archive).items()}
        for info in archive.infolist():
            if info.is_dir():
                continue
            part = os.path.normpath(info.filename).lower()
            sheet = shown(named[part]) if part in named else f"part {shown(info.filename)}"
            over = ExtractError(
                path,
                f"sheet {sheet!r} inflates past the {info.file_size:,} bytes its archive "
                "declares (a zip bomb?): refused",
            )
            try:
                try:
                    with archive.open(info) as raw:
                        rows, cols = _extent(_Capped(raw, info.file_size, over))
                except _NeedsPositions:
                    if part not in named and not _looks_like_a_sheet(archive, info):
                        continue  # an image or other binary part: no cells to place
                    with archive.open(info) as raw:
                        rows, cols = _extent_by_position(_Capped(raw, info.file_size, over))
            except etree.XMLSyntaxError as error:
                problem = reduced(error)
                raise ExtractError(
                    path, f"sheet {sheet!r} is not well-formed XML: {problem}", line=problem.line
                ) from None  # its text may quote the row: not chained
            except (zipfile.BadZipFile, RuntimeError, OSError) as error:
                # RuntimeError: an encrypted member needs a password.
                raise ExtractError(
                    path, f"sheet {sheet!r} cannot be read (encrypted or damaged?)"
                ) from error
            for what, value, limit, setting in (
                ("rows", rows, limits.max_rows, "MAX_ROWS"),
                ("columns", cols, limits.max_columns, "MAX_COLUMNS"),
                ("cells", rows * cols, limits.max_cells, "MAX_CELLS"),
            ):
                if value > limit:
                    raise ExtractError(
                        path,
                        f"sheet {sheet!r} spans {value:,} {what} (to row {rows:,}, column "
                        f"{cols:,}), over the limit of {limit:,} (FRONTDOOR_WORKBOOK_{setting}):"
                        " refused",
                    )
