"""The headline: a card per question the Ofsted letters asked, each with the latest complete
month, its change against the month before and the same month a year before (better or worse),
the month so far, a trend line whose every value is named by its own period, the status against
a local target when the council set one, and the published comparison. How many records' yes/no
answers a figure rests on is said once, on the data-quality page."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from html import escape

from pipelines.marts.metrics import BY_ID, SECTIONS
from pipelines.report import charts
from pipelines.report.catalogue import HEADLINES, section_note
from pipelines.report.comparisons import Published, published_line
from pipelines.report.data import Period
from pipelines.report.direction import Change, Target, change, change_html, status, status_html
from pipelines.report.figures import NOT_AVAILABLE, Monthly, Report, month_name, text
from pipelines.report.grain import ALWAYS_ROLLED
from pipelines.report.suppress import NOTHING

SPARK_MONTHS = 24
# Said beside a headline figure whose unit is not obvious from the number.
UNIT_SUFFIX = {"wd": "working days", "rate": "per 10,000 children", "ratio": "children each"}
# Said on a card when its reading would otherwise mislead.
CAVEATS = {
    "referral_nfa_pct": "Recent referrals are mostly still open, and a referral becomes NFA "
    "only when it is closed: the latest months' share rises as they close. Compare whole "
    "financial years (below) before reading it against England.",
}


@dataclass(frozen=True)
class CardSummary:
    """What the director's brief takes from a card."""

    label: str
    value: str
    changes: tuple[Change, ...]
    rag: str | None


def trend_description(series: Monthly, months: list[Period]) -> str:
    """What the trend line shows, each value named by the period it comes from; and the latest
    period's own state when it has no value (the line then has no latest dot)."""
    grain = " (rolling 12 months)" if series.rolling else ""
    known = [
        (name, s) for name, s in zip(series.names, series.shown, strict=True) if s.value is not None
    ]
    if len(known) < 2:
        return f"Too few figures to show a trend over {len(months)} months{grain}"
    (first_name, first), (last_name, last) = known[0], known[-1]
    words = (
        f"Trend over {len(months)} months{grain}: {first.text} in {first_name}, "
        f"{last.text} in {last_name}"
    )
    latest = series.shown[-1]
    if latest.value is None:
        state = "suppressed ([c])" if latest.suppressed else "nothing to measure"
        words += f"; {series.names[-1]}: {state}"
    return words


def nothing_why(r: Report, card_metric: str, period: Period, breakdown: str, value: str) -> str:
    """Why a card shows nothing to measure (or no figure) for a period, in words."""
    row = r.metrics.get(card_metric, "month", period.label, breakdown, value)
    if row is None:
        return f"no figure for {month_name(period)} in the warehouse"
    if row.denominator == 0:
        return f"nothing to measure: none in {month_name(period)} for this figure to count"
    return f"nothing to measure in {month_name(period)}"


def _card_body(
    r: Report,
    i: int,
    months: list[Period],
    latest: Period,
    partial: Period | None,
    target: Target | None,
) -> tuple[str, CardSummary]:
    card = HEADLINES[i]
    metric = BY_ID[card.metric_id]
    now = r.shown(metric, "month", latest.label, card.breakdown, card.breakdown_value)
    unit = UNIT_SUFFIX.get(metric.unit, "") if now and now.value is not None else ""
    detail_text = now.detail if now else ""
    if metric.unit == "wd" and detail_text:
        detail_text = f"the median, {detail_text}"
    words = ", ".join(w for w in (unit, detail_text) if w)
    detail = f'<span class="detail">{escape(words)}</span>' if words else ""
    value = text(now) if now is not None else "none recorded"
    suppressed = " suppressed" if now is not None and now.suppressed else ""
    body = f'<p class="figure{suppressed}"><span class="value">{escape(value)}</span>{detail}</p>'
    if now is not None and now.suppressed:
        body += '<p class="note">[c]: fewer than the threshold, not shown</p>'
    elif now is None or now.text == NOTHING:
        why = nothing_why(r, card.metric_id, latest, card.breakdown, card.breakdown_value)
        body += f'<p class="note why">{NOTHING}: {escape(why)}</p>'
    if partial is not None:
        part = r.shown(metric, "month", partial.label, card.breakdown, card.breakdown_value)
        body += (
            f'<p class="partial">{escape(month_name(partial))} to date '
            f"(partial, to {partial.end.day} {partial.end.strftime('%b')}): {escape(text(part))}</p>"
        )
    complete = [p for p in months if p.complete]
    series = r.monthly(metric, complete, card.breakdown, card.breakdown_value)
    shown = Monthly(series.shown[-SPARK_MONTHS:], series.rolling, series.names[-SPARK_MONTHS:])
    if series.rolling and shown.shown and shown.shown[-1].value is not None:
        why = (
            "a rare event, counted over 12 months"
            if metric.metric_id in ALWAYS_ROLLED
            else "monthly figures are mostly fewer than the threshold"
        )
        body += (
            f'<p class="rolling">{escape(shown.names[-1])}: {escape(shown.shown[-1].text)} '
            f"({why})</p>"
        )
    # The change against the month before and the same month a year before, at the grain the
    # trend is drawn at (rolling 12 months where the monthly figures are mostly suppressed).
    latest_shown = series.shown[-1] if series.shown else None
    changes = []
    for against, back in (("previous month", 2), ("same month last year", 13)):
        if len(series.shown) >= back:
            changes.append(
                change(metric, latest_shown, series.shown[-back], series.names[-back], against)
            )
        else:
            changes.append(
                Change(against, against, None, "none", "no such month in the data's history")
            )
    body += change_html(changes)
    rag_value = now.value if now is not None else None
    body += status_html(metric, rag_value, target)
    if r.look_back_incomplete(metric, latest):
        body += '<p class="note">Look-back under 12 months: re-referrals undercounted.</p>'
    if card.breakdown == "all" and card.metric_id in CAVEATS:
        body += f'<p class="note caveat">{escape(CAVEATS[card.metric_id])}</p>'
    description = trend_description(shown, complete[-SPARK_MONTHS:])
    body += charts.sparkline([s.value for s in shown.shown], description)
    if series.rolling and latest_shown is not None and latest_shown.value is not None:
        value = f"{latest_shown.text} ({series.names[-1]})"
    summary = CardSummary(card.label, value, tuple(changes), status(metric, rag_value, target))
    return body, summary


def headline(
    r: Report,
    months: list[Period],
    latest: Period | None,
    partial: Period | None,
    published: Published,
    targets: dict[str, Target] | None = None,
) -> tuple[str, list[CardSummary]]:
    present = r.metrics.metric_ids
    targets = targets or {}
    summaries: list[CardSummary] = []
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
            target = targets.get(card.metric_id) if card.breakdown == "all" else None
            body, summary = _card_body(r, i, months, latest, partial, target)
            summaries.append(summary)
        if card.breakdown == "all":
            body += published_line(metric, published, latest.end if latest else None)
        by_section[metric.section].append(
            f'<article class="card" aria-labelledby="card-{i}">{heading}{body}'
            f'<p class="def">{escape(definition)}</p></article>'
        )
    title = f"Headline: {month_name(latest)}" if latest else "Headline"
    out = [
        '<section id="headline" aria-labelledby="h-headline">'
        f'<h2 id="h-headline">{escape(title)}</h2>'
    ]
    out.append(
        "<p class='lead'>The latest complete month, its change against the month before and the "
        "same month a year before (▲ better, ▼ worse, • a change with no better direction), "
        "with the month so far (partial) beneath and "
        f"the last {SPARK_MONTHS} complete months as a trend line (dot: the latest month, when it "
        "has a figure). A measure whose monthly figures are mostly suppressed is drawn as rolling "
        "12 months.</p>"
    )
    for section in SECTIONS:
        if by_section[section]:
            out.append(f"<h3>{escape(section)}</h3>{section_note(section)}")
            out.append(f'<div class="cards">{"".join(by_section[section])}</div>')
    out.append("</section>")
    return "".join(out), summaries
