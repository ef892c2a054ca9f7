"""marts.data_quality and marts.data_quality_rows: every rule's outcome, kept across runs.

The rules come from four places, each evaluated once, where its data are made:

- load (audit.load_log, audit.reader_findings): what happened to each input file;
- reconcile and quarantine: rows read = staging + quarantine, and the rows staging set aside;
- rule and cross_file: the suites over every row in SQL and the sql/checks rules, evaluated by the
  validation checks, which keep their latest results in audit.check_rules and
  audit.check_findings (``record_checks``); data_quality reads those, never runs them again.

marts.data_quality holds one row per rule, file and run: the working warehouse keeps it from run
to run, and each build replaces its own run's rows and keeps the earlier runs'. The row-level
listing, marts.data_quality_rows, is the latest state only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import duckdb

from pipelines.contract import EXTRACTS, extract
from pipelines.sources.names import source_names
from pipelines.sql import ident, literal, literals, table_exists
from pipelines.validation.frames import extract_date
from pipelines.validation.rules import (
    RULE_FIELDS,
    create_work_tables,
    run_cross_checks,
    run_suite_sql,
)

# name, type, comment: the analysts' interface of marts.data_quality.
DATA_QUALITY_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("run_id", "VARCHAR", "The Dagster run that evaluated the rule."),
    ("run_at", "TIMESTAMP", "When that run built this table (UTC)."),
    (
        "kind",
        "VARCHAR",
        "load (the file as a whole), reconcile (rows read = staging + quarantine), quarantine (rows "
        "set aside by staging), typing (optional values that could not be read, set to NULL), "
        "completeness (blank yes/no answers), as_at (rows dated after the as-at date), rule (a "
        "suite expectation, every row), cross_file (sql/checks).",
    ),
    ("rule", "VARCHAR", "The rule's name, as in docs/validation.md (e.g. date_order)."),
    (
        "severity",
        "VARCHAR",
        "error (the file or row cannot be used as is, or a count is wrong), warning (suspect "
        "but used) or info.",
    ),
    (
        "action",
        "VARCHAR",
        "What the pipeline did: blocked (the file is not used), quarantined (the rows are not "
        "used), nulled (the value is set to NULL, the row used), ignored (the rows are taken as "
        "not yet happened), kept (the rows are used and reported), none.",
    ),
    ("stem", "VARCHAR", "The extract: the file name without .csv, the table name."),
    ("file", "VARCHAR", "The file's name as loaded (e.g. contacts.csv)."),
    ("column_name", "VARCHAR", "The column the rule looks at; NULL for a whole-row rule."),
    (
        "rows_checked",
        "BIGINT",
        "Rows the rule looked at (the file's rows for load and quarantine).",
    ),
    (
        "rows_failed",
        "BIGINT",
        "Rows breaking the rule: their list is in marts.data_quality_rows (blank yes/no answers and "
        "rows after the as-at date are counted, not listed).",
    ),
    (
        "example_lines",
        "BIGINT[]",
        "Up to five file lines breaking the rule (the header is line 1).",
    ),
    ("message", "VARCHAR", "For load and schema findings, what happened, naming file and column."),
)

ROWS_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("run_id", "VARCHAR", "The run that found it (this warehouse's run)."),
    ("kind", "VARCHAR", "As marts.data_quality.kind."),
    ("rule", "VARCHAR", "As marts.data_quality.rule."),
    ("severity", "VARCHAR", "As marts.data_quality.severity."),
    ("action", "VARCHAR", "As marts.data_quality.action."),
    ("stem", "VARCHAR", "The extract holding the row."),
    ("column_name", "VARCHAR", "The column at fault; NULL for a whole-row rule."),
    ("source_file", "VARCHAR", "The file the row was read from, as loaded."),
    ("line", "BIGINT", "The row's line in that file (header = line 1); NULL for a file finding."),
    (
        "detail",
        "VARCHAR",
        "The finding in a sentence; it never quotes the row's values (they are in the input file at "
        "source_file and line).",
    ),
)

EXAMPLES = 5


def _record_loads(con: duckdb.DuckDBPyConnection) -> None:
    """One load rule per extract from audit.load_log, and a finding per failure or warning."""
    if not table_exists(con, "audit.load_log"):
        return
    con.execute(
        f"""
        INSERT INTO dq_rules ({RULE_FIELDS})
        SELECT 'load', 'file_' || status,
               CASE status WHEN 'failed' THEN 'error' ELSE 'info' END,
               CASE status WHEN 'failed' THEN 'blocked' ELSE 'none' END,
               stem, NULL, rows, nullif(message, '')
        FROM audit.load_log
        """
    )
    con.execute(
        """
        INSERT INTO dq_findings
        SELECT 'load', 'file_failed', stem, NULL, file, NULL, message
        FROM audit.load_log WHERE status = 'failed'
        """
    )
    # Header and layout notes of a file that loaded: not faults, but worth an analyst's look.
    con.execute(
        f"""
        INSERT INTO dq_rules ({RULE_FIELDS})
        SELECT DISTINCT 'load', 'load_warning', 'info', 'kept', stem, NULL, rows, NULL
        FROM audit.load_log WHERE len(coalesce(warnings, [])) > 0
        """
    )
    con.execute(
        """
        INSERT INTO dq_findings
        SELECT 'load', 'load_warning', stem, NULL, file, NULL, unnest(warnings)
        FROM audit.load_log WHERE len(coalesce(warnings, [])) > 0
        """
    )


def _record_reader_findings(con: duckdb.DuckDBPyConnection) -> None:
    """What the Annex A and CIN census readers worked around (audit.reader_findings), as info."""
    if not table_exists(con, "audit.reader_findings"):
        return
    con.execute(
        """
        INSERT INTO dq_rules
        SELECT 'load', 'reader_' || rule, 'info', 'kept', NULL, "column", NULL, NULL,
               string_agg(DISTINCT parse_filename(file), ', ' ORDER BY parse_filename(file)), NULL
        FROM audit.reader_findings GROUP BY rule, "column"
        """
    )
    con.execute(
        """
        INSERT INTO dq_findings
        SELECT 'load', 'reader_' || rule, NULL, "column", file, line,
               coalesce(sheet || ': ', '') || message
        FROM audit.reader_findings
        """
    )


def _record_staging(con: duckdb.DuckDBPyConnection, stem: str) -> None:
    """The reconciliation of rows read with staging + quarantine, and quarantine counts per
    rule."""
    raw, staged, quarantined = con.execute(
        "SELECT (SELECT coalesce(sum(rows_read), 0) FROM audit.input_files WHERE stem = ?), "
        f"(SELECT count(*) FROM staging.{stem}), (SELECT count(*) FROM quarantine.{stem})",
        [stem],
    ).fetchall()[0]
    con.execute(
        f"INSERT INTO dq_rules ({RULE_FIELDS}) VALUES ('reconcile', 'rows_reconcile', 'error', "
        "'blocked', ?, NULL, ?, NULL)",
        [stem, raw],
    )
    if raw != staged + quarantined:
        con.execute(
            "INSERT INTO dq_findings VALUES ('reconcile', 'rows_reconcile', ?, NULL, NULL, NULL, ?)",
            [stem, f"{raw} rows read but staging {staged} + quarantine {quarantined}"],
        )
    con.execute(
        f"""
        INSERT INTO dq_rules ({RULE_FIELDS})
        SELECT DISTINCT 'quarantine', _rule, 'error', 'quarantined', '{stem}', _column, {raw}, NULL
        FROM quarantine.{stem}
        """
    )
    con.execute(
        f"""
        INSERT INTO dq_findings
        SELECT 'quarantine', _rule, '{stem}', _column, _source_file, _line, _reason
        FROM quarantine.{stem}
        """
    )


# The rule an optional value breaks when it cannot be typed (it is set to NULL, the row kept).
UNTYPABLE = {
    "date": "not_a_date",
    "datetime": "not_a_datetime",
    "yn": "not_yes_no",
    "int": "not_a_number",
}


def _record_nulled(con: duckdb.DuckDBPyConnection, stem: str) -> None:
    """One rule per optional typed column: the values that could not be read, set to NULL (the
    rows kept), each a finding at its file and line; and, for a yes/no column, the blanks,
    counted (a blank or unreadable answer counts as "not Y" in every metric)."""
    e = extract(stem)
    names = source_names(con, stem)
    rows = con.execute(f"SELECT count(*) FROM staging.{stem}").fetchall()[0][0]
    nulled = dict(
        con.execute(
            f"SELECT c, count(*) FROM (SELECT unnest(_nulled) AS c FROM staging.{stem} "
            "WHERE _nulled IS NOT NULL) GROUP BY c"
        ).fetchall()
    )
    for c in e.columns:
        if c.required or c.kind not in UNTYPABLE:
            continue
        rule = UNTYPABLE[c.kind]
        con.execute(
            f"INSERT INTO dq_rules ({RULE_FIELDS}) VALUES ('typing', ?, 'warning', 'nulled', ?, "
            "?, ?, NULL)",
            [rule, stem, c.name, rows],
        )
        if nulled.get(c.name):
            con.execute(
                f"INSERT INTO dq_findings SELECT 'typing', ?, ?, ?, _source_file, _line, ? "
                f"FROM staging.{stem} WHERE list_contains(_nulled, ?)",
                [
                    rule,
                    stem,
                    c.name,
                    f"{names.of(c.name)} could not be read: set to NULL, the row kept",
                    c.name,
                ],
            )
        if c.kind == "yn":
            blank = con.execute(
                f"SELECT count(*) FROM staging.{stem} WHERE {ident(c.name)} IS NULL "
                "AND NOT list_contains(coalesce(_nulled, []), ?)",
                [c.name],
            ).fetchall()[0][0]
            con.execute(
                "INSERT INTO dq_rules VALUES ('completeness', 'blank_flag', 'info', 'kept', ?, ?, "
                "?, NULL, NULL, ?)",
                [stem, c.name, rows, blank],
            )


def _record_not_yet_happened(con: duckdb.DuckDBPyConnection, stem: str) -> None:
    """Rows dated after the run's as-at date: taken as not yet happened (docs/metrics.md "As
    at"), counted so that an analyst sees how much the as-at date left out."""
    placed_by = extract(stem).placed_by
    if placed_by is None or not table_exists(con, "marts.run_info"):
        return
    rows, later = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE CAST({ident(placed_by)} AS DATE) > "
        f"(SELECT as_at FROM marts.run_info)) FROM staging.{stem}"
    ).fetchall()[0]
    con.execute(
        "INSERT INTO dq_rules VALUES ('as_at', 'not_yet_happened', 'info', 'ignored', ?, ?, ?, "
        "NULL, NULL, ?)",
        [stem, placed_by, rows, later],
    )


def _comment(con: duckdb.DuckDBPyConnection, table: str, text: str, columns: tuple) -> None:
    con.execute(f"COMMENT ON TABLE {table} IS {literal(text)}")
    for n, _, c in columns:
        con.execute(f"COMMENT ON COLUMN {table}.{n} IS {literal(c)}")


CHECK_KINDS = ("rule", "cross_file")
# The validation checks' latest results: the shape of the temporary dq_rules / dq_findings.
CHECK_RULES_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("kind", "VARCHAR", "rule (a suite expectation over every row) or cross_file (sql/checks)."),
    ("rule", "VARCHAR", "The rule's name, as in docs/validation.md."),
    ("severity", "VARCHAR", "error or warning."),
    ("action", "VARCHAR", "What the pipeline did: kept (the rows are used and reported)."),
    ("stem", "VARCHAR", "The extract checked."),
    ("column_name", "VARCHAR", "The column the rule looks at; NULL for a whole-row rule."),
    ("rows_checked", "BIGINT", "Rows the rule looked at."),
    ("message", "VARCHAR", "For a schema rule, what is wrong; else NULL."),
)
CHECK_FINDINGS_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("kind", "VARCHAR", "As audit.check_rules.kind."),
    ("rule", "VARCHAR", "As audit.check_rules.rule."),
    ("stem", "VARCHAR", "The extract holding the row."),
    ("column_name", "VARCHAR", "The column at fault; NULL for a whole-row rule."),
    ("source_file", "VARCHAR", "The file the row was read from, as loaded."),
    ("line", "BIGINT", "The row's line in that file (header = line 1)."),
    (
        "detail",
        "VARCHAR",
        "The finding in a sentence; it never quotes the row's values (they are in the input file at "
        "source_file and line).",
    ),
)


def evaluate_checks(
    con: duckdb.DuckDBPyConnection, stems: list[str], as_at: dt.date | None = None
) -> None:
    """Fill the temporary dq_rules / dq_findings with the suite and cross-file rules of the
    given stems (every row, in SQL)."""
    create_work_tables(con)
    as_of = extract_date(con, as_at)
    for stem in stems:
        if table_exists(con, f"staging.{stem}"):
            run_suite_sql(con, stem, as_of)
    run_cross_checks(con, stems=stems)


def record_checks(con: duckdb.DuckDBPyConnection, stems: list[str]) -> None:
    """Keep the rule and cross-file results now in dq_rules / dq_findings as the latest for
    ``stems``, replacing what an earlier evaluation of those stems left in audit."""
    con.execute("CREATE SCHEMA IF NOT EXISTS audit")
    kinds = literals(CHECK_KINDS)
    for table, columns, text in (
        (
            "audit.check_rules",
            CHECK_RULES_COLUMNS,
            "The latest result of every suite and cross-file rule (docs/validation.md), written "
            "by the validation checks; marts.data_quality reads it.",
        ),
        (
            "audit.check_findings",
            CHECK_FINDINGS_COLUMNS,
            "The rows behind audit.check_rules: the file, line and column of each row breaking a "
            "rule, as of the latest evaluation (its values are in the input file at that line).",
        ),
    ):
        shape = ", ".join(f"{n} {t}" for n, t, _ in columns)
        con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({shape})")
        con.execute(f"DELETE FROM {table} WHERE kind IN {kinds} AND stem IN {literals(stems)}")
        source = "dq_rules" if table.endswith("rules") else "dq_findings"
        fields = RULE_FIELDS if source == "dq_rules" else "*"
        con.execute(f"INSERT INTO {table} SELECT {fields} FROM {source} WHERE kind IN {kinds}")
        _comment(con, table, text, columns)


def _stored_checks(con: duckdb.DuckDBPyConnection) -> None:
    """The latest rule and cross-file results (audit.check_*) into dq_rules / dq_findings."""
    if table_exists(con, "audit.check_rules"):
        con.execute("INSERT INTO dq_rules BY NAME SELECT * FROM audit.check_rules")
    if table_exists(con, "audit.check_findings"):
        con.execute("INSERT INTO dq_findings SELECT * FROM audit.check_findings")


def evaluate(con: duckdb.DuckDBPyConnection) -> None:
    """Fill the temporary dq_rules / dq_findings with every rule's latest outcome."""
    create_work_tables(con)
    _record_loads(con)
    _record_reader_findings(con)
    for e in EXTRACTS:
        if table_exists(con, "audit.input_files") and table_exists(con, f"staging.{e.stem}"):
            _record_staging(con, e.stem)
            _record_nulled(con, e.stem)
            _record_not_yet_happened(con, e.stem)
    _stored_checks(con)


DATA_QUALITY_TABLES = ("data_quality", "data_quality_rows")


def build_data_quality(
    con: duckdb.DuckDBPyConnection, run_id: str, tables: Collection[str] = DATA_QUALITY_TABLES
) -> int:
    """Build marts.data_quality (earlier runs + this run) and marts.data_quality_rows (now), or
    the one of them ``tables`` names.

    Returns the number of rules this run evaluated.
    """
    evaluate(con)
    run_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    files = (
        # A statutory return may load one stem from several files, listed "a.xml, b.xml".
        "SELECT stem, array_to_string(list_transform(string_split(file, ', '), "
        "lambda x: parse_filename(x)), ', ') AS file FROM audit.load_log WHERE file IS NOT NULL"
        if table_exists(con, "audit.load_log")
        else "SELECT NULL AS stem, NULL AS file WHERE false"
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE dq_this_run AS
        WITH files AS ({files}),
        failed AS (
            SELECT kind, rule, stem, column_name, count(*) AS n,
                   list(line ORDER BY line) FILTER (WHERE line IS NOT NULL) AS lines
            FROM dq_findings GROUP BY ALL
        )
        SELECT $run_id AS run_id, $run_at AS run_at, r.kind, r.rule, r.severity, r.action,
               r.stem, coalesce(r.file, f.file, r.stem || '.csv') AS file, r.column_name,
               r.rows_checked, coalesce(r.rows_failed, x.n, 0) AS rows_failed,
               coalesce(x.lines[1:{EXAMPLES}], []) AS example_lines, r.message
        FROM dq_rules r
        LEFT JOIN files f ON f.stem = r.stem
        LEFT JOIN failed x ON x.kind = r.kind AND x.rule = r.rule
             AND x.stem IS NOT DISTINCT FROM r.stem
             AND x.column_name IS NOT DISTINCT FROM r.column_name
        """,
        {"run_id": run_id, "run_at": run_at},
    )
    added = int(con.execute("SELECT count(*) FROM dq_this_run").fetchall()[0][0])
    if "data_quality" in tables:
        _history(con, run_id)
    if "data_quality_rows" in tables:
        _rows(con, run_id)
    return added


def _history(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """marts.data_quality: earlier runs' rows, and this run's (dq_this_run) in place of any it
    wrote before."""
    names = ", ".join(n for n, _, _ in DATA_QUALITY_COLUMNS)
    earlier = "marts.data_quality" if table_exists(con, "marts.data_quality") else "dq_this_run"
    con.execute(
        f"CREATE OR REPLACE TABLE marts.data_quality AS SELECT {names} FROM ("
        f"SELECT {names} FROM {earlier} WHERE run_id <> $run_id "
        f"UNION ALL SELECT {names} FROM dq_this_run) "
        "ORDER BY run_at, stem, kind, rule, column_name",
        {"run_id": run_id},
    )
    _comment(
        con,
        "marts.data_quality",
        "One row per rule, file and run: what each data-quality rule checked and found, each run "
        "beside every earlier one (docs/validation.md). The rows behind a finding are in "
        "marts.data_quality_rows.",
        DATA_QUALITY_COLUMNS,
    )


def _rows(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """marts.data_quality_rows: the rows behind every finding now in dq_findings."""
    con.execute(
        """
        CREATE OR REPLACE TABLE marts.data_quality_rows AS
        SELECT $run_id AS run_id, f.kind, f.rule, r.severity, r.action, f.stem, f.column_name,
               f.source_file, f.line, f.detail
        FROM dq_findings f
        JOIN (SELECT DISTINCT kind, rule, stem, column_name, severity, action FROM dq_rules) r
          ON r.kind = f.kind AND r.rule = f.rule AND r.stem IS NOT DISTINCT FROM f.stem
         AND r.column_name IS NOT DISTINCT FROM f.column_name
        ORDER BY f.stem, f.line, f.rule
        """,
        {"run_id": run_id},
    )
    _comment(
        con,
        "marts.data_quality_rows",
        "One row per listed finding of the latest run: the file and line of each row behind a "
        "marts.data_quality count of the cross-file, typing, quarantine and reader rules, so an "
        "analyst can list them. Counted in marts.data_quality but not listed here: blank yes/no "
        "answers (rule blank_flag: they are the NULLs of that column in staging.<stem>) and rows "
        "dated after the as-at date.",
        ROWS_COLUMNS,
    )
