"""The synthetic council generator: contract shape, determinism, chronology, and the mess."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import holidays
import numpy as np
import polars as pl
import pytest

from pipelines.contract import EXTRACTS, extract
from pipelines.generate import generate

N = 3000
AS_AT = dt.date(2014, 3, 31)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict[str, int]]]:
    out = {}
    for name, seed in (("a", 7), ("again", 7), ("other", 8)):
        d = tmp_path_factory.mktemp(name)
        out[name] = (d, generate(N, seed, d))
    return out


@pytest.fixture(scope="module")
def data(runs) -> dict[str, pl.DataFrame]:
    """Every file as strings, with date/datetime columns parsed (a bad value fails here)."""
    folder = runs["a"][0]
    frames = {}
    for e in EXTRACTS:
        f = pl.read_csv(folder / e.filename, infer_schema=False)
        for c in e.columns:
            if c.kind == "date":
                f = f.with_columns(pl.col(c.name).str.to_date("%Y-%m-%d", strict=True))
            elif c.kind == "datetime":
                f = f.with_columns(pl.col(c.name).str.to_datetime("%Y-%m-%dT%H:%M", strict=True))
        frames[e.stem] = f
    return frames


def test_same_seed_same_bytes_other_seed_differs(runs):
    a, again, other = runs["a"][0], runs["again"][0], runs["other"][0]
    for e in EXTRACTS:
        assert (a / e.filename).read_bytes() == (again / e.filename).read_bytes(), e.filename
    for stem in ("contacts", "referrals", "children", "assessments", "cp_plans"):
        name = extract(stem).filename
        assert (a / name).read_bytes() != (other / name).read_bytes(), name


def test_every_file_has_the_contract_header_and_the_counts_returned(runs):
    folder, counts = runs["a"]
    assert set(counts) == {e.filename for e in EXTRACTS}
    for e in EXTRACTS:
        lines = (folder / e.filename).read_text(encoding="utf-8").splitlines()
        assert lines[0] == ",".join(e.column_names), e.filename
        assert len(lines) - 1 == counts[e.filename], e.filename
        assert counts[e.filename] > 0, e.filename


def test_keys_unique_required_present_codes_valid(data):
    for e in EXTRACTS:
        f = data[e.stem]
        if e.key:
            assert f[e.key].n_unique() == f.height, e.stem
        for c in e.columns:
            if c.required:
                assert f[c.name].null_count() == 0, (e.stem, c.name)
            if c.codes:
                assert set(f[c.name].drop_nulls().unique()) <= set(c.codes), (e.stem, c.name)
            if c.kind == "yn":
                assert set(f[c.name].drop_nulls().unique()) <= {"Y", "N"}, (e.stem, c.name)


def test_ids_link_up(data):
    children = set(data["children"]["child_id"])
    for stem in ("contacts", "referrals", "assessments", "allocations", "s47_enquiries"):
        assert set(data[stem]["child_id"]) <= children, stem
    assert set(data["early_help"]["child_id"].drop_nulls()) <= children
    referrals = set(data["referrals"]["referral_id"])
    for stem in ("assessments", "allocations", "s47_enquiries", "cp_plans"):
        assert set(data[stem]["referral_id"].drop_nulls()) <= referrals, stem
    assert set(data["allocations"]["worker_id"]) <= set(data["workers"]["worker_id"])
    for stem in ("cin_plans", "missing_episodes", "private_fostering"):
        assert set(data[stem]["child_id"]) <= children, stem
    assert set(data["cin_plans"]["referral_id"]) <= referrals
    plans = set(data["cp_plans"]["plan_id"])
    assert set(data["cp_reviews"]["plan_id"]) <= plans
    assert set(data["cp_visits"]["plan_id"]) <= plans
    # Opaque string IDs: leading zeros are part of them.
    assert data["children"]["child_id"].str.starts_with("0").any()


def _never_before(f: pl.DataFrame, early: str, late: str) -> None:
    bad = f.filter(pl.col(late) < pl.col(early))
    assert bad.height == 0, (early, late, bad.head())


def test_chronology(data):
    c = data["contacts"]
    _never_before(c, "contact_datetime", "decision_datetime")
    _never_before(data["referrals"], "referral_date", "closure_date")
    _never_before(data["assessments"], "start_date", "completed_date")
    _never_before(data["allocations"], "start_date", "end_date")
    _never_before(data["workers"], "start_date", "end_date")
    s = data["s47_enquiries"]
    _never_before(s, "strategy_discussion_date", "end_date")
    _never_before(s, "strategy_discussion_date", "icpc_date")
    _never_before(data["cp_plans"], "start_date", "end_date")
    _never_before(data["early_help"], "start_date", "end_date")
    _never_before(data["cin_plans"], "start_date", "end_date")
    m = data["missing_episodes"]
    _never_before(m, "start_date", "return_date")
    _never_before(m, "return_date", "return_interview_date")
    pf = data["private_fostering"]
    _never_before(pf, "notification_date", "initial_visit_date")
    _never_before(pf, "initial_visit_date", "end_date")
    for stem, col in (("cp_reviews", "review_date"), ("cp_visits", "visit_date")):
        joined = data[stem].join(data["cp_plans"], on="plan_id")
        _never_before(joined, "start_date", col)
        _never_before(joined, col, "end_date")
    # A referral's assessments, enquiries and plans fall inside its episode.
    r = data["referrals"].select("referral_id", "referral_date", "closure_date")
    for stem, col in (
        ("assessments", "start_date"),
        ("s47_enquiries", "strategy_discussion_date"),
        ("cp_plans", "start_date"),
        ("cin_plans", "start_date"),
    ):
        joined = data[stem].join(r, on="referral_id")
        _never_before(joined, "referral_date", col)
        _never_before(joined, col, "closure_date")
    # Nothing is dated after the extract date. The history starts in April 2008: before it only
    # the cases carried in open on 1 April 2008 (episodes, plans, allocations begun earlier).
    start = dt.date(2008, 4, 1)
    for e in EXTRACTS:
        for col in e.columns:
            if col.kind in ("date", "datetime") and e.stem not in ("children", "workers"):
                if col.name == "date_of_birth":
                    continue
                values = data[e.stem][col.name].drop_nulls().cast(pl.Date)
                if values.len():
                    assert values.max() <= AS_AT, (e.stem, col.name)
    assert data["contacts"]["contact_datetime"].min().date() >= start
    carried_in = data["referrals"].filter(pl.col("referral_date") < start)
    assert carried_in.height > 0
    assert carried_in.filter(pl.col("closure_date") < start).height == 0  # open on 1 April 2008
    assert carried_in["contact_id"].null_count() == carried_in.height  # its contact is history
    for stem, end in (
        ("assessments", "completed_date"),
        ("allocations", "end_date"),
        ("s47_enquiries", "end_date"),
        ("cp_plans", "end_date"),
    ):
        assert data[stem].filter(pl.col(end) < start).height == 0, stem  # open on 1 April 2008
    assert data["early_help"]["start_date"].min() >= start
    assert data["missing_episodes"]["start_date"].min() >= start
    assert data["private_fostering"]["notification_date"].min() >= start


def _age_on(children: pl.DataFrame, frame: pl.DataFrame, on: str) -> pl.DataFrame:
    """``frame`` with the child's age in whole years on its date ``on`` (null if unborn)."""
    born = frame.join(children.select("child_id", "date_of_birth"), on="child_id", how="left")
    return born.with_columns(age=(pl.col(on) - pl.col("date_of_birth")).dt.total_days() / 365.25)


def test_conference_participation_codes_follow_the_age(data):
    # PN0 is the under-4s' code and only theirs; an ICPC not (yet) held has no code
    s = data["s47_enquiries"]
    assert s.filter(pl.col("icpc_date").is_null())["icpc_participation"].null_count() == (
        s.filter(pl.col("icpc_date").is_null()).height
    )
    reviews = data["cp_reviews"].join(data["cp_plans"].select("plan_id", "child_id"), on="plan_id")
    seen: set[str] = set()
    for frame, on, code in (
        (s.drop_nulls("icpc_date"), "icpc_date", "icpc_participation"),
        (reviews, "review_date", "participation"),
    ):
        aged = _age_on(data["children"], frame, on).drop_nulls(code)
        pn0 = aged[code] == "PN0"
        under_4 = aged["age"].is_null() | (aged["age"] < 4)  # unborn at a pre-birth conference
        # 4 years less a leap day: the generator's own "under 4" is 4 x 365.25 days
        assert (pn0 == under_4).mean() > 0.999, code
        seen |= set(aged[code])
    # the codes are the contract's; most children 4 or over neither attend nor are heard
    assert {"PN0", "PN1", "PN5", "PN7"} <= seen <= {f"PN{i}" for i in range(8)}


def test_child_in_need_plans_follow_an_assessment_that_found_a_need(data):
    # every plan's episode has an assessment with further action completed on or before it
    a = data["assessments"].filter(pl.col("further_action") == "Y")
    plans = data["cin_plans"].join(
        a.group_by("referral_id").agg(pl.col("completed_date").min()), on="referral_id", how="left"
    )
    carried_in = plans["start_date"] < dt.date(2008, 4, 1)  # their assessment is history
    found = plans.filter(~pl.Series(carried_in))
    assert (found["completed_date"] <= found["start_date"]).mean() > 0.95
    # and no child in need plan overlaps the episode's child protection plan start
    cp = data["cp_plans"].select("referral_id", cp_start="start_date").drop_nulls()
    both = data["cin_plans"].join(cp, on="referral_id")
    assert both.height == 0


def test_assessment_types_follow_working_together(data):
    a = data["assessments"]
    cut = dt.date(2013, 4, 1)
    before = set(a.filter(pl.col("start_date") < cut)["assessment_type"])
    after = set(a.filter(pl.col("start_date") >= cut)["assessment_type"])
    assert before == {"INITIAL", "CORE"}
    assert after == {"SINGLE"}


def test_the_mess_is_there(data):
    c = data["contacts"]
    contact_days = c["contact_datetime"].dt.date()
    assert (contact_days.dt.weekday() >= 6).any(), "a weekend contact"
    bank = holidays.country_holidays("GB", subdiv="ENG", years=range(2008, 2015))
    on_holiday = contact_days.is_in(list(bank)) & (contact_days.dt.weekday() <= 5)
    assert on_holiday.any(), "a contact on a weekday bank holiday"
    assert c.filter(pl.col("out_of_hours") == "Y")["team"].unique().to_list() == ["EDT"]
    assert c["decision_datetime"].null_count() > 0, "undecided contacts near the end"
    assert data["assessments"]["completed_date"].null_count() > 0, "open assessments"

    r = data["referrals"]
    dups = r.group_by("child_id", "referral_date").len().filter(pl.col("len") > 1)
    assert dups.height > 0, "a double-keyed referral"

    ethnicity = data["children"]["ethnicity"]
    assert {"NOBT", "REFU"} <= set(ethnicity.drop_nulls())
    assert ethnicity.null_count() > 0
    assert data["children"]["religion"].null_count() > 0

    w = data["workers"]
    assert set(w["employment"]) == {"PERMANENT", "AGENCY"}
    assert set(w["qualified_social_worker"]) == {"Y", "N"}
    assert w["start_date"].null_count() > 0 and w["end_date"].null_count() > 0
    assert {
        "Duty and Assessment",
        "Children in Need 1",
        "Children in Need 2",
        "Child Protection",
        "EDT",
    } <= set(w["team"])


def test_early_help_disagrees_and_step_downs_link_sometimes(data):
    eh = data["early_help"]
    assert eh["child_id"].null_count() > 0, "unlinked episodes"
    both = eh.join(data["children"], on="child_id", suffix="_cs")
    assert (both["date_of_birth"] != both["date_of_birth_cs"]).any()
    assert (both["ethnicity"] != both["ethnicity_cs"]).any()
    rc9 = data["referrals"].filter(pl.col("closure_reason") == "RC9")
    linked = set(eh["source_referral_id"].drop_nulls())
    assert linked and linked <= set(rc9["referral_id"])
    assert not set(rc9["referral_id"]) <= linked, "some step-downs are not found"


def test_population_is_the_children_asked_for(data):
    p = data["population"].with_columns(pl.all().cast(pl.Int64))
    assert p["year"].to_list() == list(range(2008, 2014))
    sizes = p["children_0_17"].to_list()
    assert sizes == sorted(sizes)
    assert all(0.9 * N <= s <= 1.01 * N for s in sizes)
    assert data["children"].height < N  # only some children reach the front door


def test_working_day_calendar_known_answers():
    from pipelines.generate.calendar import WorkCalendar, day

    cal = WorkCalendar(dt.date(2012, 1, 1), dt.date(2012, 12, 31))
    # Saturday 2 June 2012, then the Jubilee bank holidays on Monday 4 and Tuesday 5.
    assert cal.add([day("2012-06-02")], 0)[0] == day("2012-06-06")
    assert cal.add([day("2012-06-01")], 1)[0] == day("2012-06-06")
    assert cal.add([day("2012-12-24")], 1)[0] == day("2012-12-27")  # over Christmas
    assert list(cal.is_working([day("2012-04-09"), day("2012-04-10")])) == [False, True]
    assert cal.is_bank_holiday([day("2012-08-27")])[0]  # the August holiday (ENG, not plain GB)


SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def test_the_committed_sample_is_what_its_readme_says(tmp_path):
    assert "--children 37000 --seed 2010" in (SAMPLE / "README.md").read_text()
    generate(37000, 2010, tmp_path)
    for e in EXTRACTS:
        assert (tmp_path / e.filename).read_bytes() == (SAMPLE / e.filename).read_bytes()


def _read(stem: str) -> pl.DataFrame:
    e = extract(stem)
    dates = [c.name for c in e.columns if c.kind == "date"]
    f = pl.read_csv(SAMPLE / e.filename, infer_schema=False)
    return f.with_columns(pl.col(dates).str.to_date("%Y-%m-%d")) if dates else f


def _open_at(f: pl.DataFrame, start: str, end: str, t: dt.date) -> pl.DataFrame:
    return f.filter(
        (pl.col(start).is_null() | (pl.col(start) <= t))
        & (pl.col(end).is_null() | (pl.col(end) > t))
    )


def test_the_sample_tells_the_story_of_the_letters():
    # Initial assessments: wd(start, completed) by numpy's own business-day count, limit 7/10.
    bank = holidays.country_holidays("GB", subdiv="ENG", years=range(2008, 2015))
    a = _read("assessments").filter(
        (pl.col("assessment_type") == "INITIAL") & pl.col("completed_date").is_not_null()
    )
    a = a.with_columns(
        wd=pl.Series(
            np.busday_count(
                (a["start_date"] + dt.timedelta(days=1)).to_numpy(),
                (a["completed_date"] + dt.timedelta(days=1)).to_numpy(),
                holidays=list(bank),
            )
        ),
        limit=pl.when(pl.col("start_date") < dt.date(2010, 4, 1)).then(7).otherwise(10),
    )

    def timely(first: dt.date, last: dt.date) -> float:
        done = a.filter(pl.col("completed_date").is_between(first, last))
        return (done["wd"] <= done["limit"]).mean()

    autumn_2009 = timely(dt.date(2009, 9, 1), dt.date(2009, 12, 31))
    year_2011 = timely(dt.date(2011, 4, 1), dt.date(2012, 3, 31))
    assert autumn_2009 < 0.5 < 0.8 < year_2011

    plans = _read("cp_plans")
    open_2010 = _open_at(plans, "start_date", "end_date", dt.date(2010, 3, 31)).height
    open_2012 = _open_at(plans, "start_date", "end_date", dt.date(2012, 3, 31)).height
    assert open_2012 >= 1.8 * open_2010

    w = _read("workers").filter(pl.col("qualified_social_worker") == "Y")

    def agency(t: dt.date) -> float:
        return (_open_at(w, "start_date", "end_date", t)["employment"] == "AGENCY").mean()

    assert agency(dt.date(2013, 3, 31)) > 2 * agency(dt.date(2011, 3, 31))

    # Children in need wait longer for a social worker in 2012-13: the median working days from
    # a referral to its first allocation (numpy's business-day count) rises from 1 to 3 or more.
    first = _read("allocations").group_by("referral_id").agg(pl.col("start_date").min())
    r = _read("referrals").filter(pl.col("nfa") == "N").join(first, on="referral_id")
    r = r.with_columns(
        wd=pl.Series(
            np.busday_count(
                (r["referral_date"] + dt.timedelta(days=1)).to_numpy(),
                (r["start_date"] + dt.timedelta(days=1)).to_numpy(),
                holidays=list(bank),
            )
        )
    )

    def median_wait(first_day: dt.date, last_day: dt.date) -> float:
        return r.filter(pl.col("referral_date").is_between(first_day, last_day))["wd"].median()

    assert median_wait(dt.date(2010, 4, 1), dt.date(2011, 3, 31)) == 1
    assert median_wait(dt.date(2012, 12, 1), dt.date(2013, 5, 31)) >= 3

    # The 2013 letter (v5): strategy discussions without the police and conferences without the
    # child in 2012-13; late or no return interviews; a handful of private fostering
    # notifications; early-help endings mostly unrecorded; child in need plans later.
    def in_year(frame: pl.DataFrame, column: str, first_year: int) -> pl.DataFrame:
        return frame.filter(
            pl.col(column).is_between(dt.date(first_year, 4, 1), dt.date(first_year + 1, 3, 31))
        )

    s = _read("s47_enquiries")

    def police(first_year: int) -> float:
        return (in_year(s, "strategy_discussion_date", first_year)["strategy_police_attended"] == "Y").mean()  # fmt: skip

    assert police(2012) < 0.55 < 0.75 < police(2009)
    icpcs = in_year(s, "icpc_date", 2012).filter(pl.col("icpc_participation") != "PN0")
    attended = icpcs["icpc_participation"].is_in(["PN1", "PN2", "PN3", "PN4"]).mean()
    assert attended < 0.25  # "very few children attend"
    m = in_year(_read("missing_episodes"), "return_date", 2012)
    assert 100 <= m.height <= 250
    within_72h = m["return_interview_date"] <= m["return_date"] + dt.timedelta(days=3)
    assert within_72h.fill_null(False).mean() < 0.4
    assert (m["return_interview_offered"] == "Y").mean() < 0.7
    pf = _read("private_fostering")
    assert 2 <= in_year(pf, "notification_date", 2012).height <= 15
    eh = in_year(_read("early_help"), "end_date", 2012)
    assert eh["end_reason"].null_count() > 0.8 * eh.height

    # 2012-13 referrals (child and day, duplicates merged) near Kingston's 1,948.
    r = _read("referrals").filter(
        pl.col("referral_date").is_between(dt.date(2012, 4, 1), dt.date(2013, 3, 31))
    )
    assert 0.85 * 1948 <= r.select("child_id", "referral_date").n_unique() <= 1.15 * 1948
