"""Recording quality and the two systems (sql/marts/60_recording.sql, 62_early_help_mismatch.sql,
64_stepdown.sql), answers worked out by hand. as_at 2013-03-31; periods January-March 2013 and
FY 2012-13 (the earliest referral is in January 2013).
"""

from __future__ import annotations

import re

import pytest

from pipelines.contract import ETHNICITY_CODES
from pipelines.marts.build import SQL_DIR
from tests.metrics._cp_helpers import build, d, metric, metric_ids

FILES = ("metrics_recording", "metrics_early_help_mismatch", "metrics_stepdown")
AS_AT = "2013-03-31"


def ref(rid, child, date, team=None, closure=None, reason=None):
    return {
        "referral_id": rid,
        "child_id": child,
        "referral_date": d(date),
        "team": team,
        "closure_date": d(closure) if closure else None,
        "closure_reason": reason,
    }


CHILDREN = [
    {
        "child_id": "H1",
        "ethnicity": "WBRI",
        "religion": "Christian",
        "date_of_birth": d("2010-01-01"),
    },
    {"child_id": "H2", "ethnicity": "REFU"},  # refused: recorded (asked); religion blank
    {"child_id": "H3", "ethnicity": "NOBT", "religion": "  "},  # not obtained; blank religion
    {
        "child_id": "H4",
        "ethnicity": "XXXX",
        "religion": "None",
    },  # unknown code; "None" is an answer
    {"child_id": "H6", "ethnicity": "AIND", "date_of_birth": d("2011-05-05")},  # never referred
]
REFERRALS = [
    ref("R1", "H1", "2013-01-10", "A"),
    ref("R2", "H1", "2013-02-05", "B"),  # H1's latest in Feb and in the FY: team B
    ref("R3", "H2", "2013-01-15", "A"),
    ref("R3b", "H2", "2013-01-15", "A"),  # double keyed: one referral
    ref("R4", "H3", "2013-02-10", "B"),
    ref("R5", "H4", "2013-02-11", None),
    ref("R6", "H5", "2013-02-12", "A"),  # H5 missing from children.csv: not recorded
]


def eh(eid, child, start, dob=None, ethnicity=None, source=None):
    return {
        "episode_id": eid,
        "child_id": child,
        "start_date": d(start),
        "date_of_birth": d(dob) if dob else None,
        "ethnicity": ethnicity,
        "source_referral_id": source,
    }


EARLY_HELP = [
    eh("E1", "H1", "2013-01-20", dob="2010-01-02"),  # date of birth differs
    eh("E2", "H1", "2013-01-25", dob="2010-01-02"),  # same child again: counted once
    eh("E3", "H2", "2013-01-20", ethnicity="WBRI"),  # statutory REFU: not compared
    eh("E4", "H6", "2013-02-15", ethnicity="WBRI"),  # AIND vs WBRI: differs
    eh("E5", "ZZ", "2013-02-15", dob="2001-01-01"),  # child_id not in children.csv
    eh("E6", None, "2013-02-15", dob="2001-01-01"),  # unlinked
    eh("E7", "H4", "2013-03-01", ethnicity="NOBT"),  # NOBT: not compared
    eh("E8", "H6", "2013-04-02", ethnicity="WBRI"),  # starts after as_at
    eh("E9", "H1", "2013-03-05", dob="2010-01-01", ethnicity="WBRI"),  # agrees
]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    tables = {"children": CHILDREN, "referrals": REFERRALS, "early_help": EARLY_HELP}
    return build(tables, AS_AT, FILES)


def test_ethnicity_codes_match_the_contract():
    sql = (SQL_DIR / "fact_children.sql").read_text()
    listed = set(re.findall(r"'([A-Z]{4})'", sql.split("ethnicity IN (", 1)[1].split(")", 1)[0]))
    assert listed == set(ETHNICITY_CODES) - {"NOBT"}


def test_recorded_in_a_month(con):
    # Jan: H1 (WBRI, Christian), H2 (REFU, blank; its two copies are one referral) ->
    # ethnicity 2/2, religion 1/2
    assert metric(con, "ethnicity_recorded_pct", "2013-01") == (2, 2, 100.0)
    assert metric(con, "religion_recorded_pct", "2013-01") == (1, 2, 50.0)
    # Feb: H1 (B: yes, yes), H3 (B: NOBT no, blank no), H4 ((none): XXXX no, "None" yes),
    # H5 (A: missing -> no, no): ethnicity 1/4, religion 2/4
    assert metric(con, "ethnicity_recorded_pct", "2013-02") == (1, 4, 25.0)
    assert metric(con, "religion_recorded_pct", "2013-02") == (2, 4, 50.0)
    assert metric(con, "ethnicity_recorded_pct", "2013-02", "B") == (1, 2, 50.0)
    assert metric(con, "religion_recorded_pct", "2013-02", "(none)") == (1, 1, 100.0)
    assert metric(con, "ethnicity_recorded_pct", "2013-02", "A") == (0, 1, 0.0)
    # Mar: no referral -> 0, 0, NULL
    assert metric(con, "ethnicity_recorded_pct", "2013-03") == (0, 0, None)


def test_recorded_in_the_year_child_once_under_latest_team(con):
    # FY: H1 (latest referral Feb: B), H2 (A), H3 (B), H4 ((none)), H5 (A) -> 5 children;
    # ethnicity H1, H2 = 2/5; religion H1, H4 = 2/5
    assert metric(con, "ethnicity_recorded_pct", "2012-13") == (2, 5, 40.0)
    assert metric(con, "religion_recorded_pct", "2012-13") == (2, 5, 40.0)
    assert metric(con, "ethnicity_recorded_pct", "2012-13", "B") == (1, 2, 50.0)
    assert metric(con, "ethnicity_recorded_pct", "2012-13", "A") == (1, 2, 50.0)
    assert metric(con, "religion_recorded_pct", "2012-13", "A") == (0, 2, 0.0)
    bad = con.execute(
        """
        SELECT metric_id, period_label FROM marts.metric_values
        WHERE metric_id IN ('ethnicity_recorded_pct', 'religion_recorded_pct')
        GROUP BY ALL
        HAVING sum(denominator) FILTER (WHERE breakdown = 'team') <> sum(denominator) FILTER (WHERE breakdown = 'all')
            OR sum(numerator) FILTER (WHERE breakdown = 'team') <> sum(numerator) FILTER (WHERE breakdown = 'all')
        """
    ).fetchall()
    assert bad == []


def test_early_help_mismatch(con):
    # Jan: H1 (E1, E2: dob differs) -> 1 child; E3 not compared (REFU)
    assert metric(con, "early_help_mismatch_children", "2013-01") == (1, None, 1)
    # Feb: H6 (E4 ethnicity differs); E5 not in children.csv, E6 unlinked -> 1
    assert metric(con, "early_help_mismatch_children", "2013-02") == (1, None, 1)
    # Mar: E7 NOBT not compared, E9 agrees; E8 after as_at -> 0
    assert metric(con, "early_help_mismatch_children", "2013-03") == (0, None, 0)
    assert metric(con, "early_help_mismatch_children", "2012-13") == (2, None, 2)


def test_absent_children_file_writes_no_child_metric(tmp_path):
    con = build({"referrals": REFERRALS, "early_help": EARLY_HELP}, AS_AT, FILES)
    ids = metric_ids(con)
    assert not ids & {
        "ethnicity_recorded_pct",
        "religion_recorded_pct",
        "early_help_mismatch_children",
    }
    assert "stepdown_unmatched_pct" in ids


# --- stepdown_unmatched_pct (64_stepdown.sql) ------------------------------------------------
STEP_REFERRALS = [
    ref("S1", "X1", "2013-01-05", "A", "2013-01-31", "RC9"),  # named by an episode
    ref("S2a", "X2", "2013-01-06", "B", "2013-02-10", "RC9"),  # merged copy with latest closure
    ref("S2b", "X2", "2013-01-06", "A", "2013-02-01", "RC1"),  # ... episode names this copy
    ref("S3", "X3", "2013-01-07", "A", "2013-02-15", "RC9"),  # episode on closure + 30 days
    ref("S4", "X4", "2013-01-08", "A", "2013-02-15", "RC9"),  # episodes day before / +31 days
    ref("S5", "X5", "2013-01-09", None, "2013-02-20", "RC9"),  # named, but episode after as_at
    ref("S6", "X6", "2013-01-10", "A", "2013-02-25", "RC8"),  # not a step-down
    ref("S7", "X7", "2013-01-11", "A", "2013-04-05", "RC9"),  # closed after as_at: open
    ref("S8", "X8", "2013-01-12", "B", "2013-03-10", "RC9"),  # episode same day
]
STEP_EARLY_HELP = [
    eh("F1", None, "2013-03-20", source="S1"),
    eh("F2", None, "2013-02-11", source="S2b"),
    eh("F3", "X3", "2013-03-17"),
    eh("F4", "X4", "2013-02-14"),
    eh("F5", "X4", "2013-03-18"),
    eh("F6", "X5", "2013-04-10", source="S5"),
    eh("F8", "X8", "2013-03-10"),
]


@pytest.fixture(scope="module")
def scon(tmp_path_factory):
    tables = {"referrals": STEP_REFERRALS, "early_help": STEP_EARLY_HELP}
    return build(tables, AS_AT, FILES)


def test_stepdown_unmatched(scon):
    # Jan: S1 matched by name -> 0/1
    assert metric(scon, "stepdown_unmatched_pct", "2013-01") == (0, 1, 0.0)
    # Feb: S2 (merged, RC9 from S2a, team B; F2 names copy S2b: matched), S3 (F3 starts on
    # 15 Feb + 30 = 17 Mar: matched), S4 (F4 before closure, F5 31 days: unmatched), S5 (F6
    # starts after as_at: unmatched); S6 RC8 out -> 2/4
    assert metric(scon, "stepdown_unmatched_pct", "2013-02") == (2, 4, 50.0)
    assert metric(scon, "stepdown_unmatched_pct", "2013-02", "A") == (1, 2, 50.0)
    assert metric(scon, "stepdown_unmatched_pct", "2013-02", "B") == (0, 1, 0.0)
    assert metric(scon, "stepdown_unmatched_pct", "2013-02", "(none)") == (1, 1, 100.0)
    # Mar: S8 matched the same day; S7 closes after as_at -> 0/1
    assert metric(scon, "stepdown_unmatched_pct", "2013-03") == (0, 1, 0.0)
    assert metric(scon, "stepdown_unmatched_pct", "2012-13") == pytest.approx((2, 6, 100 / 3))


def test_stepdown_absent_without_early_help(tmp_path):
    con = build({"referrals": STEP_REFERRALS}, AS_AT, FILES)
    assert "stepdown_unmatched_pct" not in metric_ids(con)


def test_stepdown_fact_flags_running_windows(scon):
    # as_at 31 Mar: S8 closed 10 Mar (+30 = 9 Apr, running); S5 closed 20 Feb (+30 = 22 Mar, over)
    rows = dict(
        scon.execute("SELECT child_id, match_window_running FROM marts.fact_stepdowns").fetchall()
    )
    assert rows == {"X1": False, "X2": False, "X3": False, "X4": False, "X5": False, "X8": True}
