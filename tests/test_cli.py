"""The `frontdoor` command's own arguments (the run itself is tested end to end elsewhere)."""

from __future__ import annotations

import pytest

from pipelines.cli import main
from pipelines.contract import EXTRACTS


def test_generate_with_faults_writes_every_extract_and_names_each_fault(tmp_path, capsys):
    assert (
        main(["generate", "--children", "500", "--seed", "3", "--out", str(tmp_path), "--faults"])
        == 0
    )
    assert {p.name for p in tmp_path.glob("*.csv")} == {e.filename for e in EXTRACTS}
    out = capsys.readouterr().out
    planted = [line for line in out.splitlines() if line.strip().startswith("planted ")]
    assert planted and all(" line " in line and "column " in line for line in planted)


def test_run_refuses_a_date_that_is_not_iso(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["run", "--as-at", "31/03/2014"])
    assert stop.value.code == 2
    assert "is not a date (YYYY-MM-DD)" in capsys.readouterr().err


@pytest.mark.parametrize("amount", ["lots", "1G", "1 GB of RAM", "GB"])
def test_run_refuses_a_memory_limit_that_is_not_an_amount(amount, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["run", "--memory-limit", amount])
    assert stop.value.code == 2
    assert "is not an amount of memory such as 1GB or 512MB" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("written", "replaced"),
    [
        ("telemetry:\n  enabled: false\n", True),  # what bootstrap.py used to write
        ("# Written by frontdoor: an older version\ntelemetry:\n  enabled: false\n", True),
        ("# ours, by hand\ntelemetry:\n  enabled: false\n", False),
    ],
)
def test_dagster_yaml_written_by_frontdoor_is_brought_up_to_date(
    written, replaced, tmp_path, monkeypatch
):
    from pipelines.run.instance import ensure_dagster_home

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    (tmp_path / "dagster.yaml").write_text(written)
    ensure_dagster_home()
    now = (tmp_path / "dagster.yaml").read_text()
    assert (now != written) is replaced
    if replaced:
        assert "storage:\n  sqlite:\n" in now and f"base_dir: {tmp_path}\n" in now


@pytest.mark.parametrize("value", ["two", "0", "-1", "1.5"])
def test_run_and_region_refuse_threads_that_are_not_a_whole_number(value, monkeypatch, capsys):
    monkeypatch.setenv("FRONTDOOR_THREADS", value)
    assert main(["run", "--settle-seconds", "0"]) == 1
    assert main(["region", "--input", "in", "--output", "out"]) == 1
    said = capsys.readouterr().err.splitlines()
    expected = f"FRONTDOOR_THREADS={value!r}: give a whole number of threads, 1 or more: refused"
    assert said == [f"frontdoor run: {expected}", f"frontdoor region: {expected}"]


def test_threads_hold_duckdb_and_polars_and_each_run_of_a_region_gets_its_share(tmp_path):
    import os
    import subprocess
    import sys

    from pipelines.cores import cores, share
    from pipelines.run.instance import concurrent_runs, dagster_yaml

    # A process started with FRONTDOOR_THREADS=1: Polars's pool and DuckDB's connections.
    said = subprocess.run(
        [sys.executable, "-c", "import pipelines, polars; from pipelines.run.warehouse import "
         "connect; from pathlib import Path; con = connect(Path(__import__('sys').argv[1])); "
         "print(polars.thread_pool_size(), con.sql(\"SELECT current_setting('threads')\")"
         ".fetchall()[0][0])", str(tmp_path / "w.duckdb")],
        env={**os.environ, "FRONTDOOR_THREADS": "1", "POLARS_MAX_THREADS": ""},  # "": not set
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert said.stdout.split() == ["1", "1"]
    # Two runs at a time share the cores; a person's own setting stands.
    env: dict[str, str] = {}
    share(env, 2)
    assert env == {"FRONTDOOR_THREADS": str(max(1, cores() // 2))}
    env = {"FRONTDOOR_THREADS": "3"}
    share(env, 2)
    assert env == {"FRONTDOOR_THREADS": "3"}
    # A region shares them among the runs its instance's queue starts at once.
    (tmp_path / "dagster.yaml").write_text(dagster_yaml(tmp_path, max_concurrent_runs=3))
    assert concurrent_runs(tmp_path) == 3
    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")  # a person's
    assert concurrent_runs(tmp_path) == 2
