"""The page's stylesheet (readable from 360 px wide up, visible keyboard focus, a print layout)
and its one script (draw each chart as it nears the screen; download a chart as PNG), and the
page around a report's sections (``document``)."""

from html import escape
from pathlib import Path

from pipelines.report import charts

CSS = """
:root { --text: #0b0c0c; --muted: #505a5f; --link: #1d70b8; --focus: #ffdd00; --rule: #b1b4b6; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Arial, sans-serif; color: var(--text); background: #fff; }
header { background: #0b0c0c; color: #fff; padding: 0.8rem 1.2rem 0; position: sticky; top: 0; z-index: 10; }
/* below the sticky header when a link or a scroll brings it to the top (not on phones) */
section, h3 { scroll-margin-top: 6.5rem; }
@media (max-width: 700px), (max-height: 500px) {
  header { position: static; padding: 0.6rem 0.8rem 0; }
  header h1 { font-size: 1.2rem; }
  main { padding: 0 0.8rem 2rem; }
  section, h3 { scroll-margin-top: 0.5rem; }
}
header h1 { margin: 0; font-size: 1.5rem; }
header .status { margin: 0.2rem 0 0.4rem; }
nav ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 0.2rem 1.2rem; }
nav a { color: #fff; display: inline-block; padding: 0.4rem 0; font-weight: 600; }
a { color: var(--link); }
a:focus-visible, summary:focus-visible, button:focus-visible, main:focus-visible, [tabindex]:focus-visible {
  outline: 3px solid var(--focus); outline-offset: 0; background: var(--focus); color: var(--text); box-shadow: 0 4px 0 var(--text);
}
main:focus-visible { background: none; box-shadow: none; }
.skip-link { position: absolute; left: -9999px; }
.skip-link:focus { left: 0.5rem; top: 0.5rem; z-index: 20; padding: 0.4rem 0.8rem; }
main { padding: 0 1.2rem 2rem; max-width: 1400px; margin: 0 auto; }
section { border-top: 1px solid var(--rule); margin-top: 1.5rem; }
section#headline { border-top: 0; margin-top: 0.5rem; }
h2 { font-size: 1.6rem; margin: 1rem 0 0.3rem; }
h3 { font-size: 1.2rem; margin: 1.2rem 0 0.5rem; }
h4 { font-size: 1rem; margin: 0 0 0.3rem; }
.lead { color: var(--muted); margin-top: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 250px), 1fr)); gap: 0.8rem; }
.card { border: 1px solid var(--rule); border-left: 5px solid #0072B2; padding: 0.6rem 0.8rem; break-inside: avoid; }
.card .figure { margin: 0; font-size: 1.9rem; font-weight: 700; line-height: 1.2; }
.card .figure .detail { display: block; font-size: 0.9rem; font-weight: 400; line-height: 1.3; color: var(--muted); }
.card .figure.missing { font-size: 1rem; font-weight: 600; color: var(--muted); }
.card .figure.suppressed { color: var(--muted); }
.card .partial, .card .note { margin: 0.2rem 0; font-size: 0.9rem; }
.note { max-width: 60rem; }
.card .partial { color: #6f3b00; }
.card .compare { margin: 0.2rem 0; font-size: 0.85rem; }
.card .def { margin: 0.3rem 0 0; font-size: 0.85rem; color: var(--muted); }
.changes { list-style: none; margin: 0.3rem 0; padding: 0; font-size: 0.9rem; }
.changes .better { color: #005a30; }
.changes .worse { color: #942514; }
.changes .none, .changes .neutral, .changes .same { color: var(--muted); }
.rag { margin: 0.2rem 0; font-size: 0.85rem; padding: 0.1rem 0.4rem; display: inline-block; border-radius: 3px; }
.rag.green { background: #cce2d8; color: #005a30; }
.rag.amber { background: #fff7bf; color: #594d00; }
.rag.red { background: #f4cdc6; color: #942514; }
.card .caveat { color: #6f3b00; }
section#brief { border-top: 0; margin-top: 0.5rem; }
.spark { display: block; margin: 0.3rem 0; }
.multiples { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 0.5rem 1rem; }
.multiples li { display: flex; flex-direction: column; font-size: 0.9rem; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 440px), 1fr)); gap: 1rem; align-items: start; }
figure.chart { margin: 0; border: 1px solid #e5e6e7; padding: 0.3rem; break-inside: avoid; min-width: 0; }
.plot { width: 100%; }
.chart-actions { margin: 0.2rem 0; }
button.download { font: inherit; font-size: 0.85rem; color: var(--link); background: none; border: 1px solid var(--rule); border-radius: 3px; padding: 0.15rem 0.5rem; cursor: pointer; }
.card .flags { color: var(--muted); font-size: 0.85rem; }
.card .rolling { font-size: 0.9rem; }
p, li, caption { overflow-wrap: anywhere; }
/* A table never breaks a number or a word: a cell stays on one line and the table scrolls
   sideways in its own box; a cell of prose (.wrap) wraps between words only. */
td, th { overflow-wrap: normal; word-break: normal; hyphens: manual; white-space: nowrap; }
td.wrap, th.wrap { white-space: normal; min-width: 12rem; }
.nw { white-space: nowrap; }
details summary { cursor: pointer; color: var(--link); padding: 0.2rem 0; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.9rem; }
caption { text-align: left; font-weight: 600; padding: 0.3rem 0; }
th, td { border-bottom: 1px solid var(--rule); padding: 0.25rem 0.6rem; text-align: left; vertical-align: top; }
td { font-variant-numeric: tabular-nums; }
.missing { color: var(--muted); }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
footer { border-top: 1px solid var(--rule); padding: 0.8rem 1.2rem; color: var(--muted); font-size: 0.9rem; }
@media print {
  header { position: static; background: none; color: var(--text); padding: 0; }
  nav, .skip-link, .chart-actions, details summary { display: none; }
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  section { break-before: page; border-top: 0; }
  section#brief { break-before: auto; break-after: page; font-size: 9.5pt; }
  section#brief table { font-size: 8.5pt; }
  section#brief .table-wrap { overflow: visible; }
  .charts { display: block; }
  figure.chart, .card, tr { break-inside: avoid; }
  .cards { grid-template-columns: repeat(3, 1fr); }
  details > .table-wrap { display: none; }
  a { color: var(--text); text-decoration: none; }
}
"""

# Draw each chart when it comes within a screen of view (80 charts drawn at once take seconds
# before anything shows); every chart before printing. "Download chart (PNG)" draws the chart
# again off screen with a footer naming the council, the as-at date, the source and the
# suppression rule, and saves it from a data: URL: nothing is sent anywhere.
SCRIPT = r"""
(function () {
  "use strict";
  var TEMPLATE = JSON.parse(document.getElementById("chart-template").textContent);
  var CONFIG = {displayModeBar: false, responsive: true, scrollZoom: false,
                doubleClick: false, showTips: false, displaylogo: false};
  function draw(div) {
    if (div.getAttribute("data-drawn")) { return; }
    div.setAttribute("data-drawn", "1");
    var spec = JSON.parse(document.getElementById(div.getAttribute("data-spec")).textContent);
    spec.layout.template = TEMPLATE;
    Plotly.newPlot(div, spec.data, spec.layout, CONFIG);
  }
  // One chart a frame, so that the first shows before the others are drawn.
  var queue = [];
  function pump() {
    var next = queue.shift();
    if (next) { draw(next); requestAnimationFrame(pump); }
  }
  function enqueue(div) {
    if (queue.push(div) === 1) { requestAnimationFrame(pump); }
  }
  var plots = Array.prototype.slice.call(document.querySelectorAll("div.plot"));
  if ("IntersectionObserver" in window) {
    var watch = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (e.isIntersecting) { watch.unobserve(e.target); enqueue(e.target); }
      });
    }, {rootMargin: "100% 0px"});
    plots.forEach(function (p) { watch.observe(p); });
  } else {
    plots.forEach(enqueue);
  }
  window.frontdoorDrawAll = function () { plots.forEach(draw); };
  window.addEventListener("beforeprint", window.frontdoorDrawAll);

  function png(div, name) {
    var footer = document.body.getAttribute("data-chart-footer") || "";
    var lines = footer.split("\n").length;
    var layout = JSON.parse(JSON.stringify(div.layout));
    var extra = 18 * lines + 16;
    var bottom = (layout.margin && layout.margin.b) || 50;
    layout.margin = Object.assign({}, layout.margin, {b: bottom + extra});
    layout.height = (layout.height || 360) + extra;
    layout.width = 900;
    // the legend keeps its place under the plot; the footer goes beneath it
    layout.legend = Object.assign({}, layout.legend, {
      orientation: "h", x: 0, yref: "container", yanchor: "bottom", y: extra / layout.height});
    layout.annotations = (layout.annotations || []).concat([{
      text: footer.split("\n").join("<br>"), showarrow: false, align: "left",
      xref: "paper", yref: "paper", x: 0, y: 0, xanchor: "left", yanchor: "top",
      yshift: -bottom - 4, font: {size: 11, color: "#505a5f"}
    }]);
    return Plotly.toImage({data: div.data, layout: layout},
                          {format: "png", width: 900, height: layout.height}).then(function (url) {
      var a = document.createElement("a");
      a.href = url;
      a.download = name + ".png";
      document.body.appendChild(a);
      a.click();
      a.remove();
    });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.download") : null;
    if (!button) { return; }
    var div = document.getElementById(button.getAttribute("data-for"));
    draw(div);
    png(div, button.getAttribute("data-name"));
  });
})();
"""


PLOTLY_JS = Path(__file__).resolve().parent / "vendor" / "plotly-basic.min.js"


def document(
    *,
    title: str,
    heading: str,
    status: str,
    nav: str,
    body: str,
    chart_footer: str,
    skip_text: str,
) -> str:
    """The whole page around a report's sections: one self-contained HTML file."""
    return (
        '<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title>"
        f"<style>{CSS}</style>"
        f'</head><body data-chart-footer="{escape(chart_footer, quote=True)}">'
        f'<a class="skip-link" href="#main">{escape(skip_text)}</a>'
        f"<header><h1>{escape(heading)}</h1>"
        f'<p class="status">{escape(status)}</p>'
        f'<nav aria-label="Report sections"><ul>{nav}</ul></nav></header>'
        f'<main id="main" tabindex="-1">{body}</main>'
        "<footer><p>Built by frontdoor from the warehouse's aggregate tables only. "
        "Published comparators: Open Government Licence v3.0.</p></footer>"
        # The one copy of plotly.js, inline (the page must open offline from a file path), after
        # the content: the text and the headline show while it loads.
        f'<script type="text/javascript">{PLOTLY_JS.read_text(encoding="utf-8")}</script>'
        f'<script type="application/json" id="chart-template">{charts.template_json()}</script>'
        f"<script>{SCRIPT}</script>"
        "</body></html>\n"
    )
