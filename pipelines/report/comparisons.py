"""The financial-years section: the report's own figures beside the published ones (the
comparator LA, the mean of its statistical neighbours, England), and every measure by year.

Published figures are shown up to the report's own last financial year and no later: a report
of data as at March 2014 compares with what was known of 2013-14, not with 2024-25."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from html import escape
from pathlib import Path

from pipelines.metrics import BY_ID, CATALOGUE, Metric
from pipelines.report import charts
from pipelines.report.catalogue import COMPARABLE
from pipelines.report.data import Period
from pipelines.report.figures import (
    NOT_AVAILABLE,
    UNIT_AXIS,
    Report,
    html_table,
    series_table,
    text,
)
from pipelines.report.suppress import NOTHING, Shown, fmt

REFERENCE_CSV = (
    Path(__file__).resolve().parents[2] / "data" / "reference" / "published_comparators.csv"
)

# (metric, area) -> financial year -> (value, areas behind it, LA name)
Published = dict[tuple[str, str], dict[str, tuple[float, int, str]]]


def financial_year(d: date) -> str:
    start = d.year if d.month >= 4 else d.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def fy_complete(p: Period) -> bool:
    return p.end >= date(p.start.year + 1, 3, 31)


def read_comparators(path: Path, la_code: str) -> Published:
    """(metric, area) -> financial year -> (value, n_areas, la name), for England and one LA."""
    table: dict[tuple[str, str], dict[str, tuple[float, int, str]]] = defaultdict(dict)
    if not path.exists():
        return {}
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["area"] == "england" or row["la_code"] == la_code:
                table[(row["metric_id"], row["area"])][row["financial_year"]] = (
                    float(row["value"]),
                    int(row["n_areas"]),
                    row["la_name"],
                )
    return dict(table)


def up_to(published: Published, last_year: str | None) -> Published:
    """The published figures of the report's financial years and earlier only."""
    if last_year is None:
        return published
    return {
        key: {year: v for year, v in years.items() if year <= last_year}
        for key, years in published.items()
    }


def la_name(published: Published, la_code: str) -> str:
    """The comparator LA's name as published (the council this report is for, by default)."""
    for (_, area), years in published.items():
        if area in ("la", "sn_average"):
            for value in years.values():
                return value[2]
    return f"LA code {la_code}"


def published_line(metric: Metric, published: Published, when: date | None) -> str:
    """England and neighbours beside a headline figure: the published year containing the
    headline month when there is one, else the latest published year before it."""
    england = published.get((metric.metric_id, "england"), {})
    neighbours = published.get((metric.metric_id, "sn_average"), {})
    years = sorted(y for y in england if when is None or y <= financial_year(when))
    if not years:
        return ""
    year = years[-1]
    parts = [f"England {fmt(england[year][0], metric.unit)}"]
    if year in neighbours:
        parts.append(f"statistical neighbours {fmt(neighbours[year][0], metric.unit)}")
    return f'<p class="compare">Published {escape(year)}: {escape(", ".join(parts))}</p>'


def _n_text(area: str, n: int) -> str:
    return (
        f"mean of {n} neighbours with a published figure" if area == "sn_average" else "published"
    )


def comparisons(r: Report, published: Published, la_code: str, years: list[Period]) -> str:
    out = [
        '<section id="comparisons" aria-labelledby="h-comparisons">'
        '<h2 id="h-comparisons">Financial years: England and statistical neighbours</h2>'
    ]
    partial_year = years[-1].label if years and not fy_complete(years[-1]) else None
    name = la_name(published, la_code)
    out.append(
        "<p class='lead'>This report's figures for each financial year (1 April to 31 March; "
        f"snapshots at 31 March), beside the published figures for {escape(name)}, the mean of "
        "its ten statistical neighbours and England (DfE children in need statistics; see "
        "About), up to the report's last financial year.</p>"
    )
    if not any(area != "england" for _, area in published):
        out.append(
            f"<p class='missing'>No published figures for LA code {escape(la_code)} in "
            "data/reference/ (rebuild it with data/reference/build_comparators.py --la CODE).</p>"
        )
    parts = []
    for metric_id in COMPARABLE:
        m = BY_ID[metric_id]
        local = {p.label: r.shown(m, "financial_year", p.label) for p in years}
        incomplete = {p.label for p in years if r.look_back_incomplete(m, p)}
        pub = {
            area: published.get((metric_id, area), {}) for area in ("la", "sn_average", "england")
        }
        labels = sorted(set(local) | {y for d in pub.values() for y in d})
        if local:
            # Published years from five before the local data begin: enough context, legible axis.
            first = f"{int(min(local)[:4]) - 5}"
            labels = [y for y in labels if y >= first]
        if not labels:
            continue
        n_sn = max((v[1] for v in pub["sn_average"].values()), default=10)
        mine = [local.get(y) or Shown(None, NOTHING) for y in labels]
        mine = [
            Shown(s.value, s.text, "look-back under 12 months: too low", s.suppressed)
            if y in incomplete and s.value is not None
            else s
            for y, s in zip(labels, mine, strict=True)
        ]
        series = [
            charts.Series(
                "This report (local data)",
                labels,
                mine,
                partial_at=labels.index(partial_year) if partial_year in labels else None,
            )
        ]
        for area, title, dash, symbol in (
            ("la", f"{name} (published)", "dot", "diamond"),
            ("sn_average", f"Statistical neighbours (mean of up to {n_sn})", "dash", "square"),
            ("england", "England", "dashdot", "triangle-up"),
        ):
            figures = pub[area]
            shown = [
                Shown(figures[y][0], fmt(figures[y][0], m.unit), _n_text(area, figures[y][1]))
                if y in figures
                else Shown(None, NOTHING)
                for y in labels
            ]
            series.append(charts.Series(title, labels, shown, dash=dash, symbol=symbol))
        note = "" if metric_id in r.metrics.metric_ids else f" (local figures {NOT_AVAILABLE})"
        shade = None
        if incomplete & set(labels):
            # a category axis: the band runs half a category either side of the years marked
            marked = [labels.index(y) for y in labels if y in incomplete]
            shade = charts.Shade(marked[0] - 0.5, marked[-1] + 0.5, "look-back under 12 months")
        fig = charts.line_figure(
            m.label + note, UNIT_AXIS[m.unit], "Financial year", series, height=360, shade=shade
        )
        fig.update_xaxes(
            type="category", categoryorder="array", categoryarray=labels, tickangle=-45
        )
        caption = f"{m.label} by financial year, compared{note}"
        parts.append(r.figure(fig, caption, series_table(labels, series)))
    out.append('<div class="charts">' + "".join(parts) + "</div>")
    out.append(financial_year_table(r, years))
    out.append("</section>")
    return "".join(out)


def financial_year_table(r: Report, years: list[Period]) -> str:
    if not years:
        return (
            "<h3>All measures by financial year</h3>"
            "<p>No financial-year figures in this warehouse.</p>"
        )
    shown_years = years[-5:]
    header = [
        "Measure",
        *[p.label + ("" if fy_complete(p) else " (to date)") for p in shown_years],
    ]
    rows = []
    for m in CATALOGUE:
        if m.metric_id not in r.metrics.metric_ids:
            rows.append([m.label, *[NOT_AVAILABLE for _ in shown_years]])
            continue
        cells = []
        for p in shown_years:
            cell = text(r.shown(m, "financial_year", p.label))
            if r.look_back_incomplete(m, p):
                cell += " (look-back under 12 months)"
            cells.append(cell)
        rows.append([m.label, *cells])
    return "<h3>All measures by financial year</h3>" + html_table(
        header, rows, "Financial-year figures; [c]: suppressed"
    )
