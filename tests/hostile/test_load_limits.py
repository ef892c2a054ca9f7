"""The load path's limits (issue 19, items 5, 7, 8 and 10), each with its input built by code.

- 5: a CSV is never read whole past a documented size: a sparse 2 GB contacts.csv (a few KB on
  disk) is refused before a byte of it is read, naming the file and the limit, in little memory;
  the other files load.
- 7: a date outside the plausible window (before 1990, after the day of the run) is quarantined
  with its line: 9999-12-31 does not crash the run, 2045 does not become the as-at date, 1901
  does not open a century of periods.
- 8: a value over the text cap (1,000 characters) is quarantined; one over 64 KiB (a 10 MB team
  name) is cut by the reader to its start and its row quarantined; the run publishes.
- 10: a byte that is neither UTF-8 nor Windows-1252 quarantines its row, with its line; the run
  goes on.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.staging.build import TEXT_CAP
from tests.conftest import ROOT, Run, run_pipeline
from tests.hostile.builders import ASSESSMENTS, CONTACTS, contract_csvs

GB = 2**30
# The reader's address space, as tests/hostile/test_readers.py sets it: Python, DuckDB and
# Polars reserve about 2 GiB of it before reading a byte.
CEILING_MIB = 3072


def read_under_limit(folder: Path, env: dict[str, str] | None = None) -> tuple[dict, int]:
    """The load step over ``folder`` in its own process under CEILING_MIB: its answer and its
    peak resident memory in MiB."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.hostile.read_under_limit", str(folder), str(CEILING_MIB)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    peak_kib = int(done.stderr.strip().splitlines()[-1])
    return json.loads(done.stdout.splitlines()[0]), peak_kib // 1024


def sparse_contacts(folder: Path, size: int) -> Path:
    """contacts.csv: a header and one sound row, then a hole of NUL bytes up to ``size``."""
    path = folder / "contacts.csv"
    path.write_text(CONTACTS + "K1,C1,2012-04-02\n")
    with path.open("r+b") as f:
        f.truncate(size)
    return path


def test_a_sparse_2_gb_csv_is_refused_unread_naming_the_file_and_the_limit(tmp_path):
    contract_csvs(tmp_path)
    path = sparse_contacts(tmp_path, 2 * GB)
    assert path.stat().st_blocks * 512 < 1024 * 1024  # a few KB on disk
    answer, peak_mib = read_under_limit(tmp_path)
    status, message, _ = answer["outcomes"]["contacts"]
    assert status == "failed"
    assert message == (
        f"{path}: is 2,048 MiB, larger than the limit of 512 MiB for one CSV file "
        "(FRONTDOOR_CSV_MAX_MIB): refused"
    )
    assert answer["outcomes"]["referrals"][0] == "loaded"  # the others load
    assert answer["outcomes"]["assessments"][0] == "loaded"
    # Refused from its size alone: the reader's process holds Python, DuckDB and Polars (about
    # 105 MiB imported) and the other files it loads (about 175 MiB in all, measured with and
    # without contacts.csv alike), not the file: the unbounded reader took 6.5 GB.
    print(f"peak resident memory, sparse 2 GB contacts.csv: {peak_mib} MiB")
    assert peak_mib < 400


def test_a_sparse_csv_under_the_limit_is_read_and_its_nul_row_quarantined(tmp_path):
    # The limit lowered to 64 MiB; a 48 MiB hole of NULs is then one malformed row, set aside
    # with its line, and the sound row before it is staged.
    contract_csvs(tmp_path)
    sparse_contacts(tmp_path, 48 * 2**20)
    answer, peak_mib = read_under_limit(tmp_path, {"FRONTDOOR_CSV_MAX_MIB": "64"})
    status, message, warnings = answer["outcomes"]["contacts"]
    assert status == "loaded", message
    # one field (no comma in the hole), so it reads as a row cut short
    assert any("1 malformed row(s) quarantined, first at line 3" in w for w in warnings), warnings
    print(f"peak resident memory, sparse 48 MiB contacts.csv: {peak_mib} MiB")
    assert peak_mib < 1024  # the file several times over, and no more


TEN_MB_TEAM = "Duty and Assessment " * (10 * 2**20 // 20)
LONG_TEAM = "Children in Need " * 125  # 2,125 characters


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """One real run over a council whose contacts hold three implausible dates and a byte in no
    encoding, and whose referrals hold a 10 MB team name."""
    folder = tmp_path_factory.mktemp("hostile") / "in"
    folder.mkdir()
    contacts = [f"K{i},C{i},2012-0{i}-02" for i in range(1, 6)]  # lines 2-6, sound
    contacts += [
        "K6,C6,9999-12-31",  # line 7: OverflowError at as_of + 1 day, before
        "K7,C7,2045-06-01",  # line 8: published "as at 2045-06-01", before
        "K8,C8,1901-01-01",  # line 9: 131,781 metric values, before
    ]
    (folder / "contacts.csv").write_bytes(
        (CONTACTS + "\n".join(contacts) + "\n").encode() + b"K9,C\x819,2012-07-02\n"  # line 10
    )
    (folder / "referrals.csv").write_text(
        "referral_id,child_id,referral_date,team\n"
        "R1,C1,2012-01-03,North\n"
        f"R2,C2,2012-02-03,{TEN_MB_TEAM}\n"  # line 3
        "R3,C3,2012-03-03,South\n"
        f"R4,C4,2012-03-04,{LONG_TEAM}\n"  # line 5
    )
    (folder / "assessments.csv").write_text(ASSESSMENTS + "A1,C1,SINGLE,2012-01-04,2012-01-20\n")
    return run_pipeline(folder, tmp_path_factory.mktemp("hostile_out"))  # asserts it published


def quarantined(run: Run, stem: str) -> list[tuple]:
    with duckdb.connect(str(run.warehouse), read_only=True) as con:
        return con.execute(
            f"SELECT _line, _column, _rule, _reason FROM quarantine.{stem} ORDER BY _line"
        ).fetchall()


def test_implausible_dates_are_quarantined_never_the_as_at_or_the_first_period(hostile_run):
    rows = [q for q in quarantined(hostile_run, "contacts") if q[2] == "implausible_date"]
    with duckdb.connect(str(hostile_run.warehouse), read_only=True) as con:
        started = con.execute("SELECT started_at FROM marts.run_info").fetchall()[0][0]
    # The window ends on the day the run staged its input, in local time: the day it started,
    # or a later one for a run that went over midnight (a date taken when this module was
    # collected was a day behind a run that started after midnight).
    started_on = started.replace(tzinfo=dt.UTC).astimezone().date()
    days = [
        started_on + dt.timedelta(days=n) for n in range((dt.date.today() - started_on).days + 1)
    ]

    def implausible(day: dt.date) -> list[tuple]:
        window = f"a date outside the plausible window 1990-01-01 to {day} (the run date)"
        return [
            (line, "contact_datetime", "implausible_date",
             f"contacts.csv line {line}, column 'contact_datetime': {window}")
            for line in (7, 8, 9)
        ]  # fmt: skip

    assert rows in [implausible(day) for day in days]
    with duckdb.connect(str(hostile_run.warehouse), read_only=True) as con:
        as_at, first = con.execute("SELECT as_at, first_date FROM marts.run_info").fetchall()[0]
        periods = con.execute("SELECT count(*), min(period_start) FROM marts.periods").fetchall()
        findings = con.execute(
            "SELECT line FROM marts.data_quality_rows WHERE rule = 'implausible_date' ORDER BY line"
        ).fetchall()
    # the latest plausible contact or referral, and the earliest
    assert (as_at, first) == (dt.date(2012, 5, 2), dt.date(2012, 1, 2))
    count, start = periods[0]
    assert start >= dt.date(2011, 4, 1) and count < 40, periods  # months, quarters and years
    assert findings == [(7,), (8,), (9,)]  # findings, each with its line


def test_text_over_the_cap_is_quarantined_and_the_run_publishes(hostile_run):
    assert quarantined(hostile_run, "referrals") == [
        (
            3,
            None,
            "malformed_row",
            "referrals.csv line 3: the row holds a value in column 'team' longer than the limit "
            "of 65,536 bytes (kept cut to its first 1,000 characters)",
        ),
        (
            5,
            "team",
            "too_long",
            f"referrals.csv line 5, column 'team': is {len(LONG_TEAM):,} characters long, "
            f"over the cap of {TEXT_CAP:,}",
        ),
    ]
    with duckdb.connect(str(hostile_run.warehouse), read_only=True) as con:
        kept = con.execute(
            "SELECT _line, length(team), _value FROM quarantine.referrals"
        ).fetchall()
        staged = con.execute("SELECT referral_id FROM staging.referrals ORDER BY 1").fetchall()
        longest = con.execute("SELECT max(length(team)) FROM marts.fact_referrals").fetchall()
    # the 10 MB name is kept by its start only; the 2,125 characters whole, _value its start
    assert kept == [
        (3, 1000, None),
        (5, len(LONG_TEAM), LONG_TEAM[:TEXT_CAP] + " ..."),
    ]
    assert staged == [("R1",), ("R3",)]
    assert longest == [(5,)]  # "North", "South": neither long name reached a mart
    assert hostile_run.report.stat().st_size < 5 * 2**20


def test_a_byte_in_no_encoding_quarantines_its_row_with_its_line(hostile_run):
    rows = [q for q in quarantined(hostile_run, "contacts") if q[2] == "malformed_row"]
    assert rows == [
        (
            10,
            None,
            "malformed_row",
            "contacts.csv line 10: the row holds the byte 0x81, which is neither UTF-8 nor "
            "Windows-1252",
        )
    ]
    with duckdb.connect(str(hostile_run.warehouse), read_only=True) as con:
        read, staged, gone = con.execute(
            "SELECT rows_read, staged, quarantined FROM audit.input_files WHERE stem = 'contacts'"
        ).fetchall()[0]
    assert (read, staged, gone) == (9, 5, 4)  # the run went on: every other row is accounted for
