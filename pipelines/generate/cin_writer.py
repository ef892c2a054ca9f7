"""Write a simulated council as DfE children-in-need census XML, one file per collection year.

A collection year runs 1 April to 31 March and is named by the year it ends in (``Year`` 2013 is
April 2012 - March 2013, ReferenceDate 2013-03-31). Each file holds the children in need during
its year: every CIN episode (referral) open at some point of the year, with the assessments,
child in need plans (CINPlanDates), section 47 enquiries, child protection plans and plan reviews
of that episode, all as they stood on the reference date (docs/metrics.md "As at": a later date
has not happened yet).

**Schema.** The files follow the 2017-2024 schema (GenderCurrent, single ``Assessments``), checked
against ``CIN_schema_2024.xsd``: the last GenderCurrent year, which (like 2023, unlike 2022)
knows the generator's codes 5D (early help source) and RC9 (closed to early help). The generator's
council runs 2008-2014, so its files carry their own years (2009-2014) and real dates in that
later shape; the XSD constrains neither the year nor the dates, so they validate. DfE's census
of those years had initial and core assessments as separate modules: here every assessment is
written as ``Assessments``, so its type is lost (as the reader says, it reads SINGLE).

**Nothing invented.** The census has no contacts, allocations, workers, early help, visits,
children missing, private fostering, conference participation, police at strategy discussions
or ICPC outcome flag (the reader derives the outcome from the plan starting on the conference's
day): none are written. A field the census requires that the data leave blank (a referral source, an
ethnicity, ``ICPCnotRequired`` of an enquiry still open, ``NumberOfPreviousCPP``) is left out, as
an LA's file would be until fixed, so it shows as a schema violation rather than a made-up code.
Disability is written as ``NONE`` for no, ``DDA`` (disabled, no category recorded) for yes.
A plan (child protection or child in need) with no referral_id goes in the child's episode whose
window holds its start date; a plan with none is not written. Episodes are written whole in every year they are open in (a real
census keeps only the year's assessments, enquiries and reviews inside an episode; the reader
takes each episode whole from its latest year, so that would lose the earlier ones).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
from lxml import etree

from pipelines.generate.annex_a_writer import frames_as_at

XSD_YEAR = 2024  # the schema the files follow (see above)
GENDER = {"M": "1", "F": "2", "U": "0"}  # GenderCurrent: 0 not recorded (or unborn)
YES_NO = {"Y": "1", "N": "0"}
DISABILITY = {"N": "NONE", "Y": "DDA"}


def collection_years(frames: dict[str, pl.DataFrame], as_at: dt.date | None = None) -> list[int]:
    """The collection years from the first one the council recorded whole (the year of its
    first contact; of its first referral if it has no contacts) to the last whose 31 March is on
    or before ``as_at`` (default: the latest contact or referral date): a census is made after
    its year. Cases carried in from before the first contact are in the first year's file, as
    open cases are in a council's first census."""
    referrals = frames["referrals"]["referral_date"]
    contacts = frames["contacts"]["contact_datetime"]
    latest = as_at or max(
        referrals.max(),  # type: ignore[type-var]
        contacts.max().date(),  # type: ignore[union-attr]
    )
    first: dt.date = contacts.min().date() if contacts.len() else referrals.min()  # type: ignore[union-attr,assignment]
    first_year = first.year + (1 if first.month >= 4 else 0)
    last_year = latest.year if latest >= dt.date(latest.year, 3, 31) else latest.year - 1
    return list(range(first_year, last_year + 1))


def _text(parent: etree._Element, tag: str, value: object) -> None:
    """A child element with ``value`` as text; a blank value writes no element."""
    if value is None or value == "":
        return
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    etree.SubElement(parent, tag).text = text


def _plans_with_episode(referrals: pl.DataFrame, plans: pl.DataFrame) -> pl.DataFrame:
    """Plans with a referral_id: their own, else the child's latest episode that started on or
    before the plan and had not closed before it."""
    missing = plans.filter(pl.col("referral_id").is_null()).drop("referral_id")
    if missing.height == 0:
        return plans
    windows = referrals.select(
        "child_id",
        "referral_id",
        episode_start="referral_date",
        episode_end="closure_date",
    )
    found = (
        missing.with_row_index("_plan")
        .join(windows, on="child_id")
        .filter(
            (pl.col("episode_start") <= pl.col("start_date"))
            & (pl.col("episode_end").is_null() | (pl.col("episode_end") >= pl.col("start_date")))
        )
        .sort("_plan", "episode_start", "referral_id")
        .group_by("_plan", maintain_order=True)
        .last()
        .select(plans.columns)
    )
    return pl.concat([plans.filter(pl.col("referral_id").is_not_null()), found])


def _by(frame: pl.DataFrame, key: str, order: str) -> dict[str, list[dict[str, object]]]:
    grouped: dict[str, list[dict[str, object]]] = {}
    for row in frame.sort(order).iter_rows(named=True):
        grouped.setdefault(row[key], []).append(row)
    return grouped


def census_tree(frames: dict[str, pl.DataFrame], year: int, lea: str = "999") -> etree._Element:
    """The ``Message`` of one collection year (ending 31 March ``year``)."""
    reference = dt.date(year, 3, 31)
    year_start = dt.date(year - 1, 4, 1)
    f = frames_as_at(frames, reference)
    referrals = f["referrals"].filter(
        pl.col("closure_date").is_null() | (pl.col("closure_date") >= year_start)
    )
    assessments = _by(f["assessments"], "referral_id", "start_date")
    enquiries = _by(f["s47_enquiries"], "referral_id", "strategy_discussion_date")
    plans = _by(_plans_with_episode(f["referrals"], f["cp_plans"]), "referral_id", "start_date")
    cin_plans = (  # an older extract has none
        _by(_plans_with_episode(f["referrals"], f["cin_plans"]), "referral_id", "start_date")
        if "cin_plans" in f
        else {}
    )
    reviews = _by(f["cp_reviews"], "plan_id", "review_date")
    children = {row["child_id"]: row for row in f["children"].iter_rows(named=True)}

    message = etree.Element("Message")
    header = etree.SubElement(message, "Header")
    details = etree.SubElement(header, "CollectionDetails")
    _text(details, "Collection", "CIN")
    _text(details, "Year", year)
    _text(details, "ReferenceDate", reference)
    source = etree.SubElement(header, "Source")
    _text(source, "SourceLevel", "L")
    _text(source, "LEA", lea)
    _text(source, "SoftwareCode", "frontdoor synthetic council")
    _text(source, "SerialNo", "001")
    every = etree.SubElement(message, "Children")

    episodes = _by(referrals, "child_id", "referral_date")
    for child_id in sorted(episodes):
        child = children.get(child_id, {"child_id": child_id})
        node = etree.SubElement(every, "Child")
        ids = etree.SubElement(node, "ChildIdentifiers")
        _text(ids, "LAchildID", child_id)
        _text(ids, "PersonBirthDate", child.get("date_of_birth"))
        _text(ids, "ExpectedPersonBirthDate", child.get("expected_date_of_birth"))
        _text(ids, "GenderCurrent", GENDER.get(str(child.get("sex")), child.get("sex")))
        characteristics = etree.SubElement(node, "ChildCharacteristics")
        _text(characteristics, "Ethnicity", child.get("ethnicity"))
        disability = DISABILITY.get(str(child.get("disability")))
        if disability is not None:
            _text(etree.SubElement(characteristics, "Disabilities"), "Disability", disability)
        for referral in episodes[child_id]:
            _episode(node, referral, assessments, cin_plans, enquiries, plans, reviews)
    return message


def _episode(
    child: etree._Element,
    referral: dict[str, object],
    assessments: dict[str, list[dict[str, object]]],
    cin_plans: dict[str, list[dict[str, object]]],
    enquiries: dict[str, list[dict[str, object]]],
    plans: dict[str, list[dict[str, object]]],
    reviews: dict[str, list[dict[str, object]]],
) -> None:
    """One CINdetails, its elements in the XSD's order."""
    referral_id = referral["referral_id"]
    s47s = enquiries.get(referral_id, [])  # type: ignore[arg-type]
    icpcs = sorted(s["icpc_date"] for s in s47s if s["icpc_date"] is not None)
    cin = etree.SubElement(child, "CINdetails")
    _text(cin, "CINreferralDate", referral["referral_date"])
    _text(cin, "ReferralSource", referral["source"])
    _text(cin, "PrimaryNeedCode", referral["primary_need"])
    _text(cin, "CINclosureDate", referral["closure_date"])
    _text(cin, "ReasonForClosure", referral["closure_reason"])
    _text(cin, "DateOfInitialCPC", icpcs[0] if icpcs else None)
    for a in assessments.get(referral_id, []):  # type: ignore[arg-type]
        node = etree.SubElement(cin, "Assessments")
        _text(node, "AssessmentActualStartDate", a["start_date"])
        _text(node, "AssessmentAuthorisationDate", a["completed_date"])
    for c in cin_plans.get(referral_id, []):  # type: ignore[arg-type]
        node = etree.SubElement(cin, "CINPlanDates")
        _text(node, "CINPlanStartDate", c["start_date"])
        _text(node, "CINPlanEndDate", c["end_date"])
    for s in s47s:
        node = etree.SubElement(cin, "Section47")
        _text(node, "S47ActualStartDate", s["strategy_discussion_date"])
        _text(node, "DateOfInitialCPC", s["icpc_date"])
        _text(node, "ICPCnotRequired", YES_NO.get(str(s["icpc_not_required"])))
    _text(cin, "ReferralNFA", YES_NO.get(str(referral["nfa"])))
    for p in plans.get(referral_id, []):  # type: ignore[arg-type]
        node = etree.SubElement(cin, "ChildProtectionPlans")
        _text(node, "CPPstartDate", p["start_date"])
        _text(node, "CPPendDate", p["end_date"])
        _text(node, "InitialCategoryOfAbuse", p["initial_category"])
        _text(node, "LatestCategoryOfAbuse", p["latest_category"])
        _text(node, "NumberOfPreviousCPP", p["number_of_previous_plans"])
        dates = [r["review_date"] for r in reviews.get(p["plan_id"], [])]  # type: ignore[arg-type]
        if dates:
            listed = etree.SubElement(node, "Reviews")
            for review_date in dates:
                _text(listed, "CPPreviewDate", review_date)


def write_cin_census(
    frames: dict[str, pl.DataFrame], out: Path, as_at: dt.date | None = None, lea: str = "999"
) -> list[Path]:
    """Write one census file per collection year (``collection_years``) to ``out``.

    Files are named ``cin_census_<year>.xml``; returns their paths in year order.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for year in collection_years(frames, as_at):
        path = out / f"cin_census_{year}.xml"
        etree.ElementTree(census_tree(frames, year, lea)).write(
            str(path), xml_declaration=True, encoding="utf-8", pretty_print=True
        )
        paths.append(path)
    return paths
