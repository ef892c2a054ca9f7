"""pipelines.marts.build: one table a file, what each reads, as_at, periods, absent inputs, metric_values."""

from __future__ import annotations

import datetime as dt
import re

from conftest import PROVENANCE, build, load

from pipelines.marts.build import (
    METRIC_VALUES_COLUMNS,
    SQL_DIR,
    build_marts,
    models,
    read_model,
    referenced_tables,
)
from pipelines.marts.run_info import build_run_info


def _minimal(con, contacts=(), referrals=()):
    load(con, "contacts", list(contacts))
    load(con, "referrals", list(referrals))
    load(con, "assessments", [])


def test_requirements_and_optional_blocks_read_from_the_file(tmp_path):
    path = tmp_path / "thing.sql"
    path.write_text(
        "-- requires: staging.a, staging.b\n-- requires: ref.c\n-- why\n"
        "SELECT 1\n-- if present: staging.d\nUNION ALL SELECT 2 FROM staging.d\n-- end if\n;\n"
        "-- requires: x\n"
    )
    model = read_model(path)
    assert model.requires == ("staging.a", "staging.b", "ref.c")
    assert model.optional == ("staging.d",)
    assert "staging.d" not in model.sql(present=[])
    assert "UNION ALL SELECT 2 FROM staging.d" in model.sql(present=["staging.d"])


def test_each_file_makes_its_own_table_and_declares_everything_it_reads():
    for model in models():
        sql = model.path.read_text()
        made = set(re.findall(r"CREATE OR REPLACE TABLE (\w+\.\w+)", sql))
        assert made == {model.table}, f"{model.path.name} makes {made}"
        assert not re.search(r"^\s*(UPDATE|ALTER|INSERT|DROP)\b", sql, re.I | re.M), model.path
        read = referenced_tables(sql) - {model.table}
        assert read == set(model.reads), f"{model.path.name}: reads {read}, declares {model.reads}"
    assert len(models()) == len(list(SQL_DIR.glob("*.sql")))


def test_as_at_defaults_to_latest_contact_or_referral(con):
    # Latest contact 2012-05-03 (a time of day), latest referral 2012-05-02 -> 2012-05-03.
    _minimal(
        con,
        contacts=[dict(contact_id="c", child_id="k", contact_datetime="2012-05-03 23:59")],
        referrals=[dict(referral_id="r", child_id="k", referral_date="2012-05-02")],
    )
    build_run_info(con, PROVENANCE, None)
    result = build_marts(con)
    assert result.as_at == dt.date(2012, 5, 3)
    assert con.execute("SELECT as_at, as_at_source, first_date FROM marts.run_info").fetchall() == [
        (dt.date(2012, 5, 3), "the latest contact or referral date", dt.date(2012, 5, 2))
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


def test_absent_files_drop_what_they_fed_and_write_no_metric(con):
    _minimal(con, referrals=[dict(referral_id="r", child_id="k", referral_date="2012-02-29")])
    result = build(con, "2012-03-31")
    assert "metrics_allocations" in result.dropped
    assert "metrics_contacts" in result.built
    ids = {
        r[0] for r in con.execute("SELECT DISTINCT metric_id FROM marts.metric_values").fetchall()
    }
    assert "referrals" in ids and "contacts" in ids
    assert "unallocated_open_cases" not in ids and "s47_enquiries" not in ids
    # A table an earlier build made from an extract absent now is dropped, not left stale.
    con.execute("DROP TABLE staging.contacts")
    result = build(con, "2012-03-31")
    assert {"fact_contacts", "metrics_contacts"} <= set(result.dropped)
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert "fact_contacts" not in tables and "metrics_contacts" not in tables


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


def test_a_file_needing_an_optional_column_runs_only_where_it_holds_a_value(con):
    # An older s47_enquiries.csv staged without the v5 columns, then one with them blank: the
    # v5 family is dropped, the others built. With one answer recorded, it is built.
    _minimal(con, referrals=[dict(referral_id="r", child_id="k", referral_date="2012-02-29")])
    con.execute(
        "CREATE TABLE staging.s47_enquiries (s47_id VARCHAR, child_id VARCHAR, referral_id "
        "VARCHAR, strategy_discussion_date DATE, end_date DATE, icpc_not_required BOOLEAN, "
        "icpc_date DATE, icpc_transfer_in BOOLEAN, icpc_resulted_in_plan BOOLEAN, team VARCHAR, "
        "_source_file VARCHAR, _line BIGINT, _nulled VARCHAR[])"
    )
    con.execute("INSERT INTO staging.s47_enquiries (s47_id, child_id, strategy_discussion_date) "
                "VALUES ('e', 'k', DATE '2012-03-01')")  # fmt: skip
    result = build(con, "2012-03-31")
    assert "metrics_strategy_police" in result.dropped and "metrics_s47" in result.built
    con.execute("DROP TABLE staging.s47_enquiries")
    load(
        con,
        "s47_enquiries",
        [dict(s47_id="e", child_id="k", strategy_discussion_date="2012-03-01")],
    )
    assert "metrics_strategy_police" in build(con, "2012-03-31").dropped
    con.execute("UPDATE staging.s47_enquiries SET strategy_police_attended = false")
    result = build(con, "2012-03-31")
    assert "metrics_strategy_police" in result.built
    row = con.execute(
        "SELECT numerator, denominator FROM marts.metric_values WHERE metric_id = "
        "'strategy_police_pct' AND period_label = '2012-03' AND breakdown = 'all'"
    ).fetchall()
    assert row == [(0.0, 1.0)]


def test_macros_have_one_definition_and_their_reads_are_declared():
    # Every macro is made in one place (pipelines/marts/build.py MACROS or sql/macros/), never by a
    # marts file; a file calling metric_family reads marts.periods through it.
    from pipelines.marts.build import MACROS, table_macros

    names = [m.split("(")[0] for m, _, _ in MACROS] + list(table_macros())
    assert len(names) == len(set(names))
    for model in models():
        assert "CREATE OR REPLACE MACRO" not in model.path.read_text().upper(), model.path
    assert "marts.periods" in referenced_tables("SELECT * FROM marts.metric_family(a, b, [])")
