"""Read one Annex A file into rows, then a path (file or folder) into the contract's frames."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

from pipelines.contract import extract
from pipelines.sources.annex_a.discover import front_sheet_la_code, input_files_of, tables_of
from pipelines.sources.annex_a.headers import rows_of_sheet
from pipelines.sources.annex_a.merge import merge
from pipelines.sources.annex_a.rows import Builder
from pipelines.sources.annex_a.spec import (
    EXTRA,
    EXTRA_MEANINGS,
    FIELDS,
    HEADER_SEARCH_ROWS,
    ID_COLUMNS,
    STEMS_OF_LIST,
    TEMPLATE_HEADERS,
)
from pipelines.sources.annex_a.table import Table
from pipelines.sources.folder import changed_error, unchanged
from pipelines.sources.result import Finding, SourceFrames, raw_frame


def read_file(file: Path, findings: list[Finding]) -> tuple[Builder, set[int]]:
    """One workbook or list CSV read into a builder of its own; the list numbers it holds."""
    builder = Builder(findings)
    found: set[int] = set()
    before = file.stat()
    for sheet, rows in tables_of(file, findings):
        table = Table(str(file), sheet, findings)
        rows = iter(rows)
        head = list(itertools.islice(rows, HEADER_SEARCH_ROWS))
        builder.la_code = builder.la_code or front_sheet_la_code(head)
        annex_list, records = rows_of_sheet(table, itertools.chain(head, rows))
        if annex_list is None:
            table.note("not_a_list", "no Annex A list header found; skipped")
            continue
        if not annex_list.used:
            table.note(
                "list_skipped",
                f"List {annex_list.number} ({annex_list.title}) is outside the front door; skipped",
            )
            continue
        found.add(annex_list.number)
        for record in records:
            builder.read(annex_list, table, record)
    if not unchanged(file, before):
        raise changed_error(file)
    return builder, found


def source_names(builder: Builder) -> dict[str, dict[str, str]]:
    """Each contract column as the workbook's header names it; a key as the headers it is
    built from (the child and the list's own date)."""
    names: dict[str, dict[str, str]] = {}
    for stem, fields in FIELDS.items():
        headers = builder.headers.get(stem, {})
        names[stem] = {
            column: f"column {headers.get(key, TEMPLATE_HEADERS[key])!r}"
            for column, key in fields.items()
        }
        if stem in ID_COLUMNS:
            date_column = extract(stem).placed_by
            parts = [names[stem].get(c, c) for c in ("child_id", date_column) if c]
            names[stem][ID_COLUMNS[stem]] = "the key built from " + " and ".join(parts)
    return names


def read_annex_a(path: Path) -> SourceFrames:
    """Read an Annex A workbook, one list CSV, or a folder of them, into raw frames.

    Frames appear for the stems whose list was found (empty when the list has no rows); children
    and workers come from every mapped list that names them. Several returns (two monthly
    workbooks) are merged, the latest return (by its latest date, then its name) winning per
    record (``merge``). Raises ExtractError only for a file that cannot be read at all.
    """
    findings: list[Finding] = []
    found: set[int] = set()
    read = []
    for file in input_files_of(path):
        builder, lists = read_file(file, findings)
        read.append((builder.latest_date() or date.min, file.name, builder))
        found |= lists
    ordered = [b for _, _, b in sorted(read, key=lambda r: r[:2])]
    la_code = next((b.la_code for b in reversed(ordered) if b.la_code), None)
    builder = merge(ordered)
    builder.apply_cin_episodes()

    result = SourceFrames(
        findings=builder.findings,
        extra_columns=EXTRA_MEANINGS,
        as_at=builder.latest_date(),
        as_at_source="the latest date in any list of the Annex A return",
        la_code=la_code,
        la_code_source="the Annex A front sheet" if la_code else "",
        files=sorted(name for _, name, _ in read),
        source_names=source_names(builder),
        built={stem: (column,) for stem, column in ID_COLUMNS.items()},
    )
    stems = [stem for number in sorted(found) for stem in STEMS_OF_LIST.get(number, ())]
    for stem in stems:
        extra = ("sheet", *EXTRA.get(stem, ()))
        result.frames[stem] = raw_frame(stem, builder.rows.get(stem, []), extra=extra)
    if found:
        result.frames["children"] = raw_frame(
            "children", builder.children.values(), extra=("sheet",)
        )
    if found & {3, 4, 5, 6, 7}:
        result.frames["workers"] = raw_frame("workers", builder.workers.values(), extra=("sheet",))
    if not found:
        result.findings.append(
            Finding(str(path), "no_lists", "no Annex A list 1, 3, 4, 5, 6 or 7 found")
        )
    return result
