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
- one idle connection held open to each database the process is using, so that Dagster's own
  connections are never the last to close and each does not checkpoint; WAL checkpoints itself
  every 1,000 pages instead, and when the held connection is let go.

And an event log (EventLogStorage, named in the dagster.yaml frontdoor writes) that keeps one
SQLAlchemy engine per database instead of making one for every statement.

A long-lived process (dg dev, the daemon) meets a new database with every run, so the held
connections and the engines are kept for the most recently used few databases only (_Recent).

The warehouse and report do not depend on any of this: the release step publishes them
atomically.
"""

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SqliteEventLogStorage,
)
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

T = TypeVar("T")


class _Recent(Generic[T]):
    """Something kept per database (a connection, an engine) for the ``kept`` databases used
    most recently; one used less recently is closed with ``close``."""

    def __init__(self, close: Callable[[T], object], kept: int = 8) -> None:
        self._close = close
        self._kept = kept
        self._items: OrderedDict[str, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, make: Callable[[], T]) -> T:
        """The item kept for ``key``, made now if there is none."""
        with self._lock:
            item = self._items.pop(key) if key in self._items else make()
            self._items[key] = item
            while len(self._items) > self._kept:
                self._close(self._items.popitem(last=False)[1])
            return item

    def clear(self) -> None:
        with self._lock:
            while self._items:
                self._close(self._items.popitem()[1])


def _held_connection(path: str) -> sqlite3.Connection:
    held = sqlite3.connect(path, check_same_thread=False)
    # A connection takes its share of a WAL database when it first reads it.
    held.execute("SELECT count(*) FROM sqlite_master").fetchall()
    return held


_held: _Recent[sqlite3.Connection] = _Recent(sqlite3.Connection.close)


@event.listens_for(Engine, "connect")
def _commit_without_waiting(dbapi_connection: Any, _record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")
    path = dbapi_connection.execute("PRAGMA database_list").fetchone()[2]
    wal = dbapi_connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    if path and wal:
        _held.get(path, lambda: _held_connection(path))


class EventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log (one database per run, plus an index), keeping one SQLAlchemy
    engine per database instead of making a new one for every statement.

    Dagster's own class makes an engine, and so compiles every statement afresh (SQLAlchemy
    caches compiled SQL per engine), about 1,700 times in a sample run: 3 to 4 of its seconds.
    Connections are still opened and closed for each use (NullPool, as Dagster does), so the
    behaviour with other processes (dg dev, the daemon) is Dagster's own. Only the most recently
    used databases keep an engine, so a long-lived daemon does not gather one per run.
    """

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        # Its own lock: Dagster's _db_lock is held across a whole use of a connection.
        self._engines: _Recent[Engine] = _Recent(Engine.dispose)
        self._tables: set[str] = set()
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]
    ) -> "EventLogStorage":
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        return self._engines.get(
            shard,
            lambda: create_engine(
                self.conn_string_for_shard(shard),
                poolclass=NullPool,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
            ),
        )

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def has_table(self, table_name: str) -> bool:
        # Asked before most event writes; a table Dagster has made is not dropped while it runs.
        # (Without Dagster's _db_lock, as Dagster's own: it is asked while that lock is held.)
        if table_name not in self._tables:
            engine = self._engine(INDEX_SHARD_NAME)
            with engine.connect() as conn:
                if engine.dialect.has_table(conn, table_name):
                    self._tables.add(table_name)
        return table_name in self._tables

    def dispose(self) -> None:
        super().dispose()
        self._engines.clear()
