"""Figures: Plotly charts as HTML fragments (plotly.js is embedded once by the page), and
small inline-SVG sparklines for the headline cards (no script needed, they print as drawn)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

import plotly.graph_objects as go

from pipelines.report.suppress import Shown

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
        "xaxis": {
            "showgrid": False,
            "linecolor": "#505a5f",
            "ticks": "outside",
            "automargin": True,
        },
        "yaxis": {
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
CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
}


@dataclass(frozen=True)
class Series:
    """One line: x labels or dates, the shown figures, and how to draw it."""

    name: str
    x: Sequence[object]
    shown: Sequence[Shown]
    dash: str = "solid"
    symbol: str = "circle"
    partial_at: int | None = None  # index of a partial period: drawn hollow, off the line


def label(text: object) -> str:
    """Text from the data (a team's name) made safe for a chart: Plotly renders a subset of
    HTML in labels and hover text, so a team named <a href=...> would become a live link."""
    return escape(str(text), quote=True)


def _hover(x: object, s: Shown, name: str) -> str:
    shown = x.strftime("%b %Y") if isinstance(x, date) else str(x)
    parts = [f"{label(name)}<br>{label(shown)}: {label(s.text)}"]
    if s.detail:
        parts.append(label(s.detail))
    return "<br>".join(parts)


def line_figure(
    title: str, y_title: str, x_title: str, series: Sequence[Series], *, height: int = 320
) -> go.Figure:
    """A line chart; suppressed and empty points are gaps, never plotted and never in hover."""
    fig = go.Figure()
    partial_named = False
    for i, s in enumerate(series):
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        on_line = [None if j == s.partial_at else p.value for j, p in enumerate(s.shown)]
        fig.add_trace(
            go.Scatter(
                x=list(s.x),
                y=on_line,
                customdata=[_hover(x, p, s.name) for x, p in zip(s.x, s.shown, strict=True)],
                hovertemplate="%{customdata}<extra></extra>",
                name=label(s.name),
                mode="lines+markers",
                line={"color": colour, "dash": s.dash, "width": 2},
                marker={"symbol": s.symbol, "size": 7},
                connectgaps=False,
            )
        )
        if s.partial_at is not None and s.shown[s.partial_at].value is not None:
            x, p = s.x[s.partial_at], s.shown[s.partial_at]
            # One legend entry explains every open marker; more would crowd the legend.
            fig.add_trace(
                go.Scatter(
                    x=[x],
                    y=[p.value],
                    customdata=[_hover(x, p, s.name + " (partial period, to date)")],
                    hovertemplate="%{customdata}<extra></extra>",
                    name="Open marker: partial period, to date",
                    showlegend=not partial_named,
                    mode="markers",
                    marker={
                        "symbol": s.symbol + "-open",
                        "size": 10,
                        "color": colour,
                        "line": {"width": 2},
                    },
                )
            )
            partial_named = True
    entries = sum(1 for t in fig.data if t.showlegend is not False)
    # Room at the foot for the legend: about three entries a row, 22 px a row.
    legend_px = 0 if entries < 2 else 22 * ((entries + 2) // 3) + 8
    fig.update_layout(
        template=TEMPLATE,
        title={"text": escape(title)},
        height=height + legend_px,
        xaxis_title=x_title,
        yaxis_title=y_title,
        showlegend=entries > 1,
        margin={"b": 50 + legend_px},
    )
    return fig


def bar_figure(
    title: str, x_title: str, categories: Sequence[str], bars: Sequence[tuple[str, Sequence[Shown]]]
) -> go.Figure:
    """Horizontal bars by team, one colour per period; a suppressed figure keeps its row with
    the label [c] and no bar."""
    fig = go.Figure()
    for i, (name, shown) in enumerate(bars):
        fig.add_trace(
            go.Bar(
                y=[label(c) for c in categories],
                x=[p.value if p.value is not None else 0 for p in shown],
                text=[label(p.text) for p in shown],
                textposition="outside",
                cliponaxis=False,
                orientation="h",
                name=label(name),
                marker={"color": OKABE_ITO[i % len(OKABE_ITO)]},
                customdata=[_hover(c, p, name) for c, p in zip(categories, shown, strict=True)],
                hovertemplate="%{customdata}<extra></extra>",
            )
        )
    legend_px = 30 if len(bars) > 1 else 0
    fig.update_layout(
        template=TEMPLATE,
        title={"text": escape(title)},
        height=max(200, 90 + 26 * len(categories) * len(bars)) + legend_px,
        xaxis_title=x_title,
        yaxis={"autorange": "reversed", "title": {"text": "Team"}},
        xaxis={"rangemode": "tozero"},
        barmode="group",
        showlegend=len(bars) > 1,
        margin={"r": 60, "b": 50 + legend_px},
    )
    return fig


def fragment(fig: go.Figure, div_id: str) -> str:
    """The figure as an HTML fragment that relies on the page's single copy of plotly.js."""
    return fig.to_html(full_html=False, include_plotlyjs=False, config=CONFIG, div_id=div_id)


def sparkline(
    values: Sequence[float | None], description: str, *, width: int = 132, height: int = 36
) -> str:
    """An inline SVG trend line; None (suppressed or empty) breaks the line."""
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
    last_i, last_v = points[-1]
    x, y = xy(last_i, last_v).split(",")
    return (
        f'<svg class="spark" role="img" aria-label="{label}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>{label}</title>{lines}'
        f'<circle cx="{x}" cy="{y}" r="3" fill="{OKABE_ITO[1]}"/></svg>'
    )
