"""The grain a monthly series is drawn at, so that suppression never biases a chart.

A rare event (a second plan, an enquiry overdue for its conference) gives monthly counts of 1 to
4, which the small-number rule hides: drawn month by month, the chart would show gaps and the
occasional 0, next to England's 15%. So a series whose monthly figures are mostly suppressed is
drawn as rolling 12 months instead, where the counts are large enough to show:

- an event measure (counted in the period): the sum of the 12 months' numerators, and of their
  denominators for a percentage (100 x the one over the other);
- a snapshot (taken at the period's end): the 12 month-ends together: for a count their mean
  (the average number open), for a percentage the sum of the month-end numerators over the sum
  of the month-end denominators.

The small-number rule is applied to those sums. Medians, rates and ratios are not additive and
keep the monthly grain. "Mostly" is more than half of the months that have something to measure.
Private fostering is drawn at rolling 12 months always (ALWAYS_ROLLED).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from pipelines.marts.metrics import Metric
from pipelines.report.data import Row
from pipelines.report.suppress import NOTHING, SUPPRESSED, Shown, fmt, is_small, show

WINDOW = 12  # months
MOSTLY = 0.5
# Events so rare that a month is 0, [c] or a lone figure whichever way the threshold falls (a
# council has a handful of private fostering notifications a year): always drawn over 12 months.
ALWAYS_ROLLED = frozenset({"pf_notifications", "pf_initial_visit_7wd_pct"})


def mostly_suppressed(shown: Sequence[Shown]) -> bool:
    """More than half of the figures with something to measure are suppressed."""
    measured = [s for s in shown if s.suppressed or s.value is not None]
    return bool(measured) and sum(s.suppressed for s in measured) > MOSTLY * len(measured)


def rollable(metric: Metric) -> bool:
    """Counts and percentages add up over months; medians, rates and ratios do not."""
    return metric.unit in ("count", "pct")


def rolling(metric: Metric, rows: Sequence[Row | None], threshold: int) -> list[Shown]:
    """Each month's rolling-12-month figure (rule above): nothing for the first 11 months, or
    when a month of the window has no row."""
    out: list[Shown] = []
    for i in range(len(rows)):
        window = rows[i - WINDOW + 1 : i + 1] if i >= WINDOW - 1 else []
        if len(window) < WINDOW or any(r is None for r in window):
            out.append(Shown(None, NOTHING))
            continue
        out.append(_rolled(metric, [r for r in window if r is not None], threshold))
    return out


def _rolled(metric: Metric, window: list[Row], threshold: int) -> Shown:
    numerator = sum(r.numerator if r.numerator is not None else (r.value or 0) for r in window)
    if metric.unit == "pct":
        denominator = sum(r.denominator or 0 for r in window)
        value = 100 * numerator / denominator if denominator else None
        shown = show("pct", value, numerator, denominator, threshold)
        if shown.value is not None and metric.snapshot:
            return Shown(shown.value, shown.text, f"{shown.detail} month-end cases over 12 months")
        return shown
    if not metric.snapshot:
        return show("count", numerator, None, None, threshold)
    # A snapshot count: the average open at the 12 month-ends, shown when their total passes.
    if is_small(numerator, threshold):
        return Shown(None, SUPPRESSED, suppressed=True)
    mean = numerator / WINDOW
    return Shown(mean, fmt(mean, "ratio"), "average of the 12 month-end counts")


def window_label(month_start: date) -> str:
    """How a rolling point is named: the 12 months to its month."""
    return f"12 months to {month_start.strftime('%b %Y')}"
