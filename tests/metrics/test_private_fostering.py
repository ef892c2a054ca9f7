"""Private fostering (sql/marts/metrics_private_fostering.sql), answers worked out by hand.

January 2013 has no bank holiday after New Year's Day; March 2013 none before Good Friday (29th).
wd(Mon 7 Jan, Wed 16 Jan) = 8, 9, 10, 11, 14, 15, 16 = 7; to Thu 17 Jan = 8. as_at Thu 28 March:
wd(Wed 20 Mar, as_at) = 21, 22, 25, 26, 27, 28 = 6 (still running); wd(Tue 19 Mar, as_at) = 7.
"""

from __future__ import annotations

import pytest

from tests.metrics._cp_helpers import build, d, metric, metric_ids

FILES = ("metrics_private_fostering",)
AS_AT = "2013-03-28"
VISIT = "pf_initial_visit_7wd_pct"


def arrangement(aid, notified, visited=None, team="A"):
    return {
        "arrangement_id": aid,
        "child_id": f"C{aid}",
        "notification_date": d(notified),
        "initial_visit_date": d(visited) if visited else None,
        "team": team,
    }


ARRANGEMENTS = [
    arrangement("F1", "2013-01-07", "2013-01-16"),  # 7 working days: in time
    arrangement("F2", "2013-01-07", "2013-01-17"),  # 8: late
    arrangement("F3", "2013-01-08", team="B"),  # never visited, window long over
    arrangement("F4", "2013-03-20"),  # 6 working days to as_at: still running, left out
    arrangement("F5", "2013-03-19"),  # 7 to as_at: window over, not visited
    arrangement("F6", "2013-03-18", "2013-03-29"),  # visit after as_at: not yet visited
    arrangement("F7", "2013-04-02"),  # notified after as_at: ignored
]


@pytest.fixture(scope="module")
def con():
    return build({"private_fostering": ARRANGEMENTS}, AS_AT, FILES, "2013-01-02")


def test_notifications(con):
    assert metric(con, "pf_notifications", "2013-01") == (3, None, 3)
    assert metric(con, "pf_notifications", "2013-03") == (3, None, 3)
    assert metric(con, "pf_notifications", "2013-01", "B") == (1, None, 1)


def test_initial_visit_within_7_working_days(con):
    assert metric(con, VISIT, "2013-01") == (1, 3, pytest.approx(100 / 3))
    assert metric(con, VISIT, "2013-01", "A") == (1, 2, 50.0)
    # March: F4 still running (out); F5 and F6 not visited in time -> 0 of 2.
    assert metric(con, VISIT, "2013-03") == (0, 2, 0.0)
    assert metric(con, VISIT, "2013-02") == (0, 0, None)


def test_absent_without_the_file():
    con = build({}, AS_AT, FILES, "2013-01-02")
    assert not {"pf_notifications", VISIT} & metric_ids(con)
