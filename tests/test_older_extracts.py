"""An extract written before contract v5 (no v5 columns, no v5 files) still loads; the metrics
the v5 columns and files feed are absent from metric_values (no row at all, never a zero) and
every other metric is exactly what the full extract gives."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl

from pipelines.marts.metrics import CATALOGUE, SECTIONS_2013
from tests.conftest import SAMPLE, build_warehouse

V5_FILES = ("cin_plans.csv", "missing_episodes.csv", "private_fostering.csv")
V5_COLUMNS = {
    "s47_enquiries.csv": ("strategy_police_attended", "icpc_participation"),
    "cp_reviews.csv": ("participation",),
    "early_help.csv": ("end_reason",),
}
# What the v5 columns and files alone feed: the conference measures (both participation
# columns), strategy_police_pct (strategy_police_attended), early_help_outcomes_met_pct
# (end_reason), as their files' `requires columns:` lines say (docs/metrics.md), and the
# metrics of the three new files.
ABSENT = {
    "cp_conference_views_pct",
    "cp_conference_attended_pct",
    "strategy_police_pct",
    "early_help_outcomes_met_pct",
    "missing_episodes",
    "missing_rhi_offered_pct",
    "missing_rhi_72h_pct",
    "pf_notifications",
    "pf_initial_visit_7wd_pct",
    "cin_plans_open",
    "assessment_plan_10wd_pct",
}


def older_sample(folder: Path) -> Path:
    """data/sample as an extract written to contract v4."""
    for path in SAMPLE.glob("*.csv"):
        if path.name in V5_FILES:
            continue
        if path.name in V5_COLUMNS:
            frame = pl.read_csv(path, infer_schema=False)
            frame.drop(V5_COLUMNS[path.name]).write_csv(folder / path.name)
        else:
            shutil.copy(path, folder / path.name)
    return folder


def metric_values(con) -> dict[tuple, tuple]:
    rows = con.execute(
        "SELECT metric_id, period_type, period_label, breakdown, breakdown_value, numerator, "
        "denominator, value FROM marts.metric_values"
    ).fetchall()
    return {r[:5]: r[5:] for r in rows}


def test_an_older_extract_gives_every_metric_but_those_v5_alone_feeds(tmp_path: Path):
    full = metric_values(build_warehouse(SAMPLE, tmp_path / "full.duckdb"))
    (tmp_path / "older").mkdir()
    older = metric_values(build_warehouse(older_sample(tmp_path / "older"), tmp_path / "o.duckdb"))
    v5 = {m.metric_id for m in CATALOGUE if m.section in SECTIONS_2013}
    assert v5 <= {key[0] for key in full}  # the regenerated sample gives every v5 metric
    written = {key[0] for key in older}
    assert written.isdisjoint(ABSENT)  # absent: no row at all, not a zero
    # The v5 metrics that need only pre-v5 columns are still written ...
    assert v5 - ABSENT - written == set()
    assert v5 - ABSENT == {
        "s47_to_icpc_pct",
        "icpc_to_plan_pct",
        "referral_police_pct",
        "referrals_known_to_early_help_pct",
        "permanent_sw_turnover_12m_pct",
    }
    # ... and every metric either extract gives, but the absent ones, is the same to the row.
    assert {k: v for k, v in full.items() if k[0] not in ABSENT} == older
