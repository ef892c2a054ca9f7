"""Dagster's SQLite run storage, committed without waiting for the disk at every event.

A sample run writes about 440 events (each step, asset and check) and Dagster's SQLite storage
commits each one through a connection of its own: with SQLite's defaults every commit waits for
the disk (synchronous=FULL), and so does every close, because the last connection to close a
WAL database checkpoints it. On this machine that was 7 of the sample run's 24 s.

Two settings, both SQLite's own, on every SQLite connection this process opens (Dagster's: the
warehouse is DuckDB), made by SQLAlchemy's documented connect event:

- synchronous=NORMAL, the setting SQLite recommends for WAL databases (Dagster keeps them in WAL
  mode): the database stays consistent after a crash or power cut; only the last events before a
  power cut may be lost, and the run is then marked failed at the next start (pipelines.runs).
- one idle connection held open to each database for the life of the process, so that Dagster's
  own connections are never the last to close and each does not checkpoint; WAL checkpoints
  itself every 1,000 pages instead, and at the end of the process.

The warehouse and report do not depend on any of this: the release step publishes them
atomically.
"""

import sqlite3
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

_held: dict[str, sqlite3.Connection] = {}


@event.listens_for(Engine, "connect")
def _commit_without_waiting(dbapi_connection: Any, _record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")
    path = dbapi_connection.execute("PRAGMA database_list").fetchone()[2]
    wal = dbapi_connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    if path and wal and path not in _held:
        held = sqlite3.connect(path, check_same_thread=False)
        # A connection takes its share of a WAL database when it first reads it.
        held.execute("SELECT count(*) FROM sqlite_master").fetchall()
        _held[path] = held
