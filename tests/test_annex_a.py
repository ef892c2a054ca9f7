"""The Annex A reader: real workbooks, header variants, serial dates, and format detection."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from pipelines.contract import extract
from pipelines.errors import ExtractError
from pipelines.marts.metrics import METRICS, UNSUPPORTED_METRICS
from pipelines.sources.annex_a import (
    excel_serial_to_date,
    normalise_header,
    read_annex_a,
    text_to_iso,
)
from pipelines.sources.detect import detect_format
from tests.conftest import write_workbook

SHARED = Path(__file__).resolve().parents[2] / "shared"
ANNEX_A = SHARED / "fixtures" / "annex_a"
needs_shared = pytest.mark.skipif(
    not ANNEX_A.is_dir(), reason="../shared/fixtures is not beside the repo"
)

LIIA = ANNEX_A / "liia_Annex_A_2024_Jan.xlsx"
TEMPLATE_2015 = ANNEX_A / "ofsted-template-2019_sample-2015-01.xlsx"
TEMPLATE_2016 = ANNEX_A / "ofsted-template-2019_sample-2016-01.xlsx"


def row(frame: pl.DataFrame, column: str, value: str) -> dict:
    rows = frame.filter(pl.col(column) == value).to_dicts()
    assert len(rows) == 1, rows
    return rows[0]


def heights(result) -> dict[str, int]:
    return {stem: frame.height for stem, frame in result.frames.items()}


@needs_shared
@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (
            LIIA,
            {"contacts": 5, "referrals": 6, "assessments": 5, "s47_enquiries": 5, "cp_plans": 7,
             "children": 32, "workers": 15},
        ),
        (
            TEMPLATE_2015,
            {"contacts": 0, "referrals": 5, "assessments": 0, "s47_enquiries": 0, "cp_plans": 0,
             "children": 5, "workers": 1},
        ),
        (
            TEMPLATE_2016,
            {"contacts": 0, "referrals": 0, "assessments": 0, "s47_enquiries": 0, "cp_plans": 0,
             "children": 0, "workers": 0},
        ),
    ],
    ids=lambda p: p.name if isinstance(p, Path) else "",
)  # fmt: skip
def test_every_workbook_loads_with_known_counts(path, expected):
    result = read_annex_a(path)
    assert heights(result) == expected
    for stem, frame in result.frames.items():
        contract = list(extract(stem).column_names)
        extra = {
            "cp_plans": ["latest_review_date", "latest_visit_date", "latest_visit_seen_alone"],
            "referrals": ["case_status"],
        }.get(stem, [])
        assert frame.columns == [*contract, "sheet", *extra, "_source_file", "_line"]
        assert frame.schema["_line"] == pl.Int64
        assert all(dtype == pl.Utf8 for name, dtype in frame.schema.items() if name != "_line")


@needs_shared
def test_liia_values_read_by_eye():
    result = read_annex_a(LIIA)
    contact = result.frames["contacts"].row(0, named=True)
    assert contact | {"_source_file": None} == {
        "contact_id": "9212044/2020-09-16",  # Annex A has no contact id: child and date
        "child_id": "9212044",  # a number cell, without its .0
        "contact_datetime": "2020-09-16",
        "source": "6",  # 'q) 6: Police'
        "decision_datetime": None,  # never invented
        "outcome": None,
        "out_of_hours": None,
        "team": None,
        "sheet": "List 1",
        "_source_file": None,
        "_line": 2,
    }
    referral = row(result.frames["referrals"], "child_id", "4653765")
    assert (referral["source"], referral["nfa"], referral["team"]) == (
        "3D",
        "N",
        "Locality 4 Duty Team",
    )
    s47 = row(result.frames["s47_enquiries"], "child_id", "10273003")
    assert (s47["icpc_not_required"], s47["icpc_date"], s47["icpc_resulted_in_plan"]) == (
        "Y",
        None,
        None,
    )
    plan = row(result.frames["cp_plans"], "child_id", "16036763")
    assert (plan["start_date"], plan["end_date"], plan["initial_category"]) == (
        "2020-04-27",
        "2021-01-04",
        "EMO",
    )
    assert plan["number_of_previous_plans"] == "0"
    # only the latest review and visit are listed: kept beside the plan, not as histories
    assert "cp_reviews" not in result.frames and "cp_visits" not in result.frames
    assert (
        plan["latest_review_date"],
        plan["latest_visit_date"],
        plan["latest_visit_seen_alone"],
    ) == (
        "2021-01-04",
        "2020-12-30",
        "N",
    )
    assessment = row(result.frames["assessments"], "child_id", "10692868")
    assert (
        assessment["assessment_type"],
        assessment["completed_date"],
        assessment["child_seen"],
    ) == (
        "SINGLE",
        "2021-02-08",
        "Y",
    )
    # 'Dustin\xa0Hazlett': the non-breaking space folds to a plain one
    assert (
        row(result.frames["workers"], "worker_id", "Dustin Hazlett")["team"]
        == "Multi Agency Safeguarding Hub"
    )
    child = row(result.frames["children"], "child_id", "11973218")
    assert (child["sex"], child["ethnicity"], child["date_of_birth"]) == ("F", "APKN", None)
    assert row(result.frames["children"], "child_id", "10692868")["disability"] == "N"  # 'b) No'


@needs_shared
def test_liia_oddities_are_findings():
    findings = read_annex_a(LIIA).findings
    by_rule = {}
    for finding in findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    # 'CS Assessment Updated' is not a yes/no: kept as written for staging to report, once
    assert "not_yes_no" not in by_rule
    assessments = read_annex_a(LIIA).frames["assessments"]
    odd = assessments.filter((pl.col("sheet") == "List 4") & (pl.col("_line") == 2))
    assert odd["further_action"].to_list() == ["CS Assessment Updated"]
    assert [(f.sheet, f.line) for f in by_rule["unknown_code"]] == [("List 6", 2)]
    assert len(by_rule["code_from_label"]) == 14  # 'Physical abuse' -> PHY, twice a plan
    assert sorted(f.sheet for f in by_rule["list_skipped"]) == [
        "List 10",
        "List 11",
        "List 2",
        "List 8",
        "List 9",
    ]


@needs_shared
def test_template_title_rows_guidance_sheets_and_free_text_codes():
    result = read_annex_a(TEMPLATE_2015)
    referrals = result.frames["referrals"]
    # header on row 2 under the 'List 3: Referral' title, so the first child is row 3
    assert referrals["_line"].to_list() == [3, 4, 5, 6, 7]
    assert referrals["source"].to_list() == ["School", "Health", "6", "School", "School"]
    assert referrals["nfa"].to_list() == ["Y", "N", "Y", "N", "N"]  # 'yes' / 'no'
    assert referrals["child_id"].to_list() == ["1", "2", "3", "4", "5"]
    skipped = {f.sheet for f in result.findings if f.rule == "not_a_list"}
    assert skipped == {"Front_Sheet", "FAQ_and_changes", "Guidance", "Codes_used"}
    unknown = [f for f in result.findings if f.rule == "unknown_code"]
    assert [f.line for f in unknown] == [
        3,
        4,
        6,
        7,
    ]


def test_header_variants_and_values_in_a_list_csv(tmp_path):
    path = tmp_path / "list3.csv"
    path.write_text(
        "Annex A List 3 - exported 2024-01-31,,,,,,,,\n"
        "CHILD UNIQUE ID ,gender,Ethnicity,Date  of Birth,Age,Date of referral,Referral Source,"
        "Referral NFA?,Allocated Team,Notes\n"
        "0042,a) Male,a) WBRI,40909,-1,16/09/2020,a) 1A: Individual,a) Yes,#N/A,x\n"
        "0043,Female,WBRI,2011-04-27,12,2020-09-17 00:00:00,1B,No,Duty,y\n"
        ",,,,,,,,,\n",
        encoding="utf-8",
    )
    result = read_annex_a(path)
    referrals = result.frames["referrals"]
    assert referrals.select(
        "child_id", "referral_date", "source", "nfa", "team", "_line"
    ).rows() == [
        ("0042", "2020-09-16", "1A", "Y", None, 3),  # a day-first text date, made ISO
        ("0043", "2020-09-17", "1B", "N", "Duty", 4),
    ]
    assert referrals["sheet"].to_list() == [None, None]
    children = result.frames["children"]
    unborn = row(children, "child_id", "0042")
    # age -1 marks an unborn child: the date is the expected date of birth
    assert (unborn["date_of_birth"], unborn["expected_date_of_birth"], unborn["sex"]) == (
        None,
        "2012-01-01",
        "M",
    )
    rules = {(f.rule, f.line, f.column) for f in result.findings}
    assert ("serial_date", 3, "Date  of Birth") in rules
    assert ("excel_error", 3, "Allocated Team") in rules
    assert len([f for f in result.findings if f.rule == "excel_error"]) == 1  # reported once
    assert ("unmatched_header", 2, "Notes") in rules


def test_curly_quotes_and_list_identification(tmp_path):
    path = tmp_path / "assessments.csv"
    path.write_text(
        "LA Child ID,Continuous Assessment Start Date,"
        "Was the child assessed as requiring LA children\u2019s social care support ,"
        "Continuous Assessment Date of Authorisation\n"
        "7,2020-01-06,b) No,2020-03-02\n",
        encoding="cp1252",
    )
    assessment = read_annex_a(path).frames["assessments"].row(0, named=True)
    assert (assessment["further_action"], assessment["completed_date"]) == ("N", "2020-03-02")
    assert normalise_header(
        "Was the child assessed as requiring LA children\u2019s social care support?"
    ) == ("wasthechildassessedasrequiringlachildrenssocialcaresupport")


def test_serial_numbers_and_datetimes_in_awrite_workbook(tmp_path):
    assert excel_serial_to_date(40909) == date(2012, 1, 1)
    path = tmp_path / "annex.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Contacts (List 1)"
    sheet.append(["List 1: Contacts"])
    sheet.append([])
    sheet.append(["Child Unique ID", "Gender", "Date of Contact", "Contact Source"])
    sheet.append([101, "b) Female", 40909, "t) 9: Anonymous"])  # a serial number left unformatted
    sheet.append([102, "c) Not stated/recorded", datetime(2012, 1, 2, 17, 45), "Police"])
    book.save(path)
    result = read_annex_a(path)
    contacts = result.frames["contacts"]
    assert contacts.select("child_id", "contact_datetime", "source", "_line").rows() == [
        ("101", "2012-01-01", "9", 4),
        ("102", "2012-01-02T17:45:00", "6", 5),
    ]
    assert result.frames["children"]["sex"].to_list() == ["F", "U"]
    serial = [f for f in result.findings if f.rule == "serial_date"]
    assert [(f.sheet, f.line, f.column) for f in serial] == [
        ("Contacts (List 1)", 4, "Date of Contact")
    ]
    assert set(result.frames) == {"contacts", "children"}  # only what List 1 feeds


@pytest.mark.parametrize(
    ("text", "keep_time", "expected"),
    [
        ("16/09/2020", False, "2020-09-16"),  # day first, as English workbooks write it
        ("6/9/2020", False, "2020-09-06"),
        ("06.09.2020", False, "2020-09-06"),
        ("16-09-2020", False, "2020-09-16"),
        ("2020-9-6", False, "2020-09-06"),
        ("2020/09/16", False, "2020-09-16"),
        ("16 Sep 2020", False, "2020-09-16"),
        ("16-Sept-2020", False, "2020-09-16"),
        ("16 september 2020", False, "2020-09-16"),
        ("2020-09-16 00:00:00", False, "2020-09-16"),
        ("16/09/2020 14:30", False, "2020-09-16"),  # a time only on the contact's date
        ("16/09/2020 14:30", True, "2020-09-16T14:30:00"),
        ("2020-09-16T10:30:15.000", True, "2020-09-16T10:30:15"),
        ("16/09/2020 00:00", True, "2020-09-16"),
        ("31/02/2020", False, None),  # no such day: left for staging to quarantine
        ("09/16/2020", False, None),  # month first is not read (no 16th month)
        ("16/09/20", False, None),  # a two-digit year: the century would be a guess
        ("2020-09/16", False, None),  # mixed separators
        ("16 Sepx 2020", False, None),
        ("soon", False, None),
    ],
)
def test_text_dates_read_as_iso(text, keep_time, expected):
    assert text_to_iso(text, keep_time) == expected


LIST_6 = [
    "Child Unique ID",
    "CIN Start Date",
    "Primary Need Code",
    "CIN Closure Date",
    "Reason for Closure",
]


def test_one_date_written_three_ways_is_one_date(tmp_path):
    # List 3 holds its dates as a date cell, a serial number and text; List 6 writes the same
    # days the other ways. Ids and the List 6 match see the date, not how it was written.
    list_3 = ["Child Unique ID", "Date of referral", "Referral NFA?"]
    path = write_workbook(
        tmp_path / "annex.xlsx",
        {
            "List 3": [
                list_3,
                [1, datetime(2020, 9, 16), "a) Yes"],
                [2, 44090, "b) No"],  # serial 44090 is 2020-09-16
                [3, "16/09/2020", "b) No"],
                [3, datetime(2020, 9, 16), "b) No"],  # the same child and day again
            ],
            "List 6": [
                LIST_6,
                [1, "16/09/2020", "N1", "30/09/2020", "RC8"],
                [2, datetime(2020, 9, 16), "N2", datetime(2020, 10, 1), "RC1"],
                [3, "2020-09-16", "N3", None, None],
            ],
        },
    )
    result = read_annex_a(path)
    referrals = result.frames["referrals"]
    assert referrals.select(
        "referral_id", "referral_date", "primary_need", "closure_date", "closure_reason"
    ).rows() == [
        ("1/2020-09-16", "2020-09-16", "N1", "2020-09-30", "RC8"),
        ("2/2020-09-16", "2020-09-16", "N2", "2020-10-01", "RC1"),
        ("3/2020-09-16", "2020-09-16", "N3", None, None),
        ("3/2020-09-16#2", "2020-09-16", "N3", None, None),
    ]
    assert not [f for f in result.findings if f.rule == "cin_episode_not_referred"]


def test_list_6_closes_every_copy_of_a_double_keyed_referral(tmp_path):
    # two List 3 rows for one child and day (the pipeline merges them later): List 6's need and
    # closure go onto both, so the merged referral does not read as open
    path = write_workbook(
        tmp_path / "annex.xlsx",
        {
            "List 3": [
                ["Child Unique ID", "Date of referral", "Referral Source"],
                [7, datetime(2021, 3, 1), "a) 1A: Individual"],
                [7, datetime(2021, 3, 1), "f) 3A: Hospital"],
                [8, datetime(2021, 3, 2), "a) 1A: Individual"],
            ],
            "List 6": [
                LIST_6,
                [7, datetime(2021, 3, 1), "N4", datetime(2021, 6, 30), "RC4"],
                [9, datetime(2021, 1, 4), "N1", None, None],  # no List 3 referral
            ],
        },
    )
    result = read_annex_a(path)
    assert result.frames["referrals"].select(
        "referral_id", "source", "primary_need", "closure_date", "closure_reason"
    ).rows() == [
        ("7/2021-03-01", "1A", "N4", "2021-06-30", "RC4"),
        ("7/2021-03-01#2", "3A", "N4", "2021-06-30", "RC4"),
        ("8/2021-03-02", "1A", None, None, None),
    ]
    (unmatched,) = [f for f in result.findings if f.rule == "cin_episode_not_referred"]
    assert unmatched.message.startswith("1 of 2 List 6 episodes")


def test_list_6_case_status_is_kept_beside_the_referral_not_made_a_plan(tmp_path):
    # List 6 says which children have a child in need plan on the return's date, but not since
    # when: the status goes beside the List 3 referral (every copy), and no cin_plans row is made.
    # List 5's conference and its outcome are the enquiry's.
    path = write_workbook(
        tmp_path / "annex.xlsx",
        {
            "List 3": [
                ["Child Unique ID", "Date of referral"],
                [1, datetime(2021, 3, 1)],
                [1, datetime(2021, 3, 1)],
                [2, datetime(2021, 3, 2)],
                [3, datetime(2021, 3, 3)],
                [4, datetime(2021, 3, 4)],
            ],
            "List 5": [
                [
                    "Child Unique ID",
                    "Strategy discussion initiating Section 47 Enquiry Start Date",
                    "Was an Initial Child Protection Conference deemed unnecessary?",
                    "Date of Initial Child Protection Conference",
                    "Did the Initial Child Protection Conference Result in a Child Protection Plan",
                ],
                [2, datetime(2021, 3, 2), "b) No", datetime(2021, 3, 16), "a) Yes"],
                [3, datetime(2021, 3, 3), "b) No", datetime(2021, 3, 17), "b) No"],
            ],
            "List 6": [
                [*LIST_6, "Case status"],
                [1, datetime(2021, 3, 1), "N1", None, None, "c) Child in need plan"],
                [2, datetime(2021, 3, 2), "N1", None, None, "b) Child Protection plan"],
                [3, datetime(2021, 3, 3), "N1", datetime(2021, 3, 31), "RC7", "Closed episode"],
                [4, datetime(2021, 3, 4), "N1", None, None, "z) Waiting"],
            ],
        },
    )
    result = read_annex_a(path)
    assert result.frames["referrals"].select("referral_id", "case_status").rows() == [
        ("1/2021-03-01", "Child in need plan"),
        ("1/2021-03-01#2", "Child in need plan"),
        ("2/2021-03-02", "Child Protection plan"),
        ("3/2021-03-03", "Closed episode"),
        ("4/2021-03-04", "z) Waiting"),  # not a template status: kept as written, and said so
    ]
    assert [(f.rule, f.line, f.column) for f in result.findings if f.rule == "unknown_code"] == [
        ("unknown_code", 5, "Case status")
    ]
    assert "cin_plans" not in result.frames
    assert result.frames["s47_enquiries"].select(
        "s47_id", "icpc_date", "icpc_resulted_in_plan"
    ).rows() == [("2/2021-03-02", "2021-03-16", "Y"), ("3/2021-03-03", "2021-03-17", "N")]


def test_repeated_child_and_date_get_distinct_ids(tmp_path):
    path = tmp_path / "list1.csv"
    path.write_text("Child Unique ID,Date of Contact\n5,2020-02-03\n5,2020-02-03\n")
    ids = read_annex_a(path).frames["contacts"]["contact_id"].to_list()
    assert ids == ["5/2020-02-03", "5/2020-02-03#2"]


def test_unreadable_workbook_raises_naming_the_file(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"not a zip file")
    with pytest.raises(ExtractError) as raised:
        read_annex_a(path)
    assert raised.value.file == str(path)


def test_a_file_without_lists_is_a_finding(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("a,b\n1,2\n")
    result = read_annex_a(path)
    assert result.frames == {}
    assert [f.rule for f in result.findings] == ["not_a_list", "no_lists"]


@needs_shared
def test_detect_annex_a_folders(tmp_path):
    workbook = tmp_path / "workbook"
    workbook.mkdir()
    shutil.copy(LIIA, workbook / "annex_a.xlsx")
    (workbook / "population.csv").write_text("year,children_0_17\n2020,50000\n")
    # population.csv is reference data: it may sit beside a workbook
    assert detect_format(workbook) == "annex_a"
    # a folder of the folder's workbook reads like the workbook itself
    assert heights(read_annex_a(workbook)) == heights(read_annex_a(LIIA))


def test_detect_csv_lists_contract_csvs_and_refusals(tmp_path):
    lists = tmp_path / "lists"
    lists.mkdir()
    (lists / "referrals_list.csv").write_text(
        "Title\nChild Unique ID,Date of Referral\n1,2020-01-01\n"
    )
    assert detect_format(lists) == "annex_a"
    contract = tmp_path / "contract"
    contract.mkdir()
    (contract / "Contacts.csv").write_text("contact_id\n")
    (contract / "readme.md").write_text("ignored")
    assert detect_format(contract) == "csv"
    population = tmp_path / "population"
    population.mkdir()
    (population / "population.csv").write_text("year,children_0_17\n")
    assert detect_format(population) == "csv"
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ExtractError, match="no input found"):
        detect_format(empty)
    (lists / "contacts.csv").write_text("contact_id\n")
    with pytest.raises(ExtractError, match="mixes"):
        detect_format(lists)
    with pytest.raises(ExtractError):
        detect_format(tmp_path / "absent")


def test_unsupported_metrics_name_real_metrics():
    metrics = SHARED / "spec" / "metrics.md"
    if not metrics.is_file():
        pytest.skip("../shared/spec is not beside the repo")
    ids = {
        line.split("|")[1].strip()
        for line in metrics.read_text().splitlines()
        if line.startswith("| ")
    }
    for format_name, unsupported in UNSUPPORTED_METRICS.items():
        assert set(unsupported) <= ids, format_name
    assert "contacts_awaiting_decision" in UNSUPPORTED_METRICS["annex_a"]
    assert "referrals" not in UNSUPPORTED_METRICS["cin_census"]


def test_formats_doc_table_matches_unsupported_metrics():
    # one row per metric of the catalogue, a column per door (more doors may be added: the
    # columns are read by their heading)
    doc = Path(__file__).resolve().parents[1] / "docs" / "formats.md"
    heading = next(line for line in doc.read_text().splitlines() if line.startswith("| metric_id"))
    table = doc.read_text().split(heading)[1].split("\n\n")[0]
    doors = [cell.strip() for cell in heading.strip("|").split("|")][1:]
    crossed: dict[str, set[str]] = {door: set() for door in doors}
    metrics = []
    for line in table.strip().splitlines()[1:]:
        metric, *cells = [cell.strip() for cell in line.strip("|").split("|")]
        metrics.append(metric)
        for door, cell in zip(doors, cells, strict=True):
            if cell.startswith("✗"):
                crossed[door].add(metric)
    assert sorted(metrics) == sorted(METRICS)
    assert {name: crossed[name] for name in UNSUPPORTED_METRICS} == {
        name: set(reasons) for name, reasons in UNSUPPORTED_METRICS.items()
    }


@needs_shared
def test_every_annex_a_fixture_loads():
    paths = sorted(ANNEX_A.iterdir())
    assert paths  # a fixture added later is covered too
    for path in paths:
        result = read_annex_a(path)
        assert "referrals" in result.frames, path.name
