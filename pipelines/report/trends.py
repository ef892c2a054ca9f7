"""Monthly trends: one chart per measure, from the first month of the data's own history; a
measure whose monthly figures are mostly suppressed is drawn as rolling 12 months (grain.py),
and a re-referral figure whose 12-month look-back is not yet all in the data is shaded."""

from __future__ import annotations

from html import escape

from pipelines.marts.metrics import CATALOGUE, SECTIONS, Metric
from pipelines.report import charts
from pipelines.report.catalogue import section_note
from pipelines.report.data import Period
from pipelines.report.figures import (
    NOT_AVAILABLE,
    UNIT_AXIS,
    Report,
    series_table,
)

OUT_OF_HOURS = (("Y", "Out of hours", "dash"), ("N", "In hours", "dot"))


def _chart(r: Report, m: Metric, months: list[Period], partial_at: int | None) -> str:
    x = [p.start for p in months]
    monthly = r.monthly(m, months)
    series = [charts.Series("All", x, monthly.shown, partial_at=partial_at, names=monthly.names)]
    for value, name, dash in OUT_OF_HOURS:
        if value in r.metrics.breakdown_values(m.metric_id, "out_of_hours"):
            part = r.monthly(m, months, "out_of_hours", value)
            series.append(
                charts.Series(
                    name,
                    x,
                    part.shown,
                    dash=dash,
                    symbol="square",
                    partial_at=partial_at,
                    names=part.names,
                )
            )
    title = m.label + (
        " (rolling 12 months: monthly figures are mostly [c])" if monthly.rolling else ""
    )
    shade = None
    marked = [p for p in months if r.look_back_incomplete(m, p)]
    if marked:
        shade = charts.Shade(marked[0].start, marked[-1].end, "look-back under 12 months")
    fig = charts.line_figure(
        title,
        UNIT_AXIS[m.unit],
        "Rolling 12 months, ending" if monthly.rolling else "Month",
        series,
        shade=shade,
    )
    caption = f"{m.label} by month" + (", rolling 12 months" if monthly.rolling else "")
    return r.figure(fig, caption, series_table(monthly.names, series))


def trends(r: Report, months: list[Period], partial: Period | None) -> str:
    present = r.metrics.metric_ids
    out = ['<section id="trends" aria-labelledby="h-trends"><h2 id="h-trends">Monthly trends</h2>']
    out.append(
        "<p class='lead'>Each month's figure. A suppressed figure ([c]) is a gap in the line, "
        "marked by a tick at the top of the chart; a plain gap is nothing to measure. The last, "
        "partial month is an open marker. A measure whose monthly figures are mostly suppressed "
        "is drawn as rolling 12 months, where they are not.</p>"
    )
    partial_at = len(months) - 1 if partial is not None else None
    for section in SECTIONS:
        in_section = [m for m in CATALOGUE if m.section == section]
        out.append(f"<h3>{escape(section)}</h3>{section_note(section)}")
        missing = [m.label for m in in_section if m.metric_id not in present]
        parts = [_chart(r, m, months, partial_at) for m in in_section if m.metric_id in present]
        out.append('<div class="charts">' + "".join(parts) + "</div>")
        if missing:
            out.append(f'<p class="missing">{escape(", ".join(missing))}: {NOT_AVAILABLE}.</p>')
    out.append("</section>")
    return "".join(out)
