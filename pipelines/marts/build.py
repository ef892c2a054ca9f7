"""The marts: one SQL file per table in ``sql/marts/``, run in the order of what each reads.

Each ``sql/marts/<name>.sql`` makes exactly the table ``marts.<name>`` and nothing else (no file
alters or updates another file's table). It declares what it reads in its leading comment:

    -- requires: marts.fact_referrals, staging.cp_plans

A file whose required tables do not all exist is not run, and its table is dropped: an extract
absent this run drops what it fed (absent is not zero). A part of a file that reads an optional
table sits between ``-- if present: <table>`` and ``-- end if`` lines and is left out when that
table is absent (fact_case_intervals adds child protection plans only where cp_plans.csv is).

Before the files run, the macros every file uses are (re)created (MACROS below, and the table
macros of ``sql/macros/``: the metric family mechanism) and the DuckDB variables
``as_at`` and ``first_date`` are set from ``marts.run_info`` (pipelines/marts/run_info.py), so SQL reads
``getvariable('as_at')``. ``marts.metric_values`` is then the UNION ALL of every
``marts.metrics_<family>`` table, less the metrics the run's input format cannot support
(pipelines/marts/metrics.py), with exactly the columns of docs/metrics.md.

A selection of tables (one asset materialised alone in `dg dev`) runs just those files, in
dependency order, reading what earlier runs left in the working warehouse.
"""

from __future__ import annotations

import datetime as dt
import graphlib
import re
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import duckdb

from pipelines.contract import YES
from pipelines.marts.metrics import UNSUPPORTED_METRICS
from pipelines.sources.readings import withheld as input_withheld
from pipelines.sql import literal, literals, table_exists, tables_in

SQL_DIR = Path(__file__).resolve().parents[2] / "sql" / "marts"
# Table macros (the metric family mechanism), one definition each, made by create_macros.
MACRO_DIR = SQL_DIR.parent / "macros"
METRIC_VALUES = "metric_values"

# The analysts' interface (docs/metrics.md "Where the figures land"): name, type, comment.
METRIC_VALUES_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("metric_id", "VARCHAR", "The metric, as named in docs/metrics.md (e.g. contacts)."),
    ("period_type", "VARCHAR", "month or financial_year."),
    ("period_label", "VARCHAR", "2012-03 for a month, 2012-13 for a financial year."),
    ("period_start", "DATE", "First day of the period."),
    (
        "period_end",
        "DATE",
        "Last day of the period (as_at for the last, partial period); snapshots are taken here.",
    ),
    (
        "breakdown",
        "VARCHAR",
        "all, team (the entity's team) or, for contacts, out_of_hours.",
    ),
    (
        "breakdown_value",
        "VARCHAR",
        "ALL for breakdown all; else the team name ((none) when blank) or Y/N.",
    ),
    ("numerator", "DOUBLE", "The count, or the percentage/rate numerator; NULL for medians."),
    (
        "denominator",
        "DOUBLE",
        "The percentage/rate denominator; NULL for counts, medians and ratios without one.",
    ),
    (
        "value",
        "DOUBLE",
        "The figure: percent 0-100, count, working days or rate; NULL when there is nothing to "
        "divide by or take a median of.",
    ),
)

# The macros every file may use, in the marts schema (analysts may use them too).
MACROS: tuple[tuple[str, str, str], ...] = (
    (
        "pct(n, d)",
        "CASE WHEN d = 0 THEN NULL ELSE 100.0 * n / d END",
        "a percentage that is NULL, not an error, when there is nothing to divide by",
    ),
    (
        "is_y(x)",
        f"coalesce(lower(trim(CAST(x AS VARCHAR))) IN {literals(YES)}, false)",
        "the yes/no rule (Y/Yes/1/true in any case are Y; anything else is not Y), for a "
        "BOOLEAN staged column or raw text alike",
    ),
    (
        "team_label(team)",
        "coalesce(nullif(trim(team), ''), '(none)')",
        "the breakdown value for a team: a blank team is reported as (none)",
    ),
)

_REQUIRES = re.compile(r"^--\s*requires:\s*(.+?)\s*$", re.IGNORECASE)
_COLUMNS = re.compile(r"^--\s*requires columns:\s*(.+?)\s*$", re.IGNORECASE)
_IF = re.compile(r"^--\s*if present:\s*(\S+)\s*$", re.IGNORECASE)
_END_IF = re.compile(r"^--\s*end if\s*$", re.IGNORECASE)
_TABLE = re.compile(r"\b(staging|marts|ref)\.([a-z_][a-z0-9_]*)\b")
_MACRO = re.compile(
    r"CREATE OR REPLACE MACRO marts\.(\w+)\((.*?)(?=^CREATE OR REPLACE MACRO|\Z)", re.S | re.M
)


@dataclass(frozen=True)
class Model:
    """One sql/marts file: the table it makes and the tables it reads."""

    name: str
    path: Path
    requires: tuple[str, ...]
    optional: tuple[str, ...]  # read only inside "-- if present:" blocks
    description: str
    # staging.<stem>.<column>: optional contract columns the file needs (v5 columns an older
    # extract lacks); the file is not run, its table dropped, unless each holds a value.
    columns: tuple[str, ...] = ()

    @property
    def table(self) -> str:
        return f"marts.{self.name}"

    @property
    def reads(self) -> tuple[str, ...]:
        return (*self.requires, *self.optional)

    def sql(self, present: Collection[str] = ()) -> str:
        """The file's SQL with each ``-- if present:`` block kept only when its table is in
        ``present``."""
        out: list[str] = []
        keep = True
        for line in self.path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if m := _IF.match(stripped):
                keep = m.group(1) in present
            elif _END_IF.match(stripped):
                keep = True
            elif keep:
                out.append(line)
        return "\n".join(out) + "\n"


def read_model(path: Path) -> Model:
    """Parse one file's declarations (leading ``-- requires:`` lines and ``-- if present:``)."""
    requires: list[str] = []
    optional: list[str] = []
    columns: list[str] = []
    description: list[str] = []
    leading = True
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if m := _IF.match(stripped):
            optional.append(m.group(1))
        if not leading:
            continue
        if not stripped.startswith("--"):
            leading = False
        elif m := _COLUMNS.match(stripped):
            columns += [t for t in re.split(r"[,\s]+", m.group(1)) if t]
        elif m := _REQUIRES.match(stripped):
            requires += [t for t in re.split(r"[,\s]+", m.group(1)) if t]
        else:
            description.append(stripped.lstrip("-").strip())
    text = " ".join(d for d in description if d)
    return Model(path.stem, path, tuple(requires), tuple(optional), text, tuple(columns))


def _code(sql: str) -> str:
    """SQL without its comments and string literals."""
    code = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())
    return re.sub(r"'(?:[^']|'')*'", "''", code)


@cache
def table_macros(macro_dir: Path = MACRO_DIR) -> dict[str, frozenset[str]]:
    """Each table or scalar macro of ``sql/macros/``: its name -> the tables its body reads."""
    found: dict[str, frozenset[str]] = {}
    for path in sorted(macro_dir.glob("*.sql")):
        for name, body in _MACRO.findall(_code(path.read_text(encoding="utf-8"))):
            found[name] = frozenset(f"{s}.{t}" for s, t in _TABLE.findall(body))
    return found


def macro_names() -> set[str]:
    """Every macro build_marts creates, as marts.<name>."""
    return {f"marts.{m.split('(')[0]}" for m, _, _ in MACROS} | {
        f"marts.{name}" for name in table_macros()
    }


def referenced_tables(sql: str) -> set[str]:
    """The staging/marts/ref tables an SQL text reads: those it names (comments, strings and
    macros left out) and those the macros it calls read (metric_family reads marts.periods)."""
    found = {f"{s}.{t}" for s, t in _TABLE.findall(_code(sql))}
    macros = macro_names()
    called = found & macros
    reads = {t for m in called for t in table_macros().get(m.split(".", 1)[1], ())}
    return (found | reads) - macros


@cache
def models(sql_dir: Path = SQL_DIR) -> tuple[Model, ...]:
    """Every model, each after the models it reads (raises on a cycle)."""
    found = {p.stem: read_model(p) for p in sorted(sql_dir.glob("*.sql"))}
    graph = {
        name: {t.split(".", 1)[1] for t in m.reads if t.startswith("marts.")} & found.keys()
        for name, m in found.items()
    }
    return tuple(found[name] for name in graphlib.TopologicalSorter(graph).static_order())


@dataclass(frozen=True)
class MartsResult:
    """What one build did."""

    as_at: dt.date
    built: list[str] = field(default_factory=list)  # tables made, in order
    dropped: list[str] = field(default_factory=list)  # tables dropped: an input is absent
    withheld: list[str] = field(default_factory=list)  # metrics the input format cannot support
    # Wall-clock seconds per table made (and "commit"), for bench and progress.
    seconds: dict[str, float] = field(default_factory=dict)


def create_macros(con: duckdb.DuckDBPyConnection, macro_dir: Path = MACRO_DIR) -> None:
    """The macros every file uses, in schema marts: MACROS, then the files of sql/macros/."""
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    for signature, body, _ in MACROS:
        con.execute(f"CREATE OR REPLACE MACRO marts.{signature} AS {body}")
    for path in sorted(macro_dir.glob("*.sql")):
        con.execute(path.read_text(encoding="utf-8"))


def column_recorded(con: duckdb.DuckDBPyConnection, column: str) -> bool:
    """Whether ``staging.<stem>.<column>`` exists and holds a value on at least one row.

    Staging gives every contract column, NULL where the file lacks it, so an older extract's
    missing v5 column reads as a column blank on every row; either way the system has recorded
    nothing there, and what it feeds is absent, not zero (docs/metrics.md "v5").
    """
    schema, stem, name = column.split(".")
    if not table_exists(con, f"{schema}.{stem}"):
        return False
    present = con.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = ? AND table_name = ? AND column_name = ?",
        [schema, stem, name],
    ).fetchall()[0][0]
    if not present:
        return False
    return bool(
        con.execute(
            f"SELECT EXISTS (SELECT 1 FROM {schema}.{stem} WHERE {name} IS NOT NULL)"
        ).fetchall()[0][0]
    )


def run_variables(con: duckdb.DuckDBPyConnection) -> tuple[dt.date, str]:
    """Set ``as_at`` and ``first_date`` from marts.run_info; return as_at and the input format."""
    if not table_exists(con, "marts.run_info"):
        raise RuntimeError("marts.run_info is missing: materialise marts/run_info first")
    as_at, first_date, kind = con.execute(
        "SELECT as_at, first_date, input_format FROM marts.run_info"
    ).fetchall()[0]
    con.execute(f"SET VARIABLE as_at = DATE '{as_at.isoformat()}'")
    con.execute(f"SET VARIABLE first_date = DATE '{first_date.isoformat()}'")
    return as_at, kind


def build_marts(
    con: duckdb.DuckDBPyConnection,
    selected: Collection[str] | None = None,
    sql_dir: Path = SQL_DIR,
) -> MartsResult:
    """Make the selected marts tables (default: every one, and metric_values) in one transaction.

    ``selected`` names tables (``fact_referrals``, ``metric_values``). ``ref.calendar`` and
    ``marts.run_info`` must exist. A failed build leaves the marts as they were.
    """
    if not table_exists(con, "ref.calendar"):
        raise RuntimeError("ref.calendar is missing: build the calendar before the marts")
    all_models = models(sql_dir)
    wanted = set(selected) if selected is not None else {m.name for m in all_models}
    if selected is None:
        wanted.add(METRIC_VALUES)
    con.execute("BEGIN TRANSACTION")
    try:
        as_at, kind = run_variables(con)
        create_macros(con)
        result = MartsResult(as_at)
        for model in all_models:
            if model.name not in wanted:
                continue
            if not all(table_exists(con, t) for t in model.requires) or not all(
                column_recorded(con, c) for c in model.columns
            ):
                con.execute(f"DROP TABLE IF EXISTS {model.table}")
                result.dropped.append(model.name)
                continue
            present = [t for t in model.optional if table_exists(con, t)]
            started = time.perf_counter()
            try:
                con.execute(model.sql(present)).fetchall()  # finish before the next file
            except duckdb.Error as e:
                raise RuntimeError(f"{model.path.name}: {e}") from e
            if model.name.startswith("metrics_"):
                _comment_family_columns(con, model.name)
            result.seconds[model.name] = time.perf_counter() - started
            result.built.append(model.name)
        if METRIC_VALUES in wanted:
            started = time.perf_counter()
            result.withheld.extend(build_metric_values(con, kind))
            result.seconds[METRIC_VALUES] = time.perf_counter() - started
            result.built.append(METRIC_VALUES)
    except BaseException:
        con.execute("ROLLBACK")
        raise
    started = time.perf_counter()
    con.execute("COMMIT")
    result.seconds["commit"] = time.perf_counter() - started
    return result


def build_metric_values(con: duckdb.DuckDBPyConnection, kind: str) -> list[str]:
    """marts.metric_values: the union of the family tables, less what ``kind`` cannot support.

    Returns the metric_ids withheld. An Annex A list has no contact decision date, the CIN
    census no contacts at all: a figure computed from what is not there would be invented or
    falsely zero, so it is not written (docs/formats.md).
    """
    families = [t for t in tables_in(con, "marts") if t.startswith("metrics_")]
    # the format's own list, and what this input lacks beyond it (an SSD column never filled)
    withheld = sorted(set(UNSUPPORTED_METRICS.get(kind, {})) | set(input_withheld(con)))
    cols = ", ".join(f"CAST({n} AS {t}) AS {n}" for n, t, _ in METRIC_VALUES_COLUMNS)
    names = ", ".join(n for n, _, _ in METRIC_VALUES_COLUMNS)
    if families:
        body = " UNION ALL ".join(f"SELECT {names} FROM marts.{f}" for f in families)
    else:
        body = (
            f"SELECT {', '.join(f'NULL AS {n}' for n, _, _ in METRIC_VALUES_COLUMNS)} WHERE false"
        )
    # Periods that end before the data's own history begins (marts.run_info.history_start) hold
    # only cases carried in open: false zeros, so they are not written (docs/metrics.md, 14).
    conditions = [
        "period_end >= coalesce((SELECT max(history_start) FROM marts.run_info), period_end)"
    ]
    if withheld:
        conditions.append(f"metric_id NOT IN {literals(withheld)}")
    where = "WHERE " + " AND ".join(conditions)
    con.execute(
        f"CREATE OR REPLACE TABLE marts.metric_values AS SELECT {cols} FROM ({body}) {where} "
        "ORDER BY metric_id, period_type, period_start, breakdown, breakdown_value"
    )
    con.execute(
        "COMMENT ON TABLE marts.metric_values IS 'Every figure: one row per metric, period and "
        "breakdown (docs/metrics.md). The union of the marts.metrics_<family> tables, less the "
        "metrics the input format cannot support (docs/formats.md) and less the periods that end "
        "before the data''s own history begins (marts.run_info.history_start).'"
    )
    for n, _, comment in METRIC_VALUES_COLUMNS:
        con.execute(f"COMMENT ON COLUMN marts.metric_values.{n} IS {literal(comment)}")
    return withheld


def _comment_family_columns(con: duckdb.DuckDBPyConnection, family: str) -> None:
    """Give each column of marts.<family> (a metrics_<family> table, just made by its own file)
    that has no comment the metric_values column's comment: part of making that table, so the
    asset that owns it writes its comments."""
    comments = {n: c for n, _, c in METRIC_VALUES_COLUMNS}
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = 'marts' AND table_name = ? AND (comment IS NULL OR comment = '')",
        [family],
    ).fetchall()
    for (column,) in rows:
        if column in comments:
            con.execute(f"COMMENT ON COLUMN marts.{family}.{column} IS {literal(comments[column])}")
