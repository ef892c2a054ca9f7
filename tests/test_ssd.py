"""The SSD door: known answers for the mapping's hard cases, from a hand-made export written the
way SQL Server and Excel write one (BOM, CRLF, NULL, .fff datetimes, doubled quotes, DD/MM/YYYY,
a Windows-1252 byte), and one real run on an export from the generator.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.generate import simulate
from pipelines.generate.ssd_writer import write_ssd
from pipelines.marts.metrics import METRICS, unsupported
from pipelines.sources.detect import detect_format, files_of, survey
from pipelines.sources.ssd import read_ssd
from pipelines.sources.ssd.parse import outcome_code, read_date, read_flag, read_outcome
from pipelines.sources.ssd.spec import load
from tests.conftest import load_and_check, run_pipeline

BOM = "\ufeff"


def _table(folder: Path, name: str, lines: list[str], encoding: str = "utf-8") -> None:
    """A CSV as SSMS saves it: a BOM (UTF-8; none after Excel's Windows-1252), CRLF line ends."""
    bom = BOM if encoding == "utf-8" else ""
    (folder / f"{name}.csv").write_bytes((bom + "\r\n".join(lines) + "\r\n").encode(encoding))


@pytest.fixture
def export(tmp_path: Path) -> Path:
    folder = tmp_path / "ssd"
    folder.mkdir()
    _table(folder, "ssd_department", ["dept_team_id,dept_team_name", "17,Front Door", "18,CP Team"])
    _table(
        folder,
        "ssd_person",
        [
            "pers_person_id,pers_sex,pers_ethnicity,pers_dob,pers_expected_dob",
            "C1,M,WBRI,2010-05-01 00:00:00.000,NULL",
            "C2,Female,NULL,1900-01-01 00:00:00.000,NULL",
            "C3,F,ABAN,13/02/2012,NULL",
        ],
    )
    _table(
        folder,
        "ssd_contacts",
        [
            "cont_contact_id,cont_person_id,cont_contact_date,cont_contact_source_code,"
            "cont_contact_outcome_json",
            # valid SystemC JSON: a new referral
            'K1,C1,2013-04-02 09:15:30.123,1A,"{""NEW_REFERRAL_FLAG"": ""Y"", ""NFA_FLAG"": ""N"", '
            '""NUMBER_OF_OUTCOMES"": 1, ""COMMENTS"": """"}"',
            # invalid: an unescaped quote in the comment; its flags still read (NFA)
            'K2,C2,2013-04-03 10:00:00.000,9,"{""NEW_REFERRAL_FLAG"": ""N"", ""NFA_FLAG"": ""YES"", '
            '""COMMENTS"": ""mum said ""no"" twice""}"',
            # Mosaic: comma-separated next actions, the first that means something wins
            'K3,C3,04/04/2013 11:30,5A,"Information and Advice, Close Contact"',
            # neither JSON nor text: unreadable
            'K4,C1,2013-04-05 08:00:00.000,1A,"{broken"',
            # a date that cannot be read: staging quarantines the row, naming the SSD column
            "K5,C1,2013-13-45 08:00:00.000,1A,NULL",
            # all flags blank: no outcome recorded yet
            'K6,C3,2013-04-06 08:00:00.000,1A,"{""NEW_REFERRAL_FLAG"": """", ""NFA_FLAG"": """"}"',
        ],
    )
    _table(
        folder,
        "ssd_cin_episodes",
        [
            "cine_referral_id,cine_person_id,cine_referral_date,cine_cin_primary_need_code,"
            "cine_referral_source_code,cine_referral_nfa,cine_close_reason,cine_close_date,"
            "cine_referral_team",
            "R1,C1,2013-04-02 00:00:00.000,N1,1A,N,NULL,NULL,17",
            "R2,C2,2013-04-03 00:00:00.000,N0,9,Y,RC8,2013-04-03 00:00:00.000,99",
            "R3,C3,05/04/2013,N2,5A,NA,NULL,NULL,18",
        ],
    )
    _table(
        folder,
        "ssd_cin_assessments",
        [
            "cina_assessment_id,cina_person_id,cina_referral_id,cina_assessment_start_date,"
            "cina_assessment_child_seen,cina_assessment_auth_date,cina_assessment_outcome_nfa,"
            "cina_assessment_team,cina_assessment_worker_id",
            "A1,C1,R1,2013-04-03 00:00:00.000,Y,2013-05-01 00:00:00.000,N,17,W1",
            "A2,C3,R3,2013-04-06 00:00:00.000,N,1900-01-01 00:00:00.000,NULL,18,W2",
        ],
    )
    _table(
        folder,
        "ssd_s47_enquiry",
        [
            "s47e_s47_enquiry_id,s47e_referral_id,s47e_person_id,s47e_s47_start_date,"
            "s47e_s47_end_date,s47e_s47_outcome_json,s47e_s47_completed_by_team",
            'S1,R1,C1,2013-04-10 00:00:00.000,2013-04-20 00:00:00.000,"{""CP_CONFERENCE_FLAG"": ""Y""}",18',
            'S2,R3,C3,2013-04-11 00:00:00.000,NULL,"{""CP_CONFERENCE_FLAG"": """"}",18',
            'S3,R3,C3,2013-05-11 00:00:00.000,2013-05-20 00:00:00.000,"{""CP_CONFERENCE_FLAG"": ""N""}",18',
        ],
    )
    _table(
        folder,
        "ssd_initial_cp_conference",
        [
            "icpc_icpc_id,icpc_s47_enquiry_id,icpc_icpc_transfer_in,icpc_icpc_date,"
            "icpc_icpc_outcome_cp_flag",
            # S1: a planned conference first listed, then the held one
            "I1,S1,N,NULL,NULL",
            "I2,S1,N,2013-04-25 00:00:00.000,Y",
            # S2: planned only (no date): needed, not yet held
            "I3,S2,NULL,NULL,NULL",
            # no such enquiry
            "I4,S9,N,2013-06-01 00:00:00.000,N",
        ],
    )
    _table(
        folder,
        "ssd_cp_plans",
        [
            "cppl_cp_plan_id,cppl_referral_id,cppl_person_id,cppl_cp_plan_start_date,"
            "cppl_cp_plan_end_date,cppl_cp_plan_initial_category,cppl_cp_plan_latest_category",
            "P1,R1,C1,2013-04-25 00:00:00.000,NULL,Neglect,Multiple/not recommended",
            "P2,R3,C3,2013-06-01 00:00:00.000,NULL,PHY,Cruelty",
        ],
    )
    _table(
        folder,
        "ssd_cp_reviews",
        [
            "cppr_cp_review_id,cppr_person_id,cppr_cp_plan_id,cppr_cp_review_due,"
            "cppr_cp_review_date,cppr_cp_review_participation",
            "V1,C1,P1,2013-07-25 00:00:00.000,2013-07-20 00:00:00.000,NULL",
            "V2,C1,P1,2014-01-20 00:00:00.000,NULL,NULL",  # scheduled, not held
            "V3,C3,P2,2013-09-01 00:00:00.000,2013-08-30 00:00:00.000,NULL",
        ],
    )
    _table(
        folder,
        "ssd_cp_visits",
        [
            "cppv_cp_visit_id,cppv_person_id,cppv_cp_plan_id,cppv_cp_visit_date,"
            "cppv_cp_visit_seen_alone",
            "X1,C1,P1,01/05/2013,Y",
            "X2,C3,P2,02/06/2013,Nope",
        ],
    )
    _table(
        folder,
        "ssd_professionals",
        [
            "prof_professional_id,prof_social_worker_registration_no,prof_agency_worker_flag,"
            "prof_professional_department",
            "W1,SW123456,NULL,17",
            "W2,NULL,NULL,18",
        ],
    )
    _table(
        folder,
        "ssd_involvements",
        [
            "invo_involvements_id,invo_professional_id,invo_professional_role_id,"
            "invo_professional_team,invo_person_id,invo_involvement_start_date,"
            "invo_involvement_end_date,invo_referral_id",
            "N1,W1,Allocated Case Worker,17,C1,2013-04-04 00:00:00.000,NULL,R1",
            "N2,W2,Team Manager,18,C1,2013-04-04 00:00:00.000,NULL,R1",
        ],
    )
    # a Windows-1252 byte (an Excel save): the episode's end reason "Outcomes met" as written
    _table(
        folder,
        "ssd_early_help_episodes",
        [
            "earl_episode_id,earl_person_id,earl_episode_start_date,earl_episode_end_date,"
            "earl_episode_end_reason",
            "E1,C2,2013-05-01 00:00:00.000,2013-06-01 00:00:00.000,Outcomes  met",
            "E2,NULL,2013-05-02 00:00:00.000,NULL,Caf\xe9 closed",
        ],
        encoding="cp1252",
    )
    _table(folder, "ssd_address", ["addr_table_id,addr_person_id", "1,C1"])
    return folder


def test_detected_by_its_tables_and_headers(export: Path) -> None:
    assert detect_format(export) == "ssd"
    why = {s.file.name: (s.kind, s.why) for s in survey(export)}
    assert why["ssd_address.csv"] == (None, "an SSD table frontdoor does not read: not used")
    assert why["ssd_contacts.csv"][0] == "ssd"
    # a table without a column it cannot go without is not used, and says which
    _table(export, "ssd_cp_visits", ["cppv_cp_visit_id,cppv_cp_plan_id", "X1,P1"])
    kind, message = {s.file.name: (s.kind, s.why) for s in survey(export)}["ssd_cp_visits.csv"]
    assert kind is None and message.endswith("header lacks cppv_cp_visit_date: not used")


def test_values_as_sql_server_and_excel_write_them() -> None:
    assert read_date("2013-04-02 09:15:30.123", keep_time=True) == ("2013-04-02T09:15:30", False)
    assert read_date("2013-04-02 00:00:00.000") == ("2013-04-02", False)
    assert read_date("04/04/2013 11:30", keep_time=True) == ("2013-04-04T11:30:00", False)
    assert read_date("1900-01-01 00:00:00.000") == (None, True)
    assert read_date("2013-13-45 08:00:00.000") == ("2013-13-45 08:00:00.000", False)
    assert [read_flag(v) for v in ("Y", "yes", "NO", "n", "NA", "N/A", "1", "Nope")] == [
        "Y", "Y", "N", "N", None, None, "Y", "Nope",
    ]  # fmt: skip
    assert read_outcome('{"A": "Y", "COMMENTS": "say "hi""}').problem == "repaired"
    assert read_outcome('{"A": "Y", "COMMENTS": "say "hi""}').flags == {"A": "Y"}
    assert read_outcome("{broken").problem == "unreadable"
    assert read_outcome("Referral, NFA").items == ("Referral", "NFA")
    # Mosaic's next actions: the first rule with a word in any item wins; other text is OTHER
    rules = load().outcomes["contact"]
    mosaic = {
        "Referral to Children's Social Care, Strategy Discussion": "REFERRAL",
        "Early Help Assessment, Information and Advice": "EARLY_HELP",
        "No Further Action": "NFA",
        "Information and Advice": "INFO_ADVICE",
        "Private Fostering Assessment": "OTHER",
    }
    for text, code in mosaic.items():
        assert outcome_code(read_outcome(text), rules) == code, text
    # hand-built JSON: keys differ by table (NUMBER_OF_OUTCOMES, TOTAL_NO_OF_OUTCOMES); flags rule
    systemc = '{"NFA_FLAG": "N", "ADVICE_FLAG": "Y", "TOTAL_NO_OF_OUTCOMES": 1, "COMMENTS": ""}'
    assert outcome_code(read_outcome(systemc), rules) == "INFO_ADVICE"


def test_mapping_known_answers(export: Path) -> None:
    read = read_ssd(files_of(export, "ssd"))
    frames = {stem: frame.drop("_source_file") for stem, frame in read.frames.items()}

    children = frames["children"].select("child_id", "sex", "ethnicity", "date_of_birth")
    assert children.rows() == [
        ("C1", "M", "WBRI", "2010-05-01"),
        ("C2", "F", None, None),  # 1900-01-01 is no birth date
        ("C3", "F", "ABAN", "2012-02-13"),  # DD/MM/YYYY after Excel
    ]
    contacts = frames["contacts"].select("contact_id", "contact_datetime", "outcome", "_line")
    assert contacts.rows() == [
        ("K1", "2013-04-02T09:15:30", "REFERRAL", 2),
        ("K2", "2013-04-03T10:00:00", "NFA", 3),  # invalid JSON, flags read
        ("K3", "2013-04-04T11:30:00", "INFO_ADVICE", 4),  # Mosaic's text
        ("K4", "2013-04-05T08:00:00", None, 5),  # unreadable: blank, and a finding
        ("K5", "2013-13-45 08:00:00.000", None, 6),  # left as written for staging
        ("K6", "2013-04-06T08:00:00", None, 7),  # no flag set: undecided
    ]
    referrals = frames["referrals"].select("referral_id", "nfa", "team", "referral_date")
    assert referrals.rows() == [
        ("R1", "N", "Front Door", "2013-04-02"),
        ("R2", "Y", "99", "2013-04-03"),  # an id ssd_department does not have: kept
        ("R3", None, "CP Team", "2013-04-05"),  # NA is not applicable: blank
    ]
    assessments = frames["assessments"].select(
        "assessment_id", "assessment_type", "completed_date", "child_seen", "further_action"
    )
    assert assessments.rows() == [
        ("A1", "SINGLE", "2013-05-01", "Y", "Y"),
        ("A2", "SINGLE", None, "N", None),  # 1900-01-01: not yet authorised
    ]
    s47 = frames["s47_enquiries"].select(
        "s47_id", "icpc_date", "icpc_not_required", "icpc_transfer_in", "icpc_resulted_in_plan",
        "team",
    )  # fmt: skip
    assert s47.rows() == [
        ("S1", "2013-04-25", "N", "N", "Y", "CP Team"),  # the held one, not the planned one
        ("S2", None, "N", None, None, "CP Team"),  # planned: needed, not held
        ("S3", None, "Y", None, None, "CP Team"),  # concluded: no conference needed
    ]
    plans = frames["cp_plans"].select("plan_id", "initial_category", "latest_category")
    assert plans.rows() == [("P1", "NEG", "MUL"), ("P2", "PHY", "Cruelty")]
    assert frames["cp_reviews"].select("plan_id", "review_date").rows() == [
        ("P1", "2013-07-20"),
        ("P2", "2013-08-30"),
    ]  # the scheduled review is no review
    assert frames["cp_visits"].select("visit_date", "seen_alone").rows() == [
        ("2013-05-01", "Y"),
        ("2013-06-02", "Nope"),  # for staging to report as not yes/no
    ]
    assert frames["allocations"].select("allocation_id", "worker_id", "team").rows() == [
        ("N1", "W1", "Front Door")
    ]
    assert frames["workers"].select("worker_id", "qualified_social_worker", "team").rows() == [
        ("W1", "Y", "Front Door"),
        ("W2", "N", "CP Team"),
    ]
    assert frames["early_help"].select("episode_id", "child_id", "end_reason").rows() == [
        ("E1", "C2", "OUTCOMES_MET"),
        ("E2", None, "Café closed"),
    ]

    found = {(f.file, f.rule, f.line, f.column): f.message for f in read.findings}
    assert ("ssd_contacts.csv", "outcome_json_invalid", 3, "cont_contact_outcome_json") in found
    assert ("ssd_contacts.csv", "outcome_unreadable", 5, "cont_contact_outcome_json") in found
    assert ("ssd_cp_plans.csv", "unknown_code", 3, "cppl_cp_plan_latest_category") in found
    assert found[("ssd_person.csv", "placeholder_date", None, "pers_dob")].startswith("1 dates")
    assert found[("ssd_cp_reviews.csv", "scheduled_not_held", None, "cppr_cp_review_date")] == (
        "1 rows with no cppr_cp_review_date (scheduled, not yet held): not loaded"
    )
    assert found[
        ("ssd_initial_cp_conference.csv", "planned_not_held", None, "icpc_icpc_date")
    ].startswith("1 enquiries")
    assert found[("ssd_initial_cp_conference.csv", "no_enquiry", None, "icpc_s47_enquiry_id")]
    assert found[
        ("ssd_involvements.csv", "not_allocated_worker", None, "invo_professional_role_id")
    ].startswith("1 involvements")
    # all-NULL columns: the council does not have them; the metrics they alone feed are withheld
    empty = {(f.file, f.column) for f in read.findings if f.rule == "empty_column"}
    assert empty == {
        ("ssd_professionals.csv", "prof_agency_worker_flag"),
        ("ssd_cp_reviews.csv", "cppr_cp_review_participation"),
        ("ssd_person.csv", "pers_expected_dob"),
        ("ssd_involvements.csv", "invo_involvement_end_date"),
        ("ssd_cp_plans.csv", "cppl_cp_plan_end_date"),
    }
    missing = {(f.file, f.column) for f in read.findings if f.rule == "missing_column"}
    assert ("ssd_cp_visits.csv", "cppv_cp_visit_seen_alone") not in missing
    assert ("ssd_cin_assessments.csv", "cina_assessment_outcome_nfa") not in missing
    assert read.withheld == {}  # neither empty column is the only source of a metric
    assert set(read.readings) == {
        "single_assessment",
        "swe_registered_is_qualified",
        "allocated_worker_involvements",
    }


def test_an_all_null_column_withholds_what_it_feeds(export: Path) -> None:
    _table(
        export,
        "ssd_cp_visits",
        [
            "cppv_cp_visit_id,cppv_cp_plan_id,cppv_cp_visit_date,cppv_cp_visit_seen_alone",
            "X1,P1,01/05/2013,NULL",
            "X2,P2,02/06/2013,NULL",
        ],
    )
    read = read_ssd(files_of(export, "ssd"))
    assert read.withheld == {
        "cp_seen_alone_pct": "ssd_cp_visits.cppv_cp_visit_seen_alone is NULL in every row"
    }


def test_staging_names_the_ssd_file_line_and_column(export: Path, tmp_path: Path) -> None:
    con, kind = load_and_check(export, tmp_path / "w.duckdb")
    try:
        assert kind == "ssd"
        rows = con.execute(
            "SELECT contact_id, _line, _source_file, _reason FROM quarantine.contacts"
        ).fetchall()
        assert [(r[0], r[1], Path(r[2]).name) for r in rows] == [("K5", 6, "ssd_contacts.csv")]
        assert "cont_contact_date" in rows[0][3]
        staged = con.execute("SELECT count(*) FROM staging.contacts").fetchone()[0]
        assert staged == 5  # 6 read = 5 staged + 1 quarantined
    finally:
        con.close()


def test_unsupported_for_the_ssd() -> None:
    gone = unsupported("ssd")
    assert {"contact_decision_1wd_pct", "religion_recorded_pct", "agency_social_worker_pct"} <= gone
    assert {"cp_seen_alone_pct", "allocated_within_5wd_pct", "contacts"} <= METRICS - gone


AS_AT = dt.date(2014, 3, 31)


def test_a_run_on_a_generated_export(tmp_path: Path) -> None:
    frames = simulate(400, 11)
    folder = tmp_path / "ssd"
    write_ssd(frames, folder, AS_AT)
    # SystemC leaves seen-alone NULL for every visit: the council does not have it
    visits = pl.read_csv(folder / "ssd_cp_visits.csv", infer_schema=False)
    visits.with_columns(cppv_cp_visit_seen_alone=pl.lit("NULL")).write_csv(
        folder / "ssd_cp_visits.csv"
    )
    frames["population"].write_csv(folder / "population.csv")
    run = run_pipeline(folder, tmp_path / "out", AS_AT)
    con = duckdb.connect(str(run.warehouse), read_only=True)
    try:
        written = {
            r[0]
            for r in con.execute("SELECT DISTINCT metric_id FROM marts.metric_values").fetchall()
        }
        assert not written & unsupported("ssd")
        assert "cp_seen_alone_pct" not in written  # the empty column's metric
        assert {"contacts", "referrals", "single_assessment_timely_pct", "cp_plans_open"} <= written
        (fmt, readings) = con.execute(
            "SELECT input_format, readings FROM marts.run_info"
        ).fetchone()
        assert fmt == "ssd"
        assert "single_assessment: every SSD assessment" in readings
        assert "swe_registered_is_qualified" in readings
        empty = con.execute(
            "SELECT count(*) FROM audit.reader_findings WHERE rule = 'empty_column' "
            "AND \"column\" = 'cppv_cp_visit_seen_alone'"
        ).fetchone()[0]
        assert empty == 1
        # the data-quality page's rule, by column
        quality = con.execute(
            "SELECT file FROM marts.data_quality WHERE rule = 'reader_empty_column' "
            "AND column_name = 'cppv_cp_visit_seen_alone'"
        ).fetchall()
        assert quality == [("ssd_cp_visits.csv",)]
    finally:
        con.close()
    # the report says which readings its figures rest on, and names the empty column
    html = run.report.read_text()
    assert "Readings of the input (docs/formats.md): allocated_worker_involvements:" in html
    assert "SSD columns NULL in every row" in html and "cppv_cp_visit_seen_alone" in html
