"""Allocation family: allocation_delay_median_wd, allocated_within_5wd_pct,
unallocated_open_cases, and marts.fact_allocations. Expected figures worked out by hand below.

Calendar (England): 2012-03-03 Sat, 03-05 Mon, 03-26 Mon, 04-02 Mon, 04-05 Thu,
04-06 Good Friday, 04-09 Easter Monday, 04-10 Tue. as_at = 2012-04-20 (Fri).
"""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import build, fact, load, mv, value

AS_AT = "2012-04-20"

WORKERS = [
    dict(worker_id="w1", qualified_social_worker=True),
    dict(worker_id="w2", qualified_social_worker=False),
    # In post 10-20 March only: a case left with w3 after the 20th is unallocated.
    dict(
        worker_id="w3", qualified_social_worker=True, start_date="2012-03-10", end_date="2012-03-20"
    ),
    # Starts 16 April: an allocation to w4 starting before that never counts.
    dict(worker_id="w4", qualified_social_worker=True, start_date="2012-04-16"),
    # Leaves after as_at: the end is blank, so in post throughout.
    dict(worker_id="w5", qualified_social_worker=True, end_date="2012-05-01"),
]


def _r(rid, child, date, team=None, nfa=None, closure=None):
    return dict(
        referral_id=rid, child_id=child, referral_date=date, team=team, nfa=nfa,
        closure_date=closure,
    )  # fmt: skip


def _al(aid, child, worker, start, end=None):
    return dict(allocation_id=aid, child_id=child, worker_id=worker, start_date=start, end_date=end)


REFERRALS = [
    # Sat 3 Mar, allocated Mon 5 Mar: wd = 1.
    _r("R1", "c1", "2012-03-03", "A"),
    # Allocated since February, open on the referral date: delay 0.
    _r("R2", "c2", "2012-03-06", "A"),
    # Thu 5 Apr, allocated Tue 10 Apr over Easter: 6th and 9th are holidays -> wd = 1.
    _r("R3", "c3", "2012-04-05", "A"),
    # Unqualified allocation on the day does not count; qualified from Mon 12 Mar:
    # wd(1 Mar, 12 Mar) = 2, 5-9, 12 = 7 > 5.
    _r("R4", "c4", "2012-03-01", "B"),
    # w3 allocated on the day: delay 0; but w3 leaves on the 20th, so unallocated at 31 March.
    _r("R5", "c5", "2012-03-12", "B"),
    # Only an allocation to w4 before w4 was in post: never allocated; wd(5 Mar, as_at) >= 5.
    _r("R6", "c6", "2012-03-05", "B"),
    # Wed 18 Apr, unallocated: wd(18 Apr, 20 Apr) = 2 < 5, window running -> left out.
    _r("R7", "c7", "2012-04-18", "A"),
    # NFA: out of every allocation measure.
    _r("R8", "c8", "2012-03-20", "A", nfa=True, closure="2012-03-20"),
    # Episode closed 16 Mar; the allocation on the 19th is outside the window: unallocated.
    _r("R9", "c9", "2012-03-14", "B", closure="2012-03-16"),
    # An allocation starting and ending on the 26th is not open on it; the next, Mon 2 Apr:
    # wd(26 Mar, 2 Apr) = 27, 28, 29, 30, 2 = 5 <= 5 (the boundary).
    _r("R10", "c10", "2012-03-26", "A"),
    # The allocation starts after as_at: ignored. wd(2 Apr, 20 Apr) = 12 >= 5.
    _r("R11", "c11", "2012-04-02", None),
]

ALLOCATIONS = [
    _al("x1", "c1", "w1", "2012-03-05"),
    _al("x2", "c2", "w1", "2012-02-01"),
    _al("x3", "c3", "w1", "2012-04-10"),
    _al("x4a", "c4", "w2", "2012-03-01"),
    _al("x4b", "c4", "w1", "2012-03-12"),
    _al("x5", "c5", "w3", "2012-03-12"),
    _al("x6", "c6", "w4", "2012-03-07"),
    _al("x9", "c9", "w1", "2012-03-19"),
    _al("x10a", "c10", "w5", "2012-03-26", "2012-03-26"),
    _al("x10b", "c10", "w1", "2012-04-02"),
    _al("x11", "c11", "w1", "2012-04-23"),
]

PLANS = [
    # c12: a plan and no allocation; c6 also has a plan (counted once, under its referral's
    # team B, the most recently started open case).
    dict(plan_id="p12", child_id="c12", start_date="2012-03-01", team="P"),
    dict(plan_id="p6", child_id="c6", start_date="2012-02-01", team="P"),
]


def _load(con, plans=True, workers=True):
    # A contact on 15 Feb makes the periods start in February (before any referral).
    contact = dict(contact_id="k1", child_id="c0", contact_datetime="2012-02-15 10:00")
    load(con, "contacts", [contact])
    load(con, "referrals", REFERRALS)
    load(con, "assessments", [])
    load(con, "allocations", ALLOCATIONS)
    if workers:
        load(con, "workers", WORKERS)
    if plans:
        load(con, "cp_plans", PLANS)
    return build(con, AS_AT)


@pytest.fixture
def built(con):
    _load(con)
    return con


def test_allocation_delay_median(built):
    # March referrals not NFA: R1 (1), R2 (0), R4 (7), R5 (0), R6 (-), R9 (-), R10 (5).
    # Allocated delays 0, 0, 1, 5, 7 -> median 1. April: R3 (1) only -> 1.
    row = mv(built, "allocation_delay_median_wd", "2012-03")
    assert (row["numerator"], row["denominator"], row["value"]) == (None, None, 1)
    assert value(built, "allocation_delay_median_wd", "2012-04") == 1
    # Team B in March: R4 (7), R5 (0) -> median 3.5.
    assert (
        value(built, "allocation_delay_median_wd", "2012-03", breakdown="team", breakdown_value="B")
        == 3.5
    )
    # February: no referrals -> NULL.
    assert value(built, "allocation_delay_median_wd", "2012-02") is None


def test_allocated_within_5wd(built):
    # March: within 5 = R1, R2, R5, R10 = 4; denominator all 7 (no window still running).
    row = mv(built, "allocated_within_5wd_pct", "2012-03")
    assert (row["numerator"], row["denominator"]) == (4, 7)
    assert row["value"] == pytest.approx(400 / 7)
    # April: R3 within; R7 window running (left out); R11 unallocated -> 1/2.
    row = mv(built, "allocated_within_5wd_pct", "2012-04")
    assert (row["numerator"], row["denominator"], row["value"]) == (1, 2, 50.0)
    # February: 0/0 -> NULL.
    row = mv(built, "allocated_within_5wd_pct", "2012-02")
    assert (row["numerator"], row["denominator"], row["value"]) == (0, 0, None)


def test_unallocated_open_cases_with_plans(built):
    # 31 March: c5 (w3 gone), c6 (w4 never counts), c10 (w1 only from 2 Apr), c12 (plan) = 4.
    # c1, c2, c4 allocated; c9 closed; c8 NFA; c3, c7, c11 not referred yet.
    assert value(built, "unallocated_open_cases", "2012-03") == 4
    # as_at 20 April: c5, c6, c7, c11 (allocation after as_at ignored), c12 = 5.
    assert value(built, "unallocated_open_cases", "2012-04") == 5
    # 29 Feb: c6's plan (from 1 Feb) and c12's plan (from 1 Mar) -> only c6 = 1, team P.
    assert value(built, "unallocated_open_cases", "2012-02") == 1
    # 31 March by team: B = c5, c6 (its referral started after its plan); A = c10; P = c12.
    teams = {
        t: value(built, "unallocated_open_cases", "2012-03", breakdown="team", breakdown_value=t)
        for t in ("A", "B", "P")
    }
    assert teams == {"A": 1, "B": 2, "P": 1}
    assert sum(teams.values()) == value(built, "unallocated_open_cases", "2012-03")
    # Team P holds only plans: it has unallocated_open_cases rows but no referral-delay rows.
    assert (
        mv(built, "allocated_within_5wd_pct", "2012-03", breakdown="team", breakdown_value="P")
        is None
    )


def test_unallocated_wait_median(built):
    # 31 March (Sat), the waiting children and W, the start of each one's current wait:
    #   c5: referral 12 Mar; w3's allocation ended when w3 left on Tue 20 Mar -> W = 20 Mar,
    #       wd = 21-23 Mar (3) + 26-30 Mar (5) = 8
    #   c6: plan from Wed 1 Feb (before its referral of 5 Mar); never qualified-allocated ->
    #       W = 1 Feb, wd = 20 working days left in February + 22 in March = 42
    #   c10: referral Mon 26 Mar; w5's allocation began and ended that day -> W = 26 Mar, wd = 4
    #   c12: plan from Thu 1 Mar, no allocation -> wd = 21
    # 4, 8, 21, 42 -> median 14.5.
    row = mv(built, "unallocated_wait_median_wd", "2012-03")
    assert (row["numerator"], row["denominator"], row["value"]) == (None, None, 14.5)
    # By the team unallocated_open_cases counts them under: B = c5 (8), c6 (42); A = c10; P = c12.
    teams = {
        t: value(
            built, "unallocated_wait_median_wd", "2012-03", breakdown="team", breakdown_value=t
        )
        for t in ("A", "B", "P")
    }
    assert teams == {"A": 4, "B": 25, "P": 21}
    # as_at, Fri 20 April (Good Friday and Easter Monday are not working days): c5 21, c6 55,
    # c7 (18 Apr) 2, c11 (2 Apr) 12, c12 34 -> median 21.
    assert value(built, "unallocated_wait_median_wd", "2012-04") == 21
    # 29 February: c6 alone, 20 working days since 1 Feb.
    assert value(built, "unallocated_wait_median_wd", "2012-02") == 20
    # A team with no child waiting at T has a row with no median (nothing to measure).
    assert (
        value(built, "unallocated_wait_median_wd", "2012-02", breakdown="team", breakdown_value="A")
        is None
    )


def test_unallocated_without_plans(con):
    # cp_plans.csv absent: only referrals count. 31 March: c5, c6, c10 = 3.
    _load(con, plans=False)
    assert value(con, "unallocated_open_cases", "2012-03") == 3
    assert value(con, "unallocated_open_cases", "2012-04") == 4


def test_absent_workers_writes_no_allocation_metric(con):
    # Without workers.csv nobody is known to be qualified: the family is not written at all.
    result = _load(con, workers=False)
    assert "metrics_allocations" in result.dropped
    n = con.execute(
        "SELECT count(*) FROM marts.metric_values WHERE metric_id IN "
        "('allocation_delay_median_wd', 'allocated_within_5wd_pct', 'unallocated_open_cases')"
    ).fetchall()[0][0]
    assert n == 0
    assert value(con, "referrals", "2012-03") == 8  # the rest of the run is there
    # fact_referrals is there; the allocation of each referral is unknown, so its table is not.
    assert con.execute("SELECT count(*) FROM marts.fact_referrals").fetchall()[0][0] == 11
    assert "fact_referral_allocations" in result.dropped


def test_fact_allocations(built):
    rows = {r["allocation_id"]: r for r in fact(built, "SELECT * FROM marts.fact_allocations")}
    assert "x11" not in rows  # starts after as_at
    assert rows["x5"]["qualified_start"] == dt.date(2012, 3, 12)
    assert rows["x5"]["qualified_end"] == dt.date(2012, 3, 20)  # the worker left
    assert not rows["x6"]["counts_as_allocation"] and rows["x6"]["qualified_start"] is None
    assert rows["x4a"]["counts_as_allocation"] and rows["x4a"]["qualified_start"] is None
    assert rows["x10b"]["qualified_end"] is None
    refs = {
        r["referral_id"]: r
        for r in fact(
            built,
            "SELECT * FROM marts.fact_referrals "
            "JOIN marts.fact_referral_allocations USING (referral_key)",
        )
    }
    assert refs["R1"]["allocation_date"] == dt.date(2012, 3, 5)
    assert refs["R1"]["allocation_delay_wd"] == 1
    assert refs["R10"]["allocation_date"] == dt.date(2012, 4, 2)
    assert refs["R10"]["allocation_delay_wd"] == 5 and refs["R10"]["allocated_within_5wd"]
    assert refs["R7"]["allocation_window_running"]
    assert refs["R9"]["allocation_date"] is None
