"""About these figures: the small-number rule, how charts are drawn, where the data begin,
what is missing, the sources, this run, and every definition."""

from __future__ import annotations

from datetime import date
from html import escape

from pipelines.marts.metrics import BY_ID, CATALOGUE
from pipelines.report.figures import NOT_AVAILABLE, html_table, long_date


def about(
    threshold: int,
    missing: list[str],
    info: dict[str, str],
    council: str,
    history_start: date | None,
) -> str:
    rows = [
        [m.label, m.metric_id, m.definition + (" (snapshot at period end)" if m.snapshot else "")]
        for m in CATALOGUE
    ]
    missing_text = (
        f"<p>Not in this warehouse ({NOT_AVAILABLE}): "
        f"{escape(', '.join(BY_ID[m].label for m in missing))}.</p>"
        if missing
        else "<p>Every measure is present.</p>"
    )
    start = (
        f"<p>The data's own history begins on {escape(long_date(history_start))} (its first "
        "contact), and the report starts there. Cases already open then are in the data with "
        "their earlier dates, so snapshots (plans open, children waiting) are whole from the first "
        "month; counts of the months before it would be incomplete and are not shown. A "
        "re-referral needs the 12 months before each referral: until 12 months of history have "
        "passed, the re-referral figure is too low, and it is shaded and marked "
        "&ldquo;look-back under 12 months&rdquo;.</p>"
        if history_start
        else ""
    )
    run = "".join(f"<li>{escape(k)}: {escape(v)}</li>" for k, v in info.items())
    small = threshold - 1
    return (
        '<section id="about" aria-labelledby="h-about"><h2 id="h-about">About these figures</h2>'
        "<h3>Small numbers</h3>"
        f"<p>Figures about children are aggregates only. As in DfE's official statistics, a count "
        f"from 1 to {small} is shown as [c] and not plotted, anywhere in this report (cards, "
        "charts, hover text, tables, teams). A percentage, rate or ratio is suppressed when its "
        f"numerator or denominator is from 1 to {small}. A median is shown only when at least "
        f"{threshold} cases are known to lie behind it. Zero is shown as 0 (it discloses nothing "
        "about a child); &ndash; means nothing to measure. Where exactly one team (or one of "
        "out-of-hours and in-hours) is suppressed, the next smallest is suppressed too, as DfE and "
        "ONS do, so that no suppressed figure can be worked out as the total less the others.</p>"
        "<p>On a chart a suppressed figure is a gap in its line, marked by a tick at the top, never "
        "a zero. A measure whose monthly figures are mostly suppressed (rare events: second plans, "
        "plans lasting two years; private fostering always) is drawn as rolling 12 months instead: the sum of the 12 months "
        "(for a snapshot count, the average of the 12 month-ends), with the same rule applied to "
        "those sums.</p>"
        "<p>The data-quality section counts records in the input files, not children: those "
        "counts are shown in full, so that whoever fixes the data knows how many records to "
        "look for.</p>"
        "<h3>Where the data begin</h3>"
        f"{start or '<p>marts.run_info does not say where the data begin.</p>'}"
        "<h3>Missing inputs</h3>"
        f"{missing_text}"
        "<h3>Comparisons</h3>"
        "<p>England, local-authority and statistical-neighbour figures: Department for Education, "
        "<i>Children in need</i> statistics (tables C1, C4, D3, D5), <i>Children's social work "
        "workforce</i> statistics (at 30 September) and ONS mid-year population "
        "estimates, via dfe-analytical-services/CSC_outcomes_and_enablers; statistical "
        f"neighbours and regions from DfE's April 2021 groupings (this report: {escape(council)}). "
        "Contains public sector information licensed under the Open Government Licence v3.0. "
        "Rates per 10,000 and the share of enquiries leading to a conference are computed from "
        "the published counts. Published figures are shown up "
        "to this report's last financial year.</p>"
        "<h3>This page</h3>"
        "<p>The page works offline and sends nothing anywhere: it has no links out and no "
        "sharing controls. &ldquo;Download chart (PNG)&rdquo; saves the chart from the page "
        "itself, with the council, the as-at date, the source and the small-number rule "
        "beneath it.</p>"
        "<h3>This run</h3>"
        f"<ul>{run or '<li>marts.run_info not present</li>'}</ul>"
        "<h3>Definitions</h3>"
        + html_table(["Measure", "metric_id", "Definition"], rows)
        + "</section>"
    )
