"""Load whatever an input folder holds into raw.* tables, recording each file's outcome.

One file failing (unreadable, a required column missing) does not stop the others: its outcome
is recorded with a message naming the file and column, and only what depends on it is blocked.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import duckdb
import polars as pl

from pipelines.comments import comment_table, raw_comments
from pipelines.contract import EXTRACTS, Extract, extract
from pipelines.errors import ExtractError
from pipelines.sources.annex_a import read_annex_a
from pipelines.sources.cin_census import read_cin_census
from pipelines.sources.csc_api import read_csc_api
from pipelines.sources.csv_extract import load_raw
from pipelines.sources.detect import cin_census_files, detect_format, files_of
from pipelines.sources.folder import (
    InputFile,
    changed_error,
    describe,
    input_files,
    shown,
    unchanged,
)
from pipelines.sources.names import record_source_names
from pipelines.sources.readings import record_readings
from pipelines.sources.result import Finding, SourceFrames
from pipelines.sources.ssd import read_ssd

Status = Literal["loaded", "absent", "failed"]


def needed_for_run(kind: str) -> tuple[str, ...]:
    """The extracts a run cannot go without, for the format the folder holds.

    The CSV contract requires contacts, referrals and assessments. Annex A and the CIN census
    are statutory returns that may lack lists (the census has no contacts at all), so there
    only referrals, the spine of every episode, are required.
    """
    if kind == "csv":
        return tuple(e.stem for e in EXTRACTS if e.needed_for_run)
    return ("referrals",)


LOAD_LOG_COLUMNS = {
    "format": "The input format of the run: csv, annex_a or cin_census.",
    "stem": "The extract of the contract (the table name in raw, staging and quarantine).",
    "status": "loaded, absent (no such file: its metrics are not written) or failed (the "
    "file could not be used: see message).",
    "file": "The file or files it was read from.",
    "rows": "Data rows read (raw rows).",
    "message": "When it failed, why, naming the file, and the line and column where known.",
    "warnings": "Notes about a file that loaded: header spellings, encodings, blank lines.",
}
READER_FINDINGS_COLUMNS = {
    "file": "The input file.",
    "sheet": "The workbook sheet (Annex A); NULL for a CSV list or an XML file.",
    "line": "The sheet row, CSV line or XML line of the record.",
    "column": "The source's own header or element name.",
    "rule": "What was met: unmatched_header, unknown_code, serial_date, schema ...",
    "message": "The finding in a sentence.",
}


@dataclass
class LoadOutcome:
    stem: str
    status: Status
    file: str | None = None
    rows: int = 0
    message: str = ""
    warnings: list[str] = field(default_factory=list)


def find_csv(folder: Path, extract: Extract) -> InputFile | None:
    """The folder's file for an extract, matching its name case-insensitively."""
    for f in input_files(folder):
        if f.name.lower() == extract.filename:
            return f
    return None


def load_csv(con: duckdb.DuckDBPyConnection, f: InputFile | Path, stem: str) -> LoadOutcome:
    """Load one contract CSV into raw.<stem>; a file that cannot be used is an outcome, not a
    crash. A link leaving the folder, or a file that changed while it was read, is refused."""
    f = describe(f) if isinstance(f, Path) else f
    path = f.path
    try:
        if f.refused:
            raise ExtractError(shown(f.listed), f.refused)
        loaded = load_raw(con, path, extract(stem))
        if not unchanged(path, f):
            raise changed_error(path)
    except ExtractError as error:
        con.execute(f"DROP TABLE IF EXISTS raw.{stem}")
        return LoadOutcome(stem, "failed", str(path), message=str(error))
    renamed = {
        column: f"the source's own column {shown(header)!r}, kept as read and not used (renamed: "
        "names starting with _, and rowid, are frontdoor's own)"
        for column, header in loaded.renamed.items()
    }
    raw_comments(con, extract(stem), path.name, renamed)
    return LoadOutcome(stem, "loaded", str(path), loaded.rows, warnings=list(loaded.warnings))


def load_csv_folder(
    con: duckdb.DuckDBPyConnection, folder: Path, stems: Collection[str]
) -> list[LoadOutcome]:
    """Load each of ``stems`` from its contract CSV in the folder into raw.<stem>."""
    outcomes = []
    for e in EXTRACTS:
        if e.stem not in stems:
            continue
        found = find_csv(folder, e)
        outcomes.append(load_csv(con, found, e.stem) if found else LoadOutcome(e.stem, "absent"))
    return outcomes


def write_raw_frame(con: duckdb.DuckDBPyConnection, stem: str, frame: pl.DataFrame) -> int:
    """Write a reader's raw frame (contract columns as text, then lineage) to raw.<stem>."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.register("raw_frame", frame.to_arrow())
    try:
        con.execute(f"CREATE OR REPLACE TABLE raw.{stem} AS SELECT * FROM raw_frame")
    finally:
        con.unregister("raw_frame")
    return frame.height


def record_outcomes(con: duckdb.DuckDBPyConnection, kind: str, outcomes: list[LoadOutcome]) -> None:
    """Keep what happened to each file in audit.load_log (replacing those stems' earlier rows)
    for the analyst and the report."""
    con.execute("CREATE SCHEMA IF NOT EXISTS audit")
    con.execute(
        """
        CREATE TABLE IF NOT EXISTS audit.load_log (
            format VARCHAR, stem VARCHAR, status VARCHAR, file VARCHAR, rows BIGINT,
            message VARCHAR, warnings VARCHAR[]
        )
        """
    )
    con.execute("DELETE FROM audit.load_log WHERE stem IN ?", [[o.stem for o in outcomes]])
    con.executemany(
        "INSERT INTO audit.load_log VALUES (?, ?, ?, ?, ?, ?, ?)",
        [[kind, o.stem, o.status, o.file, o.rows, o.message, o.warnings] for o in outcomes],
    )
    comment_table(
        con,
        "audit.load_log",
        "One row per extract of the contract: the input format (csv, annex_a, cin_census), "
        "whether its file was loaded, absent or failed, its data rows, and the message naming "
        "file, line and column when it failed",
        LOAD_LOG_COLUMNS,
    )


RETURN_INFO_COLUMNS = {
    "format": "The input format: csv, annex_a or cin_census.",
    "as_at": "The date the return is taken at: the latest ReferenceDate of the census files, or "
    "the latest date in any list of an Annex A return; NULL for CSV extracts (their as-at date is "
    "the latest contact or referral date, docs/metrics.md).",
    "as_at_source": "Where that date comes from, in words.",
    "files": "The files the return was read from, by name, comma-separated.",
    "history_start": "The first day of the return's own history, when it says: for census files "
    "the start of the earliest collection year (1 April before its ReferenceDate); NULL otherwise.",
    "la_code": "The council the return says it is from (old three-digit LA code), when it says.",
    "la_code_source": "Where the return says it (census header LEA, Annex A front sheet).",
}


def record_return(con: duckdb.DuckDBPyConnection, kind: str, source: SourceFrames | None) -> None:
    """Keep the date a statutory return is taken at (audit.return_info, one row)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS audit")
    con.execute(
        "CREATE OR REPLACE TABLE audit.return_info "
        "(format VARCHAR, as_at DATE, as_at_source VARCHAR, files VARCHAR, history_start DATE, "
        "la_code VARCHAR, la_code_source VARCHAR)"
    )
    con.execute(
        "INSERT INTO audit.return_info VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            kind,
            source.as_at if source else None,
            source.as_at_source if source else None,
            ", ".join(source.files) if source else None,
            source.history_start if source else None,
            source.la_code if source else None,
            source.la_code_source if source else None,
        ],
    )
    comment_table(
        con,
        "audit.return_info",
        "One row: the input format and the date the return says it is taken at",
        RETURN_INFO_COLUMNS,
    )


def load_frames(
    con: duckdb.DuckDBPyConnection, source: SourceFrames, stems: Collection[str]
) -> list[LoadOutcome]:
    """Write an Annex A or CIN census reader's frames of ``stems`` to raw.*; a stem it lacks is
    absent."""
    outcomes = []
    for e in EXTRACTS:
        if e.stem not in stems:
            continue
        frame = source.frames.get(e.stem)
        if frame is None:
            outcomes.append(LoadOutcome(e.stem, "absent"))
            continue
        files = ", ".join(sorted(set(frame["_source_file"].drop_nulls().to_list())))
        rows = write_raw_frame(con, e.stem, frame)
        names = ", ".join(sorted({Path(f).name for f in files.split(", ") if f})) or "the input"
        raw_comments(con, e, names, source.extra_columns)
        outcomes.append(LoadOutcome(e.stem, "loaded", files, rows))
    return outcomes


def record_findings(con: duckdb.DuckDBPyConnection, findings: list[Finding]) -> None:
    """Keep the oddities the Annex A and CIN census readers worked around."""
    con.execute("CREATE SCHEMA IF NOT EXISTS audit")
    con.execute(
        """
        CREATE OR REPLACE TABLE audit.reader_findings (
            file VARCHAR, sheet VARCHAR, line BIGINT, "column" VARCHAR, rule VARCHAR,
            message VARCHAR
        )
        """
    )
    if findings:
        con.executemany(
            "INSERT INTO audit.reader_findings VALUES (?, ?, ?, ?, ?, ?)",
            [[f.file, f.sheet, f.line, f.column, f.rule, f.message] for f in findings],
        )
    comment_table(
        con,
        "audit.reader_findings",
        "Oddities the Annex A and CIN census readers met and worked around (unmatched headers, "
        "serial dates, schema violations), each with its file, sheet, line and column; the "
        "file still loaded",
        READER_FINDINGS_COLUMNS,
    )


def load_folder(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    cin_xsd_dir: Path | None = None,
    stems: Collection[str] | None = None,
) -> tuple[str, list[LoadOutcome]]:
    """Load the input folder into raw.* (only ``stems``, when given), whichever format it
    holds; returns the format too. A stem the folder does not hold has its raw table dropped:
    an extract absent this run drops what it fed."""
    if not folder.is_dir():
        raise ExtractError(folder, "the input folder does not exist or is not a folder")
    wanted = set(stems) if stems is not None else {e.stem for e in EXTRACTS}
    kind = detect_format(folder)
    if kind == "csv":
        record_findings(con, [])
        record_return(con, kind, None)
        record_source_names(con, kind, None)
        record_readings(con, None)
        outcomes = load_csv_folder(con, folder, wanted)
    else:
        if kind == "annex_a":
            source = read_annex_a(folder)
        elif kind == "ssd":
            source = read_ssd(files_of(folder, "ssd"))
        elif kind == "csc_api":
            source = read_csc_api(files_of(folder, "csc_api"))
        else:
            source = read_cin_census(cin_census_files(folder), xsd_dir=cin_xsd_dir)
        record_findings(con, source.findings)
        record_return(con, kind, source)
        record_source_names(con, kind, source)
        record_readings(con, source)
        outcomes = load_frames(con, source, wanted)
        # Neither statutory return carries the population: a population.csv beside it gives the
        # denominator for rates per 10,000.
        population = find_csv(folder, extract("population"))
        if population is not None and "population" in wanted:
            outcomes = [o for o in outcomes if o.stem != "population"]
            outcomes.append(load_csv(con, population, "population"))
    for o in outcomes:
        if o.status != "loaded":
            con.execute(f"DROP TABLE IF EXISTS raw.{o.stem}")
    return kind, outcomes
