"""Assessment family and marts.fact_assessments. Expected figures worked out by hand below.

Calendar (England): 2010-04-02 Good Friday, 04-05 Easter Monday; 2012-05-07 May Day,
2012-06-04 and 06-05 (spring bank holiday moved, Diamond Jubilee). as_at = 2012-06-15 (Fri).
Limits: INITIAL 7 wd if started before 2010-04-01 else 10; CORE 35; SINGLE 45.
"""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import build, fact, load, mv, value

AS_AT = "2012-06-15"


def _a(aid, atype, start, done=None, seen=None, alone=None, team=None):
    return dict(
        assessment_id=aid,
        child_id="k" + aid,
        assessment_type=atype,
        start_date=start,
        completed_date=done,
        child_seen=seen,
        child_seen_alone=alone,
        team=team,
    )


ASSESSMENTS = [
    # Started Wed 31 Mar 2010 (limit 7). Done Mon 12 Apr: Apr 1 (1), [2, 5 holidays],
    # 6 7 8 9 (5), 12 (6) -> 6 <= 7, on time.
    _a("a1", "INITIAL", "2010-03-31", "2010-04-12"),
    # Started Thu 1 Apr 2010 (limit 10). Done Fri 16 Apr: 6-9 (4), 12-16 (9) -> on time.
    _a("a2", "initial", "2010-04-01", "2010-04-16"),
    # Started 31 Mar 2010 (limit 7). Done Wed 14 Apr: 1, 6-9, 12, 13, 14 -> 8 > 7, late
    # (it would be on time under the 10-day limit that starts the next day).
    _a("a3", "INITIAL", "2010-03-31", "2010-04-14"),
    # Fri 1 Jun 2012 -> Wed 6 Jun: Sat, Sun, Mon 4 and Tue 5 are not working days -> 1.
    _a("a4", "SINGLE", "2012-06-01", "2012-06-06", seen=True, alone=True, team="T1"),
    # Same-day completion -> 0.
    _a("a5", "SINGLE", "2012-06-06", "2012-06-06", seen=True, alone=False, team="T2"),
    # Completed before it started (data error): out of the timeliness measures only.
    _a("a6", "SINGLE", "2012-06-07", "2012-06-05", team="T1"),
    # Open, started Mon 2 Apr 2012. wd to 31 May = 40 (Apr: 3-5, 10-13, 16-20, 23-27, 30 = 18;
    # May: 1-4, 8-11, 14-18, 21-25, 28-31 = 22), to 15 Jun = 40 + 1 + 3 + 5 = 49 > 45: backlog
    # at as_at only. Its 45th working day is Mon 11 Jun: the due date.
    _a("a7", "SINGLE", "2012-04-02", team="T1"),
    # Completion after as_at: blank, so open. wd(1 May, 15 Jun) = 21 + 1 + 3 + 5 = 30 <= 35.
    _a("a8", "CORE", "2012-05-01", "2012-06-20", team="T2"),
    # Open, started Thu 31 May: wd to 15 Jun = 1 + 3 + 5 = 9 <= 10.
    _a("a9", "INITIAL", "2012-05-31"),
    # Completed ON 31 May, so not open at 31 May. wd(14 May, 31 May) = 4 + 5 + 4 = 13 > 10.
    _a("a10", "INITIAL", "2012-05-14", "2012-05-31"),
    # Completed 1 Jun, so open at 31 May with wd(16 May, 31 May) = 2 + 5 + 4 = 11 > 10: backlog
    # at 31 May. Completed at wd 12: late.
    _a("a11", "INITIAL", "2012-05-16", "2012-06-01", seen=True),
    # Starts after as_at: ignored.
    _a("a12", "SINGLE", "2012-06-18"),
    # CORE from Mon 9 Jan 2012 (no holidays until Easter): Jan 10-13 (4), 16-20 (9),
    # 23-27 (14), 30-31 (16), Feb 1-3 (19), 6-10 (24), 13-17 (29), 20-24 (34).
    # Done Fri 24 Feb: 34 <= 35, on time. Done Tue 28 Feb: 27th (35), 28th (36) > 35, late.
    _a("a13", "CORE", "2012-01-09", "2012-02-24"),
    _a("a14", "CORE", "2012-01-09", "2012-02-28"),
]


@pytest.fixture
def built(con):
    load(con, "contacts", [])
    # A referral in March 2010 makes the periods start there.
    load(con, "referrals", [dict(referral_id="r1", child_id="x", referral_date="2010-03-01")])
    load(con, "assessments", ASSESSMENTS)
    build(con, AS_AT)
    return con


def _nd(row):
    return (row["numerator"], row["denominator"], row["value"])


def test_initial_limit_changes_on_1_april_2010(built):
    # April 2010: a1 on time (6), a2 on time (9), a3 late (8) -> 2/3; median of 6, 8, 9 = 8.
    row = mv(built, "initial_assessment_timely_pct", "2010-04")
    assert (row["numerator"], row["denominator"]) == (2, 3)
    assert row["value"] == pytest.approx(200 / 3)
    assert value(built, "initial_assessment_median_wd", "2010-04") == 8
    assert value(built, "assessments_completed", "2010-04") == 3
    # FY 2010-11 holds April 2010: the same 3 (November 2010, also labelled 2010-11, has 0).
    assert value(built, "assessments_completed", "2010-11", period_type="financial_year") == 3
    assert value(built, "assessments_completed", "2010-11") == 0


def test_completed_and_timely_june_2012(built):
    # June (to as_at): a4, a5, a6 (error, still completed), a11 = 4 (a8 blanked).
    assert value(built, "assessments_completed", "2012-06") == 4
    # SINGLE: a4 (1) and a5 (0) on time; a6 left out -> 2/2; median of 1 and 0 = 0.5.
    assert _nd(mv(built, "single_assessment_timely_pct", "2012-06")) == (2, 2, 100.0)
    assert value(built, "single_assessment_median_wd", "2012-06") == 0.5
    # INITIAL: a11 (12 > 10) -> 0/1 = 0%; median 12.
    assert _nd(mv(built, "initial_assessment_timely_pct", "2012-06")) == (0, 1, 0.0)
    assert value(built, "initial_assessment_median_wd", "2012-06") == 12
    # CORE: none completed -> 0/0 NULL, median NULL (numerator and denominator NULL).
    assert _nd(mv(built, "core_assessment_timely_pct", "2012-06")) == (0, 0, None)
    assert _nd(mv(built, "core_assessment_median_wd", "2012-06")) == (None, None, None)
    # May: a10 (13 > 10) -> 0/1; median 13.
    assert _nd(mv(built, "initial_assessment_timely_pct", "2012-05")) == (0, 1, 0.0)
    assert value(built, "initial_assessment_median_wd", "2012-05") == 13


def test_core_timely_and_median(built):
    # Feb 2012: a13 on time (34), a14 late (36) -> 1/2 = 50%; median (34 + 36) / 2 = 35.
    assert _nd(mv(built, "core_assessment_timely_pct", "2012-02")) == (1, 2, 50.0)
    assert value(built, "core_assessment_median_wd", "2012-02") == 35
    # Open at 31 Jan 2012: both (started 9 Jan); neither past 35 (wd = 16): no backlog.
    assert value(built, "assessments_open", "2012-01") == 2
    assert value(built, "assessment_backlog", "2012-01") == 0


def test_open_and_backlog(built):
    # 31 May: a7, a8, a9 (started that day), a11 (completed 1 Jun) = 4; a10 ended on the day.
    assert value(built, "assessments_open", "2012-05") == 4
    # Backlog 31 May: a11 only (11 > 10); a7 40 <= 45, a8 21 <= 35, a9 0.
    assert value(built, "assessment_backlog", "2012-05") == 1
    # as_at 15 Jun: a7, a8 (completion after as_at), a9 = 3; backlog a7 (49 > 45) = 1.
    assert value(built, "assessments_open", "2012-06") == 3
    assert value(built, "assessment_backlog", "2012-06") == 1
    assert value(built, "assessments_open", "2011-12", period_type="financial_year") == 0


def test_child_seen(built):
    # June: seen a4, a5, a11 = 3 of 4 -> 75%; alone a4 = 1 of 4 -> 25%.
    assert _nd(mv(built, "assessment_child_seen_pct", "2012-06")) == (3, 4, 75.0)
    assert _nd(mv(built, "assessment_seen_alone_pct", "2012-06")) == (1, 4, 25.0)
    # Team T1 in June: a4 (seen), a6 (not) -> 1/2.
    row = mv(built, "assessment_child_seen_pct", "2012-06", breakdown="team", breakdown_value="T1")
    assert _nd(row) == (1, 2, 50.0)
    # Nothing completed in March 2012: 0/0 NULL.
    assert _nd(mv(built, "assessment_child_seen_pct", "2012-03")) == (0, 0, None)


def test_team_breakdown_sums_to_all(built):
    # June completed: T1 a4 a6 = 2, T2 a5 = 1, (none) a11 = 1 -> 4.
    by_team = {
        t: value(built, "assessments_completed", "2012-06", breakdown="team", breakdown_value=t)
        for t in ("T1", "T2", "(none)")
    }
    assert by_team == {"T1": 2, "T2": 1, "(none)": 1}
    # Open at as_at: T1 a7, T2 a8, (none) a9.
    for t in ("T1", "T2", "(none)"):
        assert value(built, "assessments_open", "2012-06", breakdown="team", breakdown_value=t) == 1


def test_fact_assessments(built):
    rows = {r["assessment_id"]: r for r in fact(built, "SELECT * FROM marts.fact_assessments")}
    assert "a12" not in rows
    assert rows["a2"]["assessment_type"] == "INITIAL" and rows["a2"]["limit_wd"] == 10
    assert rows["a1"]["limit_wd"] == 7 and rows["a1"]["on_time"]
    assert rows["a3"]["completion_wd"] == 8 and rows["a3"]["on_time"] is False
    a7 = rows["a7"]
    assert a7["due_date"] == dt.date(2012, 6, 11)
    assert a7["open_at_as_at"] and a7["backlog_at_as_at"] and a7["open_wd_at_as_at"] == 49
    a8 = rows["a8"]
    assert a8["completed_date"] is None and a8["open_at_as_at"] and not a8["backlog_at_as_at"]
    assert rows["a6"]["completed_before_start"] and rows["a6"]["on_time"] is None
    # a1 (limit 7 from Wed 31 Mar 2010): 1, 6, 7, 8, 9, 12, 13 Apr -> due Tue 13 Apr; a3,
    # done on the 14th, is after it (late). a10 (limit 10 from Mon 14 May 2012): 15-18, 21-25,
    # 28 -> due Mon 28 May.
    assert rows["a1"]["due_date"] == dt.date(2010, 4, 13)
    assert rows["a10"]["due_date"] == dt.date(2012, 5, 28)
