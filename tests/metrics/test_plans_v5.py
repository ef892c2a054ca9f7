"""Plans and the 2013 letter (sql/marts/metrics_cin_plans.sql, metrics_assessment_plans.sql,
metrics_turnover.sql), answers worked out by hand.

Working days: wd(Mon 7 Jan 2013, Mon 21 Jan) = 8-11, 14-18, 21 = 10; to Tue 22 Jan = 11. as_at Thu
28 March 2013 (Good Friday is the 29th): wd(Wed 20 Mar, as_at) = 6, wd(Thu 14 Mar, as_at) = 10.
"""

from __future__ import annotations

import pytest

from tests.metrics._cp_helpers import build, d, metric, metric_ids

AS_AT = "2013-03-31"


def plan(pid, child, start, end=None, team="A"):
    return {
        "plan_id": pid,
        "child_id": child,
        "start_date": d(start),
        "end_date": d(end) if end else None,
        "team": team,
    }


CIN_PLANS = [
    plan("P1", "K1", "2013-01-05", "2013-02-10", "A"),
    plan("P2", "K1", "2013-01-25", team="B"),  # K1's latest open plan from 25 January
    plan("P3", "K2", "2013-01-20", "2013-01-31"),  # ends on 31 January: not open then
    plan("P5", "K3", "2013-03-05", team="C"),  # K3: two plans started the same day,
    plan("P4", "K3", "2013-03-05", team="A"),  # the lowest plan_id gives the team
    plan("P6", "K4", "2013-04-02"),  # starts after as_at
]


def test_cin_plans_open_counts_children_under_their_latest_plan():
    con = build({"cin_plans": CIN_PLANS}, AS_AT, ("metrics_cin_plans",), "2013-01-02")
    assert metric(con, "cin_plans_open", "2013-01") == (1, None, 1)
    assert metric(con, "cin_plans_open", "2013-01", "B") == (1, None, 1)
    assert metric(con, "cin_plans_open", "2013-01", "A") == (0, None, 0)
    assert metric(con, "cin_plans_open", "2013-03") == (2, None, 2)
    assert metric(con, "cin_plans_open", "2013-03", "A") == (1, None, 1)
    assert metric(con, "cin_plans_open", "2013-03", "C") == (0, None, 0)
    assert metric(con, "cin_plans_open", "2012-13") == (2, None, 2)
    con = build({}, AS_AT, ("metrics_cin_plans",), "2013-01-02")
    assert "cin_plans_open" not in metric_ids(con)


def assessment(aid, child, completed, further_action=True):
    start = d(completed).replace(day=1)
    return {
        "assessment_id": aid,
        "child_id": child,
        "assessment_type": "SINGLE",
        "start_date": start,
        "completed_date": d(completed),
        "further_action": further_action,
        "team": "A",
    }


ASSESSMENTS = [
    assessment("A1", "K1", "2013-01-07"),  # CIN plan 10 working days later: in time
    assessment("A2", "K2", "2013-01-07"),  # CP plan 11 working days later: not
    assessment("A3", "K3", "2013-01-08"),  # CIN plan already open: in time
    assessment("A4", "K4", "2013-01-08", further_action=False),  # no further action: out
    assessment("A5", "K5", "2013-01-09"),  # plan ended on the completed date: not open
    assessment("A6", "K6", "2013-03-20"),  # no plan, 6 working days to as_at: running, out
    assessment("A7", "K7", "2013-03-21"),  # CP plan 2 working days later: in time
    assessment("A8", "K8", "2013-03-01"),  # no plan, window over
    assessment("A9", "K9", "2013-03-14"),  # 10 working days to as_at: over; plan after as_at
]
AP_CIN = [
    plan("Q1", "K1", "2013-01-21"),
    plan("Q3", "K3", "2012-12-01"),
    plan("Q5", "K5", "2012-12-01", "2013-01-09"),
]
AP_CP = [
    plan("X2", "K2", "2013-01-22"),
    plan("X7", "K7", "2013-03-25"),
    plan("X9", "K9", "2013-04-02"),
]


def test_assessment_plan_within_10_working_days():
    tables = {"assessments": ASSESSMENTS, "cin_plans": AP_CIN, "cp_plans": AP_CP}
    con = build(tables, "2013-03-28", ("metrics_assessment_plans",), "2013-01-02")
    # January: A1 A2 A3 A5 (A4 no further action) -> A1, A3 in time.
    assert metric(con, "assessment_plan_10wd_pct", "2013-01") == (2, 4, 50.0)
    # March: A6 still running (out); A7 in time; A8, A9 not -> 1 of 3.
    assert metric(con, "assessment_plan_10wd_pct", "2013-03") == (1, 3, pytest.approx(100 / 3))
    assert metric(con, "assessment_plan_10wd_pct", "2013-03", "A") == (
        1,
        3,
        pytest.approx(100 / 3),
    )
    # Needs both plan files.
    con = build({"assessments": ASSESSMENTS, "cp_plans": AP_CP}, "2013-03-28",
                ("metrics_assessment_plans",), "2013-01-02")  # fmt: skip
    assert "assessment_plan_10wd_pct" not in metric_ids(con)


def worker(wid, end=None, start=None, employment="PERMANENT", qualified=True):
    return {
        "worker_id": wid,
        "team": "A",
        "qualified_social_worker": qualified,
        "employment": employment,
        "start_date": d(start) if start else None,
        "end_date": d(end) if end else None,
    }


WORKERS = [
    worker("W1", end="2012-02-28"),  # = T - 12 months for T = 28 Feb 2013: out (open end)
    worker("W2", end="2012-02-29"),  # just inside (T - 12 months, T]
    worker("W3", end="2013-02-28"),  # = T: in (closed end); not in post at T
    worker("W4", end="2013-03-01"),  # in post at 28 February; leaves in March
    worker("W5"),  # in post throughout
    worker("W6", end="2012-06-01", employment="AGENCY"),  # agency: not counted
    worker("W7", end="2012-06-01", qualified=False),  # not qualified: not counted
    worker("W8", start="2013-03-15"),  # starts in March
    worker("W9"),
    worker("W10", start="2013-03-20"),
]


def test_permanent_turnover_window_at_both_ends():
    con = build({"workers": WORKERS}, AS_AT, ("metrics_turnover",), "2013-02-01")
    # T = 28 Feb 2013: leavers W2, W3; in post W4, W5, W9.
    assert metric(con, "permanent_sw_turnover_12m_pct", "2013-02") == (
        2,
        3,
        pytest.approx(200 / 3),
    )
    # T = 31 Mar 2013: window (31 Mar 2012, 31 Mar 2013]: leavers W3, W4 (W2 now out); in post
    # W5, W8, W9, W10.
    assert metric(con, "permanent_sw_turnover_12m_pct", "2013-03") == (2, 4, 50.0)
    assert metric(con, "permanent_sw_turnover_12m_pct", "2013-03", "A") == (2, 4, 50.0)
