"""Early help and the 2013 letter (sql/marts/metrics_early_help_known.sql,
metrics_early_help_outcomes.sql), answers worked out by hand: the 30-day look-back is day 30 in,
day 31 out (10 February 2013 - 30 days = 11 January)."""

from __future__ import annotations

import pytest

from tests.metrics._cp_helpers import build, d, metric, metric_ids

FILES = ("metrics_early_help_known", "metrics_early_help_outcomes")
AS_AT = "2013-03-31"
KNOWN, MET = "referrals_known_to_early_help_pct", "early_help_outcomes_met_pct"


def referral(child, date):
    return {"referral_id": f"R{child}", "child_id": child, "referral_date": d(date), "team": "T"}


def episode(eid, child, start, end=None, reason=None):
    return {
        "episode_id": eid,
        "child_id": child,
        "start_date": d(start),
        "end_date": d(end) if end else None,
        "end_reason": reason,
    }


REFERRALS = [referral("K0", "2013-01-02")] + [
    referral(k, "2013-02-10") for k in ("K1", "K2", "K3", "K4", "K5")
]
EPISODES = [
    episode("E1", "K1", "2012-12-01", "2013-01-11"),  # ended 30 days before: known
    episode("E2", "K2", "2012-12-01", "2013-01-10"),  # ended 31 days before: not known
    episode("E3", "K3", "2013-02-10"),  # started on the referral date: known
    episode("E4", "K4", "2013-02-11"),  # started the day after: not known
    episode("E5", "K5", "2013-01-01", "2013-04-05"),  # ends after as_at: open, known
    episode("E6", None, "2013-01-01", "2013-03-04", "OUTCOMES_MET"),  # unlinked
    episode("E7", None, "2013-01-01", "2013-03-05"),  # no reason recorded: not met
    episode("E8", None, "2013-01-01", "2013-03-06", "STEP_UP"),
    episode("E9", None, "2013-01-01", "2013-03-07", " outcomes_met"),  # any case, trimmed
    episode("E10", None, "2013-01-01", "2013-04-02", "OUTCOMES_MET"),  # ends after as_at
]


@pytest.fixture(scope="module")
def con():
    return build({"referrals": REFERRALS, "early_help": EPISODES}, AS_AT, FILES)


def test_referrals_known_to_early_help_30_day_look_back(con):
    # February referrals K1-K5: known K1 (day 30), K3 (same day), K5 (open at as_at) -> 3 of 5.
    assert metric(con, KNOWN, "2013-02") == (3, 5, 60.0)
    assert metric(con, KNOWN, "2013-02", "T") == (3, 5, 60.0)
    assert metric(con, KNOWN, "2013-01") == (0, 1, 0.0)


def test_early_help_outcomes_met_by_end_date(con):
    # January ends: E1, E2 (no reason) -> 0 of 2. March: E6 E7 E8 E9 -> met E6 E9.
    assert metric(con, MET, "2013-01") == (0, 2, 0.0)
    assert metric(con, MET, "2013-03") == (2, 4, 50.0)
    assert metric(con, MET, "2013-02") == (0, 0, None)


def test_outcomes_absent_from_an_older_extract_known_still_written():
    older = [{**e, "end_reason": None} for e in EPISODES]
    con = build({"referrals": REFERRALS, "early_help": older}, AS_AT, FILES)
    assert MET not in metric_ids(con)
    assert KNOWN in metric_ids(con)
    con = build({"referrals": REFERRALS}, AS_AT, FILES)
    assert not {KNOWN, MET} & metric_ids(con)
