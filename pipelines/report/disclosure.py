"""Suppression that holds across views: no suppressed count can be worked out by differencing.

A report shows the same counts in several views a reader can combine: a financial year and its
twelve months, a total and its teams, all contacts and the out-of-hours and in-hours ones, a
percentage and its "n of d". Each such pair is a linear relation, total = the sum of its parts,
that holds exactly in the data. Suppressing the small cells of each view on its own is not
enough: the year less its shown months gives a suppressed month; two suppressed months in a year
whose hidden sum is 2 are both 1.

The method (complementary suppression, as ONS and DfE apply it, made consistent across views):

1. Primary: every figure whose count, numerator or denominator is from 1 to threshold - 1
   (suppress.show).
2. Relations: every (total, parts) among the figures that holds exactly in the data: the months
   of a financial year summing to the year (event measures; a snapshot's year is its March), the
   values of a breakdown summing to its "all", for a count and for each of a percentage's,
   rate's or ratio's numerator and denominator (the "n of d" shows both).
3. Audit (``pinned``): what a reader can work out, by interval arithmetic over every relation
   at once, iterated until nothing narrows: a shown count is known exactly, a suppressed one is
   known only to be 0 or more (a suppressed count, 1 or more). A suppressed count whose interval
   closes on one value is recovered.
4. Complementary: while a relation recovers a count, the smallest figure still shown among its
   parts (or, if none is left, its total) is suppressed too, and the audit runs again. A figure
   whose counts are below what a reader takes a suppressed figure to hold (a count of 0, a
   percentage over 0 cases: shown as 0 or an en dash) is never the one chosen: the reader would
   take it to be 1 or more, the audit's intervals would contradict the data (their bounds cross)
   and find nothing pinned, so the count it was meant to hide would stay recoverable.

A figure is suppressed whole: a percentage hides its value, numerator and denominator together.
The result (``plan``) is one set of figures for the whole report, decided before any section is
drawn, so every view shows a figure the same way. The region's report shows each council's
figure as that council's own report does (its plan), and, since each council's report is
public, a regional figure only when no council's figure behind it is suppressed
(pipelines/report/region.py).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence

from pipelines.marts.metrics import BY_ID
from pipelines.report.data import Metrics, Row
from pipelines.report.suppress import is_small

Figure = tuple[str, str, str, str, str]  # metric_id, period_type, period_label, breakdown, value
Count = tuple[Figure, str]  # a figure and which of its counts: "n" (numerator or count), "d"
Relation = tuple[Count, tuple[Count, ...]]  # total, parts
Interval = tuple[float, float]

_ADDITIVE = ("count", "pct", "rate", "ratio")  # medians ("wd") add up to nothing


def figure_of(row: Row) -> Figure:
    return (row.metric_id, row.period_type, row.period_label, row.breakdown, row.breakdown_value)


def counts_of(row: Row) -> dict[str, float | None]:
    """The counts a figure shows or implies: a count's value; a ratio's numerator and
    denominator (its "n of d")."""
    unit = BY_ID[row.metric_id].unit if row.metric_id in BY_ID else "count"
    if unit == "count":
        return {"n": row.value if row.value is not None else row.numerator}
    return {"n": row.numerator, "d": row.denominator}


def primary(row: Row, threshold: int) -> bool:
    """The small-number rule (suppress.show) for an additive figure."""
    return any(is_small(c, threshold) for c in counts_of(row).values())


def relations(metrics: Metrics) -> list[Relation]:
    """Every total = sum of parts among the report's additive figures that holds exactly."""
    rows = [
        r for r in metrics.rows if BY_ID.get(r.metric_id) and BY_ID[r.metric_id].unit in _ADDITIVE
    ]
    found: list[Relation] = []
    by_period: dict[tuple[str, str, str], list[Row]] = defaultdict(list)
    for r in rows:
        by_period[(r.metric_id, r.period_type, r.period_label)].append(r)
    for group in by_period.values():
        total = next((r for r in group if r.breakdown == "all"), None)
        if total is None:
            continue
        by_breakdown: dict[str, list[Row]] = defaultdict(list)
        for r in group:
            if r.breakdown != "all":
                by_breakdown[r.breakdown].append(r)
        for parts in by_breakdown.values():
            found += _exact(total, parts)
    months: dict[tuple[str, str, str], list[Row]] = defaultdict(list)
    for r in rows:
        if r.period_type == "month":
            months[(r.metric_id, r.breakdown, r.breakdown_value)].append(r)
    for r in rows:
        if r.period_type == "financial_year":
            inside = [
                m
                for m in months.get((r.metric_id, r.breakdown, r.breakdown_value), [])
                if r.period_start <= m.period_start and m.period_end <= r.period_end
            ]
            if inside:  # one month alone is the year: it must hide with it
                found += _exact(r, inside)
    return found


def _exact(total: Row, parts: Sequence[Row]) -> list[Relation]:
    """The relations total = sum(parts), one per count, that hold exactly in the data."""
    out = []
    for name, value in counts_of(total).items():
        values = [counts_of(p).get(name) for p in parts]
        if value is None or any(v is None for v in values):
            continue
        if math.isclose(sum(v for v in values if v is not None), value, abs_tol=1e-9):
            out.append(((figure_of(total), name), tuple((figure_of(p), name) for p in parts)))
    return out


def intervals(
    known: dict[Count, float], hidden: dict[Count, float], relations: Iterable[Relation]
) -> dict[Count, Interval]:
    """What a reader can work out of each hidden count (its lower bound given in ``hidden``)
    from the shown ones and the relations, by interval arithmetic iterated to a fixed point.

    The true counts satisfy every relation and bound, so each interval holds its true count;
    bounds that cross mean a hidden count's lower bound is above its true value, and the audit
    would be worthless: that is refused rather than read as "nothing pinned"."""
    relations = list(relations)
    bounds: dict[Count, Interval] = {}
    for total, parts in relations:
        for c in (total, *parts):
            if c in known:
                bounds[c] = (known[c], known[c])
            elif c in hidden:
                bounds[c] = (hidden[c], math.inf)
    for _ in range(50):
        changed = False
        for total, parts in relations:
            if total not in bounds or any(p not in bounds for p in parts):
                continue
            lows = [bounds[p][0] for p in parts]
            highs = [bounds[p][1] for p in parts]
            low_sum, high_sum = sum(lows), sum(highs)
            t_low, t_high = bounds[total]
            new_total = (max(t_low, low_sum), min(t_high, high_sum))
            if new_total != bounds[total]:
                bounds[total], changed = new_total, True
            t_low, t_high = new_total
            for i, p in enumerate(parts):
                others_low, others_high = low_sum - lows[i], high_sum - highs[i]
                low = max(bounds[p][0], t_low - others_high)
                high = min(bounds[p][1], t_high - others_low)
                if (low, high) != bounds[p]:
                    bounds[p], changed = (low, high), True
        if not changed:
            break
    crossed = [c for c, (low, high) in bounds.items() if low > high + 1e-9]
    if crossed:
        raise ValueError(f"disclosure audit: the bounds of {crossed[0]} contradict the data")
    return {c: b for c, b in bounds.items() if c in hidden}


def pinned(
    known: dict[Count, float], hidden: dict[Count, float], relations: Iterable[Relation]
) -> set[Count]:
    """The hidden counts a reader can work out to one value."""
    return {
        c
        for c, (low, high) in intervals(known, hidden, relations).items()
        if high < math.inf and math.ceil(low - 1e-9) == math.floor(high + 1e-9)
    }


def plan(metrics: Metrics, threshold: int) -> set[Figure]:
    """Every additive figure the report must suppress (method above)."""
    rows = {
        figure_of(r): r
        for r in metrics.rows
        if BY_ID.get(r.metric_id) and BY_ID[r.metric_id].unit in _ADDITIVE
    }
    suppressed = {f for f, r in rows.items() if primary(r, threshold)}
    found = relations(metrics)
    touching: dict[Figure, list[Relation]] = defaultdict(list)
    for relation in found:
        for count in (relation[0], *relation[1]):
            touching[count[0]].append(relation)
    settled: set[frozenset[int]] = set()  # groups of relations audited and found safe
    for _ in range(1000):
        # Only the relations around a suppressed figure can give one away, and they act on one
        # another only through the counts they hide: each such group is audited on its own.
        live = {id(r): r for f in suppressed for r in touching.get(f, [])}
        known, hidden = _split(rows, suppressed, live.values())
        added = False
        for group in _groups(live, hidden):
            ids = frozenset(group)
            if ids in settled:
                continue
            relations_ = [live[i] for i in group]
            recovered = {
                c for c in pinned(known, hidden, relations_) if is_small(_value(rows, c), threshold)
            }
            if not recovered:
                settled.add(ids)
                continue
            chosen = {
                choice
                for relation in relations_
                if any(c in recovered for c in (relation[0], *relation[1]))
                and (choice := _complement(rows, known, relation)) is not None
            }
            if not chosen:  # the relations that pin it show nothing left: widen to the group's
                chosen = {
                    choice
                    for relation in relations_
                    if (choice := _complement(rows, known, relation)) is not None
                }
            suppressed |= chosen
            added = added or bool(chosen)
        if not added:
            break  # safe, or nothing left to suppress (the safety test would say so)
    return suppressed


def _complement(
    rows: dict[Figure, Row], known: dict[Count, float], relation: Relation
) -> Figure | None:
    """The figure to suppress next to hide a relation's recovered count: its smallest part still
    shown, or else its total, among the figures a reader may take for suppressed ones."""
    total, parts = relation
    shown = [(known[p], p[0]) for p in parts if p in known and _hideable(rows, p[0])]
    if shown:
        return min(shown)[1]
    return total[0] if total in known and _hideable(rows, total[0]) else None


def _hideable(rows: dict[Figure, Row], figure: Figure) -> bool:
    """Whether every count of the figure is at least what a reader takes a suppressed one to
    hold (_lower_bound): a suppressed 0 would make the reader, and the audit, infer 1 or more."""
    return all(
        value is None or value >= _lower_bound(figure, name)
        for name, value in counts_of(rows[figure]).items()
    )


def _lower_bound(figure: Figure, name: str) -> float:
    """What a reader knows of a suppressed count: a count, or a percentage's, rate's or ratio's
    denominator, is 1 or more (0 is shown as 0 or an en dash); a numerator, 0 or more."""
    return 1.0 if BY_ID[figure[0]].unit == "count" or name == "d" else 0.0


def _groups(live: dict[int, Relation], hidden: dict[Count, float]) -> list[list[int]]:
    """The relations in groups joined by the hidden counts they share."""
    parent: dict[object, object] = {}

    def find(x: object) -> object:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]  # type: ignore[index]
            x = parent[x]
        return x

    for rid, (total, parts) in live.items():
        for count in (total, *parts):
            if count in hidden:
                parent[find(("r", rid))] = find(count)
    groups: dict[object, list[int]] = defaultdict(list)
    for rid in live:
        groups[find(("r", rid))].append(rid)
    return list(groups.values())


def _value(rows: dict[Figure, Row], count: Count) -> float | None:
    return counts_of(rows[count[0]])[count[1]]


def _split(
    rows: dict[Figure, Row], suppressed: set[Figure], relations: Iterable[Relation]
) -> tuple[dict[Count, float], dict[Count, float]]:
    """The counts of the relations, as a reader sees them: known, or hidden with a lower bound
    (_lower_bound). A figure the small-number rule hides for its numerator may have a
    denominator of 0 (a turnover of 1 leaver over no posts): its bound is its true 0, since a
    bound above the truth would make the audit's intervals contradict the data."""
    known: dict[Count, float] = {}
    hidden: dict[Count, float] = {}
    for total, parts in relations:
        for count in (total, *parts):
            figure, name = count
            value = counts_of(rows[figure])[name]
            if figure in suppressed:
                bound = _lower_bound(figure, name)
                hidden[count] = bound if value is None else min(bound, value)
            elif value is not None:
                known[count] = value
    return known, hidden
