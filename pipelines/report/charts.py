"""Figures: Plotly charts as data the page draws when they scroll into view (plotly.js is
embedded once by the page, page.py's script draws them), and small inline-SVG sparklines for the
headline cards (no script needed, they print as drawn).

Nothing on a chart can reach the network: no mode bar (its "share" and "edit in Chart Studio"
buttons post to Plotly's cloud), no logo link; zoom and pan are off, so a phone scrolls the page,
not the chart. The one action, "Download chart (PNG)", is the page's own button.

A figure is plotly.js's own JSON (``{"data": [...], "layout": {...}}``) built as a plain dict:
plotly.py's figure objects checked every property as it was set, which cost about a second of
every report (84 figures), and the figures were only ever turned back into this JSON. The
template is a plotly.py object, checked once, and held once by the page."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

import plotly.graph_objects as go
from plotly.utils import PlotlyJSONEncoder

from pipelines.report.suppress import Shown

Figure = dict[str, object]  # plotly.js's figure JSON: "data" (traces) and "layout"
HOVER = "%{customdata}<extra></extra>"  # each point's own text, and no trace-name box

# Okabe-Ito: distinguishable with the common colour-vision deficiencies. Series also differ by
# dash and marker, so colour is never the only cue.
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
TEXT = "#0b0c0c"

# A small template of our own: plotly's default template adds about 7 kB to every figure.
TEMPLATE = go.layout.Template(
    layout={
        "font": {
            "family": "system-ui, -apple-system, 'Segoe UI', Arial, sans-serif",
            "size": 13,
            "color": TEXT,
        },
        "colorway": list(OKABE_ITO),
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "dragmode": False,
        "xaxis": {
            "fixedrange": True,
            "showgrid": False,
            "linecolor": "#505a5f",
            "ticks": "outside",
            "automargin": True,
        },
        "yaxis": {
            "fixedrange": True,
            "gridcolor": "#dddddd",
            "zeroline": False,
            "automargin": True,
            "rangemode": "tozero",
        },
        "hoverlabel": {"font": {"size": 13}},
        # Legend at the foot of the whole figure (container coordinates), below the axis title.
        "legend": {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0},
        "margin": {"l": 60, "r": 20, "t": 50, "b": 50},
    }
)


@dataclass(frozen=True)
class Series:
    """One line: x positions (dates or labels), the shown figures, how each point is named in
    hover text (its own period), and how to draw it."""

    name: str
    x: Sequence[object]
    shown: Sequence[Shown]
    dash: str = "solid"
    symbol: str = "circle"
    partial_at: int | None = None  # index of a partial period: drawn hollow, off the line
    names: Sequence[str] | None = None  # each point's period, as a reader says it


@dataclass(frozen=True)
class Shade:
    """A stretch of the x axis drawn in grey with a note (periods whose figure is incomplete)."""

    x0: object
    x1: object
    note: str


def label(text: object) -> str:
    """Text from the data (a team's name) made safe for a chart: Plotly renders a subset of
    HTML in labels and hover text, so a team named <a href=...> would become a live link."""
    return escape(str(text), quote=True)


def wrapped(title: str, width: int = 34) -> tuple[str, int]:
    """A title escaped and broken into lines of at most ``width`` characters (Plotly does not
    wrap titles, so a long one is clipped on a narrow screen); and how many lines it took."""
    lines: list[str] = []
    for word in title.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(escape(line) for line in lines), max(1, len(lines))


def _point_name(x: object, i: int, s: Series) -> str:
    if s.names is not None:
        return s.names[i]
    return x.strftime("%b %Y") if isinstance(x, date) else str(x)


def _hover(name: str, s: Shown, series: str) -> str:
    parts = [f"{label(series)}<br>{label(name)}: {label(s.text)}"]
    if s.detail:
        parts.append(label(s.detail))
    return "<br>".join(parts)


def _layout(title: str, height: int, legend_entries: int, **extra: object) -> dict[str, object]:
    text, lines = wrapped(title)
    # Room at the foot for the legend: about three entries a row, 22 px a row.
    legend_px = 0 if legend_entries < 2 else 22 * ((legend_entries + 2) // 3) + 8
    # plotly.js anchors a title of several lines about 16 px higher than one of a single line
    # (its first line was clipped at the top: measured in Chromium), so such a title is padded
    # down by as much to start where a single line does.
    pad = 8 + (16 if lines > 1 else 0)
    top = 30 + 20 * lines + pad - 8
    margin = {"t": top, "b": 50 + legend_px} | dict(extra.pop("margin", {}))  # type: ignore[arg-type]
    return {
        "title": {"text": text, "x": 0.01, "xanchor": "left", "y": 1, "yref": "container",
                  "yanchor": "top", "pad": {"t": pad}, "font": {"size": 15}},
        "height": height + legend_px + top - 50,
        "showlegend": legend_entries > 1,
        "margin": margin,
        **extra,
    }  # fmt: skip


def _axis(title: str, **more: object) -> dict[str, object]:
    return {"title": {"text": title}, **more}


def line_figure(
    title: str,
    y_title: str,
    x_title: str,
    series: Sequence[Series],
    *,
    height: int = 320,
    shade: Shade | None = None,
) -> Figure:
    """A line chart. A suppressed point is a gap in its line, marked by a tick at the top of the
    plot (never a zero); a point with nothing to measure is a plain gap; a partial period is an
    open marker off the line."""
    traces: list[dict[str, object]] = []
    partial_named = suppressed_named = False
    for i, s in enumerate(series):
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        names = [_point_name(x, j, s) for j, x in enumerate(s.x)]
        on_line = [None if j == s.partial_at else p.value for j, p in enumerate(s.shown)]
        traces.append(
            {
                "type": "scatter",
                "x": list(s.x),
                "y": on_line,
                "customdata": [_hover(n, p, s.name) for n, p in zip(names, s.shown, strict=True)],
                "hovertemplate": HOVER,
                "name": label(s.name),
                "mode": "lines+markers",
                "line": {"color": colour, "dash": s.dash, "width": 2},
                "marker": {"symbol": s.symbol, "size": 6},
                "connectgaps": False,
            }
        )
        hidden = [j for j, p in enumerate(s.shown) if p.suppressed]
        if hidden:
            traces.append(
                {
                    "type": "scatter",
                    "x": [s.x[j] for j in hidden],
                    "y": [1] * len(hidden),
                    "yaxis": "y2",
                    "customdata": [_hover(names[j], s.shown[j], s.name) for j in hidden],
                    "hovertemplate": HOVER,
                    "name": "[c] suppressed: tick at top",
                    "showlegend": not suppressed_named,
                    "legendgroup": "suppressed",
                    "mode": "markers",
                    "marker": {"symbol": "line-ns-open", "size": 10, "color": colour,
                               "line": {"width": 2}},
                }
            )  # fmt: skip
            suppressed_named = True
        if s.partial_at is not None and s.shown[s.partial_at].value is not None:
            x, p = s.x[s.partial_at], s.shown[s.partial_at]
            name = names[s.partial_at] + " (partial period, to date)"
            # One legend entry explains every open marker; more would crowd the legend.
            traces.append(
                {
                    "type": "scatter",
                    "x": [x],
                    "y": [p.value],
                    "customdata": [_hover(name, p, s.name)],
                    "hovertemplate": HOVER,
                    "name": "Open marker: month to date",
                    "showlegend": not partial_named,
                    "mode": "markers",
                    "marker": {
                        "symbol": s.symbol + "-open",
                        "size": 10,
                        "color": colour,
                        "line": {"width": 2},
                    },
                }
            )
            partial_named = True
    extra: dict[str, object] = {}
    if shade is not None:
        # A grey band over the whole height of the plot, its note at the band's top left.
        extra["shapes"] = [
            {"type": "rect", "x0": shade.x0, "x1": shade.x1, "xref": "x", "y0": 0, "y1": 1,
             "yref": "y domain", "fillcolor": "#6f777b", "opacity": 0.12, "line": {"width": 0}}
        ]  # fmt: skip
        extra["annotations"] = [
            {"text": escape(shade.note), "x": shade.x0, "xanchor": "left", "xref": "x", "y": 1,
             "yanchor": "top", "yref": "y domain", "showarrow": False, "font": {"size": 11}}
        ]  # fmt: skip
    entries = sum(1 for t in traces if t.get("showlegend") is not False)
    layout = _layout(
        title,
        height,
        entries,
        xaxis=_axis(x_title),
        yaxis=_axis(y_title),
        # The suppressed ticks' own axis: 0 to 1, invisible, so a tick never reads as a value.
        yaxis2={"overlaying": "y", "range": [0, 1.02], "visible": False, "fixedrange": True},
        **extra,
    )
    return {"data": traces, "layout": layout}


def bar_figure(
    title: str, x_title: str, categories: Sequence[str], shown: Sequence[Shown]
) -> Figure:
    """Horizontal bars by team for one period; a suppressed figure keeps its row with the
    label [c] and no bar."""
    bar = {
        "type": "bar",
        "y": [label(c) for c in categories],
        # a suppressed team keeps its row: no bar (0), its [c] label beside it
        "x": [p.value if p.value is not None else 0 for p in shown],
        "text": [label(p.text) for p in shown],
        "textposition": "outside",
        "cliponaxis": False,
        "orientation": "h",
        "marker": {"color": OKABE_ITO[0]},
        "customdata": [_hover(c, p, title) for c, p in zip(categories, shown, strict=True)],
        "hovertemplate": HOVER,
    }
    layout = _layout(
        title,
        max(180, 80 + 28 * len(categories)),
        1,
        xaxis=_axis(x_title, rangemode="tozero"),
        yaxis=_axis("Team", autorange="reversed"),
        margin={"r": 50},
    )
    return {"data": [bar], "layout": layout}


def set_axis(fig: Figure, axis: str, **props: object) -> None:
    """Set properties of one of a figure's axes ("xaxis", "yaxis"), keeping the others."""
    layout: dict[str, object] = fig["layout"]  # type: ignore[assignment]
    layout[axis] = {**layout.get(axis, {}), **props}  # type: ignore[dict-item]


def vertical_line(fig: Figure, x: float, text: str) -> None:
    """A dashed line across the plot at ``x``, its note centred above it."""
    layout: dict[str, list[object]] = fig["layout"]  # type: ignore[assignment]
    layout.setdefault("shapes", []).append(
        {"type": "line", "x0": x, "x1": x, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain",
         "line": {"color": "#505a5f", "dash": "dash"}}
    )  # fmt: skip
    layout.setdefault("annotations", []).append(
        {"text": text, "x": x, "xanchor": "center", "xref": "x", "y": 1, "yanchor": "bottom",
         "yref": "y domain", "showarrow": False}
    )  # fmt: skip


def _json(value: object) -> str:
    """JSON for a script element: never closing it early."""
    return json.dumps(value, cls=PlotlyJSONEncoder, separators=(",", ":")).replace("</", "<\\/")


def template_json() -> str:
    """The charts' shared template as JSON: the page holds one copy, each chart refers to it."""
    return _json(TEMPLATE.to_plotly_json())


def fragment(fig: Figure, div_id: str, caption: str) -> str:
    """The figure as a placeholder the page's script draws when it nears the screen, with the
    figure's data beside it as JSON (inert until then: a page of 80 charts opens at once). The
    page holds the template once (template_json) and gives it to each figure as it draws."""
    spec = _json(fig)
    height = int(fig["layout"].get("height") or 320)
    return (
        f'<div class="plot" id="{div_id}" data-spec="{div_id}-spec" style="min-height:{height}px" '
        f'role="img" aria-label="{escape(caption, quote=True)}: chart (its figures are in the '
        'table below)"></div>'
        f'<script type="application/json" id="{div_id}-spec">{spec}</script>'
    )


def sparkline(
    values: Sequence[float | None], description: str, *, width: int = 132, height: int = 36
) -> str:
    """An inline SVG trend line; None (suppressed or empty) breaks the line. The dot is the
    last value's, drawn only when the last value is there."""
    points = [(i, v) for i, v in enumerate(values) if v is not None]
    label = escape(description, quote=True)
    if len(points) < 2:
        return f'<svg class="spark" role="img" aria-label="{label}" width="{width}" height="{height}"></svg>'
    lo = min(v for _, v in points)
    hi = max(v for _, v in points)
    span = hi - lo or 1.0
    pad = 4
    step = (width - 2 * pad) / max(len(values) - 1, 1)

    def xy(i: int, v: float) -> str:
        return f"{pad + i * step:.1f},{height - pad - (v - lo) / span * (height - 2 * pad):.1f}"

    runs: list[list[str]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            runs.append([])
        else:
            runs[-1].append(xy(i, v))
    # A run of one point (a figure between two gaps) is drawn as a dot so it is not lost.
    lines = "".join(
        f'<polyline points="{" ".join(r)}" fill="none" stroke="{OKABE_ITO[0]}" stroke-width="2"/>'
        if len(r) > 1
        else f'<circle cx="{r[0].split(",")[0]}" cy="{r[0].split(",")[1]}" r="1.5" fill="{OKABE_ITO[0]}"/>'
        for r in runs
        if r
    )
    # The dot marks the latest period, and only when it has a figure: never an older one.
    dot = ""
    if values[-1] is not None:
        x, y = xy(len(values) - 1, values[-1]).split(",")
        dot = f'<circle cx="{x}" cy="{y}" r="3" fill="{OKABE_ITO[1]}"/>'
    return (
        f'<svg class="spark" role="img" aria-label="{label}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>{label}</title>{lines}{dot}</svg>'
    )
