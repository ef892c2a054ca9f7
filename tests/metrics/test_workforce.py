"""Workforce (sql/marts/70_workforce.sql, 72_caseload.sql), answers worked out by hand.

as_at 2013-03-31; periods January-March 2013 and FY 2012-13 (ending at as_at).
"""

from __future__ import annotations

import pytest

from tests.metrics._cp_helpers import build, d, metric, metric_ids

FILES = ("metrics_workforce", "metrics_caseload")
AS_AT = "2013-03-31"


def worker(wid, team, qualified, employment, start=None, end=None):
    return {
        "worker_id": wid,
        "team": team,
        "qualified_social_worker": qualified,
        "employment": employment,
        "start_date": d(start) if start else None,
        "end_date": d(end) if end else None,
    }


WORKERS = [
    worker("W1", "A", True, "PERMANENT"),  # blank start: in post from before the data
    worker("W2", "A", True, "AGENCY", start="2013-01-15"),
    worker("W3", "B", True, "AGENCY", start="2012-06-01", end="2013-02-28"),  # leaves ON 28 Feb
    worker("W4", "B", True, None, start="2012-01-01"),  # blank employment: still counted
    worker("W5", "A", False, "AGENCY"),  # not qualified
    worker("W6", "B", True, "AGENCY", start="2013-04-01"),  # starts after as_at
    worker("W7", None, True, "AGENCY", end="2013-05-01"),  # leaves after as_at: in post
]


def alloc(aid, child, wid, start, end=None):
    return {
        "allocation_id": aid,
        "child_id": child,
        "worker_id": wid,
        "start_date": d(start),
        "end_date": d(end) if end else None,
    }


ALLOCATIONS = [
    alloc("L1", "K1", "W1", "2013-01-01"),
    alloc("L2", "K2", "W1", "2013-01-01"),
    alloc("L3", "K2", "W1", "2013-01-10"),  # same worker and child: one pair
    alloc("L4", "K3", "W1", "2013-01-01", "2013-02-28"),  # ends ON 28 Feb
    alloc("L5", "K4", "W2", "2013-01-20"),
    alloc("L6", "K5", "W2", "2013-01-10"),  # before W2 was in post: never counts
    alloc("L7", "K6", "W3", "2013-01-01"),  # W3 leaves 28 Feb
    alloc("L8", "K7", "W5", "2013-01-01"),  # unqualified worker
    alloc("L9", "K8", "W7", "2013-02-01"),
    alloc("L10", "K9", "W9", "2013-01-01"),  # unknown worker
]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    tables = {"workers": WORKERS, "allocations": ALLOCATIONS}
    return build(tables, AS_AT, FILES, "2013-01-01")


def test_agency_percentage(con):
    # 31 Jan: qualified in post W1 W2 W3 W4 W7 (W5 unqualified, W6 not started); agency W2 W3 W7
    assert metric(con, "agency_social_worker_pct", "2013-01") == (3, 5, 60.0)
    assert metric(con, "agency_social_worker_pct", "2013-01", "A") == (1, 2, 50.0)
    assert metric(con, "agency_social_worker_pct", "2013-01", "B") == (1, 2, 50.0)
    assert metric(con, "agency_social_worker_pct", "2013-01", "(none)") == (1, 1, 100.0)
    # 28 Feb: W3 left on T -> W1 W2 W4 W7, agency W2 W7 = 2/4
    assert metric(con, "agency_social_worker_pct", "2013-02") == (2, 4, 50.0)
    assert metric(con, "agency_social_worker_pct", "2013-02", "B") == (0, 1, 0.0)
    assert metric(con, "agency_social_worker_pct", "2012-13") == (2, 4, 50.0)


def test_caseload(con):
    # 31 Jan: W1 K1 K2 K3 (3), W2 K4 (1; K5 never counts), W3 K6 (1); W7's starts in Feb;
    # W5 unqualified, W9 unknown -> 5 pairs / 3 workers
    assert metric(con, "caseload_per_social_worker", "2013-01") == pytest.approx((5, 3, 5 / 3))
    assert metric(con, "caseload_per_social_worker", "2013-01", "A") == (4, 2, 2.0)
    assert metric(con, "caseload_per_social_worker", "2013-01", "B") == (1, 1, 1.0)
    assert metric(con, "caseload_per_social_worker", "2013-01", "(none)") == (0, 0, None)
    # 28 Feb: W1 K1 K2 (K3 ended on T), W2 K4, W3 gone, W7 K8 -> 4 / 3
    assert metric(con, "caseload_per_social_worker", "2013-02") == pytest.approx((4, 3, 4 / 3))
    assert metric(con, "caseload_per_social_worker", "2013-02", "A") == (3, 2, 1.5)
    assert metric(con, "caseload_per_social_worker", "2013-02", "B") == (0, 0, None)
    assert metric(con, "caseload_per_social_worker", "2013-03") == pytest.approx((4, 3, 4 / 3))
    got = dict(
        con.execute(
            "SELECT worker_id, caseload_at_as_at FROM marts.fact_worker_caseloads"
        ).fetchall()
    )
    assert got == {"W1": 2, "W2": 1, "W3": 0, "W4": 0, "W5": 0, "W7": 1}


def test_team_rows_sum_to_all(con):
    bad = con.execute(
        """
        SELECT metric_id, period_label FROM marts.metric_values
        WHERE metric_id IN ('agency_social_worker_pct', 'caseload_per_social_worker')
        GROUP BY ALL
        HAVING sum(denominator) FILTER (WHERE breakdown = 'team') <> sum(denominator) FILTER (WHERE breakdown = 'all')
            OR sum(numerator) FILTER (WHERE breakdown = 'team') <> sum(numerator) FILTER (WHERE breakdown = 'all')
        """
    ).fetchall()
    assert bad == []


def test_absent_files(tmp_path):
    con = build({"workers": WORKERS}, AS_AT, FILES, "2013-01-01")
    ids = metric_ids(con)
    assert "agency_social_worker_pct" in ids
    assert "caseload_per_social_worker" not in ids
    con = build({"allocations": ALLOCATIONS}, AS_AT, FILES, "2013-01-01")
    assert not metric_ids(con) & {"agency_social_worker_pct", "caseload_per_social_worker"}
