"""Which metrics each input format can support (docs/formats.md has the table and the reasons).

One source of truth: ``detect.UNSUPPORTED_METRICS`` names, per format, every metric whose inputs
the format does not carry, with why; the marts withhold those (pipelines/defs/marts.py). This
module gives the other side of it: the metric_ids of the catalogue each format supports.
"""

from __future__ import annotations

from pipelines.report.catalogue import CATALOGUE
from pipelines.sources.detect import UNSUPPORTED_METRICS

FORMATS: tuple[str, ...] = ("csv", "annex_a", "cin_census")
METRICS: frozenset[str] = frozenset(m.metric_id for m in CATALOGUE)

SUPPORTED: dict[str, frozenset[str]] = {
    kind: METRICS - frozenset(UNSUPPORTED_METRICS[kind]) for kind in FORMATS
}


def unsupported(kind: str) -> frozenset[str]:
    """The metric_ids a format cannot support: not to be written for a run on that format.

    Raises KeyError naming the format when it is not one of ``FORMATS``.
    """
    if kind not in SUPPORTED:
        raise KeyError(f"unknown input format {kind!r}; one of {', '.join(FORMATS)}")
    return METRICS - SUPPORTED[kind]
