"""pipelines.marts.build_marts: as_at, periods, file skipping, metric_values shape and comments."""

from __future__ import annotations

import datetime as dt

from conftest import build, load

from pipelines.marts import METRIC_VALUES_COLUMNS, build_marts, requirements


def _minimal(con, contacts=(), referrals=()):
    load(con, "contacts", list(contacts))
    load(con, "referrals", list(referrals))
    load(con, "assessments", [])


def test_requirements_read_from_leading_comments():
    sql = "-- requires: staging.a, staging.b\n-- requires: ref.c\n-- why\nSELECT 1;\n-- requires: x"
    assert requirements(sql) == ["staging.a", "staging.b", "ref.c"]


def test_as_at_defaults_to_latest_contact_or_referral(con):
    # Latest contact 2012-05-03 (a time of day), latest referral 2012-05-02 -> 2012-05-03.
    _minimal(
        con,
        contacts=[dict(contact_id="c", child_id="k", contact_datetime="2012-05-03 23:59")],
        referrals=[dict(referral_id="r", child_id="k", referral_date="2012-05-02")],
    )
    result = build_marts(con)
    assert result.as_at == dt.date(2012, 5, 3)
    assert con.execute("SELECT * FROM marts.run_info").fetchall() == [
        (dt.date(2012, 5, 3), dt.date(2012, 5, 2))
    ]


def test_periods_months_and_financial_years(con):
    # first date 2012-02-29, as_at 2013-04-15: months 2012-02 .. 2013-04 (15), financial years
    # 2011-12, 2012-13, 2013-14 (3); the last of each ends at as_at.
    _minimal(con, referrals=[dict(referral_id="r", child_id="k", referral_date="2012-02-29")])
    build(con, "2013-04-15")
    rows = con.execute(
        "SELECT period_type, count(*), min(period_label), max(period_label), max(period_end) "
        "FROM marts.periods GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert rows == [
        ("financial_year", 3, "2011-12", "2013-14", dt.date(2013, 4, 15)),
        ("month", 15, "2012-02", "2013-04", dt.date(2013, 4, 15)),
    ]
    fy = con.execute(
        "SELECT period_start, period_end FROM marts.periods WHERE period_label = '2012-13' "
        "AND period_type = 'financial_year'"
    ).fetchall()
    assert fy == [(dt.date(2012, 4, 1), dt.date(2013, 3, 31))]
    feb = con.execute(
        "SELECT period_end FROM marts.periods WHERE period_label = '2012-02' "
        "AND period_type = 'month'"
    ).fetchall()
    assert feb == [(dt.date(2012, 2, 29),)]


def test_absent_files_skip_their_sql_and_write_no_metric(con):
    _minimal(con, referrals=[dict(referral_id="r", child_id="k", referral_date="2012-02-29")])
    result = build(con, "2012-03-31")
    assert "30_allocations.sql" in result.files_skipped
    assert "10_contacts.sql" in result.files_run
    ids = {
        r[0] for r in con.execute("SELECT DISTINCT metric_id FROM marts.metric_values").fetchall()
    }
    assert "referrals" in ids and "contacts" in ids
    assert "unallocated_open_cases" not in ids and "s47_enquiries" not in ids
    assert (
        result.metric_values_rows
        == con.execute("SELECT count(*) FROM marts.metric_values").fetchall()[0][0]
    )


def test_metric_values_columns_types_and_comments(con):
    _minimal(con, referrals=[dict(referral_id="r", child_id="k", referral_date="2012-02-29")])
    build(con, "2012-03-31")
    cols = con.execute(
        "SELECT column_name, data_type, comment FROM duckdb_columns() "
        "WHERE schema_name = 'marts' AND table_name = 'metric_values' ORDER BY column_index"
    ).fetchall()
    assert [(c[0], c[1]) for c in cols] == [(n, t) for n, t, _ in METRIC_VALUES_COLUMNS]
    assert all(c[2] for c in cols)
    # Every marts table and every column of it carries a comment.
    uncommented = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' "
        "AND (comment IS NULL OR comment = '') "
        "UNION ALL SELECT table_name || '.' || column_name FROM duckdb_columns() "
        "WHERE schema_name = 'marts' AND (comment IS NULL OR comment = '')"
    ).fetchall()
    assert uncommented == []


def test_a_second_build_on_an_earlier_as_at_replaces_everything(con):
    _minimal(
        con,
        referrals=[
            dict(referral_id="r1", child_id="k", referral_date="2012-02-29"),
            dict(referral_id="r2", child_id="k", referral_date="2012-04-02"),
        ],
    )
    build(con, "2012-04-30")
    build(con, "2012-03-31")
    # Reproducing history: the April referral has not happened yet; no April period.
    assert con.execute("SELECT max(period_end) FROM marts.periods").fetchall()[0][0] == dt.date(
        2012, 3, 31
    )
    assert con.execute("SELECT count(*) FROM marts.fact_referrals").fetchall()[0][0] == 1
