"""The report in a real browser, as a manager opens it: offline, on a desktop (1440 px) and a
phone (390 px). Every chart draws as it scrolls into view, nothing scrolls sideways, no control
can send anything off the machine, and each headline trend names the periods of its values.

Uses Debian's Chromium (/usr/bin/chromium) through Playwright; never downloads a browser.
Screenshots of both widths are written to tests/_artifacts/; FRONTDOOR_UPDATE_SCREENSHOT=1 also
copies them to docs/ (the pictures in the README).
"""

from __future__ import annotations

import csv
import os
import re
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from pipelines.report import build_report
from pipelines.report.catalogue import BY_ID, HEADLINES
from pipelines.report.figures import add_months
from pipelines.report.suppress import fmt
from tests.conftest import build_warehouse

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTHS = {"desktop": (1440, 1000), "phone": (390, 844)}

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium is not installed at /usr/bin/chromium (apt-get install -y chromium)",
)


@pytest.fixture(scope="module")
def report(sample_run, tmp_path_factory: pytest.TempPathFactory):
    """The report of the README's run: data/sample through the whole pipeline, built again from
    the published warehouse by the same build_report the pipeline calls, to have its
    ReportResult at hand."""
    with duckdb.connect(str(sample_run.warehouse), read_only=True) as con:
        return build_report(con, tmp_path_factory.mktemp("report") / "report.html")


@pytest.fixture(scope="module")
def metric_values(sample_run) -> dict[tuple[str, str, str, str], tuple]:
    """(metric, month, breakdown, value) -> (numerator, denominator, value), months only."""
    with duckdb.connect(str(sample_run.warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT metric_id, period_label, breakdown, breakdown_value, numerator, "
            "denominator, value FROM marts.metric_values WHERE period_type = 'month'"
        ).fetchall()
    return {tuple(r[:4]): tuple(r[4:]) for r in rows}


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def open_page(browser, path: Path, problems: list[str], width: int = 1280, height: int = 1000):
    page = browser.new_page(viewport={"width": width, "height": height}, accept_downloads=True)
    page.on(
        "console",
        lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

    # Offline: any request other than the file itself (and the data: URL of a download)
    # fails the test.
    def only_the_file(route):
        if route.request.url.startswith(("file://", "data:", "blob:")):
            route.continue_()
        else:
            problems.append(f"network request: {route.request.url}")
            route.abort()

    page.route("**/*", only_the_file)
    page.goto(path.as_uri(), wait_until="load")
    return page


@pytest.fixture(scope="module", params=list(WIDTHS))
def scrolled(request, browser, report):
    """The report at one width, scrolled from top to bottom (as a reader would) so that every
    chart has come into view and been drawn; then the screenshots."""
    width, height = WIDTHS[request.param]
    problems: list[str] = []
    page = open_page(browser, report.path, problems, width, height)
    shot(page, f"report-{request.param}.png")
    total = page.evaluate("document.documentElement.scrollHeight")
    for y in range(0, total + height, height):
        page.evaluate(f"window.scrollTo(0, {y})")
        page.wait_for_timeout(60)
    page.wait_for_function(
        "document.querySelectorAll('.js-plotly-plot').length === "
        "document.querySelectorAll('div.plot').length",
        timeout=60_000,
    )
    page.evaluate("document.getElementById('trends').scrollIntoView()")
    page.wait_for_timeout(500)
    shot(page, f"report-{request.param}-trends.png")
    # The 2013 letter's questions: their headline cards, then their trends.
    for where, name in (("headline", "2013"), ("trends", "2013-trends")):
        page.evaluate(
            "(id) => [...document.querySelectorAll(`#${id} h3`)]"
            ".find(h => h.textContent === 'Conferences').scrollIntoView()",
            where,
        )
        page.wait_for_timeout(500)
        shot(page, f"report-{request.param}-{name}.png")
    yield request.param, page, problems
    page.close()


def shot(page, name: str) -> None:
    """A screenshot in tests/_artifacts/, and in docs/ with FRONTDOOR_UPDATE_SCREENSHOT=1."""
    out = ROOT / "tests" / "_artifacts" / name
    out.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out))
    if os.environ.get("FRONTDOOR_UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(out, ROOT / "docs" / name)


def test_every_chart_draws_as_it_comes_into_view(scrolled, report):
    _, page, problems = scrolled
    assert report.figures > 40  # trends, teams, comparisons, data quality
    assert page.locator("div.plot").count() == report.figures
    drawn = page.evaluate(
        """() => [...document.querySelectorAll('div.plot')].map(div =>
              div.querySelectorAll('svg.main-svg').length > 0 &&
              div.querySelectorAll('g.trace, g.scatterlayer path, g.barlayer path').length > 0)"""
    )
    assert all(drawn), f"{drawn.count(False)} figures did not draw"
    assert problems == []
    # and no title is cut off at the top of its chart (a title of two lines was, once)
    clipped = page.evaluate(
        """() => [...document.querySelectorAll('div.plot')].filter(div => {
              const title = div.querySelector('.gtitle');
              return title && title.getBoundingClientRect().top < div.getBoundingClientRect().top;
           }).map(div => div.querySelector('.gtitle').textContent)"""
    )
    assert clipped == []


def test_nothing_scrolls_sideways(scrolled):
    width, page, _ = scrolled
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width][0]
    # and no element reaches past the right edge (a table is scrolled inside its own box)
    # (chart titles and legends included: Plotly clips what passes its box, so a title too long
    # for a phone would be cut off)
    wide = page.evaluate(
        """(w) => [...document.querySelectorAll('main *')].filter(e => {
              const r = e.getBoundingClientRect();
              return r.width > 0 && r.right > w + 1 && !e.closest('.table-wrap');
           }).map(e => e.tagName + ' ' + (e.textContent || '').slice(0, 40)).slice(0, 5)""",
        WIDTHS[width][0],
    )
    assert wide == []


def test_no_control_can_reach_the_network(scrolled, tmp_path: Path):
    _, page, problems = scrolled
    # No mode bar (its share and Chart Studio buttons post to Plotly's cloud), no link out.
    assert page.locator(".modebar, .modebar-btn, a.modebar-btn").count() == 0
    hrefs = page.evaluate(
        "[...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))"
    )
    assert hrefs and all(h.startswith("#") for h in hrefs)
    assert page.locator("form, iframe, [formaction], [ping]").count() == 0
    # The only action a chart offers: its PNG, made in the page and saved from a data: URL.
    button = page.locator("button.download").first
    with page.expect_download() as download:
        button.click()
    saved = tmp_path / "chart.png"
    download.value.save_as(saved)
    assert saved.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and saved.stat().st_size > 5_000
    assert problems == []  # no request left the file


def test_a_downloaded_chart_carries_its_title_council_date_and_source(scrolled):
    _, page, _ = scrolled
    footer = page.evaluate("document.body.getAttribute('data-chart-footer')")
    # The sample's CSV extracts do not say which council they are, and its run set no --la-code:
    # no council is named (none borrowed).
    assert footer.startswith("Council not named · data as at 31 March 2014 · source: frontdoor")
    assert "[c]: a figure from 1 to 4, suppressed" in footer


def test_each_headline_trend_names_the_periods_of_its_values(scrolled, metric_values):
    _, page, _ = scrolled
    labels = page.evaluate(
        """() => [...document.querySelectorAll('article.card')].map(a => [
              a.getAttribute('aria-labelledby'),
              (a.querySelector('svg.spark') || {getAttribute: () => null}).getAttribute('aria-label')])"""
    )
    checked = 0
    for card_id, label in labels:
        card = HEADLINES[int(card_id.removeprefix("card-"))]
        metric = BY_ID[card.metric_id]
        if label is None or label.startswith("Too few"):
            continue
        found = re.fullmatch(
            r"Trend over \d+ months( \(rolling 12 months\))?: (.+?) in (.+?), (.+?) in (.+?)"
            r"(; .+: (suppressed \(\[c\]\)|nothing to measure))?",
            label,
        )
        assert found, label
        rolling = bool(found.group(1))
        for text, period in ((found.group(2), found.group(3)), (found.group(4), found.group(5))):
            key = (card.metric_id, card.breakdown, card.breakdown_value)
            assert text == expected(metric, key, period, rolling, metric_values), (label, period)
            checked += 1
    assert checked >= 2 * 20  # most cards have a trend


def expected(metric, key, period: str, rolling: bool, metric_values) -> str:
    """The figure metric_values gives for the period a trend label names."""
    from datetime import datetime

    end = datetime.strptime(period.removeprefix("12 months to "), "%b %Y").date()
    months = [add_months(end, -k) for k in range(12 if rolling else 1)]
    rows = [metric_values[(key[0], m.strftime("%Y-%m"), key[1], key[2])] for m in months]
    if not rolling:
        return fmt(rows[0][2], metric.unit)
    numerator = sum(r[0] for r in rows)
    if metric.unit == "pct":
        return fmt(100 * numerator / sum(r[1] for r in rows), "pct")
    return fmt(numerator / 12, "ratio") if metric.snapshot else fmt(numerator, "count")


def test_suppressed_points_are_gaps_marked_never_zeros(scrolled):
    _, page, _ = scrolled
    traces = page.evaluate(
        """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(div =>
              div.data.filter(t => t.type === 'scatter').map(t =>
                  ({yaxis: t.yaxis || 'y', y: t.y || [], hover: t.customdata || []})))"""
    )
    hidden_on_axis = [
        t
        for t in traces
        if t["yaxis"] == "y"
        and any("[c]" in str(h) and y is not None for h, y in zip(t["hover"], t["y"], strict=True))
    ]
    assert hidden_on_axis == []
    marks = [t for t in traces if t["yaxis"] == "y2"]
    assert marks and all(all(y == 1 for y in t["y"]) for t in marks)  # ticks at the top


def test_keyboard_reaches_every_table_without_toolbars(browser, report, tmp_path: Path):
    problems: list[str] = []
    page = open_page(browser, report.path, problems)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "(() => { const a = document.activeElement; const s = getComputedStyle(a);"
        " return [a.getAttribute('href'), s.outlineStyle, s.outlineWidth]; })()"
    )
    assert focused == ["#brief", "solid", "3px"]
    # Per chart: its download button and its table, two tab stops; nothing else in a figure.
    stops = page.evaluate(
        """() => [...document.querySelectorAll('figure.chart')].map(f =>
              [...f.querySelectorAll('a[href], button, summary, [tabindex]')]
                .filter(e => e.tabIndex >= 0).map(e => e.tagName))"""
    )
    assert stops and all(s == ["BUTTON", "SUMMARY"] for s in stops)
    page.locator('nav a[href="#quality"]').focus()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#quality"
    assert problems == []
    page.close()


def test_the_page_starts_at_the_history_not_before(report):
    html = report.path.read_text(encoding="utf-8")
    assert report.as_at == date(2014, 3, 31)
    # The sample's carried-in cases go back to 2006; its history, and the report, to April 2008.
    assert "Apr 2008" in html and "Mar 2008" not in html and "2007-08" not in html


# -- a named council: identity, direction of travel, tables that never break a number ----------

with open(ROOT / "data" / "reference" / "local_authorities.csv", encoding="utf-8") as _f:
    LA_NAMES = [row["la_name"] for row in csv.DictReader(_f)]
OTHERS = re.compile(
    r"\b(" + "|".join(re.escape(n) for n in LA_NAMES if n != "Bracknell Forest") + r")\b"
)

# Every word or number of every table cell that the browser lays over more than one line.
BROKEN_TOKENS = """() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const broken = [];
  for (const cell of document.querySelectorAll('td, th')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.textContent.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)
                                .map(r => Math.round(r.top)));
        if (tops.size > 1) { broken.push(m[0]); }
      }
    }
  }
  return broken;
}"""


@pytest.fixture(scope="module")
def named_report(small_council, tmp_path_factory: pytest.TempPathFactory):
    """A generated council built as Bracknell Forest (LA 867, as --la-code sets it; the region's
    councils take theirs through `frontdoor run --la-code`: tests/test_region.py): a council
    other than the sample's size-alike, Kingston, with its own region (South East) and
    neighbours."""
    out = tmp_path_factory.mktemp("bracknell")
    with build_warehouse(small_council, out / "warehouse.duckdb", la_code="867") as con:
        assert con.execute("SELECT la_code, la_name FROM marts.run_info").fetchall() == [
            ("867", "Bracknell Forest")
        ]
        return build_report(con, tmp_path_factory.mktemp("named") / "report.html")


@pytest.fixture(scope="module", params=list(WIDTHS))
def named(request, browser, named_report):
    width, height = WIDTHS[request.param]
    problems: list[str] = []
    page = open_page(browser, named_report.path, problems, width, height)
    yield request.param, page, problems
    page.close()


def test_no_table_cell_breaks_a_number_or_a_word(named):
    width, page, _ = named
    assert page.evaluate(BROKEN_TOKENS) == []
    # The check can fail: with the old rule (break anywhere) the phone splits numbers and words.
    if width == "phone":
        page.add_style_tag(content="td, th { overflow-wrap: anywhere; word-break: break-all; }")
        assert page.evaluate(BROKEN_TOKENS) != []
        page.reload(wait_until="load")


def test_every_headline_card_says_its_change_and_direction(named):
    width, page, _ = named
    cards = page.evaluate(
        """() => [...document.querySelectorAll('article.card')]
              .filter(a => !a.querySelector('.figure.missing'))
              .map(a => [a.querySelector('h4').textContent,
                         [...a.querySelectorAll('ul.changes li')].map(li => [
                             li.getAttribute('data-against'), li.getAttribute('data-direction'),
                             li.textContent.trim(), li.getBoundingClientRect().height > 0])])"""
    )
    assert len(cards) >= 15
    for label, changes in cards:
        assert [c[0] for c in changes] == ["previous month", "same month last year"], label
        for _, direction, said, visible in changes:
            assert direction in ("better", "worse", "same", "neutral", "none"), label
            assert visible and said.startswith(("▲", "▼", "=", "•", "vs ")), (label, said)
            if direction in ("better", "worse"):
                assert said.endswith(f"({direction})"), (label, said)
    # and at least one card is judged either way: the directions are read from the catalogue
    assert any(d in ("better", "worse") for _, ch in cards for _, d, _, _ in ch)
    if width == "desktop":
        shot(page, "report-named-desktop.png")
        page.evaluate("document.getElementById('comparisons').scrollIntoView()")
        page.wait_for_timeout(1500)
        shot(page, "report-named-comparisons.png")


def test_the_page_and_its_pngs_name_the_council_run_and_no_other(named, tmp_path: Path):
    _, page, problems = named
    assert page.locator("h1").inner_text().startswith("Bracknell Forest")
    text = page.evaluate("document.body.innerText")
    assert "Bracknell Forest" in text and "South East" in text  # its own region
    assert OTHERS.findall(text) == []
    # A downloaded chart: the layout it is drawn with carries the council, and no other.
    page.evaluate(
        """() => { const draw = Plotly.toImage; window.pngTexts = [];
              Plotly.toImage = (fig, opts) => {
                window.pngTexts.push(JSON.stringify(fig.layout));
                return draw(fig, opts); }; }"""
    )
    for i in (0, 3):
        button = page.locator("button.download").nth(i)
        button.scroll_into_view_if_needed()
        with page.expect_download() as download:
            button.click()
        saved = tmp_path / f"chart-{i}.png"
        download.value.save_as(saved)
        assert saved.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    layouts = page.evaluate("window.pngTexts")
    assert len(layouts) == 2
    for layout in layouts:
        assert "Bracknell Forest · data as at" in layout
        assert OTHERS.findall(layout) == []
    assert problems == []


def test_the_directors_brief_prints_on_its_own_first_sheet(browser, named_report, tmp_path):
    problems: list[str] = []
    page = open_page(browser, named_report.path, problems, 1440, 1000)
    page.emulate_media(media="print")
    brief = page.evaluate(
        """() => { const s = document.getElementById('brief');
                   return [getComputedStyle(s).breakAfter, s.querySelector('h2').textContent,
                           s.getBoundingClientRect().height]; }"""
    )
    assert brief[0] == "page" and brief[1].startswith("Director's brief")
    page.emulate_media(media="screen")
    page.evaluate("document.getElementById('brief').scrollIntoView()")
    shot(page, "report-brief.png")
    page.close()


def test_the_2013_letter_s_questions_are_read_under_its_own_headings(scrolled):
    """The sample (regenerated with the 2013 story) gives every v5 metric: 16 cards under the
    letter's six headings, each with a figure or a [c] (never "not available"), and the
    participation codes in words on screen."""
    _, page, _ = scrolled
    cards = page.evaluate(
        """() => {
          const out = {};
          let heading = null;
          for (const el of document.querySelectorAll('#headline h3, #headline article.card')) {
            if (el.tagName === 'H3') { heading = el.textContent; out[heading] = []; continue; }
            out[heading].push(el.querySelector('.figure').textContent.trim());
          }
          return out;
        }"""
    )
    letter = [
        "Conferences",
        "Working with the police",
        "Children missing",
        "Private fostering",
        "Early help",
        "Plans",
    ]
    assert list(cards)[-6:] == letter
    assert [len(cards[h]) for h in letter] == [2, 4, 3, 2, 2, 3]
    figures = [f for h in letter for f in cards[h]]
    assert not any("not available" in f for f in figures), figures
    note = page.locator("#headline p.note", has_text="PN0 the child is under 4")
    assert note.count() == 1 and note.is_visible()
