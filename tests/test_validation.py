"""Validation: the suites match the contract, each rule finds exactly the rows it should (SQL over
every row, GX agreeing on the same frame), marts.data_quality carries history, and the Dagster
checks pass, warn and fail as docs/validation.md says when the job runs in-process."""

import datetime as dt
import stat
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from pipelines.contract import EXTRACTS, extract, staging_ddl
from pipelines.defs.extracts import loaded_check, reconcile_check, staging_check_specs
from pipelines.run.warehouse import Warehouse
from pipelines.sources.load import (
    InputFileRecord,
    LoadOutcome,
    load_folder,
    record_input_files,
    record_outcomes,
)
from pipelines.validation import build_data_quality
from pipelines.validation.frames import frame_sql
from pipelines.validation.quality import evaluate_checks, record_checks
from pipelines.validation.rules import (
    create_work_tables,
    cross_checks,
    expectation_sql,
    run_suite_sql,
)
from pipelines.validation.suites import EXPECTATIONS_DIR, load_suite, suite_json

AS_OF = dt.date(2013, 3, 31)


# --- helpers -----------------------------------------------------------------------------------


def load(con: duckdb.DuckDBPyConnection, stem: str, rows: list[dict[str, Any]]) -> None:
    """staging.<stem> (contract shape), an empty quarantine.<stem> and the file's rows read in
    audit.input_files; line = i + 2."""
    for schema in ("staging", "quarantine", "audit"):
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    con.execute(staging_ddl(stem))
    cols = extract(stem).column_names
    for i, row in enumerate(rows, start=2):
        assert not set(row) - set(cols), f"{stem} has no column(s) {set(row) - set(cols)}"
        values = [row.get(c) for c in cols] + [f"/in/{stem}.csv", i]
        con.execute(
            f"INSERT INTO staging.{stem} VALUES ({', '.join('?' for _ in values)}, NULL)",
            values,
        )
    con.execute(
        f"CREATE TABLE quarantine.{stem} AS SELECT * EXCLUDE (_nulled), NULL::VARCHAR AS _column, "
        f"NULL::VARCHAR AS _rule, NULL::VARCHAR AS _value, NULL::VARCHAR AS _reason "
        f"FROM staging.{stem} WHERE false"
    )
    record_input_files(
        con,
        "csv",
        [
            LoadOutcome(
                stem,
                "loaded",
                inputs=[InputFileRecord(f"/in/{stem}.csv", None, None, len(rows), len(rows), 0)],
            )
        ],
    )


def findings(con: duckdb.DuckDBPyConnection, rule: str, stem: str) -> list[int]:
    return [
        r[0]
        for r in con.execute(
            "SELECT line FROM dq_findings WHERE rule = ? AND stem = ? ORDER BY line", [rule, stem]
        ).fetchall()
    ]


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    yield c
    c.close()


@pytest.fixture(scope="session")
def gx() -> Any:
    """Great Expectations, imported once for the session (it takes seconds)."""
    from pipelines.validation import gx_runner

    return gx_runner


# --- the suites are the contract's -------------------------------------------------------------


def test_committed_suites_are_what_write_suites_writes():
    committed = {p.name for p in EXPECTATIONS_DIR.glob("*.json")}
    assert committed == {f"{e.stem}.json" for e in EXTRACTS}
    for e in EXTRACTS:
        text = (EXPECTATIONS_DIR / f"{e.stem}.json").read_text(encoding="utf-8")
        assert text == suite_json(e), f"expectations/{e.stem}.json: run write_suites()"


def test_suites_carry_the_contracts_code_lists_and_required_columns():
    suite = load_suite("referrals")
    in_set = {
        x["kwargs"]["column"]: (x["kwargs"]["value_set"], x["meta"]["severity"])
        for x in suite["expectations"]
        if x["type"] == "expect_column_values_to_be_in_set"
    }
    assert in_set["primary_need"] == ([f"N{i}" for i in range(10)], "warning")
    assessment = load_suite("assessments")["expectations"]
    required_codes = [
        x["meta"]["severity"]
        for x in assessment
        if x["type"] == "expect_column_values_to_be_in_set"
        and x["kwargs"]["column"] == "assessment_type"
    ]
    assert required_codes == ["error"]
    not_null = {
        x["kwargs"]["column"]
        for x in assessment
        if x["type"] == "expect_column_values_to_not_be_null"
    }
    assert not_null == set(extract("assessments").required_columns)


# --- single-file rules, SQL over every row -----------------------------------------------------


def test_single_file_rules_find_exactly_the_bad_rows(con):
    load(
        con,
        "children",
        [
            {"child_id": "C1", "date_of_birth": "2010-01-01"},
            {
                "child_id": "C2",
                "date_of_birth": "2012-06-01",
                "expected_date_of_birth": "2012-06-01",
            },
        ],
    )
    load(
        con,
        "assessments",
        [
            # line 2: fine; same-day completion is not out of order
            {"assessment_id": "A1", "child_id": "C1", "assessment_type": "SINGLE",
             "start_date": "2012-01-02", "completed_date": "2012-01-02"},
            # line 3: completed before it started
            {"assessment_id": "A2", "child_id": "C1", "assessment_type": "SINGLE",
             "start_date": "2012-01-10", "completed_date": "2012-01-09"},
            # line 4: completed after the extract date
            {"assessment_id": "A3", "child_id": "C1", "assessment_type": "SINGLE",
             "start_date": "2012-01-10", "completed_date": "2013-04-01"},
            # line 5: started before the child was born
            {"assessment_id": "A4", "child_id": "C1", "assessment_type": "SINGLE",
             "start_date": "2009-12-31"},
            # line 6: pre-birth work for a child known unborn: lawful within 280 days
            {"assessment_id": "A5", "child_id": "C2", "assessment_type": "SINGLE",
             "start_date": "2012-01-01"},
            # line 7: an unknown child: the birth rule cannot be applied
            {"assessment_id": "A6", "child_id": "C9", "assessment_type": "SINGLE",
             "start_date": "2000-01-01"},
            # line 8: the extract date itself is not after it
            {"assessment_id": "A7", "child_id": "C1", "assessment_type": "SINGLE",
             "start_date": "2013-03-31", "completed_date": "2013-03-31"},
        ],
    )  # fmt: skip
    load(
        con,
        "s47_enquiries",
        [
            {"s47_id": "S1", "child_id": "C1", "strategy_discussion_date": "2012-02-01",
             "icpc_date": "2012-01-31", "end_date": "2012-02-20"},
            {"s47_id": "S2", "child_id": "C1", "strategy_discussion_date": "2012-02-01",
             "icpc_date": "2012-02-01", "end_date": "2012-01-20"},
        ],
    )  # fmt: skip
    load(con, "referrals", [
        {"referral_id": "R1", "child_id": "C1", "referral_date": "2012-01-01", "primary_need": "N99"},
        {"referral_id": "R2", "child_id": "C1", "referral_date": "2012-01-01", "primary_need": "N3"},
    ])  # fmt: skip
    create_work_tables(con)
    for stem in ("children", "assessments", "s47_enquiries", "referrals"):
        run_suite_sql(con, stem, AS_OF)
    assert findings(con, "date_order", "assessments") == [3]
    assert findings(con, "after_as_at", "assessments") == [4]
    assert findings(con, "before_birth", "assessments") == [5]
    assert findings(con, "unknown_code", "referrals") == [2]
    # ICPC before strategy (line 2) and enquiry ended before it began (line 3): one each.
    rows = con.execute(
        "SELECT line, column_name FROM dq_findings WHERE stem = 's47_enquiries' ORDER BY line"
    ).fetchall()
    assert rows == [(2, "icpc_date"), (3, "end_date")]
    assert findings(con, "duplicate_id", "assessments") == []
    assert con.execute("SELECT count(*) FROM dq_findings WHERE stem = 'children'").fetchall() == [
        (0,)
    ]


def test_duplicate_ids_report_the_later_copies(con):
    load(con, "workers", [{"worker_id": "W1"}, {"worker_id": "W2"}, {"worker_id": "W1"}])
    create_work_tables(con)
    run_suite_sql(con, "workers", AS_OF)
    assert findings(con, "duplicate_id", "workers") == [4]


def test_gx_and_sql_agree_on_every_expectation_of_the_same_frame(con, gx):
    """GX is the reference: on the frame it sees, the SQL translation finds the same rows."""
    load(con, "children", [{"child_id": "C1", "date_of_birth": "2010-01-01"}])
    load(
        con,
        "contacts",
        [
            {"contact_id": "K1", "child_id": "C1", "contact_datetime": "2012-01-02 10:00",
             "decision_datetime": "2012-01-02 09:00", "source": "1A", "outcome": "NFA"},
            {"contact_id": "K2", "child_id": "C1", "contact_datetime": "2009-01-02 10:00",
             "source": "ZZ", "outcome": "NFA"},
            {"contact_id": "K3", "child_id": "C1", "contact_datetime": "2012-01-02 10:00",
             "decision_datetime": "2013-04-01 00:00", "outcome": "MAYBE"},
            {"contact_id": "K4", "child_id": "C1", "contact_datetime": "2012-01-03 10:00",
             "decision_datetime": "2012-01-03 10:00", "source": "10", "outcome": "REFERRAL"},
        ],
    )  # fmt: skip
    frame = con.execute(f"SELECT * FROM ({frame_sql(con, 'contacts', AS_OF)}) ORDER BY _line").df()
    outcomes = gx.validate_frame("contacts", frame, load_suite("contacts"))
    assert all(o.error is None for o in outcomes), [o for o in outcomes if o.error]
    by_rule = {(o.rule, o.column): o for o in outcomes}
    suite = load_suite("contacts")["expectations"]
    assert len(by_rule) == len(outcomes) == len(suite)  # (rule, column) names one expectation
    failed_somewhere = 0
    for ex in suite:
        outcome = by_rule[ex["meta"]["rule"], ex["meta"]["column"]]
        sql = expectation_sql(ex)
        if sql is None:
            assert outcome.success, outcome
            continue
        lines = [
            r[0]
            for r in con.execute(
                f"WITH f AS ({frame_sql(con, 'contacts', AS_OF)}) SELECT _line FROM ({sql}) "
                "ORDER BY 1"
            ).fetchall()
        ]
        assert sorted(outcome.lines) == lines, (ex["meta"], outcome)
        failed_somewhere += bool(lines)
    assert failed_somewhere == 5  # decision order x1, source, outcome, birth, after as_at


def test_gx_and_sql_agree_on_ranges(con, gx):
    load(con, "population", [
        {"year": 2012, "children_0_17": 30000},
        {"year": 2013, "children_0_17": -5},
        {"year": 1212, "children_0_17": 31000},
    ])  # fmt: skip
    frame = con.execute(f"SELECT * FROM ({frame_sql(con, 'population', AS_OF)})").df()
    outcomes = {
        (o.rule, o.column): o
        for o in gx.validate_frame("population", frame, load_suite("population"))
    }
    assert outcomes["out_of_range", "children_0_17"].lines == [3]
    assert outcomes["out_of_range", "year"].lines == [4]
    create_work_tables(con)
    run_suite_sql(con, "population", AS_OF)
    assert con.execute("SELECT column_name, line FROM dq_findings ORDER BY line").fetchall() == [
        ("children_0_17", 3),
        ("year", 4),
    ]


def test_gx_sees_a_bounded_spread_sample_and_every_flagged_row(con, gx):
    load(con, "workers", [{"worker_id": f"W{i}"} for i in range(100)])  # lines 2..101
    frame = gx.sample_frame(con, "workers", AS_OF, rows=10, flagged_lines=[7, 77])
    lines = frame["_line"].tolist()
    assert lines == sorted(lines)
    assert {7, 77} <= set(lines)
    assert 10 <= len(lines) <= 12 and min(lines) <= 20 and max(lines) >= 90
    whole = gx.sample_frame(con, "workers", AS_OF, rows=1000)
    assert len(whole) == 100


# --- cross-file rules ---------------------------------------------------------------------------


def test_cross_file_rules_on_a_hand_made_council(con):
    load(con, "children", [{"child_id": c, "date_of_birth": "2005-01-01"} for c in "ABCDE"])
    load(con, "contacts", [
        {"contact_id": "K1", "child_id": "A", "contact_datetime": "2012-01-01 10:00"},
        {"contact_id": "K2", "child_id": "Z", "contact_datetime": "2012-01-01 10:00"},  # orphan
    ])  # fmt: skip
    load(con, "referrals", [
        {"referral_id": "R1", "child_id": "A", "referral_date": "2012-01-01", "closure_date": "2012-02-01"},
        {"referral_id": "R2", "child_id": "A", "referral_date": "2012-02-01"},  # opens as R1 closes
        {"referral_id": "R3", "child_id": "A", "referral_date": "2012-03-01"},  # R2 still open
        {"referral_id": "R4", "child_id": "B", "referral_date": "2012-03-01"},
        {"referral_id": "R5", "child_id": "B", "referral_date": "2012-03-01"},  # double-keyed
    ])  # fmt: skip
    load(con, "assessments", [
        {"assessment_id": "A1", "child_id": "A", "referral_id": "R1",
         "assessment_type": "SINGLE", "start_date": "2012-01-01"},
        {"assessment_id": "A2", "child_id": "A", "referral_id": "R9",
         "assessment_type": "SINGLE", "start_date": "2012-01-01"},  # orphan
        {"assessment_id": "A3", "child_id": "A", "referral_id": "RQ",
         "assessment_type": "SINGLE", "start_date": "2012-01-01"},  # its referral is quarantined
    ])  # fmt: skip
    con.execute(
        "INSERT INTO quarantine.referrals (referral_id, child_id, _source_file, _line, _rule) "
        "VALUES (' RQ ', 'A', '/in/referrals.csv', 9, 'not_a_date')"
    )
    load(con, "s47_enquiries", [
        {"s47_id": "S1", "child_id": "C", "strategy_discussion_date": "2011-06-01"},
        {"s47_id": "S2", "child_id": "D", "strategy_discussion_date": "2011-01-01"},
    ])  # fmt: skip
    load(con, "cp_plans", [
        {"plan_id": "P1", "child_id": "C", "start_date": "2011-07-01", "end_date": "2012-01-01"},
        {"plan_id": "P2", "child_id": "C", "start_date": "2012-01-01"},  # starts as P1 ends
        {"plan_id": "P3", "child_id": "C", "start_date": "2012-01-01"},  # P2 open: overlaps
        {"plan_id": "P4", "child_id": "D", "start_date": "2012-01-01", "end_date": "2012-01-02"},
        {"plan_id": "P5", "child_id": "D", "start_date": "2012-01-02"},
        {"plan_id": "P6", "child_id": "E", "start_date": "2010-06-01"},  # before the S47 history
    ])  # fmt: skip
    load(con, "cp_visits", [{"plan_id": "P1", "visit_date": "2011-08-01"},
                            {"plan_id": "PX", "visit_date": "2011-08-01"}])  # fmt: skip
    evaluate_checks(con, [e.stem for e in EXTRACTS])
    assert findings(con, "orphan_child", "contacts") == [3]
    assert findings(con, "orphan_child", "referrals") == []
    assert findings(con, "two_open_referrals", "referrals") == [4]
    assert findings(con, "orphan_referral", "assessments") == [3]
    assert findings(con, "overlapping_plans", "cp_plans") == [4]
    # S2 (2011-01-01) is exactly 12 months before P4 (2012-01-01): in the window; for P5,
    # a day later, it is not. P6 starts before the first strategy discussion: not checked.
    assert findings(con, "plan_without_s47", "cp_plans") == [6]
    assert findings(con, "orphan_plan", "cp_visits") == [3]


def test_a_cross_file_rule_is_skipped_when_its_files_are_absent(con):
    load(con, "contacts", [{"contact_id": "K1", "child_id": "Z", "contact_datetime": "2012-01-01"}])
    load(con, "referrals", [{"referral_id": "R1", "child_id": "Z", "referral_date": "2012-01-01"}])
    evaluate_checks(con, [e.stem for e in EXTRACTS])
    rules = {r[0] for r in con.execute("SELECT rule FROM dq_rules").fetchall()}
    assert "orphan_child" not in rules  # no children.csv: absent is not a finding
    assert "two_open_referrals" in rules


# --- marts.data_quality --------------------------------------------------------------------------


def _tiny_warehouse(con: duckdb.DuckDBPyConnection, completed: str) -> duckdb.DuckDBPyConnection:
    """A hand-made warehouse whose assessment completes on ``completed``, its checks recorded."""
    for schema in ("staging", "quarantine", "audit"):
        con.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    load(con, "contacts", [{"contact_id": "K1", "child_id": "A", "contact_datetime": "2012-01-05"}])
    load(con, "referrals", [{"referral_id": "R1", "child_id": "A", "referral_date": "2012-01-05"}])
    load(con, "assessments", [
        {"assessment_id": "A1", "child_id": "A", "assessment_type": "SINGLE",
         "start_date": "2012-01-05", "completed_date": completed},
    ])  # fmt: skip
    con.execute("CREATE SCHEMA IF NOT EXISTS audit")
    con.execute(
        "CREATE OR REPLACE TABLE audit.load_log (stem VARCHAR, status VARCHAR, file VARCHAR, "
        "rows BIGINT, message VARCHAR, warnings VARCHAR[])"
    )
    con.execute(
        "INSERT INTO audit.load_log VALUES ('contacts', 'loaded', '/in/contacts.csv', 1, '', []), "
        "('workers', 'failed', '/in/workers.csv', 0, "
        "'/in/workers.csv, column ''worker_id'': required column is missing', []), "
        "('cp_plans', 'absent', NULL, 0, '', [])"
    )
    stems = ["contacts", "referrals", "assessments"]
    evaluate_checks(con, stems)
    record_checks(con, stems)
    return con


def test_data_quality_keeps_every_runs_rows_and_the_latest_findings(tmp_path):
    con = duckdb.connect(str(tmp_path / "work.duckdb"))
    added = build_data_quality(_tiny_warehouse(con, "2012-01-01"), "run-1")
    assert build_data_quality(_tiny_warehouse(con, "2012-01-09"), "run-2") == added
    per_run = con.execute(
        "SELECT run_id, sum(rows_failed) FILTER (WHERE rule = 'date_order') "
        "FROM marts.data_quality GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert per_run == [("run-1", 1), ("run-2", 0)]  # the fault was fixed between the runs
    # The row listing is the latest run's only.
    assert con.execute("SELECT DISTINCT run_id FROM marts.data_quality_rows").fetchall() == [
        ("run-2",)
    ]
    # A run that builds it again (a re-execution) replaces its own rows, not the others'.
    assert build_data_quality(con, "run-2") == added
    assert con.execute(
        "SELECT run_id, count(*) FROM marts.data_quality GROUP BY 1 ORDER BY 1"
    ).fetchall() == [("run-1", added), ("run-2", added)]
    con.close()


def test_data_quality_reads_the_checks_results_and_never_runs_them_again(tmp_path):
    con = _tiny_warehouse(duckdb.connect(), "2012-01-01")
    # Were the suites run again, this completion (now in order) would clear the finding.
    con.execute("UPDATE staging.assessments SET completed_date = DATE '2012-01-09'")
    build_data_quality(con, "run-1")
    failed = con.execute(
        "SELECT rows_failed FROM marts.data_quality WHERE rule = 'date_order' "
        "AND stem = 'assessments'"
    ).fetchall()
    assert failed == [(1,)]


def test_data_quality_reports_loads_reconciliation_and_quarantine(tmp_path):
    con = _tiny_warehouse(duckdb.connect(str(tmp_path / "w.duckdb")), "2012-01-01")
    # two more rows read from the file: K2 (quarantined below) and K3
    con.execute("UPDATE audit.input_files SET rows_read = rows_read + 2 WHERE stem = 'contacts'")
    con.execute(
        "INSERT INTO quarantine.contacts (contact_id, _source_file, _line, _column, _rule, _value, "
        "_reason) VALUES ('K2', '/in/contacts.csv', 3, 'contact_datetime', 'not_a_datetime', "
        "'x', 'contacts.csv line 3: not a date-time')"
    )  # K3 was read but is in neither: one row lost between file and staging
    build_data_quality(con, "run-1")
    got = {
        (r[0], r[1], r[2]): r[3:]
        for r in con.execute(
            "SELECT kind, rule, stem, severity, action, file, rows_checked, rows_failed, "
            "example_lines, message FROM marts.data_quality"
        ).fetchall()
    }
    failed = got["load", "file_failed", "workers"]
    assert failed[:2] == ("error", "blocked") and failed[4] == 1
    assert "worker_id" in failed[6] and "workers.csv" in failed[6]
    assert got["load", "file_absent", "cp_plans"][4] == 0
    assert got["reconcile", "rows_reconcile", "contacts"][:2] == ("error", "blocked")
    assert got["reconcile", "rows_reconcile", "contacts"][3:5] == (3, 1)
    quarantined = got["quarantine", "not_a_datetime", "contacts"]
    assert quarantined[1:] == ("quarantined", "contacts.csv", 3, 1, [3], None)
    rows = con.execute(
        "SELECT rule, column_name, line FROM marts.data_quality_rows WHERE stem = 'contacts' "
        "AND kind = 'quarantine'"
    ).fetchall()
    assert rows == [("not_a_datetime", "contact_datetime", 3)]


def test_every_data_quality_table_and_column_has_a_comment(tmp_path):
    con = _tiny_warehouse(duckdb.connect(str(tmp_path / "w.duckdb")), "2012-01-01")
    build_data_quality(con, "run-1")
    for table in ("data_quality", "data_quality_rows"):
        assert con.execute(
            "SELECT comment FROM duckdb_tables() WHERE schema_name = 'marts' AND table_name = ?",
            [table],
        ).fetchall()[0][0]
        blank = con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'marts' "
            "AND table_name = ? AND coalesce(comment, '') = ''",
            [table],
        ).fetchall()
        assert blank == [], table


# --- the Dagster checks, in-process --------------------------------------------------------------


def _write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def _stand_in_stage(lose_a_contact: bool) -> dg.AssetsDefinition:
    """staging + quarantine built by the library functions, as the job's step does."""

    @dg.multi_asset(
        specs=[dg.AssetSpec(["staging", e.stem]) for e in EXTRACTS]
        + [dg.AssetSpec(["quarantine", e.stem]) for e in EXTRACTS],
        check_specs=staging_check_specs(),
        name="stand_in_stage",
    )
    def stage(context: dg.AssetExecutionContext, warehouse: Warehouse):
        with warehouse.connect() as con:
            kind, outcomes = load_folder(con, Path(warehouse.input_dir))  # reads and stages
            record_outcomes(con, kind, outcomes)
            if lose_a_contact:
                con.execute("DELETE FROM staging.contacts WHERE contact_id = 'K2'")
            for e in EXTRACTS:
                yield dg.MaterializeResult(asset_key=["staging", e.stem])
                yield dg.MaterializeResult(asset_key=["quarantine", e.stem])
                yield loaded_check(con, e.stem)
                yield reconcile_check(con, e.stem)

    return stage


def _run_checks(folder: Path, out: Path, lose_a_contact: bool = False) -> dg.ExecuteInProcessResult:
    from pipelines.defs.quality import data_quality
    from pipelines.defs.resources import GreatExpectations
    from pipelines.defs.validation import check_results, great_expectations_check, validation

    @dg.asset(key=["release"], deps=[["staging", "contacts"]])
    def downstream() -> None:
        """Stands in for what staging feeds, up to the release: must not run when a blocking
        check fails (and GX's check comes after it)."""

    warehouse = Warehouse(input_dir=str(folder), output_dir=str(out))
    defs = dg.Definitions(
        assets=[_stand_in_stage(lose_a_contact), check_results, data_quality, downstream],
        asset_checks=[validation, great_expectations_check],
        resources={
            "warehouse": warehouse,
            "great_expectations": GreatExpectations(),
        },
        jobs=[dg.define_asset_job("j", executor_def=dg.in_process_executor)],
    )
    return defs.resolve_job_def("j").execute_in_process(raise_on_error=False)


@pytest.fixture
def tiny_council(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    _write(folder, "children.csv", "child_id,date_of_birth\nA,2005-01-01\n")
    _write(
        folder,
        "contacts.csv",
        "contact_id,child_id,contact_datetime\nK1,A,2012-01-02T10:00\nK2,A,2012-01-03T10:00\n",
    )
    _write(folder, "referrals.csv", "referral_id,child_id,referral_date\nR1,A,2012-01-02\n")
    _write(
        folder,
        "assessments.csv",
        "assessment_id,child_id,assessment_type,start_date,completed_date\n"
        "A1,A,SINGLE,2012-01-02,2012-01-01\n",
    )
    _write(folder, "workers.csv", "team,qualified_social_worker\nDuty,Y\n")  # no worker_id
    return folder


def _checks(result: dg.ExecuteInProcessResult) -> dict[tuple[str, str], Any]:
    return {(e.asset_key.path[-1], e.check_name): e for e in result.get_asset_check_evaluations()}


def test_checks_pass_warn_and_fail_in_process(tiny_council, tmp_path, gx):
    result = _run_checks(tiny_council, tmp_path / "out")
    checks = _checks(result)
    # loaded, rows_reconcile, suite and great_expectations per extract, and each cross-file rule
    # per extract it judges
    assert len(checks) == 4 * len(EXTRACTS) + sum(len(c.stems) for c in cross_checks())
    loaded = checks["workers", "loaded"]
    assert not loaded.passed and loaded.severity == dg.AssetCheckSeverity.ERROR
    assert "workers.csv" in loaded.description and "worker_id" in loaded.description
    assert checks["cp_plans", "loaded"].passed
    assert checks["cp_plans", "suite"].metadata["status"].value == "absent"
    assert checks["cp_plans", "rows_reconcile"].metadata["status"].value == "absent"
    suite = checks["assessments", "suite"]
    assert not suite.passed and suite.severity == dg.AssetCheckSeverity.WARN
    assert suite.metadata["sql_findings"].value == {"date_order:completed_date": 1}
    gx = checks["assessments", "great_expectations"]
    assert not gx.passed and gx.severity == dg.AssetCheckSeverity.WARN
    assert gx.metadata["gx_failed"].value == {"date_order:completed_date": 1}
    assert gx.metadata["gx_sql_disagree"].value == {}
    assert checks["cp_plans", "great_expectations"].passed  # absent: nothing to sample
    assert checks["contacts", "rows_reconcile"].passed
    assert checks["contacts", "suite"].passed
    # A failed optional file and a warning block nothing.
    assert result.success
    assert result.is_node_success("release")
    with duckdb.connect(
        str(tmp_path / "out" / ".frontdoor" / "work.duckdb"), read_only=True
    ) as con:
        assert con.execute(
            "SELECT rows_failed FROM marts.data_quality WHERE rule = 'date_order' "
            "AND stem = 'assessments'"
        ).fetchall() == [(1,)]


def test_rows_lost_between_raw_and_staging_fail_and_block(tiny_council, tmp_path, gx):
    result = _run_checks(tiny_council, tmp_path / "out", lose_a_contact=True)
    check = _checks(result)["contacts", "rows_reconcile"]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR
    assert "2 rows read but 1 staged + 0 quarantined" in check.description
    assert not result.is_node_success("release")


def test_a_gx_worker_is_stopped_at_the_end_of_a_run_answered_or_not(tmp_path):
    import signal

    from pipelines.validation.gx_worker import GxWorker

    # Closed at once, as when a run fails before its suites are answered: still importing GX,
    # it is stopped, not waited for.
    with (tmp_path / "unwanted.log").open("wb") as log:
        unwanted = GxWorker(log)
        unwanted.close()
    assert unwanted._proc.returncode == -signal.SIGKILL
    # Every answer taken, as at the end of a run that succeeded: stopped too, not waited for
    # while Python unloads GX; its answer was whole.
    con = duckdb.connect()
    frame = tmp_path / "population.parquet"
    sample = Path(__file__).parents[1] / "data" / "sample" / "population.csv"
    con.execute(f"COPY (FROM read_csv('{sample}')) TO '{frame}' (FORMAT parquet)")
    with (tmp_path / "answered.log").open("wb") as log:
        answered = GxWorker(log)
        answered.submit("population", frame)
        outcomes = answered.result("population")
        answered.close()
    assert outcomes and all(o.success for o in outcomes)
    assert answered._proc.returncode == -signal.SIGKILL


STRAY_WRITES = """
import duckdb
from pipelines.validation.gx_worker import answers_channel
answers = answers_channel()
print("a stray print")
con = duckdb.connect()
con.execute("SET progress_bar_time = 0")  # DuckDB's bar, drawn at once rather than after 2 s
con.execute("SELECT sum(hash(range)) FROM range(300000000)").fetchall()
print('{"stem": "contacts"}', file=answers, flush=True)
"""


def test_only_answers_reach_a_gx_workers_stdout():
    """Whatever else a worker writes to stdout goes to its stderr: a library's print, and
    DuckDB's progress bar (carriage returns, on stdout, for a query over 2 s), which broke an
    answer's line on a loaded machine and failed the run's check step."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", STRAY_WRITES], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == '{"stem": "contacts"}\n'
    assert "a stray print" in done.stderr and "100% ▕" in done.stderr  # the bar, on stderr


def test_one_great_expectations_service_answers_runs_at_once_and_outlives_one_that_hangs_up(
    tmp_path, monkeypatch
):
    """A regional hub's service: each connection (a run) gets its own answers, in order, while
    another asks at the same time; a run that hangs up with a request unanswered (it ended, or
    was killed) leaves it answering the next; closing its stdin stops it and clears its
    socket."""
    from pipelines.validation import gx_service

    con = duckdb.connect()
    clean, doubled = tmp_path / "clean.parquet", tmp_path / "doubled.parquet"
    for frame, rows in (
        (clean, "(2008, 35335, 2), (2009, 35668, 3)"),
        # 2009 twice, on lines 3 and 4: the year must be unique.
        (doubled, "(2008, 35335, 2), (2009, 35668, 3), (2009, 35700, 4)"),
    ):
        con.execute(
            f"COPY (SELECT year::BIGINT AS year, children::BIGINT AS children_0_17, _line "
            f"FROM (VALUES {rows}) AS t(year, children, _line)) TO '{frame}' (FORMAT parquet)"
        )

    def failed(outcomes: list) -> dict[str, tuple[int | None, list[int]]]:
        return {
            f"{o.rule}:{o.column}": (o.unexpected_count, o.lines) for o in outcomes if not o.success
        }

    with (tmp_path / "service.log").open("wb") as log, gx_service.running(log) as socket:
        assert stat.S_IMODE(socket.parent.stat().st_mode) == 0o700
        monkeypatch.setenv(gx_service.SOCKET_VARIABLE, str(socket))
        first, second, leaver = (gx_service.connect() for _ in range(3))
        assert first and second and leaver
        leaver.submit("population", doubled)
        leaver.close()  # hangs up before its answer
        first.submit("population", doubled)
        second.submit("population", clean)
        first.submit("population", clean)
        assert failed(second.result("population")) == {}
        assert failed(first.result("population")) == {"duplicate_id:year": (2, [3, 4])}
        assert failed(first.result("population")) == {}
        first.close()
        second.close()
        later = gx_service.connect()
        assert later is not None
        later.submit("population", doubled)
        assert failed(later.result("population")) == {"duplicate_id:year": (2, [3, 4])}
        later.close()
    assert not socket.parent.exists()
    said = (tmp_path / "service.log").read_text()
    assert said.count("a run's connection ended") == 4, said
    assert "ended: 2 requests answered" in said and "ended: 1 requests answered" in said


def test_a_run_whose_named_service_is_gone_starts_a_worker_of_its_own(tmp_path, monkeypatch):
    from pipelines.defs.resources import GreatExpectations
    from pipelines.validation import gx_service
    from pipelines.validation.gx_worker import GxWorker

    monkeypatch.setenv(gx_service.SOCKET_VARIABLE, str(tmp_path / "gone.sock"))
    assert gx_service.connect() is None
    with GreatExpectations().yield_for_execution(dg.build_init_resource_context()) as gx:
        assert isinstance(gx._worker, GxWorker)
