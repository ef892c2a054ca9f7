"""The report in a real browser: every chart draws, offline, with no console errors.

Uses Debian's Chromium (/usr/bin/chromium) through Playwright; never downloads a browser.
FRONTDOOR_UPDATE_SCREENSHOT=1 also writes docs/report.png (the picture in the README).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.report import build_report

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

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium is not installed at /usr/bin/chromium (apt-get install -y chromium)",
)


@pytest.fixture(scope="module")
def report(sample_run, tmp_path_factory: pytest.TempPathFactory):
    """The report of the README's run: data/sample through the whole pipeline.

    Built again from the published warehouse by the same build_report the pipeline's report
    asset calls, to have its ReportResult (how many figures it drew) at hand.
    """
    with duckdb.connect(str(sample_run.warehouse), read_only=True) as con:
        return build_report(con, tmp_path_factory.mktemp("report") / "report.html")


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def loaded(browser, report):
    """The full report loaded once (about 8 s on two cores): several tests read it."""
    problems: list[str] = []
    page = open_page(browser, report.path, problems)
    yield page, problems
    page.close()


def open_page(browser, path: Path, problems: list[str]):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.on(
        "console",
        lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

    # Offline: any request other than the file itself fails the test.
    def only_the_file(route):
        if route.request.url.startswith(("file://", "data:")):
            route.continue_()
        else:
            problems.append(f"network request: {route.request.url}")
            route.abort()

    page.route("**/*", only_the_file)
    page.goto(path.as_uri(), wait_until="load")
    return page


def test_every_chart_renders_offline_without_errors(loaded, report):
    page, problems = loaded
    plots = page.locator(".js-plotly-plot")
    assert report.figures > 40  # trends, teams, comparisons, data quality
    assert plots.count() == report.figures
    # Every figure drew its SVG: axes and at least one trace.
    drawn = page.evaluate(
        """() => [...document.querySelectorAll('.js-plotly-plot')].map(div =>
              div.querySelectorAll('svg.main-svg').length > 0 &&
              div.querySelectorAll('g.trace, g.scatterlayer path, g.barlayer path').length > 0)"""
    )
    assert all(drawn), f"{drawn.count(False)} figures did not draw"
    assert problems == []

    out = ROOT / "tests" / "_artifacts" / "report.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out))  # the headline, as a manager first sees it
    if os.environ.get("FRONTDOOR_UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(out, ROOT / "docs" / "report.png")


def test_keyboard_reaches_navigation_with_visible_focus(browser, tmp_path: Path):
    # A page of its own (an empty warehouse: quick to load) so focus starts at the top.
    small = build_report(duckdb.connect(), tmp_path / "small.html")
    problems: list[str] = []
    page = open_page(browser, small.path, problems)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "(() => { const a = document.activeElement; const s = getComputedStyle(a);"
        " return [a.getAttribute('href'), s.outlineStyle, s.outlineWidth]; })()"
    )
    assert focused == ["#headline", "solid", "3px"]
    # Following a section link moves to it.
    page.locator('nav a[href="#quality"]').focus()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#quality"
    assert problems == []
    page.close()


def test_suppressed_points_are_not_plotted(loaded):
    """Hover text and data of every trace: no figure shown as [c] has a y value."""
    page, _ = loaded
    leaks = page.evaluate(
        """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(div =>
              div.data.flatMap(t => (t.customdata || []).map((c, i) =>
                  String(c).includes('[c]') && t.type === 'scatter' && t.y[i] !== null ? c : null)
              ).filter(Boolean))"""
    )
    assert leaks == []
    hidden = page.evaluate(
        """() => [...document.querySelectorAll('.js-plotly-plot')].reduce((n, div) => n +
              div.data.reduce((m, t) => m + (t.customdata || []).filter(c => String(c).includes('[c]')).length, 0), 0)"""
    )
    assert hidden > 0  # the sample has small team figures, so the check above saw some
