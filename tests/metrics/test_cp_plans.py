"""Child protection plans (sql/marts/50_cp_plans.sql, 51_cp_rate.sql), answers worked by hand.

as_at 2014-03-15; periods from January 2012. Snapshots are taken at each period end.
"""

from __future__ import annotations

import pytest

from tests.metrics._cp_helpers import build, d, metric, metric_ids

FILES = ("metrics_cp_plans", "metrics_cp_rate")
AS_AT = "2014-03-15"


def plan(plan_id, child, start, end=None, team=None, previous=None):
    return {
        "plan_id": plan_id,
        "child_id": child,
        "start_date": d(start),
        "end_date": d(end) if end else None,
        "team": team,
        "number_of_previous_plans": previous,
    }


PLANS = [
    plan("P1", "C1", "2012-02-29", team="A"),  # open; 29 February start
    plan("P2", "C2", "2012-02-29", "2014-02-28", team="A"),  # ends exactly start + 2 years
    plan("P3", "C3", "2013-06-10", "2014-02-27", team="B"),
    plan("P4", "C3", "2014-03-01", team="B"),  # second: C3 had P3 (previous blank)
    plan("P5", "C4", "2014-03-03", team=" ", previous=1),  # second: recorded previous plan
    plan("P6", "C5", "2014-03-05", team="A", previous=0),  # first
    plan("P7", "C6", "2014-04-01", team="A"),  # starts after as_at: ignored
    plan("P8", "C1", "2014-03-10", team="B"),  # C1's second open plan (P1 earlier)
    plan("P9", "C7", "2013-01-01", "2014-05-01", team="A"),  # end after as_at: still open
]
POPULATION = [
    {"year": 2012, "children_0_17": 50000},
    {"year": 2014, "children_0_17": 60000},  # 2013 missing
]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    tables = {"cp_plans": PLANS, "population": POPULATION}
    return build(tables, AS_AT, FILES, "2012-01-01")


def test_started_and_second_or_subsequent(con):
    # Feb 2012: P1, P2 (different children, no previous) -> 2 started, 0 / 2 repeat
    assert metric(con, "cp_plans_started", "2012-02") == (2, None, 2)
    assert metric(con, "cp_second_or_subsequent_pct", "2012-02") == (0, 2, 0.0)
    # Mar 2014 (to as_at): P4 (B, earlier P3), P5 ((none), previous 1), P6 (A, previous 0),
    # P8 (B, earlier P1); P7 after as_at -> 4 started, 3 repeat = 75%
    assert metric(con, "cp_plans_started", "2014-03") == (4, None, 4)
    assert metric(con, "cp_second_or_subsequent_pct", "2014-03") == (3, 4, 75.0)
    assert metric(con, "cp_second_or_subsequent_pct", "2014-03", "B") == (2, 2, 100.0)
    assert metric(con, "cp_second_or_subsequent_pct", "2014-03", "A") == (0, 1, 0.0)
    assert metric(con, "cp_second_or_subsequent_pct", "2014-03", "(none)") == (1, 1, 100.0)
    # FY 2013-14: P3 (June 2013) + the four in March
    assert metric(con, "cp_plans_started", "2013-14") == (5, None, 5)
    # nothing started: 0, 0, NULL
    assert metric(con, "cp_second_or_subsequent_pct", "2013-02") == (0, 0, None)


def test_ended_and_ended_2y_plus_on_29_february(con):
    # Feb 2014: P2 ended 2014-02-28 >= 2012-02-29 + 2y = 2014-02-28 (yes), P3 (no)
    assert metric(con, "cp_plans_ended", "2014-02") == (2, None, 2)
    assert metric(con, "cp_ended_2y_plus_pct", "2014-02") == (1, 2, 50.0)
    assert metric(con, "cp_ended_2y_plus_pct", "2014-02", "A") == (1, 1, 100.0)
    assert metric(con, "cp_ended_2y_plus_pct", "2014-02", "B") == (0, 1, 0.0)
    # March: P9's end (2014-05-01) is after as_at, so nothing ended
    assert metric(con, "cp_plans_ended", "2014-03") == (0, None, 0)
    assert metric(con, "cp_ended_2y_plus_pct", "2014-03") == (0, 0, None)


def test_open_children_at_period_end(con):
    # 31 Jan 2014: P1 (C1 A), P2 (C2 A), P3 (C3 B), P9 (C7 A) -> 4 children
    assert metric(con, "cp_plans_open", "2014-01") == (4, None, 4)
    # 28 Feb 2014: P2 ended ON T and P3 before it, so not open; P1, P9 -> 2
    assert metric(con, "cp_plans_open", "2014-02") == (2, None, 2)
    # 15 Mar 2014: C1 (P1 and P8: once, under B, the plan started last), C3 (B), C4 ((none)),
    # C5 (A), C7 (A) -> 5 = B 2 + (none) 1 + A 2
    assert metric(con, "cp_plans_open", "2014-03") == (5, None, 5)
    assert metric(con, "cp_plans_open", "2014-03", "B") == (2, None, 2)
    assert metric(con, "cp_plans_open", "2014-03", "A") == (2, None, 2)
    assert metric(con, "cp_plans_open", "2014-03", "(none)") == (1, None, 1)
    assert metric(con, "cp_plans_open", "2013-14") == (5, None, 5)


def test_open_2y_plus_is_start_on_or_before_t_minus_2_years(con):
    # 28 Feb 2014: T - 2y = 2012-02-28; P1 started 2012-02-29 is not yet 2y+; P9 neither -> 0/2
    assert metric(con, "cp_plans_2y_plus_pct", "2014-02") == (0, 2, 0.0)
    # 15 Mar 2014: T - 2y = 2012-03-15; open plans P1 P4 P5 P6 P8 P9 -> P1 only: 1/6
    assert metric(con, "cp_plans_2y_plus_pct", "2014-03") == pytest.approx((1, 6, 100 / 6))
    assert metric(con, "cp_plans_2y_plus_pct", "2014-03", "A") == pytest.approx((1, 3, 100 / 3))
    assert metric(con, "cp_plans_2y_plus_pct", "2014-03", "B") == (0, 2, 0.0)
    # 31 Dec 2011 does not exist as a period; before any plan: 0/0 -> NULL
    assert metric(con, "cp_plans_2y_plus_pct", "2012-01") == (0, 0, None)


def test_fact_flags(con):
    rows = dict(
        (r[0], r[1:])
        for r in con.execute(
            "SELECT plan_id, two_years_after_start, ended_2y_plus, open_at_as_at, second_or_subsequent "
            "FROM marts.fact_cp_plans"
        ).fetchall()
    )
    assert "P7" not in rows
    assert rows["P2"] == (d("2014-02-28"), True, False, False)
    assert rows["P9"] == (d("2015-01-01"), False, True, False)  # end after as_at blanked
    assert rows["P4"][3] is True


def test_rate_uses_financial_year_start_population_with_fallback(con):
    # 30 Apr 2012, FY 2012-13 -> year 2012 = 50,000; open P1, P2 -> 2 -> 10,000 x 2 / 50,000
    assert metric(con, "cp_plans_rate_per_10k", "2012-04") == (2, 50000, 0.4)
    # 31 Jan 2014, FY 2013-14 -> 2013 missing -> 2012 (not 2014); 4 children -> 0.8
    assert metric(con, "cp_plans_rate_per_10k", "2014-01") == (4, 50000, 0.8)
    assert metric(con, "cp_plans_rate_per_10k", "2013-14") == (5, 50000, 1.0)
    # 31 Jan 2012, FY 2011-12 -> 2011 and nothing earlier: all three NULL
    assert metric(con, "cp_plans_rate_per_10k", "2012-01") == (None, None, None)
    assert metric(con, "cp_plans_rate_per_10k", "2011-12") == (None, None, None)
    # population has no team: only all/ALL rows
    assert con.execute(
        "SELECT DISTINCT breakdown FROM marts.metric_values WHERE metric_id = 'cp_plans_rate_per_10k'"
    ).fetchall() == [("all",)]


def test_team_rows_sum_to_all(con):
    bad = con.execute(
        """
        SELECT metric_id, period_label
        FROM marts.metric_values
        WHERE metric_id LIKE 'cp_%' AND metric_id <> 'cp_plans_rate_per_10k'
        GROUP BY ALL
        HAVING sum(numerator) FILTER (WHERE breakdown = 'team') <> sum(numerator) FILTER (WHERE breakdown = 'all')
            OR sum(denominator) FILTER (WHERE breakdown = 'team') <> sum(denominator) FILTER (WHERE breakdown = 'all')
        """
    ).fetchall()
    assert bad == []


def test_absent_files(tmp_path):
    con = build({"cp_plans": PLANS}, AS_AT, FILES, "2012-01-01")
    ids = metric_ids(con)
    assert "cp_plans_open" in ids
    assert "cp_plans_rate_per_10k" not in ids  # no population.csv
    con = build({}, AS_AT, FILES, "2012-01-01")
    assert not any(m.startswith("cp_") for m in metric_ids(con))


# --- cp_reviews_timely_pct (sql/marts/52_cp_reviews.sql) -----------------------------------
# as_at 2013-06-30, periods from January 2012. At each period end T a plan is measured when open
# at T and started on or before T - 3 months (calendar months clamped: 2012-04-30 - 3 months is
# 2012-01-30, 2012-02-29 - 3 months is 2011-11-29).

REVIEW_FILES = ("metrics_cp_plans", "metrics_cp_reviews")
REVIEW_AS_AT = "2013-06-30"


def rplan(plan_id, start, team, end=None):
    return {
        "plan_id": plan_id,
        "child_id": f"K{plan_id}",
        "start_date": d(start),
        "end_date": d(end) if end else None,
        "team": team,
    }


REVIEW_PLANS = [
    rplan("Q1", "2012-01-15", "A"),  # reviews exactly on each due date
    rplan("Q2", "2012-01-15", "B"),  # first review one day late
    rplan("Q3", "2012-01-31", "A"),  # never reviewed
    rplan("Q4", "2012-02-29", "B", end="2012-05-31"),  # ends before it is ever measured
    rplan("Q5", "2011-11-30", "A"),  # first due 2012-02-29 (clamped), reviewed that day
    rplan("Q6", "2012-01-15", "A"),  # second review late
]
REVIEWS = [
    ("Q1", "2012-04-15"),  # = start + 3 months: on time
    ("Q1", "2012-10-15"),  # = previous + 6 months: on time
    ("Q1", "2013-04-15"),
    ("Q1", "2013-10-15"),  # after as_at: not yet held
    ("Q2", "2012-04-16"),  # one day late: chain broken for good
    ("Q2", "2012-10-16"),
    ("Q5", "2012-02-29"),
    ("Q6", "2012-04-10"),
    ("Q6", "2012-10-15"),  # due 2012-10-10: late
]


@pytest.fixture(scope="module")
def rcon(tmp_path_factory):
    tables = {
        "cp_plans": REVIEW_PLANS,
        "cp_reviews": [{"plan_id": p, "review_date": d(r)} for p, r in REVIEWS],
    }
    return build(tables, REVIEW_AS_AT, REVIEW_FILES, "2012-01-01")


def test_nothing_measured_gives_null(rcon):
    # 31 Jan 2012: T - 3m = 2011-10-31, every plan later. 29 Feb: T - 3m = 2011-11-29 < Q5 start.
    assert metric(rcon, "cp_reviews_timely_pct", "2012-01") == (0, 0, None)
    assert metric(rcon, "cp_reviews_timely_pct", "2012-02") == (0, 0, None)


def test_first_review_on_clamped_due_date(rcon):
    # 31 Mar 2012: only Q5 (T - 3m = 2011-12-31); reviewed 2012-02-29 = 2011-11-30 + 3m: 1/1
    assert metric(rcon, "cp_reviews_timely_pct", "2012-03") == (1, 1, 100.0)


def test_first_review_exact_versus_one_day_late(rcon):
    # 30 Apr 2012: T - 3m = 2012-01-30 -> Q1, Q2, Q5, Q6 (Q3 starts 01-31, Q4 02-29).
    # Q1 reviewed 04-15 = due (yes); Q2 04-16 (no); Q5 next due 08-29 (yes); Q6 04-10 (yes): 3/4
    assert metric(rcon, "cp_reviews_timely_pct", "2012-04") == (3, 4, 75.0)
    assert metric(rcon, "cp_reviews_timely_pct", "2012-04", "A") == (3, 3, 100.0)
    assert metric(rcon, "cp_reviews_timely_pct", "2012-04", "B") == (0, 1, 0.0)


def test_unreviewed_plan_overdue_and_ended_plan_left_out(rcon):
    # 31 May 2012: T - 3m = 2012-02-29 -> Q1, Q2, Q3, Q5, Q6 measured; Q4 ended ON T: not open.
    # Q3 no review, due 2012-04-30 < T (no); Q2 broken (no); Q1, Q5, Q6 yes: 3/5
    assert metric(rcon, "cp_reviews_timely_pct", "2012-05") == (3, 5, 60.0)


def test_review_chains_later_in_time(rcon):
    # 31 Oct 2012: Q1 10-15 on time (yes); Q2 broken; Q3 never; Q5 due 08-29 passed; Q6's
    # 10-15 was due 10-10 (no): 1/5
    assert metric(rcon, "cp_reviews_timely_pct", "2012-10") == (1, 5, 20.0)
    # 30 Sep 2012: Q6 still fine (next due 10-10), Q5 not (08-29): Q1, Q6 -> 2/5
    assert metric(rcon, "cp_reviews_timely_pct", "2012-09") == (2, 5, 40.0)
    # as_at 2013-06-30: Q1 (2013-04-15 on time, next due 2013-10-15) only: 1/5
    assert metric(rcon, "cp_reviews_timely_pct", "2013-06") == (1, 5, 20.0)
    assert metric(rcon, "cp_reviews_timely_pct", "2013-14") == (1, 5, 20.0)


def test_plan_fact_review_status_at_as_at(rcon):
    rows = {
        r[0]: r[1:]
        for r in rcon.execute(
            "SELECT plan_id, reviews_to_as_at, next_review_due, review_measured_at_as_at, "
            "reviews_timely_at_as_at FROM marts.fact_cp_plan_reviews"
        ).fetchall()
    }
    assert rows["Q1"] == (3, d("2013-10-15"), True, True)  # the October 2013 review not yet held
    assert rows["Q3"] == (0, d("2012-04-30"), True, False)
    assert rows["Q4"] == (0, None, False, None)  # ended: not measured
    late = rcon.execute(
        "SELECT plan_id, review_date, due_date FROM marts.fact_cp_reviews WHERE NOT on_time ORDER BY 1"
    ).fetchall()
    assert late == [
        ("Q2", d("2012-04-16"), d("2012-04-15")),
        ("Q6", d("2012-10-15"), d("2012-10-10")),
    ]


def test_absent_reviews_file_writes_no_review_metric(tmp_path):
    con = build({"cp_plans": REVIEW_PLANS}, REVIEW_AS_AT, REVIEW_FILES, "2012-01-01")
    ids = metric_ids(con)
    assert "cp_plans_open" in ids
    assert "cp_reviews_timely_pct" not in ids


# --- cp_seen_alone_pct (sql/marts/54_cp_visits.sql) ---------------------------------------
VISIT_FILES = ("metrics_cp_plans", "metrics_cp_visits")
VISIT_AS_AT = "2013-03-31"
VISIT_PLANS = [
    {"plan_id": "V1", "child_id": "KV1", "start_date": d("2013-01-05"), "team": "A"},
    {"plan_id": "V2", "child_id": "KV2", "start_date": d("2013-01-05"), "team": "B"},
    {"plan_id": "V3", "child_id": "KV3", "start_date": d("2013-01-05"), "team": "A"},
    {
        "plan_id": "V4",
        "child_id": "KV4",
        "start_date": d("2012-12-01"),
        "end_date": d("2013-01-31"),
        "team": "B",
    },
    {"plan_id": "V5", "child_id": "KV5", "start_date": d("2013-02-01"), "team": "A"},
]
VISITS = [
    ("V1", "2013-01-10", False),
    ("V1", "2013-01-10", True),  # same date: any seen alone -> seen alone
    ("V1", "2013-02-20", None),  # blank: not seen alone
    ("V2", "2013-01-20", True),
    ("V2", "2013-02-28", False),  # on T itself: the latest visit at 28 Feb
    ("V3", "2013-03-15", True),
    ("V4", "2013-01-15", True),  # plan ended on 31 Jan: not open at T
    ("V5", "2013-04-05", True),  # after as_at: not yet happened
]


@pytest.fixture(scope="module")
def vcon(tmp_path_factory):
    tables = {
        "cp_plans": VISIT_PLANS,
        "cp_visits": [{"plan_id": p, "visit_date": d(v), "seen_alone": s} for p, v, s in VISITS],
    }
    return build(tables, VISIT_AS_AT, VISIT_FILES, "2013-01-01")


def test_seen_alone_latest_visit(vcon):
    # 31 Jan: V1 latest 01-10 (two visits, one alone: yes), V2 01-20 (yes); V3 no visit yet;
    # V4 ended on T -> 2/2
    assert metric(vcon, "cp_seen_alone_pct", "2013-01") == (2, 2, 100.0)
    assert metric(vcon, "cp_seen_alone_pct", "2013-01", "A") == (1, 1, 100.0)
    # 28 Feb: V1 latest 02-20 blank (no), V2 02-28 not alone (no); V3, V5 no visit -> 0/2
    assert metric(vcon, "cp_seen_alone_pct", "2013-02") == (0, 2, 0.0)
    # 31 Mar: V1 no, V2 no, V3 03-15 yes; V5's visit is after as_at -> 1/3
    assert metric(vcon, "cp_seen_alone_pct", "2013-03") == pytest.approx((1, 3, 100 / 3))
    assert metric(vcon, "cp_seen_alone_pct", "2012-13") == pytest.approx((1, 3, 100 / 3))
    assert metric(vcon, "cp_seen_alone_pct", "2013-03", "B") == (0, 1, 0.0)


def test_seen_alone_fact_and_absent_file(vcon, tmp_path):
    rows = {
        r[0]: r[1:]
        for r in vcon.execute(
            "SELECT plan_id, visits_to_as_at, latest_visit_date, latest_visit_seen_alone "
            "FROM marts.fact_cp_plan_visits"
        ).fetchall()
    }
    assert rows["V1"] == (3, d("2013-02-20"), False)
    assert rows["V5"] == (0, None, None)
    con = build({"cp_plans": VISIT_PLANS}, VISIT_AS_AT, VISIT_FILES, "2013-01-01")
    assert "cp_seen_alone_pct" not in metric_ids(con)


# --- cp_allocated_qualified_pct (sql/marts/56_cp_allocated.sql) ----------------------------
ALLOC_FILES = ("metrics_cp_plans", "metrics_cp_allocated")
WORKERS = [
    {"worker_id": "W1", "qualified_social_worker": True},  # blank start: in post before the data
    {"worker_id": "W2", "qualified_social_worker": False},
    {"worker_id": "W3", "qualified_social_worker": True, "end_date": d("2013-02-15")},  # leaves
    {"worker_id": "W4", "qualified_social_worker": True, "start_date": d("2013-03-10")},
]
ALLOC_PLANS = [
    {"plan_id": f"PA{i}", "child_id": f"A{i}", "start_date": d("2013-01-01"), "team": t}
    for i, t in [(1, "A"), (2, "A"), (3, "B"), (4, "B"), (5, None)]
]


def alloc(aid, child, worker, start, end=None):
    return {
        "allocation_id": aid,
        "child_id": child,
        "worker_id": worker,
        "start_date": d(start),
        "end_date": d(end) if end else None,
    }


ALLOCATIONS = [
    alloc("L1", "A1", "W1", "2013-01-01"),
    alloc("L2", "A2", "W2", "2013-01-01"),  # unqualified worker
    alloc("L3", "A3", "W3", "2013-01-01"),  # worker leaves 15 Feb: unallocated from then
    alloc("L4", "A4", "W4", "2013-03-01"),  # worker not in post on the start day: never counts
    alloc("L5", "A4", "W1", "2013-01-10", "2013-01-31"),  # ends ON 31 Jan
    alloc("L6", "A5", "W1", "2013-02-01"),
]


@pytest.fixture(scope="module")
def acon(tmp_path_factory):
    tables = {"cp_plans": ALLOC_PLANS, "workers": WORKERS, "allocations": ALLOCATIONS}
    return build(tables, VISIT_AS_AT, ALLOC_FILES, "2013-01-01")


def test_cp_allocated_qualified(acon):
    # 31 Jan: A1 yes (W1), A2 no (unqualified), A3 yes (W3 still in post), A4 no (L5 ended on
    # T), A5 no (L6 starts 1 Feb) -> 2/5; A 1/2, B 1/2, (none) 0/1
    assert metric(acon, "cp_allocated_qualified_pct", "2013-01") == (2, 5, 40.0)
    assert metric(acon, "cp_allocated_qualified_pct", "2013-01", "A") == (1, 2, 50.0)
    assert metric(acon, "cp_allocated_qualified_pct", "2013-01", "B") == (1, 2, 50.0)
    assert metric(acon, "cp_allocated_qualified_pct", "2013-01", "(none)") == (0, 1, 0.0)
    # 28 Feb: A1 yes, A3 no (W3 gone), A5 yes -> 2/5; B 0/2, (none) 1/1
    assert metric(acon, "cp_allocated_qualified_pct", "2013-02") == (2, 5, 40.0)
    assert metric(acon, "cp_allocated_qualified_pct", "2013-02", "B") == (0, 2, 0.0)
    # 31 Mar: as February; L4 never counts though W4 is in post from 10 Mar -> 2/5
    assert metric(acon, "cp_allocated_qualified_pct", "2013-03") == (2, 5, 40.0)
    got = acon.execute(
        "SELECT child_id FROM marts.fact_cp_plans JOIN marts.fact_cp_plan_allocations "
        "USING (plan_id) WHERE child_qualified_allocation_at_as_at ORDER BY 1"
    ).fetchall()
    assert got == [("A1",), ("A5",)]


def test_cp_allocated_needs_allocations_and_workers(tmp_path):
    con = build(
        {"cp_plans": ALLOC_PLANS, "allocations": ALLOCATIONS},
        VISIT_AS_AT,
        ALLOC_FILES,
        "2013-01-01",
    )
    assert "cp_allocated_qualified_pct" not in metric_ids(con)
