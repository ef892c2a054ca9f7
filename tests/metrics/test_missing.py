"""Children missing and their return interviews (sql/marts/metrics_missing.sql), answers worked
out by hand: the 72-hour interview is return_date + 3 days in, + 4 out, and a return whose 3 days
are still running at as_at waits out of the denominator."""

from __future__ import annotations

import pytest

from tests.metrics._cp_helpers import build, d, metric, metric_ids

FILES = ("metrics_missing",)
AS_AT = "2013-03-31"


def episode(eid, start, returned=None, offered=None, interview=None, team="A"):
    return {
        "episode_id": eid,
        "child_id": f"C{eid}",
        "start_date": d(start),
        "return_date": d(returned) if returned else None,
        "return_interview_offered": offered,
        "return_interview_date": d(interview) if interview else None,
        "team": team,
    }


EPISODES = [
    episode("M1", "2013-01-05", "2013-01-06", True, "2013-01-09"),  # return + 3 days: in time
    episode("M2", "2013-01-07", "2013-01-08", True, "2013-01-12"),  # return + 4 days: late
    episode("M3", "2013-01-10", "2013-01-10", False, team="B"),  # none, window over
    episode("M4", "2013-03-27", "2013-03-28"),  # + 3 = as_at: window over, counted late
    episode("M5", "2013-03-29", "2013-03-29", True),  # + 3 > as_at: still running, out
    episode("M6", "2013-03-29", "2013-03-30", True, "2013-03-31"),  # held: in time
    episode("M7", "2013-03-30"),  # still missing
    episode("M8", "2013-04-02", "2013-04-03"),  # after as_at: ignored
    episode("M9", "2013-03-25", "2013-04-01"),  # return after as_at: still missing at as_at
]


@pytest.fixture(scope="module")
def con():
    return build({"missing_episodes": EPISODES}, AS_AT, FILES, "2013-01-02")


def test_missing_episodes_by_start_date(con):
    assert metric(con, "missing_episodes", "2013-01") == (3, None, 3)
    assert metric(con, "missing_episodes", "2013-01", "B") == (1, None, 1)
    assert metric(con, "missing_episodes", "2013-03") == (5, None, 5)  # M4 M5 M6 M7 M9
    assert metric(con, "missing_episodes", "2013-02") == (0, None, 0)


def test_return_interview_offered_by_return_date(con):
    # January returns M1 M2 M3: offered M1 M2. March returns M4 M5 M6: offered M5 M6.
    assert metric(con, "missing_rhi_offered_pct", "2013-01") == (2, 3, pytest.approx(200 / 3))
    assert metric(con, "missing_rhi_offered_pct", "2013-03") == (2, 3, pytest.approx(200 / 3))


def test_return_interview_within_72_hours(con):
    # January: M1 (day 3) in time; M2 (day 4) late; M3 none -> 1 of 3.
    assert metric(con, "missing_rhi_72h_pct", "2013-01") == (1, 3, pytest.approx(100 / 3))
    # March: M5's window still runs at as_at (left out); M4 late, M6 in time -> 1 of 2.
    assert metric(con, "missing_rhi_72h_pct", "2013-03") == (1, 2, 50.0)
    assert metric(con, "missing_rhi_72h_pct", "2012-13") == (2, 5, 40.0)


def test_absent_without_the_file():
    con = build({}, AS_AT, FILES, "2013-01-02")
    assert not {"missing_episodes", "missing_rhi_offered_pct", "missing_rhi_72h_pct"} & (
        metric_ids(con)
    )
