"""Write a simulated council as the Ofsted Annex A workbook an LA would send for an inspection.

One workbook in the shape of Ofsted's 2019 template (sheets ``List_1`` ... ``List_7`` with a title
row above the headers, the template's header spellings and its ``a) ``-prefixed codes), holding
the front-door lists: 1 contacts, 3 referrals, 4 assessments, 5 section 47 enquiries and ICPCs,
6 children in need, 7 child protection plans. List 2 (early help) and Lists 8-11 (care, care
leavers, adoption) are outside the front door and not written.

The data are taken as they stood on ``as_at`` (a later date has not happened yet). Annex A's usual
window is the six months before the inspection for Lists 1-5, and cases open in those months for
Lists 6-7; ``window_start=None`` writes every event instead, so the workbook covers what the CSV
extracts cover (the three-doors test compares them).

Nothing is invented: a field Annex A asks for that the contract does not hold (the date the child
was last seen, emergency protection orders) is left blank. List 6's case status is what the
records say on ``as_at``: a closed episode, a child protection plan, a child in need plan or an
open assessment (``_case_status``); blank when none of those holds. Dates are written the
mixed ways real workbooks hold them: mostly date cells, some bare Excel serial numbers, some
``dd/mm/yyyy`` text; ``pipelines.sources.annex_a.read_annex_a`` reads all three back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import polars as pl
from openpyxl import Workbook

from pipelines.sources.annex_a import EXCEL_EPOCH

# -- the data as they stood on a date --------------------------------------------------------------

# stem -> (the date a row starts on: later rows have not happened, other dates blanked with what
# they carry). docs/metrics.md "As at".
_STARTS = {
    "contacts": "contact_datetime",
    "referrals": "referral_date",
    "assessments": "start_date",
    "allocations": "start_date",
    "s47_enquiries": "strategy_discussion_date",
    "cp_plans": "start_date",
    "cp_reviews": "review_date",
    "cp_visits": "visit_date",
    "early_help": "start_date",
    "cin_plans": "start_date",
    "missing_episodes": "start_date",
    "private_fostering": "notification_date",
}
_CARRIES = {
    "decision_datetime": ("outcome",),
    "closure_date": ("closure_reason",),
    "end_date": ("end_reason",),  # early help: why it ended comes with the ending
    "icpc_date": ("icpc_transfer_in", "icpc_resulted_in_plan", "icpc_participation"),
    "return_date": ("return_interview_offered",),
}
# Dates that are facts about a person, not events: an expected date of birth is known before it.
_NOT_EVENTS = {"date_of_birth", "expected_date_of_birth"}


def frames_as_at(frames: dict[str, pl.DataFrame], as_at: dt.date) -> dict[str, pl.DataFrame]:
    """The frames as they stood on ``as_at``: rows starting later dropped, later dates blank.

    A blanked decision takes its outcome with it, a blanked closure its reason (metrics.md).
    """
    out = {}
    for stem, frame in frames.items():
        start = _STARTS.get(stem)
        if start is not None:
            frame = frame.filter(pl.col(start).cast(pl.Date) <= as_at)
        late = [
            name
            for name, dtype in frame.schema.items()
            if name != start
            and name not in _NOT_EVENTS
            and (dtype == pl.Date or dtype == pl.Datetime)
        ]
        blanked = []
        for name in late:
            is_late = pl.col(name).cast(pl.Date) > as_at
            blanked += [
                pl.when(is_late).then(None).otherwise(pl.col(c)).alias(c)
                for c in _CARRIES.get(name, ())
                if c in frame.columns
            ]
            blanked.append(pl.when(is_late).then(None).otherwise(pl.col(name)).alias(name))
        out[stem] = frame.with_columns(blanked) if blanked else frame
    return out


# -- cell values in the template's style -----------------------------------------------------------

SEX = {"M": "a) Male", "F": "b) Female", "U": "c) Not stated/recorded"}
YES_NO = {"Y": "a) Yes", "N": "b) No"}
# The template's ethnicity list (Codes_used): REFU and NOBT share the letter s) there.
_ETHNICITY_ORDER = (
    "WBRI", "WIRI", "WIRT", "WOTH", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN",
    "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU",
)  # fmt: skip
ETHNICITY = {code: f"{chr(97 + i)}) {code}" for i, code in enumerate(_ETHNICITY_ORDER)}
ETHNICITY["NOBT"] = "s) NOBT"
_SOURCES = (
    ("1A", "Individual"), ("1B", "Individual"), ("1C", "Individual"), ("1D", "Individual"),
    ("2A", "Schools"), ("2B", "Education services"), ("3A", "Health services"),
    ("3B", "Health services"), ("3C", "Health services"), ("3D", "Health services"),
    ("3E", "Health services"), ("3F", "Health services"), ("4", "Housing"),
    ("5A", "LA services"), ("5B", "LA services"), ("5C", "LA services"), ("6", "Police"),
    ("7", "Other legal agency"), ("8", "Other"), ("9", "Anonymous"), ("10", "Unknown"),
)  # fmt: skip
SOURCE = {code: f"{chr(97 + i)}) {code}: {label}" for i, (code, label) in enumerate(_SOURCES)}
# 5D (early help) came after the 2019 template: it takes the next letter.
SOURCE["5D"] = "v) 5D: LA services - early help"
PRIMARY_NEED = {
    "N0": "N0 - Not stated",
    "N1": "N1 - Abuse or neglect",
    "N2": "N2 - Child\u2019s disability",  # the template's curly apostrophe
    "N3": "N3 - Parental disability or illness",
    "N4": "N4 - Family in acute stress",
    "N5": "N5 - Family dysfunction",
    "N6": "N6 - Socially unacceptable behaviour",
    "N7": "N7 - Low income",
    "N8": "N8 - Absent parenting",
    "N9": "N9 - Cases other than children in need",
}
CLOSURE_REASON = {
    "RC1": "RC1 - Adopted",
    "RC2": "RC2 - Died",
    "RC3": "RC3 - Child arrangements order",
    "RC4": "RC4 - Special guardianship order",
    "RC5": "RC5 - Transferred to services of another local authority",
    "RC6": "RC6 - Transferred to adult social care services",
    "RC7": "RC7 - Services ceased for any other reason, including child no longer in need",
    "RC8": "RC8 - Case closed after assessment, no further action",
    "RC9": "RC9 - Case closed after assessment, referred to early help",
}
CATEGORY = {
    "NEG": "a) Neglect",
    "PHY": "b) Physical abuse",
    "SAB": "c) Sexual abuse",
    "EMO": "d) Emotional abuse",
    "MUL": "e) Multiple/not recommended",
}


def _coded(codes: dict[str, str]) -> Callable[[object], object]:
    """A code as the template writes it; a code the template lacks is written as it is."""
    return lambda value: None if value is None else codes.get(str(value), value)


def date_cell(value: dt.date | None) -> object:
    """A date the way it turns up in real workbooks: a date cell, a bare Excel serial number (a
    column that lost its date format) or ``dd/mm/yyyy`` text.

    The kind follows the date itself, not the row: one date is written alike wherever it occurs,
    because read_annex_a matches List 6 to List 3 and builds ids on the date as written.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    kind = value.toordinal() % 7
    if kind == 1:
        return (value - EXCEL_EPOCH).days
    if kind == 4:
        return value.strftime("%d/%m/%Y")
    return value


CASE_STATUS = {  # the template's codes (Codes_used); a) Looked after child is not held
    "CP": "b) Child Protection plan",
    "CIN": "c) Child in need plan",
    "ASSESSMENT": "d) Open assessment",
    "CLOSED": "e) Closed episode",
}


def _case_status(f: dict[str, pl.DataFrame]) -> pl.Expr:
    """List 6's case status of each referral (episode) in ``f`` (the frames as at the return's
    date): closed; else the child's child protection plan; else the episode's child in need plan
    (an older extract has none); else its open assessment; else blank."""
    cp = f["cp_plans"].filter(pl.col("end_date").is_null())["child_id"]
    cin = f["cin_plans"].filter(pl.col("end_date").is_null()) if "cin_plans" in f else None
    assessing = f["assessments"].filter(pl.col("completed_date").is_null())["referral_id"]
    status = (
        pl.when(pl.col("closure_date").is_not_null())
        .then(pl.lit(CASE_STATUS["CLOSED"]))
        .when(pl.col("child_id").is_in(cp.implode()))
        .then(pl.lit(CASE_STATUS["CP"]))
    )
    if cin is not None:
        status = status.when(pl.col("referral_id").is_in(cin["referral_id"].implode())).then(
            pl.lit(CASE_STATUS["CIN"])
        )
    return status.when(pl.col("referral_id").is_in(assessing.implode())).then(
        pl.lit(CASE_STATUS["ASSESSMENT"])
    )


# -- the lists ---------------------------------------------------------------------------------------

_CHILD_HEADERS = ("Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)")
_DISABILITY = "Does the Child have a Disability"


def _age(born: dt.date | None, on: dt.date) -> int | None:
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _with_child(frame: pl.DataFrame, children: pl.DataFrame) -> pl.DataFrame:
    return frame.join(children, on="child_id", how="left", suffix="_child")


def _child_cells(row: dict[str, object], as_at: dt.date) -> list[object]:
    # The template marks an unborn child with age -1 and their expected date of birth.
    unborn = row["date_of_birth"] is None and row["expected_date_of_birth"] is not None
    born = row["expected_date_of_birth"] if unborn else row["date_of_birth"]
    return [
        row["child_id"],
        SEX.get(str(row["sex"])) if row["sex"] else None,
        _coded(ETHNICITY)(row["ethnicity"]),
        date_cell(born),  # type: ignore[arg-type]
        -1 if unborn else _age(born, as_at),  # type: ignore[arg-type]
    ]


def _earlier_within_12_months(
    frame: pl.DataFrame, events: pl.DataFrame, when: str, event_when: str
) -> pl.Series:
    """Per row of ``frame``: the child's ``events`` dated in [when - 12 months, when).

    What the template's "Number of ... in the last 12 months" columns count (FAQ 2019: those
    that started within 12 months, before the current one).
    """
    rows = frame.select("child_id", pl.col(when).alias("_when")).with_row_index("_row")
    pairs = rows.join(events.select("child_id", pl.col(event_when).alias("_e")), on="child_id")
    counted = (
        pairs.filter(
            (pl.col("_e") < pl.col("_when"))
            & (pl.col("_e") >= pl.col("_when").dt.offset_by("-12mo"))
        )
        .group_by("_row")
        .agg(pl.len().alias("n"))
    )
    return rows.join(counted, on="_row", how="left").sort("_row")["n"].fill_null(0)


def _in_window(column: str, window_start: dt.date | None) -> pl.Expr:
    return pl.lit(True) if window_start is None else pl.col(column) >= window_start


def _open_in_window(end: str, window_start: dt.date | None) -> pl.Expr:
    if window_start is None:
        return pl.lit(True)
    return pl.col(end).is_null() | (pl.col(end) >= window_start)


def _write_list(
    book: Workbook, number: int, title: str, headers: tuple[str, ...], rows: list[list[object]]
) -> None:
    sheet = book.create_sheet(f"List_{number}")
    sheet.append([f"List {number}: {title}"])
    sheet.append(list(headers))
    for row in rows:
        sheet.append(row)
    for column in sheet.iter_cols(min_row=3):
        for cell in column:
            if isinstance(cell.value, dt.date):
                cell.number_format = "dd/mm/yyyy"


def write_annex_a(
    frames: dict[str, pl.DataFrame],
    out: Path,
    as_at: dt.date,
    window_start: dt.date | None = None,
    la_code: str | None = None,
) -> Path:
    """Write the council (``simulate``'s frames) as one Annex A workbook; returns its path.
    ``la_code`` (old three-digit code), when given, is on the front sheet.

    ``out`` is a folder (the workbook is ``annex_a_<as_at>.xlsx`` in it) or an ``.xlsx`` path.
    ``window_start`` limits Lists 1-5 to events on or after it and Lists 6-7 to cases open on or
    after it, as Ofsted asks (six months before the inspection); None writes everything.
    """
    out = Path(out)
    path = out if out.suffix.lower() == ".xlsx" else out / f"annex_a_{as_at.isoformat()}.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    f = frames_as_at(frames, as_at)
    children = f["children"]
    yes_no = _coded(YES_NO)

    book = Workbook()
    front = book.active
    front.title = "Front_Sheet"
    front.append(["Annex A - Child level data"])
    front.append(["Lists 1 - 11"])
    front.append(["Data as at", as_at])
    front.append(["Lists cover from", window_start or "the start of the records"])
    if la_code:
        front.append(["LA code", la_code])

    contacts = _with_child(
        f["contacts"]
        .with_columns(day=pl.col("contact_datetime").dt.date())
        .filter(_in_window("day", window_start))
        .sort("day", "contact_id"),
        children,
    )
    _write_list(
        book,
        1,
        "Contacts",
        (*_CHILD_HEADERS, "Date of Contact", "Contact Source"),
        [
            [*_child_cells(r, as_at), date_cell(r["day"]), _coded(SOURCE)(r["source"])]
            for r in contacts.iter_rows(named=True)
        ],
    )

    referrals = f["referrals"].sort("referral_date", "referral_id")
    listed = referrals.filter(_in_window("referral_date", window_start))
    distinct = referrals.unique(["child_id", "referral_date"])
    previous = _earlier_within_12_months(listed, distinct, "referral_date", "referral_date")
    listed = _with_child(listed.with_columns(previous=previous), children)
    _write_list(
        book,
        3,
        "Referral",
        (
            *_CHILD_HEADERS,
            "Date of referral",
            "Referral Source",
            "Referral NFA?",
            "Number of Referrals in Last 12 Months",
            "Allocated Team",
            "Allocated Worker",
        ),
        [
            [
                *_child_cells(r, as_at),
                date_cell(r["referral_date"]),
                _coded(SOURCE)(r["source"]),
                yes_no(r["nfa"]),
                r["previous"],
                r["team"],
                None,  # referrals.csv names no worker
            ]
            for r in listed.iter_rows(named=True)
        ],
    )

    # Every assessment the system holds: Annex A's List 4 has no type column (docs/formats.md).
    assessments = _with_child(
        f["assessments"]
        .filter(_open_in_window("completed_date", window_start))
        .sort("start_date", "assessment_id"),
        children,
    )
    _write_list(
        book,
        4,
        "Assessments",
        (
            *_CHILD_HEADERS,
            _DISABILITY,
            "Continuous Assessment Start Date",
            "Child Seen During Continuous Assessment",
            "Continuous Assessment Date of Authorisation",
            "Was the child assessed as requiring LA children\u2019s social care support",
            "Allocated Team",
            "Allocated Worker",
        ),
        [
            [
                *_child_cells(r, as_at),
                yes_no(r["disability"]),
                date_cell(r["start_date"]),
                yes_no(r["child_seen"]),
                date_cell(r["completed_date"]),
                yes_no(r["further_action"]),
                r["team"],
                r["worker_id"],
            ]
            for r in assessments.iter_rows(named=True)
        ],
    )

    s47 = f["s47_enquiries"].sort("strategy_discussion_date", "s47_id")
    listed = s47.filter(
        _in_window("strategy_discussion_date", window_start) | _in_window("icpc_date", window_start)
    )
    listed = listed.with_columns(
        s47_12m=_earlier_within_12_months(
            listed, s47, "strategy_discussion_date", "strategy_discussion_date"
        ),
        icpc_12m=_earlier_within_12_months(
            listed, s47.drop_nulls("icpc_date"), "strategy_discussion_date", "icpc_date"
        ),
    )
    _write_list(
        book,
        5,
        "Section 47 enquiries and Initial Child Protection Conferences",
        (
            *_CHILD_HEADERS,
            _DISABILITY,
            "Strategy discussion initiating Section 47 Enquiry Start Date",
            "Was an Initial Child Protection Conference deemed unnecessary?",
            "Date of Initial Child Protection Conference",
            "Did the Initial Child Protection Conference Result in a Child Protection Plan",
            "Number of Section 47 Enquiries in the last 12 months",
            "Number of ICPCs in the last 12 months",
            "Allocated Team",
            "Allocated Worker",
        ),
        [
            [
                *_child_cells(r, as_at),
                yes_no(r["disability"]),
                date_cell(r["strategy_discussion_date"]),
                yes_no(r["icpc_not_required"]),
                date_cell(r["icpc_date"]),
                yes_no(r["icpc_resulted_in_plan"]),
                r["s47_12m"],
                r["icpc_12m"],
                r["team"],
                None,
            ]
            for r in _with_child(listed, children).iter_rows(named=True)
        ],
    )

    episodes = _with_child(
        referrals.filter(_open_in_window("closure_date", window_start)).with_columns(
            case_status=_case_status(f)
        ),
        children,
    )
    _write_list(
        book,
        6,
        "Children in Need",
        (
            *_CHILD_HEADERS,
            _DISABILITY,
            "CIN Start Date",
            "Primary Need Code",
            "Date Child Was Last Seen",
            "CIN Closure Date",
            "Reason for Closure",
            "Case status",
            "Allocated Team",
            "Allocated Worker",
        ),
        [
            [
                *_child_cells(r, as_at),
                yes_no(r["disability"]),
                date_cell(r["referral_date"]),
                _coded(PRIMARY_NEED)(r["primary_need"]),
                None,  # not held
                date_cell(r["closure_date"]),
                _coded(CLOSURE_REASON)(r["closure_reason"]),
                r["case_status"],
                r["team"],
                None,
            ]
            for r in episodes.iter_rows(named=True)
        ],
    )

    # List 7 gives only each plan's latest review and latest visit (seen alone on any visit
    # that day), as at the inspection.
    reviews = f["cp_reviews"].group_by("plan_id").agg(latest_review=pl.col("review_date").max())
    visits = (
        f["cp_visits"]
        .with_columns(alone=pl.col("seen_alone") == "Y")
        .group_by("plan_id", "visit_date")
        .agg(pl.col("alone").any())
        .sort("visit_date")
        .group_by("plan_id")
        .agg(pl.col("visit_date").last(), pl.col("alone").last())
    )
    plans = _with_child(
        f["cp_plans"]
        .filter(_open_in_window("end_date", window_start))
        .join(reviews, on="plan_id", how="left")
        .join(visits, on="plan_id", how="left")
        .sort("start_date", "plan_id"),
        children,
    )
    _write_list(
        book,
        7,
        "Child protection",
        (
            *_CHILD_HEADERS,
            _DISABILITY,
            "Child Protection Plan Start Date",
            "Initial Category of Abuse",
            "Latest Category of Abuse",
            "Date of the Last Statutory Visit",
            "Was the Child Seen Alone?",
            "Date of latest review conference",
            "Child Protection Plan End Date",
            "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six "
            "Months (Y/N)",
            "Number of Previous Child Protection Plans",
            "Allocated Team",
            "Allocated Worker",
        ),
        [
            [
                *_child_cells(r, as_at),
                yes_no(r["disability"]),
                date_cell(r["start_date"]),
                _coded(CATEGORY)(r["initial_category"]),
                _coded(CATEGORY)(r["latest_category"]),
                date_cell(r["visit_date"]),
                None if r["alone"] is None else yes_no("Y" if r["alone"] else "N"),
                date_cell(r["latest_review"]),
                date_cell(r["end_date"]),
                None,  # not held
                r["number_of_previous_plans"],
                r["team"],
                None,
            ]
            for r in plans.iter_rows(named=True)
        ],
    )
    book.save(path)
    return path
