"""The 2013 letter's "working with the police" questions (sql/marts/metrics_strategy_police.sql,
metrics_s47_outcomes.sql, metrics_referral_police.sql), answers worked out by hand."""

from __future__ import annotations

import pytest

from tests.metrics._cp_helpers import build, d, metric, metric_ids

FILES = ("metrics_strategy_police", "metrics_s47_outcomes", "metrics_referral_police")
AS_AT = "2013-03-31"


def s47(s47_id, strategy, *, police=None, end=None, icpc=None, not_required=None, tin=None,
        plan=None):  # fmt: skip
    return {
        "s47_id": s47_id,
        "child_id": f"C{s47_id}",
        "strategy_discussion_date": d(strategy),
        "end_date": d(end) if end else None,
        "icpc_date": d(icpc) if icpc else None,
        "icpc_not_required": not_required,
        "icpc_transfer_in": tin,
        "icpc_resulted_in_plan": plan,
        "strategy_police_attended": police,
        "team": "A",
    }


ENQUIRIES = [
    s47("A", "2013-01-02", police=True, icpc="2013-01-10", plan=True),  # known: ICPC, plan
    s47("B", "2013-01-03", police=False, not_required=True),  # known: no conference needed
    s47("C", "2013-01-04", end="2013-01-20"),  # known: ended without a conference
    s47("D", "2013-01-07", police=True),  # open, nothing yet: outcome not known, left out
    s47("E", "2013-01-08", tin=True, icpc="2013-01-15", plan=True),  # transfer-in: left out
    s47("F", "2013-01-09", icpc="2013-04-05"),  # ICPC after as_at: not known yet
    s47("G", "2013-01-10", end="2013-04-03"),  # ended after as_at: not known yet
    s47("H", "2013-01-11", icpc="2013-01-25", plan=False),  # known: ICPC, no plan
    s47("I", "2013-01-14", icpc="2013-02-04", plan=True),  # January enquiry, February ICPC
]


def referral(rid, child, date, source):
    return {"referral_id": rid, "child_id": child, "referral_date": d(date), "source": source,
            "team": "T"}  # fmt: skip


REFERRALS = [
    referral("R1", "K1", "2013-01-02", "6"),  # police
    referral("R2", "K2", "2013-01-03", "1A"),  # K2's two copies on one date: one referral,
    referral("R3", "K2", "2013-01-03", "6"),  # police on one copy -> police
    referral("R4", "K3", "2013-01-04", None),  # no source: not police
    referral("R5", "K4", "2013-02-01", " 6 "),  # codes compared trimmed
]


@pytest.fixture(scope="module")
def con():
    return build({"s47_enquiries": ENQUIRIES, "referrals": REFERRALS}, AS_AT, FILES)


def test_strategy_police(con):
    # January enquiries A-I (9): police Y on A and D; blank counts as not Y.
    assert metric(con, "strategy_police_pct", "2013-01") == (2, 9, pytest.approx(200 / 9))
    assert metric(con, "strategy_police_pct", "2013-02") == (0, 0, None)


def test_s47_to_icpc_only_outcomes_known_and_no_transfer_ins(con):
    # Known by as_at: A (ICPC), B (not required), C (ended), H and I (ICPC) = 5; D, F, G not yet
    # known; E a transfer-in. With an ICPC: A, H, I.
    assert metric(con, "s47_to_icpc_pct", "2013-01") == (3, 5, 60.0)
    assert metric(con, "s47_to_icpc_pct", "2013-01", "A") == (3, 5, 60.0)


def test_icpc_to_plan_by_icpc_date_without_transfer_ins(con):
    # January ICPCs: A (plan), H (no plan); E is a transfer-in; F's ICPC is after as_at.
    assert metric(con, "icpc_to_plan_pct", "2013-01") == (1, 2, 50.0)
    assert metric(con, "icpc_to_plan_pct", "2013-02") == (1, 1, 100.0)
    assert metric(con, "icpc_to_plan_pct", "2013-03") == (0, 0, None)


def test_referral_police_on_merged_referrals(con):
    # January: K1 (police), K2 (two copies, one police), K3 (no source) -> 2 of 3.
    assert metric(con, "referral_police_pct", "2013-01") == (2, 3, pytest.approx(200 / 3))
    assert metric(con, "referral_police_pct", "2013-02", "T") == (1, 1, 100.0)
    assert metric(con, "referral_police_pct", "2012-13") == (3, 4, 75.0)


def test_strategy_police_absent_from_an_older_extract():
    older = [{**e, "strategy_police_attended": None} for e in ENQUIRIES]
    con = build({"s47_enquiries": older, "referrals": REFERRALS}, AS_AT, FILES)
    ids = metric_ids(con)
    assert "strategy_police_pct" not in ids
    # the police measures from columns every extract has are still written
    assert {"s47_to_icpc_pct", "icpc_to_plan_pct", "referral_police_pct"} <= ids
