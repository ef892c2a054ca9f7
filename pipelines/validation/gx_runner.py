"""Great Expectations on a bounded sample of a staging table.

GX 1.x validates pandas frames only and costs seconds to import, so it is imported on first use,
one ephemeral context serves the whole process, and it sees at most ``SAMPLE_ROWS`` rows of each
table (every k-th line, plus the rows SQL flagged, up to ``FLAGGED_ROWS``). The counts
over every row come from the same suite translated to SQL (pipelines.validation.rules): GX is the
independent second opinion on the rows it sees, and the two must agree on them.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from pipelines.sql import literal
from pipelines.validation.frames import frame_sql

if TYPE_CHECKING:
    import pandas as pd

SAMPLE_ROWS = 20_000
FLAGGED_ROWS = 5_000


@dataclass(frozen=True)
class Outcome:
    """One expectation's result on the frame GX saw."""

    rule: str
    column: str
    severity: str
    expectation: str
    success: bool
    element_count: int | None
    unexpected_count: int | None
    lines: list[int] = field(default_factory=list)  # file lines of unexpected rows (first 20)
    error: str | None = None  # GX raised instead of answering


def sample_sql(
    con: duckdb.DuckDBPyConnection,
    stem: str,
    as_of: dt.date | None,
    rows: int = SAMPLE_ROWS,
    flagged_lines: list[int] | None = None,
) -> str:
    """SELECT of the stem's frame for GX: every row when there are at most ``rows``, else about
    ``rows`` of them (every k-th line) plus the rows on ``flagged_lines`` (those SQL found), in
    file order. Leaves the temporary table gx_flagged behind for the SELECT to read."""
    total = con.execute(f"SELECT count(*) FROM staging.{stem}").fetchall()[0][0]
    if total <= rows:
        return f"SELECT * FROM ({frame_sql(con, stem, as_of)}) ORDER BY _line"
    flagged = sorted(set(flagged_lines or []))[:FLAGGED_ROWS]
    con.execute("CREATE OR REPLACE TEMP TABLE gx_flagged (line BIGINT)")
    if flagged:
        con.executemany("INSERT INTO gx_flagged VALUES (?)", [[n] for n in flagged])
    # Every k-th line: spread over the whole file (old and new rows alike), the same rows on
    # every run, and a cheap filter (a reservoir sample cost ten times as much at 1M rows).
    # Sampled before the join to children, so the join costs nothing.
    step = -(-total // rows)
    source = (
        f"(SELECT * FROM staging.{stem} WHERE _line % {step} = 0 "
        f"OR _line IN (SELECT line FROM gx_flagged))"
    )
    return f"SELECT * FROM ({frame_sql(con, stem, as_of, source)}) ORDER BY _line"


def sample_frame(
    con: duckdb.DuckDBPyConnection,
    stem: str,
    as_of: dt.date | None,
    rows: int = SAMPLE_ROWS,
    flagged_lines: list[int] | None = None,
) -> pd.DataFrame:
    """The frame of ``sample_sql`` as pandas, for GX in this process."""
    return con.execute(sample_sql(con, stem, as_of, rows, flagged_lines)).df()


def write_sample(
    con: duckdb.DuckDBPyConnection,
    stem: str,
    as_of: dt.date | None,
    path: Path,
    flagged_lines: list[int] | None = None,
) -> Path:
    """The frame of ``sample_sql`` written to a Parquet file, for the GX worker."""
    sql = sample_sql(con, stem, as_of, flagged_lines=flagged_lines)
    con.execute(f"COPY ({sql}) TO {literal(str(path))} (FORMAT parquet)")
    return path


def warm_up() -> None:
    """Import GX and make its context: the seconds a first validation would otherwise cost."""
    _context()


@functools.cache
def _context() -> Any:
    """One ephemeral GX context for the process, progress bars off (they flood the run log)."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


@functools.cache
def _batch_definition(stem: str) -> Any:
    source = _context().data_sources.add_pandas(f"staging_{stem}")
    return source.add_dataframe_asset(stem).add_batch_definition_whole_dataframe("frame")


def validate_frame(stem: str, frame: pd.DataFrame, suite: dict[str, Any]) -> list[Outcome]:
    """Run the suite (a dict as in expectations/<stem>.json) on ``frame``; one Outcome each."""
    import great_expectations as gx

    gx_suite = gx.ExpectationSuite(name=suite["name"], expectations=suite["expectations"])
    result = (
        _batch_definition(stem)
        .get_batch(batch_parameters={"dataframe": frame})
        .validate(gx_suite, result_format={"result_format": "COMPLETE"})
    )
    line_of = frame["_line"].tolist() if "_line" in frame.columns else []
    outcomes = []
    for r in result.results:
        config = r.expectation_config
        meta = config.meta or {}
        res = r.result or {}
        index = res.get("unexpected_index_list") or []
        lines = [int(line_of[i]) for i in index[:20] if isinstance(i, int) and i < len(line_of)]
        error = None
        if r.exception_info and r.exception_info.get("raised_exception"):
            error = str(r.exception_info.get("exception_message"))
        outcomes.append(
            Outcome(
                rule=meta.get("rule", config.type),
                column=meta.get("column", ""),
                severity=meta.get("severity", "warning"),
                expectation=config.type,
                success=bool(r.success),
                element_count=res.get("element_count"),
                unexpected_count=res.get("unexpected_count"),
                lines=lines,
                error=error,
            )
        )
    return outcomes
