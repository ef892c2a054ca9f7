"""No suppressed count can be worked out by combining what the reports show (issue 19, item 4).

The attack is written here, apart from the defence (pipelines/report/disclosure.py): it takes
every figure a council's report hands to its page, as shown (a count's text, a percentage's
"n of d", a suppressed figure's "[c]"), every relation a reader may use between them (a
financial year and its months, a total and its teams, all contacts and the out-of-hours and
in-hours ones; each for counts and for the n and the d of a percentage), and works out by
interval arithmetic what each suppressed count can be. For the region, it reads the regional
report's tables and totals beside what each council's own report shows.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import duckdb
import pytest

from pipelines.report import build as build_module
from pipelines.report.catalogue import BY_ID, HEADLINES
from pipelines.report.data import Metrics
from pipelines.report.figures import Report
from pipelines.report.suppress import SUPPRESSED, Shown
from tests.conftest import RegionRun

pytestmark = pytest.mark.slow  # a region through the daemon (tests/conftest.py's region_run)

THRESHOLD = 5
Count = tuple[tuple[str, str, str, str, str], str]


def _number(text: str) -> float:
    return float(text.replace(",", "").rstrip("%"))


def counts_shown(metric_id: str, shown: Shown) -> dict[str, float]:
    """The counts a reader reads off a figure: a count's text, a percentage's "n of d", a
    rate's "n children", a ratio's "n children, d workers"."""
    unit = BY_ID[metric_id].unit
    if unit == "count":
        return {"n": _number(shown.text)} if re.fullmatch(r"[\d,]+", shown.text) else {}
    if m := re.fullmatch(r"([\d,]+) of ([\d,]+)", shown.detail):
        return {"n": _number(m[1]), "d": _number(m[2])}
    if m := re.fullmatch(r"([\d,]+) children, ([\d,]+) workers", shown.detail):
        return {"n": _number(m[1]), "d": _number(m[2])}
    if m := re.fullmatch(r"([\d,]+) children", shown.detail):
        return {"n": _number(m[1])}
    return {}


def true_counts(row) -> dict[str, float | None]:
    if BY_ID[row.metric_id].unit == "count":
        return {"n": row.value}
    return {"n": row.numerator, "d": row.denominator}


def attack_relations(metrics: Metrics) -> list[tuple[Count, list[Count]]]:
    """total = sum of parts, wherever that holds in the data: breakdowns and months."""
    rows = [r for r in metrics.rows if BY_ID.get(r.metric_id) and BY_ID[r.metric_id].unit != "wd"]
    key = lambda r: (r.metric_id, r.period_type, r.period_label, r.breakdown, r.breakdown_value)  # noqa: E731
    # Each figure's rows by breakdown, looked up by the figure for each total.
    breakdowns: dict[tuple, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        breakdowns[(r.metric_id, r.period_type, r.period_label)][r.breakdown].append(r)
    months = defaultdict(list)
    for r in rows:
        if r.period_type == "month":
            months[(r.metric_id, r.breakdown, r.breakdown_value)].append(r)
    candidates = []
    for r in rows:
        if r.breakdown == "all":
            for b, parts in breakdowns[(r.metric_id, r.period_type, r.period_label)].items():
                if b != "all":
                    candidates.append((r, parts))
        if r.period_type == "financial_year":
            inside = [
                m
                for m in months[(r.metric_id, r.breakdown, r.breakdown_value)]
                if r.period_start <= m.period_start and m.period_end <= r.period_end
            ]
            if inside:
                candidates.append((r, inside))
    out = []
    for total, parts in candidates:
        for name, value in true_counts(total).items():
            values = [true_counts(p)[name] for p in parts]
            if value is not None and None not in values and math.isclose(sum(values), value):
                out.append(((key(total), name), [(key(p), name) for p in parts]))
    return out


def recovered(report: Report) -> dict[Count, float]:
    """Every suppressed count from 1 to 4 the attack works out to a single value."""
    metrics = report.metrics
    truth = {
        ((r.metric_id, r.period_type, r.period_label, r.breakdown, r.breakdown_value), n): v
        for r in metrics.rows
        if BY_ID.get(r.metric_id)
        for n, v in true_counts(r).items()
    }
    bounds: dict[Count, tuple[float, float]] = {}
    for figure, shown in report.displayed.items():
        if BY_ID[figure[0]].unit == "wd":
            continue
        if shown.text == SUPPRESSED:
            for name in ("n", "d") if BY_ID[figure[0]].unit != "count" else ("n",):
                low = 0.0 if (name == "n" and BY_ID[figure[0]].unit != "count") else 1.0
                bounds[(figure, name)] = (low, math.inf)
        else:
            for name, value in counts_shown(figure[0], shown).items():
                bounds[(figure, name)] = (value, value)
    relations = attack_relations(metrics)
    for total, parts in relations:  # what the page does not show is unknown, not absent
        for count in (total, *parts):
            bounds.setdefault(count, (0.0, math.inf))
    for _ in range(100):
        changed = False
        for total, parts in relations:
            lows, highs = [bounds[p][0] for p in parts], [bounds[p][1] for p in parts]
            lo, hi = max(bounds[total][0], sum(lows)), min(bounds[total][1], sum(highs))
            if (lo, hi) != bounds[total]:
                bounds[total], changed = (lo, hi), True
            for i, p in enumerate(parts):
                new = (
                    max(bounds[p][0], lo - (sum(highs) - highs[i])),
                    min(bounds[p][1], hi - (sum(lows) - lows[i])),
                )
                if new != bounds[p]:
                    bounds[p], changed = new, True
        if not changed:
            break
    hidden = {
        (f, n) for f, s in report.displayed.items() if s.text == SUPPRESSED for n in ("n", "d")
    }
    return {
        c: truth[c]
        for c, (lo, hi) in bounds.items()
        if c in hidden
        and hi < math.inf
        and math.ceil(lo - 1e-9) == math.floor(hi + 1e-9)
        and truth.get(c) is not None
        and 1 <= truth[c] < THRESHOLD
    }


def _report_of(warehouse: Path, tmp_path: Path, monkeypatch, plan: bool = True) -> Report:
    """The council's report, built as `frontdoor run` builds it, and its page's figures."""
    made: list[Report] = []

    @dataclass
    class Capturing(Report):
        def __post_init__(self) -> None:
            made.append(self)
            if not plan:  # the defence before issue 19: each breakdown on its own
                self._plan = set()

    monkeypatch.setattr(build_module, "Report", Capturing)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        build_module.build_report(con, tmp_path / "report.html")
    return made[0]


def test_the_attack_finds_what_per_view_suppression_gave_away(sample_run, tmp_path, monkeypatch):
    """The attack works: against the old defence it recovers counts from 1 to 4 (issue 19:
    a month of CP plans ended as the year less the other months, among others)."""
    report = _report_of(sample_run.warehouse, tmp_path, monkeypatch, plan=False)
    found = recovered(report)
    assert len(found) >= 1
    assert all(1 <= v <= 4 for v in found.values())


def test_no_suppressed_count_in_the_sample_report_can_be_worked_out(
    sample_run, tmp_path, monkeypatch
):
    report = _report_of(sample_run.warehouse, tmp_path, monkeypatch)
    assert len(report.displayed) > 1000  # months, years, teams, out of hours, headline
    assert sum(s.text == SUPPRESSED for s in report.displayed.values()) > 50
    assert recovered(report) == {}


def _region_sections(html: str) -> dict[str, tuple[str | None, dict[str, str]]]:
    """Each headline's regional figure (its text, or None) and each council's cell, by folder.

    The regional figure may be followed by England's published one ("Region 2013-14: [c].
    England 2013-14 (published): 14.1%."). A row names the council's folder and, where its
    warehouse has it, the council's own name ("council-01 (Bracknell Forest)"), then its figure
    and its rank."""
    out = {}
    row = r"<tr><th scope='row'>([^<(]+?)(?: \([^<]*\))?</th><td>([^<]+)</td><td>[^<]*</td></tr>"
    for label, body in re.findall(r'<h3 id="m\d+">([^<]+)</h3>(.*?)</section>', html, re.S):
        total = re.search(r"Region [\d-]+: ([^<]+?)\.(?= England |</p>)", body)
        cells = dict(re.findall(row, body))
        out[unescape(label)] = (unescape(total[1]) if total else None, cells)
    return out


def test_no_council_count_can_be_worked_out_from_the_region_and_its_own_report(
    region_run: RegionRun, tmp_path, monkeypatch
):
    assert region_run.returncode == 0, region_run.console[-3000:]
    html = (region_run.output / "region" / "report.html").read_text(encoding="utf-8")
    sections = _region_sections(html)
    assert len(sections) >= 5
    own: dict[str, Report] = {}
    for council in ("council-01", "council-02", "council-03"):
        (tmp_path / council).mkdir()
        own[council] = _report_of(
            region_run.output / council / "warehouse.duckdb", tmp_path / council, monkeypatch
        )
        # Each council's own report resists the attack too.
        assert recovered(own[council]) == {}
    years = {
        unescape(label): re.search(r"Region ([\d-]+):", body)
        for label, body in re.findall(r'<h3 id="m\d+">([^<]+)</h3>(.*?)</section>', html, re.S)
    }
    shown_totals = 0
    for card in HEADLINES:
        if card.label not in sections or years[card.label] is None:
            continue
        total, cells = sections[card.label]
        year = years[card.label][1]
        views = {
            c: (
                cells.get(c),
                own[c].shown(
                    BY_ID[card.metric_id], "financial_year", year, card.breakdown,
                    card.breakdown_value,
                ),
            )
            for c in own
        }  # fmt: skip
        hidden_anywhere = [
            c for c, (region_cell, mine) in views.items()
            if region_cell == SUPPRESSED or (mine is not None and mine.suppressed)
        ]  # fmt: skip
        # The region never shows a council's figure its own report hides.
        for c, (region_cell, mine) in views.items():
            if mine is not None and mine.suppressed:
                assert region_cell == SUPPRESSED, (card.label, c)
        # A regional total (or pooled percentage) beside a hidden council would give it away
        # as the total less the others, every one of which its own report shows.
        if total != SUPPRESSED:
            assert hidden_anywhere == [], (card.label, total, views)
            shown_totals += 1
    assert shown_totals >= 1
