"""The managers' report: known answers from a tiny hand-built warehouse."""

from __future__ import annotations

import csv
import itertools
import re
import sys
from datetime import date
from html import unescape
from pathlib import Path

import duckdb
import pytest
from plotly.offline import get_plotlyjs_version

from pipelines.report import build_report
from pipelines.report.build import PLOTLY_JS
from pipelines.report.suppress import show

ROOT = Path(__file__).resolve().parents[1]
SHARED_DFE = ROOT.parent / "shared" / "reference" / "dfe"
CHILD = "CHILD-ZX-9931"

MONTHS = [
    ("2025-09", date(2025, 9, 1), date(2025, 9, 30)),
    ("2025-10", date(2025, 10, 1), date(2025, 10, 31)),
    ("2025-11", date(2025, 11, 1), date(2025, 11, 14)),  # partial: as_at is 14 November
]


def metric_rows() -> list[tuple]:
    """(metric_id, period_type, label, start, end, breakdown, value, numerator, denominator, value)."""
    rows = []

    def add(metric, label, num, den, value, breakdown="all", bvalue="ALL", period_type="month"):
        start, end = (
            next((s, e) for lab, s, e in MONTHS if lab == label)
            if period_type == "month"
            else (date(2025, 4, 1), date(2025, 11, 14))
        )
        rows.append((metric, period_type, label, start, end, breakdown, bvalue, num, den, value))

    for label in ("2025-09", "2025-10", "2025-11"):
        add("contacts", label, 3.0, None, 3.0)  # 3 < 5: suppressed everywhere
        add("contacts", label, 5.0, None, 5.0, "team", "Red Team")  # 5: shown
        add("contacts", label, 41.0, None, 41.0, "team", "Blue Team")
        add("contact_decision_1wd_pct", label, 3.0, 40.0, 7.5)  # numerator 3: suppressed
        add("contact_decision_1wd_pct", label, 6.0, 8.0, 75.0, "out_of_hours", "Y")
        add("icpc_15wd_pct", label, 2.0, 4.0, 50.0)  # denominator 4: suppressed
        add("cp_plans_open", label, 5.0, None, 5.0)
        add("unallocated_open_cases", label, 0.0, None, 0.0)  # zero is shown as 0
        add("rereferral_12m_pct", label, 0.0, 12.0, 0.0)  # 0 of 12: shown as 0.0%
        add("referral_nfa_pct", label, 0.0, 0.0, None)  # nothing to measure
        add("single_assessment_timely_pct", label, 4.0, 4.0, 100.0)
        add("single_assessment_median_wd", label, None, None, 23.5)  # over 4 cases: suppressed
        add("assessment_seen_alone_pct", label, 17.0, 20.0, 85.0)
        add("allocation_delay_median_wd", label, None, None, 3.5)  # at least 9 cases: shown
        add("allocated_within_5wd_pct", label, 9.0, 12.0, 75.0)
    add("rereferral_12m_pct", "2025-26", 9.0, 60.0, 15.0, period_type="financial_year")
    add("contacts", "2025-26", 4.0, None, 4.0, "team", "Red Team", period_type="financial_year")
    add("contacts", "2025-26", 90.0, None, 90.0, "team", "Blue Team", period_type="financial_year")
    return rows


def make_warehouse(
    con: duckdb.DuckDBPyConnection, rows: list[tuple] | None = None, la_code: str | None = "314"
) -> None:
    """A warehouse of metric_values and a run_info naming the council (Kingston, by default)."""
    con.execute("CREATE SCHEMA marts")
    con.execute(
        "CREATE TABLE marts.metric_values (metric_id VARCHAR, period_type VARCHAR, period_label VARCHAR, "
        "period_start DATE, period_end DATE, breakdown VARCHAR, breakdown_value VARCHAR, "
        "numerator DOUBLE, denominator DOUBLE, value DOUBLE)"
    )
    con.executemany(
        "INSERT INTO marts.metric_values VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows or metric_rows(),
    )
    con.execute(
        "CREATE TABLE marts.run_info AS SELECT DATE '2025-11-14' AS as_at, "
        "DATE '2025-09-01' AS first_date, CAST(? AS VARCHAR) AS la_code, "
        "CAST(NULL AS VARCHAR) AS la_name",
        [la_code],
    )


def ours(html: str) -> str:
    """The page without the plotly.js bundle, whose own text would match any short figure."""
    return html.replace(PLOTLY_JS.read_text(encoding="utf-8"), "")


@pytest.fixture
def built(tmp_path: Path):
    con = duckdb.connect()
    make_warehouse(con)
    out = tmp_path / "report.html"
    result = build_report(con, out)
    return result, out.read_text(encoding="utf-8")


def card(html: str, label: str) -> str:
    """The headline card whose heading is exactly label."""
    match = re.search(
        r'<article class="card"[^>]*><h4 id="card-\d+">'
        + re.escape(label)
        + r"</h4>(.*?)</article>",
        html,
    )
    assert match, f"no card {label!r}"
    return match.group(1)


def card_value(html: str, label: str) -> str:
    match = re.search(r'<span class="value">([^<]*)</span>', card(html, label))
    assert match, f"card {label!r} has no value"
    return match.group(1)


def test_plotly_js_embedded_exactly_once_and_no_network(built):
    result, html = built
    bundle = PLOTLY_JS.read_text(encoding="utf-8")
    assert html.count(bundle[:60]) == 1  # "/**\n* plotly.js (basic - minified) v4.1.1 ..."
    assert html.count(bundle) == 1
    page = ours(html)
    assert not re.search(r"<script[^>]*\bsrc=", html), "every script must be inline"
    assert not re.search(r'<link[^>]+href="https?:', html)
    # No control can leave the page: links are to its own sections only, and no chart has a
    # mode bar (its share and Chart Studio buttons post to Plotly's cloud) or a logo link.
    assert re.findall(r'<a [^>]*href="([^"]*)"', page)
    assert all(href.startswith("#") for href in re.findall(r'<a [^>]*href="([^"]*)"', page))
    assert "displayModeBar: false" in page and "displaylogo: false" in page
    assert not re.search(r"<form|<iframe|https?://", page)
    assert page.count('class="plot"') == result.figures > 0
    assert page.count('class="download"') == result.figures
    assert result.size_bytes == len(html.encode("utf-8"))


def assert_every_chart_is_a_valid_plotly_figure(html: str) -> int:
    """Each chart's JSON, with the page's template, as plotly.py's schema reads it: the charts
    are built as plain dicts (pipelines/report/charts.py), so a misspelt property would be
    ignored by plotly.js without a word; plotly.py refuses it. Returns how many were read."""
    import json

    import plotly.graph_objects as go

    template = json.loads(re.search(r'id="chart-template">(.*?)</script>', html).group(1))
    specs = re.findall(r'<script type="application/json" id="[\w-]+-spec">(.*?)</script>', html)
    for spec in specs:
        figure = json.loads(spec.replace("<\\/", "</"))
        go.Figure(data=figure["data"], layout={**figure["layout"], "template": template})
    return len(specs)


def test_every_chart_of_the_sample_report_is_a_valid_plotly_figure(sample_run):
    html = sample_run.report.read_text(encoding="utf-8")
    assert assert_every_chart_is_a_valid_plotly_figure(html) == html.count('class="plot"') > 50


def test_vendored_plotly_is_the_release_plotly_py_expects():
    import hashlib

    head = PLOTLY_JS.read_text(encoding="utf-8")[:200]
    assert f"plotly.js (basic - minified) v{get_plotlyjs_version()}" in head
    # pipelines/report/vendor/README.md: plotly.js-basic-dist-min 4.1.1 from npm, unchanged
    assert (
        hashlib.sha256(PLOTLY_JS.read_bytes()).hexdigest()
        == "99784e3abfb07b142a15e521a439e6d9addceadb3f79553fd24c72774f0649ba"
    )


def test_page_structure_is_accessible(built):
    _, html = built
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="en-GB">' in html
    levels = [int(n) for n in re.findall(r"<h([1-6])[ >]", html)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), "heading levels skip"
    assert re.search(r'<nav aria-label="[^"]+"><ul><li><a href="#brief">', html)
    for anchor in re.findall(r'<li><a href="#([a-z]+)">', html):
        assert f'id="{anchor}"' in html
    assert ":focus-visible" in html and "@media print" in html


def test_periods_latest_complete_and_partial(built):
    result, html = built
    assert result.as_at == date(2025, 11, 14)
    assert (result.latest_month, result.partial_month) == ("2025-10", "2025-11")
    assert "Headline: October 2025" in html
    assert "November 2025 to date (partial, to 14 Nov)" in card(
        html, "Re-referrals within 12 months"
    )


def test_count_of_three_is_suppressed_and_five_is_shown(built):
    result, html = built
    assert card_value(html, "Child protection plans open") == "5"
    # contacts has no headline card; by team it shows Red Team's 5 in October and [c] for its
    # 4 in the year to date, and never the authority's total of 3. In the year, the other team
    # is hidden too (complementary suppression): the total less its 90 would give the 4. With
    # no team's year figure left to draw, the measure is a table alone.
    teams = html[html.index('id="teams"') : html.index('id="comparisons"')]
    block = teams[teams.index("<h4>Contacts received by team</h4>") :]
    block = block[: block.index("</table>")]
    assert "No chart: fewer than two teams with a figure to show." in block
    assert re.search(r"<th scope=\"row\">Blue Team</th><td>\[c\]</td><td>41</td>", block)
    assert re.search(r"<th scope=\"row\">Red Team</th><td>\[c\]</td><td>5</td>", block)
    assert result.suppressed > 0


def test_percentage_with_small_numerator_or_denominator_is_suppressed(built):
    _, html = built
    assert card_value(html, "Contacts decided within one working day") == "[c]"
    assert card_value(html, "Initial conferences within 15 working days") == "[c]"
    # Neither the figure nor the counts behind it reach the page, hover text included.
    for leaked in ("7.5", "3 of 40", "50.0", "2 of 4"):
        assert leaked not in ours(html)
    # 6 of 8 out-of-hours contacts: both counts are at least 5, so shown with its counts.
    ooh = card(html, "Out-of-hours contacts decided within one working day")
    assert "75.0%" in ooh and "6 of 8" in ooh


def test_zero_and_nothing_to_measure(built):
    _, html = built
    assert card_value(html, "Children waiting for a social worker") == "0"
    assert card_value(html, "Re-referrals within 12 months") == "0.0%"
    assert card_value(html, "Referrals closed with no further action") == "\u2013"


def test_median_is_shown_only_over_enough_cases(built):
    _, html = built
    median = card(html, "Referral to allocation (median)")
    assert card_value(html, "Referral to allocation (median)") == "3.5"
    assert "working days, the median, over at least 9 cases" in median
    assert "23.5" not in ours(html)  # the median of 4 single assessments


def test_absent_metric_is_not_available_never_zero(built):
    result, html = built
    body = card(html, "Early-help records that disagree")
    assert "not available: input not supplied" in body
    assert '<span class="value">' not in body
    assert "early_help_mismatch_children" in result.metrics_missing
    assert "cp_plans_open" in result.metrics_shown


def test_threshold_is_configurable(tmp_path: Path):
    con = duckdb.connect()
    make_warehouse(con)
    html_at_3 = (build_report(con, tmp_path / "r.html", suppress_below=3).path).read_text(
        encoding="utf-8"
    )
    assert card_value(html_at_3, "Contacts decided within one working day") == "7.5%"
    assert (
        card_value(html_at_3, "Initial conferences within 15 working days") == "[c]"
    )  # numerator 2 < 3
    html_at_10 = build_report(con, tmp_path / "r.html", suppress_below=10).path.read_text(
        encoding="utf-8"
    )
    assert card_value(html_at_10, "Child protection plans open") == "[c]"


def test_comparators_beside_local_figures(built):
    _, html = built
    # Published 2024-25 (data/reference): England 22.6%, Kingston's neighbours 19.3%.
    # and London's 19.4% (DfE's C1 regional row): Kingston's own region
    assert "Published 2024-25: England 22.6%, London 19.4%, statistical neighbours 19.3%" in card(
        html, "Re-referrals within 12 months"
    )
    assert "Kingston upon Thames (published)" in html
    assert "<h1>Kingston upon Thames: children" in html
    # The local financial year is partial, so it is drawn as an open marker, not on the line.
    assert "2025-26 (to date)" in html


def year_cells(html: str, caption: str, year: str) -> list[str]:
    """One financial year's cells in the table of the comparison chart with this caption."""
    start = html.index(f'aria-label="{caption}')
    figure = html[start : html.index("</figure>", start)]
    row = re.search(rf'<th scope="row">{re.escape(year)}</th>(.*?)</tr>', figure)
    assert row, f"no {year} in {caption!r}"
    return re.findall(r"<td>([^<]*)</td>", row.group(1))


def test_v5_published_figures_and_how_dfe_counts_them(tmp_path: Path):
    """Kingston as at 14 November 2025; its agency share 9 of 60 at 30 September 2025 and 12 of
    60 at the year's end so far: the census's day is the one set beside DfE's."""
    rows = metric_rows()
    for label, start, end, num, period_type in (
        ("2025-09", date(2025, 9, 1), date(2025, 9, 30), 9.0, "month"),
        ("2025-10", date(2025, 10, 1), date(2025, 10, 31), 12.0, "month"),
        ("2025-26", date(2025, 4, 1), date(2025, 11, 14), 12.0, "financial_year"),
    ):
        rows.append(
            (
                "agency_social_worker_pct",
                period_type,
                label,
                start,
                end,
                "all",
                "ALL",
                num,
                60.0,
                100 * num / 60,
            )
        )
    con = duckdb.connect()
    make_warehouse(con, rows)
    html = build_report(con, tmp_path / "r.html").path.read_text(encoding="utf-8")
    page = unescape(ours(html))
    # S47 to ICPC, 2024-25 (table C4): Kingston 179 / 640, its neighbours' mean, London
    # 10,420 / 36,000 and England 72,100 / 230,590, with England's counts said beneath.
    s47 = "Enquiries leading to an initial conference by financial year"
    assert year_cells(html, s47, "2024-25") == ["\u2013", "28.0%", "33.9%", "28.9%", "31.3%"]
    assert (
        "England 2024-25: 72,100 initial conferences and 230,590 section 47 enquiries, 31.3%."
        in (page)
    )
    assert "its figure is the year's initial child protection conferences over the year's" in page
    # The workforce census at 30 September 2025 sits in 2025-26, beside this report's own 30
    # September (9 of 60 = 15.0%, not the 20.0% of the year so far); Kingston's own figure is
    # published with Richmond's, its neighbours' mean is of 9.
    agency = "Agency social workers by financial year"
    assert year_cells(html, agency, "2025-26") == ["15.0%", "14.6%", "19.1%", "18.2%", "12.7%"]
    turnover = "Permanent social workers leaving by financial year"
    assert year_cells(html, turnover, "2025-26") == ["\u2013", "28.6%", "20.8%", "13.9%", "12.0%"]
    assert page.count("This report at 30 September (local data)") >= 2
    assert "Kingston upon Thames (published, joint)" in page
    assert "Statistical neighbours (mean of up to 9)" in page
    assert "DfE publishes Kingston upon Thames's workforce as one with Richmond upon Thames" in page
    assert "by head count as this report counts people" in page
    # The card: England, region and neighbours at 30 September 2025, and how DfE counts.
    said = unescape(card(html, "Agency social workers"))
    assert (
        "Published at 30 September 2025 (2025-26): England 12.7%, London 18.2%, statistical "
        "neighbours 19.1%" in said
    )
    assert "head count (its headline rate is by FTE)" in said
    said = unescape(card(html, "Permanent social workers leaving"))
    assert "Published at 30 September 2025 (2025-26): England 12.0%, London 13.9%" in said
    said = unescape(card(html, "Enquiries leading to an initial conference"))
    assert (
        "Published 2024-25: England 31.3% (72,100 initial conferences / 230,590 section 47 "
        "enquiries), London 28.9%, statistical neighbours 33.9%" in said
    )
    said = unescape(card(html, "Referrals from the police"))
    assert "No published figure" in said and "Published" not in said
    # No published source share of referrals: said, and no number shown for it.
    police = re.search(r'<p class="note not-published">(.*?)</p>', html)
    assert police and "Referrals from the police</b>: No published figure" in unescape(
        police.group(1)
    )
    assert not re.search(r"\d", unescape(police.group(1)))


def test_the_published_line_of_each_v5_measure():
    from pipelines.marts.metrics import BY_ID
    from pipelines.report.comparisons import (
        REFERENCE_CSV,
        Identity,
        published_line,
        read_comparators,
    )

    published = read_comparators(REFERENCE_CSV, Identity.of("314"))
    s47 = unescape(published_line(BY_ID["s47_to_icpc_pct"], published, date(2025, 3, 31)))
    assert (
        "Published 2024-25: England 31.3% (72,100 initial conferences / 230,590 section 47 "
        "enquiries), London 28.9%, statistical neighbours 33.9%" in s47
    )
    assert "not enquiries followed to a conference" in s47
    # A census figure is set beside a month only from its own day: August 2025 has the one of
    # 30 September 2024 (England 15.7%), September 2025 its own day's (12.7%).
    agency = BY_ID["agency_social_worker_pct"]
    assert "Published at 30 September 2024 (2024-25): England 15.7%," in published_line(
        agency, published, date(2025, 8, 31)
    )
    assert "Published at 30 September 2025 (2025-26): England 12.7%," in published_line(
        agency, published, date(2025, 9, 30)
    )
    police = unescape(published_line(BY_ID["referral_police_pct"], published, date(2025, 9, 30)))
    assert "No published figure" in police and "not their source" in police
    assert not re.search(r"\d", police)


def test_the_sample_report_compares_the_v5_measures_with_england(sample_run, tmp_path: Path):
    """data/sample as at 31 March 2014, naming no council: England only. S47 to ICPC 2013-14:
    157 of 285 enquiries (55.1%) against DfE's 65,190 / 142,710 (45.7%); the workforce census
    begins at 30 September 2017, after the report's years, and the page says so."""
    with duckdb.connect(str(sample_run.warehouse), read_only=True) as con:
        html = build_report(con, tmp_path / "sample.html").path.read_text(encoding="utf-8")
    page = unescape(ours(html))
    s47 = "Enquiries leading to an initial conference by financial year"
    assert year_cells(html, s47, "2013-14") == ["55.1%", "45.7%"]
    assert year_cells(html, s47, "2012-13") == ["50.5%", "47.2%"]  # 197 / 390; 60,080 / 127,190
    assert "England 2013-14: 65,190 initial conferences and 142,710 section 47 enquiries" in page
    # Agency at 30 September 2013: 30 of 74 = 40.5%; no England figure for those years.
    agency = "Agency social workers by financial year"
    assert year_cells(html, agency, "2013-14") == ["40.5%", "\u2013"]
    assert page.count("DfE publishes no England figure for the years of this report.") == 2
    assert "Referrals from the police: No published figure" in re.sub(r"<[^>]+>", "", page)


def test_the_council_run_info_names_is_the_one_compared(tmp_path: Path):
    reference = tmp_path / "comparators.csv"
    reference.write_text(
        "metric_id,financial_year,year_ending,area,la_code,la_name,value,n_areas\n"
        "rereferral_12m_pct,2024-25,2025-03-31,england,,England,22.6,1\n"
        "rereferral_12m_pct,2024-25,2025-03-31,region,E12000007,London,19.4,1\n"
        "rereferral_12m_pct,2024-25,2025-03-31,region,E12000008,South East,28.4,1\n"
        "rereferral_12m_pct,2024-25,2025-03-31,la,202,Camden,17.5,1\n"
        "rereferral_12m_pct,2024-25,2025-03-31,sn_average,202,Camden,21.25,9\n"
        "rereferral_12m_pct,2024-25,2025-03-31,la,314,Kingston upon Thames,15.0,1\n",
        encoding="utf-8",
    )
    con = duckdb.connect()
    make_warehouse(con, la_code="202")
    html = build_report(con, tmp_path / "r.html", reference_csv=reference).path.read_text(
        encoding="utf-8"
    )
    assert "Camden (published)" in html and "Kingston upon Thames" not in html
    assert "South East" not in html  # Camden is in London
    assert "London 19.4%, statistical neighbours 21.2%" in card(
        html, "Re-referrals within 12 months"
    )
    # A code DfE does not list, and no code at all: England only, said so, nobody borrowed.
    for code, said in (
        ("999", "names LA code 999, which is not in DfE"),
        (None, "Council not named"),
    ):
        other = duckdb.connect()
        make_warehouse(other, la_code=code)
        page = build_report(other, tmp_path / "u.html", reference_csv=reference).path.read_text(
            encoding="utf-8"
        )
        assert said in page and "England only" in page
        assert "Camden" not in page and "Kingston" not in page and "London" not in page
        assert "Published 2024-25: England 22.6%</p>" in card(page, "Re-referrals within 12 months")


def test_headline_compares_with_the_published_year_of_its_month(tmp_path: Path):
    """Data from 2013: the card sets March 2013 beside 2012-13's published figures."""
    con = duckdb.connect()
    rows = [
        (
            "rereferral_12m_pct",
            "month",
            "2013-03",
            date(2013, 3, 1),
            date(2013, 3, 31),
            "all",
            "ALL",
            10.0,
            50.0,
            20.0,
        )
    ]
    make_warehouse(con, rows)
    html = build_report(con, tmp_path / "r.html").path.read_text(encoding="utf-8")
    # DfE C1, year ending 31 March 2013: England 24.7%; Kingston's neighbours' mean 20.2%.
    assert "Published 2012-13: England 24.7%, London 17.7%, statistical neighbours 20.2%" in card(
        html, "Re-referrals within 12 months"
    )


def test_privacy_no_child_identifier_reaches_the_page(tmp_path: Path):
    con = duckdb.connect()
    make_warehouse(con)
    for schema in ("staging", "quarantine"):
        con.execute(f"CREATE SCHEMA {schema}")
    con.execute(
        f"CREATE TABLE staging.children AS SELECT '{CHILD}' AS child_id, 'Zyx Quorra' AS forename"
    )
    con.execute(
        "CREATE TABLE quarantine.contacts AS SELECT 'K1' AS contact_id, ? AS child_id, 'contacts.csv' AS _source_file, "
        "7 AS _line, 'child_id' AS _column, 'id_format' AS _rule, ? AS _value, ? AS _reason FROM range(6)",
        [CHILD, CHILD, f"bad id {CHILD}"],
    )
    con.execute(
        "CREATE TABLE marts.data_quality AS SELECT 'quarantine' AS kind, 'id_format' AS rule, "
        "'error' AS severity, 'quarantined' AS action, '/srv/in/contacts.csv' AS file, "
        "'child_id' AS column_name, 10 AS rows_checked, 6 AS rows_failed, "
        "? AS example_value, ? AS child_id, [?] AS unexpected_list, "
        "TIMESTAMP '2025-11-14 02:00' AS run_at",
        [CHILD, CHILD, CHILD],
    )
    con.execute(
        f"CREATE TABLE marts.facts_referrals AS SELECT '{CHILD}' AS child_id, DATE '2025-10-01' AS referral_date"
    )
    out = tmp_path / "report.html"
    build_report(con, out)
    html = out.read_text(encoding="utf-8")
    assert CHILD not in html and "ZX-9931" not in html and "Quorra" not in html
    assert "bad id" not in html  # the quarantine reason may quote the value
    # The aggregates are still there: 6 quarantined rows of contacts.csv (by its own name, not
    # the server's path), under the rule, shown in full (records, not children).
    quality = html[html.index('id="quality"') :]
    assert "id format" in quality and "<td>6</td>" in quality
    assert "<td>contacts.csv</td>" in quality and "/srv/in" not in html


def test_data_quality_absent_is_said_not_hidden(built):
    _, html = built
    assert "marts.data_quality is not in this warehouse" in html


def test_data_quality_over_runs_is_charted_and_counted_in_full(tmp_path: Path):
    con = duckdb.connect()
    make_warehouse(con)
    con.execute(
        "CREATE TABLE marts.data_quality AS SELECT * FROM (VALUES "
        "(TIMESTAMP '2025-11-13 02:00', 'rule', 'date_parses', 'error', 'kept', 'contacts.csv', "
        "'contact_datetime', 100, 12), "
        "(TIMESTAMP '2025-11-14 02:00', 'rule', 'date_parses', 'error', 'kept', 'contacts.csv', "
        "'contact_datetime', 100, 3)) "
        "AS t(run_at, kind, rule, severity, action, file, column_name, rows_checked, rows_failed)"
    )
    plain = duckdb.connect()
    make_warehouse(plain)
    without = build_report(plain, tmp_path / "a.html").figures
    result = build_report(con, tmp_path / "b.html")
    html = result.path.read_text(encoding="utf-8")
    assert result.figures == without + 1
    quality = html[html.index('id="quality"') :]
    quality = quality[: quality.index('id="about"')]
    assert "What was found in the latest run (2025-11-14 02:00)" in quality
    # 3 records failing in the latest run: records, not children, so shown in full
    assert "<td>3</td>" in quality and "[c]" not in quality


def test_empty_warehouse_still_writes_a_page(tmp_path: Path):
    result = build_report(duckdb.connect(), tmp_path / "empty.html")
    html = result.path.read_text(encoding="utf-8")
    assert result.latest_month is None
    # Only the eight published comparisons are drawn, each saying the local figures are absent.
    assert result.figures == 8
    assert (
        len(
            re.findall(
                r'<figure class="chart" aria-label="[^"]*\(local figures not available: input '
                r'not supplied\)"',
                html,
            )
        )
        == 8
    )
    assert html.count("not available: input not supplied</p>") == 43  # every headline card


@pytest.mark.parametrize(
    ("unit", "value", "num", "den", "size", "text"),
    [
        ("count", 4.0, 4.0, None, None, "[c]"),
        ("count", 5.0, 5.0, None, None, "5"),
        ("count", 0.0, 0.0, None, None, "0"),
        ("count", 1234.0, 1234.0, None, None, "1,234"),
        ("pct", 50.0, 5.0, 10.0, None, "50.0%"),
        ("pct", 40.0, 4.0, 10.0, None, "[c]"),
        ("pct", 75.0, 3.0, 4.0, None, "[c]"),
        ("pct", 0.0, 0.0, 20.0, None, "0.0%"),
        ("pct", None, 0.0, 0.0, None, "\u2013"),
        ("rate", 1.3, 5.0, 37000.0, None, "1.3"),
        ("rate", 1.1, 4.0, 37000.0, None, "[c]"),
        ("ratio", 16.0, 64.0, 4.0, None, "[c]"),
        ("wd", 12.5, None, None, 5.0, "12.5"),
        ("wd", 12.5, None, None, 4.0, "[c]"),
        ("wd", 12.5, None, None, None, "[c]"),
        ("wd", None, None, None, 0.0, "\u2013"),
    ],
)
def test_suppression_rule(unit, value, num, den, size, text):
    shown = show(unit, value, num, den, 5, size)
    assert shown.text == text
    assert (shown.value is None) == (text in ("[c]", "\u2013"))


def test_comparator_csv_is_what_the_script_builds():
    committed = ROOT / "data" / "reference" / "published_comparators.csv"
    with open(committed, encoding="utf-8") as f:
        rows = {
            (r["metric_id"], r["financial_year"], r["area"]): r
            for r in csv.DictReader(f)
            if r["la_code"] in ("", "314", "E12000007")
        }
    # Known published figures, 2024-25 (DfE CIN statistics table C1, D5; ONS mid-2024).
    assert rows[("rereferral_12m_pct", "2024-25", "england")]["value"] == "22.6"
    assert rows[("rereferral_12m_pct", "2024-25", "la")]["la_name"] == "Kingston upon Thames"
    assert rows[("cp_plans_rate_per_10k", "2024-25", "la")]["value"] == "30.4"  # 113 / 37,121
    assert rows[("rereferral_12m_pct", "2024-25", "region")]["la_name"] == "London"
    # Table C4 publishes counts for the year: the share is 100 x ICPC / Section47, with the counts.
    s47 = rows[("s47_to_icpc_pct", "2024-25", "england")]
    assert (s47["value"], s47["numerator"], s47["denominator"]) == ("31.3", "72100", "230590")
    assert rows[("s47_to_icpc_pct", "2024-25", "la")]["value"] == "28.0"  # 179 / 640 = 27.97
    assert rows[("s47_to_icpc_pct", "2024-25", "region")]["value"] == "28.9"  # 10,420 / 36,000
    assert rows[("s47_to_icpc_pct", "2023-24", "england")]["value"] == "32.2"  # 72,250 / 224,520
    assert rows[("s47_to_icpc_pct", "2024-25", "sn_average")]["numerator"] == ""  # a mean: none
    # The workforce census at 30 September 2025 (time_period 2025) is in 2025-26, by head count:
    # agency 5,566 / (5,566 + 38,292) = 12.69% (FTE: 13.0%); leavers 4,611 / 38,292 = 12.04%.
    for metric_id, value in (
        ("agency_social_worker_pct", "12.7"),
        ("permanent_sw_turnover_12m_pct", "12.0"),
    ):
        england = rows[(metric_id, "2025-26", "england")]
        assert (england["year_ending"], england["value"]) == ("2025-09-30", value)
    assert rows[("agency_social_worker_pct", "2017-18", "england")]["value"] == "15.7"  # 2017
    assert ("agency_social_worker_pct", "2016-17", "england") not in rows
    # Kingston's workforce is published jointly with Richmond upon Thames ("314 / 318"): its own
    # row is the joint figure, named so, and Richmond, one of its neighbours, is left out of its
    # neighbours' mean: turnover (13.1 + 35 + 21 + 23 + 26.6 + 10.1 + 11.3 + 29.7 + 17.5) / 9 =
    # 20.81, agency (20.7 + 25.4 + 21.7 + 25.6 + 23.4 + 19.1 + 7.2 + 15.9 + 12.8) / 9 = 19.09.
    own = rows[("permanent_sw_turnover_12m_pct", "2025-26", "la")]
    assert (own["la_name"], own["value"]) == ("Kingston upon Thames / Richmond upon Thames", "28.6")
    for metric_id, mean in (
        ("permanent_sw_turnover_12m_pct", "20.8"),
        ("agency_social_worker_pct", "19.1"),
    ):
        sn = rows[(metric_id, "2025-26", "sn_average")]
        assert (sn["value"], sn["n_areas"]) == (mean, "9")
    # No table here gives a referral's source: the police share has no published row at all.
    assert not any(metric_id == "referral_police_pct" for metric_id, _, _ in rows)
    with open(committed, encoding="utf-8") as f:
        bedford = {
            (r["metric_id"], r["financial_year"]): r
            for r in csv.DictReader(f)
            if r["la_code"] == "822" and r["area"] == "sn_average"
        }
    # Bedford's neighbours include North (940) and West (941) Northamptonshire, published as one:
    # counted once, (10.3 + 15.4 + 15.6 + 18.1 + 15.9 + 17.9 + 11.3 + 8.4 + 12.9) / 9 = 13.98.
    sn = bedford[("permanent_sw_turnover_12m_pct", "2025-26")]
    assert (sn["value"], sn["n_areas"]) == ("14.0", "9")
    if not SHARED_DFE.exists():
        pytest.skip(f"{SHARED_DFE} not present: cannot rebuild the CSV to compare")
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "build_comparators", ROOT / "data" / "reference" / "build_comparators.py"
    )
    module = importlib.util.module_from_spec(spec)
    # registered first, as the import system does: its dataclass looks its module up
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    rebuilt = module.build(SHARED_DFE)
    assert len(rebuilt) == len(committed.read_text(encoding="utf-8").splitlines()) - 1
    everyone = {(r["metric_id"], r["financial_year"], r["area"], r["la_code"]): r for r in rebuilt}
    for (metric_id, year, area), r in rows.items():
        if r["la_code"] in ("", "314"):
            key = (metric_id, year, area, r["la_code"])
            assert str(everyone[key]["value"]) == r["value"]
            assert str(everyone[key].get("numerator", "")) == r["numerator"]
            assert str(everyone[key].get("denominator", "")) == r["denominator"]


def test_complementary_suppression_leaves_no_cell_derivable():
    from pipelines.report.suppress import SUPPRESSED, complementary, show

    # A breakdown of four teams adding up to a total of 40 that is shown: Ash 3 is hidden by
    # the small-number rule, so Birch (7, the next smallest) is hidden too; Cedar and Elm stay.
    counts = {"Ash": 3, "Birch": 7, "Cedar": 10, "Elm": 20}
    cells = {team: show("count", n, None, None, 5) for team, n in counts.items()}
    after = complementary(cells, dict(counts))
    assert [after[t].text for t in counts] == [SUPPRESSED, SUPPRESSED, "10", "20"]
    # The total less what is shown leaves 10 to share between two hidden cells: neither is known.
    shown_sum = sum(counts[t] for t in counts if not after[t].suppressed)
    hidden = [t for t in counts if after[t].suppressed]
    assert 40 - shown_sum == 10 and len(hidden) == 2
    # Two cells already hidden: nothing more is needed (or done).
    two = {**cells, "Cedar": show("count", 2, None, None, 5)}
    assert complementary(two, {**counts, "Cedar": 2}) == two
    # A pair (out of hours / in hours): hiding one hides the other.
    pair = {"Y": show("count", 4, None, None, 5), "N": show("count", 96, None, None, 5)}
    assert [c.text for c in complementary(pair, {"Y": 4, "N": 96}).values()] == [SUPPRESSED] * 2
    # A percentage: its cell is hidden by a small denominator; the next smallest denominator
    # goes with it, whatever its rate.
    pcts = {
        "Ash": show("pct", 50.0, 2, 4, 5),
        "Birch": show("pct", 10.0, 1, 10, 5),  # numerator 1: hidden by the rule already
        "Cedar": show("pct", 60.0, 12, 20, 5),
    }
    assert complementary(pcts, {"Ash": 4, "Birch": 10, "Cedar": 20}) == pcts  # two hidden
    pcts["Birch"] = show("pct", 50.0, 5, 10, 5)
    after = complementary(pcts, {"Ash": 4, "Birch": 10, "Cedar": 20})
    assert [after[t].suppressed for t in ("Ash", "Birch", "Cedar")] == [True, True, False]


def _thirteen_months(con: duckdb.DuckDBPyConnection) -> None:
    """Oct 2024 to Oct 2025, every month (as_at 14 Nov 2025: October is the latest complete
    month). Re-referrals: 10 of 50 each month, but 15 of 50 in Sep 2025 and 10 of 40 in Oct
    2025. Plans open: 40 each month, 3 in Sep 2025 ([c]), 52 in Oct 2025. Initial conferences:
    none in Oct 2025 (0 of 0)."""
    rows = []
    for i in range(13):
        year, month = (2024, 10 + i) if i < 3 else (2025, i - 2)
        start = date(year, month, 1)
        end = (date(year + (month == 12), month % 12 + 1, 1)) - (
            date(2000, 1, 2) - date(2000, 1, 1)
        )
        label = f"{year}-{month:02d}"

        def add(metric, num, den, value, label=label, start=start, end=end):
            rows.append((metric, "month", label, start, end, "all", "ALL", num, den, value))

        num, den = {"2025-09": (15.0, 50.0), "2025-10": (10.0, 40.0)}.get(label, (10.0, 50.0))
        add("rereferral_12m_pct", num, den, 100 * num / den)
        plans = {"2025-09": 3.0, "2025-10": 52.0}.get(label, 40.0)
        add("cp_plans_open", plans, None, plans)
        add("icpc_15wd_pct", *((0.0, 0.0, None) if label == "2025-10" else (20.0, 25.0, 80.0)))
    make_warehouse(con, rows)


def test_each_card_says_its_change_and_whether_it_is_better(tmp_path: Path):
    con = duckdb.connect()
    _thirteen_months(con)
    html = build_report(con, tmp_path / "r.html").path.read_text(encoding="utf-8")
    rereferrals = card(html, "Re-referrals within 12 months")
    # 25.0% against 30.0% the month before (lower is better) and 20.0% a year before.
    assert (
        'data-direction="better"' in rereferrals
        and "vs Sep 2025: \u22125.0 points (better)" in rereferrals
    )
    assert "vs Oct 2024: +5.0 points (worse)" in rereferrals
    # Plans open have no better direction: 52 against 40 a year before is a change, neither way;
    # against September's 3 ([c]) no change is shown (it would give the 3 away).
    plans = card(html, "Child protection plans open")
    assert "vs Oct 2024: +12</li>" in plans and 'data-direction="neutral"' in plans
    assert "vs Sep 2025: not shown: one figure is [c]" in plans
    # Nothing to measure says why.
    conferences = card(html, "Initial conferences within 15 working days")
    assert "\u2013: nothing to measure: none in October 2025" in conferences
    # The brief leads with what got worse against a year before.
    brief = html[html.index('id="brief"') : html.index('id="headline"')]
    assert (
        "<b>1 worse</b>" in brief
        and "Worse than a year before:</b> Re-referrals within 12 months." in brief
    )


def test_the_nfa_card_says_recent_referrals_are_mostly_open(built):
    _, html = built
    assert "mostly still open" in card(html, "Referrals closed with no further action")


def test_local_targets_give_red_amber_green(tmp_path: Path):
    con = duckdb.connect()
    _thirteen_months(con)
    targets = tmp_path / "targets.csv"
    for target, amber, status in (("20", "3", "red"), ("20", "6", "amber"), ("30", "", "green")):
        targets.write_text(
            f"metric_id,target,amber_within\nrereferral_12m_pct,{target},{amber}\n",
            encoding="utf-8",
        )
        html = build_report(con, tmp_path / "r.html", targets_csv=targets).path.read_text(
            encoding="utf-8"
        )
        # 25.0% against at most 20: 5 points over; at most 30: met.
        assert f'data-rag="{status}"' in card(html, "Re-referrals within 12 months")
    targets.write_text("metric_id,target\nno_such_metric,1\n", encoding="utf-8")
    from pipelines.report.direction import TargetsError

    with pytest.raises(TargetsError, match="line 2, column metric_id"):
        build_report(con, tmp_path / "r.html", targets_csv=targets)


def test_the_2013_letter_has_its_own_cards_and_private_fostering_is_counted_over_12_months(
    tmp_path: Path,
):
    """Private fostering notifications, Sep 2024 to Oct 2025: 1,0,2,0,1,0,0,1,0,2,0,1,0,1. Only
    7 of the 14 months are suppressed (1 to 4), not most, so a common measure would be drawn
    month by month; a rare event is drawn over 12 months. 12 months to Oct 2025 (Nov 2024 to
    Oct 2025): 2+0+1+0+0+1+0+2+0+1+0+1 = 8; to Sep 2025 (Oct 2024 to Sep 2025): 7."""
    counts = [1, 0, 2, 0, 1, 0, 0, 1, 0, 2, 0, 1, 0, 1]
    rows = []
    for i, n in enumerate(counts):
        year, month = (2024, 9 + i) if i < 4 else (2025, i - 3)
        start = date(year, month, 1)
        end = date(year + (month == 12), month % 12 + 1, 1) - (date(2000, 1, 2) - date(2000, 1, 1))
        label = f"{year}-{month:02d}"
        rows.append(("pf_notifications", "month", label, start, end, "all", "ALL", n, None, n))
        # Views heard at 6 of 8 conferences (PN0 already left out of the 8) each month.
        views = ("cp_conference_views_pct", "month", label, start, end, "all", "ALL")
        rows.append((*views, 6.0, 8.0, 75.0))
    con = duckdb.connect()
    make_warehouse(con, rows)
    html = build_report(con, tmp_path / "r.html").path.read_text(encoding="utf-8")
    headline = html[html.index('<section id="headline"') :]
    headline = headline[: headline.index("</section>")]
    # Grouped as the letter asks: conferences first, with the PN codes in words, then the rest.
    order = [headline.index(f"<h3>{s}</h3>") for s in ("Conferences", "Private fostering")]
    assert order == sorted(order)
    note = headline[order[0] :]
    assert "PN5 does not attend but briefs an advocate" in note[: note.index('class="cards"')]
    assert card_value(html, "Children&#x27;s views heard at conferences") == "75.0%"
    pf = card(html, "Private fostering notifications")
    assert card_value(html, "Private fostering notifications") == "[c]"  # October's 1
    assert "12 months to Oct 2025: 8 (a rare event, counted over 12 months)" in pf
    assert "vs 12 months to Sep 2025: +1" in pf
    # The trend page draws it at the same grain.
    assert 'aria-label="Private fostering notifications by month, rolling 12 months' in html
