"""S47 enquiries and ICPCs (sql/marts/40_s47.sql), answers worked out by hand.

Working days around the 2012 Diamond Jubilee: the late-May bank holiday moved from Monday 28 May
to Monday 4 June, and Tuesday 5 June was an extra holiday. So after Friday 2012-05-25 the working
days are 28,29,30,31 May, 1 June (1-5), 6,7,8 June (6-8), 11-15 June (9-13), 18 June (14),
19 June (15), 20 June (16).
"""

from __future__ import annotations

import pytest

from tests.metrics._cp_helpers import build, d, metric, metric_ids

FILES = ("metrics_s47",)
AS_AT = "2012-07-31"


def s47(
    s47_id, strategy, team=None, end=None, icpc=None, not_required=None, transfer_in=None, plan=None
):
    return {
        "s47_id": s47_id,
        "child_id": f"C{s47_id}",
        "strategy_discussion_date": d(strategy),
        "end_date": d(end) if end else None,
        "icpc_date": d(icpc) if icpc else None,
        "icpc_not_required": not_required,
        "icpc_transfer_in": transfer_in,
        "icpc_resulted_in_plan": plan,
        "team": team,
    }


ENQUIRIES = [
    s47("E1", "2012-05-25", "A", icpc="2012-06-19"),  # wd 15: in time (bank holidays 4-5 June)
    s47("E2", "2012-05-25", "A", icpc="2012-06-20"),  # wd 16: late
    s47("E3", "2012-06-01", "B", icpc="2012-06-01", transfer_in=True),  # transfer-in: left out
    s47("E4", "2012-06-10", "B", icpc="2012-06-05"),  # ICPC before strategy: left out
    s47("E5", "2012-06-15", "  ", icpc="2012-08-10", plan=True),  # ICPC after as_at: not held
    s47("E6", "2012-05-01", "A", not_required=True),  # no conference needed: never overdue
    s47("E7", "2012-05-01", "A", end="2012-05-20"),  # ended before it was overdue
    s47("E8", "2012-05-01", "B", icpc="2012-06-20"),  # overdue at 31 May, ICPC late in June
    s47("E9", "2012-08-05", "A"),  # starts after as_at: ignored
]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    return build({"s47_enquiries": ENQUIRIES}, AS_AT, FILES, "2012-04-01")


def test_enquiries_counted_by_strategy_date_and_team(con):
    # May: E1 E2 E6 E7 (A) + E8 (B) = 5; June: E3 E4 (B) + E5 ((none)) = 3; E9 after as_at
    assert metric(con, "s47_enquiries", "2012-04") == (0, None, 0)
    assert metric(con, "s47_enquiries", "2012-05") == (5, None, 5)
    assert metric(con, "s47_enquiries", "2012-05", "A") == (4, None, 4)
    assert metric(con, "s47_enquiries", "2012-05", "B") == (1, None, 1)
    assert metric(con, "s47_enquiries", "2012-06", "(none)") == (1, None, 1)
    assert metric(con, "s47_enquiries", "2012-07") == (0, None, 0)
    assert metric(con, "s47_enquiries", "2012-13") == (8, None, 8)


def test_icpc_15wd_counts_bank_holidays_and_leaves_out_transfers_and_bad_dates(con):
    # June ICPCs: E1 wd 15 (in), E2 wd 16 (late), E8 wd 33 (late); E3 transfer-in and E4 (ICPC
    # before strategy) left out: 1 / 3. Team A 1/2, B 0/1. May: none -> 0, 0, NULL.
    assert metric(con, "icpc_15wd_pct", "2012-06") == pytest.approx((1, 3, 100 / 3))
    assert metric(con, "icpc_15wd_pct", "2012-06", "A") == (1, 2, 50.0)
    assert metric(con, "icpc_15wd_pct", "2012-06", "B") == (0, 1, 0.0)
    assert metric(con, "icpc_15wd_pct", "2012-05") == (0, 0, None)
    assert metric(con, "icpc_15wd_pct", "2012-13") == pytest.approx((1, 3, 100 / 3))


def test_overdue_icpc_snapshots(con):
    # 31 May: E8 wd(1 May, 31 May) = 21 > 15 (7 May a holiday), no ICPC yet -> 1 (team B);
    # E1/E2 only wd 4; E6 not required; E7 ended 20 May.
    assert metric(con, "s47_overdue_icpc", "2012-05") == (1, None, 1)
    assert metric(con, "s47_overdue_icpc", "2012-05", "B") == (1, None, 1)
    assert metric(con, "s47_overdue_icpc", "2012-05", "A") == (0, None, 0)
    # 30 June: every conference held; E5 only wd(15 Jun, 30 Jun) = 10 -> 0
    assert metric(con, "s47_overdue_icpc", "2012-06") == (0, None, 0)
    # 31 July: E5 wd 10 + 22 = 32, its ICPC (10 Aug) not yet happened -> 1 under (none)
    assert metric(con, "s47_overdue_icpc", "2012-07") == (1, None, 1)
    assert metric(con, "s47_overdue_icpc", "2012-07", "(none)") == (1, None, 1)
    assert metric(con, "s47_overdue_icpc", "2012-13") == (1, None, 1)


def test_fact_blanks_what_happened_after_as_at(con):
    row = con.execute(
        "SELECT icpc_date, icpc_resulted_in_plan, overdue_icpc_at_as_at, icpc_due_date "
        "FROM marts.fact_s47_enquiries WHERE s47_id = 'E5'"
    ).fetchone()
    # 15th working day after Fri 15 June 2012: 18-22 (5), 25-29 (10), 2-6 July (15) -> 6 July
    assert row == (None, None, True, d("2012-07-06"))
    assert con.execute(
        "SELECT count(*) FROM marts.fact_s47_enquiries WHERE s47_id = 'E9'"
    ).fetchone() == (0,)
    due = con.execute(
        "SELECT icpc_due_date, icpc_wd FROM marts.fact_s47_enquiries WHERE s47_id = 'E1'"
    ).fetchone()
    assert due == (d("2012-06-19"), 15)


def test_team_rows_sum_to_all(con):
    bad = con.execute(
        """
        SELECT metric_id, period_label
        FROM marts.metric_values
        WHERE metric_id IN ('s47_enquiries', 's47_overdue_icpc', 'icpc_15wd_pct')
        GROUP BY ALL
        HAVING sum(numerator) FILTER (WHERE breakdown = 'team')
            <> sum(numerator) FILTER (WHERE breakdown = 'all')
        """
    ).fetchall()
    assert bad == []
    # every period has a row for ALL and each team that occurs: 4 months + 1 FY, 4 values each
    assert con.execute(
        "SELECT count(*) FROM marts.metric_values WHERE metric_id = 's47_enquiries'"
    ).fetchone() == (5 * 4,)


def test_absent_file_writes_no_s47_metric(tmp_path):
    con = build({}, AS_AT, FILES, "2012-04-01")
    assert metric_ids(con) & {"s47_enquiries", "icpc_15wd_pct", "s47_overdue_icpc"} == set()


def test_weekend_strategy_and_weekend_icpc(tmp_path):
    # Sat 30 Jun 2012 -> working days 2-6 Jul (1-5), 9-13 (6-10), 16-20 (11-15): an ICPC on Sat
    # 21 Jul is wd 15 (in time), Mon 23 Jul wd 16 (late).
    # Sun 3 Jun 2012 -> 4 and 5 Jun bank holidays; 6-8 (1-3), 11-15 (4-8), 18-22 (9-13),
    # 25 (14), 26 (15): an ICPC on Tue 26 Jun is in time.
    rows = [
        s47("W1", "2012-06-30", "A", icpc="2012-07-21"),
        s47("W2", "2012-06-30", "A", icpc="2012-07-23"),
        s47("W3", "2012-06-03", "A", icpc="2012-06-26"),
    ]
    con = build({"s47_enquiries": rows}, AS_AT, FILES, "2012-04-01")
    wd = dict(con.execute("SELECT s47_id, icpc_wd FROM marts.fact_s47_enquiries").fetchall())
    assert wd == {"W1": 15, "W2": 16, "W3": 15}
    assert metric(con, "icpc_15wd_pct", "2012-07") == (1, 2, 50.0)
    assert metric(con, "icpc_15wd_pct", "2012-06") == (1, 1, 100.0)
