"""The far-corner check cannot be bypassed (issue 19, item 2): a sheet the reader (calamine)
will read is checked however the workbook points at it: a relationship target in another case
and absolute (/xl/worksheets/SHEET1.xml for the member sheet1.xml), relationships that cannot
be parsed, a sheet moved out of xl/worksheets/. Each variant is first shown to be read by
calamine (with a harmless cell), then, with a cell at XFD1048576, refused under a hard memory
ceiling with a message naming the file. Each one's peak resident memory is printed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from tests.conftest import ROOT
from tests.hostile.builders import annex_rows
from tests.hostile.test_readers import CEILING_MIB
from tests.hostile.xlsx import CONTENT_TYPES, MAIN, PKG, REL, ROOT_RELS, rows_xml, sheet_xml

FAR_CORNER = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
HARMLESS = '<row r="3"><c r="B3"><v>42</v></c></row>'

VARIANTS = {
    # (the relationship's target, the member the sheet is stored as)
    "absolute target in capitals": ("/xl/worksheets/SHEET1.xml", "xl/worksheets/sheet1.xml"),
    # Relationships lxml refuses (junk after them) and calamine reads, the sheet moved.
    "broken relationships, sheet moved": ("sheets/sheet1.xml<junk", "xl/sheets/sheet1.xml"),
    "sheet moved to xl/sheets": ("sheets/sheet1.xml", "xl/sheets/sheet1.xml"),
    "moved, absolute, in capitals": ("/XL/SHEETS/Sheet1.XML", "xl/sheets/sheet1.xml"),
}


def workbook(path: Path, target: str, member: str, last_row: str) -> Path:
    target, _, junk = target.partition("<")
    rels = (
        f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/worksheet" '
        f'Target="{target}"/></Relationships>' + (f"<{junk}" if junk else "")
    )
    book = (
        f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
        '<sheet name="List 3" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", book)
        z.writestr("xl/_rels/workbook.xml.rels", rels)
        z.writestr(member, "".join(sheet_xml([*rows_xml(annex_rows()), last_row])))
    return path


def _reads(path: Path) -> list[list[object]] | None:
    try:
        book = CalamineWorkbook.from_path(str(path))
        return book.get_sheet_by_index(0).to_python()
    except Exception:
        return None


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_sheet_the_reader_reads_is_checked_however_it_is_named(variant, tmp_path):
    target, member = VARIANTS[variant]
    grid = _reads(workbook(tmp_path / "probe.xlsx", target, member, HARMLESS))
    assert (
        grid is not None and grid[2][1] == 42
    )  # calamine found the sheet: the old check never looked at it
    folder = tmp_path / "in"
    folder.mkdir()
    path = workbook(folder / "annex_a.xlsx", target, member, FAR_CORNER)
    assert path.stat().st_size < 5000
    done = subprocess.run(
        [sys.executable, "-m", "tests.hostile.read_under_limit", str(folder), str(CEILING_MIB)],
        capture_output=True, text=True, cwd=ROOT, env=dict(os.environ), timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, f"the reader died under {CEILING_MIB} MiB: {done.stderr[-2000:]}"
    answer = json.loads(done.stdout.splitlines()[0])
    messages = (
        [answer["error"]] if "error" in answer else [o[1] for o in answer["outcomes"].values()]
    )
    assert any(
        m and m.startswith(f"{path}: ") and "1,048,576" in m and "refused" in m for m in messages
    ), answer
    peak_mib = int(done.stderr.split()[-1]) / 1024
    print(f"{variant}: refused, peak resident {peak_mib:.0f} MiB")  # for the closing note
