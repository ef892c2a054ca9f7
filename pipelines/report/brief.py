"""The director's brief: one page (one printed sheet) leading with what moved, taken from the
headline cards: what got worse against the same month a year before, then what got better, with
the month-on-month change and the status against local targets beside each."""

from __future__ import annotations

from html import escape

from pipelines.report.direction import ARROW, Change
from pipelines.report.figures import html_table
from pipelines.report.headline import CardSummary

ORDER = {"worse": 0, "better": 1, "neutral": 2, "same": 3, "none": 4}


def _said(c: Change) -> str:
    if c.delta is None:
        return c.why
    word = f" {c.direction}" if c.direction in ("better", "worse") else ""
    return f"{ARROW[c.direction]} {c.amount}{word}" if c.direction != "same" else "= no change"


def brief(council: str, month: str, cards: list[CardSummary]) -> str:
    """The brief as a section of the page; printed, it is the first sheet on its own."""
    by_year = sorted(cards, key=lambda c: ORDER[c.changes[1].direction])
    worse = [c.label for c in cards if c.changes[1].direction == "worse"]
    better = [c.label for c in cards if c.changes[1].direction == "better"]
    red = [c.label for c in cards if c.rag == "red"]
    lines = [
        f"<p class='lead'>{escape(council)}, {escape(month)}: {len(cards)} headline measures. "
        f"Against the same month a year before, <b>{len(worse)} worse</b> and "
        f"<b>{len(better)} better</b>; the others have no better direction, did not change or "
        "cannot be compared (a figure suppressed or not yet in the data).</p>"
    ]
    if worse:
        lines.append(f"<p><b>Worse than a year before:</b> {escape('; '.join(worse))}.</p>")
    if better:
        lines.append(f"<p><b>Better than a year before:</b> {escape('; '.join(better))}.</p>")
    if red:
        lines.append(f"<p><b>Red against local targets:</b> {escape('; '.join(red))}.</p>")
    rows = [
        [
            c.label,
            c.value,
            _said(c.changes[1]),
            _said(c.changes[0]),
            (c.rag or "").upper(),
        ]
        for c in by_year
    ]
    table = html_table(
        ["Measure", "Latest", "vs a year before", "vs the month before", "Target"],
        rows,
        "What moved, worst first (▲ better, ▼ worse, • moved with no better direction)",
    )
    return (
        '<section id="brief" aria-labelledby="h-brief">'
        f'<h2 id="h-brief">Director\'s brief: {escape(month)}</h2>'
        + "".join(lines)
        + table
        + "</section>"
    )
