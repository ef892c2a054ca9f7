"""Read Ofsted's Annex A child-level lists into the contract's raw frames.

Input is a workbook (any sheet names: each list is found by its header row, which may sit below
title rows), one CSV per list, or a folder of them. Lists 1, 3, 4, 5, 6 and 7 are mapped
(docs/formats.md has the table); Lists 2 and 8-11 are recognised and skipped, and sheets that
hold no list (the template's front sheet, guidance, codes) are skipped with a finding.

Annex A has no record ids, no times, no decision dates and no allocation dates, and gives only
the latest CP review and visit. Ids are built from the child and the list's own date
(``<child>/<date>``, ``#2`` for a repeat); nothing else is invented, so allocations, cp_reviews
and cp_visits are never produced, and the metrics that need what is missing are listed in
``pipelines.metrics.UNSUPPORTED_METRICS`` and docs/formats.md.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook

from pipelines.contract import (
    CLOSURE_REASONS,
    CP_CATEGORIES,
    ETHNICITY_CODES,
    NO,
    PRIMARY_NEEDS,
    REFERENCE_STEMS,
    REFERRAL_SOURCES,
    YES,
    extract,
)
from pipelines.errors import ExtractError
from pipelines.sources.folder import HEAD_BYTES, changed_error, input_files, read_head, unchanged
from pipelines.sources.parser_errors import reduced
from pipelines.sources.result import Finding, SourceFrames, raw_frame
from pipelines.sources.workbook import WorkbookLimits, check_workbook

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")

# -- headers ------------------------------------------------------------------------------------


def normalise_header(text: object) -> str:
    """Lower-case letters and digits only: spacing, case, quotes and punctuation all vary."""
    return re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFKC", str(text)).lower())


# Every spelling met in the 2019 template and the 2024 liia sample, normalised, -> a field key.
_ALIASES: dict[str, tuple[str, ...]] = {
    "child_id": ("childuniqueid", "childid", "uniquechildid", "childuniqueidentifier", "lachildid"),
    "gender": ("gender", "sex", "gendercurrent"),
    "ethnicity": ("ethnicity", "ethnicorigin"),
    "dob": ("dateofbirth", "dob", "birthdate"),
    "age": ("age", "ageofchild", "ageofchildyears", "ageyears"),
    "disability": ("doesthechildhaveadisability", "disability", "disabled"),
    "contact_date": ("dateofcontact", "contactdate"),
    "contact_source": ("contactsource", "sourceofcontact"),
    "referral_date": ("dateofreferral", "referraldate"),
    "referral_source": ("referralsource", "sourceofreferral"),
    "referral_nfa": ("referralnfa", "nfa"),
    "referrals_12m": ("numberofreferralsinlast12months", "numberofreferralsinthelast12months"),
    "team": ("allocatedteam", "team"),
    "worker": ("allocatedworker", "worker", "socialworker"),
    "eh_start": ("assessmentstartdate",),
    "eh_end": ("assessmentcompletiondate",),
    "eh_organisation": ("organisationcompletingassessment",),
    "assessment_start": ("continuousassessmentstartdate", "singleassessmentstartdate"),
    "child_seen": ("childseenduringcontinuousassessment", "childseen"),
    "assessment_authorised": (
        "continuousassessmentdateofauthorisation",
        "assessmentauthorisationdate",
        "dateofauthorisation",
    ),
    "further_action": (
        "wasthechildassessedasrequiringlachildrenssocialcaresupport",
        "wasthechildassessedasbeinginneedatassessment",
    ),
    "s47_start": (
        "strategydiscussioninitiatingsection47enquirystartdate",
        "section47enquirystartdate",
        "s47startdate",
    ),
    "icpc_unnecessary": ("wasaninitialchildprotectionconferencedeemedunnecessary",),
    "icpc_date": ("dateofinitialchildprotectionconference", "icpcdate"),
    "icpc_plan": ("didtheinitialchildprotectionconferenceresultinachildprotectionplan",),
    "s47_12m": ("numberofsection47enquiriesinthelast12months",),
    "icpc_12m": ("numberoficpcsinthelast12months",),
    "cin_start": ("cinstartdate",),
    "primary_need": ("primaryneedcode", "primaryneed"),
    "last_seen": ("datechildwaslastseen",),
    "cin_closure": ("cinclosuredate",),
    "closure_reason": ("reasonforclosure",),
    "case_status": ("casestatus",),
    "cpp_start": ("childprotectionplanstartdate", "cppstartdate"),
    "initial_category": ("initialcategoryofabuse",),
    "latest_category": ("latestcategoryofabuse",),
    "last_visit": ("dateofthelaststatutoryvisit", "dateoflaststatutoryvisit"),
    "seen_alone": ("wasthechildseenalone",),
    "latest_review": ("dateoflatestreviewconference",),
    "cpp_end": ("childprotectionplanenddate", "cppenddate"),
    "epo": ("subjecttoemergencyprotectionorderorprotectedunderpolicepowersinlastsixmonthsyn",),
    "previous_cpps": ("numberofpreviouschildprotectionplans",),
    # recognised only to name the lists that are skipped
    "cla_start": ("datestartedtobelookedafter",),
    "eligibility": ("eligibilitycategory",),
    "entered_care": ("datethechildenteredcare",),
    "adopter_id": ("individualadopteridentifier",),
}
# Each field key as Ofsted's 2019 template heads it, for a message about a column a list lacks.
TEMPLATE_HEADERS = {
    "child_id": "Child Unique ID",
    "gender": "Gender",
    "ethnicity": "Ethnicity",
    "dob": "Date of Birth",
    "disability": "Does the Child have a Disability",
    "contact_date": "Date of Contact",
    "contact_source": "Contact Source",
    "referral_date": "Date of referral",
    "referral_source": "Referral Source",
    "referral_nfa": "Referral NFA?",
    "team": "Allocated Team",
    "worker": "Allocated Worker",
    "assessment_start": "Continuous Assessment Start Date",
    "child_seen": "Child Seen During Continuous Assessment",
    "assessment_authorised": "Continuous Assessment Date of Authorisation",
    "further_action": "Was the child assessed as requiring LA children's social care support",
    "s47_start": "Strategy discussion initiating Section 47 Enquiry Start Date",
    "icpc_unnecessary": "Was an Initial Child Protection Conference deemed unnecessary?",
    "icpc_date": "Date of Initial Child Protection Conference",
    "icpc_plan": "Did the Initial Child Protection Conference Result in a Child Protection Plan",
    "cin_start": "CIN Start Date",
    "primary_need": "Primary Need Code",
    "cin_closure": "CIN Closure Date",
    "closure_reason": "Reason for Closure",
    "case_status": "Case status",
    "cpp_start": "Child Protection Plan Start Date",
    "initial_category": "Initial Category of Abuse",
    "latest_category": "Latest Category of Abuse",
    "last_visit": "Date of the Last Statutory Visit",
    "seen_alone": "Was the Child Seen Alone?",
    "latest_review": "Date of latest review conference",
    "cpp_end": "Child Protection Plan End Date",
    "previous_cpps": "Number of Previous Child Protection Plans",
}
HEADERS: dict[str, str] = {alias: key for key, aliases in _ALIASES.items() for alias in aliases}
# Looser patterns (as liia-tools-pipeline uses) for headers no alias names, only for columns
# that cannot be mistaken for another list's: "Latest Date of Contact" on List 9 must not make
# it List 1, so no list's identifying date is matched loosely.
HEADER_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bchild\b.*\b(id|identifier)\b|\b(id|identifier)\b.*\bchild\b"), "child_id"),
    (re.compile(r"date.*birth"), "dob"),
    (re.compile(r"was the child assessed.*social care support"), "further_action"),
    (re.compile(r"subject to emergency protection order"), "epo"),
)


# A list copied out of a pivot table keeps the pivot's own headers: "Sum of Number of Previous
# Child Protection Plans" is the column "Number of Previous Child Protection Plans".
PIVOT_PREFIXES = ("sumof", "countof", "averageof", "minof", "maxof")


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


@dataclass(frozen=True)
class AnnexList:
    number: int
    title: str
    signature: str  # the field key that tells this list from the others
    used: tuple[str, ...] = ()  # field keys read; empty = the list is recognised and skipped


_CHILD = ("child_id", "gender", "ethnicity", "dob")
LISTS: tuple[AnnexList, ...] = (
    AnnexList(1, "contacts", "contact_date", (*_CHILD, "contact_date", "contact_source")),
    AnnexList(2, "early help", "eh_start"),
    AnnexList(
        3,
        "referrals",
        "referral_date",
        (*_CHILD, "referral_date", "referral_source", "referral_nfa", "team", "worker"),
    ),
    AnnexList(
        4,
        "assessments",
        "assessment_start",
        (
            *_CHILD,
            "disability",
            "assessment_start",
            "child_seen",
            "assessment_authorised",
            "further_action",
            "team",
            "worker",
        ),
    ),
    AnnexList(
        5,
        "section 47 enquiries and ICPCs",
        "s47_start",
        (
            *_CHILD,
            "disability",
            "s47_start",
            "icpc_unnecessary",
            "icpc_date",
            "icpc_plan",
            "team",
            "worker",
        ),
    ),
    AnnexList(
        6,
        "children in need",
        "cin_start",
        (
            *_CHILD,
            "disability",
            "cin_start",
            "primary_need",
            "cin_closure",
            "closure_reason",
            "case_status",
            "team",
            "worker",
        ),
    ),
    AnnexList(
        7,
        "child protection",
        "cpp_start",
        (
            *_CHILD,
            "disability",
            "cpp_start",
            "initial_category",
            "latest_category",
            "last_visit",
            "seen_alone",
            "latest_review",
            "cpp_end",
            "previous_cpps",
            "team",
            "worker",
        ),
    ),
    AnnexList(8, "children in care", "cla_start"),
    AnnexList(9, "care leavers", "eligibility"),
    AnnexList(10, "adoption", "entered_care"),
    AnnexList(11, "adopters", "adopter_id"),
)

HEADER_SEARCH_ROWS = 30  # title and note rows above a header; the template has one


def match_list(cells: list[object]) -> AnnexList | None:
    """The Annex A list whose header row this is, or None."""
    keys = {header_key(c) for c in cells if c not in (None, "")}
    for annex_list in LISTS:
        if annex_list.signature in keys and (annex_list.number == 11 or "child_id" in keys):
            return annex_list
    return None


# -- codes --------------------------------------------------------------------------------------

_PREFIX = re.compile(r"^\s*[a-z]{1,2}\)\s*")  # the template's "a) " ordering prefix
_LEADING_CODE = re.compile(r"^([A-Za-z0-9]+)\s*(?::|-|\u2013)\s*\S")  # "6: Police", "N1 - Abuse"

# Descriptions that name exactly one code in the template's lists.
SOURCE_LABELS = {
    "schools": "2A",
    "educationservices": "2B",
    "housing": "4",
    "police": "6",
    "otherlegalagency": "7",
    "other": "8",
    "anonymous": "9",
    "unknown": "10",
}
CATEGORY_LABELS = {
    "neglect": "NEG",
    "physicalabuse": "PHY",
    "sexualabuse": "SAB",
    "emotionalabuse": "EMO",
    "multiple": "MUL",
    "multiplenotrecommended": "MUL",
}
SEX_LABELS = {
    "m": "M",
    "male": "M",
    "f": "F",
    "female": "F",
    "u": "U",
    "unknown": "U",
    "notstatedrecorded": "U",
    "notstatedrecordedorunborn": "U",
    "notknown": "U",
    "neither": "U",  # the census has M, F and U only
}
UNKNOWN = {"unknown", "notknown", "u"}  # the template's "c) Unknown": blank, not a value
EXCEL_ERRORS = {"#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!"}
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


def _as_date(value: object) -> date | None:
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


# -- reading one table ---------------------------------------------------------------------------


@dataclass
class _Table:
    """One sheet or CSV being read: where it is, and the findings it yields."""

    file: str
    sheet: str | None
    findings: list[Finding]
    headers: dict[str, str] = field(default_factory=dict)  # field key -> header as written

    def note(
        self,
        rule: str,
        message: str,
        line: int | None = None,
        key: str | None = None,
        column: str | None = None,
    ) -> None:
        """Record a finding; ``key`` (a field key) is shown as the header it was read from."""
        if column is None and key is not None:
            column = self.headers.get(key, key)
        self.findings.append(Finding(self.file, rule, message, self.sheet, line, column))


_Rows = Iterable[tuple[int, list[object]]]  # (sheet row or CSV line, cells)


@dataclass
class _Record:
    line: int
    cells: dict[str, object]


def _text(table: _Table, record: _Record, key: str) -> str | None:
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


def _date(table: _Table, record: _Record, key: str, keep_time: bool = False) -> str | None:
    """ISO date from a date cell, an Excel serial number or a date written as text, so that ids
    and the List 6 match see one date however it was written; other text is left for staging."""
    value = record.cells.get(key)
    if isinstance(value, datetime):
        if keep_time and value.time() != datetime.min.time():
            return value.isoformat(timespec="seconds")
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = _text(table, record, key)
    if text is None:
        return None
    if re.fullmatch(r"\d{1,5}(\.\d+)?", text) and 0 < float(text) < 100000:
        converted = excel_serial_to_date(float(text)).isoformat()
        table.note("serial_date", "Excel serial number read as a date", record.line, key)
        return converted
    return text_to_iso(text, keep_time) or text


def _yn(table: _Table, record: _Record, key: str) -> str | None:
    text = _text(table, record, key)
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


def _code(
    table: _Table,
    record: _Record,
    key: str,
    codes: tuple[str, ...],
    labels: dict[str, str] | None = None,
) -> str | None:
    """The contract code in a cell written as ``a) 1B: Individual``, ``1B`` or a clear label."""
    text = _text(table, record, key)
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


CASE_STATUSES = {  # the template's List 6 case statuses, normalised -> as the template words them
    normalise_header(words): words
    for words in (
        "Looked after child",
        "Child Protection plan",
        "Child in need plan",
        "Open assessment",
        "Closed episode",
    )
}


def _case_status(table: _Table, record: _Record) -> str | None:
    """List 6's case status in the template's words (its ``c) `` letter dropped); another value
    is kept as written with an ``unknown_code`` finding."""
    text = _text(table, record, "case_status")
    if text is None:
        return None
    words = CASE_STATUSES.get(normalise_header(strip_prefix(text)))
    if words is None:
        table.note("unknown_code", "not a List 6 case status; kept as written", record.line,
                   "case_status")  # fmt: skip
        return text
    return words


def _sex(table: _Table, record: _Record) -> str | None:
    text = _text(table, record, "gender")
    if text is None:
        return None
    sex = SEX_LABELS.get(normalise_header(strip_prefix(text)))
    if sex is None:
        table.note(
            "unknown_code", "not a sex of the contract (M, F, U); kept", record.line, "gender"
        )
        return text
    return sex


def _rows_of_sheet(table: _Table, rows: _Rows) -> tuple[AnnexList | None, Iterator[_Record]]:
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
            _Record(row_line, {key: row[pos] for pos, key in columns.items() if pos < len(row)})
            for row_line, row in itertools.chain(head[index + 1 :], rows)
            if any(cell not in (None, "") and str(cell).strip() for cell in row)
        )
        return annex_list, records
    return None, iter(())


# -- input files ----------------------------------------------------------------------------------


def _read_csv_rows(path: Path) -> _Rows:
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


def _tables(path: Path, findings: list[Finding]) -> Iterator[tuple[str | None, _Rows]]:
    """(sheet name or None, numbered rows) for each sheet of a workbook, or the one CSV table.

    A file that cannot be opened raises ExtractError; a sheet that cannot be read (a chart
    sheet, a damaged part) is skipped with a finding and the other sheets still load.
    """
    if path.suffix.lower() == ".csv":
        try:
            rows = _read_csv_rows(path)
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


def _input_files(path: Path) -> list[Path]:
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


# -- mapping lists onto the contract ----------------------------------------------------------------


@dataclass
class _Builder:
    findings: list[Finding] = field(default_factory=list)  # shared with the tables being read
    rows: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    seen_ids: dict[str, dict[str, int]] = field(default_factory=dict)
    children: dict[str, dict[str, object]] = field(default_factory=dict)
    workers: dict[str, dict[str, object]] = field(default_factory=dict)
    cin_episodes: list[tuple[_Table, dict[str, object]]] = field(default_factory=list)
    # per stem, the headers (field key -> as written) of the first sheet that gave it rows
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    la_code: str | None = None  # the council's old LA code, when a front sheet gives it

    def latest_date(self) -> date | None:
        """The latest event date of any row kept (births excepted): the return's period end.

        A date after today is a typing slip (2204 for 2024), not the period end: taken as the
        as-at date it would stretch every series two centuries ahead. It is skipped here, and
        staging quarantines its row (``implausible_date``)."""
        today = date.today()
        latest = None
        for stem, rows in self.rows.items():
            columns = [
                c.name for c in extract(stem).columns if c.kind in ("date", "datetime")
            ] + list(EXTRA.get(stem, ()))
            for row in rows:
                for column in columns:
                    when = _as_date(row.get(column))
                    if when is not None and when <= today and (latest is None or when > latest):
                        latest = when
        return latest

    def make_id(self, stem: str, child_id: str | None, when: str | None) -> str | None:
        """``<child>/<date>``, with ``#2``, ``#3`` for repeats: Annex A has no record ids."""
        if child_id is None or when is None:
            return None
        base = f"{child_id}/{when}"
        count = self.seen_ids.setdefault(stem, {}).get(base, 0) + 1
        self.seen_ids[stem][base] = count
        return base if count == 1 else f"{base}#{count}"

    def add(self, stem: str, table: _Table, record: _Record, row: dict[str, object]) -> None:
        row |= {"sheet": table.sheet, "_source_file": table.file, "_line": record.line}
        self.headers.setdefault(stem, table.headers)
        self.rows.setdefault(stem, []).append(row)

    def add_child(self, table: _Table, record: _Record, child_id: str | None) -> None:
        if child_id is None:
            table.note("missing_child_id", "row has no child id", record.line, "child_id")
            return
        dob = _date(table, record, "dob")
        age = _text(table, record, "age")
        unborn = age is not None and age.startswith("-")  # the template asks age -1 for the unborn
        values = {
            "date_of_birth": None if unborn else dob,
            "expected_date_of_birth": dob if unborn else None,
            "sex": _sex(table, record),
            "ethnicity": _code(table, record, "ethnicity", ETHNICITY_CODES),
            "disability": _yn(table, record, "disability"),
        }
        child = self.children.get(child_id)
        if child is None:
            self.headers.setdefault("children", table.headers)
            self.children[child_id] = {
                "child_id": child_id,
                **values,
                "sheet": table.sheet,
                "_source_file": table.file,
                "_line": record.line,
            }
            return
        for column, value in values.items():
            if value is None:
                continue
            if child[column] is None:
                child[column] = value
            elif child[column] != value:
                table.note(
                    "conflicting_child",
                    f"the child's {column} differs from an earlier list's; the first is kept",
                    record.line,
                    column,
                )

    def add_worker(self, table: _Table, record: _Record, worker: str, team: str | None) -> None:
        """A worker as first named; Annex A says nothing else about them."""
        if worker not in self.workers:
            self.headers.setdefault("workers", table.headers)
            self.workers[worker] = {
                "worker_id": worker,
                "team": team,
                "sheet": table.sheet,
                "_source_file": table.file,
                "_line": record.line,
            }

    def read(self, annex_list: AnnexList, table: _Table, record: _Record) -> None:
        child_id = _text(table, record, "child_id")
        self.add_child(table, record, child_id)
        team = _text(table, record, "team")
        worker = _text(table, record, "worker")
        if worker is not None:
            self.add_worker(table, record, worker, team)
        number = annex_list.number
        if number == 1:
            when = _date(table, record, "contact_date", keep_time=True)
            self.add("contacts", table, record, {
                "contact_id": self.make_id("contacts", child_id, when),
                "child_id": child_id,
                "contact_datetime": when,
                "source": _code(table, record, "contact_source", REFERRAL_SOURCES, SOURCE_LABELS),
            })  # fmt: skip
        elif number == 3:
            when = _date(table, record, "referral_date")
            self.add("referrals", table, record, {
                "referral_id": self.make_id("referrals", child_id, when),
                "child_id": child_id,
                "referral_date": when,
                "source": _code(table, record, "referral_source", REFERRAL_SOURCES, SOURCE_LABELS),
                "nfa": _yn(table, record, "referral_nfa"),
                "team": team,
            })  # fmt: skip
        elif number == 4:
            start = _date(table, record, "assessment_start")
            self.add("assessments", table, record, {
                "assessment_id": self.make_id("assessments", child_id, start),
                "child_id": child_id,
                # List 4 is continuous assessments: the single assessment of Working Together
                "assessment_type": "SINGLE",
                "start_date": start,
                "completed_date": _date(table, record, "assessment_authorised"),
                "child_seen": _yn(table, record, "child_seen"),
                "further_action": _yn(table, record, "further_action"),
                "team": team,
                "worker_id": worker,
            })  # fmt: skip
        elif number == 5:
            start = _date(table, record, "s47_start")
            self.add("s47_enquiries", table, record, {
                "s47_id": self.make_id("s47_enquiries", child_id, start),
                "child_id": child_id,
                "strategy_discussion_date": start,
                "icpc_not_required": _yn(table, record, "icpc_unnecessary"),
                "icpc_date": _date(table, record, "icpc_date"),
                "icpc_resulted_in_plan": _yn(table, record, "icpc_plan"),
                "team": team,
            })  # fmt: skip
        elif number == 6:
            self.cin_episodes.append((table, {
                "child_id": child_id,
                "referral_date": _date(table, record, "cin_start"),
                "primary_need": _code(table, record, "primary_need", PRIMARY_NEEDS),
                "closure_date": _date(table, record, "cin_closure"),
                "closure_reason": _code(table, record, "closure_reason", CLOSURE_REASONS),
                # a child in need plan (or other status) on the return's date, without its
                # dates: kept beside the referral, never made a cin_plans row
                "case_status": _case_status(table, record),
            }))  # fmt: skip
        elif number == 7:
            start = _date(table, record, "cpp_start")
            self.add("cp_plans", table, record, {
                "plan_id": self.make_id("cp_plans", child_id, start),
                "child_id": child_id,
                "start_date": start,
                "end_date": _date(table, record, "cpp_end"),
                "initial_category": _code(table, record, "initial_category", CP_CATEGORIES, CATEGORY_LABELS),
                "latest_category": _code(table, record, "latest_category", CP_CATEGORIES, CATEGORY_LABELS),
                "number_of_previous_plans": _text(table, record, "previous_cpps"),
                "team": team,
                # List 7 gives only the latest review and visit, not their history, so they stay
                # beside the plan: as cp_reviews/cp_visits rows they would make the review-chain
                # and seen-alone metrics look computable when they are not
                "latest_review_date": _date(table, record, "latest_review"),
                "latest_visit_date": _date(table, record, "last_visit"),
                "latest_visit_seen_alone": _yn(table, record, "seen_alone"),
            })  # fmt: skip

    def apply_cin_episodes(self) -> None:
        """List 6 adds need and closure to the List 3 referral with the same child and start.

        An episode whose referral is not on List 3 (which covers six months only) is not made a
        referral: it would count as a referral in a period the extract does not cover.
        """
        # every copy of a referral keyed twice (same child and date): the pipeline merges them
        # later, and a copy left without the closure would make the merged referral read as open
        referrals: dict[tuple[object, object], list[dict[str, object]]] = {}
        for referral in self.rows.get("referrals", []):
            referrals.setdefault((referral["child_id"], referral["referral_date"]), []).append(
                referral
            )
        unmatched = 0
        for _table, episode in self.cin_episodes:
            copies = referrals.get((episode["child_id"], episode["referral_date"]))
            if not copies:
                unmatched += 1
                continue
            for referral in copies:
                for column in ("primary_need", "closure_date", "closure_reason", "case_status"):
                    if episode[column] is not None:
                        referral[column] = episode[column]
        if unmatched:
            table = self.cin_episodes[0][0]
            self.findings.append(
                Finding(
                    table.file,
                    "cin_episode_not_referred",
                    f"{unmatched} of {len(self.cin_episodes)} List 6 episodes start on no List 3 "
                    "referral date; their need and closure are not loaded as referrals",
                    table.sheet,
                )
            )


EXTRA = {
    "referrals": ("case_status",),
    "cp_plans": ("latest_review_date", "latest_visit_date", "latest_visit_seen_alone"),
}
EXTRA_MEANINGS = {
    "case_status": "List 6's case status of the episode on the return's date (Child in need "
    "plan, Child Protection plan, Open assessment, Closed episode, Looked after child), the "
    "template's letter dropped: no plan dates, so no cin_plans row is made from it",
    "sheet": "the Annex A sheet the row was read from (blank for a list saved as CSV)",
    "latest_review_date": "List 7's date of the latest review conference: the latest only, so "
    "it stays beside the plan and no review metric is made from it",
    "latest_visit_date": "List 7's date of the latest statutory visit (the latest only)",
    "latest_visit_seen_alone": "List 7's answer to whether the child was seen alone at it",
}
_STEMS_OF_LIST = {
    1: ("contacts",),
    3: ("referrals",),
    4: ("assessments",),
    5: ("s47_enquiries",),
    7: ("cp_plans",),
}


def _read_file(file: Path, findings: list[Finding]) -> tuple[_Builder, set[int]]:
    """One workbook or list CSV read into a builder of its own; the list numbers it holds."""
    builder = _Builder(findings)
    found: set[int] = set()
    before = file.stat()
    for sheet, rows in _tables(file, findings):
        table = _Table(str(file), sheet, findings)
        rows = iter(rows)
        head = list(itertools.islice(rows, HEADER_SEARCH_ROWS))
        builder.la_code = builder.la_code or front_sheet_la_code(head)
        annex_list, records = _rows_of_sheet(table, itertools.chain(head, rows))
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


def _merge(builders: list[_Builder]) -> _Builder:
    """Several returns as one, the latest winning per record (liia's rule for overlapping
    monthly returns): a record is the same in two files when its id (the child and the list's
    own date, with its place among that child's records of that date) is; each copy dropped is
    a finding naming where it was. ``builders`` are in order, oldest first."""
    if len(builders) == 1:
        return builders[0]
    merged = _Builder(builders[0].findings)
    for builder in builders:
        for stem, rows in builder.rows.items():
            by_id = {row[ID_COLUMNS[stem]]: i for i, row in enumerate(merged.rows.get(stem, []))}
            kept = merged.rows.setdefault(stem, [])
            for row in rows:
                record_id = row[ID_COLUMNS[stem]]
                if record_id is not None and record_id in by_id:
                    older = kept[by_id[record_id]]
                    merged.findings.append(
                        Finding(
                            str(older["_source_file"]),
                            "superseded_by_later_return",
                            f"the same record is in the later return {Path(str(row['_source_file'])).name}: "
                            "the later copy is kept",
                            older["sheet"],
                            older["_line"],
                        )
                    )
                    kept[by_id[record_id]] = row
                else:
                    by_id[record_id] = len(kept)
                    kept.append(row)
        for stem, headers in builder.headers.items():
            merged.headers.setdefault(stem, headers)
        merged.children.update(builder.children)
        merged.workers.update(builder.workers)
        merged.cin_episodes += builder.cin_episodes
    return merged


# The field (as _ALIASES keys it) each contract column is read from, for messages that name the
# header as the workbook writes it. List 6's need and closure, copied onto List 3's referrals,
# are left out: the row's place is List 3, where no such header is.
FIELDS: dict[str, dict[str, str]] = {
    "children": {
        "child_id": "child_id",
        "date_of_birth": "dob",
        "expected_date_of_birth": "dob",
        "sex": "gender",
        "ethnicity": "ethnicity",
        "disability": "disability",
    },
    "workers": {"worker_id": "worker", "team": "team"},
    "contacts": {
        "child_id": "child_id",
        "contact_datetime": "contact_date",
        "source": "contact_source",
    },
    "referrals": {
        "child_id": "child_id",
        "referral_date": "referral_date",
        "source": "referral_source",
        "nfa": "referral_nfa",
        "team": "team",
    },
    "assessments": {
        "child_id": "child_id",
        "start_date": "assessment_start",
        "completed_date": "assessment_authorised",
        "child_seen": "child_seen",
        "further_action": "further_action",
        "team": "team",
        "worker_id": "worker",
    },
    "s47_enquiries": {
        "child_id": "child_id",
        "strategy_discussion_date": "s47_start",
        "icpc_not_required": "icpc_unnecessary",
        "icpc_date": "icpc_date",
        "icpc_resulted_in_plan": "icpc_plan",
        "team": "team",
    },
    "cp_plans": {
        "child_id": "child_id",
        "start_date": "cpp_start",
        "end_date": "cpp_end",
        "initial_category": "initial_category",
        "latest_category": "latest_category",
        "number_of_previous_plans": "previous_cpps",
        "team": "team",
    },
}


def _source_names(builder: _Builder) -> dict[str, dict[str, str]]:
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


ID_COLUMNS = {
    "contacts": "contact_id",
    "referrals": "referral_id",
    "assessments": "assessment_id",
    "s47_enquiries": "s47_id",
    "cp_plans": "plan_id",
}


def read_annex_a(path: Path) -> SourceFrames:
    """Read an Annex A workbook, one list CSV, or a folder of them, into raw frames.

    Frames appear for the stems whose list was found (empty when the list has no rows); children
    and workers come from every mapped list that names them. Several returns (two monthly
    workbooks) are merged, the latest return (by its latest date, then its name) winning per
    record (``_merge``). Raises ExtractError only for a file that cannot be read at all.
    """
    findings: list[Finding] = []
    found: set[int] = set()
    read = []
    for file in _input_files(path):
        builder, lists = _read_file(file, findings)
        read.append((builder.latest_date() or date.min, file.name, builder))
        found |= lists
    ordered = [b for _, _, b in sorted(read, key=lambda r: r[:2])]
    la_code = next((b.la_code for b in reversed(ordered) if b.la_code), None)
    builder = _merge(ordered)
    builder.apply_cin_episodes()

    result = SourceFrames(
        findings=builder.findings,
        extra_columns=EXTRA_MEANINGS,
        as_at=builder.latest_date(),
        as_at_source="the latest date in any list of the Annex A return",
        la_code=la_code,
        la_code_source="the Annex A front sheet" if la_code else "",
        files=sorted(name for _, name, _ in read),
        source_names=_source_names(builder),
        built={stem: (column,) for stem, column in ID_COLUMNS.items()},
    )
    stems = [stem for number in sorted(found) for stem in _STEMS_OF_LIST.get(number, ())]
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
