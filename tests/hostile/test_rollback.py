"""`frontdoor rollback` republishes only what was published (issue 19, item 9): a release an
analyst changed (opened read-write, values set to -999) is refused, named, and the published
pair is left as it was."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.release import releases
from tests.conftest import ROOT

# Each release named a second after the one before, as if published a second apart.
pytestmark = pytest.mark.usefixtures("a_second_a_release")


def _publish(output: Path, tmp_path: Path, run: str, value: int) -> releases.Release:
    work = tmp_path / run
    work.mkdir()
    with duckdb.connect(str(work / "w.duckdb")) as con:
        con.execute("CREATE TABLE metric_values AS SELECT ? AS value", [value])
    (work / "r.html").write_text(f"<p>{value}</p>")
    release = releases.publish(output, run, work / "w.duckdb", work / "r.html", {"run_id": run})
    return release


def _value(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("SELECT value FROM metric_values").fetchone()[0]


def _two_releases(tmp_path: Path) -> tuple[Path, releases.Release, releases.Release]:
    output = tmp_path / "out"
    first = _publish(output, tmp_path, "run-0", 171)
    second = _publish(output, tmp_path, "run-1", 172)
    return output, first, second


def _analyst_sets_minus_999(release: releases.Release) -> None:
    release.warehouse.chmod(0o640 | 0o200)  # the owner can always make it writable
    with duckdb.connect(str(release.warehouse)) as con:
        con.execute("UPDATE metric_values SET value = -999")


def test_a_release_as_published_is_rolled_back_to(tmp_path):
    output, first, _ = _two_releases(tmp_path)
    assert set(first.manifest()["sha256"]) == {"warehouse.duckdb", "report.html"}
    assert releases.rollback(output).name == first.name
    assert _value(output / "warehouse.duckdb") == 171


def test_a_release_an_analyst_changed_is_refused_from_the_command_line(tmp_path):
    output, first, second = _two_releases(tmp_path)
    _analyst_sets_minus_999(first)
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "rollback", "--output", str(output)],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 1
    assert str(first.path) in done.stderr
    assert "warehouse.duckdb has changed since it was published" in done.stderr
    assert releases.current(output).name == second.name
    assert _value(output / "warehouse.duckdb") == 172


@pytest.mark.parametrize("change", ["report", "wal", "missing", "no checksum"])
def test_every_other_change_to_a_release_is_refused(change, tmp_path):
    output, first, second = _two_releases(tmp_path)
    if change == "report":
        first.report.chmod(0o600)
        first.report.write_text("<p>-999</p>")
    elif change == "wal":
        (first.path / "warehouse.duckdb.wal").write_bytes(b"\0" * 64)
    elif change == "missing":
        first.report.unlink()
    else:  # a release from before checksums were recorded
        manifest = first.path / "release.json"
        manifest.chmod(0o600)
        manifest.write_text('{"run_id": "run-0"}')
    with pytest.raises(releases.PublishError, match=str(first.path)):
        releases.rollback(output)
    assert releases.current(output).name == second.name
