"""The regional report: every headline metric for every council side by side.

Read from the regional warehouse (pipelines.region.rollup) only: aggregates. For each headline metric,
a ranked bar of the councils for the latest financial year every council has complete, with the
regional figure where one can be formed (counts add up; percentages and rates are pooled from
their numerators and denominators; medians cannot be pooled), and a small multiple per council of
its financial-year trend. The same suppression rule as a council's own report
(pipelines.report.suppress); the councils whose run failed are named at the top.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from html import escape
from pathlib import Path

import duckdb

from pipelines.marts.metrics import UNSUPPORTED_METRICS
from pipelines.report import charts, disclosure
from pipelines.report.catalogue import BY_ID, HEADLINES, Headline
from pipelines.report.comparisons import (
    AT_30_SEPTEMBER,
    REFERENCE_CSV,
    Identity,
    Published,
    read_comparators,
)
from pipelines.report.data import Metrics, Row
from pipelines.report.figures import UNIT_AXIS, long_date
from pipelines.report.page import document
from pipelines.report.suppress import NOTHING, SUPPRESSED, Shown, complementary, fmt, show

Figure = tuple[float | None, float | None, float | None]  # value, numerator, denominator


@dataclass(frozen=True)
class Council:
    name: str
    status: str
    message: str | None
    as_at: date | None
    input_format: str | None = None
    history_start: date | None = None
    la_name: str | None = None

    @property
    def label(self) -> str:
        """The folder's name, and the council's own where its warehouse names it."""
        return f"{self.name} ({self.la_name})" if self.la_name else self.name


COUNCIL_COLUMNS = ("council", "status", "message", "as_at", "input_format", "history_start")


def read_councils(con: duckdb.DuckDBPyConnection) -> list[Council]:
    have = {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'marts' "
            "AND table_name = 'councils'"
        ).fetchall()
    }
    cols = [c if c in have else f"NULL AS {c}" for c in (*COUNCIL_COLUMNS, "la_name")]
    rows = con.execute(f"SELECT {', '.join(cols)} FROM marts.councils ORDER BY council").fetchall()
    return [Council(*row) for row in rows]


def _year_figures(con: duckdb.DuckDBPyConnection, card: Headline) -> dict[tuple[str, str], Figure]:
    """(council, financial year label) -> the figure, for complete financial years from the
    council's own history on (a year that ends before it holds only cases carried in open)."""
    have = {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'marts' "
            "AND table_name = 'councils'"
        ).fetchall()
    }
    history = (
        "AND v.period_end >= coalesce(c.history_start, v.period_end)"
        if "history_start" in have
        else ""
    )
    rows = con.execute(
        "SELECT v.council, v.period_label, v.value, v.numerator, v.denominator "
        "FROM marts.metric_values v JOIN marts.councils c USING (council) "
        "WHERE v.metric_id = ? AND v.breakdown = ? AND v.breakdown_value = ? "
        f"AND v.period_type = 'financial_year' AND v.period_end <= c.as_at {history}",
        [card.metric_id, card.breakdown, card.breakdown_value],
    ).fetchall()
    return {(c, label): (value, num, den) for c, label, value, num, den in rows}


def _children(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], float]:
    """(council, financial year) -> children aged 0-17: the population each council's own
    cp_plans_rate_per_10k divides by (its population.csv), for counts per 10,000 children."""
    rows = con.execute(
        "SELECT council, period_label, denominator FROM marts.metric_values "
        "WHERE metric_id = 'cp_plans_rate_per_10k' AND period_type = 'financial_year' "
        "AND breakdown = 'all' AND denominator > 0"
    ).fetchall()
    return {(c, y): d for c, y, d in rows}


def _size(con: duckdb.DuckDBPyConnection, card: Headline, council: str, year: str) -> float | None:
    """The case count a median is shown against (catalogue.Metric.size_from)."""
    metric = BY_ID[card.metric_id]
    if metric.size_from is None:
        return None
    source, part = metric.size_from
    rows = con.execute(
        f"SELECT {part} FROM marts.metric_values WHERE council = ? AND metric_id = ? "
        "AND period_type = 'financial_year' AND period_label = ? AND breakdown = 'all'",
        [council, source, year],
    ).fetchall()
    return rows[0][0] if rows else None


def _pooled(unit: str, figures: list[Figure]) -> Figure | None:
    """The region's own figure from its councils', where one can be formed."""
    if unit == "wd" or not figures:
        return None
    if unit == "count":
        values = [v for v, _, _ in figures if v is not None]
        return (sum(values), None, None) if values else None
    nums = [n for _, n, _ in figures if n is not None]
    dens = [d for _, _, d in figures if d is not None]
    if len(nums) != len(figures) or len(dens) != len(figures) or not sum(dens):
        return None
    num, den = sum(nums), sum(dens)
    if unit == "pct":
        return (100 * num / den, num, den)
    if unit == "rate":
        return (10_000 * num / den, num, den)
    return (num / den, num, den)


BETTER_TEXT = {
    "higher": "Higher is better: ranked best first.",
    "lower": "Lower is better: ranked best first.",
    None: "Neither higher nor lower is better: ranked highest first.",
}


def _why_lacking(council: Council, metric_id: str) -> str:
    reason = UNSUPPORTED_METRICS.get(council.input_format or "", {}).get(metric_id)
    if reason:
        return f"its {council.input_format} input cannot support it ({reason.lstrip('* ')})"
    return "its extracts hold no figure for it"


def council_plans(
    con: duckdb.DuckDBPyConnection, councils: list[str], threshold: int
) -> dict[str, set[disclosure.Figure]]:
    """Each council's own report's suppression (report/disclosure.py), worked out from its
    figures in the regional warehouse: the region shows a council's figure as its own report
    does, never one its own report hides."""
    have = {c for (c,) in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'marts' "
        "AND table_name = 'metric_values'").fetchall()}  # fmt: skip
    start = "period_start" if "period_start" in have else "period_end"
    plans = {}
    for council in councils:
        rows = con.execute(
            f"SELECT metric_id, period_type, period_label, {start}, period_end, breakdown, "
            "breakdown_value, numerator, denominator, value FROM marts.metric_values "
            "WHERE council = ?",
            [council],
        ).fetchall()
        plans[council] = disclosure.plan(Metrics([Row(*r) for r in rows]), threshold)
    return plans


def _metric_section(
    con: duckdb.DuckDBPyConnection,
    card: Headline,
    councils: list[str] | list[Council],
    threshold: int,
    n: int,
    england: Published | None = None,
    plans: dict[str, set[disclosure.Figure]] | None = None,
) -> str:
    """One headline measure across the councils: ranked (rank numbers, best first where a better
    direction is declared) on the latest financial year all of them that hold it have complete,
    counts as rates per 10,000 children where each council's population is known, England's
    published figure as a line, and the councils that lack it named with the reason."""
    metric = BY_ID[card.metric_id]
    known = [c if isinstance(c, Council) else Council(c, "published", None, None) for c in councils]
    by_name = {c.name: c for c in known}
    figures = _year_figures(con, card)
    holding = [c.name for c in known if any(cc == c.name for cc, _ in figures)]
    lacking = [c for c in known if c.name not in holding]
    lack_text = "".join(
        f"<li>{escape(c.label)}: {escape(_why_lacking(c, card.metric_id))}</li>" for c in lacking
    )
    head = f'<section class="metric" aria-labelledby="m{n}"><h3 id="m{n}">{escape(card.label)}</h3>'
    lack_html = f"<p>Not compared here:</p><ul class='lacking'>{lack_text}</ul>" if lacking else ""
    years_by_council = {c: {y for (cc, y) in figures if cc == c} for c in holding}
    common = set.intersection(*years_by_council.values()) if years_by_council else set()
    if not common:
        return (
            head
            + f"<p>{escape(metric.definition)} No financial year is complete for every council "
            "that holds this measure.</p>" + lack_html + "</section>"
        )
    year = max(common)
    years = sorted({y for (_, y) in figures})

    # A count is compared per 10,000 children (each council's own population) when every
    # council's population is known that year; otherwise the counts themselves.
    children = _children(con)
    per_10k = metric.unit == "count" and all((c, year) in children for c in holding)
    unit = "rate" if per_10k else metric.unit

    def figure(council: str, label: str) -> Figure:
        value, num, den = figures.get((council, label), (None, None, None))
        if not per_10k:
            return (value, num, den)
        count = value if value is not None else num
        kids = children.get((council, label))
        if count is None or not kids:
            return (None, count, kids)
        return (10_000 * count / kids, count, kids)

    if plans is None:
        plans = council_plans(con, holding, threshold)

    def shown(council: str, label: str) -> Shown:
        value, num, den = figure(council, label)
        size = _size(con, card, council, label) if metric.unit == "wd" else None
        planned = (card.metric_id, "financial_year", label, card.breakdown, card.breakdown_value)
        if planned in plans.get(council, set()):
            return Shown(None, SUPPRESSED, suppressed=True)
        return show(unit, value, num, den, threshold, size)

    cells = {(c, y): shown(c, y) for c in holding for y in years}
    region_figure = _pooled(unit, [figure(c, year) for c in holding])
    region_text = ""
    if region_figure is not None:
        region_shown = show(unit, *region_figure, threshold)
        # Each council's own report is public: a regional figure over a council its own
        # report suppresses would give that council away (report/disclosure.py).
        if any(cells[(c, year)].suppressed for c in holding):
            region_shown = Shown(None, SUPPRESSED, suppressed=True)
        region_text = f"Region {year}: {region_shown.text}."
        # The councils add up to the region: one suppressed council could be worked out from
        # the rest, so the next smallest is suppressed too (suppress.complementary).
        size_at = 1 if per_10k else (0 if metric.unit == "count" else 2)
        latest_cells = complementary(
            {c: cells[(c, year)] for c in holding},
            {c: figure(c, year)[size_at] for c in holding},
        )
        cells.update({(c, year): cell for c, cell in latest_cells.items()})
    sign = -1 if metric.better in ("higher", None) else 1
    latest = sorted(
        ((c, cells[(c, year)]) for c in holding),
        key=lambda cs: (cs[1].value is None, sign * (cs[1].value or 0), cs[0]),
    )
    ranked = [
        (f"{i}. {by_name[c].label}" if s.value is not None else f"{NOTHING} {by_name[c].label}", s)
        for i, (c, s) in enumerate(latest, start=1)
    ]
    unit_words = " per 10,000 children" if per_10k else ""
    england_value = (england or {}).get((card.metric_id, "england"), {}).get(year)
    # DfE's workforce census is taken on 30 September, not at the year's end as the councils' are.
    on_day = ", at 30 September" if card.metric_id in AT_30_SEPTEMBER else ""
    england_text = (
        f" England {year} (published{on_day}): "
        f"{show(unit, england_value[0], None, None, threshold).text}."
        if england_value and card.breakdown == "all"
        else ""
    )
    if all(s.value is None for _, s in latest):
        chart = (
            f"<p class='missing'>No chart: no council has a figure to show for {escape(year)} "
            f"({SUPPRESSED} or nothing to measure).</p>"
        )
    else:
        bar = charts.bar_figure(
            f"{card.label}{unit_words}, {year}",
            UNIT_AXIS[unit],
            [label for label, _ in ranked],
            [s for _, s in ranked],
        )
        charts.set_axis(bar, "yaxis", title={"text": "Council (rank)"})
        if england_value and card.breakdown == "all":
            charts.vertical_line(bar, england_value[0], f"England {fmt(england_value[0], unit)}")
        caption = f"{card.label}{unit_words}, financial year {year}, councils ranked"
        chart = charts.fragment(bar, f"region-{n}", caption)
    multiples = "".join(
        f'<li><span class="council">{escape(by_name[c].label)}</span>'
        + charts.sparkline(
            [cells[(c, y)].value for y in years],
            f"{c}: {card.label}{unit_words}, financial years {years[0]} to {years[-1]}",
        )
        + f"<span>{escape(cells[(c, year)].text)}</span></li>"
        for c in holding
    )
    rows = "".join(
        f"<tr><th scope='row'>{escape(by_name[c].label)}</th><td>{escape(s.text)}</td>"
        f"<td>{rank if s.value is not None else NOTHING}</td></tr>"
        for rank, (c, s) in enumerate(latest, start=1)
    )
    compared = f" Compared{unit_words} (each council's own population)." if per_10k else ""
    return (
        head
        + f"<p>{escape(metric.definition)}{escape(compared)} {escape(BETTER_TEXT[metric.better])} {escape(region_text)}{escape(england_text)}</p>"
        + chart
        + f'<ul class="multiples" aria-label="Each council, financial years {years[0]} to '
        f'{years[-1]}">{multiples}</ul>'
        + lack_html
        + f"<details><summary>Figures as a table</summary><div class='table-wrap'><table><thead>"
        f"<tr><th>Council</th><th>{escape(year)}{escape(unit_words)}</th><th>Rank</th></tr>"
        f"</thead><tbody>{rows}</tbody></table></div></details></section>"
    )


def build_region_report(warehouse: Path, out_path: Path, *, suppress_below: int = 5) -> Path:
    """Write the regional report for the regional warehouse at ``warehouse``."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        councils = read_councils(con)
        published = [c.name for c in councils if c.status == "published"]
        failed = [c for c in councils if c.status != "published"]
        england = read_comparators(REFERENCE_CSV, Identity())  # England's published figures
        plans = council_plans(con, published, suppress_below)
        sections = [
            _metric_section(
                con,
                card,
                [c for c in councils if c.status == "published"],
                suppress_below,
                n,
                england,
                plans,
            )
            for n, card in enumerate(HEADLINES)
        ]
    as_ats = sorted({c.as_at for c in councils if c.as_at})
    as_at_text = ", ".join(long_date(d) for d in as_ats) if as_ats else "no council has published"
    failures = (
        '<section class="failed" aria-labelledby="failed"><h2 id="failed">Councils not in '
        "this report</h2><ul>"
        + "".join(
            f"<li><strong>{escape(c.name)}</strong>: {escape(c.message or 'failed')}</li>"
            for c in failed
        )
        + "</ul></section>"
        if failed
        else ""
    )
    body = (
        failures
        + f'<section aria-labelledby="headline"><h2 id="headline">Every council, side by side'
        f"</h2><p>{len(published)} councils, each from its own published warehouse. Each chart "
        "ranks the councils (1: the best, where a better direction is declared) on the latest "
        "financial year all the councils holding the measure have complete; counts are compared "
        "per 10,000 children (each council's own population), so councils of different sizes "
        "compare fairly; England's published figure is the dashed line where DfE publishes one; "
        "the region's own figure is given where one can be formed. Beneath each chart, each "
        "council's trend over its financial years from its own history's start, and the councils "
        "whose input cannot support the measure, with the reason. "
        f"{SUPPRESSED}: a figure from 1 to {suppress_below - 1}, "
        "suppressed.</p>" + "".join(sections) + "</section>"
    )
    page = document(
        title=f"Front door region: {len(published)} councils",
        heading="Children's services front door: region",
        status=f"{len(published)} councils published"
        + (f", {len(failed)} failed" if failed else "")
        + f". Data as at {as_at_text}.",
        nav='<li><a href="#headline">Councils side by side</a></li>'
        + ('<li><a href="#failed">Not in this report</a></li>' if failed else ""),
        body=body,
        chart_footer=f"Region · data as at {as_at_text} · source: frontdoor regional warehouse\n"
        f"[c]: a figure from 1 to {suppress_below - 1}, suppressed (not drawn) · aggregates only",
        skip_text="Skip to the councils",
    )
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(out_path.name + ".tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, out_path)
    return out_path
