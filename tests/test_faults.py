"""Planted faults: each is reported exactly once, under its rule, at its file and line; nothing
else changes; and the good rows still produce every metric."""

import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.generate.faults import plant_faults
from tests.conftest import build_warehouse

EXPECTED_RULES = {
    ("quarantine", "not_a_datetime"),
    ("quarantine", "not_a_date"),
    ("quarantine", "duplicate_id"),
    ("quarantine", "required"),
    ("quarantine", "unknown_code"),
    ("rule", "unknown_code"),
    ("rule", "date_order"),
    ("rule", "after_as_at"),
    ("rule", "before_birth"),
    ("cross_file", "orphan_referral"),
    ("cross_file", "orphan_child"),
    ("cross_file", "orphan_plan"),
    ("cross_file", "overlapping_plans"),
    ("cross_file", "two_open_referrals"),
    ("cross_file", "plan_without_s47"),
}


def build(folder: Path, path: Path) -> duckdb.DuckDBPyConnection:
    """Load, stage, validate and build the marts, as the job does, into ``path``."""
    return build_warehouse(folder, path)


def findings(con: duckdb.DuckDBPyConnection) -> set[tuple]:
    return set(
        con.execute(
            "SELECT kind, rule, stem, line FROM marts.data_quality_rows WHERE kind <> 'load'"
        ).fetchall()
    )


@pytest.fixture(scope="module")
def councils(small_council: Path, tmp_path_factory: pytest.TempPathFactory):
    """The small council clean and with faults planted, each built into a warehouse."""
    tmp = tmp_path_factory.mktemp("faults")
    faulted = tmp / "faulted"
    shutil.copytree(small_council, faulted)
    planted = plant_faults(faulted, seed=11)
    clean = build(small_council, tmp / "clean.duckdb")
    dirty = build(faulted, tmp / "faulted.duckdb")
    yield planted, clean, dirty, faulted
    clean.close()
    dirty.close()


def test_the_known_set_of_faults_is_planted(councils):
    planted, *_ = councils
    assert {(p.kind, p.rule) for p in planted} == EXPECTED_RULES
    assert len(planted) == 17
    assert len({(p.stem, p.line) for p in planted}) == len(planted)


def test_each_planted_line_holds_the_planted_row(councils):
    planted, _, _, folder = councils
    for p in planted:
        lines = (folder / p.file).read_text(encoding="utf-8").splitlines()
        assert lines[p.line - 1].startswith("ZZF"), p  # every planted row has a ZZF id


def test_each_fault_is_reported_exactly_once_under_its_rule(councils):
    planted, _, dirty, _ = councils
    for p in planted:
        rows = dirty.execute(
            "SELECT kind, rule, column_name FROM marts.data_quality_rows "
            "WHERE stem = ? AND line = ? AND kind <> 'load'",
            [p.stem, p.line],
        ).fetchall()
        assert len(rows) == 1, (p, rows)
        kind, rule, column = rows[0]
        assert (kind, rule) == (p.kind, p.rule), p
        if p.kind != "cross_file":  # a whole-row rule names no column
            assert column == p.column, p


def test_nothing_but_the_planted_faults_is_new(councils):
    planted, clean, dirty, _ = councils
    new = findings(dirty) - findings(clean)
    assert new == {(p.kind, p.rule, p.stem, p.line) for p in planted}
    assert findings(clean) <= findings(dirty)  # appending rows hides no earlier finding


def test_data_quality_counts_match_the_planted_faults(councils):
    planted, clean, dirty, _ = councils

    def counts(con: duckdb.DuckDBPyConnection) -> dict[tuple, int]:
        return {
            (r[0], r[1], r[2]): r[3]
            for r in con.execute(
                "SELECT kind, rule, stem, sum(rows_failed) FROM marts.data_quality "
                "WHERE kind <> 'load' GROUP BY ALL"
            ).fetchall()
        }

    before, after = counts(clean), counts(dirty)
    for p in planted:
        key = (p.kind, p.rule, p.stem)
        expected = sum(1 for q in planted if (q.kind, q.rule, q.stem) == key)
        assert after[key] - before.get(key, 0) == expected, key


def test_good_rows_still_produce_every_metric(councils):
    _, clean, dirty, _ = councils

    def metrics(con: duckdb.DuckDBPyConnection) -> set[str]:
        return {
            r[0]
            for r in con.execute(
                "SELECT DISTINCT metric_id FROM marts.metric_values WHERE value IS NOT NULL"
            ).fetchall()
        }

    assert metrics(clean)
    assert metrics(dirty) == metrics(clean)
    # Rows read = staging + quarantine for every file, faults and all.
    for stem in ("contacts", "referrals", "assessments", "s47_enquiries", "cp_plans", "cp_visits"):
        raw, staged, quarantined = dirty.execute(
            "SELECT (SELECT sum(rows_read) FROM audit.input_files WHERE stem = ?), "
            f"(SELECT count(*) FROM staging.{stem}), (SELECT count(*) FROM quarantine.{stem})",
            [stem],
        ).fetchall()[0]
        assert raw == staged + quarantined, stem


def test_the_same_seed_plants_the_same_faults(small_council, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(small_council, a)
    shutil.copytree(small_council, b)
    assert plant_faults(a, seed=3) == plant_faults(b, seed=3)
    assert (a / "contacts.csv").read_bytes() == (b / "contacts.csv").read_bytes()


def test_a_faulted_council_through_the_job_and_history_across_runs(
    small_council, small_council_run, tmp_path
):
    """`frontdoor run` on a faulted council, into the output of the session's clean run of the
    same council: the published warehouse reports every planted fault, and keeps the clean
    run's rows beside its own."""
    from tests.conftest import copy_run, run_pipeline

    clean = copy_run(small_council_run, tmp_path / "out")
    with duckdb.connect(str(clean.warehouse), read_only=True) as con:
        (run_id,) = con.execute("SELECT DISTINCT run_id FROM marts.data_quality").fetchall()[0]
        published = con.execute("SELECT count(*) FROM marts.data_quality").fetchall()[0][0]
    folder = tmp_path / "in"
    shutil.copytree(small_council, folder)
    planted = plant_faults(folder, seed=5)
    run = run_pipeline(folder, tmp_path / "out")
    with duckdb.connect(str(run.warehouse), read_only=True) as con:
        found = set(
            con.execute(
                "SELECT kind, rule, stem, line FROM marts.data_quality_rows WHERE run_id <> ?",
                [run_id],
            ).fetchall()
        )
        carried = con.execute(
            "SELECT count(*) FROM marts.data_quality WHERE run_id = ?", [run_id]
        ).fetchall()[0][0]
        runs = con.execute("SELECT count(DISTINCT run_id) FROM marts.data_quality").fetchall()
    assert {(p.kind, p.rule, p.stem, p.line) for p in planted} <= found
    assert carried == published and runs == [(2,)]
