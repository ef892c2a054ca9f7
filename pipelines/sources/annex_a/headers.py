"""Which field a header names, which list a header row is, and the records below it."""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Iterator

from pipelines.sources.annex_a.spec import (
    HEADER_PATTERNS,
    HEADER_SEARCH_ROWS,
    HEADERS,
    LISTS,
    PIVOT_PREFIXES,
    TEMPLATE_HEADERS,
    AnnexList,
    normalise_header,
)
from pipelines.sources.annex_a.table import Record, Rows, Table


def header_key(cell: object) -> str | None:
    """The field key a header names: an alias first (a pivot table's "Sum of ..." read as the
    column it sums), then a loose pattern."""
    normalised = normalise_header(cell)
    key = HEADERS.get(normalised)
    if key is None and normalised.startswith(PIVOT_PREFIXES):
        key = HEADERS.get(
            next(normalised[len(p) :] for p in PIVOT_PREFIXES if normalised.startswith(p))
        )
    if key is not None:
        return key
    words = " ".join(unicodedata.normalize("NFKC", str(cell)).lower().split())
    return next((key for pattern, key in HEADER_PATTERNS if pattern.search(words)), None)


def match_list(cells: list[object]) -> AnnexList | None:
    """The Annex A list whose header row this is, or None."""
    keys = {header_key(c) for c in cells if c not in (None, "")}
    for annex_list in LISTS:
        if annex_list.signature in keys and (annex_list.number == 11 or "child_id" in keys):
            return annex_list
    return None


def rows_of_sheet(table: Table, rows: Rows) -> tuple[AnnexList | None, Iterator[Record]]:
    """Find the header row, then turn every non-blank row below it into a record (one at a
    time: a long sheet is never held whole)."""
    rows = iter(rows)
    head = list(itertools.islice(rows, HEADER_SEARCH_ROWS))
    for index, (line, cells) in enumerate(head):
        annex_list = match_list(cells)
        if annex_list is None:
            continue
        columns: dict[int, str] = {}
        for position, cell in enumerate(cells):
            if cell in (None, ""):
                continue
            key = header_key(cell)
            if key is None or key in columns.values():
                if annex_list.used:
                    why = "header not recognised" if key is None else f"a second {key!r} column"
                    table.note("unmatched_header", f"{why}; column ignored", line, column=str(cell))
                continue
            columns[position] = key
            table.headers[key] = str(cell).strip()
        for key in annex_list.used:
            if key not in table.headers:
                table.note(
                    "missing_column",
                    f"List {annex_list.number} has no column {TEMPLATE_HEADERS[key]!r} (as "
                    "the template heads it); left blank",
                    line,
                    column=TEMPLATE_HEADERS[key],
                )
        records = (
            Record(row_line, {key: row[pos] for pos, key in columns.items() if pos < len(row)})
            for row_line, row in itertools.chain(head[index + 1 :], rows)
            if any(cell not in (None, "") and str(cell).strip() for cell in row)
        )
        return annex_list, records
    return None, iter(())
