"""The financial-years section: the report's own figures beside the published ones (the
council's own published figure, the mean of its statistical neighbours, its region and England),
and every measure by year. The council is the one marts.run_info names; with none named, England
only: no council borrows another's neighbours.

Published figures are shown up to the report's own last financial year and no later: a report
of data as at March 2014 compares with what was known of 2013-14, not with 2024-25.

Most published figures are for years ending 31 March. DfE's social work workforce census is taken
at 30 September: its figures sit in the financial year containing that day and are set beside
this report's own figure at 30 September (both then cover the same 12 months). Where DfE counts a
measure differently from this report, the page says how (PUBLISHED_BASIS); where DfE publishes
nothing this report reads, it says that (NOT_PUBLISHED) rather than borrow a figure."""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from html import escape
from pathlib import Path
from typing import NamedTuple

from pipelines.council import authority
from pipelines.marts.metrics import BY_ID, CATALOGUE, Metric
from pipelines.report import charts
from pipelines.report.catalogue import COMPARABLE
from pipelines.report.data import Period
from pipelines.report.figures import (
    NOT_AVAILABLE,
    UNIT_AXIS,
    Report,
    html_table,
    long_date,
    series_table,
    text,
)
from pipelines.report.suppress import NOTHING, Shown, fmt

REFERENCE_CSV = (
    Path(__file__).resolve().parents[2] / "data" / "reference" / "published_comparators.csv"
)


class PublishedFigure(NamedTuple):
    """One published figure (data/reference/README.md): value, areas behind it, the area's
    name as published, the day it is taken at, and the published counts it is worked from."""

    value: float
    n_areas: int
    name: str
    year_ending: date | None = None
    numerator: float | None = None
    denominator: float | None = None


# (metric, area) -> financial year -> the figure
Published = dict[tuple[str, str], dict[str, PublishedFigure]]

_WORKFORCE = (
    "DfE's figure: its children's social work workforce census at 30 September, by head count "
    "as this report counts people (DfE's headline rates are by full-time equivalent, FTE, and "
    "differ slightly); shown in the financial year containing that day, beside this report's own "
    "figure at 30 September. "
)
# Said under the comparison (and, shorter, on the headline card) where DfE's figure is not
# counted as this report's is: the reader needs both before comparing the two.
PUBLISHED_BASIS: dict[str, tuple[str, str]] = {
    "s47_to_icpc_pct": (
        "DfE's figure is the year's count of initial conferences over its count of enquiries, "
        "not enquiries followed to a conference as here.",
        "DfE publishes counts, not enquiries followed to their outcome: its figure is the year's "
        "initial child protection conferences over the year's section 47 enquiries (children in "
        "need table C4), so a conference can follow an enquiry of the year before. This report "
        "follows each enquiry that started in the period to its conference, leaving out "
        "transfers in and enquiries whose outcome is not yet known.",
    ),
    "permanent_sw_turnover_12m_pct": (
        "DfE's workforce census at 30 September, head count (its headline rate is by FTE).",
        _WORKFORCE
        + "DfE: directly employed (not agency) children and family social workers who left in "
        "the year to 30 September, over those in post on that day. This report: qualified social "
        "workers recorded as permanent who left in the 12 months to that day, over permanent "
        "qualified workers in post then.",
    ),
    "agency_social_worker_pct": (
        "DfE's workforce census at 30 September, head count (its headline rate is by FTE).",
        _WORKFORCE
        + "DfE: agency social workers in post on 30 September, over agency and directly employed "
        "ones together. This report: qualified social workers in post recorded as agency, over "
        "every qualified worker in post (one with no employment recorded counts in the total, "
        "not as agency).",
    ),
}
# Measures whose published figures DfE takes on 30 September (its social work workforce census):
# the local figure beside them is this report's own on that day.
AT_30_SEPTEMBER = frozenset({"permanent_sw_turnover_12m_pct", "agency_social_worker_pct"})
# Metrics DfE publishes nothing for in the tables this report reads: said, never borrowed.
NOT_PUBLISHED: dict[str, str] = {
    "referral_police_pct": (
        "No published figure: the DfE tables this report reads (data/reference/) give "
        "referrals but not their source, so no England or neighbour share is shown."
    ),
}


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


def _number(text: str | None) -> float | None:
    return float(text) if text else None


def read_comparators(path: Path, who: Identity) -> Published:
    """(metric, area) -> financial year -> the figure: England always; the council's own
    figure, its neighbours' mean and its region's only when the council is known."""
    table: Published = defaultdict(dict)
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
                table[(row["metric_id"], row["area"])][row["financial_year"]] = PublishedFigure(
                    float(row["value"]),
                    int(row["n_areas"]),
                    row["la_name"],
                    date.fromisoformat(row["year_ending"]) if row.get("year_ending") else None,
                    _number(row.get("numerator")),
                    _number(row.get("denominator")),
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


# What the counts behind a published percentage count (data/reference/ keeps the counts).
COUNTED: dict[str, tuple[str, str]] = {
    "s47_to_icpc_pct": ("initial conferences", "section 47 enquiries"),
}


def counts(metric_id: str, figure: PublishedFigure) -> tuple[str, str] | None:
    """The published counts a figure is worked from, each with what it counts, or None."""
    if metric_id not in COUNTED or figure.numerator is None or figure.denominator is None:
        return None
    top, bottom = COUNTED[metric_id]
    return f"{figure.numerator:,.0f} {top}", f"{figure.denominator:,.0f} {bottom}"


def counts_text(metric_id: str, figure: PublishedFigure) -> str:
    """The counts in brackets after the figure, or nothing."""
    worked = counts(metric_id, figure)
    return f" ({worked[0]} / {worked[1]})" if worked else ""


def published_line(metric: Metric, published: Published, when: date | None) -> str:
    """England and neighbours beside a headline figure: the published year containing the
    headline month when there is one, else the latest published year before it. A figure taken
    during its year (30 September) is shown only from that day on. Where DfE publishes nothing
    the report reads, the card says so."""
    if metric.metric_id in NOT_PUBLISHED:
        return f'<p class="compare none">{escape(NOT_PUBLISHED[metric.metric_id])}</p>'
    england = published.get((metric.metric_id, "england"), {})
    neighbours = published.get((metric.metric_id, "sn_average"), {})
    region = published.get((metric.metric_id, "region"), {})
    years = sorted(
        y
        for y, f in england.items()
        if when is None
        or (
            y <= financial_year(when)
            and (f.year_ending is None or f.year_ending.month == 3 or f.year_ending <= when)
        )
    )
    if not years:
        return ""
    year = years[-1]
    england_text = fmt(england[year].value, metric.unit) + counts_text(
        metric.metric_id, england[year]
    )
    parts = [f"England {england_text}"]
    if year in region:
        parts.append(f"{region[year].name} {fmt(region[year].value, metric.unit)}")
    if year in neighbours:
        parts.append(f"statistical neighbours {fmt(neighbours[year].value, metric.unit)}")
    taken = england[year].year_ending
    when_text = (
        f"at {long_date(taken)} ({year})"
        if metric.metric_id in AT_30_SEPTEMBER and taken is not None
        else year
    )
    line = f'<p class="compare">Published {escape(when_text)}: {escape(", ".join(parts))}</p>'
    if metric.metric_id in PUBLISHED_BASIS:
        line += f'<p class="compare basis">{escape(PUBLISHED_BASIS[metric.metric_id][0])}</p>'
    return line


def _n_text(metric_id: str, area: str, figure: PublishedFigure) -> str:
    if area == "sn_average":
        return f"mean of {figure.n_areas} neighbours with a published figure"
    return "published" + counts_text(metric_id, figure)


def basis_note(metric_id: str, published: Published, labels: list[str], joint: str) -> str:
    """What a reader needs under a comparison: how DfE's figure is counted against this
    report's (for the S47 ratio, England's counts for the latest year drawn), whom a joint
    published figure covers, and when no England figure covers the years drawn."""
    england = published.get((metric_id, "england"), {})
    drawn = [y for y in labels if y in england]
    words = []
    if metric_id in PUBLISHED_BASIS:
        words.append(PUBLISHED_BASIS[metric_id][1])
    counted = [(y, worked) for y in drawn if (worked := counts(metric_id, england[y]))]
    if counted:
        year, (top, bottom) = counted[-1]
        words.append(f"England {year}: {top} and {bottom}, {fmt(england[year].value, 'pct')}.")
    if joint:
        words.append(joint)
    if not drawn:
        words.append("DfE publishes no England figure for the years of this report.")
    if not words:
        return ""
    return f'<p class="note basis"><small>{escape(" ".join(words))}</small></p>'


def at_30_september(r: Report, m: Metric, years: list[Period]) -> dict[str, Shown | None]:
    """This report's figure at 30 September of each financial year (the month's snapshot),
    where the data reach it: the day DfE's workforce census is taken."""
    months = {p.label: p for p in r.metrics.periods("month")}
    local: dict[str, Shown | None] = {}
    for p in years:
        september = months.get(f"{p.start.year}-09")
        # a September before the data's history holds only what was carried in: not shown
        began = r.history_start is None or september is None or september.end >= r.history_start
        if september is not None and september.complete and began:
            local[p.label] = r.shown(m, "month", september.label)
    return local


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
            "children in need statistics; see About), up to the report's last financial year. "
            "Social work workforce figures are DfE's at 30 September: each sits in the "
            "financial year containing that day, beside this report's own figure on that day."
            "</p>"
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
        september = metric_id in AT_30_SEPTEMBER
        if september:
            local = at_30_september(r, m, years)
        else:
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
        n_sn = max((v.n_areas for v in pub["sn_average"].values()), default=10)
        mine = [local.get(y) or Shown(None, NOTHING) for y in labels]
        mine = [
            Shown(s.value, s.text, "look-back under 12 months: too low", s.suppressed)
            if y in incomplete and s.value is not None
            else s
            for y, s in zip(labels, mine, strict=True)
        ]
        series = [
            charts.Series(
                "This report at 30 September (local data)"
                if september
                else "This report (local data)",
                labels,
                mine,
                partial_at=(
                    labels.index(partial_year) if partial_year in labels and not september else None
                ),
            )
        ]
        # DfE publishes some councils' workforce as one (e.g. Kingston upon Thames with Richmond
        # upon Thames): the series says whose figure it is.
        joints = sorted({f.name for f in pub["la"].values() if " / " in f.name})
        own_title = f"{name} (published{', joint' if joints else ''})"
        joint = (
            f"DfE publishes {name}'s workforce as one with "
            f"{' and '.join(c for c in joints[-1].split(' / ') if c != name)}: the published "
            "figure is theirs together, and it is left out of the neighbours' mean."
            if joints
            else ""
        )
        for area, title, dash, symbol in (
            ("la", own_title, "dot", "diamond"),
            ("sn_average", f"Statistical neighbours (mean of up to {n_sn})", "dash", "square"),
            ("region", f"{who.region_name} (region)", "longdash", "circle-open"),
            ("england", "England", "dashdot", "triangle-up"),
        ):
            figures = pub[area]
            if area != "england" and not figures:
                continue
            shown = [
                Shown(
                    figures[y].value,
                    fmt(figures[y].value, m.unit),
                    _n_text(metric_id, area, figures[y]),
                )
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
        charts.set_axis(
            fig, "xaxis", type="category", categoryorder="array", categoryarray=labels,
            tickangle=-45,
        )  # fmt: skip
        caption = f"{m.label} by financial year, compared{note}"
        chart = r.figure(fig, caption, series_table(labels, series))
        note_html = basis_note(metric_id, published, labels, joint)
        if note_html:
            chart = f'<div class="compared">{chart}{note_html}</div>'
        parts.append(chart)
    out.append('<div class="charts">' + "".join(parts) + "</div>")
    for metric_id, words in NOT_PUBLISHED.items():
        out.append(
            f'<p class="note not-published"><b>{escape(BY_ID[metric_id].label)}</b>: '
            f"{escape(words)}</p>"
        )
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
