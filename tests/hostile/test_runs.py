"""Hostile inputs through whole runs: what reaches the report, the audit and quality tables, the
console and Dagster's event log; --as-at at both extremes; a full disk."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.report import build_report
from tests.conftest import ROOT, build_warehouse, frontdoor_run_here, run_pipeline
from tests.hostile.builders import (
    IDENT,
    contract_csvs,
    headerless_csv,
    identifier_as_bad_census_values,
    identifier_as_bad_values,
    internal_names_in_a_workbook,
    internal_names_in_census,
    internal_names_in_csv,
)

FRONTDOOR = [sys.executable, "-m", "pipelines.cli", "run", "--settle-seconds", "0"]


def frontdoor(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*FRONTDOOR, *args], capture_output=True, text=True, cwd=ROOT, env=dict(os.environ)
    )


def texts_of(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...]) -> list[str]:
    """Every value of every table of the schemas, as text."""
    out = []
    for schema, table in con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE schema_name IN "
        f"({', '.join(repr(s) for s in schemas)})"
    ).fetchall():
        for row in con.execute(f'SELECT * FROM "{schema}"."{table}"').fetchall():
            out.append(f"{schema}.{table}: {row!r}")
    return out


def leaks(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Rows of the audit and quality tables that hold the planted identifier."""
    quality = texts_of(con, ("audit",)) + [
        t for t in texts_of(con, ("marts",)) if t.startswith("marts.data_quality")
    ]
    return [t for t in quality if IDENT in t or "Zabriskie" in t]


def hostile_council(folder: Path) -> Path:
    """Identifiers planted in column names, bad values, a header-less file, a link out of the
    folder, a file name holding a line end, and a team named as a link."""
    folder.mkdir()
    internal_names_in_csv(folder)  # contacts.csv, with the needed three
    sub = folder.parent / "values"
    sub.mkdir()
    identifier_as_bad_values(sub)
    shutil.copy(sub / "cp_plans.csv", folder / "cp_plans.csv")
    lines = (sub / "contacts.csv").read_text().splitlines()[1:]
    with (folder / "contacts.csv").open("a") as f:  # contact_ids K1-K4 again: duplicates too
        f.write("\n".join(lines) + "\n")
    (folder / "children.csv").write_text(f"C1,{IDENT},2005-01-01\n")  # header-less
    os.symlink("/etc/passwd", folder / "workers.csv")
    (folder / "early_help.csv\nFAILED everything").write_text(f"episode_id\n{IDENT}\n")
    return folder


@pytest.mark.slow
def test_no_planted_identifier_reaches_the_report_audit_quality_console_or_event_log(
    tmp_path, capfd
):
    folder = hostile_council(tmp_path / "in")
    code = frontdoor_run_here("--input", str(folder), "--output", str(tmp_path / "out"))
    console = "".join(capfd.readouterr())
    assert code == 0, console[-3000:]
    assert "done in" in console and "staging.contacts" in console, console
    assert IDENT not in console and "Zabriskie" not in console
    assert "Traceback" not in console
    # A file name holding a line end cannot forge a line of the output.
    assert not [line for line in console.splitlines() if line.startswith("FAILED everything")]
    report = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert IDENT not in report and "Zabriskie" not in report
    # The team named as a link is text on the page, never a link.
    assert '<a href="https://example.org"' not in report
    assert '<a href=\\"https://example.org\\"' not in report
    with duckdb.connect(str(tmp_path / "out" / "warehouse.duckdb"), read_only=True) as con:
        assert leaks(con) == []
        log = dict(con.execute("SELECT stem, status FROM audit.load_log").fetchall())
        rows = texts_of(con, ("staging", "quarantine"))
        # An input column named rowid cannot stand in for DuckDB's: the first copy of K1 is kept.
        kept = con.execute("SELECT _line FROM staging.contacts WHERE contact_id = 'K1'").fetchall()
        renamed = {
            r[0]
            for r in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'quarantine' "
                "AND table_name = 'contacts'"
            ).fetchall()
        }
    assert log["workers"] == "failed" and log["children"] == "failed"  # the link, the header
    # the rows themselves are kept, in staging and quarantine (row-level)
    assert any(IDENT in t for t in rows)
    assert kept == [(2,)]
    assert {"col_rowid", "col_rule", "col_source_file", "col_line"} <= renamed
    with dg.DagsterInstance.get() as instance:
        run = instance.get_runs(limit=1)[0]
        events = [
            f"{e.message} {e.dagster_event.event_specific_data if e.dagster_event else ''}"
            for e in instance.all_logs(run.run_id)
        ]
    assert run.run_config["resources"]["warehouse"]["config"]["input_dir"] == str(folder)
    assert not [e for e in events if IDENT in e or "Zabriskie" in e]


@pytest.mark.parametrize(
    "build",
    [internal_names_in_a_workbook, internal_names_in_census, identifier_as_bad_census_values],
    ids=lambda b: b.__name__,
)
def test_statutory_returns_keep_identifiers_out_of_audit_quality_and_report(build, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    build(folder)
    con = build_warehouse(folder, tmp_path / "w.duckdb")
    assert leaks(con) == []
    build_report(con, tmp_path / "report.html")
    assert IDENT not in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_a_header_less_file_is_refused_by_its_shape_not_its_contents(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    headerless_csv(folder)
    con = build_warehouse(folder, tmp_path / "w.duckdb")
    (message,) = con.execute(
        "SELECT message FROM audit.load_log WHERE stem = 'contacts'"
    ).fetchone()
    assert "required column(s) contact_id, child_id, contact_datetime missing" in message
    assert "3 field(s), none of the contract's columns (no header row?" in message
    assert IDENT not in message


@pytest.mark.parametrize(
    ("as_at", "words"),
    [
        ("9999-12-31", "outside the working-day calendar"),
        ("0001-01-01", "outside the working-day calendar"),
        ("2030-01-01", "is after today"),
    ],
)
def test_an_as_at_outside_the_data_is_refused_in_one_sentence(as_at, words, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    contract_csvs(folder)
    done = frontdoor("--input", str(folder), "--output", str(tmp_path / "out"), "--as-at", as_at)
    assert done.returncode == 1
    assert words in done.stderr and "Traceback" not in done.stderr + done.stdout
    assert not (tmp_path / "out" / "warehouse.duckdb").exists()


def test_an_as_at_before_the_earliest_record_is_refused_unless_anyway():
    import datetime as dt

    from pipelines.marts.run_info import AsAtError, decide_as_at

    con = duckdb.connect()
    con.execute("CREATE SCHEMA staging")
    con.execute("CREATE TABLE staging.referrals AS SELECT DATE '2012-04-02' AS referral_date")
    with pytest.raises(AsAtError, match="before the earliest contact or referral"):
        decide_as_at(con, dt.date(2000, 1, 1))
    as_at, _, first = decide_as_at(con, dt.date(2000, 1, 1), anyway=True)
    assert (as_at, first) == (dt.date(2000, 1, 1), dt.date(2000, 1, 1))


def _mount_tmpfs(path: Path, mib: int) -> bool:
    path.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={mib}m", "tmpfs", str(path)], capture_output=True
    )
    return done.returncode == 0


@pytest.mark.slow
def test_a_full_disk_is_named_leaves_nothing_behind_and_the_next_run_succeeds(
    small_council, tmp_path, capfd
):
    disk = tmp_path / "disk"
    if not _mount_tmpfs(disk, 96):
        pytest.skip("mounting a small file system needs root (CI runs as root)")
    try:
        filler = disk / "filler"
        subprocess.run(["fallocate", "-l", "88M", str(filler)], check=True)
        code = frontdoor_run_here("--input", str(small_council), "--output", str(disk / "out"))
        said = capfd.readouterr().err
        assert code == 1
        assert "the disk is full" in said or "not enough disk space" in said
        assert str(disk / "out") in said and "MiB" in said
        assert "Traceback" not in said
        assert not (disk / "out" / "warehouse.duckdb").exists()
        assert not list((disk / "out").glob("releases/.building-*"))
        filler.unlink()
        # The next run: it publishes, from what the full disk left behind.
        again = run_pipeline(small_council, disk / "out")
        assert again.warehouse.exists()
    finally:
        subprocess.run(["umount", str(disk)], check=False)
