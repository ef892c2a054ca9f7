"""A census file's children as rows, and each of their CINdetails blocks as an episode: its
referral row and every row nested inside it (ids are filled in by merge)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from lxml import etree

from pipelines.contract import (
    CLOSURE_REASONS,
    CP_CATEGORIES,
    ETHNICITY_CODES,
    PRIMARY_NEEDS,
    REFERRAL_SOURCES,
)
from pipelines.sources.cin_census.header import CensusFile, iso_date
from pipelines.sources.cin_census.node import Node
from pipelines.sources.cin_census.spec import NO_DISABILITY, SEX, XS_FALSE, XS_TRUE


@dataclass
class Episode:
    """One CINdetails block: its referral row and every row nested inside it."""

    key: tuple[str, ...]
    rank: tuple[int, str, int]
    rows: dict[str, list[dict[str, object]]] = field(default_factory=dict)


def ended_before_window(census: CensusFile, node: Node, tag: str, record: str) -> None:
    """A finding when a record's end date falls before the collection window: 1 April of the
    year before the ReferenceDate to the ReferenceDate (DfE's census period; its validator raises
    rule 8620 for a closure date outside it). The census holds what was open during the year, so
    such a record is a leftover or a mistyped year; it is kept, as the return gives it."""
    if census.reference_date is None:
        return
    ended = iso_date(node.text(tag))
    start = dt.date(census.reference_date.year - 1, 4, 1)
    if ended is not None and ended < start:
        census.note(
            "before_collection_window",
            f"{record} ended before the collection window ({start} to {census.reference_date})",
            node.first(tag),
            tag,
        )


def code(census: CensusFile, node: Node, tag: str, codes: tuple[str, ...]) -> str | None:
    value = node.text(tag)
    if value is not None and value.upper() not in codes:
        census.note(
            "unknown_code", "not a code of the contract; kept as written", node.first(tag), tag
        )
    return value


def yes_no(census: CensusFile, node: Node, tag: str) -> str | None:
    value = node.text(tag)
    if value is None:
        return None
    if value.lower() in XS_TRUE:
        return "Y"
    if value.lower() in XS_FALSE:
        return "N"
    # Anything else is left as written: staging cannot type it, sets it to NULL and reports it
    # (rule not_yes_no, with the line and element), once.
    return value


def child_row(census: CensusFile, child: Node) -> dict[str, object]:
    ids = Node(child.first("ChildIdentifiers"))
    characteristics = Node(child.first("ChildCharacteristics"))
    sex_tag = "Sex" if ids.first("Sex") is not None else "GenderCurrent"
    sex_code = ids.text(sex_tag)
    sex = SEX.get(sex_code.upper()) if sex_code else None
    if sex_code is not None and sex is None:
        census.note("unknown_code", "not a sex code; kept as written", ids.first(sex_tag), sex_tag)
        sex = sex_code
    # Disability codes: NO_DISABILITY means none; any other code means a disability.
    codes = {
        (d.text or "").strip().upper()
        for disabilities in characteristics.groups.get("Disabilities", [])
        for d in disabilities.iterchildren("Disability")
    } - {""}
    disability = None if not codes else ("N" if codes == {NO_DISABILITY} else "Y")
    ethnicity = characteristics.text("Ethnicity")
    if ethnicity is not None and ethnicity.upper() not in ETHNICITY_CODES:
        census.note(
            "unknown_code",
            "not a CBDS ethnicity code; kept",
            characteristics.first("Ethnicity"),
            "Ethnicity",
        )
    return {
        "child_id": ids.text("LAchildID"),
        "date_of_birth": ids.text("PersonBirthDate"),
        "expected_date_of_birth": ids.text("ExpectedPersonBirthDate"),
        "sex": sex,
        "ethnicity": ethnicity,
        "disability": disability,
        "collection_year": census.collection_year,
        "_source_file": census.path,
        "_line": child.line,
    }


def episode_of(census: CensusFile, child_id: str | None, details: Node, occurrence: int) -> Episode:
    """The referral of one CINdetails block and the records nested in it (ids filled in later)."""
    lineage = {"_source_file": census.path, "collection_year": census.collection_year}
    referral_date = details.text("CINreferralDate")
    if child_id is None or referral_date is None:
        census.note(
            "no_referral_key",
            "episode without LAchildID or CINreferralDate: no referral id",
            details.element,
        )
        key: tuple[str, ...] = (census.path, str(details.line))
    else:
        key = (child_id, referral_date, str(occurrence))
    episode = Episode(key, census.rank)
    ended_before_window(census, details, "CINclosureDate", "the episode")
    for a in details.all("Assessments"):
        ended_before_window(census, a, "AssessmentAuthorisationDate", "the assessment")
    for p in details.all("ChildProtectionPlans"):
        ended_before_window(census, p, "CPPendDate", "the child protection plan")
    episode.rows["referrals"] = [{
        "child_id": child_id,
        "referral_date": referral_date,
        "source": code(census, details, "ReferralSource", REFERRAL_SOURCES),
        "primary_need": code(census, details, "PrimaryNeedCode", PRIMARY_NEEDS),
        "nfa": yes_no(census, details, "ReferralNFA"),
        "closure_date": details.text("CINclosureDate"),
        "closure_reason": code(census, details, "ReasonForClosure", CLOSURE_REASONS),
        "date_of_initial_cpc": details.text("DateOfInitialCPC"),
        "_line": details.line,
        **lineage,
    }]  # fmt: skip
    episode.rows["assessments"] = [
        {
            "child_id": child_id,
            # the census's assessments are single (continuous) assessments
            "assessment_type": "SINGLE",
            "start_date": a.text("AssessmentActualStartDate"),
            "completed_date": a.text("AssessmentAuthorisationDate"),
            "_line": a.line,
            **lineage,
        }
        for a in details.all("Assessments")
    ]
    episode.rows["cin_plans"] = [
        {
            "child_id": child_id,
            "start_date": c.text("CINPlanStartDate"),
            "end_date": c.text("CINPlanEndDate"),
            "_line": c.line,
            **lineage,
        }
        for c in details.all("CINPlanDates")
    ]
    episode.rows["s47_enquiries"] = [
        {
            "child_id": child_id,
            "strategy_discussion_date": s.text("S47ActualStartDate"),
            "icpc_not_required": yes_no(census, s, "ICPCnotRequired"),
            "icpc_date": s.text("DateOfInitialCPC"),
            "_line": s.line,
            **lineage,
        }
        for s in details.all("Section47")
    ]
    plans, reviews = [], []
    for p in details.all("ChildProtectionPlans"):
        plan = {
            "child_id": child_id,
            "start_date": p.text("CPPstartDate"),
            "end_date": p.text("CPPendDate"),
            "initial_category": code(census, p, "InitialCategoryOfAbuse", CP_CATEGORIES),
            "latest_category": code(census, p, "LatestCategoryOfAbuse", CP_CATEGORIES),
            "number_of_previous_plans": p.text("NumberOfPreviousCPP"),
            "_line": p.line,
            **lineage,
        }
        plans.append(plan)
        for review_list in p.groups.get("Reviews", []):
            for review in review_list.iterchildren("CPPreviewDate"):
                text = (review.text or "").strip() or None
                reviews.append(
                    {"plan": plan, "review_date": text, "_line": review.sourceline, **lineage}
                )
    episode.rows["cp_plans"] = plans
    episode.rows["cp_reviews"] = reviews
    return episode


def children_and_episodes(
    census: CensusFile, root: etree._Element
) -> tuple[list[dict[str, object]], list[Episode]]:
    """Every Child of the file as a children row, and every CINdetails as an episode."""
    children, episodes = [], []
    seen_children: set[str] = set()
    # episodes per (child, referral date) across the file: a repeat is kept as a second episode
    seen_episodes: Counter[tuple[str | None, str | None]] = Counter()
    for element in root.iterfind("Children/Child"):
        child = Node(element)
        row = child_row(census, child)
        child_id = row["child_id"]
        if child_id is None:
            census.note("no_child_id", "Child without LAchildID", element, "LAchildID")
        elif child_id in seen_children:
            census.note(
                "duplicate_child",
                "a second Child with this LAchildID: its details replace the first's",
                element,
                "LAchildID",
            )
        else:
            seen_children.add(child_id)
        children.append(row)
        for details in child.all("CINdetails"):
            referral_date = details.text("CINreferralDate")
            seen_episodes[child_id, referral_date] += 1
            occurrence = seen_episodes[child_id, referral_date]
            if occurrence == 2:
                census.note(
                    "duplicate_referral",
                    "a second CINdetails for this child on this date",
                    details.element,
                    "CINreferralDate",
                )
            episodes.append(episode_of(census, child_id, details, occurrence))
    if not children:
        census.note("no_children", "the file holds no Child")
    return children, episodes
