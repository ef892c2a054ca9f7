"""The regional report: every headline metric for every council side by side.

Read from the regional warehouse (pipelines.region) only: aggregates. For each headline metric,
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

from pipelines.report import charts, disclosure
from pipelines.report.catalogue import BY_ID, HEADLINES, Headline
from pipelines.report.data import Metrics, Row
from pipelines.report.figures import UNIT_AXIS, long_date
from pipelines.report.page import document
from pipelines.report.suppress import SUPPRESSED, Shown, complementary, show

Figure = tuple[float | None, float | None, float | None]  # value, numerator, denominator


@dataclass(frozen=True)
class Council:
    name: str
    status: str
    message: str | None
    as_at: date | None


def read_councils(con: duckdb.DuckDBPyConnection) -> list[Council]:
    rows = con.execute(
        "SELECT council, status, message, as_at FROM marts.councils ORDER BY council"
    ).fetchall()
    return [Council(*row) for row in rows]


def _year_figures(con: duckdb.DuckDBPyConnection, card: Headline) -> dict[tuple[str, str], Figure]:
    """(council, financial year label) -> the figure, for complete financial years."""
    rows = con.execute(
        "SELECT v.council, v.period_label, v.value, v.numerator, v.denominator "
        "FROM marts.metric_values v JOIN marts.councils c USING (council) "
        "WHERE v.metric_id = ? AND v.breakdown = ? AND v.breakdown_value = ? "
        "AND v.period_type = 'financial_year' AND v.period_end <= c.as_at",
        [card.metric_id, card.breakdown, card.breakdown_value],
    ).fetchall()
    return {(c, label): (value, num, den) for c, label, value, num, den in rows}


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


def _pooled(card: Headline, figures: list[Figure]) -> Figure | None:
    """The region's own figure from its councils', where one can be formed."""
    unit = BY_ID[card.metric_id].unit
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
    councils: list[str],
    threshold: int,
    n: int,
    plans: dict[str, set[disclosure.Figure]] | None = None,
) -> str:
    metric = BY_ID[card.metric_id]
    figures = _year_figures(con, card)
    years_by_council = {c: {y for (cc, y) in figures if cc == c} for c in councils}
    common = set.intersection(*years_by_council.values()) if years_by_council else set()
    if not common:
        return ""
    year = max(common)

    years = sorted({y for (_, y) in figures})

    if plans is None:
        plans = council_plans(con, councils, threshold)

    def shown(council: str, label: str) -> Shown:
        value, num, den = figures.get((council, label), (None, None, None))
        size = _size(con, card, council, label) if metric.unit == "wd" else None
        figure = (card.metric_id, "financial_year", label, card.breakdown, card.breakdown_value)
        if figure in plans.get(council, set()):
            return Shown(None, SUPPRESSED, suppressed=True)
        return show(metric.unit, value, num, den, threshold, size)

    cells = {(c, y): shown(c, y) for c in councils for y in years}
    region_figure = _pooled(card, [figures[(c, year)] for c in councils])
    region_text = ""
    if region_figure is not None:
        region_shown = show(metric.unit, *region_figure, threshold)
        # Each council's own report is public: a regional figure over a council its own
        # report suppresses would give that council away (report/disclosure.py).
        if any(cells[(c, year)].suppressed for c in councils):
            region_shown = Shown(None, SUPPRESSED, suppressed=True)
        region_text = f"Region {year}: {region_shown.text}."
        # The councils add up to the region: one suppressed council could be worked out from
        # the rest, so the next smallest is suppressed too (suppress.complementary).
        latest_cells = complementary(
            {c: cells[(c, year)] for c in councils},
            {c: figures[(c, year)][0 if metric.unit == "count" else 2] for c in councils},
        )
        cells.update({(c, year): cell for c, cell in latest_cells.items()})
    latest = sorted(
        ((c, cells[(c, year)]) for c in councils),
        key=lambda cs: (cs[1].value is None, -(cs[1].value or 0), cs[0]),
    )
    bar = charts.bar_figure(
        f"{card.label}, {year}",
        UNIT_AXIS[metric.unit],
        [c for c, _ in latest],
        [s for _, s in latest],
    )
    bar.update_yaxes(title_text="Council")
    caption = f"{card.label}, financial year {year}, councils ranked"
    multiples = "".join(
        f'<li><span class="council">{escape(c)}</span>'
        + charts.sparkline(
            [cells[(c, y)].value for y in years],
            f"{c}: {card.label}, financial years {years[0]} to {years[-1]}",
        )
        + f"<span>{escape(cells[(c, year)].text)}</span></li>"
        for c in councils
    )
    rows = "".join(
        f"<tr><th scope='row'>{escape(c)}</th><td>{escape(s.text)}</td></tr>" for c, s in latest
    )
    return (
        f'<section class="metric" aria-labelledby="m{n}"><h3 id="m{n}">{escape(card.label)}</h3>'
        f"<p>{escape(metric.definition)} {escape(region_text)}</p>"
        + charts.fragment(bar, f"region-{n}", caption)
        + f'<ul class="multiples" aria-label="Each council, financial years {years[0]} to '
        f'{years[-1]}">{multiples}</ul>'
        f"<details><summary>Figures as a table</summary><table><thead><tr><th>Council</th>"
        f"<th>{escape(year)}</th></tr></thead><tbody>{rows}</tbody></table></details></section>"
    )


def build_region_report(warehouse: Path, out_path: Path, *, suppress_below: int = 5) -> Path:
    """Write the regional report for the regional warehouse at ``warehouse``."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        councils = read_councils(con)
        published = [c.name for c in councils if c.status == "published"]
        failed = [c for c in councils if c.status != "published"]
        plans = council_plans(con, published, suppress_below)
        sections = [
            _metric_section(con, card, published, suppress_below, n, plans)
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
        "ranks the councils on the latest financial year all of them have complete, with the "
        "region's own figure where one can be formed; beneath it, each council's trend over "
        f"its financial years. {SUPPRESSED}: a figure from 1 to {suppress_below - 1}, "
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
