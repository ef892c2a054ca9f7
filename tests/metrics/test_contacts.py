"""Contact family: contacts, contact_decision_1wd_pct, contact_to_referral_pct,
contacts_awaiting_decision. Every expected figure is worked out by hand in the comments.

Calendar used (England): 2012-03-02 Fri, 03-03 Sat, 03-05 Mon, 03-30 Fri, 04-02 Mon,
04-05 Thu, 04-06 Good Friday, 04-09 Easter Monday, 04-10 Tue. as_at = 2012-04-10.
"""

from __future__ import annotations

import pytest
from conftest import build, fact, load, mv, value

AS_AT = "2012-04-10"


def _c(cid, received, decided=None, outcome=None, team=None, ooh=None):
    return dict(
        contact_id=cid,
        child_id="k" + cid,
        contact_datetime=received,
        decision_datetime=decided,
        outcome=outcome,
        team=team,
        out_of_hours=ooh,
    )


CONTACTS = [
    # Fri -> Mon: wd = 1 (Mon), timely.
    _c("c1", "2012-03-02 10:00", "2012-03-05 09:00", "REFERRAL", "A", False),
    # Sat -> Mon: wd = 1, timely (out of hours).
    _c("c2", "2012-03-03 23:00", "2012-03-05 09:00", "NFA", "A", True),
    # Thu -> Tue over Easter: Fri 6 and Mon 9 are bank holidays, so wd = 1 (Tue), timely.
    _c("c3", "2012-04-05 12:00", "2012-04-10 09:00", "REFERRAL", None, False),
    # Wed -> Fri: wd = 2, late.
    _c("c4", "2012-03-07 12:00", "2012-03-09 12:00", "EARLY_HELP", "B", None),
    # Undecided, its day long over: in the denominator, not timely; awaiting at 31 March.
    _c("c5", "2012-03-29 12:00", None, None, "B", False),
    # Undecided, received on as_at: wd(04-10, 04-10) = 0 < 1, window running: left out.
    _c("c6", "2012-04-10 08:00", None, None, "A", False),
    # Decided after as_at: decision and outcome blanked, so undecided; wd(04-02, 04-10) = 4
    # (3rd, 4th, 5th, 10th) >= 1, so in the denominator and late.
    _c("c7", "2012-04-02 09:00", "2012-04-12 09:00", "REFERRAL", "B", False),
    # Received after as_at: ignored.
    _c("c8", "2012-04-11 09:00", None, None, "A", False),
    # Decided before it was received (data error): out of the 1wd measure only.
    _c("c9", "2012-03-20 14:00", "2012-03-20 09:00", "INFO_ADVICE", "A", False),
    # Fri 30 March -> Mon 2 April: wd = 1, timely; awaiting at 31 March.
    _c("c10", "2012-03-30 16:00", "2012-04-02 10:00", "referral", "B", True),
]


@pytest.fixture
def built(con):
    load(con, "contacts", CONTACTS)
    # A referral in February makes the periods start there: a month with no contacts, before the
    # data's history (its first contact, 2 March), so metric_values does not hold it.
    load(con, "referrals", [dict(referral_id="r1", child_id="x", referral_date="2012-02-15")])
    load(con, "assessments", [])
    build(con, AS_AT)
    return con


def test_contacts_count(built):
    # March: c1 c2 c4 c5 c9 c10 = 6; April: c3 c6 c7 = 3 (c8 after as_at); February: before
    # the history (a false zero in marts.metrics_contacts, not written to metric_values).
    assert value(built, "contacts", "2012-03") == 6
    assert value(built, "contacts", "2012-04") == 3
    assert mv(built, "contacts", "2012-02") is None
    assert built.execute(
        "SELECT numerator FROM marts.metrics_contacts WHERE metric_id = 'contacts' "
        "AND period_label = '2012-02' AND breakdown = 'all'"
    ).fetchall() == [(0,)]
    # FY 2011-12 (to 31 March) = March; FY 2012-13 ends at as_at = April.
    assert value(built, "contacts", "2011-12", period_type="financial_year") == 6
    assert value(built, "contacts", "2012-13") == 3
    row = mv(built, "contacts", "2012-13")
    assert row["period_end"].isoformat() == AS_AT
    assert row["numerator"] == 3 and row["denominator"] is None


def test_decision_1wd(built):
    # March: timely c1, c2, c10 = 3; denominator 6 less c9 (error) = 5 -> 60%.
    row = mv(built, "contact_decision_1wd_pct", "2012-03")
    assert (row["numerator"], row["denominator"], row["value"]) == (3, 5, 60.0)
    # April: timely c3 = 1; denominator c3, c7 (c6 window running) = 2 -> 50%.
    row = mv(built, "contact_decision_1wd_pct", "2012-04")
    assert (row["numerator"], row["denominator"], row["value"]) == (1, 2, 50.0)
    # February: before the history, not written.
    assert mv(built, "contact_decision_1wd_pct", "2012-02") is None


def test_decision_1wd_by_team_and_out_of_hours(built):
    # March team A: c1 c2 c9 -> timely 2 / (3 - c9) 2 = 100%; team B: c4 c5 c10 -> 1/3.
    row = mv(built, "contact_decision_1wd_pct", "2012-03", breakdown="team", breakdown_value="A")
    assert (row["numerator"], row["denominator"], row["value"]) == (2, 2, 100.0)
    row = mv(built, "contact_decision_1wd_pct", "2012-03", breakdown="team", breakdown_value="B")
    assert (row["numerator"], row["denominator"]) == (1, 3)
    assert row["value"] == pytest.approx(100 / 3)
    # Blank team is (none): only c3 in April, so March has a row with 0/0 -> NULL.
    row = mv(
        built, "contact_decision_1wd_pct", "2012-03", breakdown="team", breakdown_value="(none)"
    )
    assert (row["numerator"], row["denominator"], row["value"]) == (0, 0, None)
    # Out of hours in March: Y = c2, c10 (2); N (false or blank) = c1 c4 c5 c9 (4).
    assert value(built, "contacts", "2012-03", breakdown="out_of_hours", breakdown_value="Y") == 2
    assert value(built, "contacts", "2012-03", breakdown="out_of_hours", breakdown_value="N") == 4


def test_breakdowns_sum_to_all(built):
    for breakdown in ("team", "out_of_hours"):
        rows = built.execute(
            "SELECT period_label, sum(value) FROM marts.metric_values "
            "WHERE metric_id IN ('contacts', 'contacts_awaiting_decision') AND breakdown = ? "
            "GROUP BY metric_id, period_label ORDER BY ALL",
            [breakdown],
        ).fetchall()
        totals = built.execute(
            "SELECT period_label, value FROM marts.metric_values "
            "WHERE metric_id IN ('contacts', 'contacts_awaiting_decision') AND breakdown = 'all' "
            "ORDER BY metric_id, period_label"
        ).fetchall()
        assert sorted(rows) == sorted(totals)


def test_contact_to_referral(built):
    # March decided: c1 c2 c4 c9 c10 = 5; REFERRAL: c1 and c10 ('referral' in lower case) -> 40%.
    row = mv(built, "contact_to_referral_pct", "2012-03")
    assert (row["numerator"], row["denominator"], row["value"]) == (2, 5, 40.0)
    # April decided as at as_at: c3 only (c7's decision is after as_at) -> 1/1.
    row = mv(built, "contact_to_referral_pct", "2012-04")
    assert (row["numerator"], row["denominator"], row["value"]) == (1, 1, 100.0)


def test_awaiting_decision(built):
    # At 31 March: c5 (undecided) and c10 (decided 2 April) = 2; c9 decided on the 20th.
    assert value(built, "contacts_awaiting_decision", "2012-03") == 2
    assert value(built, "contacts_awaiting_decision", "2011-12", period_type="financial_year") == 2
    # At as_at 10 April: c5, c6, c7 (decision after as_at) = 3; c3 decided on the day is not.
    assert value(built, "contacts_awaiting_decision", "2012-04") == 3
    assert mv(built, "contacts_awaiting_decision", "2012-02") is None  # before the history
    row = mv(built, "contacts_awaiting_decision", "2012-04")
    assert row["denominator"] is None


def test_fact_contacts_as_at_blanking(built):
    rows = {r["contact_id"]: r for r in fact(built, "SELECT * FROM marts.fact_contacts")}
    assert "c8" not in rows  # received after as_at
    c7 = rows["c7"]
    assert c7["decision_datetime"] is None and c7["outcome"] is None and not c7["decided"]
    assert rows["c3"]["decision_wd"] == 1
    assert rows["c2"]["decision_wd"] == 1
    assert rows["c9"]["decision_before_contact"]
    assert rows["c6"]["decision_window_running"]
