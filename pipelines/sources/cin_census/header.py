"""One census file's header: its collection year, reference date and council, and the file's
findings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lxml import etree

from pipelines.sources.cin_census.node import Node
from pipelines.sources.result import Finding


@dataclass
class CensusFile:
    path: str
    rank: tuple[int, str, int]  # (collection year, reference date, position in the call)
    collection_year: str | None
    findings: list[Finding]
    reference_date: dt.date | None = None  # Header/CollectionDetails/ReferenceDate, when a date
    lea: str | None = None  # Header/Source/LEA: the council's old three-digit LA code

    def note(
        self,
        rule: str,
        message: str,
        element: etree._Element | None = None,
        column: str | None = None,
    ) -> None:
        line = element.sourceline if element is not None else None
        self.findings.append(Finding(self.path, rule, message, None, line, column))


def iso_date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def read_header(
    root: etree._Element, path: str, position: int, findings: list[Finding]
) -> CensusFile:
    """The file's collection year, reference date and LEA, each oddity a finding."""
    collection = Node(root.find("Header/CollectionDetails"))
    year = collection.text("Year")
    reference_date = collection.text("ReferenceDate") or ""
    collection_year = year if year and year.isdigit() else (reference_date[:4] or None)
    census = CensusFile(
        path, (int(collection_year or 0), reference_date, position), collection_year, findings
    )
    if year is None:
        taken = (
            f"taken as {collection_year}"
            if collection_year
            else "unknown: merged below dated files"
        )
        census.note("no_collection_year", f"Header has no Year; the collection year is {taken}")
    elif reference_date and reference_date[:4] != year:
        census.note(
            "header_mismatch",
            f"ReferenceDate {reference_date} is not in collection year {year}; the Year is used",
            collection.first("ReferenceDate"),
            "ReferenceDate",
        )
    census.reference_date = iso_date(reference_date)
    source = Node(root.find("Header/Source"))
    lea = (source.text("LEA") or "").strip()
    census.lea = lea if lea.isdigit() and len(lea) == 3 else None
    if lea and census.lea is None:
        census.note(
            "bad_lea", "LEA is not a three-digit LA code; not used", source.first("LEA"), "LEA"
        )
    if reference_date and census.reference_date is None:
        census.note(
            "bad_reference_date",
            "ReferenceDate is not a date; the file gives no as-at date",
            collection.first("ReferenceDate"),
            "ReferenceDate",
        )
    elif census.reference_date is not None and census.reference_date.strftime("%m-%d") != "03-31":
        # DfE's census is taken at 31 March; its validator queries any other reference date.
        census.note(
            "reference_date_not_31_march",
            f"ReferenceDate is {census.reference_date}, not 31 March of the collection year",
            collection.first("ReferenceDate"),
            "ReferenceDate",
        )
    return census
