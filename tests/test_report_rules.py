"""The report's drawing rules, with answers worked out by hand: the rolling grain of rare events,
trend lines whose every value is named by its own period, no derivable suppressed cell in the
sample's report, and a sentence for every data-quality rule the pipeline can write."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb
import pytest

from pipelines.contract import EXTRACTS
from pipelines.marts.metrics import BY_ID
from pipelines.report.data import Period, Row, read_metrics, read_run_info
from pipelines.report.figures import Monthly, Report
from pipelines.report.grain import mostly_suppressed, rolling, window_label
from pipelines.report.headline import trend_description
from pipelines.report.quality_text import READER, SENTENCES, describe
from pipelines.report.suppress import NOTHING, SUPPRESSED, Shown
from pipelines.report.teams import teams
from pipelines.report.trends import trends
from pipelines.staging.build import _checks
from pipelines.validation.quality import UNTYPABLE
from pipelines.validation.rules import cross_checks
from pipelines.validation.suites import suite_for

ROOT = Path(__file__).resolve().parents[1]


def months(n: int, first: date = date(2012, 4, 1)) -> list[Period]:
    out = []
    for i in range(n):
        year, month = first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1
        start = date(year, month, 1)
        end = date(year + month // 12, month % 12 + 1, 1).replace(day=1)
        out.append(Period(start.strftime("%Y-%m"), start, date.fromordinal(end.toordinal() - 1)))
    return out


def rows(metric_id: str, periods: list[Period], nums: list[float], dens: list[float] | None = None):
    out = []
    for i, (p, n) in enumerate(zip(periods, nums, strict=True)):
        d = dens[i] if dens else None
        value = (100 * n / d if d else None) if dens else n
        out.append(Row(metric_id, "month", p.label, p.start, p.end, "all", "ALL", n, d, value))
    return out


# -- the rolling grain -------------------------------------------------------------------------


def test_mostly_suppressed_counts_only_what_has_something_to_measure():
    hidden, shown, nothing = (
        Shown(None, SUPPRESSED, suppressed=True),
        Shown(2.0, "2"),
        Shown(None, NOTHING),
    )
    assert mostly_suppressed([hidden, hidden, shown])
    assert not mostly_suppressed([hidden, shown])  # half is not "mostly"
    assert mostly_suppressed([hidden, hidden, shown, nothing, nothing, nothing])
    assert not mostly_suppressed([nothing, nothing])


def test_rolling_12_months_of_an_event_percentage():
    # Second plans: 1 of 10 plans a month for 13 months (April 2012 on), then 2 of 10. Each
    # month is [c] (1 and 2 are under 5); 12 months to March and to April 2013: 12 of 120 =
    # 10.0%; to May 2013: 11 + 2 = 13 of 120 = 10.8%; the first 11 months have no window.
    periods = months(14)
    series = rows("cp_second_or_subsequent_pct", periods, [1] * 12 + [1, 2], [10] * 14)
    shown = rolling(BY_ID["cp_second_or_subsequent_pct"], series, 5)
    assert [s.text for s in shown[:11]] == [NOTHING] * 11
    assert [s.text for s in shown[11:]] == ["10.0%", "10.0%", "10.8%"]
    assert shown[11].detail == "12 of 120"
    assert window_label(periods[11].start) == "12 months to Mar 2013"


def test_rolling_12_months_of_a_snapshot_count_is_the_average_month_end():
    # Enquiries overdue for a conference: 0 or 1 at each month-end. 12 month-ends holding 3 in
    # all: [c] (3 < 5); holding 6: shown as their average, 0.5.
    periods = months(13)
    series = rows("s47_overdue_icpc", periods, [1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1])
    shown = rolling(BY_ID["s47_overdue_icpc"], series, 5)
    assert shown[11].text == SUPPRESSED and shown[11].suppressed
    assert shown[12].text == SUPPRESSED  # still 3: the first month's 1 left the window
    more = rows("s47_overdue_icpc", periods, [1, 0, 1, 1, 0, 1, 1, 0, 0, 0, 1, 0, 0])
    rolled = rolling(BY_ID["s47_overdue_icpc"], more, 5)
    assert (rolled[11].value, rolled[11].text) == (0.5, "0.5")
    assert (rolled[12].value, rolled[12].text) == (5 / 12, "0.4")  # the first 1 left: 5 in all


def test_a_chart_of_mostly_suppressed_months_is_drawn_rolling(tmp_path):
    # A warehouse with 14 months of second plans, each month 1 or 2 of 10 ([c]), and plans open
    # in the hundreds (never suppressed): the first is drawn rolling, the second month by month.
    from tests.test_report import make_warehouse

    periods = months(14)
    values = [
        (r.metric_id, "month", r.period_label, r.period_start, r.period_end, "all", "ALL",
         r.numerator, r.denominator, r.value)
        for r in rows("cp_second_or_subsequent_pct", periods, [1] * 12 + [1, 2], [10] * 14)
        + rows("cp_plans_open", periods, [150.0] * 14)
    ]  # fmt: skip
    con = duckdb.connect()
    make_warehouse(con, values)
    metrics = read_metrics(con)
    r = Report(metrics, 5)
    html = trends(r, metrics.periods("month"), None)
    assert "Second or later plans by month, rolling 12 months" in html
    assert 'Child protection plans open by month"' in html  # month by month
    assert '<th scope="row">12 months to May 2013</th><td>10.8%</td>' in html
    assert r.rolling(BY_ID["cp_second_or_subsequent_pct"], metrics.periods("month"))


# -- trend lines name their own periods --------------------------------------------------------


def test_a_trend_names_the_period_of_each_value_it_quotes():
    # First value in May, last in July; August, the latest month, is suppressed: the line has
    # no latest dot and says why, rather than calling July's value August's.
    names = ["Apr 2013", "May 2013", "Jun 2013", "Jul 2013", "Aug 2013"]
    shown = [
        Shown(None, SUPPRESSED, suppressed=True),
        Shown(80.0, "80.0%"),
        Shown(None, NOTHING),
        Shown(85.7, "85.7%"),
        Shown(None, SUPPRESSED, suppressed=True),
    ]
    words = trend_description(Monthly(shown, False, names), months(5))
    assert words == (
        "Trend over 5 months: 80.0% in May 2013, 85.7% in Jul 2013; Aug 2013: suppressed ([c])"
    )
    from pipelines.report.charts import sparkline

    assert 'r="3"' not in sparkline([s.value for s in shown], words)  # no latest dot
    with_latest = sparkline([None, 80.0, None, 85.7, 90.0], "x")
    assert with_latest.count('r="3"') == 1  # the latest dot, on August's own value


# -- no suppressed cell can be worked out from the others --------------------------------------


def test_no_breakdown_in_the_sample_report_has_exactly_one_suppressed_cell(sample_run):
    with duckdb.connect(str(sample_run.warehouse), read_only=True) as con:
        metrics = read_metrics(con)
        run = read_run_info(con)
    r = Report(metrics, 5, history_start=run.history_start)
    month_periods = [p for p in metrics.periods("month") if p.end >= run.history_start]
    year_periods = [p for p in metrics.periods("financial_year") if p.end >= run.history_start]
    latest = [p for p in month_periods if p.complete][-1]
    trends(r, month_periods, month_periods[-1])
    teams(r, latest, year_periods)
    shown = r._breakdowns
    assert len(shown) > 100  # every team and out-of-hours breakdown drawn was checked
    assert any(sum(s.suppressed for s in cells.values()) >= 2 for cells in shown.values())
    assert r.breakdowns_with_one_hidden() == []


# -- every data-quality rule is a sentence -----------------------------------------------------


def pipeline_rules() -> set[tuple[str, str]]:
    """Every (kind, rule) the pipeline can write to marts.data_quality."""
    rules = {
        ("load", "file_loaded"),
        ("load", "file_absent"),
        ("load", "file_failed"),
        ("load", "load_warning"),
        ("reconcile", "rows_reconcile"),
        ("completeness", "blank_flag"),
        ("as_at", "not_yet_happened"),
    }
    for e in EXTRACTS:
        raw = [*e.column_names, "_source_file", "_line", "_row_error"]
        rules |= {("quarantine", k.rule) for k in _checks(e, raw)}
        rules |= {("rule", x["meta"]["rule"]) for x in suite_for(e)["expectations"]}
    rules |= {("typing", rule) for rule in UNTYPABLE.values()}
    rules |= {("cross_file", c.rule) for c in cross_checks()}
    return rules


def test_every_rule_the_pipeline_writes_has_a_sentence():
    missing = sorted(pipeline_rules() - set(SENTENCES))
    assert missing == []
    # ... and every reader finding docs/formats.md lists
    formats = (ROOT / "docs" / "formats.md").read_text(encoding="utf-8")
    table = formats[formats.index("## Finding rules") :]
    listed = {
        rule.strip()
        for line in re.findall(r"^\| ([a-z_, ]+) \|", table, re.M)
        for rule in line.split(",")
        if rule.strip() != "rule"
    }
    assert listed and listed - set(READER) == set()
    assert describe("load", "reader_serial_date")[1].startswith("Dates written as Excel")


@pytest.mark.parametrize("kind, rule", sorted(SENTENCES))
def test_sentences_read_as_sentences(kind, rule):
    label, sentence = SENTENCES[(kind, rule)]
    assert label[0].isupper() and sentence[0].isupper() and sentence.endswith(".")
    assert not re.search(r"_(?!\w*\.csv)", sentence)  # no rule id; a file name may have one
