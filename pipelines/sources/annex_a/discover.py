"""The files to read, the tables (sheets or one CSV) in each, and what tells an Annex A file."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook

from pipelines.contract import REFERENCE_STEMS
from pipelines.errors import ExtractError
from pipelines.sources.annex_a.headers import match_list
from pipelines.sources.annex_a.spec import HEADER_SEARCH_ROWS
from pipelines.sources.annex_a.table import Rows
from pipelines.sources.folder import HEAD_BYTES, input_files, read_head
from pipelines.sources.parser_errors import reduced
from pipelines.sources.result import Finding
from pipelines.sources.workbook import WorkbookLimits, check_workbook

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")


def read_csv_rows(path: Path) -> Rows:
    limit = WorkbookLimits.from_environment().max_part_bytes
    if path.stat().st_size > limit:
        raise ExtractError(
            path, f"is larger than the limit of {limit / 2**20:,.0f} MiB for one list: refused"
        )
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # what Excel writes
    reader = csv.reader(io.StringIO(text, newline=""))
    return [(reader.line_num, list(row)) for row in reader]


def tables_of(path: Path, findings: list[Finding]) -> Iterator[tuple[str | None, Rows]]:
    """(sheet name or None, numbered rows) for each sheet of a workbook, or the one CSV table.

    A file that cannot be opened raises ExtractError; a sheet that cannot be read (a chart
    sheet, a damaged part) is skipped with a finding and the other sheets still load.
    """
    if path.suffix.lower() == ".csv":
        try:
            rows = read_csv_rows(path)
        except (OSError, csv.Error) as error:
            raise ExtractError(
                path, f"cannot read the CSV: {reduced(error)}"
            ) from None  # its text may quote the row: not chained
        yield None, rows
        return
    check_workbook(path)
    try:
        workbook = CalamineWorkbook.from_path(path)
    except (CalamineError, OSError, ValueError):
        raise ExtractError(
            path, "cannot be read as a workbook (encrypted, damaged or not a workbook?)"
        ) from None  # its text may quote the row: not chained
    for name in workbook.sheet_names:
        try:
            sheet = workbook.get_sheet_by_name(name)
            grid = sheet.iter_rows()
        except (CalamineError, ValueError):
            message = "sheet cannot be read (a chart sheet, or damaged); skipped"
            findings.append(Finding(str(path), "unreadable_sheet", message, name))
            continue
        # The grid starts at the sheet's first used cell: add its offset to get the sheet row
        # (and pad each row out to column A).
        first_row, first_col = sheet.start or (0, 0)
        yield (
            name,
            (
                (first_row + index + 1, [None] * first_col + list(row))
                for index, row in enumerate(grid)
            ),
        )


def is_annex_a_head(head: bytes) -> bool:
    """True when the first bytes of a CSV hold, within its first rows, an Annex A list header."""
    text = head.decode("utf-8-sig", errors="replace")
    if len(head) == HEAD_BYTES:
        text = text.rsplit("\n", 1)[0]  # the last line may be cut short
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))[:HEADER_SEARCH_ROWS]
    except csv.Error:
        return False
    return any(match_list(row) is not None for row in rows)


def is_annex_a_csv(path: Path) -> bool:
    """True when a CSV's header row (within its first rows) is an Annex A list."""
    try:
        return is_annex_a_head(read_head(path))
    except OSError:
        return False


def input_files_of(path: Path) -> list[Path]:
    """The workbooks and CSVs to read: the folder's (population.csv is reference data, not a
    list; links leaving the folder are refused), or the one file given."""
    if path.is_dir():
        return [
            f.path
            for f in input_files(path)
            if f.refused is None
            and f.suffix in (*WORKBOOK_SUFFIXES, ".csv")
            and f.stem not in REFERENCE_STEMS
        ]
    if not path.exists():
        raise ExtractError(path, "file not found")
    return [path]


# A front sheet's label for the council's code, normalised (the template leaves the layout to
# the council: "LA code", "Local authority number", ...), with the code in the next cell.
_LA_LABEL = re.compile(r"^(la|local authority)( code| number| no\.?)?:?$")
_LA_CODE = re.compile(r"^(\d{3})\b")


def front_sheet_la_code(rows: list[tuple[int, list[object]]]) -> str | None:
    """The old three-digit LA code a sheet's top rows give beside an LA label, or None."""
    for _, cells in rows:
        texts = [str(c).strip() for c in cells if c not in (None, "") and str(c).strip()]
        if len(texts) >= 2 and _LA_LABEL.match(texts[0].lower()):
            value = texts[1][:-2] if texts[1].endswith(".0") else texts[1]
            found = _LA_CODE.match(value)
            if found:
                return found.group(1)
    return None
