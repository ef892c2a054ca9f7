"""The headline: a card per question the Ofsted letters asked, each with the latest complete
month, the month so far, a trend line whose every value is named by its own period, how many
records' flags it rests on, and the published comparison."""

from __future__ import annotations

from collections import defaultdict
from html import escape

from pipelines.metrics import BY_ID, FLAGS, SECTIONS
from pipelines.report import charts
from pipelines.report.catalogue import HEADLINES
from pipelines.report.comparisons import Published, published_line
from pipelines.report.data import Period
from pipelines.report.figures import NOT_AVAILABLE, Monthly, Report, month_name, text

SPARK_MONTHS = 24
# Said beside a headline figure whose unit is not obvious from the number.
UNIT_SUFFIX = {"wd": "working days", "rate": "per 10,000 children", "ratio": "children each"}


def flag_note(r: Report, metric_id: str) -> str:
    """How many answers a flag-based metric read as "not Y" because they were blank or could
    not be read (counts of records, not children: a data-quality figure, not suppressed)."""
    parts = []
    for flag in FLAGS.get(metric_id, ()):
        count = r.flags.get((flag.stem, flag.column))
        if count is None:
            continue
        answer = flag.answer[0].upper() + flag.answer[1:]
        if count.blank + count.unreadable == 0:
            parts.append(f"{answer}: recorded on all {count.rows:,} {flag.records}.")
        else:
            parts.append(
                f"{answer}: blank on {count.blank:,} of {count.rows:,} {flag.records}, "
                f"unreadable on {count.unreadable:,}; both count as {flag.taken_as}."
            )
    return f'<p class="note flags">{escape(" ".join(parts))}</p>' if parts else ""


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


def _card_body(
    r: Report, i: int, months: list[Period], latest: Period, partial: Period | None
) -> str:
    card = HEADLINES[i]
    metric = BY_ID[card.metric_id]
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
    complete = [p for p in months if p.complete]
    series = r.monthly(metric, complete, card.breakdown, card.breakdown_value)
    shown = Monthly(series.shown[-SPARK_MONTHS:], series.rolling, series.names[-SPARK_MONTHS:])
    if series.rolling and shown.shown and shown.shown[-1].value is not None:
        body += (
            f'<p class="rolling">{escape(shown.names[-1])}: {escape(shown.shown[-1].text)} '
            "(monthly figures are mostly fewer than the threshold)</p>"
        )
    if r.look_back_incomplete(metric, latest):
        body += '<p class="note">Look-back under 12 months: re-referrals undercounted.</p>'
    description = trend_description(shown, complete[-SPARK_MONTHS:])
    body += charts.sparkline([s.value for s in shown.shown], description)
    return body


def headline(
    r: Report,
    months: list[Period],
    latest: Period | None,
    partial: Period | None,
    published: Published,
) -> str:
    present = r.metrics.metric_ids
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
            body = _card_body(r, i, months, latest, partial)
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
        '<section id="headline" aria-labelledby="h-headline">'
        f'<h2 id="h-headline">{escape(title)}</h2>'
    ]
    out.append(
        "<p class='lead'>The latest complete month, with the month so far (partial) beneath and "
        f"the last {SPARK_MONTHS} complete months as a trend line (dot: the latest month, when it "
        "has a figure). A measure whose monthly figures are mostly suppressed is drawn as rolling "
        "12 months.</p>"
    )
    for section in SECTIONS:
        if by_section[section]:
            out.append(
                f'<h3>{escape(section)}</h3><div class="cards">{"".join(by_section[section])}</div>'
            )
    out.append("</section>")
    return "".join(out)
