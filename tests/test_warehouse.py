"""The working warehouse belongs to the pipeline: any asset can be materialised on its own, a
failed run can be re-executed from its failure, and two runs at once take turns.

Each gives the same marts.metric_values as the full run from scratch.
"""

from __future__ import annotations

import os
import subprocess
import sys

import dagster as dg
import duckdb
import pytest

from pipelines.definitions import defs
from pipelines.defs.resources import GreatExpectations
from pipelines.warehouse import Warehouse
from tests.conftest import ROOT, run_pipeline

METRIC_VALUES = "SELECT * FROM marts.metric_values ORDER BY ALL"


def frontdoor_job() -> dg.JobDefinition:
    """The job, rebuilt from the code location (re-execution needs a reconstructable job)."""
    return defs().resolve_job_def("frontdoor")


def rows(path, sql=METRIC_VALUES):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def resources(input_dir, output) -> dict[str, object]:
    warehouse = Warehouse(input_dir=str(input_dir), output_dir=str(output))
    return {"warehouse": warehouse, "great_expectations": GreatExpectations(warehouse=warehouse)}


@pytest.fixture(scope="module")
def full_run(small_council, tmp_path_factory):
    return run_pipeline(small_council, tmp_path_factory.mktemp("full"))


def test_each_asset_materialised_alone_after_a_full_run_gives_the_same_figures(
    full_run, small_council, tmp_path
):
    expected = rows(full_run.warehouse)
    output = full_run.output
    definitions = defs()
    # The region's assets run whole councils (tests/test_region.py), not this warehouse's tables.
    assets = [a for a in definitions.assets if all(k.path[0] != "region" for k in a.keys)]
    keys = sorted(
        (k for k in definitions.resolve_all_asset_keys() if k.path[0] != "region"),
        key=lambda k: k.to_user_string(),
    )
    assert len(keys) > 70  # every raw, staging and quarantine table, every fact and family
    with dg.DagsterInstance.get() as instance:
        for key in keys:
            result = dg.materialize(
                assets,
                selection=[key],
                resources=resources(small_council, output),
                instance=instance,
                raise_on_error=False,
            )
            assert result.success, key
            assert [e.asset_key for e in result.get_asset_materialization_events()] == [key]
            if key.path[0] == "release":
                assert rows(full_run.warehouse) == expected
            else:
                assert rows(output / ".frontdoor" / "work.duckdb") == expected, key


def test_an_absent_extract_drops_what_it_fed(full_run, small_council, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for f in small_council.iterdir():
        if f.name != "cp_visits.csv":
            (folder / f.name).write_bytes(f.read_bytes())
    run = run_pipeline(folder, tmp_path / "out")
    tables = {r[0] for r in rows(run.warehouse, "SELECT table_name FROM duckdb_tables()")}
    assert "cp_visits" not in tables
    assert not {"fact_cp_visit_segments", "fact_cp_plan_visits", "metrics_cp_visits"} & tables
    ids = {r[0] for r in rows(run.warehouse, "SELECT DISTINCT metric_id FROM marts.metric_values")}
    assert "cp_seen_alone_pct" not in ids and "cp_plans_open" in ids


def test_a_run_re_executed_from_its_failure_gives_the_same_figures(
    full_run, small_council, tmp_path, monkeypatch
):
    import pipelines.defs.marts as marts_defs

    real = marts_defs.build_marts

    def broken(*args, **kwargs):
        raise RuntimeError("forced failure")

    output = tmp_path / "out"
    config = {
        "resources": {
            "warehouse": {"config": {"input_dir": str(small_council), "output_dir": str(output)}}
        }
    }
    job = dg.reconstructable(frontdoor_job)
    with dg.DagsterInstance.get() as instance:
        monkeypatch.setattr(marts_defs, "build_marts", broken)
        with dg.execute_job(job, instance, run_config=config) as failed:
            assert not failed.success
            assert "marts" in {e.step_key for e in failed.all_events if e.is_step_failure}
        monkeypatch.setattr(marts_defs, "build_marts", real)
        options = dg.ReexecutionOptions.from_failure(failed.run_id, instance)
        with dg.execute_job(job, instance, run_config=config, reexecution_options=options) as again:
            assert again.success
            steps = {e.step_key for e in again.all_events if e.is_step_success}
            assert "marts" in steps and "stage_extracts" not in steps  # only what failed, on
    assert rows(output / "warehouse.duckdb") == rows(full_run.warehouse)


def test_two_runs_started_together_take_turns_and_both_keep_their_history(small_council, tmp_path):
    command = [
        sys.executable, "-m", "pipelines.cli", "run", "--input", str(small_council),
        "--output", str(tmp_path),
    ]  # fmt: skip
    runs = [
        subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=ROOT,
            env=dict(os.environ),
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=600)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    # The one that waited said so.
    assert any("waiting: another run is writing the warehouse" in out for out in outputs)
    history = rows(
        tmp_path / "warehouse.duckdb",
        "SELECT count(DISTINCT run_id) FROM marts.data_quality",
    )
    assert history == [(2,)]
    assert len(list((tmp_path / "releases").iterdir())) == 2
    # Both wrote their events through frontdoor's event log (one engine per database, two
    # processes at once): each run's every step is in its history, as Dagster reads it.
    from pipelines.run_storage import EventLogStorage

    with dg.DagsterInstance.get() as instance:
        assert isinstance(instance.event_log_storage, EventLogStorage)
        run_ids = [
            r.run_id for r in instance.get_runs(limit=2) if r.status == dg.DagsterRunStatus.SUCCESS
        ]
        assert len(run_ids) == 2
        for run_id in run_ids:
            steps = instance.get_run_step_stats(run_id)
            assert {s.step_key for s in steps} >= {"stage_extracts", "marts", "release"}
            assert all(s.status.value == "SUCCESS" for s in steps)


def test_duckdb_is_held_to_the_memory_limit(tmp_path):
    warehouse = Warehouse(input_dir=str(tmp_path), output_dir=str(tmp_path), memory_limit="300MB")
    with warehouse.connect() as con:
        # DuckDB shows 300 MB (10^6 bytes) in MiB.
        assert con.execute("SELECT current_setting('memory_limit')").fetchall() == [("286.1 MiB",)]
