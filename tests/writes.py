"""Which warehouse tables a run writes, from DuckDB's own query log.

``QueryLog`` turns on DuckDB's QueryLog (every statement, as run) for each connection the
pipeline opens to its working warehouse (pipelines.run.warehouse.connect), into a folder of CSV
files; ``written`` reads back the schema-qualified tables the statements create, insert into,
update, delete from, drop, alter or comment on. Temporary tables are a step's own business and
are not counted.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

NAME = r'((?:"[^"]+"|\w+)\.(?:"[^"]+"|\w+))'  # schema.table, either part maybe quoted
WRITES = re.compile(
    r"\bCREATE\s+(?:OR\s+REPLACE\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?" + NAME
    + r"|\bINSERT\s+(?:OR\s+\w+\s+)?INTO\s+" + NAME
    + r"|\bUPDATE\s+" + NAME + r"\s+SET\b"
    + r"|\bDELETE\s+FROM\s+" + NAME
    + r"|\bDROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?" + NAME
    + r"|\bALTER\s+TABLE\s+" + NAME
    + r"|\bCOMMENT\s+ON\s+TABLE\s+" + NAME
    + r"|\bCOMMENT\s+ON\s+COLUMN\s+" + NAME + r"\.",
    re.IGNORECASE,
)  # fmt: skip
COMMENTS = re.compile(r"--[^\n]*|'(?:[^']|'')*'")  # SQL comments and string literals


def tables_in(statement: str) -> set[str]:
    """The schema-qualified tables a statement writes (lower case, unquoted)."""
    found = set()
    for match in WRITES.finditer(COMMENTS.sub("''", statement)):
        name = next(g for g in match.groups() if g)
        found.add(name.replace('"', "").lower())
    return {n for n in found if not n.startswith(("temp.", "pg_temp."))}


class QueryLog:
    """Every statement the pipeline runs on its working warehouse, while ``recording``."""

    def __init__(self, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        import pipelines.run.warehouse as warehouse

        self._folder = folder
        self._current: Path | None = None
        self._count = 0
        real = warehouse.connect

        def logged(path: Path, read_only: bool = False, memory_limit: str | None = None):
            con = real(path, read_only=read_only, memory_limit=memory_limit)
            if self._current is not None and not read_only:
                self._count += 1
                target = self._current / f"connection-{self._count}"
                con.execute(
                    "CALL enable_logging('QueryLog', storage='file', storage_path=?)",
                    [str(target)],
                )
            return con

        monkeypatch.setattr(warehouse, "connect", logged)

    @contextmanager
    def recording(self, name: str) -> Iterator[Path]:
        """Log the statements run inside this block into a folder of their own."""
        self._current = self._folder / name
        self._current.mkdir(parents=True)
        try:
            yield self._current
        finally:
            self._current = None


def written(folder: Path) -> set[str]:
    """The tables the statements logged under ``folder`` write."""
    tables: set[str] = set()
    for entries in folder.glob("*/duckdb_log_entries.csv"):
        with entries.open(newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                if row["type"] == "QueryLog":
                    tables |= tables_in(row["message"])
    return tables
