"""The README's run: every input row is accounted for, from file to raw to staging."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from pipelines.contract import EXTRACTS


def data_rows(path: Path) -> int:
    """Data records in a CSV, counted by Python's csv module (quoted newlines are one record)."""
    with path.open(newline="", encoding="utf-8-sig") as f:
        return sum(1 for _ in csv.reader(f)) - 1


def test_raw_holds_every_data_row_and_raw_is_staging_plus_quarantine(sample_run):
    with duckdb.connect(str(sample_run.warehouse), read_only=True) as con:
        for e in EXTRACTS:
            path = sample_run.input_dir / e.filename
            if not path.exists():
                continue
            raw = con.execute(f"SELECT count(*) FROM raw.{e.stem}").fetchall()[0][0]
            staged = con.execute(f"SELECT count(*) FROM staging.{e.stem}").fetchall()[0][0]
            quarantined = con.execute(f"SELECT count(*) FROM quarantine.{e.stem}").fetchall()[0][0]
            assert raw == data_rows(path), e.filename
            assert raw == staged + quarantined, e.filename


def test_the_run_writes_metrics_and_a_report(sample_run):
    with duckdb.connect(str(sample_run.warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM marts.metric_values").fetchall()[0][0] > 0
        log = con.execute("SELECT stem, status FROM audit.load_log ORDER BY stem").fetchall()
    assert all(status == "loaded" for _, status in log), log
    assert sample_run.report.stat().st_size > 0
