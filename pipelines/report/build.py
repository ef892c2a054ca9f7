"""Assemble the managers' report: one self-contained HTML file, plotly.js embedded once (the
basic bundle, vendor/), every chart drawn as it scrolls into view."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from pipelines.marts.metrics import CATALOGUE
from pipelines.report.about import about
from pipelines.report.brief import brief
from pipelines.report.comparisons import (
    REFERENCE_CSV,
    Identity,
    comparisons,
    financial_year,
    read_comparators,
    up_to,
)
from pipelines.report.data import (
    Period,
    read_data_quality,
    read_flag_counts,
    read_metrics,
    read_run_info,
)
from pipelines.report.direction import read_targets
from pipelines.report.figures import Report, long_date, month_name
from pipelines.report.headline import headline
from pipelines.report.page import PLOTLY_JS, document
from pipelines.report.quality_page import quality
from pipelines.report.teams import teams
from pipelines.report.trends import trends

__all__ = ["PLOTLY_JS", "ReportResult", "build_report"]


@dataclass(frozen=True)
class ReportResult:
    """What was written: the file, its size and what it holds."""

    path: Path
    council: str
    size_bytes: int
    figures: int
    as_at: date | None
    latest_month: str | None
    partial_month: str | None
    metrics_shown: tuple[str, ...]
    metrics_missing: tuple[str, ...]
    suppressed: int


def latest_and_partial(months: list[Period]) -> tuple[Period | None, Period | None]:
    complete = [p for p in months if p.complete]
    latest = complete[-1] if complete else None
    partial = months[-1] if months and not months[-1].complete else None
    return latest, partial


def from_history(periods: list[Period], start: date | None) -> list[Period]:
    """The periods from the one holding the data's first day of history: before it, the data
    hold only cases carried in open, so counts there are not the council's."""
    return [p for p in periods if start is None or p.end >= start]


def build_report(
    con: duckdb.DuckDBPyConnection,
    out_path: Path,
    *,
    suppress_below: int = 5,
    reference_csv: Path = REFERENCE_CSV,
    targets_csv: Path | None = None,
) -> ReportResult:
    """Write the managers' report to out_path and say what it holds.

    The council is the one marts.run_info names (la_code, la_name): its name heads the page and
    every downloaded chart, and its own published figure, statistical neighbours and region are
    the comparators; with no council named, England only. targets_csv: the council's own
    targets (pipelines/report/direction.py), giving each card a red/amber/green status.
    """
    targets = read_targets(targets_csv)
    metrics = read_metrics(con)
    run = read_run_info(con)
    who = Identity.of(run.la_code, run.la_name)
    months = from_history(metrics.periods("month"), run.history_start)
    years = from_history(metrics.periods("financial_year"), run.history_start)
    as_at = run.as_at or (max(p.end for p in months) if months else None)
    latest, partial = latest_and_partial(months)
    published = read_comparators(reference_csv, who)
    if as_at is not None:
        published = up_to(published, financial_year(as_at))
    council = who.name
    as_at_text = long_date(as_at) if as_at else "not known"
    r = Report(
        metrics,
        suppress_below,
        read_flag_counts(con),
        run.history_start,
        footer=(
            f"{council} · data as at {as_at_text} · source: frontdoor warehouse "
            "(marts.metric_values)\n"
            f"[c]: a figure from 1 to {suppress_below - 1}, suppressed (not drawn) · "
            "aggregates only"
        ),
    )
    present = sorted(metrics.metric_ids & {m.metric_id for m in CATALOGUE})
    missing = [m.metric_id for m in CATALOGUE if m.metric_id not in metrics.metric_ids]

    cards, summaries = headline(r, months, latest, partial, published, targets)
    month = month_name(latest) if latest else "no complete month"
    body = "".join(
        [
            brief(council, month, summaries),
            cards,
            trends(r, months, partial),
            teams(r, latest, years),
            comparisons(r, published, who, years),
            quality(r, read_data_quality(con)),
            about(suppress_below, missing, run.shown, council, run.history_start),
        ]
    )
    status = f"Data as at {as_at_text}."
    if latest:
        status += f" Latest complete month: {month_name(latest)}."
    if partial:
        status += f" {month_name(partial)} is partial (to {long_date(partial.end)})."
    nav = "".join(
        f'<li><a href="#{anchor}">{name}</a></li>'
        for anchor, name in (
            ("brief", "Director's brief"),
            ("headline", "Headline"),
            ("trends", "Monthly trends"),
            ("teams", "Teams"),
            ("comparisons", "Financial years and comparisons"),
            ("quality", "Data quality"),
            ("about", "About"),
        )
    )
    page = document(
        title=f"{council}: front door report, data as at {as_at_text}",
        heading=f"{council}: children's services front door",
        status=status,
        nav=nav,
        body=body,
        chart_footer=r.footer,
        skip_text="Skip to the report",
    )
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    # Write beside, then rename: a reader never sees half a report.
    tmp = out_path.with_name(out_path.name + ".tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, out_path)
    return ReportResult(
        path=out_path,
        council=council,
        size_bytes=out_path.stat().st_size,
        figures=len(r.figures),
        as_at=as_at,
        latest_month=latest.label if latest else None,
        partial_month=partial.label if partial else None,
        metrics_shown=tuple(present),
        metrics_missing=tuple(missing),
        suppressed=r.suppressed,
    )
