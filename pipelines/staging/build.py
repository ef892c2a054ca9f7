"""Type a reader frame into ``staging.<stem>``; rows that cannot be used go to ``quarantine.<stem>``.

One pass per file: the reader's frame (contract columns as text, then ``_source_file`` and
``_line``; docs/architecture.md "Reader frames") is typed, keyed and split in SQL, and staging
and quarantine are each written once. No copy of the rows as read is kept beside them (issue 23).

The SQL is generated from the contract (pipelines/contract.py, whose docstring gives the typing
rules). A row is quarantined for its first failing rule, taking the columns in contract order:

- ``malformed_row``   the CSV reader found the row itself broken (``raw._row_error``: more or
                      fewer fields than the header, a NUL byte); its values cannot be trusted
- ``required``        a required field is blank
- ``not_a_date``      a non-blank date that is not ``YYYY-MM-DD`` or ``DD/MM/YYYY`` (or D/M/YYYY),
                      or is no real day (31/02/2012; US 12/31/2012 fails as 31 is not a month)
- ``not_a_datetime``  the same for date-times (ISO with ``T`` or a space, optional seconds; or
                      ``DD/MM/YYYY HH:MM[:SS]``; a bare date is midnight)
- ``not_an_integer``  a non-blank strict int that is not a whole number
- ``too_long``        an id, code or text value longer than ``TEXT_CAP`` characters (any column,
                      required or not: one 10 MB team name must not reach the marts)
- ``implausible_date`` a date outside the plausible window (any column, required or not): before
                      1 January 1990 (a date of birth: 1900) or after the run date (an expected
                      date of birth: a year after it). Such a date is never the as-at or the
                      first period (9999-12-31, 2045-06-01, 1901-01-01; docs/security.md)
- ``unknown_code``    a required code column holding a code outside the contract's list
- ``duplicate_id``    the extract's key repeats: the first copy by line is kept. This rule comes
                      last and counts only rows that passed every other rule, so a broken first
                      copy does not push a good later one out.

Unknown optional codes and odd yes/no values are kept (codes upper-cased, yes/no -> NULL) for the
validation step to report. So every row read lands in exactly one of staging and quarantine.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import polars as pl

from pipelines.comments import staging_comments
from pipelines.contract import NO, SQL_TYPES, YES, Column, Extract
from pipelines.errors import ExtractError
from pipelines.sources.csv_extract import ROW_ERROR
from pipelines.sources.names import SourceNames, source_names
from pipelines.sql import ident, literal, literals

# trim() alone keeps tabs, line ends and the no-break spaces Excel likes. Trimming allocates a new
# string, a large part of the cost at millions of rows, so it runs only when a cheap test says so.
_WHITESPACE = " \t\r\n\u00a0"
_ISO_DATE = r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
_UK_DATE = r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}"
_TIME = r"[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?"
# The patterns pin the shape: a four-digit year (strptime reads 01/01/12 as the year 12, and a
# cast to TIMESTAMP would drop a "+01" offset). The parse then rejects days that do not exist.
# ISO fractional seconds are accepted too: SQL Server exports write "10:30:15.000".
_ISO_DATETIME = rf"{_ISO_DATE}([T ]{_TIME}(\.[0-9]{{1,6}})?)?"
_UK_DATETIME = rf"{_UK_DATE}( {_TIME})?"
_UK_DATETIME_FORMATS = ["%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y"]
_INT_PATTERN = r"[+-]?[0-9]+(\.0+)?"  # 3 and 3.0 are whole numbers; 3.5 is not
_LINEAGE = ("_source_file", "_line")
# The longest id, code or text value staged (characters): team names, religions and identifiers
# are tens of characters; a longer value is quarantined (docs/security.md "The text cap").
TEXT_CAP = 1000
# The plausible window for dates (docs/security.md "Dates"): case records start no earlier than
# 1990 (a child then born would be 18 in 2008); a date of birth may be older; nothing but an
# expected date of birth lies after the day of the run.
EARLIEST_EVENT = dt.date(1990, 1, 1)
EARLIEST_BIRTH = dt.date(1900, 1, 1)
# The name the staging SQL reads the reader frame by: build_staging's local variable of that name.
_READER_FRAME = "_reader_frame"


@dataclass(frozen=True)
class StagingCounts:
    """Rows read, and where they went: raw (rows read) = staged + quarantined."""

    raw: int
    staged: int
    quarantined: int


@dataclass(frozen=True)
class _Check:
    column: str | None  # None for a rule about the whole row
    rule: str
    condition: str  # SQL, true when the row breaks the rule
    reason: str  # SQL expression for the part of _reason after "file line n, column 'c': "


def build_staging(
    con: duckdb.DuckDBPyConnection,
    extract: Extract,
    frame: pl.DataFrame,
    extras: dict[str, str] | None = None,
    run_date: dt.date | None = None,
) -> StagingCounts:
    """Write ``staging.<stem>`` and ``quarantine.<stem>`` from a reader's ``frame``; return the
    counts. ``extras`` says what the source's extra columns hold (for their comments);
    ``run_date`` (default today) ends the plausible window for dates.

    Raises ExtractError when the frame lacks a required contract column, and AssertionError if
    rows read != staged + quarantined (a bug, never bad data).
    """
    stem = ident(extract.stem)
    raw_columns = _raw_columns(frame, extract)
    names = source_names(con, extract.stem)
    checks = _checks(extract, raw_columns, names, run_date or dt.date.today())
    checked = ident(f"_staging_checked_{extract.stem}")
    source = _READER_FRAME
    con.execute("CREATE SCHEMA IF NOT EXISTS staging")
    con.execute("CREATE SCHEMA IF NOT EXISTS quarantine")
    # The frame's row number keys a row from its check back to its values as read. DuckDB reads
    # the frame by this local variable's name (a replacement scan, for one statement at a time),
    # not through con.register: a registered frame is a temporary view, and inside a step's one
    # transaction a dropped view keeps its frame alive until the commit, so every file's frame
    # stayed in memory to the end of stage_extracts (the peak at 9 million rows fell from 2,894
    # to 1,728 MiB when they no longer did; duckdb/duckdb-python#469). The statements run here,
    # in this function, for DuckDB to find it.
    _reader_frame = frame.with_row_index("__rowid")  # read by the SQL below
    try:
        # Each value is typed and checked once, into a temporary table both outputs read.
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {checked} AS "
            f"{checked_sql(extract, raw_columns, checks, source)}"
        )
        if extract.key:
            con.execute(duplicates_sql(extract, checked, len(checks)))
        con.execute(staging_sql(extract, checked))
        con.execute(quarantine_sql(extract, raw_columns, checked, checks, names, source))
    finally:
        con.execute(f"DROP TABLE IF EXISTS {checked}")
        del _reader_frame
    staging_comments(con, extract, extras)

    staged, quarantined = con.execute(
        f"SELECT (SELECT count(*) FROM staging.{stem}), (SELECT count(*) FROM quarantine.{stem})"
    ).fetchall()[0]
    if frame.height != staged + quarantined:
        raise AssertionError(
            f"{extract.stem}: {frame.height} rows read but staging {staged} + "
            f"quarantine {quarantined}"
        )
    return StagingCounts(frame.height, staged, quarantined)


def checked_sql(extract: Extract, raw_columns: list[str], checks: list[_Check], source: str) -> str:
    """SELECT, per row of the reader frame ``source``: its row number (``__rowid``), lineage, each contract column typed
    (``__t_<name>``), and ``__fail``, the 1-based index into ``checks`` of the first rule the
    row breaks (NULL if none; duplicates are marked afterwards)."""
    cleaned = ", ".join(
        f"{_cleaned(c.name, raw_columns)} AS {ident('__v_' + c.name)}" for c in extract.columns
    )
    typed = ", ".join(
        f"{_typed(c, ident('__v_' + c.name))} AS {ident('__t_' + c.name)}" for c in extract.columns
    )
    row_checks = [k for k in checks if k.rule != "duplicate_id"]
    first_fail = " ".join(f"WHEN {k.condition} THEN {i}" for i, k in enumerate(row_checks, 1))
    typed_names = ", ".join(ident("__t_" + c.name) for c in extract.columns)
    row_error = f", {ROW_ERROR}" if ROW_ERROR in raw_columns else ""
    return (
        f"SELECT __rowid, _source_file, _line, {typed_names}, {_nulled(extract, raw_columns)}, "
        f"CASE {first_fail} END AS __fail, "
        "CAST(NULL AS VARCHAR) AS __first_file, CAST(NULL AS BIGINT) AS __first_line "
        f"FROM (SELECT *, {typed} FROM "
        f"(SELECT __rowid, _source_file, _line{row_error}, {cleaned} FROM {source}))"
    )


def _nulled(extract: Extract, raw_columns: list[str]) -> str:
    """SQL for ``_nulled``: the optional columns of the row whose value is there but cannot be
    typed (set to NULL in staging, the row kept), in contract order; NULL when none is."""
    untypable = [
        (c.name, f"{ident('__v_' + c.name)} IS NOT NULL AND {ident('__t_' + c.name)} IS NULL")
        for c in extract.columns
        if not c.required and c.kind not in ("id", "text", "code") and c.name in raw_columns
    ]
    if not untypable:
        return "CAST(NULL AS VARCHAR[]) AS _nulled"
    names = ", ".join(f"CASE WHEN {cond} THEN {literal(n)} END" for n, cond in untypable)
    anything = " OR ".join(cond for _, cond in untypable)
    return (
        f"CASE WHEN {anything} THEN list_filter([{names}], lambda x: x IS NOT NULL) END AS _nulled"
    )


def duplicates_sql(extract: Extract, checked: str, duplicate_check: int) -> str:
    """UPDATE marking every later copy of a key, among rows that broke no other rule.

    "Later" is in the frame's order (its row number): file order for a CSV. The key must be unique across the
    whole table, so a reader that writes several files into one raw table has its copies in
    other files caught too. ``duplicate_check`` is the duplicate_id rule's index (the last).
    """
    assert extract.key is not None
    key = ident("__t_" + extract.key)
    # Grouping finds the few repeated keys at half the cost of a window over every row.
    return (
        f"UPDATE {checked} AS c SET __fail = {duplicate_check}, "
        "__first_file = d.first_file, __first_line = d.first_line "
        f"FROM (SELECT {key} AS key, min(__rowid) AS first_rowid, "
        "arg_min(_source_file, __rowid) AS first_file, arg_min(_line, __rowid) AS first_line "
        f"FROM {checked} WHERE __fail IS NULL GROUP BY ALL HAVING count(*) > 1) AS d "
        f"WHERE c.__fail IS NULL AND c.{key} = d.key AND c.__rowid > d.first_rowid"
    )


def staging_sql(extract: Extract, checked: str) -> str:
    """CREATE staging.<stem>: the contract columns typed, then lineage and ``_nulled``, in file
    order."""
    columns = ", ".join(
        f"CAST({ident('__t_' + c.name)} AS {SQL_TYPES[c.kind]}) AS {ident(c.name)}"
        for c in extract.columns
    )
    return (
        f"CREATE OR REPLACE TABLE staging.{ident(extract.stem)} AS "
        f"SELECT {columns}, _source_file, _line, _nulled FROM {checked} WHERE __fail IS NULL"
        # No ORDER BY: the checked table was filled by a plain scan of the frame, so it is in
        # file order already, and DuckDB keeps insertion order (sorting 2M rows costs a second).
    )


def quarantine_sql(
    extract: Extract,
    raw_columns: list[str],
    checked: str,
    checks: list[_Check],
    names: SourceNames,
    source: str,
) -> str:
    """CREATE quarantine.<stem>: the columns as read, then the failing column, rule, value, reason.

    The reason names the place as the source does: the file and line and the contract column
    for a CSV extract; the workbook, sheet, row and header for Annex A; the XML file, line and
    element for the census (``names``)."""
    column_list = (
        "[" + ", ".join("NULL" if k.column is None else literal(k.column) for k in checks) + "]"
    )
    label_list = (
        "["
        + ", ".join("NULL" if k.column is None else literal(names.of(k.column)) for k in checks)
        + "]"
    )
    rule_list = "[" + ", ".join(literal(k.rule) for k in checks) + "]"
    value = " ".join(
        f"WHEN {i} THEN "
        + (
            # a value over the cap is kept whole in its column; _value holds its start
            f"left(CAST(r.{ident(k.column)} AS VARCHAR), {TEXT_CAP}) || ' ...'"
            if k.rule == "too_long"
            else f"CAST(r.{ident(k.column)} AS VARCHAR)"
        )
        for i, k in enumerate(checks, 1)
        if k.column in raw_columns
    )
    file = f"coalesce(parse_filename(r._source_file), {literal(extract.filename)})"
    # An Annex A row is a sheet's row; only then is raw.sheet the reader's own column (a CSV
    # extract's column of that name is the council's data and must not reach a message).
    line = (
        "coalesce(' [' || r.sheet || '] row ', ' line ')"
        if names.sheets and "sheet" in raw_columns
        else "' line '"
    )
    where = (
        f"{file} || {line} || coalesce(r._line, 0) || "
        f"coalesce(', ' || {label_list}[c.__fail], '') || ': '"
    )
    # A column raw lacks is all NULL: only "required" could fail on it, and required columns
    # are never missing (_raw_columns), so its checks never fire and need no SQL here.
    reason = " ".join(
        f"WHEN {i} THEN {k.reason}"
        for i, k in enumerate(checks, 1)
        if k.column is None or k.column in raw_columns
    )
    raw = ", ".join(f"r.{ident(c)}" for c in raw_columns)
    return (
        f"CREATE OR REPLACE TABLE quarantine.{ident(extract.stem)} AS "
        f"SELECT {raw}, {column_list}[c.__fail] AS _column, {rule_list}[c.__fail] AS _rule, "
        f"CASE c.__fail {value} END AS _value, "
        f"{where} || CASE c.__fail {reason} END AS _reason "
        f"FROM {source} AS r "
        "JOIN (SELECT __rowid, __fail, __first_file, __first_line "
        f"FROM {checked} WHERE __fail IS NOT NULL) AS c "
        "ON r.__rowid = c.__rowid ORDER BY r._source_file, r._line"
    )


def _raw_columns(frame: pl.DataFrame, extract: Extract) -> list[str]:
    columns = [c for c in frame.columns if c != "__rowid"]
    where = f"the {extract.stem} frame"
    for name in (*extract.required_columns, *_LINEAGE):
        if name not in columns:
            raise ExtractError(where, "required column is missing", column=name)
    return columns


def _cleaned(name: str, raw_columns: list[str]) -> str:
    """SQL for a raw column trimmed, blank -> NULL (NULL when raw lacks the column)."""
    if name not in raw_columns:
        return "CAST(NULL AS VARCHAR)"
    x = f"CAST({ident(name)} AS VARCHAR)"
    # x < '!' is one comparison that catches any leading space, tab or line end; a trailing
    # space is the other common case. Only then is the (costly) trim run, and it trims every
    # kind of whitespace at both ends. A value whose only stray whitespace is a trailing tab,
    # line end or no-break space is left as it is (and then usually fails to type, visibly).
    return (
        f"NULLIF(CASE WHEN {x} < '!' OR ends_with({x}, ' ') "
        f"THEN trim({x}, {literal(_WHITESPACE)}) ELSE {x} END, '')"
    )


def _typed(c: Column, v: str) -> str:
    """SQL typing the cleaned (trimmed, blank -> NULL) value ``v`` of column ``c``; NULL when
    it cannot be typed."""
    if c.kind in ("id", "text"):
        return v
    if c.kind == "code":
        return f"upper({v})"
    if c.kind == "yn":
        return (
            f"CASE WHEN lower({v}) IN {literals(YES)} THEN true "
            f"WHEN lower({v}) IN {literals(NO)} THEN false END"
        )
    if c.kind == "int":
        return (
            f"CASE WHEN regexp_full_match({v}, '{_INT_PATTERN}') THEN TRY_CAST({v} AS BIGINT) END"
        )
    if c.kind == "date":
        return (
            f"CASE WHEN contains({v}, '/') THEN CASE WHEN regexp_full_match({v}, '{_UK_DATE}') "
            f"THEN CAST(try_strptime({v}, '%d/%m/%Y') AS DATE) END "
            f"WHEN regexp_full_match({v}, '{_ISO_DATE}') THEN TRY_CAST({v} AS DATE) END"
        )
    if c.kind == "datetime":
        return (
            f"CASE WHEN contains({v}, '/') THEN CASE WHEN regexp_full_match({v}, '{_UK_DATETIME}') "
            f"THEN try_strptime({v}, {_UK_DATETIME_FORMATS}) END "
            f"WHEN regexp_full_match({v}, '{_ISO_DATETIME}') THEN TRY_CAST({v} AS TIMESTAMP) END"
        )
    raise ValueError(f"no typing rule for kind {c.kind!r} (column {c.name})")


def _window_check(c: Column, run_date: dt.date) -> _Check:
    """implausible_date: the column's typed value outside its plausible window."""
    birth = c.name.endswith("date_of_birth")
    earliest = EARLIEST_BIRTH if birth else EARLIEST_EVENT
    # An expected date of birth may lie ahead: within a year of the run.
    latest = run_date + dt.timedelta(days=366) if c.name == "expected_date_of_birth" else run_date
    t = ident("__t_" + c.name)
    # Compared as dates: a date-time on the run date is within it.
    outside = (
        f"{t} IS NOT NULL AND (CAST({t} AS DATE) < DATE '{earliest}' "
        f"OR CAST({t} AS DATE) > DATE '{latest}')"
    )
    why = literal(
        f"a date outside the plausible window {earliest} to {latest} "
        f"({'the run date' if latest == run_date else 'a year after the run date'})"
    )
    return _Check(c.name, "implausible_date", outside, why)


def _checks(
    extract: Extract,
    raw_columns: list[str],
    names: SourceNames | None = None,
    run_date: dt.date | None = None,
) -> list[_Check]:
    """Every rule a row can break, in the order they are tried; duplicate_id last.

    A key the reader built (``names.built``) is tried after the columns it is built from, so
    that a row without a child id is quarantined for the child id, the field the council can
    fix, not for the key that is blank because of it.

    Conditions read the cleaned (``__v_``) and typed (``__t_``) values of checked_sql; reasons
    read the raw row ``r`` and the checked row ``c`` of quarantine_sql.
    """
    built = names.built if names is not None else frozenset()
    checks: list[_Check] = []
    if ROW_ERROR in raw_columns:
        # First: a row with its fields shifted or cut has values in the wrong columns, so no
        # rule about a column can be trusted to describe it.
        row = f"'the row ' || r.{ROW_ERROR}"
        checks.append(_Check(None, "malformed_row", f"{ROW_ERROR} IS NOT NULL", row))
    columns = [c for c in extract.columns if c.name not in built] + [
        c for c in extract.columns if c.name in built
    ]
    for c in columns:
        v, t = ident("__v_" + c.name), ident("__t_" + c.name)
        untypable = f"{v} IS NOT NULL AND {t} IS NULL"
        if c.required:
            checks.append(_Check(c.name, "required", f"{v} IS NULL", "'required value is blank'"))
        if c.kind in ("id", "code", "text"):
            # strlen (bytes) is free; length (characters) only where the bytes are over.
            long = f"strlen({v}) > {TEXT_CAP} AND length({v}) > {TEXT_CAP}"
            why = (
                f"'is ' || format('{{:,}}', length(r.{ident(c.name)})) || "
                f"' characters long, over the cap of {TEXT_CAP:,}'"
            )
            checks.append(_Check(c.name, "too_long", long, why))
        if c.kind in ("date", "datetime"):
            checks.append(_window_check(c, run_date or dt.date.today()))
        if not c.required:
            continue  # an optional value that cannot be typed is set to NULL (_nulled), not this
        if c.kind == "date":
            why = literal("not a date (expected YYYY-MM-DD or DD/MM/YYYY)")
            checks.append(_Check(c.name, "not_a_date", untypable, why))
        elif c.kind == "datetime":
            why = literal(
                "not a date-time (expected YYYY-MM-DD HH:MM[:SS], "
                "YYYY-MM-DDTHH:MM[:SS] or DD/MM/YYYY HH:MM[:SS])"
            )
            checks.append(_Check(c.name, "not_a_datetime", untypable, why))
        elif c.kind == "int":
            why = literal("not a whole number")
            checks.append(_Check(c.name, "not_an_integer", untypable, why))
        elif c.kind == "code" and c.required and c.codes:
            why = literal(f"not one of the codes {', '.join(c.codes)}")
            known = f"{t} NOT IN {literals(c.codes)}"
            checks.append(_Check(c.name, "unknown_code", known, why))
    if extract.key:
        first = (
            "CASE WHEN c.__first_file IS NOT DISTINCT FROM r._source_file THEN '' "
            "ELSE parse_filename(c.__first_file) || ' ' END || 'line ' || c.__first_line"
        )
        why = f"{literal(f'repeats the {extract.key} first seen on ')} || {first}"
        kept = literal("; the first copy is kept")
        # decided over the whole table by duplicates_sql, not row by row
        checks.append(_Check(extract.key, "duplicate_id", "", f"{why} || {kept}"))
    return checks
