"""The 2013 letter's conference questions (sql/marts/metrics_conferences.sql): the child's
participation in ICPCs and review conferences, answers worked out by hand from docs/metrics.md.

Codes (extracts.md): views conveyed PN1, PN2, PN3, PN5, PN6; attended PN1-PN4; PN0 (under 4)
out of the denominator; blank in it, as neither.
"""

from __future__ import annotations

import pytest

from tests.metrics._cp_helpers import build, d, metric, metric_ids

FILES = ("metrics_conferences",)
AS_AT = "2013-03-31"
VIEWS, ATTENDED = "cp_conference_views_pct", "cp_conference_attended_pct"


def s47(s47_id, strategy, icpc, code, transfer_in=None):
    return {
        "s47_id": s47_id,
        "child_id": f"C{s47_id}",
        "strategy_discussion_date": d(strategy),
        "icpc_date": d(icpc),
        "icpc_transfer_in": transfer_in,
        "icpc_participation": code,
        "team": "A",
    }


ENQUIRIES = [
    s47("E1", "2013-01-02", "2013-01-10", "PN1"),  # attended, conveyed
    s47("E2", "2013-01-03", "2013-01-11", "PN0"),  # under 4: out of the denominator
    s47("E3", "2013-01-04", "2013-01-14", "PN5", transfer_in=True),  # transfer-in: counted
    s47("E4", "2013-01-07", "2013-01-15", None),  # blank: in the denominator, neither
    s47("E5", "2013-01-08", "2013-04-02", "PN1"),  # ICPC after as_at: not held
    s47("E6", "2013-01-08", "2013-01-16", "pn4 "),  # attended, views not conveyed (any case)
    s47("E7", "2013-01-09", "2013-01-17", "PN7"),  # neither
]
PLANS = [{"plan_id": "P1", "child_id": "K1", "start_date": d("2013-01-10"), "team": "B"}]
REVIEWS = [
    {"plan_id": "P1", "review_date": d("2013-02-05"), "participation": "PN2"},  # both
    {"plan_id": "P1", "review_date": d("2013-02-20"), "participation": "PN6"},  # conveyed only
    {"plan_id": "P1", "review_date": d("2013-03-01"), "participation": "PN0"},  # out
    {"plan_id": "P9", "review_date": d("2013-03-05"), "participation": "PN3"},  # no plan: (none)
]


@pytest.fixture(scope="module")
def con():
    tables = {"s47_enquiries": ENQUIRIES, "cp_plans": PLANS, "cp_reviews": REVIEWS}
    return build(tables, AS_AT, FILES, "2013-01-02")


def test_icpcs_with_pn0_left_out_blank_counted_and_transfer_ins_in(con):
    # January: E1 E3 E4 E6 E7 (E2 is PN0, E5 after as_at) = 5; conveyed E1 E3; attended E1 E6.
    assert metric(con, VIEWS, "2013-01") == (2, 5, 40.0)
    assert metric(con, ATTENDED, "2013-01") == (2, 5, 40.0)
    assert metric(con, VIEWS, "2013-01", "A") == (2, 5, 40.0)


def test_review_conferences_by_the_plan_team(con):
    # February: two reviews of P1 (team B): PN2 both, PN6 conveyed only.
    assert metric(con, VIEWS, "2013-02") == (2, 2, 100.0)
    assert metric(con, ATTENDED, "2013-02", "B") == (1, 2, 50.0)
    # March: the PN0 review is out; the review of a plan not in cp_plans.csv is under (none).
    assert metric(con, ATTENDED, "2013-03") == (1, 1, 100.0)
    assert metric(con, VIEWS, "2013-03", "(none)") == (1, 1, 100.0)
    assert metric(con, VIEWS, "2013-03", "B") == (0, 0, None)


def test_financial_year_adds_both_kinds(con):
    # 5 + 2 + 1 = 8 conferences; conveyed 2 + 2 + 1 = 5; attended 2 + 1 + 1 = 4.
    assert metric(con, VIEWS, "2012-13") == (5, 8, 62.5)
    assert metric(con, ATTENDED, "2012-13") == (4, 8, 50.0)


def test_absent_without_both_participation_columns():
    # An older extract: no participation recorded anywhere -> not written (absent, not zero).
    older = [{**e, "icpc_participation": None} for e in ENQUIRIES]
    tables = {"s47_enquiries": older, "cp_plans": PLANS, "cp_reviews": REVIEWS}
    con = build(tables, AS_AT, FILES, "2013-01-02")
    assert not {VIEWS, ATTENDED} & metric_ids(con)
    # Nor with the ICPC codes but no review codes, nor without cp_reviews.csv at all.
    bare = [{"plan_id": r["plan_id"], "review_date": r["review_date"]} for r in REVIEWS]
    con = build({"s47_enquiries": ENQUIRIES, "cp_plans": PLANS, "cp_reviews": bare}, AS_AT, FILES)
    assert not {VIEWS, ATTENDED} & metric_ids(con)
    con = build({"s47_enquiries": ENQUIRIES, "cp_plans": PLANS}, AS_AT, FILES, "2013-01-02")
    assert not {VIEWS, ATTENDED} & metric_ids(con)
