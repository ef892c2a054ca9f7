"""Hostile inputs through the readers, each under a hard memory ceiling.

Every case is read in its own process whose address space is capped at CEILING_MIB with
RLIMIT_AS (tests/hostile/read_under_limit.py): a reader that tried to allocate past it would fail
there and then, whatever else the machine is doing. Each must end as expected (loaded, or its
file refused with a message naming the file and saying why), and no message or note may carry
the identifier planted in it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tracemalloc
from pathlib import Path

import duckdb
import pytest

from pipelines.sources.detect import survey
from pipelines.sources.load import load_csv
from tests.conftest import ROOT
from tests.hostile.builders import IDENT, READER_CASES, Hostile, contract_csvs, stray_large_file

# The readers' address space: Python, DuckDB and Polars take about 2 GiB of it before reading a
# byte (thread stacks and arenas reserved, not used); the largest workbook the limits admit
# (2,000,000 cells) peaks at 1.2 GB resident within it.
CEILING_MIB = 3072
_built: dict[str, Path] = {}


def build(case: Hostile, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The case's folder; the million-row workbook, used twice, is made once and copied."""
    folder = tmp_path_factory.mktemp("case") / "in"
    name = case.build.__name__
    if name != "million_rows":
        folder.mkdir()
        case.build(folder)
        return folder
    if name not in _built:
        _built[name] = tmp_path_factory.mktemp(name) / "in"
        _built[name].mkdir()
        case.build(_built[name])
    shutil.copytree(_built[name], folder)
    return folder


@pytest.mark.parametrize("case", READER_CASES, ids=[c.name for c in READER_CASES])
def test_each_hostile_input_is_read_in_bounded_memory_and_says_what_it_did(case, tmp_path_factory):
    folder = build(case, tmp_path_factory)
    env = {**os.environ, **dict(case.env)}
    done = subprocess.run(
        [sys.executable, "-m", "tests.hostile.read_under_limit", str(folder), str(CEILING_MIB)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, f"the reader died under {CEILING_MIB} MiB: {done.stderr[-2000:]}"
    assert IDENT not in done.stdout + done.stderr
    answer = json.loads(done.stdout.splitlines()[0])
    if case.expect == "no input":
        assert "error" in answer, answer
        assert str(folder) in answer["error"] and case.words in answer["error"], answer
        return
    if case.expect == "loaded":
        assert "error" not in answer, answer
        assert not [o for o in answer["outcomes"].values() if o[0] == "failed"], answer
        assert any(o[0] == "loaded" for o in answer["outcomes"].values())
        return
    messages = (
        [answer["error"]]
        if "error" in answer
        else [o[1] for o in answer["outcomes"].values() if o[0] == "failed"]
    )
    assert messages, answer
    for message in messages:
        assert message.startswith(str(folder) + "/"), message  # names the file
        assert case.words in message, message


def test_detection_reads_the_start_of_a_stray_large_file_only(tmp_path):
    stray_large_file(tmp_path)
    tracemalloc.start()
    try:
        seen = {s.file.name: s for s in survey(tmp_path)}
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1024 * 1024  # of a 30 MB file, 64 KiB was read
    assert seen["notes.csv"].kind is None
    assert "neither a contract extract nor an Annex A list" in seen["notes.csv"].why


def test_a_file_appended_while_it_is_read_is_refused(tmp_path, monkeypatch):
    import pipelines.sources.load as load

    contract_csvs(tmp_path)
    path = tmp_path / "contacts.csv"
    real = load.read_csv_extract

    def read_then_append(file, extract):
        read = real(file, extract)
        with Path(file).open("a") as f:  # the export is still writing
            f.write("K2,C2,2012-04-03\nK3,C3,20")
        return read

    monkeypatch.setattr(load, "read_csv_extract", read_then_append)
    con = duckdb.connect()
    outcome = load_csv(con, path, "contacts")
    assert outcome.status == "failed"
    assert outcome.message.startswith(str(path))
    assert "changed while it was being read" in outcome.message
    assert not con.execute(
        "SELECT * FROM information_schema.tables "
        "WHERE table_schema IN ('raw', 'staging', 'quarantine')"
    ).fetchall()


def test_there_are_at_least_25_hostile_cases():
    assert len(READER_CASES) >= 25
    assert len({c.name for c in READER_CASES}) == len(READER_CASES)
