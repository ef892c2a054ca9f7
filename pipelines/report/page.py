"""The page's stylesheet: readable on screen, visible keyboard focus, and a print layout."""

CSS = """
:root { --text: #0b0c0c; --muted: #505a5f; --link: #1d70b8; --focus: #ffdd00; --rule: #b1b4b6; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Arial, sans-serif; color: var(--text); background: #fff; }
header { background: #0b0c0c; color: #fff; padding: 0.8rem 1.2rem 0; position: sticky; top: 0; z-index: 10; }
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
section { scroll-margin-top: 6.5rem; border-top: 1px solid var(--rule); margin-top: 1.5rem; }
section#headline { border-top: 0; margin-top: 0.5rem; }
h2 { font-size: 1.6rem; margin: 1rem 0 0.3rem; }
h3 { font-size: 1.2rem; margin: 1.2rem 0 0.5rem; }
h4 { font-size: 1rem; margin: 0 0 0.3rem; }
.lead { color: var(--muted); margin-top: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(250px, 1fr)); gap: 0.8rem; }
.card { border: 1px solid var(--rule); border-left: 5px solid #0072B2; padding: 0.6rem 0.8rem; break-inside: avoid; }
.card .figure { margin: 0; font-size: 1.9rem; font-weight: 700; line-height: 1.2; }
.card .figure .detail { display: block; font-size: 0.9rem; font-weight: 400; line-height: 1.3; color: var(--muted); }
.card .figure.missing { font-size: 1rem; font-weight: 600; color: var(--muted); }
.card .figure.suppressed { color: var(--muted); }
.card .partial, .card .note { margin: 0.2rem 0; font-size: 0.9rem; }
.card .partial { color: #6f3b00; }
.card .compare { margin: 0.2rem 0; font-size: 0.85rem; }
.card .def { margin: 0.3rem 0 0; font-size: 0.85rem; color: var(--muted); }
.spark { display: block; margin: 0.3rem 0; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: 1rem; }
figure.chart { margin: 0; border: 1px solid #e5e6e7; padding: 0.3rem; break-inside: avoid; min-width: 0; }
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
  nav, .skip-link, .modebar-container, details summary { display: none; }
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  section { break-before: page; border-top: 0; }
  section#headline { break-before: auto; }
  .charts { display: block; }
  figure.chart, .card, tr { break-inside: avoid; }
  .cards { grid-template-columns: repeat(3, 1fr); }
  details > .table-wrap { display: none; }
  a { color: var(--text); text-decoration: none; }
}
"""
