"""Read Ofsted's Annex A child-level lists into the contract's raw frames.

Input is a workbook (any sheet names: each list is found by its header row, which may sit below
title rows), one CSV per list, or a folder of them. Lists 1, 3, 4, 5, 6 and 7 are mapped
(docs/formats.md has the table); Lists 2 and 8-11 are recognised and skipped, and sheets that
hold no list (the template's front sheet, guidance, codes) are skipped with a finding.

Annex A has no record ids, no times, no decision dates and no allocation dates, and gives only
the latest CP review and visit. Ids are built from the child and the list's own date
(``<child>/<date>``, ``#2`` for a repeat); nothing else is invented, so allocations, cp_reviews
and cp_visits are never produced, and the metrics that need what is missing are listed in
``pipelines.marts.metrics.UNSUPPORTED_METRICS`` and docs/formats.md.

What the reader knows of Annex A (header spellings, the lists, code labels, the stems each list
feeds) is data in annex_a.toml, read by ``spec``. One job per module: ``discover`` (the files,
their sheets, what tells an Annex A file), ``headers`` (a header row: its list and columns),
``values`` (a cell as text, a date, Y/N or a code), ``rows`` (a list's rows as the contract's),
``merge`` (several returns as one), ``read`` (all of it, into frames).
"""

from __future__ import annotations

from pipelines.sources.annex_a.discover import (
    WORKBOOK_SUFFIXES,
    front_sheet_la_code,
    is_annex_a_csv,
    is_annex_a_head,
)
from pipelines.sources.annex_a.headers import header_key, match_list
from pipelines.sources.annex_a.read import read_annex_a
from pipelines.sources.annex_a.spec import LISTS, AnnexList, normalise_header
from pipelines.sources.annex_a.values import (
    EXCEL_EPOCH,
    excel_serial_to_date,
    strip_prefix,
    text_to_iso,
)

__all__ = [
    "EXCEL_EPOCH",
    "LISTS",
    "WORKBOOK_SUFFIXES",
    "AnnexList",
    "excel_serial_to_date",
    "front_sheet_la_code",
    "header_key",
    "is_annex_a_csv",
    "is_annex_a_head",
    "match_list",
    "normalise_header",
    "read_annex_a",
    "strip_prefix",
    "text_to_iso",
]
