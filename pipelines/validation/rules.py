"""Rules evaluated in SQL over every row: the suites' expectations, and sql/checks/*.sql.

Findings land in two temporary tables that build_data_quality turns into the marts:

- ``dq_rules``: one row per rule evaluated (kind, rule, severity, action, stem, column,
  rows_checked, message; and file, rows_failed where a rule sets them), so a rule that found
  nothing still shows a 0 and trends are complete;
- ``dq_findings``: one row per offending row (stem, column, source file, line, detail). A detail
  never quotes the row's values (they may be a child's record): the analyst finds them in
  the input file (audit.input_files) by file and line.

A suite expectation becomes one SELECT over the stem's frame (pipelines.validation.frames); a
cross-file rule is a SQL file whose header names its rule, severity, the stems it checks and the
tables it needs (docs/validation.md).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from pipelines.contract import SQL_TYPES, extract
from pipelines.sql import ident, literal, table_exists
from pipelines.validation.frames import frame_sql
from pipelines.validation.suites import AS_AT_NEXT, EARLIEST, load_suite

CHECKS_DIR = Path(__file__).resolve().parents[2] / "sql" / "checks"

_HEADER = re.compile(r"^\s*--\s*(rule|severity|for|requires):\s*(.+?)\s*$", re.IGNORECASE)


# The columns every rule states; ``file`` (the files a rule looked at, when not the stem's) and
# ``rows_failed`` (for a rule counted without listing its rows) are left NULL by most.
RULE_FIELDS = "kind, rule, severity, action, stem, column_name, rows_checked, message"


def create_work_tables(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create the temporary dq_rules and dq_findings tables for this connection."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE dq_rules (kind VARCHAR, rule VARCHAR, severity VARCHAR, "
        "action VARCHAR, stem VARCHAR, column_name VARCHAR, rows_checked BIGINT, message VARCHAR, "
        "file VARCHAR, rows_failed BIGINT)"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE dq_findings (kind VARCHAR, rule VARCHAR, stem VARCHAR, "
        "column_name VARCHAR, source_file VARCHAR, line BIGINT, detail VARCHAR)"
    )


def expectation_sql(expectation: dict[str, Any]) -> str | None:
    """SELECT _source_file, _line, detail FROM f of the rows breaking one expectation.

    ``f`` is the stem's frame. None for the schema-level expectations (column present, type),
    which are answered from information_schema instead. A detail never quotes the row's values.
    """
    kind, kw = expectation["type"], expectation["kwargs"]
    if kind == "expect_column_values_to_not_be_null":
        col = ident(kw["column"])
        return f"SELECT _source_file, _line, 'blank' FROM f WHERE {col} IS NULL"
    if kind == "expect_column_values_to_be_in_set":
        col = ident(kw["column"])
        codes = ", ".join(literal(v) for v in kw["value_set"])
        return (
            "SELECT _source_file, _line, 'not a known code' "
            f"FROM f WHERE {col} IS NOT NULL AND {col} NOT IN ({codes})"
        )
    if kind == "expect_column_values_to_be_between":
        col = ident(kw["column"])
        bounds = []
        if kw.get("min_value") is not None:
            bounds.append(f"{col} < {int(kw['min_value'])}")
        if kw.get("max_value") is not None:
            bounds.append(f"{col} > {int(kw['max_value'])}")
        shown = ", ".join(
            "" if kw.get(k) is None else str(int(kw[k])) for k in ("min_value", "max_value")
        )
        return (
            f"SELECT _source_file, _line, {literal(f'outside [{shown}]')} "
            f"FROM f WHERE {col} IS NOT NULL AND ({' OR '.join(bounds)})"
        )
    if kind == "expect_column_values_to_be_unique":
        # GX counts every copy; SQL reports the copies after the first, which is the row kept.
        col = ident(kw["column"])
        repeats = literal(f"repeats the {kw['column']} of line ")
        return (
            f"SELECT _source_file, _line, "
            f"{repeats} || first_value(_line) OVER (PARTITION BY {col} ORDER BY _line) "
            f"FROM f WHERE {col} IS NOT NULL "
            f"QUALIFY row_number() OVER (PARTITION BY {col} ORDER BY _line) > 1"
        )
    if kind == "expect_column_pair_values_a_to_be_greater_than_b":
        a, b = ident(kw["column_A"]), ident(kw["column_B"])
        op = ">=" if kw.get("or_equal") else ">"
        if kw["column_A"] == AS_AT_NEXT:
            detail = (
                f"{literal(kw['column_B'] + ' is after the extract date ')} "
                f"|| CAST(CAST({a} AS DATE) - INTERVAL 1 DAY AS DATE)"
            )
        elif kw["column_B"] == EARLIEST:
            detail = literal(f"{kw['column_A']} is before the child's birth")
        else:
            detail = literal(f"{kw['column_A']} is before {kw['column_B']}")
        return (
            f"SELECT _source_file, _line, {detail} "
            f"FROM f WHERE {a} IS NOT NULL AND {b} IS NOT NULL AND NOT ({a} {op} {b})"
        )
    if kind in ("expect_column_to_exist", "expect_column_values_to_be_of_type"):
        return None
    raise ValueError(f"no SQL translation for {kind}")


def _schema_problem(columns: dict[str, str], stem: str, expectation: dict[str, Any]) -> str | None:
    """The message when a schema-level expectation fails on staging.<stem>, else None."""
    kind, column = expectation["type"], expectation["kwargs"]["column"]
    if column not in columns:
        return f"staging.{stem} has no column {column!r}"
    if kind == "expect_column_values_to_be_of_type":
        wanted = SQL_TYPES[extract(stem).column(column).kind]
        if columns[column] != wanted:
            return f"staging.{stem}.{column} is {columns[column]}, not {wanted}"
    return None


def run_suite_sql(con: duckdb.DuckDBPyConnection, stem: str, as_of: dt.date | None) -> int:
    """Evaluate every expectation of the stem's suite over all of staging.<stem>.

    Appends to dq_rules / dq_findings; returns the number of findings. Three statements a
    stem, not two an expectation: DuckDB's cost per statement, not the rows, was most of a
    small council's validation (0.6 s for 2,000 children, 0.66 s for 37,000).
    """
    suite = load_suite(stem)
    rows = con.execute(f"SELECT count(*) FROM staging.{stem}").fetchall()[0][0]
    columns = dict(
        con.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'staging' AND table_name = ?",
            [stem],
        ).fetchall()
    )
    rules: list[list[Any]] = []  # one row of dq_rules an expectation
    problems: list[list[Any]] = []  # the schema-level findings
    selects: list[str] = []  # the offending rows of each row-level expectation
    for ex in suite["expectations"]:
        meta = ex["meta"]
        column = meta["column"]
        head = ["rule", meta["rule"], meta["severity"], "kept", stem, column, rows]
        sql = expectation_sql(ex)
        if sql is None:
            problem = _schema_problem(columns, stem, ex)
            rules.append([*head, problem])
            if problem:
                problems.append(["rule", meta["rule"], stem, column, problem])
            continue
        rules.append([*head, None])
        selects.append(
            f"SELECT 'rule', {literal(meta['rule'])}, {literal(stem)}, {literal(column)}, * "
            f"FROM ({sql})"
        )
    _insert_values(con, f"dq_rules ({RULE_FIELDS})", "(?, ?, ?, ?, ?, ?, ?, ?)", rules)
    _insert_values(con, "dq_findings", "(?, ?, ?, ?, NULL, NULL, ?)", problems)
    found = len(problems)
    if selects:
        # An INSERT's result is the number of rows it inserted.
        found += con.execute(
            f"INSERT INTO dq_findings WITH f AS ({frame_sql(con, stem, as_of)}) "
            + " UNION ALL ".join(selects)
        ).fetchall()[0][0]
    return found


def _insert_values(
    con: duckdb.DuckDBPyConnection, into: str, row: str, rows: list[list[Any]]
) -> None:
    """Insert ``rows`` into ``into`` in one statement, each row's values bound to ``row``'s
    placeholders."""
    if rows:
        con.execute(
            f"INSERT INTO {into} VALUES " + ", ".join([row] * len(rows)),
            [value for values in rows for value in values],
        )


@dataclass(frozen=True)
class CrossCheck:
    """One sql/checks file: a SELECT of the offending rows of ``{stem}``."""

    path: Path
    rule: str
    severity: str
    stems: tuple[str, ...]
    requires: tuple[str, ...]  # tables, with {stem} substituted per stem
    sql: str
    description: str = ""  # the file's other leading comment lines


def _names(text: str) -> tuple[str, ...]:
    """The comma- or space-separated names of a header line."""
    return tuple(t for t in re.split(r"[,\s]+", text) if t)


def read_check(path: Path) -> CrossCheck:
    """Parse one check file's header comments (rule, severity, for, requires; the rest say what
    the rule is)."""
    sql = path.read_text(encoding="utf-8")
    header: dict[str, str] = {}
    description: list[str] = []
    for line in sql.splitlines():
        if not line.strip().startswith("--"):
            break
        m = _HEADER.match(line)
        if m:
            header[m.group(1).lower()] = m.group(2)
        else:
            description.append(line.strip().lstrip("-").strip())
    return CrossCheck(
        path,
        header["rule"],
        header.get("severity", "warning"),
        _names(header["for"]),
        _names(header.get("requires", "")),
        sql,
        " ".join(d for d in description if d),
    )


def cross_checks(folder: Path = CHECKS_DIR) -> list[CrossCheck]:
    """Every sql/checks file, in name order."""
    return [read_check(p) for p in sorted(folder.glob("*.sql"))]


def run_cross_checks(
    con: duckdb.DuckDBPyConnection,
    folder: Path = CHECKS_DIR,
    stems: Collection[str] | None = None,
) -> int:
    """Run every cross-file check for each stem it names (of ``stems``, when given) whose
    required tables all exist.

    A check file's SELECT returns (_source_file, _line, detail) of the offending rows of
    ``staging.{stem}``. Appends to dq_rules / dq_findings; returns the number of findings.
    """
    found = 0
    for check in cross_checks(folder):
        for stem in check.stems:
            if stems is not None and stem not in stems:
                continue
            needed = [t.replace("{stem}", stem) for t in check.requires]
            if not all(table_exists(con, t) for t in needed):
                continue
            rows = con.execute(f"SELECT count(*) FROM staging.{stem}").fetchall()[0][0]
            con.execute(
                f"INSERT INTO dq_rules ({RULE_FIELDS}) VALUES ('cross_file', ?, ?, 'kept', ?, NULL, ?, NULL)",
                [check.rule, check.severity, stem, rows],
            )
            body = check.sql.replace("{stem}", stem).strip().rstrip(";")
            try:
                found += con.execute(
                    f"INSERT INTO dq_findings SELECT 'cross_file', {literal(check.rule)}, "
                    f"{literal(stem)}, NULL, * FROM (\n{body}\n)"
                ).fetchall()[0][0]
            except duckdb.Error as e:
                raise RuntimeError(f"{check.path.name} on {stem}: {e}") from e
    return found
