"""Read DfE children-in-need census XML (schemas 2017-2026) into the contract's raw frames.

One ``Child`` gives a children row; each of its ``CINdetails`` (one CIN episode) gives a referral
with its assessments, child in need plans, section 47 enquiries, child protection plans and plan
reviews. The census has no record ids, so they are built from what identifies a record in it:
``<LAchildID>/<CINreferralDate>`` for a referral, then ``/A/<start>``, ``/CIN/<start>``,
``/S47/<start>`` and ``/CPP/<start>`` below it (``#2``, ``#3`` for a repeat).

The census has no flag for an ICPC's outcome: an enquiry's conference resulted in a plan when a
child protection plan of the same episode starts on its DateOfInitialCPC, the link DfE's
validation makes (rule 2885: a plan starts on the day of an initial conference of its episode).

Several files (collection years) may be read at once. An episode that appears in more than one
is counted once. Its own fields (closure, need, NFA ...) come from the latest version (latest
collection year, Header/CollectionDetails/Year; then the later ReferenceDate; then the later file
in the list). What is inside it is combined across the versions, because DfE's census keeps in
each year's episode only that year's assessments, enquiries, plans and reviews: each record is
matched by its own natural key (assessment by AssessmentActualStartDate, enquiry by
S47ActualStartDate, plan by CPPstartDate, review by its plan and CPPreviewDate; with its position
among same-keyed records of one version) and the latest version of it wins. A record without its
key cannot be matched, so only the latest version's are kept. The same latest-wins rule picks
each child's characteristics.

DfE's XSDs are not shipped with the project: ``xsd_dir`` names a folder holding
``CIN_schema_<year>.xsd`` files. When it holds the schema for a file's collection year the file is
validated and each violation becomes a finding; the file is read either way.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from pipelines.contract import (
    CLOSURE_REASONS,
    CP_CATEGORIES,
    ETHNICITY_CODES,
    PRIMARY_NEEDS,
    REFERRAL_SOURCES,
)
from pipelines.errors import ExtractError
from pipelines.sources.folder import changed_error, unchanged
from pipelines.sources.result import Finding, SourceFrames, raw_frame

STEMS = (
    "children",
    "referrals",
    "assessments",
    "cin_plans",
    "s47_enquiries",
    "cp_plans",
    "cp_reviews",
)
EXTRA: dict[str, tuple[str, ...]] = {
    # CINdetails/DateOfInitialCPC: the episode's ICPC, kept beside the referral it belongs to
    "referrals": ("date_of_initial_cpc", "collection_year"),
}
EXTRA_MEANINGS = {
    "date_of_initial_cpc": "CINdetails/DateOfInitialCPC: the episode's initial child protection "
    "conference, as the census records it beside the referral",
    "collection_year": "the census collection year (Header/CollectionDetails/Year) of the file "
    "the row was read from",
}
# The element each contract column is read from, for messages that point at the cell.
ELEMENTS: dict[str, dict[str, str]] = {
    "children": {
        "child_id": "LAchildID",
        "date_of_birth": "PersonBirthDate",
        "expected_date_of_birth": "ExpectedPersonBirthDate",
        "sex": "Sex or GenderCurrent",
        "ethnicity": "Ethnicity",
        "disability": "Disability",
    },
    "referrals": {
        "child_id": "LAchildID",
        "referral_date": "CINreferralDate",
        "source": "ReferralSource",
        "primary_need": "PrimaryNeedCode",
        "nfa": "ReferralNFA",
        "closure_date": "CINclosureDate",
        "closure_reason": "ReasonForClosure",
        "date_of_initial_cpc": "DateOfInitialCPC",
    },
    "assessments": {
        "child_id": "LAchildID",
        "start_date": "AssessmentActualStartDate",
        "completed_date": "AssessmentAuthorisationDate",
    },
    "cin_plans": {
        "child_id": "LAchildID",
        "start_date": "CINPlanStartDate",
        "end_date": "CINPlanEndDate",
    },
    "s47_enquiries": {
        "child_id": "LAchildID",
        "strategy_discussion_date": "S47ActualStartDate",
        "icpc_not_required": "ICPCnotRequired",
        "icpc_date": "DateOfInitialCPC",
    },
    "cp_plans": {
        "child_id": "LAchildID",
        "start_date": "CPPstartDate",
        "end_date": "CPPendDate",
        "initial_category": "InitialCategoryOfAbuse",
        "latest_category": "LatestCategoryOfAbuse",
        "number_of_previous_plans": "NumberOfPreviousCPP",
    },
    "cp_reviews": {"review_date": "CPPreviewDate"},
}
# The keys the reader builds (the census has none): from the child, the referral date and the
# record's own start, so a blank in any of those leaves the key blank.
BUILT_FROM: dict[str, tuple[str, tuple[str, ...]]] = {
    "referrals": ("referral_id", ("LAchildID", "CINreferralDate")),
    "assessments": (
        "assessment_id",
        ("LAchildID", "CINreferralDate", "AssessmentActualStartDate"),
    ),
    "cin_plans": ("plan_id", ("LAchildID", "CINreferralDate", "CINPlanStartDate")),
    "s47_enquiries": ("s47_id", ("LAchildID", "CINreferralDate", "S47ActualStartDate")),
    "cp_plans": ("plan_id", ("LAchildID", "CINreferralDate", "CPPstartDate")),
    "cp_reviews": ("plan_id", ("LAchildID", "CINreferralDate", "CPPstartDate")),
}


def _source_names() -> dict[str, dict[str, str]]:
    names = {
        stem: {column: f"element {tag!r}" for column, tag in tags.items()}
        for stem, tags in ELEMENTS.items()
    }
    for stem, (column, parts) in BUILT_FROM.items():
        names[stem][column] = "the key built from " + ", ".join(f"element {p!r}" for p in parts)
    names["s47_enquiries"]["icpc_resulted_in_plan"] = (
        "a plan of the episode starting on element 'DateOfInitialCPC' (element 'CPPstartDate')"
    )
    return names


# GenderCurrent (to 2024): 1 male, 2 female, 0 not recorded or unborn, 9 indeterminate.
# Sex (from 2025): M, F, U.
SEX = {"1": "M", "2": "F", "0": "U", "9": "U", "M": "M", "F": "F", "U": "U"}
# xs:boolean, as the census schema writes yes and no (1/0 or true/false): not the contract's words.
XS_TRUE = {"1", "true"}
XS_FALSE = {"0", "false"}
MAX_SCHEMA_FINDINGS = 1000  # per file: enough to see the pattern without drowning the report
SCHEMA_CHUNK = 200  # children validated at a time (see _chunks)


# The natural key of each record nested in an episode: what matches it across collection years.
NESTED_KEYS = {
    "assessments": "start_date",
    "cin_plans": "start_date",
    "s47_enquiries": "strategy_discussion_date",
    "cp_plans": "start_date",
}


@dataclass
class _Episode:
    """One CINdetails block: its referral row and every row nested inside it."""

    key: tuple[str, ...]
    rank: tuple[int, str, int]
    rows: dict[str, list[dict[str, object]]] = field(default_factory=dict)


_Key = tuple[object, ...] | None


def _natural_keys(episode: _Episode) -> dict[str, list[_Key]]:
    """Each nested row's key for matching across years (None when it has none), in row order.

    Same-keyed rows of one version are told apart by their position among them, so a version's
    own repeats are all kept while the same record in two years is counted once.
    """
    keys: dict[str, list[_Key]] = {}
    seen: Counter[tuple[str, _Key]] = Counter()

    def numbered(stem: str, base: _Key) -> _Key:
        if base is None:
            return None
        seen[stem, base] += 1
        return (*base, seen[stem, base])

    plan_keys: dict[int, _Key] = {}
    for stem, column in NESTED_KEYS.items():
        keys[stem] = []
        for row in episode.rows[stem]:
            key = numbered(stem, None if row[column] is None else (row[column],))
            keys[stem].append(key)
            if stem == "cp_plans":
                plan_keys[id(row)] = key
    keys["cp_reviews"] = []
    for review in episode.rows["cp_reviews"]:
        plan_key = plan_keys[id(review["plan"])]
        date = review["review_date"]
        base = None if plan_key is None or date is None else (plan_key, date)
        keys["cp_reviews"].append(numbered("cp_reviews", base))
    return keys


def _combine(versions: list[_Episode]) -> tuple[_Episode, Counter[str]]:
    """One episode from its versions in several collection years (docstring at the top).

    Returns the episode and, per file, how many of its records without a natural key were
    dropped because a later version holds the episode.
    """
    ordered = sorted(versions, key=lambda e: e.rank, reverse=True)  # latest first
    latest = ordered[0]
    lost: Counter[str] = Counter()
    if len(ordered) == 1:
        return latest, lost
    combined = _Episode(latest.key, latest.rank, {"referrals": latest.rows["referrals"]})
    kept: dict[str, dict[_Key, dict[str, object]]] = {}
    # (position of the file in the call, line, row): rows follow the files, as everywhere else
    gathered: dict[str, list[tuple[int, int, dict[str, object]]]] = {
        stem: [] for stem in (*NESTED_KEYS, "cp_reviews")
    }
    for version in ordered:
        where = version.rank[2]
        keys = _natural_keys(version)
        plans_of_version = dict(
            zip(map(id, version.rows["cp_plans"]), keys["cp_plans"], strict=True)
        )
        for stem in (*NESTED_KEYS, "cp_reviews"):
            for row, key in zip(version.rows[stem], keys[stem], strict=True):
                if key is None:
                    if version is latest:
                        gathered[stem].append((where, int(row["_line"] or 0), row))
                    else:
                        lost[str(row["_source_file"])] += 1
                    continue
                if key in kept.setdefault(stem, {}):
                    continue
                kept[stem][key] = row
                if stem == "cp_reviews":
                    # the review belongs to its plan's winning version, whichever year that is
                    plan_key = plans_of_version[id(row["plan"])]
                    row["plan"] = kept.get("cp_plans", {}).get(plan_key, row["plan"])
                gathered[stem].append((where, int(row["_line"] or 0), row))
    for stem, rows in gathered.items():
        combined.rows[stem] = [row for _, _, row in sorted(rows, key=lambda r: r[:2])]
    return combined, lost


@dataclass
class _File:
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


class _Node:
    """An element with its child elements grouped by tag, read in one pass (``find`` per field
    is the slow part of a large file)."""

    __slots__ = ("element", "groups")

    def __init__(self, element: etree._Element | None) -> None:
        self.element = element
        self.groups: dict[str, list[etree._Element]] = {}
        if element is not None:
            for child in element.iterchildren(etree.Element):
                self.groups.setdefault(child.tag, []).append(child)

    def all(self, tag: str) -> list[_Node]:
        return [_Node(element) for element in self.groups.get(tag, [])]

    def first(self, tag: str) -> etree._Element | None:
        found = self.groups.get(tag)
        return found[0] if found else None

    def text(self, tag: str) -> str | None:
        """Trimmed text of the first child element with this tag; absent or blank is None."""
        found = self.first(tag)
        if found is None or found.text is None:
            return None
        return found.text.strip() or None

    @property
    def line(self) -> int | None:
        return None if self.element is None else self.element.sourceline


def max_xml_bytes() -> int:
    """The largest census file read (FRONTDOOR_XML_MAX_MIB, default 1024 MiB): the file is held
    as a tree, several times its size in memory. A council's yearly census is tens of MiB."""
    return int(os.environ.get("FRONTDOOR_XML_MAX_MIB", "1024")) * 2**20


def _parse(path: Path) -> etree._ElementTree:
    limit = max_xml_bytes()
    if path.stat().st_size > limit:
        raise ExtractError(
            path,
            f"is larger than the limit of {limit / 2**20:,.0f} MiB for one census file "
            "(FRONTDOOR_XML_MAX_MIB): refused",
        )
    # No entity is expanded, no DTD or network fetched (a billion-laughs or XXE file is inert).
    parser = etree.XMLParser(
        huge_tree=True,
        remove_comments=True,
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
    )
    try:
        tree = etree.parse(str(path), parser)
    except etree.XMLSyntaxError as error:
        raise ExtractError(path, f"not well-formed XML: {error.msg}", line=error.lineno) from error
    except OSError as error:
        raise ExtractError(path, f"cannot read the file: {error}") from error
    root = tree.getroot()
    if etree.QName(root).localname != "Message":
        raise ExtractError(path, f"root element is {root.tag!r}, not the CIN census Message")
    if etree.QName(root).namespace is not None:
        # DfE's schema has no namespace; a file given one is read (and checked) without it
        for element in root.iter(etree.Element):
            element.tag = etree.QName(element).localname
        etree.cleanup_namespaces(tree)
    return tree


_schemas: dict[Path, etree.XMLSchema] = {}


def _chunks(tree: etree._ElementTree) -> list[etree._ElementTree]:
    """The file as documents of at most SCHEMA_CHUNK children each, for validation.

    lxml slows quadratically as a document's violations pile up (100,000 children with one each
    take minutes), so the children are validated a batch at a time. Copies keep their source
    lines, so a violation still names the file's line. The header goes with the first batch.
    """
    root = tree.getroot()
    children = root.find("Children")
    if children is None or len(children) <= SCHEMA_CHUNK:
        return [tree]
    kids = list(children)
    documents = []
    for start in range(0, len(kids), SCHEMA_CHUNK):
        message = etree.Element(root.tag)
        header = root.find("Header")
        if start == 0 and header is not None:
            message.append(copy.deepcopy(header))
        batch = etree.SubElement(message, "Children")
        batch.extend(copy.deepcopy(kid) for kid in kids[start : start + SCHEMA_CHUNK])
        documents.append(etree.ElementTree(message))
    return documents


def _validate(tree: etree._ElementTree, census: _File, xsd_dir: Path) -> None:
    """Check the file against its collection year's XSD, if the folder has it."""
    xsd = xsd_dir / f"CIN_schema_{census.collection_year}.xsd"
    if census.collection_year is None or not xsd.is_file():
        census.note("no_schema", f"no {xsd.name} in {xsd_dir}; the file was not validated")
        return
    if xsd not in _schemas:
        try:
            _schemas[xsd] = etree.XMLSchema(etree.parse(str(xsd)))
        except (etree.XMLSyntaxError, etree.XMLSchemaParseError) as error:
            census.note("no_schema", f"{xsd} is not a usable XSD ({error}); not validated")
            return
    schema = _schemas[xsd]
    violations = 0
    for document in _chunks(tree):
        if schema.validate(document):
            continue
        for error in schema.error_log:
            violations += 1
            if violations > MAX_SCHEMA_FINDINGS:
                continue
            # error.path is like /Message/Children/Child[2]/ChildIdentifiers/Sex
            column = re.sub(r"\[\d+\]$", "", (error.path or "").rsplit("/", 1)[-1]) or None
            census.findings.append(
                Finding(
                    census.path,
                    "schema",
                    f"{xsd.name}: {without_values(error.message)}",
                    None,
                    error.line,
                    column,
                )
            )
    if violations > MAX_SCHEMA_FINDINGS:
        census.note(
            "schema", f"{violations - MAX_SCHEMA_FINDINGS} more schema violations not listed"
        )


_THE_VALUE = re.compile(r"\b(The value|value) '(?:[^']|'')*'")
_BARE_VALUE = re.compile(r": '(?:[^']|'')*' (?=is not)")


def without_values(message: str) -> str:
    """A schema validator's message with the offending value taken out ("The value 'X' is not
    an element of the set ..." -> "The value is not an element of the set ..."): the value may be
    a child's identifier or name."""
    return _BARE_VALUE.sub(": the value ", _THE_VALUE.sub(r"\1", message))


def _iso_date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _ended_before_window(census: _File, node: _Node, tag: str, record: str) -> None:
    """A finding when a record's end date falls before the collection window: 1 April of the
    year before the ReferenceDate to the ReferenceDate (DfE's census period; its validator raises
    rule 8620 for a closure date outside it). The census holds what was open during the year, so
    such a record is a leftover or a mistyped year; it is kept, as the return gives it."""
    if census.reference_date is None:
        return
    ended = _iso_date(node.text(tag))
    start = dt.date(census.reference_date.year - 1, 4, 1)
    if ended is not None and ended < start:
        census.note(
            "before_collection_window",
            f"{record} ended before the collection window ({start} to {census.reference_date})",
            node.first(tag),
            tag,
        )


def _code(census: _File, node: _Node, tag: str, codes: tuple[str, ...]) -> str | None:
    value = node.text(tag)
    if value is not None and value.upper() not in codes:
        census.note(
            "unknown_code", "not a code of the contract; kept as written", node.first(tag), tag
        )
    return value


def _yn(census: _File, node: _Node, tag: str) -> str | None:
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


def _child(census: _File, child: _Node) -> dict[str, object]:
    ids = _Node(child.first("ChildIdentifiers"))
    characteristics = _Node(child.first("ChildCharacteristics"))
    sex_tag = "Sex" if ids.first("Sex") is not None else "GenderCurrent"
    sex_code = ids.text(sex_tag)
    sex = SEX.get(sex_code.upper()) if sex_code else None
    if sex_code is not None and sex is None:
        census.note("unknown_code", "not a sex code; kept as written", ids.first(sex_tag), sex_tag)
        sex = sex_code
    # Disability codes: NONE means none; any other code means a disability.
    codes = {
        (d.text or "").strip().upper()
        for disabilities in characteristics.groups.get("Disabilities", [])
        for d in disabilities.iterchildren("Disability")
    } - {""}
    disability = None if not codes else ("N" if codes == {"NONE"} else "Y")
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


def _episode(census: _File, child_id: str | None, details: _Node, occurrence: int) -> _Episode:
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
    episode = _Episode(key, census.rank)
    _ended_before_window(census, details, "CINclosureDate", "the episode")
    for a in details.all("Assessments"):
        _ended_before_window(census, a, "AssessmentAuthorisationDate", "the assessment")
    for p in details.all("ChildProtectionPlans"):
        _ended_before_window(census, p, "CPPendDate", "the child protection plan")
    episode.rows["referrals"] = [{
        "child_id": child_id,
        "referral_date": referral_date,
        "source": _code(census, details, "ReferralSource", REFERRAL_SOURCES),
        "primary_need": _code(census, details, "PrimaryNeedCode", PRIMARY_NEEDS),
        "nfa": _yn(census, details, "ReferralNFA"),
        "closure_date": details.text("CINclosureDate"),
        "closure_reason": _code(census, details, "ReasonForClosure", CLOSURE_REASONS),
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
            "icpc_not_required": _yn(census, s, "ICPCnotRequired"),
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
            "initial_category": _code(census, p, "InitialCategoryOfAbuse", CP_CATEGORIES),
            "latest_category": _code(census, p, "LatestCategoryOfAbuse", CP_CATEGORIES),
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


def _read_file(
    path: Path, position: int, xsd_dir: Path | None, findings: list[Finding]
) -> tuple[_File, list[dict[str, object]], list[_Episode]]:
    tree = _parse(path)
    root = tree.getroot()
    collection = _Node(root.find("Header/CollectionDetails"))
    year = collection.text("Year")
    reference_date = collection.text("ReferenceDate") or ""
    collection_year = year if year and year.isdigit() else (reference_date[:4] or None)
    census = _File(
        str(path), (int(collection_year or 0), reference_date, position), collection_year, findings
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
    census.reference_date = _iso_date(reference_date)
    source = _Node(root.find("Header/Source"))
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
    if xsd_dir is not None:
        _validate(tree, census, xsd_dir)

    children, episodes = [], []
    seen_children: set[str] = set()
    # episodes per (child, referral date) across the file: a repeat is kept as a second episode
    seen_episodes: Counter[tuple[str | None, str | None]] = Counter()
    for element in root.iterfind("Children/Child"):
        child = _Node(element)
        row = _child(census, child)
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
            episodes.append(_episode(census, child_id, details, occurrence))
    if not children:
        census.note("no_children", "the file holds no Child")
    return census, children, episodes


def _assign_ids(episodes: list[_Episode]) -> dict[str, list[dict[str, object]]]:
    """Fill in the built ids, and gather each stem's rows in file order."""
    rows: dict[str, list[dict[str, object]]] = {stem: [] for stem in STEMS if stem != "children"}
    used: dict[str, Counter[str]] = {stem: Counter() for stem in rows}

    def unique(stem: str, base: str | None) -> str | None:
        if base is None:
            return None
        used[stem][base] += 1
        count = used[stem][base]
        return base if count == 1 else f"{base}#{count}"

    for episode in episodes:
        referral = episode.rows["referrals"][0]
        has_key = referral["child_id"] is not None and referral["referral_date"] is not None
        referral_id = unique(
            "referrals", f"{referral['child_id']}/{referral['referral_date']}" if has_key else None
        )
        referral["referral_id"] = referral_id
        rows["referrals"].append(referral)
        for stem, id_column, tag, start in (
            ("assessments", "assessment_id", "A", "start_date"),
            ("cin_plans", "plan_id", "CIN", "start_date"),
            ("s47_enquiries", "s47_id", "S47", "strategy_discussion_date"),
            ("cp_plans", "plan_id", "CPP", "start_date"),
        ):
            for row in episode.rows[stem]:
                base = f"{referral_id}/{tag}/{row[start]}" if referral_id and row[start] else None
                row[id_column] = unique(stem, base)
                row["referral_id"] = referral_id
                rows[stem].append(row)
        for review in episode.rows["cp_reviews"]:
            review["plan_id"] = review.pop("plan")["plan_id"]
            rows["cp_reviews"].append(review)
        _icpc_outcomes(episode)
    return rows


def _icpc_outcomes(episode: _Episode) -> None:
    """Each conference's outcome from the episode's plans (the module docstring): Y when one of
    them starts on the conference's date, N when none does; blank without a conference."""
    plan_starts = {plan["start_date"] for plan in episode.rows["cp_plans"]}
    for enquiry in episode.rows["s47_enquiries"]:
        held = enquiry["icpc_date"]
        enquiry["icpc_resulted_in_plan"] = (
            None if held is None else ("Y" if held in plan_starts else "N")
        )


def read_cin_census(paths: list[Path], xsd_dir: Path | None = None) -> SourceFrames:
    """Read one or more CIN census files into raw frames, each episode counted once.

    Raises ExtractError only for a file that cannot be read as XML or is not a CIN census.
    """
    findings: list[Finding] = []
    reference_dates: list[dt.date] = []
    # LEA -> (rank, path) of the latest file naming it
    leas: dict[str, tuple[tuple[int, str, int], str]] = {}
    children: dict[str, tuple[tuple[int, str, int], dict[str, object]]] = {}
    unkeyed_children: list[dict[str, object]] = []
    versions: dict[tuple[str, ...], list[_Episode]] = {}
    for position, path in enumerate(paths):
        before = Path(path).stat()
        census, file_children, file_episodes = _read_file(Path(path), position, xsd_dir, findings)
        if not unchanged(Path(path), before):
            raise changed_error(Path(path))
        if census.reference_date is not None:
            reference_dates.append(census.reference_date)
        if census.lea is not None:
            found = (census.rank, census.path)
            leas[census.lea] = max(leas.get(census.lea, found), found)
        for row in file_children:
            child_id = row["child_id"]
            if child_id is None:
                unkeyed_children.append(row)
            elif child_id not in children or children[child_id][0] <= census.rank:
                children[child_id] = (census.rank, row)
        for episode in file_episodes:
            versions.setdefault(episode.key, []).append(episode)
    episodes: list[_Episode] = []
    superseded: Counter[str] = Counter()
    lost: Counter[str] = Counter()
    for found in versions.values():
        episode, dropped = _combine(found)
        episodes.append(episode)
        lost += dropped
        for older in found:
            if older.rank != episode.rank:
                superseded[str(older.rows["referrals"][0]["_source_file"])] += 1
    for file, count in superseded.items():
        unkeyed = (
            f"; {lost[file]} of its assessments, enquiries, plans or reviews had no date to match "
            "them by and were dropped"
            if lost[file]
            else ""
        )
        findings.append(
            Finding(
                file,
                "superseded",
                f"{count} episodes also in a later collection: the later one's own fields are kept "
                f"and what is inside them combined{unkeyed}",
            )
        )

    # keep the order the files were read in, so the frames follow the files
    ordered = sorted(episodes, key=lambda e: (e.rank[2], e.rows["referrals"][0]["_line"]))
    rows = _assign_ids(ordered)
    child_rows = [
        row for _, row in sorted(children.values(), key=lambda c: (c[0][2], c[1]["_line"]))
    ]
    lea = max(leas, key=lambda code: leas[code]) if leas else None
    if len(leas) > 1:
        findings.append(
            Finding(
                leas[lea][1],
                "lea_mismatch",
                f"the files name {len(leas)} councils (Header/Source/LEA {', '.join(sorted(leas))});"
                f" the latest file's, {lea}, is taken",
            )
        )
    result = SourceFrames(
        findings=findings,
        extra_columns=EXTRA_MEANINGS,
        la_code=lea,
        la_code_source="the census header (Header/Source/LEA)" if lea else "",
        as_at=max(reference_dates, default=None),
        as_at_source="the latest ReferenceDate of the census files",
        history_start=(dt.date(min(reference_dates).year - 1, 4, 1) if reference_dates else None),
        files=sorted(Path(p).name for p in paths),
        source_names=_source_names(),
        built={stem: (column,) for stem, (column, _) in BUILT_FROM.items()},
    )
    result.frames["children"] = raw_frame(
        "children", [*child_rows, *unkeyed_children], extra=("collection_year",)
    )
    for stem, stem_rows in rows.items():
        result.frames[stem] = raw_frame(
            stem, stem_rows, extra=EXTRA.get(stem, ("collection_year",))
        )
    return result
