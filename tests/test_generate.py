"""The synthetic council generator: contract shape, determinism, chronology, and the mess."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import holidays
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
    ):
        joined = data[stem].join(r, on="referral_id")
        _never_before(joined, "referral_date", col)
        _never_before(joined, col, "closure_date")
    # Nothing is dated after the extract date, and the history starts in April 2008.
    for e in EXTRACTS:
        for col in e.columns:
            if col.kind in ("date", "datetime") and e.stem not in ("children", "workers"):
                if col.name == "date_of_birth":
                    continue
                values = data[e.stem][col.name].drop_nulls().cast(pl.Date)
                if values.len():
                    assert values.max() <= AS_AT, (e.stem, col.name)
                    assert values.min() >= dt.date(2008, 4, 1), (e.stem, col.name)


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
