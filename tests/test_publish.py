"""Releases: the warehouse and the report are published as a pair, switched in one step.

An analyst's open connection never blocks a run; a failed or killed run leaves the published pair
as it was; an analyst's read-write session cannot break the next release; the published file
opens in the oldest DuckDB frontdoor supports; releases are kept, rolled back and read-only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.release import releases
from pipelines.run.warehouse import connect as connect_warehouse
from tests.conftest import ROOT, copy_run, run_pipeline

DUCKDB_CLI = Path(sys.executable).parent / "duckdb"


def as_at_of(warehouse: Path) -> dt.date:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("SELECT as_at FROM marts.run_info").fetchall()[0][0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pair(output: Path) -> tuple[Path, Path]:
    """The real files behind the two published names."""
    return (output / "warehouse.duckdb").resolve(), (output / "report.html").resolve()


def assert_pair_belongs_together(output: Path) -> None:
    warehouse, report = pair(output)
    assert warehouse.parent == report.parent, "the published names point into two releases"
    manifest = json.loads((warehouse.parent / "release.json").read_text())
    with duckdb.connect(str(warehouse), read_only=True) as con:
        run_id = con.execute("SELECT run_id FROM marts.run_info").fetchall()[0][0]
        assert con.execute("SELECT count(*) FROM marts.metric_values").fetchall()[0][0] > 0
    assert manifest["run_id"] == run_id
    assert report.stat().st_size > 0


def test_a_failed_run_leaves_the_published_pair_as_it_was(
    small_council_run, small_council, tmp_path
):
    published = copy_run(small_council_run, tmp_path / "out")
    before = pair(published.output)
    fingerprints = [digest(p) for p in before]

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
    from pipelines.run.job import run

    assert not run(broken, published.output)
    assert pair(published.output) == before
    assert [digest(p) for p in before] == fingerprints
    assert_pair_belongs_together(published.output)


def test_a_great_expectations_step_failing_after_the_release_leaves_the_release_published(
    small_council_run, small_council, tmp_path, capfd, monkeypatch
):
    """Great Expectations' answers are taken after the release and hold nothing back. When its
    worker cannot answer (it died, or a line of its output could not be read), the run says
    what stopped that step and that the release stands, and says it published, which it did:
    not that the published pair is as it was."""
    import dagster as dg

    from pipelines.run.job import run
    from pipelines.validation.gx_worker import GxChannel, GxWorkerError

    published = copy_run(small_council_run, tmp_path / "out")
    before = pair(published.output)

    def unreadable(worker: GxChannel, stem: str) -> None:
        raise GxWorkerError(f"{stem}: an answer could not be read")

    monkeypatch.setattr(GxChannel, "result", unreadable)  # a worker's or the service's
    with dg.DagsterInstance.ephemeral() as instance:
        result = run(small_council, published.output, dt.date(2013, 3, 31), instance=instance)
    said = capfd.readouterr()
    assert result is True
    stands = r"^  \w+: an answer could not be read \(after the release, which stands\)$"
    assert re.search(stands, said.err, re.M), said.err
    assert "done in" in said.out and "as they were" not in said.err
    assert pair(published.output) != before
    assert as_at_of(published.warehouse) == dt.date(2013, 3, 31)
    assert_pair_belongs_together(published.output)


class Killed(BaseException):
    """Stands in for SIGKILL: nothing catches it, so no clean-up runs, as after a real kill."""


def _fresh(tmp_path: Path, name: str, as_at: str) -> tuple[Path, Path]:
    """A tiny closed warehouse and report to publish, marked with as_at."""
    folder = tmp_path / name
    folder.mkdir()
    warehouse, report = folder / "work.duckdb", folder / "report.html"
    with connect_warehouse(warehouse) as con:
        con.execute("CREATE SCHEMA marts")
        con.execute(
            f"CREATE TABLE marts.run_info AS SELECT '{name}' AS run_id, DATE '{as_at}' AS as_at"
        )
        con.execute("CREATE TABLE marts.metric_values AS SELECT 1 AS value")
    report.write_text(f"<html>{name}</html>")
    return warehouse, report


def test_a_kill_at_any_point_of_publishing_leaves_a_pair_that_belongs_together(
    tmp_path, monkeypatch
):
    output = tmp_path / "out"
    first = _fresh(tmp_path, "run-1", "2013-03-31")
    releases.publish(output, "run-1", *first, {"run_id": "run-1"})
    second = _fresh(tmp_path, "run-2", "2014-03-31")
    # Kill the second publish at each file-system step in turn, until one gets through.
    calls = {"n": 0, "kill_at": 0}
    real = {name: getattr(os, name) for name in ("replace", "symlink", "chmod", "fsync", "mkdir")}
    real_copy = shutil.copyfile

    def killer(name, fn):
        def step(*args, **kwargs):
            calls["n"] += 1
            if calls["n"] == calls["kill_at"]:
                raise Killed(name)
            return fn(*args, **kwargs)

        return step

    for name, fn in real.items():
        monkeypatch.setattr(os, name, killer(name, fn))
    monkeypatch.setattr(shutil, "copyfile", killer("copyfile", real_copy))
    for kill_at in range(1, 200):
        calls.update(n=0, kill_at=kill_at)
        try:
            releases.publish(output, "run-2", *second, {"run_id": "run-2"})
        except Killed:
            assert_pair_belongs_together(output)
            continue
        break
    else:
        pytest.fail("publishing never completed")
    monkeypatch.undo()
    assert kill_at > 10  # it was killed at every step before it got through
    assert_pair_belongs_together(output)
    assert as_at_of(output / "warehouse.duckdb") == dt.date(2014, 3, 31)
    # What the killed attempts left behind is gone after the next publish, whatever its age.
    third = _fresh(tmp_path, "run-3", "2015-03-31")
    releases.publish(output, "run-3", *third, {"run_id": "run-3"})
    assert not list((output / "releases").glob(".building-*"))
    assert not [p for p in output.iterdir() if p.name.endswith(".tmp")]


KILLED_MID_WRITE = """
import os, sys, duckdb
con = duckdb.connect(sys.argv[1])  # read-write: the owner of the file can
con.execute("CREATE TABLE marts.my_notes AS SELECT range AS n FROM range(100000)")
print("written", flush=True)
os.kill(os.getpid(), 9)
"""


def _kill_a_run_after(small_council: Path, output: Path, kill_after: str) -> None:
    """A `frontdoor run` process, SIGKILLed once its console says ``kill_after``."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "run", "--input", str(small_council),
         "--output", str(output)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )  # fmt: skip
    try:
        for line in proc.stdout:
            if kill_after in line:
                proc.send_signal(signal.SIGKILL)
                break
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, f"the run ended before {kill_after}"


@pytest.mark.slow
def test_after_killed_runs_an_analysts_killed_session_and_an_open_reader_the_next_run_publishes(
    small_council_run, small_council, tmp_path
):
    """What can happen to an output folder between two runs, all before one run (each run
    costs seconds, so the three share it): runs killed at three points; an analyst's
    read-write session killed mid-write; an analyst's read-only connection left open."""
    published = copy_run(small_council_run, tmp_path)
    before = pair(tmp_path)
    fingerprints = [digest(p) for p in before]
    # 1. Killed runs leave the published pair as it was, byte for byte.
    for kill_after in ("staging.referrals:", "validation:", "marts:"):
        _kill_a_run_after(small_council, tmp_path, kill_after)
        assert pair(tmp_path) == before
        assert [digest(p) for p in before] == fingerprints
    # 2. An analyst's read-write session on the published warehouse, killed mid-write: its
    # write-ahead log lies beside its own release's file, never beside the published name.
    analyst = subprocess.run(
        [sys.executable, "-c", KILLED_MID_WRITE, str(published.warehouse)],
        capture_output=True,
        text=True,
    )
    assert analyst.returncode == -signal.SIGKILL and "written" in analyst.stdout
    assert not (tmp_path / "warehouse.duckdb.wal").exists()
    # 3. An analyst's read-only connection, open through the next run. The release was
    # published as at its latest contact or referral date: Friday 28 March 2014 (the generated
    # council of 2,000 children has some three contacts in four working days, none on Monday
    # 31st); the next run is as at 31 March 2013, to tell the two apart.
    reader = duckdb.connect(str(published.warehouse), read_only=True)
    try:
        yesterday = reader.execute("SELECT as_at FROM marts.run_info").fetchall()[0][0]
        run_pipeline(small_council, tmp_path, as_at=dt.date(2013, 3, 31), history=True)
        # The analyst still reads yesterday's release; a new connection sees today's.
        assert reader.execute("SELECT as_at FROM marts.run_info").fetchall()[0][0] == yesterday
    finally:
        reader.close()
    assert yesterday == dt.date(2014, 3, 28)
    assert as_at_of(published.warehouse) == dt.date(2013, 3, 31)
    # The run marked the killed runs failed, freed their claim on the warehouse and published.
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        unfinished = instance.get_run_records(
            filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED])
        )
        assert unfinished == []
    assert pair(tmp_path) != before
    assert_pair_belongs_together(tmp_path)
    with duckdb.connect(str(published.warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM marts.metric_values").fetchall()[0][0] > 0
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert "my_notes" not in tables  # analysts' writes never reach a release


def test_releases_are_kept_rolled_back_and_read_only_to_their_readers(
    sample_run, tmp_path, a_second_a_release
):
    output = tmp_path / "out"
    for i, as_at in enumerate(("2012-03-31", "2013-03-31", "2014-03-31")):
        warehouse, report = _fresh(tmp_path, f"run-{i}", as_at)
        releases.publish(output, f"run-{i}", warehouse, report, {"run_id": f"run-{i}"}, keep=2)
    kept = releases.releases(output)
    assert [r.path.name[-5:] for r in kept] == ["run-1", "run-2"]
    assert as_at_of(output / "warehouse.duckdb") == dt.date(2014, 3, 31)
    for path in (kept[-1].warehouse, kept[-1].report):
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert stat.S_IMODE(kept[-1].path.stat().st_mode) == 0o750
    assert releases.rollback(output).name == kept[0].name
    assert as_at_of(output / "warehouse.duckdb") == dt.date(2013, 3, 31)
    assert_pair_belongs_together(output)
    with pytest.raises(releases.PublishError, match="oldest release kept"):
        releases.rollback(output)
    # The real run's release: the same modes.
    assert stat.S_IMODE(sample_run.warehouse.resolve().stat().st_mode) == 0o640


def test_rollback_from_the_command_line(tmp_path, a_second_a_release):
    output = tmp_path / "out"
    for i, as_at in enumerate(("2012-03-31", "2013-03-31")):
        releases.publish(output, f"run-{i}", *_fresh(tmp_path, f"run-{i}", as_at), {})
    result = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "rollback", "--output", str(output)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "run-0" in result.stdout
    assert as_at_of(output / "warehouse.duckdb") == dt.date(2012, 3, 31)


def test_a_full_disk_names_the_path_and_space_and_leaves_nothing(tmp_path, monkeypatch):
    output = tmp_path / "out"
    releases.publish(output, "run-1", *_fresh(tmp_path, "run-1", "2013-03-31"), {})
    before = pair(output)
    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(releases.shutil, "disk_usage", lambda path: usage._replace(free=1024))
    with pytest.raises(releases.PublishError, match=r"needs [\d.,]+ MiB and 0.0 MiB is free"):
        releases.publish(output, "run-2", *_fresh(tmp_path, "run-2", "2014-03-31"), {})
    assert pair(output) == before
    assert not list((output / "releases").glob(".building-*"))


@pytest.mark.skipif(
    not DUCKDB_CLI.exists(), reason="the duckdb-cli dev dependency is not installed"
)
def test_the_published_warehouse_opens_in_duckdb_1_4_with_its_comments(sample_run):
    version = subprocess.run([str(DUCKDB_CLI), "-version"], capture_output=True, text=True)
    assert version.stdout.startswith("v1.4."), version.stdout
    query = (
        "SELECT count(*) FROM marts.metric_values; "
        "SELECT comment FROM duckdb_tables() WHERE table_name = 'metric_values'; "
        "SELECT count(*) FROM duckdb_columns() WHERE schema_name = 'marts' AND comment IS NULL;"
    )
    result = subprocess.run(
        [str(DUCKDB_CLI), "-readonly", "-csv", "-noheader", str(sample_run.warehouse), "-c", query],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    rows, comment, uncommented = result.stdout.strip().splitlines()
    assert int(rows) > 1000
    assert "Every figure" in comment
    assert uncommented == "0"
