"""A council's own Annex A workbook or CIN census file gives the right figures, and says what it
could not read. One known-answer test per class of fault found by trying real-world returns;
every file here is small and written by hand, so each answer can be counted on one's fingers.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from pipelines.marts.build import build_marts
from pipelines.marts.run_info import AsAtError, Provenance, build_run_info
from pipelines.report.build import build_report
from pipelines.staging.calendar import build_calendar
from pipelines.validation import build_data_quality
from tests.conftest import (
    SHARED,
    build_warehouse,
    frontdoor_run_here,
    load_and_check,
    write_workbook,
)

FIXTURES = SHARED / "fixtures"
XSD = FIXTURES / "cin_census" / "xsd"
needs_shared = pytest.mark.skipif(
    not FIXTURES.is_dir(), reason="../shared/fixtures is not beside the repo"
)

REFERRALS = ["Child Unique ID", "Date of referral", "Referral NFA?"]
ASSESSMENTS = [
    "Child Unique ID",
    "Continuous Assessment Start Date",
    "Continuous Assessment Date of Authorisation",
]
S47 = ["Child Unique ID", "Strategy discussion initiating Section 47 Enquiry Start Date"]
CONTACTS = ["Child Unique ID", "Date of Contact"]


def census(path: Path, reference_date: str, children: str) -> Path:
    """A CIN census file: a header with the collection year and ReferenceDate, then children.
    The header takes lines 1-3, so the first Child is on line 4."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "<Message><Header><CollectionDetails><Collection>CIN</Collection>\n"
        f"<Year>{reference_date[:4]}</Year><ReferenceDate>{reference_date}</ReferenceDate>\n"
        "</CollectionDetails></Header><Children>\n"
        f"{children}</Children></Message>\n"
    )
    return path


def child(child_id: str | None, details: str) -> str:
    ids = f"<LAchildID>{child_id}</LAchildID>" if child_id else ""
    return f"<Child><ChildIdentifiers>{ids}</ChildIdentifiers>\n{details}</Child>\n"


def value(con: duckdb.DuckDBPyConnection, metric: str, label: str, part: str = "value") -> float:
    rows = con.execute(
        f"SELECT {part} FROM marts.metric_values WHERE metric_id = ? AND period_type = 'month' "
        "AND period_label = ? AND breakdown = 'all'",
        [metric, label],
    ).fetchall()
    assert len(rows) == 1, (metric, label, rows)
    return rows[0][0]


def quality(con: duckdb.DuckDBPyConnection, rule: str, stem: str | None = None) -> int:
    return con.execute(
        "SELECT sum(rows_failed) FROM marts.data_quality WHERE rule = ? "
        "AND (? IS NULL OR stem = ?)",
        [rule, stem, stem],
    ).fetchall()[0][0]


# -- 1. the as-at date comes from the return ------------------------------------------------------


def late_lists(folder: Path) -> Path:
    """A referral on 10 January; an assessment authorised, and S47s started, in February."""
    return write_workbook(
        folder / "annex_a.xlsx",
        {
            "List 3": [REFERRALS, ["C1", "2024-01-10", "No"]],
            "List 4": [ASSESSMENTS, ["C1", "2024-01-11", "2024-02-15"]],
            "List 5": [S47, ["C1", "2024-01-12"], ["C2", "2024-02-20"], ["C3", "2024-02-21"]],
        },
    )


def test_annex_a_as_at_is_the_latest_date_in_any_list(tmp_path):
    late_lists(tmp_path / "in")
    con = build_warehouse(tmp_path / "in", tmp_path / "w.duckdb")
    as_at, source = con.execute("SELECT as_at, as_at_source FROM marts.run_info").fetchall()[0]
    assert as_at == dt.date(2024, 2, 21)  # not the referral's 10 January
    assert source == "the latest date in any list of the Annex A return"
    # Taken at the last referral, February's assessment and both enquiries would be lost.
    assert value(con, "assessments_completed", "2024-02") == 1
    assert value(con, "s47_enquiries", "2024-02") == 2
    assert value(con, "s47_enquiries", "2024-01") == 1
    assert quality(con, "not_yet_happened") == 0


def test_a_date_after_today_in_a_workbook_is_not_its_as_at(tmp_path):
    slip = [["C1", "2024-01-10", "No"], ["C2", "2204-01-11", "No"]]  # 2204 for 2024
    write_workbook(tmp_path / "in" / "annex_a.xlsx", {"List 3": [REFERRALS, *slip]})
    con = build_warehouse(tmp_path / "in", tmp_path / "w.duckdb")
    assert con.execute("SELECT as_at FROM marts.run_info").fetchall() == [(dt.date(2024, 1, 10),)]
    # A date after the day of the run is a slip, not an event yet to come: the row is set aside
    # as implausible_date, naming the sheet, row and column the council can fix, and is not
    # also counted as not yet happened (docs/validation.md).
    [(line, rule, reason)] = con.execute(
        "SELECT _line, _rule, _reason FROM quarantine.referrals"
    ).fetchall()
    assert (line, rule) == (3, "implausible_date")
    assert reason.startswith("annex_a.xlsx [List 3] row 3, column 'Date of referral': a date ")
    assert quality(con, "implausible_date", "referrals") == 1
    assert quality(con, "not_yet_happened", "referrals") == 0


def test_as_at_set_for_the_run_counts_what_it_leaves_out(tmp_path):
    late_lists(tmp_path / "in")
    con = build_warehouse(tmp_path / "in", tmp_path / "w.duckdb", as_at=dt.date(2024, 2, 1))
    assert con.execute("SELECT as_at_source FROM marts.run_info").fetchall() == [
        ("set for the run (--as-at)",)
    ]
    # the two enquiries of 20 and 21 February have not happened on 1 February
    assert quality(con, "not_yet_happened", "s47_enquiries") == 2
    assert quality(con, "not_yet_happened", "assessments") == 0  # started 11 January
    assert value(con, "s47_enquiries", "2024-01") == 1


def test_census_as_at_is_its_reference_date(tmp_path):
    plan = (
        "<CINdetails><CINreferralDate>2023-06-01</CINreferralDate>\n"
        "<ChildProtectionPlans><CPPstartDate>2023-07-01</CPPstartDate></ChildProtectionPlans>\n"
        "</CINdetails>\n"
    )
    census(tmp_path / "in" / "census.xml", "2024-03-31", child("C1", plan))
    con = build_warehouse(tmp_path / "in", tmp_path / "w.duckdb")
    as_at, source = con.execute("SELECT as_at, as_at_source FROM marts.run_info").fetchall()[0]
    assert (as_at, source) == (dt.date(2024, 3, 31), "the latest ReferenceDate of the census files")
    # the plan is open at the end of March, nine months after the last dated record
    assert value(con, "cp_plans_open", "2024-03") == 1
    findings = con.execute("SELECT rule FROM audit.reader_findings").fetchall()
    assert ("reference_date_not_31_march",) not in findings


def test_a_reference_date_other_than_31_march_is_a_finding(tmp_path):
    details = "<CINdetails><CINreferralDate>2023-06-01</CINreferralDate></CINdetails>\n"
    census(tmp_path / "in" / "census.xml", "2024-03-30", child("C1", details))
    con = build_warehouse(tmp_path / "in", tmp_path / "w.duckdb")
    assert con.execute("SELECT as_at FROM marts.run_info").fetchall() == [(dt.date(2024, 3, 30),)]
    assert con.execute(
        "SELECT line, \"column\" FROM audit.reader_findings WHERE rule = 'reference_date_not_31_march'"
    ).fetchall() == [(2, "ReferenceDate")]


# -- 2. every reader finding is counted where the analyst looks -----------------------------------


def fixture_folders(tmp_path: Path) -> list[Path]:
    """Each fixture file alone in a temporary folder, as a council would run it."""
    folders = []
    for path in sorted(FIXTURES.glob("*/*")):
        if path.suffix in (".xlsx", ".xml"):
            folder = tmp_path / path.stem
            folder.mkdir()
            shutil.copy(path, folder / path.name)  # a link leaving the folder is refused
            folders.append(folder)
    return folders


def odd_returns(tmp_path: Path) -> list[Path]:
    """Two hand-written returns with what the fixtures lack: a header no list knows, rows and
    a Child without a child id."""
    write_workbook(
        tmp_path / "odd_workbook" / "annex_a.xlsx",
        {
            "List 3": [
                [*REFERRALS, "Favourite colour"],
                ["C1", "2024-01-10", "No"],
                [None, "2024-01-11"],
            ]
        },
    )
    details = "<CINdetails><CINreferralDate>2023-06-01</CINreferralDate></CINdetails>\n"
    census(tmp_path / "odd_census" / "census.xml", "2024-03-31", child(None, details))
    return [tmp_path / "odd_workbook", tmp_path / "odd_census"]


@needs_shared
def test_every_fixture_builds_figures_and_counts_every_reader_finding(tmp_path):
    folders = fixture_folders(tmp_path)
    assert len(folders) == 8  # 3 workbooks, 5 census files: a fixture added later is covered
    folders += odd_returns(tmp_path)
    counted_rules = set()
    for folder in folders:
        con, kind = load_and_check(folder, tmp_path / f"{folder.name}.duckdb", cin_xsd_dir=XSD)
        build_data_quality(con, "run")  # before the as-at date: an empty return has none
        found = Counter(
            "reader_" + rule
            for (rule,) in con.execute("SELECT rule FROM audit.reader_findings").fetchall()
        )
        counted = dict(
            con.execute(
                "SELECT rule, sum(rows_failed) FROM marts.data_quality "
                "WHERE rule LIKE 'reader_%' GROUP BY rule"
            ).fetchall()
        )
        listed = Counter(
            rule
            for (rule,) in con.execute(
                "SELECT rule FROM marts.data_quality_rows WHERE rule LIKE 'reader_%'"
            ).fetchall()
        )
        assert counted == dict(found), folder.name
        assert listed == found, folder.name
        counted_rules |= set(found)
        # ... and the rest of the run: figures and a report, or one sentence for an empty return
        build_calendar(con)
        provenance = Provenance("run", None, kind, str(folder), "", "test", "test")
        try:
            build_run_info(con, provenance, None)
        except AsAtError as e:
            assert folder.name == "ofsted-template-2019_sample-2016-01", e
            assert str(e).startswith(f"{folder.name}.xlsx: no contact or referral with a date")
            continue
        build_marts(con)
        assert build_report(con, tmp_path / f"{folder.name}.html").metrics_shown, folder.name
    # the rules the issue found counted as 0 are among those checked
    assert {
        "reader_unmatched_header",
        "reader_code_from_label",
        "reader_unknown_code",
        "reader_schema",
        "reader_no_child_id",
        "reader_missing_child_id",
        "reader_before_collection_window",
    } <= counted_rules


# -- 3. a bad value is reported, never silently NULL or "no" ---------------------------------------


def bad_values(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "referrals.csv").write_text(
        "referral_id,child_id,referral_date,nfa\n"
        "R1,C1,2024-01-02,Y\n"
        "R2,C2,2024-01-03,wrong\n"
        "R3,C3,2024-01-04,\n"
        "R4,C4,2024-01-31,N\n"
    )
    (folder / "children.csv").write_text(
        "child_id,date_of_birth,ethnicity\nC1,31/02/2010,WBRI\nC2,2011-05-01,\n"
    )
    (folder / "s47_enquiries.csv").write_text(
        "s47_id,child_id,strategy_discussion_date,icpc_date\n"
        "S1,C1,2024-01-05,soon\n"
        "S2,C2,2024-01-06,2024-01-20\n"
    )
    return folder


def test_an_unreadable_optional_value_is_nulled_and_reported_the_row_kept(tmp_path):
    con = build_warehouse(bad_values(tmp_path / "in"), tmp_path / "w.duckdb")
    assert con.execute("SELECT referral_id, nfa, _nulled FROM staging.referrals").fetchall() == [
        ("R1", True, None),
        ("R2", None, ["nfa"]),
        ("R3", None, None),
        ("R4", False, None),
    ]
    # the child with an impossible birth date and the enquiry with an unreadable ICPC date stay
    assert con.execute("SELECT count(*) FROM staging.children").fetchall() == [(2,)]
    assert con.execute("SELECT count(*) FROM quarantine.s47_enquiries").fetchall() == [(0,)]
    assert value(con, "s47_enquiries", "2024-01") == 2
    rows = con.execute(
        "SELECT stem, column_name, line, detail FROM marts.data_quality_rows "
        "WHERE kind = 'typing' ORDER BY stem"
    ).fetchall()
    assert rows == [
        ("children", "date_of_birth", 2, "column 'date_of_birth' could not be read: set to "
         "NULL, the row kept"),
        ("referrals", "nfa", 3, "column 'nfa' could not be read: set to NULL, the row kept"),
        ("s47_enquiries", "icpc_date", 2, "column 'icpc_date' could not be read: set to NULL, "
         "the row kept"),
    ]  # fmt: skip
    assert quality(con, "not_yes_no", "referrals") == 1
    assert quality(con, "blank_flag", "referrals") == 1  # R3
    # anything but a yes is "not NFA": 1 of 4 referrals, and the report says how many were not read
    assert value(con, "referral_nfa_pct", "2024-01", "numerator") == 1
    assert value(con, "referral_nfa_pct", "2024-01", "denominator") == 4
    build_report(con, tmp_path / "report.html")
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    # said once, on the data-quality page: 4 records, 1 blank, 1 unreadable, taken as not NFA
    assert '<th scope="row">NFA answer</th><td>4</td><td>1</td><td>1</td><td>not NFA</td>' in page


def test_an_unreadable_yes_no_in_a_workbook_names_its_sheet_row_and_header(tmp_path):
    write_workbook(
        tmp_path / "in" / "annex_a.xlsx",
        {"List 3": [REFERRALS, ["C1", "2024-01-10", "No"], ["C2", "2024-01-11", "perhaps"]]},
    )
    con = build_warehouse(tmp_path / "in", tmp_path / "w.duckdb")
    assert con.execute(
        "SELECT rule, line, detail FROM marts.data_quality_rows WHERE kind = 'typing'"
    ).fetchall() == [
        ("not_yes_no", 3, "column 'Referral NFA?' could not be read: set to NULL, the row kept")
    ]
    # reported once, by staging: the reader keeps it as written rather than raising its own
    assert quality(con, "reader_not_yes_no") is None


# -- 4. real-world variants ------------------------------------------------------------------------


def test_pivot_table_headers_are_matched(tmp_path):
    header = ["Child Unique ID", "Child Protection Plan Start Date", "Sum of Number of Previous "
              "Child Protection Plans"]  # fmt: skip
    plans = [[f"C{i}", f"2024-01-{10 + i}", n] for i, n in enumerate([0, 1, 0, 2, 0], 1)]
    write_workbook(tmp_path / "in" / "annex_a.xlsx", {"List 7": [header, *plans]})
    con = build_warehouse(tmp_path / "in", tmp_path / "w.duckdb")
    assert value(con, "cp_second_or_subsequent_pct", "2024-01", "numerator") == 2
    assert value(con, "cp_second_or_subsequent_pct", "2024-01", "denominator") == 5
    assert value(con, "cp_second_or_subsequent_pct", "2024-01") == 40.0


def test_overlapping_returns_count_each_record_once_the_later_copy_kept(tmp_path):
    folder = tmp_path / "in"
    write_workbook(
        folder / "january.xlsx", {"List 1": [CONTACTS, ["C1", "2024-01-05"], ["C2", "2024-01-06"]]}
    )
    write_workbook(
        folder / "february.xlsx", {"List 1": [CONTACTS, ["C2", "2024-01-06"], ["C3", "2024-02-02"]]}
    )
    con = build_warehouse(folder, tmp_path / "w.duckdb")
    assert value(con, "contacts", "2024-01") == 2  # C2 once, not twice
    assert value(con, "contacts", "2024-02") == 1
    assert con.execute(
        "SELECT parse_filename(file), sheet, line FROM audit.reader_findings "
        "WHERE rule = 'superseded_by_later_return'"
    ).fetchall() == [("january.xlsx", "List 1", 3)]
    assert con.execute(
        "SELECT parse_filename(_source_file) FROM staging.contacts WHERE child_id = 'C2'"
    ).fetchall() == [("february.xlsx",)]


def test_quarantine_reasons_name_the_workbooks_sheet_row_and_header(tmp_path):
    write_workbook(
        tmp_path / "in" / "annex_a.xlsx",
        {
            "List 3": [REFERRALS, ["C1", "2024-01-10", "No"], [None, "2024-01-11", "Yes"]],
            "List 5": [S47, ["C1", "2024-01-12"], ["C2", None]],
        },
    )
    con = build_warehouse(tmp_path / "in", tmp_path / "w.duckdb")
    assert con.execute("SELECT _reason FROM quarantine.referrals").fetchall() == [
        ("annex_a.xlsx [List 3] row 3, column 'Child Unique ID': required value is blank",)
    ]
    assert con.execute("SELECT _reason FROM quarantine.s47_enquiries").fetchall() == [
        (
            "annex_a.xlsx [List 5] row 3, column 'Strategy discussion initiating Section 47 "
            "Enquiry Start Date': required value is blank",
        )
    ]


def test_quarantine_reasons_name_the_census_line_and_element(tmp_path):
    details = "<CINdetails><CINreferralDate>2023-06-01</CINreferralDate></CINdetails>\n"
    census(
        tmp_path / "in" / "census.xml", "2024-03-31", child("C1", details) + child(None, details)
    )
    con = build_warehouse(tmp_path / "in", tmp_path / "w.duckdb")
    # the second child (line 7) has no LAchildID: its episode, on line 8, is set aside for it
    assert con.execute("SELECT _reason FROM quarantine.referrals").fetchall() == [
        ("census.xml line 8, element 'LAchildID': required value is blank",)
    ]


def test_census_records_ended_before_the_collection_window_are_findings(tmp_path):
    details = (
        "<CINdetails><CINreferralDate>1970-10-06</CINreferralDate>\n"
        "<CINclosureDate>1971-02-27</CINclosureDate>\n"
        "<Assessments><AssessmentActualStartDate>2023-03-01</AssessmentActualStartDate>\n"
        "<AssessmentAuthorisationDate>2023-03-31</AssessmentAuthorisationDate></Assessments>\n"
        "<ChildProtectionPlans><CPPstartDate>2023-05-01</CPPstartDate>\n"
        "<CPPendDate>2023-04-01</CPPendDate></ChildProtectionPlans>\n"
        "</CINdetails>\n"
    )
    census(tmp_path / "in" / "census.xml", "2024-03-31", child("C1", details))
    con = build_warehouse(tmp_path / "in", tmp_path / "w.duckdb")
    # window 1 April 2023 to 31 March 2024: the closure (1971) and the assessment (31 March 2023)
    # end before it; the plan's end (1 April 2023) is its first day
    assert con.execute(
        'SELECT line, "column" FROM audit.reader_findings '
        "WHERE rule = 'before_collection_window' ORDER BY line"
    ).fetchall() == [(6, "CINclosureDate"), (8, "AssessmentAuthorisationDate")]
    assert quality(con, "reader_before_collection_window") == 2


def test_an_empty_return_is_one_sentence_naming_the_file(tmp_path, capfd):
    headers_only = {"List 1": [CONTACTS], "List 3": [REFERRALS]}
    write_workbook(tmp_path / "in" / "empty_return.xlsx", headers_only)
    with pytest.raises(AsAtError, match=r"^empty_return\.xlsx: no contact or referral with a date"):
        build_warehouse(tmp_path / "in", tmp_path / "w.duckdb")
    # The command line, in this process: its exit code and all it writes to the console.
    code = frontdoor_run_here("--input", str(tmp_path / "in"), "--output", str(tmp_path / "out"))
    console = "".join(capfd.readouterr())
    assert code == 1
    assert "Traceback" not in console
    said = [line.strip() for line in console.splitlines() if "empty_return.xlsx" in line]
    assert said == [
        "empty_return.xlsx: no contact or referral with a date, so there are no figures to take "
        "(an empty return, or lists with headers but no rows?)"
    ]
    assert not (tmp_path / "out" / "report.html").exists()
