"""The working warehouse belongs to the pipeline: any asset can be materialised on its own, and
a failed run can be re-executed from its failure (two runs at once take turns:
tests/hostile/test_concurrent_runs.py).

Each gives the same marts.metric_values as the full run from scratch.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import dagster as dg
import duckdb
import pytest

from pipelines.definitions import defs
from pipelines.defs.metadata import table_metadata, tables_metadata
from pipelines.defs.resources import GreatExpectations
from pipelines.run.warehouse import Warehouse
from tests.conftest import copy_run, run_pipeline
from tests.writes import QueryLog, written

METRIC_VALUES = "SELECT * FROM marts.metric_values ORDER BY ALL"


def frontdoor_job() -> dg.JobDefinition:
    """The job, rebuilt from the code location (re-execution needs a reconstructable job)."""
    return defs().resolve_job_def("frontdoor")


def rows(path, sql=METRIC_VALUES):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def resources(input_dir, output) -> dict[str, object]:
    warehouse = Warehouse(input_dir=str(input_dir), output_dir=str(output))
    return {"warehouse": warehouse, "great_expectations": GreatExpectations()}


@pytest.fixture(scope="module")
def full_run(small_council_run, tmp_path_factory):
    """The session's small-council run, copied: the tests here materialise into it."""
    return copy_run(small_council_run, tmp_path_factory.mktemp("full"))


@dataclass
class Half:
    """One run materialising half of one step's assets, and what came of it."""

    keys: list[dg.AssetKey]
    success: bool = False
    materialised: dict[dg.AssetKey, dict] = field(default_factory=dict)
    figures_unchanged: bool = False
    writes: set[str] = field(default_factory=set)  # the tables its statements wrote


@pytest.fixture(scope="module")
def halves(full_run, small_council, tmp_path_factory) -> list[Half]:
    """Every step's assets in two halves (alternate keys; whole for a step that cannot be
    subset), each half a run of its own with the checks on its assets, so each step runs on a
    strict subset, its tables rebuilt from what the working warehouse kept of the others;
    DuckDB's query log records what each run wrote. Dagster's in-memory instance: no half
    reads another's run history, only the working warehouse."""
    expected = rows(full_run.warehouse)
    output = full_run.output
    definitions = defs()
    # The region's assets run whole councils (tests/test_region.py), not this warehouse's tables.
    assets = [a for a in definitions.assets if all(k.path[0] != "region" for k in a.keys)]
    out = []
    for assets_def in assets:
        step = sorted(assets_def.keys, key=lambda k: k.to_user_string())
        # A step that cannot be subset (one pass writes all its tables) runs whole.
        halves = (step[0::2], step[1::2]) if assets_def.can_subset else (step,)
        out += [Half(half) for half in halves if half]
    # The asset checks run with the assets they check: a check writes no table either.
    checks = list(definitions.asset_checks or [])
    with pytest.MonkeyPatch.context() as patch, dg.DagsterInstance.ephemeral() as instance:
        log = QueryLog(tmp_path_factory.mktemp("queries"), patch)
        for n, half in enumerate(out):
            with log.recording(f"half-{n}") as folder:
                result = dg.materialize(
                    [*assets, *checks],
                    selection=half.keys,
                    resources=resources(small_council, output),
                    instance=instance,
                    raise_on_error=False,
                )
            half.writes = written(folder)
            half.success = result.success
            for e in result.get_asset_materialization_events():
                half.materialised[e.asset_key] = e.materialization.metadata
            published = full_run.warehouse if half.keys[0].path[0] == "release" else None
            half.figures_unchanged = rows(published or output / ".frontdoor" / "work.duckdb") == (
                expected
            )
    return out


def test_each_asset_materialised_apart_after_a_full_run_gives_the_same_figures(full_run, halves):
    """Each half materialises its assets and only them, the figures unchanged; then, table by
    table: each asset was materialised exactly once and its table holds the rows its own
    materialisation reported."""
    materialised: dict[dg.AssetKey, dict] = {}
    for half in halves:
        assert half.success, half.keys
        assert sorted(half.materialised) == sorted(half.keys)
        assert half.figures_unchanged, half.keys
        materialised.update(half.materialised)
    keys = {k for half in halves for k in half.keys}
    assert len(keys) > 70  # every raw, staging and quarantine table, every fact and family
    assert set(materialised) == keys
    # Each table: there, with the rows its own materialisation reported.
    with duckdb.connect(str(full_run.output / ".frontdoor" / "work.duckdb"), read_only=True) as con:
        for key, metadata in materialised.items():
            if "dagster/table_name" not in metadata:
                continue  # the report and the release are files, not tables
            table = metadata["dagster/table_name"].value
            assert "dagster/row_count" in metadata, key  # the small council has every extract
            count = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
            assert count == metadata["dagster/row_count"].value, key


def test_table_metadata_gives_each_tables_rows_and_columns_with_their_comments():
    """One read of the catalog for several tables: each gets its own columns in order, with
    their comments, and its own row count; a same-named table of another schema is not mixed
    in; a table that is not there is named absent."""
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    con.execute("CREATE TABLE marts.a (x INTEGER, y VARCHAR)")
    con.execute("INSERT INTO marts.a VALUES (1, 'p'), (2, 'q')")
    con.execute("COMMENT ON COLUMN marts.a.y IS 'Why'")
    con.execute("CREATE TABLE marts.b (z DATE)")
    con.execute("CREATE TABLE main.a (w INTEGER)")
    got = tables_metadata(con, ["marts.b", "marts.a", "marts.gone"])

    def columns(q: str) -> list[tuple[str, str, str | None]]:
        return [(c.name, c.type, c.description) for c in got[q]["dagster/column_schema"].columns]

    assert columns("marts.a") == [("x", "INTEGER", None), ("y", "VARCHAR", "Why")]
    assert got["marts.a"]["dagster/row_count"] == 2
    assert columns("marts.b") == [("z", "DATE", None)]
    assert got["marts.b"]["dagster/row_count"] == 0
    assert got["marts.gone"] == {"dagster/table_name": "marts.gone", "status": "absent"}
    assert table_metadata(con, "marts.a") == got["marts.a"]


def second_writers(halves: list[Half]) -> dict[str, set[str]]:
    """Each warehouse table written by a run that did not materialise its asset (or that no
    asset owns), with the assets that run did materialise: from the asset graph (each table
    asset's dagster/table_name) and the statements DuckDB ran (tests/writes.py)."""
    owner = {
        metadata["dagster/table_name"].value.lower(): key.to_user_string()
        for half in halves
        for key, metadata in half.materialised.items()
        if "dagster/table_name" in metadata
    }
    found: dict[str, set[str]] = {}
    for half in halves:
        selected = {k.to_user_string() for k in half.keys}
        for table in half.writes:
            if owner.get(table) not in selected:
                found.setdefault(f"{table} (asset {owner.get(table, 'none')})", set()).update(
                    selected
                )
    return found


def test_every_warehouse_table_has_one_writer_the_asset_that_owns_it(halves):
    """Any run writes only the tables of the assets it materialises: a table written by a
    second asset or a check, or by a step for a table no asset owns, is named with its
    writers."""
    found = second_writers(halves)
    listed = "\n".join(f"{name}: {sorted(w)}" for name, w in sorted(found.items()))
    assert not found, "written outside their own asset:\n" + listed
    # The log saw the writes: every table asset's own run wrote its table.
    owners = {
        metadata["dagster/table_name"].value.lower()
        for half in halves
        for metadata in half.materialised.values()
        if "dagster/table_name" in metadata
    }
    assert owners <= {table for half in halves for table in half.writes}
    assert {"audit.load_log", "audit.check_findings", "audit.releases"} <= owners


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


def test_duckdb_is_held_to_the_memory_limit(tmp_path):
    warehouse = Warehouse(input_dir=str(tmp_path), output_dir=str(tmp_path), memory_limit="300MB")
    with warehouse.connect() as con:
        # DuckDB shows 300 MB (10^6 bytes) in MiB.
        assert con.execute("SELECT current_setting('memory_limit')").fetchall() == [("286.1 MiB",)]
