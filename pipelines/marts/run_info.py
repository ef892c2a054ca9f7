"""marts.run_info: what this warehouse is (provenance) and the date its data are taken at.

One row: the Dagster run that built it and when it started, the input format and folder, a
fingerprint of the input files, the as-at date and where it came from, the first date of the
reporting periods, and frontdoor's version and git commit. Every marts SQL file reads as_at and
first_date from here (pipelines/marts/build.py sets them as DuckDB variables), so one table decides
the date for the whole warehouse, whichever assets are materialised.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
from dataclasses import asdict, dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import duckdb

from pipelines.council import authority
from pipelines.sources.folder import INPUT_SUFFIXES, input_files
from pipelines.sources.readings import readings_text
from pipelines.sql import literal, table_exists

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Provenance:
    """Where a run's figures come from, beside the as-at date."""

    run_id: str
    started_at: dt.datetime | None
    input_format: str
    input_dir: str
    input_fingerprint: str
    frontdoor_version: str
    git_commit: str


COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("run_id", "VARCHAR", "The Dagster run that built this table (its other tables may come from earlier runs: see dagster/run_id on each asset)."),
    ("started_at", "TIMESTAMP", "When that run started (UTC)."),
    ("input_format", "VARCHAR", "csv (the extract contract), annex_a or cin_census."),
    ("input_dir", "VARCHAR", "The input folder read."),
    ("input_fingerprint", "VARCHAR", "SHA-256 of the input files' names, sizes and modification times: the same fingerprint means the same files."),
    ("as_at", "DATE", "The extract date: events dated after it are treated as not yet happened (docs/metrics.md \"As at\")."),
    ("as_at_source", "VARCHAR", "Where as_at came from: the run's setting, or which dates of the input decided it."),
    ("first_date", "DATE", "The earliest contact or referral date (at most as_at): the periods start from the one containing it."),
    ("history_start", "DATE", "The first day of the input's own history: the earliest contact date (census files: 1 April before the earliest ReferenceDate; no contacts: first_date), between first_date and as_at. Records dated before it are cases carried in open, so periods before it (which exist: they run from first_date) hold incomplete counts, and the report starts here."),
    ("la_code", "VARCHAR", "The council's old three-digit LA code: as the input says it (census header, Annex A front sheet), else as the run set it (--la-code, FRONTDOOR_LA_CODE); NULL when neither says."),
    ("la_name", "VARCHAR", "The council's name in DfE's list of local authorities (data/reference/local_authorities.csv); NULL when la_code is NULL or not in the list."),
    ("la_code_source", "VARCHAR", "Where la_code came from, in words (and a setting that disagreed with the input)."),
    ("frontdoor_version", "VARCHAR", "The frontdoor package version that built the warehouse."),
    ("git_commit", "VARCHAR", "The git commit of the frontdoor checkout that built it ('unknown' outside a checkout)."),
    ("readings", "VARCHAR", "The readings of the input's reader that fill a gap of its format, each with the metrics resting on it (docs/formats.md: SSD, CSC API); NULL when the figures rest on none."),
)  # fmt: skip


def input_fingerprint(folder: Path) -> str:
    """SHA-256 over each input file's name, size and modification time (no content read)."""
    state = (
        [[f.name, f.size, f.mtime_ns] for f in input_files(folder) if f.suffix in INPUT_SUFFIXES]
        if folder.is_dir()
        else []
    )
    return hashlib.sha256(json.dumps(state).encode()).hexdigest()


def frontdoor_version() -> str:
    try:
        return version("frontdoor")
    except PackageNotFoundError:
        return "unknown"


def git_commit() -> str:
    """The checkout's commit (with '+dirty' when it has changes), or 'unknown'."""
    try:
        head = subprocess.run(
            ["git", "-C", str(PROJECT_ROOT), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(PROJECT_ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def _contact_referral_dates(
    con: duckdb.DuckDBPyConnection,
) -> tuple[dt.date | None, dt.date | None]:
    """(latest, earliest) contact or referral date in staging."""
    parts = []
    if table_exists(con, "staging.contacts"):
        parts.append("SELECT CAST(contact_datetime AS DATE) AS d FROM staging.contacts")
    if table_exists(con, "staging.referrals"):
        parts.append("SELECT referral_date AS d FROM staging.referrals")
    if not parts:
        return None, None
    latest, earliest = con.execute(
        f"SELECT max(d), min(d) FROM ({' UNION ALL '.join(parts)})"
    ).fetchall()[0]
    return latest, earliest


def history_start(con: duckdb.DuckDBPyConnection, first_date: dt.date, as_at: dt.date) -> dt.date:
    """The first day of the input's own history (marts.run_info.history_start)."""
    start = None
    if table_exists(con, "audit.return_info"):
        rows = con.execute("SELECT history_start FROM audit.return_info").fetchall()
        start = rows[0][0] if rows else None
    if start is None and table_exists(con, "staging.contacts"):
        start = con.execute(
            "SELECT min(CAST(contact_datetime AS DATE)) FROM staging.contacts"
        ).fetchall()[0][0]
    return max(first_date, min(start or first_date, as_at))


def data_as_at(con: duckdb.DuckDBPyConnection) -> tuple[dt.date | None, str]:
    """The date the input itself says it is taken at, and where that comes from: a statutory
    return's own date (audit.return_info), else the latest contact or referral date."""
    if table_exists(con, "audit.return_info"):
        rows = con.execute("SELECT as_at, as_at_source FROM audit.return_info").fetchall()
        if rows and rows[0][0] is not None:
            return rows[0][0], rows[0][1]
    latest, _ = _contact_referral_dates(con)
    return latest, "the latest contact or referral date"


def _input_files(con: duckdb.DuckDBPyConnection) -> str:
    """The files the input was read from (audit.return_info for a statutory return, else
    audit.load_log), by name, for a message."""
    for table, query in (
        ("audit.return_info", "SELECT files FROM audit.return_info WHERE files <> ''"),
        ("audit.load_log", "SELECT file FROM audit.load_log WHERE file IS NOT NULL"),
    ):
        if table_exists(con, table):
            listed = {
                Path(name).name
                for (files,) in con.execute(query).fetchall()
                for name in files.split(", ")
            }
            if listed:
                return ", ".join(sorted(listed))
    return "the input"


def decide_council(
    con: duckdb.DuckDBPyConnection, configured: str | None
) -> tuple[str | None, str | None, str]:
    """(la_code, la_name, where the code came from): the input's own code (audit.return_info,
    filled by a reader from its input) wins over the run's setting; a setting that disagrees is
    said, never silently used."""
    said, said_where = None, ""
    if table_exists(con, "audit.return_info"):
        have = {
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = 'audit' AND table_name = 'return_info'"
            ).fetchall()
        }
        if {"la_code", "la_code_source"} <= have:
            rows = con.execute("SELECT la_code, la_code_source FROM audit.return_info").fetchall()
            if rows and rows[0][0]:
                said, said_where = rows[0]
    configured = (configured or "").strip() or None
    if said:
        code, source = said, said_where
        if configured and configured != said:
            source += f"; the run's setting {configured} differs and is not used"
    elif configured:
        code, source = configured, "set for the run (--la-code, FRONTDOOR_LA_CODE)"
    else:
        return None, None, "not known: the input does not say and no --la-code was set"
    found = authority(code)
    if found is None:
        source += "; not an English local authority in DfE's list"
    return code, found.la_name if found else None, source


class AsAtError(Exception):
    """No as-at date can be taken: the input has no dated record, or the one set is refused."""


def decide_as_at(
    con: duckdb.DuckDBPyConnection, configured: dt.date | None, anyway: bool = False
) -> tuple[dt.date, str, dt.date]:
    """(as_at, where it came from, first_date) for the staged input (docs/metrics.md "As at").

    A configured as_at before the earliest record (or after today) is refused unless
    ``anyway``: every figure would be an empty or a future snapshot."""
    _, earliest = _contact_referral_dates(con)
    latest, latest_source = data_as_at(con)
    if configured is not None:
        if not anyway and earliest is not None and configured < earliest:
            raise AsAtError(
                f"--as-at {configured} is before the earliest contact or referral ({earliest}): "
                "every figure would be empty. Refused; add --as-at-anyway to run it."
            )
        if not anyway and configured > dt.date.today():
            raise AsAtError(
                f"--as-at {configured} is after today ({dt.date.today()}): refused; add "
                "--as-at-anyway to run it."
            )
        as_at, source = configured, "set for the run (--as-at)"
    elif latest is not None:
        as_at, source = latest, latest_source
    else:
        raise AsAtError(
            f"{_input_files(con)}: no contact or referral with a date, so there are no figures "
            "to take (an empty return, or lists with headers but no rows?)"
        )
    first_date = min(earliest, as_at) if earliest is not None else as_at
    return as_at, source, first_date


def build_run_info(
    con: duckdb.DuckDBPyConnection,
    provenance: Provenance,
    configured_as_at: dt.date | None,
    anyway: bool = False,
    la_code: str | None = None,
) -> dt.date:
    """Write marts.run_info (one row) and return the as-at date it holds. ``la_code``: the
    council's code as the run set it, used when the input does not say."""
    as_at, source, first_date = decide_as_at(con, configured_as_at, anyway)
    code, name, code_source = decide_council(con, la_code)
    values = asdict(provenance) | {
        "la_code": code,
        "la_name": name,
        "la_code_source": code_source,
        "as_at": as_at,
        "as_at_source": source,
        "first_date": first_date,
        "history_start": history_start(con, first_date, as_at),
        "readings": readings_text(con),
    }
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    columns = ", ".join(f"CAST(${n} AS {t}) AS {n}" for n, t, _ in COLUMNS)
    con.execute(
        f"CREATE OR REPLACE TABLE marts.run_info AS SELECT {columns}",
        {n: values[n] for n, _, _ in COLUMNS},
    )
    con.execute(
        "COMMENT ON TABLE marts.run_info IS 'One row: the provenance of this warehouse (run, input, "
        "version) and the as_at date its figures are taken at.'"
    )
    for n, _, comment in COLUMNS:
        con.execute(f"COMMENT ON COLUMN marts.run_info.{n} IS {literal(comment)}")
    return as_at
