"""Direction of travel: how a headline figure changed against the previous month and the same
month a year before, whether that is better or worse (each metric's ``better`` in
pipelines/marts/metrics.py; neutral where none is declared), and a red/amber/green status against the
council's own targets when it keeps a targets file.

Changes are worked out from figures as the manager sees them (after the small-number rule): a
change with a suppressed end is not shown, so no suppressed figure can be recovered from it.

The targets file (optional, CSV, one line a metric; docs in pipelines/report/README.md):

    metric_id,target,amber_within
    contact_decision_1wd_pct,90,5
    assessment_backlog,20,10

Green: the figure meets the target in the metric's better direction; amber: it misses by no more
than ``amber_within`` (same unit; 0 or blank: no amber); red: it misses by more. A metric with no
better direction cannot be judged and is listed as such.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Literal

from pipelines.marts.metrics import BY_ID, Metric
from pipelines.report.suppress import NOTHING, SUPPRESSED, Shown

Direction = Literal["better", "worse", "same", "neutral", "none"]
ARROW = {"better": "▲", "worse": "▼", "same": "=", "neutral": "•", "none": ""}
# How a change is said in each unit.
CHANGE_UNIT = {
    "count": "",
    "pct": " points",
    "wd": " working days",
    "rate": " per 10,000",
    "ratio": "",
}


@dataclass(frozen=True)
class Change:
    """One comparison of the latest figure with an earlier one."""

    against: str  # "previous month" | "same month last year"
    period: str  # the earlier period, as a reader says it
    delta: float | None  # None: no change can be shown (see why)
    direction: Direction
    why: str = ""  # when delta is None: why
    unit: str = "count"

    @property
    def text(self) -> str:
        if self.delta is None:
            return f"vs {self.period}: {self.why}"
        if self.direction == "same":
            return f"vs {self.period}: no change"
        return f"vs {self.period}: {self.amount}" + (
            f" ({self.direction})" if self.direction in ("better", "worse") else ""
        )

    @property
    def amount(self) -> str:
        if self.delta is None:
            return ""
        number = f"{self.delta:+,.0f}" if self.unit == "count" else f"{self.delta:+,.1f}"
        return number.replace("-", "\u2212") + CHANGE_UNIT.get(self.unit, "")


def _why(s: Shown | None, period: str) -> str:
    if s is None:
        return f"no figure for {period}"
    if s.suppressed or s.text == SUPPRESSED:
        return "not shown: one figure is [c]"
    if s.text == NOTHING:
        return f"nothing to measure in {period}"
    return "not comparable"


def change(
    metric: Metric, now: Shown | None, then: Shown | None, period: str, against: str
) -> Change:
    """The change from ``then`` (``period``) to ``now``, said in the metric's unit."""
    if now is None or now.value is None:
        return Change(against, period, None, "none", "no latest figure to compare")
    if then is None or then.value is None:
        return Change(against, period, None, "none", _why(then, period))
    delta = now.value - then.value
    rounded = round(delta, 0 if metric.unit == "count" else 1)
    if rounded == 0:
        direction: Direction = "same"
    elif metric.better is None:
        direction = "neutral"
    else:
        direction = "better" if (rounded > 0) == (metric.better == "higher") else "worse"
    return Change(against, period, rounded, direction, unit=metric.unit)


def change_html(changes: list[Change]) -> str:
    """The card's lines of change: each with its arrow and its word, and data attributes a
    test (or a script) can read."""
    items = "".join(
        f'<li class="change {c.direction}" data-against="{escape(c.against)}" '
        f'data-direction="{c.direction}"><span aria-hidden="true">{ARROW[c.direction]}</span> '
        f"{escape(c.text)}</li>"
        for c in changes
    )
    return f'<ul class="changes">{items}</ul>'


# -- targets ---------------------------------------------------------------------------------------

Status = Literal["green", "amber", "red"]


@dataclass(frozen=True)
class Target:
    metric_id: str
    target: float
    amber_within: float = 0.0


class TargetsError(ValueError):
    """The targets file cannot be used: its path, line and what is wrong."""


def read_targets(path: Path | None) -> dict[str, Target]:
    """metric_id -> target, from the council's targets CSV; {} without one. A line naming an
    unknown metric or holding no number is refused with its line."""
    if path is None:
        return {}
    path = Path(path)
    if not path.is_file():
        raise TargetsError(f"{path}: targets file not found")
    targets = {}
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        if not reader.fieldnames or not {"metric_id", "target"} <= set(reader.fieldnames):
            raise TargetsError(f"{path}, line 1: the header must name metric_id and target")
        for line, row in enumerate(reader, start=2):
            metric_id = (row.get("metric_id") or "").strip()
            if metric_id not in BY_ID:
                raise TargetsError(f"{path}, line {line}, column metric_id: not a metric")
            try:
                target = float(row["target"])
                amber = float(row.get("amber_within") or 0)
            except (TypeError, ValueError):
                raise TargetsError(
                    f"{path}, line {line}: target and amber_within must be numbers"
                ) from None
            targets[metric_id] = Target(metric_id, target, max(amber, 0.0))
    return targets


def status(metric: Metric, value: float | None, target: Target | None) -> Status | None:
    """Green, amber or red against the target; None with no target, no figure or no better
    direction."""
    if target is None or value is None or metric.better is None:
        return None
    short = target.target - value if metric.better == "higher" else value - target.target
    if short <= 0:
        return "green"
    return "amber" if short <= target.amber_within else "red"


def status_html(metric: Metric, value: float | None, target: Target | None) -> str:
    if target is None:
        return ""
    rag = status(metric, value, target)
    goal = f"target {'at least' if metric.better == 'higher' else 'at most'} {target.target:g}"
    if metric.better is None:
        return f'<p class="rag none">Target {target.target:g}: not judged (no better direction)</p>'
    if rag is None:
        return f'<p class="rag none">{escape(goal)}: no figure to judge</p>'
    return f'<p class="rag {rag}" data-rag="{rag}"><b>{rag.upper()}</b> · {escape(goal)}</p>'
