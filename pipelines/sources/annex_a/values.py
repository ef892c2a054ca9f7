"""A cell as the contract's text: trimmed text, an ISO date, Y/N, or a code of the contract."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from pipelines.contract import NO, YES
from pipelines.sources.annex_a.spec import (
    CASE_STATUSES,
    EXCEL_ERRORS,
    SEX_LABELS,
    UNKNOWN,
    normalise_header,
)
from pipelines.sources.annex_a.table import Record, Table

_PREFIX = re.compile(r"^\s*[a-z]{1,2}\)\s*")  # the template's "a) " ordering prefix
_LEADING_CODE = re.compile(r"^([A-Za-z0-9]+)\s*(?::|-|\u2013)\s*\S")  # "6: Police", "N1 - Abuse"


# Day 0 of Excel's 1900 date system, one day early to absorb its phantom 1900-02-29: serials from
# 61 (1900-03-01) on, which is every date this pipeline meets, come out right.
EXCEL_EPOCH = date(1899, 12, 30)


# Text dates as Annex A workbooks and their CSV exports write them: ISO (year first, - or /) or
# day first (UK: d/m/yyyy, also with - or .), or with the month named (16 Sep 2020, 16-Sep-2020);
# a four-digit year always (17/09/20 is left as written: the century is a guess). A time may follow.
_TIME = r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?)?"
_YEAR_FIRST = re.compile(rf"(\d{{4}})([-/])(\d{{1,2}})\2(\d{{1,2}}){_TIME}")
_DAY_FIRST = re.compile(rf"(\d{{1,2}})([/.-])(\d{{1,2}})\2(\d{{4}}){_TIME}")
_MONTH_NAMED = re.compile(rf"(\d{{1,2}})[ -]([A-Za-z]{{3,9}})[ -](\d{{4}}){_TIME}")
_MONTHS = {
    name: number
    for number, full in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        start=1,
    )
    for name in (full, full[:3])
} | {"sept": 9}


def text_to_iso(text: str, keep_time: bool = False) -> str | None:
    """A date written as text -> ISO ``YYYY-MM-DD`` (``YYYY-MM-DDTHH:MM:SS`` when ``keep_time``
    and the time is not midnight); None when it is not a date this reader knows, or no such day.

    Day first, as English workbooks write dates: ``03/04/2020`` is 3 April.
    """
    text = text.strip()
    if match := _YEAR_FIRST.fullmatch(text):
        year, _, month, day, *clock = match.groups()
    elif match := _DAY_FIRST.fullmatch(text):
        day, _, month, year, *clock = match.groups()
    elif match := _MONTH_NAMED.fullmatch(text):
        day, name, year, *clock = match.groups()
        month = str(_MONTHS.get(name.lower(), 0))
    else:
        return None
    hour, minute, second = (int(part) if part else 0 for part in clock)
    try:
        when = datetime(int(year), int(month), int(day), hour, minute, second)
    except ValueError:
        return None
    if keep_time and when.time() != datetime.min.time():
        return when.isoformat(timespec="seconds")
    return when.date().isoformat()


def strip_prefix(text: str) -> str:
    """``"q) 6: Police"`` -> ``"6: Police"``."""
    return _PREFIX.sub("", text).strip()


def as_date(value: object) -> date | None:
    """An ISO date (or date-time) text as a date; None for anything else."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def excel_serial_to_date(serial: float) -> date:
    """Excel (1900 system) serial day number -> date: 40909 -> 2012-01-01."""
    return EXCEL_EPOCH + timedelta(days=int(serial))


def cell_text(table: Table, record: Record, key: str) -> str | None:
    """A cell as trimmed text; blank and Excel errors are None, whole floats lose their ``.0``."""
    value = record.cells.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = " ".join(str(value).split())  # also folds the non-breaking spaces in worker names
    if text.upper() in EXCEL_ERRORS:
        table.note("excel_error", "Excel error value read as blank", record.line, key)
        return None
    return text or None


def cell_date(table: Table, record: Record, key: str, keep_time: bool = False) -> str | None:
    """ISO date from a date cell, an Excel serial number or a date written as text, so that ids
    and the List 6 match see one date however it was written; other text is left for staging."""
    value = record.cells.get(key)
    if isinstance(value, datetime):
        if keep_time and value.time() != datetime.min.time():
            return value.isoformat(timespec="seconds")
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = cell_text(table, record, key)
    if text is None:
        return None
    if re.fullmatch(r"\d{1,5}(\.\d+)?", text) and 0 < float(text) < 100000:
        converted = excel_serial_to_date(float(text)).isoformat()
        table.note("serial_date", "Excel serial number read as a date", record.line, key)
        return converted
    return text_to_iso(text, keep_time) or text


def cell_yn(table: Table, record: Record, key: str) -> str | None:
    text = cell_text(table, record, key)
    if text is None:
        return None
    word = normalise_header(strip_prefix(text))
    if word in YES:
        return "Y"
    if word in NO:
        return "N"
    if word in UNKNOWN:
        return None
    # Anything else is left as written: staging cannot type it, sets it to NULL and reports it
    # (rule not_yes_no, with the sheet, row and header), once.
    return text


def cell_code(
    table: Table,
    record: Record,
    key: str,
    codes: tuple[str, ...],
    labels: dict[str, str] | None = None,
) -> str | None:
    """The contract code in a cell written as ``a) 1B: Individual``, ``1B`` or a clear label."""
    text = cell_text(table, record, key)
    if text is None:
        return None
    bare = strip_prefix(text)
    if bare.upper() in codes:
        return bare.upper()
    leading = _LEADING_CODE.match(bare)
    if leading and leading.group(1).upper() in codes:
        return leading.group(1).upper()
    label = (labels or {}).get(normalise_header(bare))
    if label is not None:
        table.note("code_from_label", f"description read as code {label}", record.line, key)
        return label
    table.note("unknown_code", "not a code of the contract; kept as written", record.line, key)
    return text


def cell_case_status(table: Table, record: Record) -> str | None:
    """List 6's case status in the template's words (its ``c) `` letter dropped); another value
    is kept as written with an ``unknown_code`` finding."""
    text = cell_text(table, record, "case_status")
    if text is None:
        return None
    words = CASE_STATUSES.get(normalise_header(strip_prefix(text)))
    if words is None:
        table.note("unknown_code", "not a List 6 case status; kept as written", record.line,
                   "case_status")  # fmt: skip
        return text
    return words


def cell_sex(table: Table, record: Record) -> str | None:
    text = cell_text(table, record, "gender")
    if text is None:
        return None
    sex = SEX_LABELS.get(normalise_header(strip_prefix(text)))
    if sex is None:
        table.note(
            "unknown_code", "not a sex of the contract (M, F, U); kept", record.line, "gender"
        )
        return text
    return sex
