"""The README's run: every input row is accounted for, from file to raw to staging."""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.contract import EXTRACTS
from pipelines.cores import VARIABLE, cores
from pipelines.marts.metrics import UNSUPPORTED_METRICS
from tests.conftest import build_warehouse, run_pipeline


def data_rows(path: Path) -> int:
    """Data records in a CSV, counted by Python's csv module (quoted newlines are one record)."""
    with path.open(newline="", encoding="utf-8-sig") as f:
        return sum(1 for _ in csv.reader(f)) - 1


def test_every_data_row_is_read_and_read_is_staging_plus_quarantine(sample_run):
    # provable from the published warehouse alone: audit.input_files says what came in from
    # each file (its digest, its rows read), and staging and quarantine hold every one of them
    with duckdb.connect(str(sample_run.warehouse), read_only=True) as con:
        for e in EXTRACTS:
            path = sample_run.input_dir / e.filename
            if not path.exists():
                continue
            name, size, digest, read, staged, quarantined = con.execute(
                "SELECT name, bytes, sha256, rows_read, staged, quarantined "
                "FROM audit.input_files WHERE stem = ?",
                [e.stem],
            ).fetchall()[0]
            assert (name, size) == (path.name, path.stat().st_size)
            assert digest == hashlib.sha256(path.read_bytes()).hexdigest()
            assert read == data_rows(path), e.filename
            assert read == staged + quarantined, e.filename
            in_tables = con.execute(
                f"SELECT (SELECT count(*) FROM staging.{e.stem}), "
                f"(SELECT count(*) FROM quarantine.{e.stem})"
            ).fetchall()[0]
            assert in_tables == (staged, quarantined), e.filename
        # no second copy of every row (issue 23)
        schemas = {r[0] for r in con.execute("SELECT schema_name FROM duckdb_tables()").fetchall()}
        assert "raw" not in schemas


def test_the_library_build_the_tests_use_gives_the_jobs_figures(
    small_council_run, tmp_path, monkeypatch
):
    """tests/conftest.py's build_warehouse (the job's library calls, no Dagster) makes every
    fact and metric table the Dagster job published, row for row: tests that examine figures,
    not the run, build with it. The job ran on this worker's share of the cores (one DuckDB
    thread of two, tests/conftest.py); this builds with another number of threads (every core),
    so the figures are shown not to depend on them either."""
    other = cores() if os.environ[VARIABLE] == "1" else 1
    monkeypatch.setenv(VARIABLE, str(other))
    con = build_warehouse(small_council_run.input_dir, tmp_path / "w.duckdb")
    assert con.execute("SELECT current_setting('threads')").fetchall() == [(other,)]
    with duckdb.connect(str(small_council_run.warehouse), read_only=True) as job:
        tables = [
            name
            for (name,) in job.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' AND "
                "(table_name LIKE 'fact%' OR table_name LIKE 'metric%') ORDER BY 1"
            ).fetchall()
        ]
        assert len(tables) > 30 and "metric_values" in tables
        for table in tables:
            query = f"SELECT * FROM marts.{table} ORDER BY ALL"
            assert con.execute(query).fetchall() == job.execute(query).fetchall(), table
    con.close()


def test_the_run_writes_metrics_and_a_report(sample_run):
    with duckdb.connect(str(sample_run.warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM marts.metric_values").fetchall()[0][0] > 0
        log = con.execute("SELECT stem, status FROM audit.load_log ORDER BY stem").fetchall()
    assert all(status == "loaded" for _, status in log), log
    assert sample_run.report.stat().st_size > 0


UNCOMMENTED = """
SELECT schema_name || '.' || table_name FROM duckdb_tables()
WHERE database_name = current_database() AND coalesce(comment, '') = ''
UNION ALL
SELECT schema_name || '.' || table_name || '.' || column_name FROM duckdb_columns()
WHERE database_name = current_database() AND NOT internal AND coalesce(comment, '') = ''
"""


def test_every_table_and_column_of_every_schema_says_what_it_is(sample_run):
    with duckdb.connect(str(sample_run.warehouse), read_only=True) as con:
        schemas = {
            r[0] for r in con.execute("SELECT DISTINCT schema_name FROM duckdb_tables()").fetchall()
        }
        uncommented = [r[0] for r in con.execute(UNCOMMENTED).fetchall()]
    assert {"staging", "quarantine", "audit", "ref", "marts"} <= schemas
    assert uncommented == []


def test_no_comment_or_doc_points_at_a_file_outside_the_repository(sample_run):
    root = Path(__file__).resolve().parents[1]
    texts = [
        p.read_text()
        for p in root.glob("**/*")
        if p.suffix in {".py", ".sql", ".md", ".ipynb"}
        and ".venv" not in p.parts
        and p.name != "test_run.py"
    ]
    with duckdb.connect(str(sample_run.warehouse), read_only=True) as con:
        texts += [
            r[0] or ""
            for r in con.execute(
                "SELECT comment FROM duckdb_columns() UNION ALL SELECT comment FROM duckdb_tables()"
            ).fetchall()
        ]
    assert not [t for t in texts if "spec/metrics.md" in t or "spec/extracts.md" in t]


FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"
needs_fixtures = pytest.mark.skipif(
    not FIXTURES.is_dir(), reason="../shared/fixtures is absent (shared reference files)"
)


@needs_fixtures
@pytest.mark.parametrize(
    ("kind", "files"),
    [
        ("annex_a", ["annex_a/liia_Annex_A_2024_Jan.xlsx"]),
        (
            "cin_census",
            ["cin_census/d2i_CIN_Census_2021.xml", "cin_census/d2i_CIN_Census_2024.xml"],
        ),
    ],
)
def test_a_statutory_return_runs_through_the_same_job(kind, files, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in files:
        shutil.copy(FIXTURES / name, folder)
    run = run_pipeline(folder, tmp_path / "out")
    with duckdb.connect(str(run.warehouse), read_only=True) as con:
        formats = con.execute("SELECT DISTINCT format FROM audit.load_log").fetchall()
        written = {
            m
            for (m,) in con.execute("SELECT DISTINCT metric_id FROM marts.metric_values").fetchall()
        }
        findings = con.execute("SELECT count(*) FROM audit.reader_findings").fetchall()[0][0]
    assert formats == [(kind,)]
    assert "referrals" in written
    # What the format cannot carry is not written, rather than written as a false zero.
    assert not written & set(UNSUPPORTED_METRICS[kind])
    assert findings > 0  # the fixtures' oddities are reported, not crashed on
