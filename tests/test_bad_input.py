"""Bad input: every case of tests/corpus is reported, never crashes the run, and loses no row.

Most cases run through the loader and staging functions the job uses (milliseconds each); one
whole `frontdoor run` on a folder combining faults across files shows a failed file leaves the
rest of the run going, and that validation reports the findings that are not quarantine reasons.
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import duckdb
import pytest

from pipelines.sources.load import load_csv, load_folder
from tests.corpus import CASES, SPECIAL, Case, Failed, Loaded

ONE_MB = 1024 * 1024


@pytest.fixture
def con():
    con = duckdb.connect()
    yield con
    con.close()


def make(case: Case, folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Write the case's file into ``folder`` (or build a SPECIAL one); its path."""
    path = folder / case.file
    if case.content is not None:
        path.write_bytes(case.content)
    elif case.name == "an extract that is a directory":
        path.mkdir()
    elif case.name == "no read permission (OSError on open)":
        # Tests run as root, which ignores permissions: make opening the file fail as a
        # chmod 000 would for anyone else.
        path.write_bytes(b"contact_id,child_id,contact_datetime\nK1,C1,2012-04-02\n")
        real_open = Path.open

        def refuse(self: Path, *args, **kwargs):
            if self == path:
                raise PermissionError(13, "Permission denied", str(self))
            return real_open(self, *args, **kwargs)

        monkeypatch.setattr(Path, "open", refuse)
    elif case.name == "100 MB file of one line":
        with path.open("wb") as f:
            for _ in range(100):
                f.write(b"contact_id," * (ONE_MB // 11) + b"x" * (ONE_MB % 11))
    elif case.name == "a header, then 100 MB of commas on one line":
        with path.open("wb") as f:
            f.write(b"contact_id,child_id,contact_datetime\n")
            for _ in range(100):
                f.write(b"," * ONE_MB)
    else:
        raise AssertionError(f"no builder for the special case {case.name!r}")
    return path


def test_the_corpus_has_at_least_30_distinct_faulty_inputs():
    assert len(CASES) >= 30
    assert len({c.name for c in CASES}) == len(CASES)
    contents = [c.content for c in CASES if c.content is not None]
    assert len(set(contents)) == len(contents)
    assert {
        "an extract that is a directory",
        "no read permission (OSError on open)",
        "100 MB file of one line",
        "a header, then 100 MB of commas on one line",
    } == SPECIAL


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_bad_input_is_reported_and_loses_nothing(case, con, tmp_path, monkeypatch):
    path = make(case, tmp_path, monkeypatch)
    tracemalloc.start()
    try:
        outcome = load_csv(con, path, case.stem)  # what the job records in audit.load_log
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    monkeypatch.undo()
    if case.name == "a header, then 100 MB of commas on one line":
        # read whole once, and a byte mask; never an array or list over its 100 million fields
        assert peak < 250 * ONE_MB
    else:
        # nothing is read whole before it is known to be CSV: the 100 MB line costs 64 KiB
        assert peak < 8 * ONE_MB

    expected = case.outcome
    if isinstance(expected, Failed):
        assert outcome.status == "failed", outcome
        assert outcome.message.startswith(str(path)), outcome.message
        if expected.line is not None:
            assert f", line {expected.line}" in outcome.message
        if expected.column is not None:
            assert f", column '{expected.column}'" in outcome.message
        assert expected.words in outcome.message
        assert not con.execute(
            "SELECT * FROM information_schema.tables "
            "WHERE table_schema IN ('raw', 'staging', 'quarantine')"
        ).fetchall()
        return

    assert isinstance(expected, Loaded)
    assert outcome.status == "loaded", outcome.message
    assert outcome.rows == expected.rows
    if expected.warning:
        assert any(expected.warning in w for w in outcome.warnings), outcome.warnings
    assert outcome.staged + outcome.quarantined == outcome.rows  # nothing lost
    assert con.execute(
        f"SELECT (SELECT count(*) FROM staging.{case.stem}) + "
        f"(SELECT count(*) FROM quarantine.{case.stem})"
    ).fetchall() == [(expected.rows,)]
    quarantined = con.execute(
        f"SELECT _line, _column, _rule, _reason FROM quarantine.{case.stem} ORDER BY _line"
    ).fetchall()
    assert [q[:3] for q in quarantined] == list(expected.quarantined)
    for line, column, _, reason in quarantined:
        assert reason.startswith(f"{case.file} line {line}"), reason
        if column is not None:
            assert f"column '{column}'" in reason
    if expected.staged:
        columns, rows = expected.staged
        assert (
            con.execute(f"SELECT {columns} FROM staging.{case.stem} ORDER BY _line").fetchall()
            == rows
        )


def test_keep_raw_keeps_every_row_as_read_and_a_later_run_drops_it(con, tmp_path):
    # --keep-raw, for a data-migration investigation: every row as read, the quarantined one too
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "contacts.csv").write_bytes(
        b"contact_id,child_id,contact_datetime,notes\nK1, C1 ,2012-04-02,a\nK2,,2012-04-02,b\n"
    )
    _, outcomes = load_folder(con, folder, stems=["contacts"], keep_raw=True)
    assert (outcomes[0].rows, outcomes[0].staged, outcomes[0].quarantined) == (2, 1, 1)
    assert con.execute(
        "SELECT contact_id, child_id, notes, _line FROM raw.contacts ORDER BY _line"
    ).fetchall() == [("K1", " C1 ", "a", 2), ("K2", None, "b", 3)]
    assert con.execute("SELECT child_id FROM staging.contacts").fetchall() == [("C1",)]
    comment = con.execute(
        "SELECT comment FROM duckdb_tables() WHERE schema_name = 'raw'"
    ).fetchall()[0][0]
    assert "--keep-raw" in comment
    # the next run without it leaves no copy behind
    load_folder(con, folder, stems=["contacts"])
    assert not con.execute("SELECT * FROM duckdb_schemas() WHERE schema_name = 'raw'").fetchall()


def test_malformed_rows_keep_their_raw_values_and_say_why(con, tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_bytes(
        b"contact_id,child_id,contact_datetime\n"
        b"K1,C1,2012-04-02\nK2,C2,2012-04-02,surplus,more\nK3,2012-04-02\nK4,C4,2012-04-02,\n"
    )
    assert load_csv(con, path, "contacts").status == "loaded"  # read and staged
    assert con.execute("SELECT contact_id, _line FROM staging.contacts").fetchall() == [
        ("K1", 2),
        ("K4", 5),  # an empty field after the last column is a trailing comma, not a fault
    ]
    assert con.execute(
        "SELECT contact_id, child_id, _column, _rule, _reason FROM quarantine.contacts "
        "ORDER BY _line"
    ).fetchall() == [
        (
            "K2",
            "C2",
            None,
            "malformed_row",
            "contacts.csv line 3: the row has 5 fields where the header has 3",
        ),
        (
            "K3",
            "2012-04-02",
            None,
            "malformed_row",
            "contacts.csv line 4: the row has 2 field(s) where the header has 3 (cut short?)",
        ),
    ]


def write_faulty_council(folder: Path) -> None:
    """A small council whose files carry several faults each; the needed three still load."""
    folder.mkdir()
    files = {
        # Windows-1252, a trailing comma on every data row, a NUL byte, an unknown source code
        "contacts.csv": b"contact_id,child_id,contact_datetime,source,team\n"
        b"K1,C1,2014-01-02 09:00,1A,\xa3 Caf\xe9,\n"
        b"K2,C2,2014-01-03 10:00,ZZ,North,\n"
        b"K3,C\x003,2014-01-03 11:00,1A,North,\n",
        # BOM and CRLF; a US date, a repeated id, a row with a field too many
        "referrals.csv": b"\xef\xbb\xbfreferral_id,child_id,contact_id,referral_date\r\n"
        b"R1,C1,K1,2014-01-02\r\n"
        b"R2,C2,K2,12/31/2013\r\n"
        b"R1,C3,,2014-01-04\r\n"
        b"R3,C2,K2,2014-01-05,oops\r\n",
        # completed before start; completed after the as-at date; completed after the day of
        # the run (implausible); the last line cut short
        "assessments.csv": b"assessment_id,child_id,referral_id,assessment_type,start_date,"
        b"completed_date\n"
        b"A1,C1,R1,SINGLE,2014-01-06,2014-01-01\n"
        b"A2,C2,R1,single,2014-01-06,2014-03-06\n"
        b"A4,C4,R1,SINGLE,2014-01-06,2031-01-06\n"
        b"A3,C3,R1,SINGLE,2014-01-0",
        # header in capitals with spaces; a plan ending before it starts
        "cp_plans.csv": b" Plan_ID ,CHILD_ID,start_date,end_date\nP1,C1,2014-02-01,2014-01-15\n",
        "population.csv": b"year,children_0_17\n",  # header only
        # files that fail as a whole
        "children.csv": "child_id,date_of_birth\nC1,2010-01-01\n".encode("utf-16"),
        "early_help.csv": b'episode_id,start_date\nE1,"2014-01-01\nE2,2014-01-02\n',
        "cp_reviews.csv": b"",
        "cp_visits.csv": b"plan_id,seen_alone\nP1,Y\n",
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    (folder / "workers.csv").mkdir()


def test_a_run_over_faults_in_many_files_publishes_and_reports_each(tmp_path):
    from tests.conftest import run_pipeline

    folder = tmp_path / "in"
    write_faulty_council(folder)
    run = run_pipeline(folder, tmp_path / "out")  # asserts the run succeeded and published

    with duckdb.connect(str(run.warehouse), read_only=True) as con:
        log = {
            stem: (status, rows, message)
            for stem, status, rows, message in con.execute(
                "SELECT stem, status, rows, message FROM audit.load_log"
            ).fetchall()
        }
        reconciled = {
            stem: con.execute(
                "SELECT (SELECT sum(rows_read) FROM audit.input_files WHERE stem = ?), "
                f"(SELECT count(*) FROM staging.{stem}) + (SELECT count(*) FROM quarantine.{stem})",
                [stem],
            ).fetchall()[0]
            for stem in ("contacts", "referrals", "assessments", "cp_plans", "population")
        }
        quarantined = set(
            con.execute(
                "SELECT stem, line, column_name, rule FROM marts.data_quality_rows "
                "WHERE kind = 'quarantine'"
            ).fetchall()
        )
        warnings = con.execute(
            "SELECT rule, stem, column_name, line FROM marts.data_quality_rows "
            "WHERE kind = 'rule' AND severity = 'warning' ORDER BY ALL"
        ).fetchall()
        counted = dict(
            con.execute(
                "SELECT rule || ' ' || stem || '.' || column_name, rows_failed "
                "FROM marts.data_quality WHERE kind = 'rule' AND rows_failed > 0 "
                "AND run_id = (SELECT max(run_id) FROM marts.data_quality_rows)"
            ).fetchall()
        )
        failed_files = {
            r[0]
            for r in con.execute(
                "SELECT stem FROM marts.data_quality WHERE rule = 'file_failed'"
            ).fetchall()
        }
        load_notes = " | ".join(
            r[0]
            for r in con.execute(
                "SELECT detail FROM marts.data_quality_rows WHERE rule = 'load_warning'"
            ).fetchall()
        )

    assert {s: v[0] for s, v in log.items() if v[0] != "absent"} == {
        "contacts": "loaded",
        "referrals": "loaded",
        "assessments": "loaded",
        "cp_plans": "loaded",
        "population": "loaded",
        "children": "failed",
        "early_help": "failed",
        "cp_reviews": "failed",
        "cp_visits": "failed",
        "workers": "failed",
    }
    assert log["children"][2].endswith(
        "children.csv: is UTF-16 (Excel's 'Unicode Text'): save it as CSV UTF-8"
    )
    assert "early_help.csv, line 2, column 'start_date': a quote" in log["early_help"][2]
    assert "cp_reviews.csv, line 1: file is empty" in log["cp_reviews"][2]
    assert "cp_visits.csv, line 1, column 'visit_date': required column" in log["cp_visits"][2]
    assert "workers.csv: is not a regular file: refused" in log["workers"][2]
    assert failed_files == {"children", "early_help", "cp_reviews", "cp_visits", "workers"}

    # nothing lost: every data row is staged or quarantined
    assert reconciled == {
        "contacts": (3, 3),
        "referrals": (4, 4),
        "assessments": (4, 4),
        "cp_plans": (1, 1),
        "population": (0, 0),
    }
    assert quarantined == {
        ("contacts", 4, None, "malformed_row"),
        ("referrals", 3, "referral_date", "not_a_date"),
        ("referrals", 4, "referral_id", "duplicate_id"),
        ("referrals", 5, None, "malformed_row"),
        ("assessments", 4, "completed_date", "implausible_date"),
        ("assessments", 5, None, "malformed_row"),
    }
    assert "Windows-1252" in load_notes and "trailing comma" in load_notes

    # findings that are not quarantine reasons: each reported once, as a warning
    expected = [
        ("after_as_at", "assessments", "completed_date", 3),
        ("date_order", "assessments", "completed_date", 2),
        ("date_order", "cp_plans", "end_date", 2),
        ("unknown_code", "contacts", "source", 3),
    ]
    assert [w for w in warnings if w in expected] == expected
    for rule, stem, column, _ in expected:
        assert counted[f"{rule} {stem}.{column}"] == 1
