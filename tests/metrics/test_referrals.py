"""Referral family: referrals, rereferral_12m_pct, referral_nfa_pct, and marts.fact_referrals
(referral identity: same-day copies merged). Expected figures worked out by hand below.

as_at = 2013-03-31. "12 months before" clamps to month end: 2012-02-29 -> 2011-02-28,
2013-02-28 -> 2012-02-28.
"""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import build, fact, load, mv, value

AS_AT = "2013-03-31"


def _r(rid, child, date, nfa=None, closure=None, reason=None, team=None):
    return dict(
        referral_id=rid,
        child_id=child,
        referral_date=date,
        nfa=nfa,
        closure_date=closure,
        closure_reason=reason,
        team=team,
    )


REFERRALS = [
    _r("rA1", "A", "2011-02-28", nfa=True, closure="2011-02-28", team="X"),
    # Exactly 12 months after rA1: 2012-02-28 - 12 months = 2011-02-28 is in the window.
    _r("rA2", "A", "2012-02-28", team="X"),
    _r("rB1", "B", "2011-02-28", team="X"),
    # 29 February: minus 12 months clamps to 2011-02-28, so rB1 is in the window.
    _r("rB2", "B", "2012-02-29", team="X"),
    _r("rC1", "C", "2011-02-27"),
    # Window starts 2011-02-28, so rC1 (the 27th) is outside: not a re-referral.
    _r("rC2", "C", "2012-02-29"),
    # Same child, same date: one referral. Not NFA (one copy is not); open (one copy has no
    # closure), so its team is the open copy's: Y.
    _r("rD1", "D", "2012-02-10", nfa=True, closure="2012-02-10", reason="RC8", team="X"),
    _r("rD2", "D", "2012-02-10", nfa=False, team="Y"),
    # Both copies NFA ('true' staged as Y): NFA. Latest closure 2012-02-20 -> rE2's reason, team.
    _r("rE1", "E", "2012-02-15", nfa=True, closure="2012-02-16", reason="RC8", team="X"),
    _r("rE2", "E", "2012-02-15", nfa=True, closure="2012-02-20", reason="RC1", team="Z"),
    # Same closure date: the tie goes to the lowest referral_id (rF1 < rF2): team X, RC2.
    _r("rF2", "F", "2012-02-20", closure="2012-03-01", reason="RC3", team="Y"),
    _r("rF1", "F", "2012-02-20", closure="2012-03-01", reason="RC2", team="X"),
    # Closure after as_at: blank (and its reason with it); open at as_at.
    _r("rG1", "G", "2012-03-10", closure="2013-05-01", reason="RC1", team="X"),
    # Referral after as_at: ignored.
    _r("rG2", "G", "2013-04-05", team="X"),
    _r("rH1", "H", "2012-02-29", team="Y"),
    # 2013-02-28 - 12 months = 2012-02-28: rH1 (29 Feb 2012) is in the window.
    _r("rH2", "H", "2013-02-28", team="Y"),
]


@pytest.fixture
def built(con):
    load(con, "contacts", [])
    load(con, "referrals", REFERRALS)
    load(con, "assessments", [])
    build(con, AS_AT)
    return con


def test_month_arithmetic_clamps_to_month_end(con):
    # DuckDB's date - INTERVAL n MONTH clamps, as metrics.md requires.
    rows = con.execute(
        "SELECT CAST(DATE '2012-02-29' - INTERVAL 12 MONTH AS DATE), "
        "CAST(DATE '2011-11-30' + INTERVAL 3 MONTH AS DATE), "
        "CAST(DATE '2013-02-28' - INTERVAL 12 MONTH AS DATE)"
    ).fetchall()
    assert rows == [(dt.date(2011, 2, 28), dt.date(2012, 2, 29), dt.date(2012, 2, 28))]


def test_referrals_count_merges_same_day_copies(built):
    # Feb 2012: rA2, rB2, rC2, D (2 copies), E (2 copies), F (2 copies), rH1 = 7.
    assert value(built, "referrals", "2012-02") == 7
    # Feb 2011: rA1, rB1, rC1 = 3; March 2011: none = 0.
    assert value(built, "referrals", "2011-02") == 3
    assert value(built, "referrals", "2011-03") == 0
    # FY 2011-12: Feb 2012's 7 + rG1 (March 2012) = 8. FY 2012-13: rH2 (rG2 after as_at) = 1.
    assert value(built, "referrals", "2011-12", period_type="financial_year") == 8
    assert value(built, "referrals", "2012-13") == 1


def test_rereferral_12m(built):
    # Feb 2012: re-referrals rA2 (exactly 12 months), rB2 (29 Feb) = 2; rC2 not -> 2/7.
    row = mv(built, "rereferral_12m_pct", "2012-02")
    assert (row["numerator"], row["denominator"]) == (2, 7)
    assert row["value"] == pytest.approx(200 / 7)
    # Feb 2013: rH2 -> 1/1.
    row = mv(built, "rereferral_12m_pct", "2013-02")
    assert (row["numerator"], row["denominator"], row["value"]) == (1, 1, 100.0)
    # FY 2011-12: 2 / 8 = 25%.
    assert value(built, "rereferral_12m_pct", "2011-12", period_type="financial_year") == 25.0
    # March 2011: no referrals -> 0/0, NULL.
    row = mv(built, "rereferral_12m_pct", "2011-03")
    assert (row["numerator"], row["denominator"], row["value"]) == (0, 0, None)


def test_referral_nfa(built):
    # Feb 2012: only E (both copies NFA) -> 1/7. D is not (one copy is not NFA).
    row = mv(built, "referral_nfa_pct", "2012-02")
    assert (row["numerator"], row["denominator"]) == (1, 7)
    # Feb 2011: rA1 -> 1/3.
    row = mv(built, "referral_nfa_pct", "2011-02")
    assert (row["numerator"], row["denominator"]) == (1, 3)


def test_team_breakdown_sums_to_all(built):
    # Feb 2012 by merged team: X = rA2, rB2, F = 3; Y = D, rH1 = 2; Z = E = 1; (none) = rC2 = 1.
    expect = {"X": 3, "Y": 2, "Z": 1, "(none)": 1}
    for team, n in expect.items():
        assert value(built, "referrals", "2012-02", breakdown="team", breakdown_value=team) == n
    assert sum(expect.values()) == value(built, "referrals", "2012-02")
    # Re-referrals by team: X has rA2 and rB2 (2/3); (none) has rC2 (0/1).
    row = mv(built, "rereferral_12m_pct", "2012-02", breakdown="team", breakdown_value="X")
    assert (row["numerator"], row["denominator"]) == (2, 3)


def test_fact_referrals_identity_and_as_at(built):
    rows = {
        (r["child_id"], r["referral_date"].isoformat()): r
        for r in fact(built, "SELECT * FROM marts.fact_referrals")
    }
    assert ("G", "2013-04-05") not in rows  # after as_at
    d = rows[("D", "2012-02-10")]
    assert d["referral_ids"] == ["rD1", "rD2"] and d["copies"] == 2
    assert not d["nfa"] and d["closure_date"] is None and d["team"] == "Y"
    e = rows[("E", "2012-02-15")]
    assert e["nfa"] and e["closure_date"] == dt.date(2012, 2, 20)
    assert (e["closure_reason"], e["team"]) == ("RC1", "Z")
    f = rows[("F", "2012-02-20")]
    assert (f["referral_id"], f["closure_reason"], f["team"]) == ("rF1", "RC2", "X")
    g = rows[("G", "2012-03-10")]
    assert g["closure_date"] is None and g["closure_reason"] is None and g["open_at_as_at"]
    b = rows[("B", "2012-02-29")]
    assert b["previous_referral_date"] == dt.date(2011, 2, 28) and b["rereferral_12m"]
    assert not rows[("C", "2012-02-29")]["rereferral_12m"]
