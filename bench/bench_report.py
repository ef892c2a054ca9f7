"""Measure the report as a manager's browser meets it: size, time to the first chart, load.

    .venv/bin/python bench/bench_report.py [REPORT.html ...] [--repeat 3] [--width 1440]

Default: the report of the README's run (out/report.html). For each file, in headless Chromium
(Debian's /usr/bin/chromium through Playwright, offline: any request other than the file fails
the measurement), it prints the file's size, the time from navigation to the first chart drawn
(an SVG inside a plot) when the page is opened at its Monthly trends (report.html#trends: the
headline's trend lines are inline SVG, drawn with the page), to first contentful paint,
DOMContentLoaded and load, how many charts are drawn by then (the others are drawn as they
scroll into view), and the page's tab stops. The median of --repeat loads is reported. Timing lives here, never in a
test: these machines are shared and noisy, so compare runs made minutes apart on one machine.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# Polls from the first script the page runs: when the first plot's SVG appears.
FIRST_CHART = """
window.__firstChart = null;
const seen = () => {
  if (window.__firstChart === null && document.querySelector('.js-plotly-plot svg.main-svg')) {
    window.__firstChart = performance.now();
  } else if (window.__firstChart === null) {
    requestAnimationFrame(seen);
  }
};
requestAnimationFrame(seen);
"""

TAB_STOPS = """
() => [...document.querySelectorAll('a[href], button, summary, input, select, textarea, [tabindex]')]
  .filter(e => e.tabIndex >= 0 && !e.disabled && e.offsetParent !== null).length
"""


def measure(browser, path: Path, width: int) -> dict[str, float]:
    page = browser.new_page(viewport={"width": width, "height": 900})
    requests: list[str] = []

    def offline(route) -> None:
        if route.request.url.startswith(("file://", "data:", "blob:")):
            route.continue_()
        else:
            requests.append(route.request.url)
            route.abort()

    page.route("**/*", offline)
    page.add_init_script(FIRST_CHART)
    page.goto(path.as_uri() + "#trends", wait_until="load")
    page.wait_for_function("window.__firstChart !== null", timeout=60_000)
    timing = page.evaluate(
        """() => { const n = performance.getEntriesByType('navigation')[0];
                   const p = performance.getEntriesByName('first-contentful-paint')[0];
                   return {dom: n.domContentLoadedEventEnd, load: n.loadEventEnd,
                           paint: p ? p.startTime : null}; }"""
    )
    result = {
        "first_chart_ms": page.evaluate("window.__firstChart"),
        "paint_ms": timing["paint"] or 0,
        "dom_ms": timing["dom"],
        "load_ms": timing["load"],
        "charts_drawn_at_load": page.evaluate(
            "document.querySelectorAll('.js-plotly-plot svg.main-svg').length > 0 ? "
            "new Set([...document.querySelectorAll('.js-plotly-plot')].filter("
            "d => d.querySelector('svg.main-svg'))).size : 0"
        ),
        "tab_stops": page.evaluate(TAB_STOPS),
    }
    page.close()
    if requests:
        raise SystemExit(f"{path}: the page made network requests: {requests[:3]}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", nargs="*", type=Path, default=[ROOT / "out" / "report.html"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--width", type=int, default=1440)
    args = parser.parse_args()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for path in args.reports:
            runs = [measure(browser, path.resolve(), args.width) for _ in range(args.repeat)]
            median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            size = path.stat().st_size
            print(
                f"{path}: {size / 1e6:.2f} MB; first chart {median['first_chart_ms']:.0f} ms, "
                f"first paint {median['paint_ms']:.0f} ms, "
                f"DOMContentLoaded {median['dom_ms']:.0f} ms, load {median['load_ms']:.0f} ms "
                f"(median of {args.repeat}, {args.width} px wide); "
                f"{median['charts_drawn_at_load']:.0f} charts drawn at load; "
                f"{median['tab_stops']:.0f} tab stops"
            )
        browser.close()


if __name__ == "__main__":
    main()
