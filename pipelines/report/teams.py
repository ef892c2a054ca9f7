"""Teams: each measure by the case's team, charted for one period (the financial year so far:
a month's team figures are mostly too small to show, and a month beside a year on one axis
compares unlike things), with the latest month beside it in the table. A breakdown with fewer
than two teams showing a figure (the rest zero or suppressed) is a table only: as a chart it is
noise."""

from __future__ import annotations

from html import escape

from pipelines.marts.metrics import CATALOGUE, SECTIONS, Metric
from pipelines.report import charts
from pipelines.report.comparisons import fy_complete
from pipelines.report.data import Period
from pipelines.report.figures import UNIT_AXIS, Report, html_table, long_date, month_name
from pipelines.report.suppress import NOTHING, Shown


def _period_words(m: Metric, year: Period) -> str:
    if m.snapshot:
        return f"at {long_date(year.end)}"
    return year.label + ("" if fy_complete(year) else " to date")


def _team_block(r: Report, m: Metric, latest: Period, year: Period | None) -> str:
    names = r.metrics.breakdown_values(m.metric_id, "team")
    columns = [
        (
            month_name(latest),
            [r.shown(m, "month", latest.label, "team", t) or Shown(None, NOTHING) for t in names],
        )
    ]
    charted: list[Shown] = []
    words = ""
    if year is not None:
        charted = [
            r.shown(m, "financial_year", year.label, "team", t) or Shown(None, NOTHING)
            for t in names
        ]
        words = _period_words(m, year)
        columns.insert(0, (words[0].upper() + words[1:], charted))
    table = html_table(
        ["Team", *[c[0] for c in columns]],
        [[t, *[c[1][i].text for c in columns]] for i, t in enumerate(names)],
    )
    if sum(1 for s in charted if s.value) >= 2:
        fig = charts.bar_figure(f"{m.label} by team, {words}", UNIT_AXIS[m.unit], names, charted)
        return r.figure(fig, f"{m.label} by team", table)
    why = "one team only" if len(names) < 2 else "fewer than two teams with a figure to show"
    return (
        f'<div class="team-table"><h4>{escape(m.label)} by team</h4>'
        f"<p class='missing'>No chart: {why}.</p>{table}</div>"
    )


def teams(r: Report, latest: Period | None, years: list[Period]) -> str:
    out = ['<section id="teams" aria-labelledby="h-teams"><h2 id="h-teams">Teams</h2>']
    if latest is None:
        out.append("<p>No complete month in the data yet.</p></section>")
        return "".join(out)
    year = years[-1] if years else None
    out.append(
        "<p class='lead'>Each measure by the case's team ((none) where no team was recorded), "
        + (
            f"charted for {escape(year.label)}{'' if fy_complete(year) else ' to date'} "
            "(snapshots at its end: the data's as-at date for the current year), "
            if year
            else ""
        )
        + f"with {escape(month_name(latest))} beside it in each table. [c]: suppressed small "
        "number. A measure with fewer than two teams showing a figure is a table alone.</p>"
    )
    for section in SECTIONS:
        parts = [
            _team_block(r, m, latest, year)
            for m in CATALOGUE
            if m.section == section and r.metrics.breakdown_values(m.metric_id, "team")
        ]
        if parts:
            out.append(f'<h3>{escape(section)}</h3><div class="charts">{"".join(parts)}</div>')
    if len(out) == 2:
        out.append("<p>No figures by team in this warehouse.</p>")
    out.append("</section>")
    return "".join(out)
