"""The financial-years section: the report's own figures beside the published ones (the
council's own published figure, the mean of its statistical neighbours, its region and England),
and every measure by year. The council is the one marts.run_info names; with none named, England
only: no council borrows another's neighbours.

Published figures are shown up to the report's own last financial year and no later: a report
of data as at March 2014 compares with what was known of 2013-14, not with 2024-25."""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from html import escape
from pathlib import Path

from pipelines.council import authority
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


@dataclass(frozen=True)
class Identity:
    """The council a report is about (marts.run_info), and its region in DfE's list."""

    la_code: str | None = None
    la_name: str | None = None
    region_code: str | None = None
    region_name: str | None = None

    @classmethod
    def of(cls, la_code: str | None, la_name: str | None = None) -> Identity:
        found = authority(la_code)
        if found is None:
            return cls(la_code, la_name)
        return cls(la_code, la_name or found.la_name, found.region_code, found.region_name)

    @property
    def known(self) -> bool:
        """True when the council is one DfE lists: its own comparators can be shown."""
        return self.region_code is not None

    @property
    def name(self) -> str:
        if self.la_name:
            return self.la_name
        if self.la_code:
            return f"LA code {self.la_code}"
        return "Council not named"


def read_comparators(path: Path, who: Identity) -> Published:
    """(metric, area) -> financial year -> (value, n_areas, name): England always; the council's
    own figure, its neighbours' mean and its region's only when the council is known."""
    table: dict[tuple[str, str], dict[str, tuple[float, int, str]]] = defaultdict(dict)
    if not path.exists():
        return {}
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            area = row["area"]
            if (
                area == "england"
                or (who.known and area == "region" and row["la_code"] == who.region_code)
                or (who.known and area in ("la", "sn_average") and row["la_code"] == who.la_code)
            ):
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


def published_line(metric: Metric, published: Published, when: date | None) -> str:
    """England and neighbours beside a headline figure: the published year containing the
    headline month when there is one, else the latest published year before it."""
    england = published.get((metric.metric_id, "england"), {})
    neighbours = published.get((metric.metric_id, "sn_average"), {})
    region = published.get((metric.metric_id, "region"), {})
    years = sorted(y for y in england if when is None or y <= financial_year(when))
    if not years:
        return ""
    year = years[-1]
    parts = [f"England {fmt(england[year][0], metric.unit)}"]
    if year in region:
        parts.append(f"{region[year][2]} {fmt(region[year][0], metric.unit)}")
    if year in neighbours:
        parts.append(f"statistical neighbours {fmt(neighbours[year][0], metric.unit)}")
    return f'<p class="compare">Published {escape(year)}: {escape(", ".join(parts))}</p>'


def _n_text(area: str, n: int) -> str:
    return (
        f"mean of {n} neighbours with a published figure" if area == "sn_average" else "published"
    )


def comparisons(r: Report, published: Published, who: Identity, years: list[Period]) -> str:
    out = [
        '<section id="comparisons" aria-labelledby="h-comparisons">'
        '<h2 id="h-comparisons">Financial years: England, region and statistical neighbours</h2>'
    ]
    partial_year = years[-1].label if years and not fy_complete(years[-1]) else None
    name = who.name
    if who.known:
        out.append(
            "<p class='lead'>This report's figures for each financial year (1 April to 31 March; "
            f"snapshots at 31 March), beside the published figures for {escape(name)}, the mean "
            f"of its ten statistical neighbours, {escape(who.region_name or '')} and England (DfE "
            "children in need statistics; see About), up to the report's last financial year.</p>"
        )
    else:
        said = (
            f"names LA code {escape(who.la_code)}, which is not in DfE's list of local authorities"
            if who.la_code
            else "does not say which council it is"
        )
        out.append(
            f"<p class='lead missing'>This warehouse {said}, so this report's figures are "
            "compared with England only: no other council's figures or neighbours are borrowed. "
            "Give the council's old three-digit LA code (frontdoor run --la-code, or "
            "FRONTDOOR_LA_CODE) for its own comparators.</p>"
        )
    parts = []
    for metric_id in COMPARABLE:
        m = BY_ID[metric_id]
        local = {p.label: r.shown(m, "financial_year", p.label) for p in years}
        incomplete = {p.label for p in years if r.look_back_incomplete(m, p)}
        pub = {
            area: published.get((metric_id, area), {})
            for area in ("la", "sn_average", "region", "england")
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
            ("region", f"{who.region_name} (region)", "longdash", "circle-open"),
            ("england", "England", "dashdot", "triangle-up"),
        ):
            figures = pub[area]
            if area != "england" and not figures:
                continue
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
