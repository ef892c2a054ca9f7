"""build_staging on tiny hand-made extracts: typing, quarantine rules and reasons, counts."""

import datetime as dt
from datetime import date, datetime

import duckdb
import pytest

from pipelines.contract import SQL_TYPES, extract
from pipelines.errors import ExtractError
from pipelines.sources.csv_extract import read_csv_extract
from pipelines.staging.build import StagingCounts, build_staging

QUARANTINE_EXTRA = ["_column", "_rule", "_value", "_reason"]


@pytest.fixture
def con():
    con = duckdb.connect()
    yield con
    con.close()


def stage(con, tmp_path, stem: str, text: str) -> StagingCounts:
    e = extract(stem)
    path = tmp_path / e.filename
    path.write_text(text, encoding="utf-8")
    return build_staging(con, e, read_csv_extract(path, e).frame)


def frame(con, sql: str):
    """A reader frame from SQL (as the Annex A and census readers build theirs)."""
    return con.sql(sql).pl()


def staged(con, stem: str, columns: str):
    return con.execute(f"SELECT {columns} FROM staging.{stem} ORDER BY _line").fetchall()


def quarantined(con, stem: str):
    return con.execute(
        f"SELECT _line, _column, _rule, _value FROM quarantine.{stem} ORDER BY _line"
    ).fetchall()


def reasons(con, stem: str):
    return [
        r[0]
        for r in con.execute(f"SELECT _reason FROM quarantine.{stem} ORDER BY _line").fetchall()
    ]


def test_uk_and_iso_dates_mixed(con, tmp_path):
    counts = stage(
        con,
        tmp_path,
        "referrals",
        "referral_id,child_id,referral_date,closure_date\n"
        "R1,C1,2012-04-01,\n"
        "R2,C1,01/04/2012,31/03/2013\n"
        "R3,C1,1/4/2012,2013-03-31\n"
        "R4,C1, 2012-4-1 ,\n",
    )
    assert counts == StagingCounts(raw=4, staged=4, quarantined=0)
    d1, d2 = date(2012, 4, 1), date(2013, 3, 31)
    assert staged(con, "referrals", "referral_id, referral_date, closure_date") == [
        ("R1", d1, None),
        ("R2", d1, d2),
        ("R3", d1, d2),
        ("R4", d1, None),
    ]


def test_datetimes_in_every_accepted_shape(con, tmp_path):
    stage(
        con,
        tmp_path,
        "contacts",
        "contact_id,child_id,contact_datetime\n"
        "K1,C1,2012-04-02T09:30\n"
        "K2,C1,2012-04-02 09:30:15\n"
        "K3,C1,02/04/2012 09:30\n"
        "K4,C1,02/04/2012 09:30:15\n"
        "K5,C1,2012-04-02\n"
        "K6,C1,02/04/2012\n"
        "K7,C1,2012-04-02 09:30:15.250\n",
    )
    assert [r[0] for r in staged(con, "contacts", "contact_datetime")] == [
        datetime(2012, 4, 2, 9, 30),
        datetime(2012, 4, 2, 9, 30, 15),
        datetime(2012, 4, 2, 9, 30),
        datetime(2012, 4, 2, 9, 30, 15),
        datetime(2012, 4, 2),  # a bare date is midnight
        datetime(2012, 4, 2),
        datetime(2012, 4, 2, 9, 30, 15, 250000),
    ]


def test_untypable_dates_quarantine_the_row_only_where_the_date_is_needed(con, tmp_path):
    counts = stage(
        con,
        tmp_path,
        "contacts",
        "contact_id,child_id,contact_datetime,decision_datetime\n"
        "K1,C1,2012-04-02 09:00,2012-04-02 10:00\n"
        "K2,C1,2012-04-02 09:00,31/02/2012\n"  # no 31 February
        "K3,C1,12/31/2012,\n"  # US month-first: 31 is not a month
        "K4,C1,02/04/12 09:00,\n"  # two-digit year
        "K5,C1,yesterday,\n"
        "K6,C1,2012-04-02 09:00:00+01,\n",  # an offset is not in the contract
    )
    # contact_datetime places the contact: without it the row cannot be used (quarantined); an
    # unreadable decision_datetime is set to NULL, the contact kept and the column named.
    assert counts == StagingCounts(raw=6, staged=2, quarantined=4)
    assert quarantined(con, "contacts") == [
        (4, "contact_datetime", "not_a_datetime", "12/31/2012"),
        (5, "contact_datetime", "not_a_datetime", "02/04/12 09:00"),
        (6, "contact_datetime", "not_a_datetime", "yesterday"),
        (7, "contact_datetime", "not_a_datetime", "2012-04-02 09:00:00+01"),
    ]
    assert reasons(con, "contacts")[0] == (
        "contacts.csv line 4, column 'contact_datetime': not a date-time "
        "(expected YYYY-MM-DD HH:MM[:SS], YYYY-MM-DDTHH:MM[:SS] or DD/MM/YYYY HH:MM[:SS])"
    )
    assert staged(con, "contacts", "contact_id, decision_datetime, _nulled") == [
        ("K1", dt.datetime(2012, 4, 2, 10, 0), None),
        ("K2", None, ["decision_datetime"]),
    ]


def test_untypable_date_reason(con, tmp_path):
    stage(
        con,
        tmp_path,
        "referrals",
        "referral_id,child_id,referral_date\nR1,C1,2012-04-01\nR2,C1,2012-02-30\n",
    )
    assert reasons(con, "referrals") == [
        "referrals.csv line 3, column 'referral_date': not a date "
        "(expected YYYY-MM-DD or DD/MM/YYYY)"
    ]


def test_required_blank_and_the_first_failing_rule_wins(con, tmp_path):
    counts = stage(
        con,
        tmp_path,
        "referrals",
        "referral_id,child_id,referral_date,closure_date\n"
        "R1,   ,2012-04-01,\n"  # whitespace only is blank
        "R2,,31/02/2012,\n"  # child_id comes before referral_date in the contract
        "R3,C3,,not a date\n",
    )
    assert counts == StagingCounts(raw=3, staged=0, quarantined=3)
    assert quarantined(con, "referrals") == [
        (2, "child_id", "required", "   "),
        (3, "child_id", "required", None),
        (4, "referral_date", "required", None),
    ]
    assert reasons(con, "referrals")[1] == (
        "referrals.csv line 3, column 'child_id': required value is blank"
    )


def test_duplicate_id_keeps_the_first_copy(con, tmp_path):
    counts = stage(
        con,
        tmp_path,
        "referrals",
        "referral_id,child_id,referral_date\n"
        "R1,C1,2012-04-01\n"
        "R2,C2,2012-04-01\n"
        " R1,C3,2012-04-02\n"  # the same id once trimmed
        "R1,C4,2012-04-03\n",
    )
    assert counts == StagingCounts(raw=4, staged=2, quarantined=2)
    assert staged(con, "referrals", "referral_id, child_id, _line") == [
        ("R1", "C1", 2),
        ("R2", "C2", 3),
    ]
    assert quarantined(con, "referrals") == [
        (4, "referral_id", "duplicate_id", " R1"),
        (5, "referral_id", "duplicate_id", "R1"),
    ]
    assert reasons(con, "referrals")[1] == (
        "referrals.csv line 5, column 'referral_id': repeats the referral_id first seen "
        "on line 2; the first copy is kept"
    )


def test_a_broken_first_copy_does_not_push_out_a_good_one(con, tmp_path):
    stage(
        con,
        tmp_path,
        "referrals",
        "referral_id,child_id,referral_date\nR1,C1,31/02/2012\nR1,C1,2012-04-01\nR1,C1,2012-04-02\n",
    )
    assert staged(con, "referrals", "referral_id, referral_date") == [("R1", date(2012, 4, 1))]
    assert [r[2] for r in quarantined(con, "referrals")] == ["not_a_date", "duplicate_id"]


def test_codes_and_yes_no(con, tmp_path):
    counts = stage(
        con,
        tmp_path,
        "assessments",
        "assessment_id,child_id,assessment_type,start_date,child_seen,child_seen_alone\n"
        "A1,C1,single,2014-01-06,Y,n\n"
        "A2,C1, Core ,2014-01-06,yes,No\n"
        "A3,C1,FULL,2014-01-06,1,0\n"  # unknown required code
        "A4,C1,INITIAL,2014-01-06,TRUE,false\n"
        "A5,C1,INITIAL,2014-01-06,maybe,\n",
    )
    assert counts == StagingCounts(raw=5, staged=4, quarantined=1)
    assert staged(
        con, "assessments", "assessment_id, assessment_type, child_seen, child_seen_alone"
    ) == [
        ("A1", "SINGLE", True, False),
        ("A2", "CORE", True, False),
        ("A4", "INITIAL", True, False),
        ("A5", "INITIAL", None, None),  # odd yes/no values are NULL, kept for validation
    ]
    assert quarantined(con, "assessments") == [(4, "assessment_type", "unknown_code", "FULL")]
    assert reasons(con, "assessments") == [
        "assessments.csv line 4, column 'assessment_type': not one of the codes "
        "INITIAL, CORE, SINGLE"
    ]


def test_unknown_optional_codes_are_kept_upper_cased(con, tmp_path):
    counts = stage(
        con,
        tmp_path,
        "contacts",
        "contact_id,child_id,contact_datetime,source,outcome\n"
        "K1,C1,2012-04-02,1a,nfa\n"
        "K2,C1,2012-04-02,ZZ,weird\n",
    )
    assert counts.quarantined == 0
    assert staged(con, "contacts", "source, outcome") == [("1A", "NFA"), ("ZZ", "WEIRD")]


def test_required_and_optional_integers(con, tmp_path):
    counts = stage(
        con,
        tmp_path,
        "population",
        'year,children_0_17\n2012,60000\n2013.0, 61000 \n2014,"61,500"\nabc,1\n2015,61.5\n',
    )
    assert counts == StagingCounts(raw=5, staged=2, quarantined=3)
    assert staged(con, "population", "year, children_0_17") == [(2012, 60000), (2013, 61000)]
    assert quarantined(con, "population") == [
        (4, "children_0_17", "not_an_integer", "61,500"),
        (5, "year", "not_an_integer", "abc"),
        (6, "children_0_17", "not_an_integer", "61.5"),
    ]
    # number_of_previous_plans is optional: not a number -> NULL, the row kept and the column
    # named in _nulled (the data-quality step reports it); blank is simply NULL
    stage(
        con,
        tmp_path,
        "cp_plans",
        "plan_id,child_id,start_date,number_of_previous_plans\n"
        "P1,C1,2012-05-01,2\nP2,C1,2012-05-01,two\nP3,C1,2012-05-01,\n",
    )
    assert staged(con, "cp_plans", "plan_id, number_of_previous_plans, _nulled") == [
        ("P1", 2, None),
        ("P2", None, ["number_of_previous_plans"]),
        ("P3", None, None),
    ]


def test_ids_trimmed_with_leading_zeros_kept(con, tmp_path):
    stage(con, tmp_path, "children", "child_id,religion\n 007 ,\t Church \n0070,\n")
    assert staged(con, "children", "child_id, religion") == [("007", "Church"), ("0070", None)]


def test_staging_and_quarantine_shapes_and_comments(con, tmp_path):
    e = extract("contacts")
    stage(
        con,
        tmp_path,
        "contacts",
        "Notes,contact_id,child_id,contact_datetime\nhello,K1,C1,2012-04-02\nbye,K1,C1,2012-04-02\n",
    )
    described = con.execute("DESCRIBE staging.contacts").fetchall()
    assert [(r[0], r[1]) for r in described] == [
        *[(c.name, SQL_TYPES[c.kind]) for c in e.columns],
        ("_source_file", "VARCHAR"),
        ("_line", "BIGINT"),
        ("_nulled", "VARCHAR[]"),
    ]
    read_columns = read_csv_extract(tmp_path / "contacts.csv", e).frame.columns
    quarantine_columns = [r[0] for r in con.execute("DESCRIBE quarantine.contacts").fetchall()]
    assert quarantine_columns == read_columns + QUARANTINE_EXTRA
    assert con.execute("SELECT notes FROM quarantine.contacts").fetchall() == [("bye",)]
    comments = dict(
        con.execute(
            "SELECT column_name, comment FROM duckdb_columns() "
            "WHERE schema_name = 'staging' AND table_name = 'contacts'"
        ).fetchall()
    )
    assert comments["contact_datetime"].startswith("when the contact was received")
    assert all(comments.values())


def test_a_frame_built_by_another_reader_may_lack_optional_columns(con):
    read = frame(
        con,
        "SELECT * FROM (VALUES "
        "('P1', '01/06/2012', 'annex_a.xlsx', 5::BIGINT), "
        "('P1', '2012-06-31', 'annex_a.xlsx', 6::BIGINT)) "
        "AS t(plan_id, visit_date, _source_file, _line)",
    )
    counts = build_staging(con, extract("cp_visits"), read)
    assert counts == StagingCounts(raw=2, staged=1, quarantined=1)
    assert staged(con, "cp_visits", "plan_id, visit_date, seen_alone") == [
        ("P1", date(2012, 6, 1), None)
    ]
    assert reasons(con, "cp_visits") == [
        "annex_a.xlsx line 6, column 'visit_date': not a date (expected YYYY-MM-DD or DD/MM/YYYY)"
    ]


def test_a_key_repeated_in_another_file_of_the_same_frame(con):
    # a reader may read several files into one frame: the key is unique across them all
    read = frame(
        con,
        "SELECT * FROM (VALUES "
        "('P1', 'C1', '2012-05-01', 'census_2013.xml', 40::BIGINT), "
        "('P2', 'C2', '2012-05-01', 'census_2013.xml', 90::BIGINT), "
        "('P1', 'C1', '2012-05-01', 'census_2014.xml', 12::BIGINT)) "
        "AS t(plan_id, child_id, start_date, _source_file, _line)",
    )
    assert build_staging(con, extract("cp_plans"), read) == StagingCounts(3, 2, 1)
    assert staged(con, "cp_plans", "plan_id, _source_file") == [
        ("P1", "census_2013.xml"),
        ("P2", "census_2013.xml"),
    ]
    assert reasons(con, "cp_plans") == [
        "census_2014.xml line 12, column 'plan_id': repeats the plan_id first seen on "
        "census_2013.xml line 40; the first copy is kept"
    ]


def test_a_frame_lacking_a_required_column(con):
    read = frame(con, "SELECT 'P1' AS plan_id, 'f' AS _source_file, 2 AS _line")
    with pytest.raises(ExtractError) as err:
        build_staging(con, extract("cp_reviews"), read)
    assert err.value.column == "review_date"
    no_lineage = frame(con, "SELECT 'P1' AS plan_id, '2012-01-01' AS review_date")
    with pytest.raises(ExtractError) as err:
        build_staging(con, extract("cp_reviews"), no_lineage)
    assert err.value.column == "_source_file"


def test_rows_read_equal_staged_plus_quarantined_on_a_mixed_file(con, tmp_path):
    lines = ["contact_id,child_id,contact_datetime,decision_datetime,out_of_hours"]
    for i in range(300):
        when = ["2012-04-02 09:00", "02/04/2012", "31/02/2012", "", "2012-13-01"][i % 5]
        key = f"K{i % 250}"  # 50 repeated keys
        child = "" if i % 7 == 0 else f"C{i}"
        lines.append(f"{key},{child},{when},{when},{'YN?'[i % 3]}")
    counts = stage(con, tmp_path, "contacts", "\n".join(lines) + "\n")
    assert counts.raw == 300
    assert counts.raw == counts.staged + counts.quarantined
    # every row is in exactly one of the two, by line
    lines_out = con.execute(
        "SELECT _line FROM staging.contacts UNION ALL SELECT _line FROM quarantine.contacts "
        "ORDER BY 1"
    ).fetchall()
    assert [r[0] for r in lines_out] == list(range(2, 302))
    # staged keys are unique
    assert con.execute(
        "SELECT count(*) = count(DISTINCT contact_id) FROM staging.contacts"
    ).fetchall() == [(True,)]


def test_validation_doc_says_which_fields_quarantine_and_which_are_nulled():
    """docs/validation.md's table is the contract's: required fields quarantine, optional typed
    fields are set to NULL."""
    from pathlib import Path

    from pipelines.contract import EXTRACTS

    doc = (Path(__file__).resolve().parents[1] / "docs" / "validation.md").read_text()
    for e in EXTRACTS:
        required = ", ".join(f"`{c.name}`" for c in e.columns if c.required)
        nulled = ", ".join(
            f"`{c.name}`"
            for c in e.columns
            if not c.required and c.kind in ("date", "datetime", "int", "yn")
        )
        assert f"| {e.stem} | {required} | {nulled or '—'} |" in doc, e.stem
