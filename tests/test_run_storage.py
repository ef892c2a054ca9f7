"""frontdoor's Dagster event log keeps an engine, and a held SQLite connection, for the most
recently used few databases only: a long-lived daemon meets a new database with every run."""

from __future__ import annotations

from pipelines.run_storage import EventLogStorage, _held


def test_only_the_most_recently_used_databases_keep_an_engine_and_a_held_connection(tmp_path):
    storage = EventLogStorage(str(tmp_path))
    runs = [f"run{i:02d}" for i in range(12)]
    for run in runs:
        with storage.run_connection(run) as conn:
            conn.exec_driver_sql("SELECT 1")
    assert list(storage._engines._items) == runs[-8:]
    held = [path for path in _held._items if path.startswith(str(tmp_path))]
    assert held == [str(tmp_path / f"{run}.db") for run in runs[-8:]]
    # A database let go and used again works as before.
    with storage.run_connection(runs[0]) as conn:
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1
    storage.dispose()
    assert list(storage._engines._items) == []
