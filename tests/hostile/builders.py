"""Hostile inputs, each built by code at test time (no binary is committed).

Each builder writes one input folder's worth of files. IDENT is the planted identifier: a child's
id and name as a hostile or careless file might put them anywhere. No message, audit or quality
table, report, stdout or Dagster event may ever show it.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.hostile.xlsx import rows_xml, write_xlsx

IDENT = "ZQ7731 Quentin Zabriskie"
CONTACTS = "contact_id,child_id,contact_datetime\n"
REFERRALS = "referral_id,child_id,referral_date\n"
ASSESSMENTS = "assessment_id,child_id,assessment_type,start_date,completed_date\n"
MB = 2**20


def contract_csvs(folder: Path) -> None:
    """The three files every run needs, one sound row each."""
    (folder / "contacts.csv").write_text(CONTACTS + "K1,C1,2012-04-02\n")
    (folder / "referrals.csv").write_text(REFERRALS + "R1,C1,2012-04-02\n")
    (folder / "assessments.csv").write_text(ASSESSMENTS + "A1,C1,SINGLE,2012-04-02,2012-04-20\n")


LIST_1 = [["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Date of Contact"]]
LIST_3 = [["Child Unique ID", "Date of Referral", "Referral NFA"]]


def annex_rows(n: int = 1) -> list[list[object]]:
    return LIST_3 + [[f"C{i}", "2012-04-02", "b) No"] for i in range(n)]


# --- workbooks ------------------------------------------------------------------------------------


def far_corner(folder: Path) -> None:
    """1.5 KB: a List 3 and one cell at XFD1048576 (a dense grid would be 512 GB)."""
    write_xlsx(
        folder / "annex_a.xlsx",
        [*rows_xml(annex_rows()), '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'],
    )


def whitespace_bomb(folder: Path) -> None:
    """A few MB of zip that inflate to 1 GiB of spaces inside the sheet."""
    body = [*rows_xml(annex_rows())]
    write_xlsx(folder / "annex_a.xlsx", [*body, *(" " * MB for _ in range(1024))])


def huge_cell_bomb(folder: Path) -> None:
    """One cell holding 1 GiB of text."""

    def body():
        yield from rows_xml(annex_rows())
        yield '<row r="3"><c r="A3" t="inlineStr"><is><t>'
        for _ in range(1024):
            yield "x" * MB
        yield "</t></is></c></row>"

    write_xlsx(folder / "annex_a.xlsx", body())


def lying_zip(folder: Path) -> None:
    """A sheet whose zip entry declares a few KB but inflates to 300 MB."""
    path = folder / "annex_a.xlsx"
    write_xlsx(path, [*rows_xml(annex_rows()), *(" " * MB for _ in range(300))])
    # Rewrite the central directory with a small declared size for the sheet.
    with zipfile.ZipFile(path, "a") as z:
        for info in z.filelist:
            if info.filename == "xl/worksheets/sheet1.xml":
                info.file_size = 4096
        z._didModify = True  # write the central directory again on close


def million_rows(folder: Path) -> None:
    """A List 3 of 1,048,576 rows (Excel's most), one identifier in every row."""
    rows = LIST_3 + [[f"{IDENT} {i}", "2012-04-02", "b) No"] for i in range(1_048_575)]
    # zlib's fastest level: 4.7 CPU-s to write against 6.5 s at its default, 16.4 MB not 15.1
    write_xlsx(folder / "annex_a.xlsx", rows_xml(rows), compresslevel=1)


def corrupt_workbook(folder: Path) -> None:
    """The first half of a sound workbook: the zip's directory is gone."""
    sound = folder / "sound.tmp"
    write_xlsx(sound, rows_xml(annex_rows(50)))
    data = sound.read_bytes()
    sound.unlink()
    (folder / "annex_a.xlsx").write_bytes(data[: len(data) // 2])


def encrypted_workbook(folder: Path) -> None:
    """What Excel writes for a password-protected workbook: an OLE compound file, not a zip."""
    header = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 504
    (folder / "annex_a.xlsx").write_bytes(header + b"EncryptionInfo" + os.urandom(4096))


def encrypted_member(folder: Path) -> None:
    """A zip whose sheet is marked encrypted (a password needed to read it)."""
    path = folder / "annex_a.xlsx"
    write_xlsx(path, rows_xml(annex_rows()))
    with zipfile.ZipFile(path, "a") as z:
        for info in z.filelist:
            if info.filename == "xl/worksheets/sheet1.xml":
                info.flag_bits |= 0x1
        z._didModify = True


def not_a_workbook(folder: Path) -> None:
    """A CSV saved with an .xlsx name."""
    (folder / "annex_a.xlsx").write_text(f"Child Unique ID,Date of Referral\n{IDENT},2012-04-02\n")


def internal_names_in_a_workbook(folder: Path) -> None:
    """A List 3 with columns named like frontdoor's own, holding the identifier."""
    header = [*LIST_3[0], "_rule", "_reason", "rowid", "_source_file", "_line"]
    row = ["C1", "2012-04-02", "b) No", IDENT, IDENT, IDENT, IDENT, "9"]
    write_xlsx(folder / "annex_a.xlsx", rows_xml([header, row]))


# --- census XML ----------------------------------------------------------------------------------

CENSUS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    "<Message><Header><CollectionDetails><Collection>CIN</Collection><Year>2014</Year>"
    "<ReferenceDate>2014-03-31</ReferenceDate></CollectionDetails></Header><Children>"
)


def census_child(child_id: str, extra: str = "") -> str:
    return (
        f"<Child><ChildIdentifiers><LAchildID>{child_id}</LAchildID>"
        "<PersonBirthDate>2005-01-01</PersonBirthDate></ChildIdentifiers>"
        f"<CINdetails><CINreferralDate>2013-05-01</CINreferralDate>{extra}</CINdetails></Child>"
    )


def billion_laughs(folder: Path) -> None:
    """Entities that would expand to gigabytes if anything expanded them."""
    lol = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    text = CENSUS_HEAD.replace("<Message>", f"<!DOCTYPE Message [{lol}]><Message>", 1)
    (folder / "census.xml").write_text(
        text
        + census_child("C1", "<ReasonForClosure>&lol9;</ReasonForClosure>")
        + "</Children></Message>"
    )


def external_entity(folder: Path) -> None:
    """An entity naming /etc/passwd (XXE): never read."""
    text = CENSUS_HEAD.replace(
        "<Message>", '<!DOCTYPE Message [<!ENTITY x SYSTEM "file:///etc/passwd">]><Message>', 1
    )
    (folder / "census.xml").write_text(text + census_child("&x;") + "</Children></Message>")


def deep_xml(folder: Path) -> None:
    """200,000 nested elements."""
    n = 200_000
    (folder / "census.xml").write_text(
        CENSUS_HEAD + "<a>" * n + "</a>" * n + "</Children></Message>"
    )


def internal_names_in_census(folder: Path) -> None:
    """Elements named like frontdoor's columns, holding the identifier."""
    extra = f"<_rule>{IDENT}</_rule><_reason>{IDENT}</_reason><rowid>{IDENT}</rowid>"
    (folder / "census.xml").write_text(
        CENSUS_HEAD + census_child("C1", extra) + "</Children></Message>"
    )


def identifier_as_bad_census_values(folder: Path) -> None:
    """The identifier where codes, dates and yes/no answers belong."""
    extra = (
        f"<ReferralSource>{IDENT}</ReferralSource><ReferralNFA>{IDENT}</ReferralNFA>"
        f"<CINclosureDate>{IDENT}</CINclosureDate>"
    )
    (folder / "census.xml").write_text(
        CENSUS_HEAD + census_child("C1", extra) + census_child("C1") + "</Children></Message>"
    )


def census_of_another_root(folder: Path) -> None:
    (folder / "census.xml").write_text(
        f"<CINdetailsCollection><LAchildID>{IDENT}</LAchildID></CINdetailsCollection>"
    )


# --- CSV ----------------------------------------------------------------------------------------

OUR_COLUMNS = (
    "_source_file", "_line", "_row_error", "_beyond_header", "_column", "_rule", "_value",
    "_reason", "rowid", "_Rule", "ROWID",
)  # fmt: skip


def internal_names_in_csv(folder: Path) -> None:
    """Every name frontdoor keeps for its own columns, as extra headers holding the identifier
    (two rows with the same id, so the rowid DuckDB would see decides which copy is kept)."""
    contract_csvs(folder)
    extra = ",".join(f'"{c}"' for c in OUR_COLUMNS)
    values = ",".join(f'"{IDENT}"' for _ in OUR_COLUMNS)
    (folder / "contacts.csv").write_text(
        f"contact_id,child_id,contact_datetime,{extra}\n"
        f"K1,C1,2012-04-02,{values}\nK1,C2,2012-04-03,{values}\n"
    )


def headerless_csv(folder: Path) -> None:
    """The first line is a child's record, not a header."""
    contract_csvs(folder)
    (folder / "contacts.csv").write_text(f"K1,{IDENT},2012-04-02\nK2,C2,2012-04-02\n")


def identifier_as_bad_values(folder: Path) -> None:
    """The identifier in a date, a code, a yes/no, a number and beyond the header."""
    contract_csvs(folder)
    (folder / "contacts.csv").write_text(
        "contact_id,child_id,contact_datetime,source,out_of_hours\n"
        f"K1,C1,{IDENT},1A,Y\nK2,C2,2012-04-02,{IDENT},Y\nK3,C3,2012-04-02,1A,{IDENT}\n"
        f"K4,C4,2012-04-02,1A,Y,{IDENT}\n"
    )
    (folder / "cp_plans.csv").write_text(
        "plan_id,child_id,start_date,number_of_previous_plans,team\n"
        f'P1,C1,2012-04-02,{IDENT},"<a href=""https://example.org"">Duty</a>"\n'
    )


def stray_large_file(folder: Path) -> None:
    """A 30 MB one-line notes.csv beside the extracts: detection reads 64 KiB of it."""
    contract_csvs(folder)
    with (folder / "notes.csv").open("w") as f:
        for _ in range(30):
            f.write("x" * MB)


def link_inside(folder: Path) -> None:
    """contacts.csv a link to a file inside the folder: followed, the real file named."""
    contract_csvs(folder)
    real = folder / "exports"
    real.mkdir()
    (folder / "contacts.csv").rename(real / "contacts_2014.csv")
    (folder / "contacts.csv").symlink_to(real / "contacts_2014.csv")


def link_to_passwd(folder: Path) -> None:
    contract_csvs(folder)
    (folder / "children.csv").symlink_to("/etc/passwd")


def link_outside(folder: Path) -> None:
    """A link to another folder's file (another council's extract)."""
    contract_csvs(folder)
    other = folder.parent / f"{folder.name}-other"
    other.mkdir(exist_ok=True)
    (other / "children.csv").write_text(f"child_id\n{IDENT}\n")
    (folder / "children.csv").symlink_to(other / "children.csv")


def newline_in_name(folder: Path) -> None:
    contract_csvs(folder)
    (folder / "children.csv\nFAILED everything").write_text(f"child_id\n{IDENT}\n")


def fifo_named_like_an_extract(folder: Path) -> None:
    """A named pipe: opening it would wait for ever."""
    contract_csvs(folder)
    os.mkfifo(folder / "children.csv")


def folder_named_like_an_extract(folder: Path) -> None:
    contract_csvs(folder)
    (folder / "children.csv").mkdir()


@dataclass(frozen=True)
class Hostile:
    name: str
    build: Callable[[Path], None]
    # "loaded" (every file it holds loads), "refused" (a file is refused: its extract fails, or,
    # for a workbook or census file, which is the whole return, the load), "no input"
    expect: str
    words: str = ""  # part of the message saying why (a refused file's, or the folder's)
    env: tuple[tuple[str, str], ...] = ()


READER_CASES: tuple[Hostile, ...] = (
    Hostile("workbook with a cell at XFD1048576", far_corner, "refused", "16,384 columns"),
    Hostile("workbook zip bomb of whitespace", whitespace_bomb, "refused", "inflates to"),
    Hostile("workbook zip bomb of one huge cell", huge_cell_bomb, "refused", "inflates to"),
    Hostile("workbook whose zip lies about a size", lying_zip, "refused", "cannot be read"),
    Hostile("workbook of 1,048,576 rows", million_rows, "refused", "over the limit"),
    Hostile(
        "workbook of 1,048,576 rows, limits raised",
        million_rows,
        "refused",
        "over the limit of 2,000,000",
        (("FRONTDOOR_WORKBOOK_MAX_PART_MIB", "1024"),),
    ),
    Hostile("corrupt workbook (cut in half)", corrupt_workbook, "refused", "not a readable"),
    Hostile("encrypted workbook (OLE file)", encrypted_workbook, "refused", "encrypted"),
    Hostile("workbook with an encrypted sheet", encrypted_member, "refused", "encrypted"),
    Hostile("a CSV named .xlsx", not_a_workbook, "refused", "not a readable"),
    Hostile("frontdoor's column names in a workbook", internal_names_in_a_workbook, "loaded"),
    Hostile("census with a billion laughs", billion_laughs, "refused", "resource limit"),
    Hostile("census with an external entity (XXE)", external_entity, "loaded"),
    Hostile("census nested 200,000 deep", deep_xml, "refused", "resource limit"),
    Hostile(
        "census over the size limit",
        internal_names_in_census,
        "refused",
        "larger than the limit",
        (("FRONTDOOR_XML_MAX_MIB", "0"),),
    ),
    Hostile("frontdoor's column names in a census", internal_names_in_census, "loaded"),
    Hostile("identifier as bad census values", identifier_as_bad_census_values, "loaded"),
    Hostile("XML of another root", census_of_another_root, "no input", "root element is"),
    Hostile("frontdoor's column names in a CSV", internal_names_in_csv, "loaded"),
    Hostile("header-less CSV", headerless_csv, "refused", "no header row?"),
    Hostile("identifier as bad CSV values", identifier_as_bad_values, "loaded"),
    Hostile("a stray 30 MB one-line file", stray_large_file, "loaded"),
    Hostile("a link to a file inside the folder", link_inside, "loaded"),
    Hostile("a link to /etc/passwd", link_to_passwd, "refused", "outside the input folder"),
    Hostile("a link to another folder's file", link_outside, "refused", "outside the input"),
    Hostile("a file name with a newline", newline_in_name, "loaded"),
    Hostile(
        "a named pipe called children.csv",
        fifo_named_like_an_extract,
        "refused",
        "not a regular file",
    ),
    Hostile(
        "a folder called children.csv",
        folder_named_like_an_extract,
        "refused",
        "not a regular file",
    ),
)


# A name in the census that is not well-formed XML: lxml's message would quote it.
PLANTED = "Smith"
LEAKY = "council-leaky"


def leaky_census(folder: Path) -> None:
    """A census whose child's identifier holds an undeclared entity: not well-formed."""
    folder.mkdir(parents=True)
    (folder / "census.xml").write_text(
        CENSUS_HEAD + census_child(f"Jane &{PLANTED};") + "</Children></Message>"
    )
