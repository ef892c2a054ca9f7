"""Assemble the managers' report: one self-contained HTML file, plotly.js embedded once."""

from __future__ import annotations

import csv
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from html import escape
from pathlib import Path

import duckdb
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from pipelines.metrics import FLAGS
from pipelines.report import charts
from pipelines.report.catalogue import BY_ID, CATALOGUE, COMPARABLE, HEADLINES, SECTIONS, Metric
from pipelines.report.data import (
    FlagCount,
    Metrics,
    Period,
    QualityData,
    Row,
    Table,
    read_data_quality,
    read_flag_counts,
    read_metrics,
    read_quarantine,
    read_run_info,
)
from pipelines.report.page import CSS
from pipelines.report.suppress import NOTHING, Shown, complementary, fmt, show, show_count

REFERENCE_CSV = (
    Path(__file__).resolve().parents[2] / "data" / "reference" / "published_comparators.csv"
)
NOT_AVAILABLE = "not available: input not supplied"
UNIT_AXIS = {
    "count": "Number",
    "pct": "Per cent",
    "wd": "Working days",
    "rate": "Per 10,000 children",
    "ratio": "Children per worker",
}
SPARK_MONTHS = 24
# Said beside a headline figure whose unit is not obvious from the number.
UNIT_SUFFIX = {"wd": "working days", "rate": "per 10,000 children", "ratio": "children each"}


@dataclass(frozen=True)
class ReportResult:
    """What was written: the file, its size and what it holds."""

    path: Path
    size_bytes: int
    figures: int
    as_at: date | None
    latest_month: str | None
    partial_month: str | None
    metrics_shown: tuple[str, ...]
    metrics_missing: tuple[str, ...]
    suppressed: int


def month_name(p: Period) -> str:
    return p.start.strftime("%B %Y")


def long_date(d: date) -> str:
    return f"{d.day} {d.strftime('%B %Y')}"


@dataclass
class Report:
    """The page being built: its figures and the suppression applied on the way."""

    metrics: Metrics
    threshold: int
    flags: dict[tuple[str, str], FlagCount] = field(default_factory=dict)
    figures: list[str] = field(default_factory=list)
    suppressed: int = 0
    # (metric, period type, label, breakdown) -> each value's figure, complementary suppression done
    _breakdowns: dict[tuple[str, str, str, str], dict[str, Shown]] = field(default_factory=dict)

    def shown(
        self,
        metric: Metric,
        period_type: str,
        label: str,
        breakdown: str = "all",
        value: str = "ALL",
    ) -> Shown | None:
        """The figure as a manager may see it, or None when metric_values has no such row.

        A breakdown cell (a team, out of hours) is shown as its whole breakdown allows: with
        complementary suppression (suppress.complementary), so no cell can be worked out as the
        total minus the others.
        """
        if breakdown == "all" or metric.unit == "wd":
            return self._primary(metric, period_type, label, breakdown, value)
        key = (metric.metric_id, period_type, label, breakdown)
        if key not in self._breakdowns:
            names = self.metrics.breakdown_values(metric.metric_id, breakdown, period_type)
            cells = {
                v: s
                for v in names
                if (s := self._primary(metric, period_type, label, breakdown, v)) is not None
            }
            sizes = {
                v: _size(self.metrics.get(metric.metric_id, period_type, label, breakdown, v))
                for v in cells
            }
            self._breakdowns[key] = complementary(cells, sizes)
        result = self._breakdowns[key].get(value)
        if result is not None:
            self.suppressed += result.suppressed
        return result

    def _primary(
        self, metric: Metric, period_type: str, label: str, breakdown: str, value: str
    ) -> Shown | None:
        """One figure under the small-number rule alone (no look at its breakdown)."""
        row = self.metrics.get(metric.metric_id, period_type, label, breakdown, value)
        if row is None:
            return None
        size = None
        if metric.size_from is not None:
            source, column = metric.size_from
            sized = self.metrics.get(source, period_type, label, breakdown, value)
            size = getattr(sized, column) if sized is not None else None
        result = show(metric.unit, row.value, row.numerator, row.denominator, self.threshold, size)
        if breakdown == "all":
            self.suppressed += result.suppressed
        return result

    def figure(self, fig: go.Figure, caption: str, table: str = "") -> str:
        div_id = f"fig-{len(self.figures) + 1}"
        self.figures.append(div_id)
        details = (
            f"<details><summary>Figures as a table<span class='visually-hidden'>: {escape(caption)}"
            f"</span></summary>{table}</details>"
            if table
            else ""
        )
        return (
            f'<figure class="chart" aria-label="{escape(caption, quote=True)}">'
            f"{charts.fragment(fig, div_id)}{details}</figure>"
        )


def _size(row: Row | None) -> float | None:
    """The count behind a figure: a percentage's denominator, else its count."""
    if row is None:
        return None
    return row.denominator if row.denominator is not None else (row.numerator or row.value)


def html_table(header: Sequence[str], rows: Iterable[Sequence[str]], caption: str = "") -> str:
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            (f'<th scope="row">{escape(c)}</th>' if i == 0 else f"<td>{escape(c)}</td>")
            for i, c in enumerate(r)
        )
        + "</tr>"
        for r in rows
    )
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return f'<div class="table-wrap"><table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def text(s: Shown | None) -> str:
    return NOTHING if s is None else s.text


# ---------------------------------------------------------------- headline


Published = dict[tuple[str, str], dict[str, tuple[float, int, str]]]


def financial_year(d: date) -> str:
    start = d.year if d.month >= 4 else d.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def published_line(metric: Metric, published: Published, when: date | None) -> str:
    """England and neighbours beside a headline figure: the published year containing the
    headline month when there is one (older data), else the latest published year."""
    england = published.get((metric.metric_id, "england"), {})
    neighbours = published.get((metric.metric_id, "sn_average"), {})
    if not england:
        return ""
    year = financial_year(when) if when and financial_year(when) in england else max(england)
    parts = [f"England {fmt(england[year][0], metric.unit)}"]
    if year in neighbours:
        parts.append(f"statistical neighbours {fmt(neighbours[year][0], metric.unit)}")
    return f'<p class="compare">Published {escape(year)}: {escape(", ".join(parts))}</p>'


def flag_note(r: Report, metric_id: str) -> str:
    """How many answers a flag-based metric read as "not Y" because they were blank or could
    not be read (counts of records, not children: a data-quality figure, not suppressed)."""
    parts = []
    for flag in FLAGS.get(metric_id, ()):
        count = r.flags.get((flag.stem, flag.column))
        if count is None:
            continue
        parts.append(
            f"{flag.answer[0].upper()}{flag.answer[1:]}: blank on {count.blank:,} of "
            f"{count.rows:,} {flag.records}, unreadable on {count.unreadable:,}; both count as "
            f"{flag.taken_as}."
        )
    return f'<p class="note flags">{escape(" ".join(parts))}</p>' if parts else ""


def headline(
    r: Report,
    months: list[Period],
    latest: Period | None,
    partial: Period | None,
    published: Published,
) -> str:
    present = r.metrics.metric_ids
    complete = [p for p in months if p.complete][-SPARK_MONTHS:]
    by_section: dict[str, list[str]] = defaultdict(list)
    for i, card in enumerate(HEADLINES):
        metric = BY_ID[card.metric_id]
        heading = f'<h4 id="card-{i}">{escape(card.label)}</h4>'
        definition = metric.definition
        if card.breakdown == "out_of_hours":
            definition = (
                "Contacts flagged out of hours (emergency duty team): "
                + definition[0].lower()
                + definition[1:]
            )
        if card.metric_id not in present:
            body = f'<p class="figure missing">{NOT_AVAILABLE}</p>'
        elif latest is None:
            body = '<p class="figure missing">no complete month in the data yet</p>'
        else:
            now = r.shown(metric, "month", latest.label, card.breakdown, card.breakdown_value)
            unit = UNIT_SUFFIX.get(metric.unit, "") if now and now.value is not None else ""
            words = ", ".join(w for w in (unit, now.detail if now else "") if w)
            detail = f'<span class="detail">{escape(words)}</span>' if words else ""
            value = text(now) if now is not None else "none recorded"
            suppressed = " suppressed" if now is not None and now.suppressed else ""
            body = f'<p class="figure{suppressed}"><span class="value">{escape(value)}</span>{detail}</p>'
            if now is not None and now.suppressed:
                body += '<p class="note">[c]: fewer than the threshold, not shown</p>'
            if partial is not None:
                part = r.shown(metric, "month", partial.label, card.breakdown, card.breakdown_value)
                body += (
                    f'<p class="partial">{escape(month_name(partial))} to date '
                    f"(partial, to {partial.end.day} {partial.end.strftime('%b')}): {escape(text(part))}</p>"
                )
            trend = [
                r.shown(metric, "month", p.label, card.breakdown, card.breakdown_value)
                for p in complete
            ]
            values = [s.value if s is not None else None for s in trend]
            known = [s for s in trend if s is not None and s.value is not None]
            description = (
                f"Trend over {len(complete)} months: {known[0].text} in {month_name(complete[0])}, "
                f"{known[-1].text} in {month_name(complete[-1])}"
                if len(known) >= 2
                else "Too few figures to show a trend"
            )
            body += charts.sparkline(values, description)
        if card.breakdown == "all":
            body += published_line(metric, published, latest.end if latest else None)
        if card.metric_id in present:
            body += flag_note(r, card.metric_id)
        by_section[metric.section].append(
            f'<article class="card" aria-labelledby="card-{i}">{heading}{body}'
            f'<p class="def">{escape(definition)}</p></article>'
        )
    title = f"Headline: {month_name(latest)}" if latest else "Headline"
    out = [
        f'<section id="headline" aria-labelledby="h-headline"><h2 id="h-headline">{escape(title)}</h2>'
    ]
    out.append(
        "<p class='lead'>The latest complete month, with the month so far (partial) beneath and the "
        f"last {SPARK_MONTHS} complete months as a trend line (dot: latest).</p>"
    )
    for section in SECTIONS:
        if by_section[section]:
            out.append(
                f'<h3>{escape(section)}</h3><div class="cards">{"".join(by_section[section])}</div>'
            )
    out.append("</section>")
    return "".join(out)


# ---------------------------------------------------------------- trends


def series_table(x_labels: Sequence[str], series: Sequence[charts.Series]) -> str:
    header = ["Period", *[s.name for s in series]]
    rows = [[x, *[s.shown[i].text for s in series]] for i, x in enumerate(x_labels)]
    return html_table(header, rows)


def trends(r: Report, months: list[Period], partial: Period | None) -> str:
    present = r.metrics.metric_ids
    out = ['<section id="trends" aria-labelledby="h-trends"><h2 id="h-trends">Monthly trends</h2>']
    out.append(
        "<p class='lead'>Each month's figure; a gap is a suppressed figure ([c]) or nothing to measure. "
        "The last, partial month is an open marker.</p>"
    )
    partial_at = len(months) - 1 if partial is not None else None
    x = [p.start for p in months]
    labels = [month_name(p) for p in months]
    for section in SECTIONS:
        in_section = [m for m in CATALOGUE if m.section == section]
        out.append(f"<h3>{escape(section)}</h3>")
        missing = [m.label for m in in_section if m.metric_id not in present]
        parts = []
        for m in in_section:
            if m.metric_id not in present:
                continue
            series = [
                charts.Series(
                    "All",
                    x,
                    [r.shown(m, "month", p.label) or Shown(None, NOTHING) for p in months],
                    partial_at=partial_at,
                )
            ]
            for value, name, dash in (("Y", "Out of hours", "dash"), ("N", "In hours", "dot")):
                if value in r.metrics.breakdown_values(m.metric_id, "out_of_hours"):
                    shown = [
                        r.shown(m, "month", p.label, "out_of_hours", value) or Shown(None, NOTHING)
                        for p in months
                    ]
                    series.append(
                        charts.Series(
                            name, x, shown, dash=dash, symbol="square", partial_at=partial_at
                        )
                    )
            fig = charts.line_figure(m.label, UNIT_AXIS[m.unit], "Month", series)
            parts.append(r.figure(fig, f"{m.label} by month", series_table(labels, series)))
        out.append('<div class="charts">' + "".join(parts) + "</div>")
        if missing:
            out.append(f'<p class="missing">{escape(", ".join(missing))}: {NOT_AVAILABLE}.</p>')
    out.append("</section>")
    return "".join(out)


# ---------------------------------------------------------------- teams


def teams(r: Report, latest: Period | None) -> str:
    """Each team's latest complete month beside its current financial year: a month's team
    figures are often small enough to be suppressed, the year's less so."""
    out = ['<section id="teams" aria-labelledby="h-teams"><h2 id="h-teams">Teams</h2>']
    if latest is None:
        out.append("<p>No complete month in the data yet.</p></section>")
        return "".join(out)
    years = r.metrics.periods("financial_year")
    year = years[-1] if years else None
    out.append(
        f"<p class='lead'>Each team's figure for {escape(month_name(latest))}"
        + (
            f" and for {escape(year.label)}{'' if _fy_complete(year) else ' to date'}"
            if year
            else ""
        )
        + " (the case's team; (none) where no team was recorded). Counts and snapshots of the year "
        "are taken at its end (the data's as-at date for the current year). [c]: suppressed small number.</p>"
    )
    for section in SECTIONS:
        parts = []
        for m in (m for m in CATALOGUE if m.section == section):
            names = r.metrics.breakdown_values(m.metric_id, "team")
            if not names:
                continue
            bars = [
                (
                    month_name(latest),
                    [
                        r.shown(m, "month", latest.label, "team", t) or Shown(None, NOTHING)
                        for t in names
                    ],
                )
            ]
            if year is not None:
                label = year.label if _fy_complete(year) else f"{year.label} to date"
                if m.snapshot:
                    label = f"At {long_date(year.end)}"
                shown = [
                    r.shown(m, "financial_year", year.label, "team", t) or Shown(None, NOTHING)
                    for t in names
                ]
                bars.append((label, shown))
            fig = charts.bar_figure(f"{m.label} by team", UNIT_AXIS[m.unit], names, bars)
            table = html_table(
                ["Team", *[b[0] for b in bars]],
                [[t, *[b[1][i].text for b in bars]] for i, t in enumerate(names)],
            )
            parts.append(r.figure(fig, f"{m.label} by team", table))
        if parts:
            out.append(f'<h3>{escape(section)}</h3><div class="charts">{"".join(parts)}</div>')
    if len(out) == 2:
        out.append("<p>No figures by team in this warehouse.</p>")
    out.append("</section>")
    return "".join(out)


# ---------------------------------------------------------------- comparisons


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


def comparisons(r: Report, published: Published, la_code: str) -> str:
    out = [
        '<section id="comparisons" aria-labelledby="h-comparisons">'
        '<h2 id="h-comparisons">Financial years: England and statistical neighbours</h2>'
    ]
    years = r.metrics.periods("financial_year")
    partial_year = years[-1].label if years and not _fy_complete(years[-1]) else None
    la_name = next((v[2] for (m, a), d in published.items() if a == "la" for v in d.values()), None)
    if la_name is None:
        la_name = next(
            (v[2] for (m, a), d in published.items() if a == "sn_average" for v in d.values()),
            f"LA code {la_code}",
        )
    out.append(
        f"<p class='lead'>This report's figures for each financial year (1 April to 31 March; snapshots at "
        f"31 March), beside the published figures for {escape(la_name)}, the mean of its ten statistical "
        "neighbours and England (DfE children in need statistics; see About).</p>"
    )
    if not any(area != "england" for _, area in published):
        out.append(
            f"<p class='missing'>No published figures for LA code {escape(la_code)} in data/reference/ "
            "(rebuild it with data/reference/build_comparators.py --la CODE).</p>"
        )
    parts = []
    for metric_id in COMPARABLE:
        m = BY_ID[metric_id]
        local = {p.label: r.shown(m, "financial_year", p.label) for p in years}
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
        series = [
            charts.Series(
                "This report (local data)",
                labels,
                [local.get(y) or Shown(None, NOTHING) for y in labels],
                partial_at=labels.index(partial_year) if partial_year in labels else None,
            )
        ]
        for area, name, dash, symbol in (
            ("la", f"{la_name} (published)", "dot", "diamond"),
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
            series.append(charts.Series(name, labels, shown, dash=dash, symbol=symbol))
        note = "" if metric_id in r.metrics.metric_ids else f" (local figures {NOT_AVAILABLE})"
        fig = charts.line_figure(
            m.label + note, UNIT_AXIS[m.unit], "Financial year", series, height=360
        )
        fig.update_xaxes(
            type="category", categoryorder="array", categoryarray=labels, tickangle=-45
        )
        parts.append(
            r.figure(fig, f"{m.label} by financial year, compared", series_table(labels, series))
        )
    out.append('<div class="charts">' + "".join(parts) + "</div>")
    out.append(financial_year_table(r, years))
    out.append("</section>")
    return "".join(out)


def _fy_complete(p: Period) -> bool:
    return p.end >= date(p.start.year + 1, 3, 31)


def _n_text(area: str, n: int) -> str:
    return (
        f"mean of {n} neighbours with a published figure" if area == "sn_average" else "published"
    )


def financial_year_table(r: Report, years: list[Period]) -> str:
    if not years:
        return "<h3>All measures by financial year</h3><p>No financial-year figures in this warehouse.</p>"
    shown_years = years[-5:]
    header = [
        "Measure",
        *[p.label + ("" if _fy_complete(p) else " (to date)") for p in shown_years],
    ]
    rows = []
    for m in CATALOGUE:
        if m.metric_id not in r.metrics.metric_ids:
            rows.append([m.label, *[NOT_AVAILABLE for _ in shown_years]])
        else:
            rows.append(
                [m.label, *[text(r.shown(m, "financial_year", p.label)) for p in shown_years]]
            )
    return "<h3>All measures by financial year</h3>" + html_table(
        header, rows, "Financial-year figures; [c]: suppressed"
    )


# ---------------------------------------------------------------- data quality


def quality(r: Report, quarantine: Table | None, dq: QualityData | None) -> str:
    out = ['<section id="quality" aria-labelledby="h-quality"><h2 id="h-quality">Data quality</h2>']
    out.append(
        "<p class='lead'>Rows the pipeline could not use (quarantined, with the rule they broke) and the "
        "results of the checks. Counts below the threshold are shown as [c] here too; analysts find "
        "the rows themselves in the warehouse's quarantine tables.</p>"
    )
    out.append("<h3>Quarantined rows by file and rule</h3>")
    if quarantine is None:
        out.append("<p>No quarantine tables in this warehouse.</p>")
    elif not quarantine.rows:
        out.append("<p>No rows were quarantined.</p>")
    else:
        rows = [
            [
                str(c) if i not in quarantine.count_columns else show_count(c, r.threshold)
                for i, c in enumerate(row)
            ]  # type: ignore[arg-type]
            for row in quarantine.rows
        ]
        out.append(html_table(quarantine.header, rows))
    out.append("<h3>Check results</h3>")
    if dq is None:
        out.append(
            "<p class='missing'>Check results not available: marts.data_quality is not in this warehouse.</p>"
        )
    else:
        out.append(quality_results(r, dq))
    out.append("</section>")
    return "".join(out)


def run_label(run: object) -> str:
    """A run as a reader wants it: to the minute, not the microsecond."""
    return run.strftime("%Y-%m-%d %H:%M") if isinstance(run, datetime) else str(run)


def quality_results(r: Report, dq: QualityData) -> str:
    """The latest run's checks (those that found something first), and failures over runs."""
    n_labels, n_counts = len(dq.labels), len(dq.counts)
    runs = sorted({row[-1] for row in dq.rows if row[-1] is not None}, key=str) if dq.run else []
    latest_run = runs[-1] if runs else None
    latest_rows = [row for row in dq.rows if not dq.run or row[-1] == latest_run]
    fail_at = n_labels + dq.counts.index(dq.failures) if dq.failures else None

    def failed(row: tuple[object, ...]) -> float:
        v = row[fail_at] if fail_at is not None else None
        return float(v) if isinstance(v, int | float) else 0.0

    def cells(row: tuple[object, ...]) -> list[str]:
        labels = ["" if v is None else str(v) for v in row[:n_labels]]
        counts = [
            show_count(v, r.threshold) if isinstance(v, int | float) else NOTHING
            for v in row[n_labels : n_labels + n_counts]
        ]
        return labels + counts

    header = [*dq.labels, *dq.counts] or ["(no columns)"]
    ordered = sorted(latest_rows, key=lambda row: (-failed(row), [str(v) for v in row[:n_labels]]))
    when = f" ({run_label(latest_run)})" if latest_run is not None else ""
    out = []
    if dq.failures:
        problems = [row for row in ordered if failed(row) > 0]
        out.append(
            f"<p>{len(latest_rows)} check{'' if len(latest_rows) == 1 else 's'} in the latest run{escape(when)}; "
            f"{len(problems)} found rows failing ({escape(dq.failures)} above 0).</p>"
        )
        if problems:
            out.append(
                html_table(header, [cells(row) for row in problems], "Checks that found problems")
            )
        out.append(
            f"<details><summary>All {len(latest_rows)} check results</summary>"
            + html_table(header, [cells(row) for row in ordered])
            + "</details>"
        )
    else:
        out.append(html_table(header, [cells(row) for row in ordered], f"Latest run{when}"))
    if len(runs) > 1 and dq.failures and fail_at is not None:
        out.append(quality_over_runs(r, dq, runs, fail_at))
    return "".join(out)


def quality_over_runs(r: Report, dq: QualityData, runs: list[object], fail_at: int) -> str:
    """Failures per rule across runs: the rules that ever failed, the eight largest."""
    rule = next((c for c in dq.labels if "rule" in c.lower() or "check" in c.lower()), None)
    k = dq.labels.index(rule) if rule else None
    totals: dict[str, dict[object, float]] = defaultdict(lambda: defaultdict(float))
    for row in dq.rows:
        value = row[fail_at]
        if isinstance(value, int | float) and row[-1] is not None:
            totals["all checks" if k is None else str(row[k])][row[-1]] += value
    ever = sorted(
        (t for t in totals.items() if sum(t[1].values()) > 0), key=lambda t: -sum(t[1].values())
    )
    if not ever:
        return "<p>No check has found a failing row in any run.</p>"
    x = [run_label(run) for run in runs]
    series = [
        charts.Series(
            name, x, [show("count", by_run.get(run, 0), None, None, r.threshold) for run in runs]
        )
        for name, by_run in ever[:8]
    ]
    title = f"Rows failing checks ({dq.failures}) by run"
    fig = charts.line_figure(title, "Rows failing", "Run", series)
    fig.update_xaxes(type="category")
    return r.figure(fig, title, series_table(x, series))


# ---------------------------------------------------------------- about


def about(threshold: int, missing: list[str], info: dict[str, str], la_code: str) -> str:
    rows = [
        [m.label, m.metric_id, m.definition + (" (snapshot at period end)" if m.snapshot else "")]
        for m in CATALOGUE
    ]
    missing_text = (
        f"<p>Not in this warehouse ({NOT_AVAILABLE}): {escape(', '.join(BY_ID[m].label for m in missing))}.</p>"
        if missing
        else "<p>Every measure is present.</p>"
    )
    run = "".join(f"<li>{escape(k)}: {escape(v)}</li>" for k, v in info.items())
    return (
        '<section id="about" aria-labelledby="h-about"><h2 id="h-about">About these figures</h2>'
        "<h3>Small numbers</h3>"
        f"<p>Figures are aggregates only. As in DfE's official statistics, a count from 1 to {threshold - 1} "
        f"is shown as [c] and not plotted, anywhere in this report (cards, charts, hover text, tables, "
        f"teams). A percentage, rate or ratio is suppressed when its numerator or denominator is from 1 to "
        f"{threshold - 1}. A median is shown only when at least {threshold} cases are known to lie behind it. "
        "Zero is shown as 0 (it discloses nothing about a child); &ndash; means nothing to measure. "
        "Where exactly one team (or one of out-of-hours and in-hours) is suppressed, the next "
        "smallest is suppressed too, as DfE and ONS do, so that no suppressed figure can be worked "
        "out as the total less the others.</p>"
        "<h3>Missing inputs</h3>"
        f"{missing_text}"
        "<h3>Comparisons</h3>"
        "<p>England, local-authority and statistical-neighbour figures: Department for Education, "
        "<i>Children in need</i> statistics (tables C1, D3, D5) and ONS mid-year population estimates, "
        "via dfe-analytical-services/CSC_outcomes_and_enablers; statistical neighbours from DfE's April 2021 "
        f"groupings (comparator LA code {escape(la_code)}). Contains public sector information licensed "
        "under the Open Government Licence v3.0. Rates per 10,000 are computed from the published counts.</p>"
        "<h3>This run</h3>"
        f"<ul>{run or '<li>marts.run_info not present</li>'}</ul>"
        "<h3>Definitions</h3>"
        + html_table(["Measure", "metric_id", "Definition"], rows)
        + "</section>"
    )


# ---------------------------------------------------------------- page


def latest_and_partial(months: list[Period]) -> tuple[Period | None, Period | None]:
    complete = [p for p in months if p.complete]
    latest = complete[-1] if complete else None
    partial = months[-1] if months and not months[-1].complete else None
    return latest, partial


def build_report(
    con: duckdb.DuckDBPyConnection,
    out_path: Path,
    *,
    suppress_below: int = 5,
    comparator_la: str = "314",
    reference_csv: Path = REFERENCE_CSV,
) -> ReportResult:
    """Write the managers' report to out_path and say what it holds.

    comparator_la: the old three-digit LA code whose published figures and statistical
    neighbours are shown (default 314, Kingston upon Thames); it must be in reference_csv.
    """
    metrics = read_metrics(con)
    as_at, info = read_run_info(con)
    months = metrics.periods("month")
    if as_at is None and months:
        as_at = max(p.end for p in months)
    latest, partial = latest_and_partial(months)
    r = Report(metrics, suppress_below, read_flag_counts(con))
    published = read_comparators(reference_csv, comparator_la)
    present = sorted(metrics.metric_ids & set(BY_ID))
    missing = [m.metric_id for m in CATALOGUE if m.metric_id not in metrics.metric_ids]

    body = "".join(
        [
            headline(r, months, latest, partial, published),
            trends(r, months, partial),
            teams(r, latest),
            comparisons(r, published, comparator_la),
            quality(r, read_quarantine(con), read_data_quality(con)),
            about(suppress_below, missing, info, comparator_la),
        ]
    )
    as_at_text = long_date(as_at) if as_at else "not known"
    status = f"Data as at {as_at_text}."
    if latest:
        status += f" Latest complete month: {month_name(latest)}."
    if partial:
        status += f" {month_name(partial)} is partial (to {long_date(partial.end)})."
    nav = "".join(
        f'<li><a href="#{anchor}">{name}</a></li>'
        for anchor, name in (
            ("headline", "Headline"),
            ("trends", "Monthly trends"),
            ("teams", "Teams"),
            ("comparisons", "Financial years and comparisons"),
            ("quality", "Data quality"),
            ("about", "About"),
        )
    )
    page = (
        '<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Front door report: data as at {escape(as_at_text)}</title>"
        f"<style>{CSS}</style>"
        # The one copy of plotly.js, inline: the page must open offline from a file path.
        f'<script type="text/javascript">{get_plotlyjs()}</script>'
        "</head><body>"
        '<a class="skip-link" href="#main">Skip to the report</a>'
        "<header><h1>Children's services front door</h1>"
        f'<p class="status">{escape(status)}</p>'
        f'<nav aria-label="Report sections"><ul>{nav}</ul></nav></header>'
        f'<main id="main" tabindex="-1">{body}</main>'
        "<footer><p>Built by frontdoor from the warehouse's aggregate tables only. "
        "Published comparators: Open Government Licence v3.0.</p></footer>"
        "</body></html>\n"
    )
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    # Write beside, then rename: a reader never sees half a report.
    tmp = out_path.with_name(out_path.name + ".tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, out_path)
    return ReportResult(
        path=out_path,
        size_bytes=out_path.stat().st_size,
        figures=len(r.figures),
        as_at=as_at,
        latest_month=latest.label if latest else None,
        partial_month=partial.label if partial else None,
        metrics_shown=tuple(present),
        metrics_missing=tuple(missing),
        suppressed=r.suppressed,
    )
