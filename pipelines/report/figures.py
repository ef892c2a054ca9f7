"""The page being built: every figure as a manager may see it (the small-number rule, its
complementary suppression and the rolling grain applied on the way), the charts drawn so far,
and the small HTML helpers every section uses."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from html import escape

from pipelines.marts.metrics import Metric
from pipelines.report import charts, disclosure, grain
from pipelines.report.data import FlagCount, Metrics, Period, Row
from pipelines.report.suppress import NOTHING, SUPPRESSED, Shown, complementary, show

NOT_AVAILABLE = "not available: input not supplied"
UNIT_AXIS = {
    "count": "Number",
    "pct": "Per cent",
    "wd": "Working days",
    "rate": "Per 10,000 children",
    "ratio": "Children per worker",
}
# The measure whose figure needs 12 months of history before each referral.
LOOK_BACK = {"rereferral_12m_pct"}


def month_name(p: Period) -> str:
    return p.start.strftime("%B %Y")


def short_month(p: Period) -> str:
    return p.start.strftime("%b %Y")


def long_date(d: date) -> str:
    return f"{d.day} {d.strftime('%B %Y')}"


def add_months(d: date, months: int) -> date:
    """Calendar months, clamped to the month's end (docs/metrics.md "Months and days")."""
    m = d.month - 1 + months
    year, month = d.year + m // 12, m % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def text(s: Shown | None) -> str:
    return NOTHING if s is None else s.text


# A cell longer than this is prose: it wraps between words (and never inside a figure).
PROSE = 40
# A token with a break opportunity inside it (2008-09, 1/2): kept whole within prose.
_WHOLE = re.compile(r"\S*\d[-/\u2013]\S*")


def _cell(tag: str, text: str, attrs: str = "") -> str:
    if len(text) <= PROSE:
        return f"<{tag}{attrs}>{escape(text)}</{tag}>"
    parts, at = [], 0
    for m in _WHOLE.finditer(text):
        parts += [escape(text[at : m.start()]), f'<span class="nw">{escape(m.group())}</span>']
        at = m.end()
    parts.append(escape(text[at:]))
    return f'<{tag}{attrs} class="wrap">{"".join(parts)}</{tag}>'


def html_table(header: Sequence[str], rows: Iterable[Sequence[str]], caption: str = "") -> str:
    head = "".join(_cell("th", h, ' scope="col"') for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            (_cell("th", c, ' scope="row"') if i == 0 else _cell("td", c)) for i, c in enumerate(r)
        )
        + "</tr>"
        for r in rows
    )
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return (
        f'<div class="table-wrap"><table>{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def series_table(x_labels: Sequence[str], series: Sequence[charts.Series]) -> str:
    header = ["Period", *[s.name for s in series]]
    rows = [[x, *[s.shown[i].text for s in series]] for i, x in enumerate(x_labels)]
    return html_table(header, rows)


def _size(row: Row | None) -> float | None:
    """The count behind a figure: a percentage's denominator, else its count."""
    if row is None:
        return None
    return row.denominator if row.denominator is not None else (row.numerator or row.value)


@dataclass
class Monthly:
    """A metric's series over the report's months, at the grain it is drawn at."""

    shown: list[Shown]
    rolling: bool  # rolling 12 months (grain.py) rather than month by month
    names: list[str]  # each point's period, as a reader says it


@dataclass
class Report:
    """The page being built: its figures and the suppression applied on the way."""

    metrics: Metrics
    threshold: int
    flags: dict[tuple[str, str], FlagCount] = field(default_factory=dict)
    history_start: date | None = None
    footer: str = ""  # what a downloaded chart carries beneath it
    figures: list[str] = field(default_factory=list)
    suppressed: int = 0
    # (metric, period type, label, breakdown) -> each value's figure, complementary suppression done
    _breakdowns: dict[tuple[str, str, str, str], dict[str, Shown]] = field(default_factory=dict)
    _rolling: dict[tuple[str, str], bool] = field(default_factory=dict)
    # Every figure suppressed to stop differencing across views (report/disclosure.py).
    _plan: set[tuple[str, str, str, str, str]] | None = None
    # Every figure handed to the page, as shown: what a reader can combine (the safety test's
    # differencing attack reads it).
    displayed: dict[tuple[str, str, str, str, str], Shown] = field(default_factory=dict)

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
        figure = (metric.metric_id, period_type, label, breakdown, value)
        if breakdown == "all" or metric.unit == "wd":
            result = self._primary(metric, period_type, label, breakdown, value)
            if result is not None:
                self.displayed[figure] = result
            return result
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
            self.displayed[figure] = result
        return result

    def breakdowns_with_one_hidden(self) -> list[tuple[str, str, str, str]]:
        """Every breakdown shown so far in which exactly one of two or more cells is suppressed:
        a cell that could be worked out as the total less the others. Empty by construction
        (the safety test's check). A breakdown of one cell is the total itself, suppressed by
        the same rule."""
        return [
            key
            for key, cells in self._breakdowns.items()
            if len(cells) >= 2 and sum(s.suppressed for s in cells.values()) == 1
        ]

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
        if self._plan is None:
            self._plan = disclosure.plan(self.metrics, self.threshold)
        if not result.suppressed and disclosure.figure_of(row) in self._plan:
            result = Shown(None, SUPPRESSED, suppressed=True)
        if breakdown == "all":
            self.suppressed += result.suppressed
        return result

    def rolling(self, metric: Metric, months: Sequence[Period]) -> bool:
        """Whether the metric is drawn as rolling 12 months: it can be (grain.rollable) and its
        monthly figures over the complete months are mostly suppressed, or it is a rare event."""
        key = (metric.metric_id, months[-1].label if months else "")
        if key not in self._rolling:
            complete = [p for p in months if p.complete]
            monthly = [self._primary(metric, "month", p.label, "all", "ALL") for p in complete]
            self._rolling[key] = grain.rollable(metric) and (
                metric.metric_id in grain.ALWAYS_ROLLED
                or grain.mostly_suppressed([s for s in monthly if s is not None])
            )
        return self._rolling[key]

    def monthly(
        self,
        metric: Metric,
        months: Sequence[Period],
        breakdown: str = "all",
        value: str = "ALL",
    ) -> Monthly:
        """The metric over the months, at its grain; a missing row is nothing to measure."""
        if not self.rolling(metric, months):
            shown = [
                self.shown(metric, "month", p.label, breakdown, value) or Shown(None, NOTHING)
                for p in months
            ]
            return Monthly(shown, False, [short_month(p) for p in months])
        rows = [
            self.metrics.get(metric.metric_id, "month", p.label, breakdown, value) for p in months
        ]
        shown = grain.rolling(metric, rows, self.threshold)
        if breakdown != "all":
            shown = self._rolled_breakdown(metric, months, breakdown, value, shown)
        self.suppressed += sum(s.suppressed for s in shown)
        return Monthly(shown, True, [grain.window_label(p.start) for p in months])

    def _rolled_breakdown(
        self,
        metric: Metric,
        months: Sequence[Period],
        breakdown: str,
        value: str,
        shown: list[Shown],
    ) -> list[Shown]:
        """A breakdown cell of a rolled series, with complementary suppression per period."""
        names = self.metrics.breakdown_values(metric.metric_id, breakdown)
        rows = {
            v: [self.metrics.get(metric.metric_id, "month", p.label, breakdown, v) for p in months]
            for v in names
        }
        rolled = {v: grain.rolling(metric, rows[v], self.threshold) for v in names}
        out = []
        for i in range(len(months)):
            window = slice(max(0, i - grain.WINDOW + 1), i + 1)
            cells = {v: rolled[v][i] for v in names}
            sizes = {v: sum(_size(r) or 0 for r in rows[v][window]) for v in names}
            out.append(complementary(cells, dict(sizes)).get(value, shown[i]))
        return out

    def look_back_incomplete(self, metric: Metric, period: Period) -> bool:
        """A re-referral figure of a period that starts within 12 months of the data's history:
        its earlier referrals are not all in the data, so it is too low."""
        return (
            metric.metric_id in LOOK_BACK
            and self.history_start is not None
            and period.start < add_months(self.history_start, 12)
        )

    def figure(self, fig: charts.Figure, caption: str, table: str = "") -> str:
        div_id = f"fig-{len(self.figures) + 1}"
        self.figures.append(div_id)
        details = (
            f"<details><summary>Figures as a table<span class='visually-hidden'>: {escape(caption)}"
            f"</span></summary>{table}</details>"
            if table
            else ""
        )
        name = re.sub(r"[^a-z0-9]+", "-", caption.lower()).strip("-")
        return (
            f'<figure class="chart" aria-label="{escape(caption, quote=True)}">'
            f"{charts.fragment(fig, div_id, caption)}"
            f'<div class="chart-actions"><button type="button" class="download" '
            f'data-for="{div_id}" data-name="{escape(name, quote=True)}">Download chart (PNG)'
            f"<span class='visually-hidden'>: {escape(caption)}</span></button></div>"
            f"{details}</figure>"
        )
