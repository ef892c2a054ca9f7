"""Load and stage whatever an input folder holds, one pass per file, recording each outcome.

Each reader turns its input into frames in the contract's shape (docs/architecture.md "Reader
frames"); each frame is typed, keyed and split into ``staging.<stem>`` and ``quarantine.<stem>``
at once (pipelines/staging/build.py), and what came in is recorded per input file in
``audit.input_files`` (name, size, sha256, rows read, staged, quarantined), so rows read =
staged + quarantined is provable from the warehouse alone. No copy of the rows as read is kept
unless the run asks for it (``keep_raw``: ``raw.<stem>``, for a data-migration investigation).

One file failing (unreadable, a required column missing) does not stop the others: its outcome
is recorded with a message naming the file and column, and only what depends on it is blocked.
"""

from __future__ import annotations

import hashlib
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
from pipelines.sources.csv_extract import read_csv_extract, write_raw
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
from pipelines.sql import table_exists
from pipelines.staging.build import build_staging

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
    "stem": "The extract of the contract (the table name in staging and quarantine).",
    "status": "loaded, absent (no such file: its metrics are not written) or failed (the "
    "file could not be used: see message).",
    "file": "The file or files it was read from.",
    "rows": "Data rows read (= staged + quarantined; per file in audit.input_files).",
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


INPUT_FILES_COLUMNS = {
    "format": "The input format of the run: csv, annex_a or cin_census.",
    "stem": "The extract of the contract the file's rows went to (a workbook or census file "
    "feeds several: one row each).",
    "file": "The file as read (its path); the _source_file of its rows in staging and quarantine.",
    "name": "The file's name.",
    "bytes": "Its size in bytes when it was read.",
    "sha256": "The SHA-256 of its bytes: the same file, byte for byte, has the same digest.",
    "rows_read": "Its data rows read for this extract.",
    "staged": "Of those, the rows in staging.<stem> (_source_file = file).",
    "quarantined": "Of those, the rows in quarantine.<stem>: rows_read = staged + quarantined.",
}


@dataclass(frozen=True)
class InputFileRecord:
    """What came in from one file for one extract (audit.input_files)."""

    file: str
    bytes: int | None
    sha256: str | None
    rows_read: int
    staged: int
    quarantined: int


@dataclass
class LoadOutcome:
    stem: str
    status: Status
    file: str | None = None
    rows: int = 0  # rows read = staged + quarantined
    message: str = ""
    warnings: list[str] = field(default_factory=list)
    staged: int = 0
    quarantined: int = 0
    inputs: list[InputFileRecord] = field(default_factory=list)


def find_csv(folder: Path, extract: Extract) -> InputFile | None:
    """The folder's file for an extract, matching its name case-insensitively."""
    for f in input_files(folder):
        if f.name.lower() == extract.filename:
            return f
    return None


def load_csv(
    con: duckdb.DuckDBPyConnection, f: InputFile | Path, stem: str, keep_raw: bool = False
) -> LoadOutcome:
    """Read one contract CSV and stage it into staging.<stem> and quarantine.<stem> (and
    raw.<stem> with ``keep_raw``); a file that cannot be used is an outcome, not a crash. A link
    leaving the folder, or a file that changed while it was read, is refused."""
    f = describe(f) if isinstance(f, Path) else f
    path = f.path
    try:
        if f.refused:
            raise ExtractError(shown(f.listed), f.refused)
        read = read_csv_extract(path, extract(stem))
        if not unchanged(path, f):
            raise changed_error(path)
    except ExtractError as error:
        drop_stem(con, stem)
        return LoadOutcome(stem, "failed", str(path), message=str(error))
    renamed = {
        column: f"the source's own column {shown(header)!r}, kept as read and not used (renamed: "
        "names starting with _, and rowid, are frontdoor's own)"
        for column, header in read.renamed.items()
    }
    known = {str(path): (read.size, read.sha256)}
    outcome = stage_frame(con, extract(stem), read.frame, renamed, keep_raw, path.name, known)
    outcome.file, outcome.warnings = str(path), list(read.warnings)
    return outcome


def drop_stem(con: duckdb.DuckDBPyConnection, stem: str) -> None:
    """Drop what an extract fed (staging, quarantine, raw): it is absent or failed this run."""
    for schema in ("staging", "quarantine"):
        con.execute(f"DROP TABLE IF EXISTS {schema}.{stem}")
    drop_raw(con, stem)


def drop_raw(con: duckdb.DuckDBPyConnection, stem: str) -> None:
    """Drop an earlier --keep-raw run's raw.<stem>, if there is one (a statement only then:
    raw.* belongs to no asset, so a run without --keep-raw leaves it alone)."""
    if table_exists(con, f"raw.{stem}"):
        con.execute(f"DROP TABLE raw.{stem}")


def stage_frame(
    con: duckdb.DuckDBPyConnection,
    e: Extract,
    frame: pl.DataFrame,
    extras: dict[str, str],
    keep_raw: bool,
    source: str,
    known: dict[str, tuple[int, str]] | None = None,
) -> LoadOutcome:
    """Stage one reader frame (and keep it in raw.<stem> with ``keep_raw``); the outcome holds
    the counts, per input file. ``source`` names the files for raw's comment; ``known`` gives
    the size and digest of files the reader has already hashed."""
    drop_raw(con, e.stem)
    if keep_raw:
        write_raw(con, e.stem, frame)
        raw_comments(con, e, source, extras)
    try:
        counts = build_staging(con, e, frame, extras)
    except ExtractError as error:
        # A reader's frame that cannot be staged blocks this extract only.
        drop_stem(con, e.stem)
        return LoadOutcome(e.stem, "failed", message=str(error))
    files = ", ".join(sorted(set(frame["_source_file"].drop_nulls().to_list())))
    return LoadOutcome(
        e.stem,
        "loaded",
        files,
        counts.raw,
        staged=counts.staged,
        quarantined=counts.quarantined,
        inputs=_per_file(con, e.stem, frame, known or {}),
    )


def _per_file(
    con: duckdb.DuckDBPyConnection,
    stem: str,
    frame: pl.DataFrame,
    known: dict[str, tuple[int, str]],
) -> list[InputFileRecord]:
    """Rows read, staged and quarantined per _source_file, and each file's size and digest."""
    read = dict(frame.group_by("_source_file").len().iter_rows())
    placed = {
        file: (staged, quarantined)
        for file, staged, quarantined in con.execute(
            "SELECT f, sum(s)::BIGINT, sum(q)::BIGINT FROM ("
            f"SELECT _source_file AS f, count(*) AS s, 0 AS q FROM staging.{stem} GROUP BY 1 "
            f"UNION ALL SELECT _source_file, 0, count(*) FROM quarantine.{stem} GROUP BY 1) "
            "GROUP BY 1"
        ).fetchall()
    }
    records = []
    # A file the reader read (``known``) is recorded even when it held no data rows.
    files = set(read) | set(placed) | set(known)
    for file in sorted(files, key=lambda f: (f is None, f or "")):
        size, digest = known[file] if file in known else _digest(file)
        staged, quarantined = placed.get(file, (0, 0))
        records.append(InputFileRecord(file, size, digest, read.get(file, 0), staged, quarantined))
    return records


def _digest(file: str | None) -> tuple[int | None, str | None]:
    """A file's size and SHA-256, or Nones when there is no such file to read."""
    path = Path(file) if file else None
    if path is None or not path.is_file():
        return None, None
    with path.open("rb") as f:
        return path.stat().st_size, hashlib.file_digest(f, "sha256").hexdigest()


def load_csv_folder(
    con: duckdb.DuckDBPyConnection, folder: Path, stems: Collection[str], keep_raw: bool = False
) -> list[LoadOutcome]:
    """Load and stage each of ``stems`` from its contract CSV in the folder, one at a time
    (only one file's frame is held at once)."""
    outcomes = []
    for e in EXTRACTS:
        if e.stem not in stems:
            continue
        found = find_csv(folder, e)
        outcomes.append(
            load_csv(con, found, e.stem, keep_raw) if found else LoadOutcome(e.stem, "absent")
        )
    return outcomes


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
    record_input_files(con, kind, outcomes)


def record_input_files(
    con: duckdb.DuckDBPyConnection, kind: str, outcomes: list[LoadOutcome]
) -> None:
    """Keep what came in from each input file in audit.input_files (replacing those stems'
    earlier rows): its name, size, sha256 and rows read, staged and quarantined."""
    con.execute(
        """
        CREATE TABLE IF NOT EXISTS audit.input_files (
            format VARCHAR, stem VARCHAR, file VARCHAR, name VARCHAR, bytes BIGINT,
            sha256 VARCHAR, rows_read BIGINT, staged BIGINT, quarantined BIGINT
        )
        """
    )
    con.execute("DELETE FROM audit.input_files WHERE stem IN ?", [[o.stem for o in outcomes]])
    rows = [
        [
            *(kind, o.stem, r.file, Path(r.file).name if r.file else None, r.bytes, r.sha256),
            *(r.rows_read, r.staged, r.quarantined),
        ]
        for o in outcomes
        for r in o.inputs
    ]
    if rows:
        con.executemany("INSERT INTO audit.input_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    comment_table(
        con,
        "audit.input_files",
        "What came in: one row per input file and extract it fed, with the file's size and "
        "SHA-256 and its rows read, staged and quarantined (rows_read = staged + quarantined). "
        "The rows as read are not kept (only with --keep-raw, in raw.*): the council holds "
        "the file, and the digest says whether a file is the one this warehouse was made from",
        INPUT_FILES_COLUMNS,
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
    con: duckdb.DuckDBPyConnection,
    source: SourceFrames,
    stems: Collection[str],
    keep_raw: bool = False,
) -> list[LoadOutcome]:
    """Stage an Annex A or CIN census reader's frames of ``stems``; a stem it lacks is
    absent."""
    outcomes = []
    for e in EXTRACTS:
        if e.stem not in stems:
            continue
        frame = source.frames.get(e.stem)
        if frame is None:
            outcomes.append(LoadOutcome(e.stem, "absent"))
            continue
        files = sorted(set(frame["_source_file"].drop_nulls().to_list()))
        names = ", ".join(sorted({Path(f).name for f in files if f})) or "the input"
        outcomes.append(stage_frame(con, e, frame, source.extra_columns, keep_raw, names))
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
    keep_raw: bool = False,
) -> tuple[str, list[LoadOutcome]]:
    """Load and stage the input folder (only ``stems``, when given), whichever format it holds,
    one file at a time; returns the format too. A stem the folder does not hold has its tables
    dropped: an extract absent this run drops what it fed. With ``keep_raw`` the rows as read
    are kept in raw.<stem> too."""
    if not folder.is_dir():
        raise ExtractError(folder, "the input folder does not exist or is not a folder")
    wanted = set(stems) if stems is not None else {e.stem for e in EXTRACTS}
    kind = detect_format(folder)
    if kind == "csv":
        record_findings(con, [])
        record_return(con, kind, None)
        record_source_names(con, kind, None)
        record_readings(con, None)
        outcomes = load_csv_folder(con, folder, wanted, keep_raw)
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
        outcomes = load_frames(con, source, wanted, keep_raw)
        # Neither statutory return carries the population: a population.csv beside it gives the
        # denominator for rates per 10,000.
        population = find_csv(folder, extract("population"))
        if population is not None and "population" in wanted:
            outcomes = [o for o in outcomes if o.stem != "population"]
            outcomes.append(load_csv(con, population, "population", keep_raw))
    for o in outcomes:
        if o.status != "loaded":
            drop_stem(con, o.stem)
    if (
        not keep_raw
        and not con.execute(
            "SELECT 1 FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'raw'"
        ).fetchall()
    ):
        con.execute("DROP SCHEMA IF EXISTS raw")  # an earlier --keep-raw run's, now empty
    return kind, outcomes
