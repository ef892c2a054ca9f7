"""Write a reader frame to ``raw.<stem>``: what a run with ``--keep-raw`` keeps."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from pipelines.contract import Extract
from pipelines.sources.csv_extract.read import read_csv_extract
from pipelines.sql import ident


@dataclass(frozen=True)
class RawLoad:
    """What ``load_raw`` wrote: ``table`` with ``rows`` data rows read from ``path``."""

    path: Path
    table: str  # "raw.contacts"
    rows: int
    encoding: str  # "utf-8", "utf-8-sig" (with BOM), "cp1252" or "utf-8+cp1252" (mixed lines)
    columns: tuple[str, ...]  # the raw columns before _source_file, _line (and _row_error)
    warnings: tuple[str, ...]  # header and layout notes for the data-quality page
    renamed: dict[str, str]  # raw column -> the header as written, for a header in our namespace


def load_raw(con: duckdb.DuckDBPyConnection, path: Path | str, extract: Extract) -> RawLoad:
    """Read the CSV at ``path`` (``read_csv_extract``) and write it to ``raw.<extract.stem>``
    (replacing it): what a run with ``--keep-raw`` keeps. Raises ExtractError as that does."""
    read = read_csv_extract(path, extract)
    write_raw(con, extract.stem, read.frame)
    return RawLoad(
        read.path,
        f"raw.{extract.stem}",
        read.rows,
        read.encoding,
        read.columns,
        read.warnings,
        read.renamed,
    )


def write_raw(con: duckdb.DuckDBPyConnection, stem: str, frame: pl.DataFrame) -> None:
    """Write a reader frame to ``raw.<stem>`` as it is (replacing it)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    # DuckDB reads the frame by this local variable's name (a replacement scan), not through
    # con.register: inside stage_extracts' one transaction a registered frame would stay in
    # memory until the commit (pipelines/staging/build.py, build_staging).
    _reader_frame_raw = frame  # read by the SQL below
    con.execute(f"CREATE OR REPLACE TABLE raw.{ident(stem)} AS SELECT * FROM _reader_frame_raw")
