"""Small-number suppression: the one place that decides what a manager may see.

The rule (as DfE's children-in-need statistics, with the threshold configurable, default 5):

- A count from 1 to threshold - 1 is shown as "[c]" and not plotted. Zero is shown as 0: as in
  DfE's published tables, a true zero discloses nothing about any one child.
- A percentage, rate or ratio is suppressed when its numerator or its denominator is from 1 to
  threshold - 1 (so neither the count behind it nor its complement-of-few can be recovered from
  the value). A numerator of 0 over a denominator of threshold or more shows 0.0%.
- A median carries no count of its own: it is shown only when a count known to be no larger than
  the number of cases behind it (catalogue.Metric.size_from) is at least the threshold; when no
  such count is found it is suppressed too (we cannot show it is safe).
- A figure with nothing to measure (denominator 0, median of nothing) is an en dash, not suppressed.

Counts in hover text ("34 of 40") are shown only for figures that pass the rule.

Complementary (secondary) suppression, as the DfE and ONS apply it: the cells of a breakdown
(the teams of one metric and period, or its out-of-hours and in-hours contacts) add up to the
total, so one suppressed cell could be worked out as the total minus the others. Whenever exactly
one cell of a breakdown is suppressed, the next smallest cell (by the count behind it: the count,
or a percentage's denominator) is suppressed too, so no suppressed value can be derived from the
rest (``complementary``); a cell of 0 only when no other is left, since a reader takes a
suppressed cell for 1 or more. Medians are not additive and are left alone.

That rule holds within one breakdown; pipelines/report/disclosure.py extends it across every
view a reader can combine (months and years, teams and all, "n of d"; a council and its region),
and the report consults its plan before it shows any figure.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.report.catalogue import Unit

SUPPRESSED = "[c]"
NOTHING = "\u2013"  # en dash: nothing to measure


@dataclass(frozen=True)
class Shown:
    """A figure as the manager sees it: value is None when it must not be plotted."""

    value: float | None
    text: str
    detail: str = ""
    suppressed: bool = False


def is_small(count: float | None, threshold: int) -> bool:
    """A count that must not be shown: 1 to threshold - 1 (0 and missing are not small)."""
    return count is not None and 0 < count < threshold


def fmt(value: float, unit: Unit) -> str:
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "pct":
        return f"{value:.1f}%"
    return f"{value:,.1f}"


def show(
    unit: Unit,
    value: float | None,
    numerator: float | None,
    denominator: float | None,
    threshold: int,
    size: float | None = None,
) -> Shown:
    """Apply the rule above to one figure. size: for a median, its lower-bound case count."""
    if unit == "count":
        count = value if value is not None else numerator
        if is_small(count, threshold):
            return Shown(None, SUPPRESSED, suppressed=True)
        return Shown(None, NOTHING) if count is None else Shown(count, fmt(count, unit))
    if unit == "wd":
        if value is None:
            return Shown(None, NOTHING)
        if size is None or size < threshold:
            return Shown(None, SUPPRESSED, suppressed=True)
        return Shown(value, fmt(value, unit), f"over at least {size:,.0f} cases")
    if is_small(numerator, threshold) or is_small(denominator, threshold):
        return Shown(None, SUPPRESSED, suppressed=True)
    if value is None:
        return Shown(None, NOTHING)
    detail = ""
    if unit == "pct" and numerator is not None and denominator is not None:
        detail = f"{numerator:,.0f} of {denominator:,.0f}"
    elif unit == "ratio" and numerator is not None and denominator is not None:
        detail = f"{numerator:,.0f} children, {denominator:,.0f} workers"
    elif unit == "rate" and numerator is not None:
        detail = f"{numerator:,.0f} children"
    return Shown(value, fmt(value, unit), detail)


def show_count(count: float | None, threshold: int) -> str:
    """A plain count (data-quality tables) under the same rule."""
    return show("count", count, None, None, threshold).text


def complementary(cells: dict[str, Shown], sizes: dict[str, float | None]) -> dict[str, Shown]:
    """The cells of one breakdown with complementary suppression applied (rule above).

    ``sizes`` gives the count behind each cell (None when unknown: such a cell is never the one
    chosen). Returns a new dict; a cell suppressed here is marked like any other.
    """
    suppressed = [k for k, s in cells.items() if s.suppressed]
    if len(suppressed) != 1:
        return dict(cells)
    candidates = [
        (size == 0, size, key)  # a cell of 0 hides nothing: a reader takes "[c]" for 1 or more
        for key, size in sizes.items()
        if key in cells and not cells[key].suppressed and size is not None
    ]
    if not candidates:
        return dict(cells)
    *_, chosen = min(candidates)
    return {**cells, chosen: Shown(None, SUPPRESSED, suppressed=True)}
