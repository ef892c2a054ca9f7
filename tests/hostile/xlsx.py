"""Workbooks built byte by byte at test time: the smallest .xlsx that Excel, calamine and
openpyxl accept, so a hostile part (a cell at XFD1048576, a sheet that inflates to gigabytes) can
be planted exactly. Nothing here is committed as a binary."""

from __future__ import annotations

import functools
import zipfile
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
    f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK_RELS = (
    f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
    f'Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


@functools.cache
def column_letters(n: int) -> str:
    letters = ""
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def cell(ref: str, value: object) -> str:
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def rows_xml(rows: Iterable[list[object]], start: int = 1) -> Iterable[str]:
    for i, row in enumerate(rows, start=start):
        cells = "".join(
            cell(f"{column_letters(j)}{i}", v) for j, v in enumerate(row, start=1) if v is not None
        )
        yield f'<row r="{i}">{cells}</row>'


def sheet_xml(body: Iterable[str]) -> Iterable[str]:
    yield f'<worksheet xmlns="{MAIN}"><sheetData>'
    yield from body
    yield "</sheetData></worksheet>"


def write_xlsx(
    path: Path,
    sheet_body: Iterable[str],
    sheet_name: str = "List 1",
    compresslevel: int | None = None,
) -> Path:
    """An .xlsx of one sheet whose <sheetData> holds ``sheet_body`` (row elements as text),
    streamed into the zip so that even a huge sheet costs little memory to write.
    ``compresslevel``: zlib's (default 6); the bombs keep the default, their ratio is what
    they test."""
    workbook = (
        f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
        f'<sheet name="{escape(sheet_name)}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", workbook)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            # Written a MiB at a time: a write a row made the million-row sheet take 8.8 s to
            # build, against 6.5 s.
            buffer: list[str] = []
            size = 0
            for chunk in sheet_xml(sheet_body):
                buffer.append(chunk)
                size += len(chunk)
                if size >= 2**20:
                    f.write("".join(buffer).encode("utf-8"))
                    buffer, size = [], 0
            f.write("".join(buffer).encode("utf-8"))
    return path
