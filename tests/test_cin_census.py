"""The CIN census reader on DfE-format files: known answers read from the XML by eye."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from pipelines.contract import extract
from pipelines.errors import ExtractError
from pipelines.sources.cin_census import read_cin_census
from pipelines.sources.detect import cin_census_files, detect_format

SHARED = Path(__file__).resolve().parents[2] / "shared"
CIN = SHARED / "fixtures" / "cin_census"
XSD = CIN / "xsd"
needs_shared = pytest.mark.skipif(
    not CIN.is_dir(), reason="../shared/fixtures is not beside the repo"
)

BAR = CIN / "liia_BAR_cin_2022.xml"
FAKE = CIN / "d2i_fake_CIN_data.xml"
D2I_2021 = CIN / "d2i_CIN_Census_2021.xml"  # its header says Year 2023
D2I_2024 = CIN / "d2i_CIN_Census_2024.xml"
D2I_2026 = CIN / "d2i_CIN_Census_2026.xml"


def row(frame: pl.DataFrame, column: str, value: str) -> dict:
    rows = frame.filter(pl.col(column) == value).to_dicts()
    assert len(rows) == 1, rows
    return rows[0]


@needs_shared
@pytest.mark.parametrize(
    ("path", "counts"),
    [
        (
            FAKE,
            {
                "children": 332,
                "referrals": 402,
                "assessments": 0,
                "s47_enquiries": 0,
                "cp_plans": 0,
                "cin_plans": 0,
            },
        ),
        (
            BAR,
            {
                "children": 1,
                "referrals": 1,
                "assessments": 1,
                "s47_enquiries": 1,
                "cp_plans": 1,
                "cp_reviews": 1,
                "cin_plans": 1,
            },
        ),
        (
            D2I_2021,
            {
                "children": 1,
                "referrals": 1,
                "assessments": 1,
                "s47_enquiries": 1,
                "cp_plans": 1,
                "cin_plans": 1,
            },
        ),
        (
            D2I_2024,
            {
                "children": 2,
                "referrals": 2,
                "assessments": 2,
                "s47_enquiries": 1,
                "cp_plans": 1,
                "cin_plans": 1,
            },
        ),
        (
            D2I_2026,
            {
                "children": 2,
                "referrals": 2,
                "assessments": 2,
                "s47_enquiries": 1,
                "cp_reviews": 1,
                "cin_plans": 1,
            },
        ),
    ],
    ids=lambda p: p.name if isinstance(p, Path) else "",
)
def test_every_fixture_loads_with_known_counts(path, counts):
    result = read_cin_census([path], XSD)
    assert {stem: result.frames[stem].height for stem in counts} == counts
    for stem, frame in result.frames.items():
        contract = list(extract(stem).column_names)
        assert frame.columns[: len(contract)] == contract
        assert frame.columns[-2:] == ["_source_file", "_line"]
        assert frame.schema["_line"] == pl.Int64
        assert all(dtype == pl.Utf8 for name, dtype in frame.schema.items() if name != "_line")


@needs_shared
def test_fake_data_referrals_read_by_eye():
    result = read_cin_census([FAKE], XSD)
    first = row(result.frames["referrals"], "referral_id", "RND000215205141/2020-07-13")
    assert first == first | {
        "child_id": "RND000215205141",
        "referral_date": "2020-07-13",
        "source": "4",
        "primary_need": "N6",
        "closure_date": "2021-06-11",
        "closure_reason": "RC2",
        "nfa": "Y",  # <ReferralNFA>true</ReferralNFA>
        "date_of_initial_cpc": "2020-09-29",
        "contact_id": None,
        "team": None,
        "_line": 28,  # the CINdetails element
        "collection_year": "2022",
    }
    second = row(result.frames["referrals"], "referral_id", "RND000824303014/2017-10-22")
    assert (second["source"], second["primary_need"], second["closure_date"]) == ("3A", "N9", None)
    child = row(result.frames["children"], "child_id", "RND000824303014")
    assert (child["sex"], child["ethnicity"], child["date_of_birth"], child["_line"]) == (
        "U",
        "WROM",
        "2011-04-27",
        38,
    )
    # 'true' is not in the XSD's {0, 1}: reported, and the value still read
    schema = [f for f in result.findings if f.rule == "schema"]
    assert len(schema) == 402
    assert schema[0].line == 35 and schema[0].column == "ReferralNFA"


@needs_shared
def test_every_element_of_the_bar_file():
    frames = read_cin_census([BAR], XSD).frames
    child = frames["children"].row(0, named=True)
    assert child | {"_source_file": None} == {
        "child_id": "DfEX0000001",
        "date_of_birth": "1966-03-24",
        "expected_date_of_birth": "1966-03-22",
        "sex": "M",  # GenderCurrent 1
        "ethnicity": "WBRI",
        "religion": None,
        "disability": "Y",  # HAND, HEAR
        "collection_year": "2022",
        "_source_file": None,
        "_line": 18,  # the Child element
    }
    referral_id = "DfEX0000001/1970-10-06"
    assessment = frames["assessments"].row(0, named=True)
    assert assessment["assessment_id"] == f"{referral_id}/A/1970-06-03"
    assert (assessment["referral_id"], assessment["assessment_type"]) == (referral_id, "SINGLE")
    assert (assessment["start_date"], assessment["completed_date"]) == ("1970-06-03", "1971-07-18")
    s47 = frames["s47_enquiries"].row(0, named=True)
    assert (s47["strategy_discussion_date"], s47["icpc_date"], s47["icpc_not_required"]) == (
        "1970-02-02",
        "1970-02-11",
        "N",
    )
    # the episode's one plan starts on 1970-02-17, not on the conference's day: no plan from it
    assert s47["icpc_resulted_in_plan"] == "N"
    cin_plan = frames["cin_plans"].row(0, named=True)
    assert cin_plan == cin_plan | {
        "plan_id": f"{referral_id}/CIN/1971-01-24",
        "child_id": "DfEX0000001",
        "referral_id": referral_id,
        "start_date": "1971-01-24",
        "end_date": "1971-01-26",
        "team": None,
    }
    plan = frames["cp_plans"].row(0, named=True)
    assert plan["plan_id"] == f"{referral_id}/CPP/1970-02-17"
    assert (plan["end_date"], plan["initial_category"], plan["latest_category"]) == (
        "1971-03-14",
        "PHY",
        "PHY",
    )
    assert plan["number_of_previous_plans"] == "10"
    assert frames["cp_reviews"].select("plan_id", "review_date").row(0) == (
        plan["plan_id"],
        "1971-02-15",
    )


@needs_shared
def test_sex_from_2025_and_findings_for_odd_files():
    result = read_cin_census([D2I_2026], XSD)
    children = result.frames["children"]
    assert row(children, "child_id", "child_fails_assessments")["sex"] == "M"  # <Sex>M</Sex>
    assert row(children, "child_id", "child_fails_assessments")["disability"] == "N"  # NONE
    rules = {(f.rule, f.column) for f in result.findings}
    # its header says Year 2023 with ReferenceDate 2024-03-31, and it uses the 2025 Sex element
    assert ("header_mismatch", "ReferenceDate") in rules
    assert ("schema", "Sex") in rules
    assert ("schema", "PreProceedingsandFGDM") in rules
    # its CINPlanDates are a child in need plan of the child's episode
    assert result.frames["cin_plans"].select("plan_id", "start_date", "end_date").rows() == [
        ("DfEX0000001/2022-10-06/CIN/2023-01-24", "2023-01-24", "2023-01-26")
    ]


@needs_shared
def test_merging_years_counts_each_referral_once():
    # the BAR file (Year 2022) and the d2i 2021 file (Year 2023) hold the same episode
    for paths in ([BAR, D2I_2021], [D2I_2021, BAR]):
        result = read_cin_census(paths)
        referrals = result.frames["referrals"]
        assert referrals.height == 1
        referral = referrals.row(0, named=True)
        # the 2023 collection's version wins, with what it holds
        assert (referral["collection_year"], referral["date_of_initial_cpc"]) == (
            "2023",
            "1970-12-06",
        )
        # the two files' enquiries start on different dates, so they are two enquiries: both are
        # kept, each with the year it came from (the plan and the assessment, on the same dates
        # in both, are one each, from 2023)
        enquiries = result.frames["s47_enquiries"].sort("strategy_discussion_date")
        assert enquiries.select("s47_id", "collection_year").rows() == [
            ("DfEX0000001/1970-10-06/S47/1970-02-02", "2022"),
            ("DfEX0000001/1970-10-06/S47/1970-06-02", "2023"),
        ]
        assert result.frames["assessments"].select("assessment_id", "collection_year").rows() == [
            ("DfEX0000001/1970-10-06/A/1970-06-03", "2023")
        ]
        assert result.frames["cp_plans"]["collection_year"].to_list() == ["2023"]
        assert result.frames["children"]["date_of_birth"].to_list() == ["1965-03-27"]
        assert [f.file for f in result.findings if f.rule == "superseded"] == [str(BAR)]


@needs_shared
def test_the_same_file_twice_is_not_double_counted():
    once = read_cin_census([FAKE])
    twice = read_cin_census([FAKE, FAKE])
    assert twice.frames["referrals"].height == once.frames["referrals"].height == 402
    assert twice.frames["children"].height == 332


@needs_shared
def test_schema_folder_is_optional(tmp_path):
    assert not [f for f in read_cin_census([FAKE]).findings if f.rule in {"schema", "no_schema"}]
    missing = read_cin_census([FAKE], tmp_path).findings
    assert [f.rule for f in missing if f.rule.endswith("schema")] == ["no_schema"]


def test_unreadable_files_raise_naming_the_file(tmp_path):
    broken = tmp_path / "broken.xml"
    broken.write_text("<Message>\n<Children>\n<Child>\n</Message>\n")
    with pytest.raises(ExtractError) as raised:
        read_cin_census([broken])
    assert raised.value.file == str(broken) and raised.value.line is not None
    other = tmp_path / "other.xml"
    other.write_text("<Catalogue/>")
    with pytest.raises(ExtractError, match="not the CIN census"):
        read_cin_census([other])


def test_built_xml_keeps_odd_values_as_findings(tmp_path):
    path = tmp_path / "odd.xml"
    path.write_text(
        "<Message><Header><CollectionDetails><Year>2025</Year></CollectionDetails></Header>\n"
        "<Children><Child><ChildIdentifiers><LAchildID>007</LAchildID><Sex>X</Sex></ChildIdentifiers>\n"
        "<ChildCharacteristics><Ethnicity>ZZZZ</Ethnicity></ChildCharacteristics>\n"
        "<CINdetails><CINreferralDate>2024-05-01</CINreferralDate><ReferralSource>99</ReferralSource>"
        "<ReferralNFA>maybe</ReferralNFA></CINdetails>\n"
        "<CINdetails><CINreferralDate>2024-05-01</CINreferralDate><ReferralNFA>1</ReferralNFA></CINdetails>\n"
        "</Child></Children></Message>"
    )
    result = read_cin_census([path])
    referrals = result.frames["referrals"]
    # a second episode on the same date is kept, with its own id, and reported
    assert referrals["referral_id"].to_list() == ["007/2024-05-01", "007/2024-05-01#2"]
    assert referrals["nfa"].to_list() == ["maybe", "Y"]
    assert referrals["source"].to_list() == ["99", None]
    rules = sorted(f.rule for f in result.findings)
    assert rules == [
        "duplicate_referral",
        "unknown_code",
        "unknown_code",
        "unknown_code",
    ]
    assert result.frames["children"].row(0, named=True)["child_id"] == "007"  # leading zeros kept


@needs_shared
def test_detect_a_census_folder(tmp_path):
    shutil.copy(BAR, tmp_path / "cin_2022.xml")
    (tmp_path / "notes.txt").write_text("ignored")
    (tmp_path / "catalogue.xml").write_text("<Catalogue/>")  # not a census: ignored
    assert detect_format(tmp_path) == "cin_census"
    assert cin_census_files(tmp_path) == [(tmp_path / "cin_2022.xml").resolve()]
    (tmp_path / "contacts.csv").write_text("contact_id\n1\n")
    with pytest.raises(ExtractError, match="mixes"):
        detect_format(tmp_path)


@needs_shared
def test_validation_in_batches_names_the_same_lines(monkeypatch):
    import pipelines.sources.cin_census.parse as parse

    def schema_findings() -> list:
        return [f for f in read_cin_census([FAKE], XSD).findings if f.rule == "schema"]

    whole = [(f.line, f.column, f.message) for f in schema_findings()]
    monkeypatch.setattr(parse, "SCHEMA_CHUNK", 7)
    batched = [(f.line, f.column, f.message) for f in schema_findings()]
    assert batched == whole and len(whole) == 402
    monkeypatch.setattr(parse, "MAX_SCHEMA_FINDINGS", 10)
    capped = schema_findings()
    assert len(capped) == 11 and capped[-1].message == "392 more schema violations not listed"


def test_a_namespaced_file_and_a_broken_schema_folder(tmp_path):
    path = tmp_path / "ns.xml"
    path.write_text(
        '<Message xmlns="urn:example"><Header><CollectionDetails><Year>2024</Year>'
        "</CollectionDetails></Header><Children><Child><ChildIdentifiers><LAchildID>A1</LAchildID>"
        "<GenderCurrent>2</GenderCurrent></ChildIdentifiers><CINdetails>"
        "<CINreferralDate>2023-06-01</CINreferralDate><ReferralNFA>0</ReferralNFA></CINdetails>"
        "</Child></Children></Message>"
    )
    xsd = tmp_path / "xsd"
    xsd.mkdir()
    (xsd / "CIN_schema_2024.xsd").write_text("<not-a-schema/>")
    result = read_cin_census([path], xsd)
    assert result.frames["referrals"].select("referral_id", "nfa").row(0) == ("A1/2023-06-01", "N")
    assert result.frames["children"].row(0, named=True)["sex"] == "F"
    assert [f.rule for f in result.findings] == ["no_schema"]


def test_a_child_twice_in_one_file(tmp_path):
    child = (
        "<Child><ChildIdentifiers><LAchildID>B2</LAchildID><PersonBirthDate>{dob}</PersonBirthDate>"
        "</ChildIdentifiers><CINdetails><CINreferralDate>2023-01-09</CINreferralDate>"
        "<ReferralNFA>0</ReferralNFA></CINdetails></Child>"
    )
    path = tmp_path / "twice.xml"
    path.write_text(
        f"<Message><Children>{child.format(dob='2015-01-01')}\n{child.format(dob='2015-02-02')}"
        "</Children></Message>"
    )
    result = read_cin_census([path])
    assert result.frames["children"].select("child_id", "date_of_birth").rows() == [
        ("B2", "2015-02-02")
    ]
    assert result.frames["referrals"]["referral_id"].to_list() == [
        "B2/2023-01-09",
        "B2/2023-01-09#2",
    ]
    assert sorted(f.rule for f in result.findings) == [
        "duplicate_child",
        "duplicate_referral",
        "no_collection_year",
    ]


@needs_shared
def test_every_census_fixture_loads_and_merges():
    paths = sorted(CIN.glob("*.xml"))
    assert len(paths) == 5  # a fixture added later is covered too
    result = read_cin_census(paths, XSD)
    # DfEX0000001/1970-10-06 is in three files and counted once; the fake data share no child
    assert result.frames["referrals"].height == 402 + 3
    assert result.frames["children"].height == 332 + 2


def _census(year: int, episode: str) -> str:
    return (
        f"<Message><Header><CollectionDetails><Collection>CIN</Collection><Year>{year}</Year>"
        f"<ReferenceDate>{year}-03-31</ReferenceDate></CollectionDetails></Header>\n"
        "<Children><Child><ChildIdentifiers><LAchildID>C1</LAchildID>"
        "<GenderCurrent>1</GenderCurrent></ChildIdentifiers>\n"
        f"<CINdetails><CINreferralDate>2021-11-15</CINreferralDate>{episode}</CINdetails>\n"
        "</Child></Children></Message>\n"
    )


def test_an_episode_across_two_years_keeps_each_years_records(tmp_path):
    # As DfE's census does, each year's episode holds only that year's records: the 2022 file
    # has the first assessment, the enquiry and the first review; the 2023 file the closure, a
    # later assessment and review, and the assessment open at 31 March 2022, now authorised.
    y2022 = tmp_path / "cin_2022.xml"
    y2022.write_text(
        _census(
            2022,
            "<PrimaryNeedCode>N1</PrimaryNeedCode>\n"
            "<Assessments><AssessmentActualStartDate>2021-11-16</AssessmentActualStartDate>"
            "<AssessmentAuthorisationDate>2022-01-10</AssessmentAuthorisationDate></Assessments>\n"
            "<Assessments><AssessmentActualStartDate>2022-03-01</AssessmentActualStartDate>"
            "</Assessments>\n"
            "<Assessments><AssessmentAuthorisationDate>2022-02-01</AssessmentAuthorisationDate>"
            "</Assessments>\n"
            "<Section47><S47ActualStartDate>2021-12-01</S47ActualStartDate>"
            "<DateOfInitialCPC>2021-12-20</DateOfInitialCPC></Section47>\n"
            "<ReferralNFA>0</ReferralNFA>\n"
            "<ChildProtectionPlans><CPPstartDate>2021-12-20</CPPstartDate>"
            "<Reviews><CPPreviewDate>2022-03-14</CPPreviewDate></Reviews></ChildProtectionPlans>",
        )
    )
    y2023 = tmp_path / "cin_2023.xml"
    y2023.write_text(
        _census(
            2023,
            "<PrimaryNeedCode>N2</PrimaryNeedCode><CINclosureDate>2023-02-28</CINclosureDate>"
            "<ReasonForClosure>RC1</ReasonForClosure>\n"
            "<Assessments><AssessmentActualStartDate>2022-03-01</AssessmentActualStartDate>"
            "<AssessmentAuthorisationDate>2022-04-20</AssessmentAuthorisationDate></Assessments>\n"
            "<Assessments><AssessmentActualStartDate>2022-10-03</AssessmentActualStartDate>"
            "<AssessmentAuthorisationDate>2022-11-28</AssessmentAuthorisationDate></Assessments>\n"
            "<ReferralNFA>0</ReferralNFA>\n"
            "<ChildProtectionPlans><CPPstartDate>2021-12-20</CPPstartDate>"
            "<CPPendDate>2023-01-16</CPPendDate>"
            "<Reviews><CPPreviewDate>2022-09-12</CPPreviewDate></Reviews></ChildProtectionPlans>",
        )
    )
    episode = "C1/2021-11-15"
    for paths in ([y2022, y2023], [y2023, y2022]):
        result = read_cin_census(paths)
        frames = result.frames
        # the episode's own fields: the latest year's
        assert frames["referrals"].select(
            "referral_id", "primary_need", "closure_date", "closure_reason", "collection_year"
        ).rows() == [(episode, "N2", "2023-02-28", "RC1", "2023")]
        # its records: both years', the same assessment (by start date) once, 2023's version
        assert frames["assessments"].sort("start_date").select(
            "assessment_id", "referral_id", "completed_date", "collection_year"
        ).rows() == [
            (f"{episode}/A/2021-11-16", episode, "2022-01-10", "2022"),
            (f"{episode}/A/2022-03-01", episode, "2022-04-20", "2023"),
            (f"{episode}/A/2022-10-03", episode, "2022-11-28", "2023"),
        ]
        assert frames["s47_enquiries"].select("s47_id", "icpc_date", "collection_year").rows() == [
            (f"{episode}/S47/2021-12-01", "2021-12-20", "2022")
        ]
        plan = f"{episode}/CPP/2021-12-20"
        assert frames["cp_plans"].select("plan_id", "end_date", "collection_year").rows() == [
            (plan, "2023-01-16", "2023")
        ]
        assert frames["cp_reviews"].sort("review_date").select(
            "plan_id", "review_date", "collection_year"
        ).rows() == [(plan, "2022-03-14", "2022"), (plan, "2022-09-12", "2023")]
        # 2022's assessment without a start date cannot be matched: dropped, and said so
        (superseded,) = [f for f in result.findings if f.rule == "superseded"]
        assert superseded.file == str(y2022)
        assert superseded.message.startswith("1 episodes also in a later collection")
        assert "1 of its assessments, enquiries, plans or reviews had no date" in superseded.message


def test_repeats_within_a_year_survive_the_merge(tmp_path):
    # two assessments on one date in 2023, one of them also in 2022: two assessments, not three
    one = (
        "<Assessments><AssessmentActualStartDate>2022-03-01</AssessmentActualStartDate>"
        "<AssessmentAuthorisationDate>{done}</AssessmentAuthorisationDate></Assessments>"
    )
    y2022 = tmp_path / "cin_2022.xml"
    y2022.write_text(_census(2022, one.format(done="2022-03-30")))
    y2023 = tmp_path / "cin_2023.xml"
    y2023.write_text(_census(2023, one.format(done="2022-04-20") + one.format(done="2022-05-03")))
    frames = read_cin_census([y2022, y2023]).frames
    assert frames["assessments"].select("assessment_id", "completed_date").rows() == [
        ("C1/2021-11-15/A/2022-03-01", "2022-04-20"),
        ("C1/2021-11-15/A/2022-03-01#2", "2022-05-03"),
    ]


def test_cin_plans_across_years_and_icpc_outcomes_from_plan_starts(tmp_path):
    # 2022: a CIN plan from 1 December; three enquiries: a conference on 6 December that no plan
    # starts on, one on 24 January that the child protection plan starts on, one not needed.
    # 2023: the same CIN plan, now ended on 24 January (the child protection plan replaced it),
    # and a second CIN plan after the child protection plan ended.
    enquiries = (
        "<Section47><S47ActualStartDate>2021-11-20</S47ActualStartDate>"
        "<DateOfInitialCPC>2021-12-06</DateOfInitialCPC></Section47>\n"
        "<Section47><S47ActualStartDate>2022-01-10</S47ActualStartDate>"
        "<DateOfInitialCPC>2022-01-24</DateOfInitialCPC></Section47>\n"
        "<Section47><S47ActualStartDate>2022-02-01</S47ActualStartDate>"
        "<ICPCnotRequired>1</ICPCnotRequired></Section47>\n"
    )
    y2022 = tmp_path / "cin_2022.xml"
    y2022.write_text(
        _census(
            2022,
            "<CINPlanDates><CINPlanStartDate>2021-12-01</CINPlanStartDate></CINPlanDates>\n"
            + enquiries
            + "<ReferralNFA>0</ReferralNFA>\n"
            "<ChildProtectionPlans><CPPstartDate>2022-01-24</CPPstartDate></ChildProtectionPlans>",
        )
    )
    y2023 = tmp_path / "cin_2023.xml"
    y2023.write_text(
        _census(
            2023,
            "<CINPlanDates><CINPlanStartDate>2021-12-01</CINPlanStartDate>"
            "<CINPlanEndDate>2022-01-24</CINPlanEndDate></CINPlanDates>\n"
            "<CINPlanDates><CINPlanStartDate>2022-06-01</CINPlanStartDate></CINPlanDates>\n"
            "<ReferralNFA>0</ReferralNFA>\n"
            "<ChildProtectionPlans><CPPstartDate>2022-01-24</CPPstartDate>"
            "<CPPendDate>2022-06-01</CPPendDate></ChildProtectionPlans>",
        )
    )
    episode = "C1/2021-11-15"
    for paths in ([y2022, y2023], [y2023, y2022]):
        frames = read_cin_census(paths).frames
        assert frames["cin_plans"].sort("start_date").select(
            "plan_id", "child_id", "referral_id", "start_date", "end_date", "collection_year"
        ).rows() == [
            (f"{episode}/CIN/2021-12-01", "C1", episode, "2021-12-01", "2022-01-24", "2023"),
            (f"{episode}/CIN/2022-06-01", "C1", episode, "2022-06-01", None, "2023"),
        ]
        # the outcome is read from the plan of the combined episode (held in both years)
        assert frames["s47_enquiries"].sort("strategy_discussion_date").select(
            "icpc_date", "icpc_resulted_in_plan"
        ).rows() == [("2021-12-06", "N"), ("2022-01-24", "Y"), (None, None)]
