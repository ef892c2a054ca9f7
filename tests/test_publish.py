"""Atomic publish: a failed or killed run leaves the old warehouse readable, and an analyst's
open read-only connection does not stop the next run."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from tests.conftest import run_pipeline


def as_at_of(warehouse: Path) -> dt.date:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("SELECT as_at FROM marts.run_info").fetchall()[0][0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_open_read_only_connection_does_not_block_the_next_run(small_council, tmp_path):
    first = run_pipeline(small_council, tmp_path, as_at=dt.date(2012, 3, 31))
    analyst = duckdb.connect(str(first.warehouse), read_only=True)
    try:
        before = analyst.execute("SELECT as_at FROM marts.run_info").fetchall()[0][0]
        run_pipeline(small_council, tmp_path, as_at=dt.date(2013, 3, 31))
        # The analyst still reads yesterday's file; a new connection sees today's.
        assert analyst.execute("SELECT as_at FROM marts.run_info").fetchall()[0][0] == before
    finally:
        analyst.close()
    assert before == dt.date(2012, 3, 31)
    assert as_at_of(first.warehouse) == dt.date(2013, 3, 31)


def test_a_failed_run_leaves_the_published_warehouse_as_it_was(small_council, tmp_path):
    published = run_pipeline(small_council, tmp_path / "out")
    fingerprint = digest(published.warehouse)

    broken = tmp_path / "broken"
    shutil.copytree(small_council, broken)
    contacts = broken / "contacts.csv"
    lines = contacts.read_text().splitlines()
    # Drop the required contact_datetime column: the run cannot go on without contacts.
    header = lines[0].split(",")
    drop = header.index("contact_datetime")
    contacts.write_text(
        "\n".join(",".join(c for i, c in enumerate(line.split(",")) if i != drop) for line in lines)
        + "\n"
    )
    from pipelines.cli import run

    assert not run(broken, published.warehouse, published.report)
    assert digest(published.warehouse) == fingerprint
    assert as_at_of(published.warehouse)  # still a readable warehouse


def test_a_killed_run_leaves_the_published_warehouse_readable(small_council, tmp_path):
    published = run_pipeline(small_council, tmp_path)
    fingerprint = digest(published.warehouse)

    run = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipelines.cli",
            "run",
            "--input",
            str(small_council),
            "--warehouse",
            str(published.warehouse),
            "--report",
            str(published.report),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # Kill it as soon as it has started writing its new warehouse.
        deadline = time.monotonic() + 120
        while not list(tmp_path.glob("warehouse.duckdb.*.building")):
            assert run.poll() is None, "the run ended before it began building"
            assert time.monotonic() < deadline, "the run never began building"
            time.sleep(0.01)
        run.send_signal(signal.SIGKILL)
    finally:
        run.wait()
    assert run.returncode == -signal.SIGKILL
    assert digest(published.warehouse) == fingerprint
    with duckdb.connect(str(published.warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM marts.metric_values").fetchall()[0][0] > 0
