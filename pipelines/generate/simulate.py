"""Simulate a council's front door, all children at once, as numpy arrays of day numbers.

Each child who reaches the front door has a chain of contacts; a contact decided as REFERRAL
opens an episode that runs referral -> (NFA) or initial/single assessment -> core assessment ->
S47 enquiry -> conference -> plan with reviews and visits -> closure, some closing to early help.
Every step is one vectorised draw over all the episodes that reach it, so a million children cost
seconds, not a Python loop per child. Dates past the extract date are kept here as "true" dates
and blanked only when the frames are built (the data as they stood on the extract date).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from pipelines.generate import story
from pipelines.generate.calendar import WorkCalendar, day

START = day(story.START)
END = day(story.END)
SINGLE_FROM = day(story.SINGLE_FROM)
HORIZON = day("2016-12-31")  # true dates are clipped here; far past anything written
YEAR = 365.25
ADULT_DAYS = 6574  # 18 years


def _curve(anchors: story.Curve, d: np.ndarray) -> np.ndarray:
    return np.interp(d, [day(a) for a, _ in anchors], [v for _, v in anchors])


def _probs(weights: dict[str, float]) -> tuple[list[str], np.ndarray]:
    p = np.array(list(weights.values()), dtype=float)
    return list(weights), p / p.sum()


class _Draw:
    """The seeded generator plus the few shapes of draw the story needs."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)

    def chance(self, p: float | np.ndarray, n: int) -> np.ndarray:
        return self.rng.random(n) < p

    def pick(self, weights: dict[str, float], n: int) -> pl.Series:
        """n values drawn from a weighted code list; the code "" is written blank."""
        names, p = _probs(weights)
        s = pl.Series(names, dtype=pl.String).gather(self.rng.choice(len(names), n, p=p))
        return s.replace("", None)

    def lognormal_days(self, median: float | np.ndarray, sigma: float, n: int) -> np.ndarray:
        return np.round(self.rng.lognormal(np.log(median), sigma, n)).astype(np.int64)

    def ints(self, low: int, high: int, n: int) -> np.ndarray:
        """Uniform integers in [low, high]."""
        return self.rng.integers(low, high + 1, n)


def _yn(flag: np.ndarray, blank: np.ndarray | None = None) -> pl.Series:
    s = pl.Series(np.where(flag, "Y", "N"))
    return _blank(s, blank)


def _blank(s: pl.Series, blank: np.ndarray | None) -> pl.Series:
    if blank is not None and blank.any():
        s = s.clone().scatter(np.flatnonzero(blank), None)  # scatter works in place
    return s


def _date(d: np.ndarray, blank: np.ndarray | None = None) -> pl.Series:
    """Day numbers as dates; a date after the extract date has not happened yet, so is blank."""
    d = np.asarray(d, dtype=np.int64)
    s = pl.Series(d.astype(np.int32)).cast(pl.Date)
    late = d > END
    return _blank(s, late if blank is None else (late | blank))


def _ids(n: int, width: int, prefix: str = "") -> pl.Series:
    """Opaque IDs: zero-padded numbers (so many have leading zeros), with an optional prefix."""
    s = pl.Series(np.arange(1, n + 1)).cast(pl.String).str.zfill(width)
    return prefix + s if prefix else s


def _rank(*keys: np.ndarray) -> np.ndarray:
    """rank[i] = position of row i when sorted by keys (first key most significant), stable."""
    order = np.lexsort(tuple(reversed(keys)))
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    return rank


# ---------------------------------------------------------------- the workforce


class _Workforce:
    """Posts in teams, each filled by a succession of workers (tenures), qualified or not."""

    def __init__(self, draw: _Draw, scale: float) -> None:
        team, qualified = [], []
        for t in range(len(story.TEAMS)):
            nq = max(2 if t != story.EDT else 1, round(story.QUALIFIED_POSTS_PER_10K[t] * scale))
            ns = round(story.SUPPORT_POSTS_PER_10K[t] * scale)
            ns = max(ns, 1) if story.SUPPORT_POSTS_PER_10K[t] else 0  # even a small council
            team += [t] * (nq + ns)
            qualified += [True] * nq + [False] * ns
        self.post_team = np.array(team)
        self.post_qualified = np.array(qualified)
        n = self.post_team.size
        # Most posts predate the data; some are the additional posts of 2009-10 (2010 letter).
        added = draw.chance(0.2, n) & np.isin(self.post_team, (story.DUTY, story.CP))
        added &= self.post_qualified
        # The first post of each team predates the data, so every team always has a post.
        added &= np.r_[False, self.post_team[1:] == self.post_team[:-1]]
        self.post_created = np.where(
            added, draw.ints(day("2009-09-01"), day("2010-06-30"), n), START - 10 * 366
        )
        first = np.where(added, self.post_created, START - draw.ints(0, 6 * 365, n))

        posts, starts, ends, agency = [], [], [], []
        current = first.copy()
        alive = np.ones(n, dtype=bool)
        while alive.any():  # one pass per successive holder of the posts, not per worker
            idx = np.flatnonzero(alive)
            s = current[idx]
            ag = self.post_qualified[idx] & draw.chance(_curve(story.AGENCY_SHARE, s), idx.size)
            length = np.where(
                ag,
                draw.lognormal_days(story.AGENCY_TENURE_MEDIAN_DAYS, 0.6, idx.size),
                draw.lognormal_days(story.PERMANENT_TENURE_MEDIAN_DAYS, 0.8, idx.size),
            ).clip(30)
            e = s + length - 1
            posts.append(idx)
            starts.append(s)
            ends.append(e)
            agency.append(ag)
            current[idx] = e + 1
            alive[idx] = e < HORIZON
        post = np.concatenate(posts)
        start = np.concatenate(starts)
        order = np.lexsort((start, post))
        self.post = post[order]
        self.start = start[order]
        self.end = np.concatenate(ends)[order]
        self.agency = np.concatenate(agency)[order]
        self._key = self.post * 100_000 + self.start

    def assign(
        self, draw: _Draw, team: np.ndarray, qualified_only: np.ndarray, d: np.ndarray
    ) -> np.ndarray:
        """A tenure (worker) in post on day d in a random existing post of the team."""
        post = np.zeros(d.size, dtype=np.int64)
        u = draw.rng.random(d.size)
        for t in range(len(story.TEAMS)):
            for q in (True, False):
                rows = np.flatnonzero((team == t) & (qualified_only == q))
                if rows.size == 0:
                    continue
                eligible = np.flatnonzero((self.post_team == t) & (self.post_qualified | (not q)))
                eligible = eligible[np.argsort(self.post_created[eligible], kind="stable")]
                active = np.searchsorted(self.post_created[eligible], d[rows], side="right")
                post[rows] = eligible[(u[rows] * np.maximum(active, 1)).astype(np.int64)]
        return np.searchsorted(self._key, post * 100_000 + d, side="right") - 1


# ---------------------------------------------------------------- the simulation


def simulate(children: int, seed: int) -> dict[str, pl.DataFrame]:
    """Every extract of the contract as a polars frame (contract columns, any order)."""
    draw = _Draw(seed)
    rng = draw.rng
    cal = WorkCalendar(dt.date(1996, 1, 1), dt.date(2017, 12, 31))
    scale = children / 10_000
    days = np.arange(START, END + 1)

    # --- children and their chains of contacts -----------------------------------------
    # Chains start at the rate that, with repeats, gives the target contact rate.
    volume = np.where(cal.is_working(days), 1.0, story.NON_WORKING_DAY_VOLUME)
    rate = _curve(story.REFERRALS, days) / story.P_REFERRAL * scale / 365 * volume / volume.mean()
    rate /= story.MEAN_CONTACTS_PER_CHILD
    n_kids = int(rng.poisson(rate.sum()))
    first = rng.choice(days, n_kids, p=rate / rate.sum())

    unborn = draw.chance(0.03, n_kids)
    age_years = rng.choice(18, n_kids, p=_age_weights())
    age_days = age_years * 365 + draw.ints(0, 364, n_kids)
    dob = np.where(unborn, HORIZON, first - age_days)
    edob = first + draw.ints(20, 150, n_kids)

    length = rng.geometric(1 / story.MEAN_CONTACTS_PER_CHILD, n_kids)
    kid = np.repeat(np.arange(n_kids), length)
    starts = np.cumsum(length) - length
    gap = np.maximum(1, draw.lognormal_days(story.REPEAT_GAP_MEDIAN_DAYS, 1.0, kid.size))
    gap[starts] = 0
    offset = np.cumsum(gap)
    offset -= np.repeat(offset[starts], length)
    cdate = first[kid] + offset
    # A repeat landing on a closed day mostly waits for Monday, as the first contacts do.
    closed = ~cal.is_working(cdate) & (offset > 0) & draw.chance(0.7, kid.size)
    cdate = np.where(closed, cal.add(cdate, 0), cdate)
    keep = (cdate <= END) & (unborn[kid] | (cdate < dob[kid] + ADULT_DAYS))
    kid, cdate = kid[keep], cdate[keep]
    nc = kid.size

    # Times: office hours on working days, the emergency duty team otherwise.
    working = cal.is_working(cdate)
    ooh = ~working | draw.chance(story.OUT_OF_HOURS_ON_WORKING_DAYS, nc)
    office_minute = draw.ints(8 * 60, 18 * 60 - 1, nc)
    ooh_minute = (17 * 60 + 30 + draw.ints(0, 15 * 60 - 1, nc)) % 1440
    any_minute = draw.ints(0, 1439, nc)
    cminute = np.where(working, np.where(ooh, ooh_minute, office_minute), any_minute)

    slow = draw.chance(_curve(story.SLOW_DECISIONS, cdate), nc)
    lag = np.where(
        slow,
        rng.choice(6, nc, p=story.DECISION_LAG_SLOW) + draw.ints(0, 3, nc),
        rng.choice(6, nc, p=story.DECISION_LAG_NORMAL),
    )
    lag = np.where(working & ooh, np.maximum(lag, 1), lag)  # EDT hands over next morning
    # The queue at extract time: some of the last fortnight's contacts still await a decision.
    queued = (cdate > END - 15) & draw.chance(0.35, nc)
    lag = np.where(queued, lag + draw.ints(5, 20, nc), lag)
    ddate = cal.add(cdate, lag)
    # Now and then the emergency duty team records its own decision the same night.
    edt_now = ~working & draw.chance(0.2, nc)
    ddate = np.where(edt_now, cdate, ddate)
    same_day = ddate == cdate
    dminute = np.where(
        same_day,
        np.minimum(cminute + draw.ints(10, 240, nc), 1439),
        draw.ints(8 * 60 + 30, 18 * 60 + 30, nc),
    )
    outcome = draw.pick(story.CONTACT_OUTCOMES, nc)
    source = _blank(draw.pick(story.SOURCES, nc), draw.chance(0.01, nc))

    # Contacts numbered in time order.
    c_rank = _rank(cdate * 1440 + cminute, kid)
    contact_id = _ids(nc, 8).gather(c_rank)

    # --- referrals --------------------------------------------------------------------
    is_ref = (outcome == "REFERRAL").to_numpy() & (ddate <= END)
    ri = np.flatnonzero(is_ref)
    nr = ri.size
    r_kid = kid[ri]
    r_date = ddate[ri]
    nfa = draw.chance(
        np.where(r_date < SINGLE_FROM, story.P_NFA_BEFORE_2013, story.P_NFA_FROM_2013), nr
    )

    # Assessment starts when the duty worker is allocated.
    wait = rng.choice(6, nr, p=(0.8, 0.12, 0.04, 0.02, 0.01, 0.01))
    duty_start = np.where(wait == 0, r_date, cal.add(r_date, wait))
    ia_single = duty_start >= SINGLE_FROM
    ia_median = np.where(
        ia_single,
        28 * _curve(story.SINGLE_PRESSURE, duty_start),
        5 * _curve(story.IA_PRESSURE, duty_start),
    )
    ia_done = cal.add(duty_start, draw.lognormal_days(ia_median, 0.55, nr))

    # S47: the rate that turns this month's referrals into the story's plan starts.
    per_plan = (
        _curve(story.REFERRALS, r_date)
        * (1 - np.where(r_date < SINGLE_FROM, story.P_NFA_BEFORE_2013, story.P_NFA_FROM_2013))
        * story.P_ICPC
        * story.P_PLAN
    )
    s47 = ~nfa & draw.chance(_curve(story.PLAN_STARTS, r_date) / per_plan, nr)
    further = ~nfa & (s47 | draw.chance(story.P_FURTHER_ACTION, nr))

    s_date = r_date + rng.choice(3, nr, p=(0.7, 0.2, 0.1))  # calendar days: urgent, any day
    icpc = s47 & draw.chance(story.P_ICPC, nr)
    icpc_date = cal.add(s_date, draw.lognormal_days(11, 0.4, nr))
    s_end = np.where(icpc, icpc_date, cal.add(s_date, draw.lognormal_days(8, 0.5, nr)))
    transfer_in = icpc & draw.chance(0.03, nr)
    plan = icpc & draw.chance(story.P_PLAN, nr)
    p_start = icpc_date
    p_end = np.minimum(
        p_start + draw.lognormal_days(story.PLAN_MEDIAN_DAYS, 0.5, nr).clip(30, 1500), HORIZON
    )

    # The long-term team takes the case after the initial assessment; children in need wait.
    lt_team = np.where(plan, story.CP, np.where(draw.chance(0.5, nr), story.CIN1, story.CIN2))
    lt_wait = np.where(
        s47,
        draw.ints(0, 2, nr),
        draw.lognormal_days(_curve(story.ALLOCATION_WAIT, ia_done), 0.7, nr),
    )
    lt_start = cal.add(ia_done, lt_wait)
    core = further & ~ia_single
    core_start = lt_start
    core_done = cal.add(core_start, draw.lognormal_days(24, 0.5, nr))

    service_from = np.maximum.reduce(
        [np.where(core, core_done, ia_done), lt_start, np.where(s47, s_end, 0)]
    )
    closure = np.select(
        [nfa, ~further, plan],
        [
            r_date + draw.ints(0, 5, nr),
            ia_done + draw.ints(0, 10, nr),
            np.maximum(p_end, service_from) + draw.lognormal_days(60, 0.7, nr),
        ],
        service_from + draw.lognormal_days(story.CIN_MEDIAN_DAYS, 0.8, nr),
    )
    closure = np.minimum(closure, HORIZON)
    reason = pl.select(
        pl.when(pl.lit(pl.Series(nfa)))
        .then(pl.lit("RC8"))
        .when(pl.lit(pl.Series(~further)))
        .then(pl.lit(pl.Series(np.where(draw.chance(0.35, nr), "RC9", "RC8"))))
        .when(pl.lit(pl.Series(plan)))
        .then(pl.lit(draw.pick(story.CLOSURE_AFTER_PLAN, nr)))
        .otherwise(pl.lit(draw.pick(story.CLOSURE_AFTER_SERVICE, nr)))
    ).to_series()
    stepdown = (reason == "RC9").to_numpy()

    # Referral IDs in date order; double-keyed copies get their own IDs.
    dup = np.flatnonzero(draw.chance(story.P_DUPLICATE_REFERRAL, nr))
    all_r = np.concatenate([np.arange(nr), dup])
    is_copy = np.arange(all_r.size) >= nr
    ref_rank = _rank(r_date[all_r], r_kid[all_r], is_copy)
    all_ref_id = _ids(all_r.size, 7).gather(ref_rank)
    ref_id = all_ref_id[:nr]

    child_id = _ids(n_kids, 7).gather(rng.permutation(n_kids))  # opaque, not in time order

    # --- workers and allocations ------------------------------------------------------
    wf = _Workforce(draw, scale)
    d_rows = np.flatnonzero(~nfa)
    lt_rows = np.flatnonzero(further)
    a_ref = np.concatenate([d_rows, lt_rows])
    a_team = np.concatenate([np.full(d_rows.size, story.DUTY), lt_team[lt_rows]])
    a_qual = np.concatenate(
        [np.ones(d_rows.size, bool), plan[lt_rows] | draw.chance(0.85, lt_rows.size)]
    )
    a_start = np.concatenate([duty_start[d_rows], lt_start[lt_rows]])
    a_plan_end = np.concatenate([np.where(further, ia_done, closure)[d_rows], closure[lt_rows]])
    a_tenure = wf.assign(draw, a_team, a_qual, a_start)
    # A worker who leaves mostly hands the case on after a gap; sometimes it is left with them.
    w_end = wf.end[a_tenure]
    left = (w_end < a_plan_end) & draw.chance(0.85, a_ref.size)
    a_end = np.where(left, w_end, a_plan_end)
    re_start = w_end + draw.ints(1, 15, a_ref.size)
    again = np.flatnonzero(left & (re_start <= a_plan_end))
    b_tenure = wf.assign(draw, a_team[again], a_qual[again], re_start[again])
    al_ref = np.concatenate([a_ref, a_ref[again]])
    al_team = np.concatenate([a_team, a_team[again]])
    al_start = np.concatenate([a_start, re_start[again]])
    al_end = np.concatenate([a_end, a_plan_end[again]])
    al_tenure = np.concatenate([a_tenure, b_tenure])
    al_keep = al_start <= END
    duty_tenure = np.full(nr, -1)
    duty_tenure[d_rows] = a_tenure[: d_rows.size]
    lt_tenure = np.full(nr, -1)
    lt_tenure[lt_rows] = a_tenure[d_rows.size :]

    workers, worker_id = _workers_frame(wf, draw)
    team_names = pl.Series(story.TEAMS, dtype=pl.String)

    idx = np.flatnonzero(al_keep)
    n_al = idx.size
    allocations = pl.DataFrame(
        {
            "allocation_id": _ids(n_al, 7).gather(_rank(al_start[idx], al_ref[idx])),
            "child_id": child_id.gather(r_kid[al_ref[idx]]),
            "referral_id": _blank(ref_id.gather(al_ref[idx]), draw.chance(0.05, n_al)),
            "worker_id": worker_id.gather(al_tenure[idx]),
            "team": team_names.gather(al_team[idx]),
            "start_date": _date(al_start[idx]),
            "end_date": _date(al_end[idx]),
        }
    )

    # --- contacts, referrals, assessments ---------------------------------------------
    decided = ddate <= END
    minutes = np.where(decided, ddate * 1440 + dminute, 0)
    contacts = pl.DataFrame(
        {
            "contact_id": contact_id,
            "child_id": child_id.gather(kid),
            "contact_datetime": _datetime(cdate * 1440 + cminute),
            "source": source,
            "decision_datetime": _blank(_datetime(minutes), ~decided),
            "outcome": _blank(outcome, ~decided),
            "out_of_hours": _yn(ooh),
            "team": pl.Series(np.where(ooh, "EDT", story.TEAMS[story.DUTY])),
        }
    )

    referrals = pl.DataFrame(
        {
            "referral_id": all_ref_id,
            "child_id": child_id.gather(r_kid[all_r]),
            "contact_id": _blank(
                contact_id.gather(ri[all_r]), is_copy & draw.chance(0.5, all_r.size)
            ),
            "referral_date": _date(r_date[all_r]),
            "source": source.gather(ri[all_r]),
            "primary_need": _blank(
                draw.pick(story.PRIMARY_NEEDS, nr), draw.chance(0.02, nr)
            ).gather(all_r),
            "nfa": _yn(nfa[all_r]),
            "closure_date": _date(closure[all_r]),
            "closure_reason": _blank(reason.gather(all_r), closure[all_r] > END),
            "team": pl.Series([story.TEAMS[story.DUTY]] * all_r.size, dtype=pl.String),
        }
    )

    assessments = _assessments_frame(
        draw,
        ref=np.concatenate([d_rows, np.flatnonzero(core)]),
        start=np.concatenate([duty_start[d_rows], core_start[core]]),
        done=np.concatenate([ia_done[d_rows], core_done[core]]),
        first=np.concatenate([np.ones(d_rows.size, bool), np.zeros(core.sum(), bool)]),
        further=np.concatenate([further[d_rows], draw.chance(0.8, core.sum())]),
        team=np.concatenate([np.full(d_rows.size, story.DUTY), lt_team[core]]),
        tenure=np.concatenate([duty_tenure[d_rows], lt_tenure[core]]),
        ref_id=ref_id,
        kid_id=child_id.gather(r_kid),
        worker_id=worker_id,
    )

    # --- S47, plans, reviews, visits --------------------------------------------------
    si = np.flatnonzero(s47 & (s_date <= END))
    ns = si.size
    held = icpc[si] & (icpc_date[si] <= END)
    concluded = s_end[si] <= END
    s47_frame = pl.DataFrame(
        {
            "s47_id": _ids(ns, 6, "S").gather(_rank(s_date[si], r_kid[si])),
            "child_id": child_id.gather(r_kid[si]),
            "referral_id": ref_id.gather(si),
            "strategy_discussion_date": _date(s_date[si]),
            "end_date": _date(s_end[si]),
            "icpc_not_required": _yn(~icpc[si], ~concluded | draw.chance(0.03, ns)),
            "icpc_date": _date(icpc_date[si], ~icpc[si]),
            "icpc_transfer_in": _yn(transfer_in[si], ~held),
            "icpc_resulted_in_plan": _yn(plan[si], ~held),
            "team": pl.Series([story.TEAMS[story.CP]] * ns, dtype=pl.String),
        }
    )

    pi = np.flatnonzero(plan & (p_start <= END))
    cp_plans, reviews, visits = _plans_frames(
        draw, cal, pi, p_start, p_end, r_kid, child_id, ref_id
    )

    early_help = _early_help_frame(
        draw,
        child_id=child_id,
        dob=dob,
        eh_contacts=np.flatnonzero((outcome == "EARLY_HELP").to_numpy() & decided),
        contact_kid=kid,
        contact_decided=ddate,
        stepdowns=np.flatnonzero(stepdown & (closure <= END)),
        r_kid=r_kid,
        closure=closure,
        ref_id=ref_id,
        scale=scale,
        ethnicity=(eth := draw.pick(story.ETHNICITIES, n_kids)),
    )

    children_frame = pl.DataFrame(
        {
            "child_id": child_id,
            "date_of_birth": _date(dob, unborn),
            "expected_date_of_birth": _date(edob, ~unborn),
            "sex": pl.Series(
                np.where(
                    unborn & draw.chance(0.6, n_kids),
                    "U",
                    rng.choice(np.array(["M", "F", "U"]), n_kids, p=(0.51, 0.485, 0.005)),
                )
            ),
            "ethnicity": eth,
            "religion": draw.pick(story.RELIGIONS, n_kids),
            "disability": _yn(draw.chance(0.07, n_kids), draw.chance(0.14, n_kids)),
        }
    )

    population = pl.DataFrame(
        {
            "year": np.arange(2008, 2014),
            "children_0_17": np.round(children * (0.955 + 0.009 * np.arange(6))).astype(np.int64),
        }
    )

    return {
        "children": children_frame.sort("child_id"),
        "contacts": contacts.sort("contact_id"),
        "referrals": referrals.sort("referral_id"),
        "assessments": assessments,
        "allocations": allocations.sort("allocation_id"),
        "workers": workers,
        "s47_enquiries": s47_frame.sort("s47_id"),
        "cp_plans": cp_plans,
        "cp_reviews": reviews,
        "cp_visits": visits,
        "early_help": early_help,
        "population": population,
    }


def _age_weights() -> np.ndarray:
    # Under-fives and young teenagers reach the front door most often.
    w = np.array([14, 9, 8, 7, 7, 6, 5, 5, 5, 5, 5, 5, 6, 6, 6, 6, 5, 3], dtype=float)
    return w / w.sum()


def _datetime(minutes: np.ndarray) -> pl.Series:
    return pl.Series(np.asarray(minutes, dtype=np.int64) * 60_000).cast(pl.Datetime("ms"))


def _workers_frame(wf: _Workforce, draw: _Draw) -> tuple[pl.DataFrame, pl.Series]:
    n = wf.post.size
    worker_id = _ids(n, 5).gather(_rank(wf.start, wf.post))
    # Workers who joined before the data mostly have no start date in the system.
    before = wf.start < START
    frame = pl.DataFrame(
        {
            "worker_id": worker_id,
            "team": pl.Series(story.TEAMS, dtype=pl.String).gather(wf.post_team[wf.post]),
            "qualified_social_worker": _yn(wf.post_qualified[wf.post]),
            "employment": pl.Series(np.where(wf.agency, "AGENCY", "PERMANENT")),
            "start_date": _date(wf.start, before & draw.chance(0.8, n)),
            "end_date": _date(wf.end),
        }
    )
    # Only the workforce that overlaps the data's history is in the extract.
    in_data = (wf.end >= START) & (wf.start <= END)
    return frame.filter(pl.Series(in_data)).sort("worker_id"), worker_id


def _assessments_frame(
    draw: _Draw,
    *,
    ref: np.ndarray,
    start: np.ndarray,
    done: np.ndarray,
    first: np.ndarray,
    further: np.ndarray,
    team: np.ndarray,
    tenure: np.ndarray,
    ref_id: pl.Series,
    kid_id: pl.Series,
    worker_id: pl.Series,
) -> pl.DataFrame:
    keep = start <= END
    ref, start, done, first = ref[keep], start[keep], done[keep], first[keep]
    further, team, tenure = further[keep], team[keep], tenure[keep]
    n = ref.size
    kind = np.where(start >= SINGLE_FROM, "SINGLE", np.where(first, "INITIAL", "CORE"))
    seen = draw.chance(0.93, n)
    alone = seen & draw.chance(0.62, n)
    return pl.DataFrame(
        {
            "assessment_id": _ids(n, 8).gather(_rank(start, ref, ~first)),
            "child_id": kid_id.gather(ref),
            "referral_id": ref_id.gather(ref),
            "assessment_type": pl.Series(kind),
            "start_date": _date(start),
            "completed_date": _date(done),
            "child_seen": _yn(seen, draw.chance(0.02, n)),
            "child_seen_alone": _yn(alone, draw.chance(0.03, n)),
            "further_action": _yn(further, (done > END) | draw.chance(0.02, n)),
            "team": pl.Series(story.TEAMS, dtype=pl.String).gather(team),
            "worker_id": _blank(worker_id.gather(tenure), draw.chance(0.03, n)),
        }
    ).sort("assessment_id")


def _plans_frames(
    draw: _Draw,
    cal: WorkCalendar,
    pi: np.ndarray,
    p_start: np.ndarray,
    p_end: np.ndarray,
    r_kid: np.ndarray,
    child_id: pl.Series,
    ref_id: pl.Series,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    n = pi.size
    start, end, kid = p_start[pi], p_end[pi], r_kid[pi]
    rank = _rank(start, kid)
    plan_id = _ids(n, 6, "CPP").gather(rank)
    # Previous plans as recorded: those in the data, plus some from before it; a few blank.
    order = np.lexsort((start, kid))
    prior = np.empty(n, dtype=np.int64)
    sorted_kid = kid[order]
    first_of_kid = np.r_[True, sorted_kid[1:] != sorted_kid[:-1]]
    group_start = np.maximum.accumulate(np.where(first_of_kid, np.arange(n), 0))
    prior[order] = np.arange(n) - group_start
    recorded = prior + draw.chance(0.08, n)
    initial = draw.pick(story.CP_CATEGORIES, n)
    changed = draw.chance(0.15, n)
    plans = pl.DataFrame(
        {
            "plan_id": plan_id,
            "child_id": child_id.gather(kid),
            "referral_id": _blank(ref_id.gather(pi), draw.chance(0.03, n)),
            "start_date": _date(start),
            "end_date": _date(end),
            "initial_category": initial,
            "latest_category": pl.Series(
                np.where(changed, draw.pick(story.CP_CATEGORIES, n).to_numpy(), initial)
            ),
            "number_of_previous_plans": _blank(pl.Series(recorded), draw.chance(0.03, n)),
            "team": pl.Series([story.TEAMS[story.CP]] * n, dtype=pl.String),
        }
    ).sort("plan_id")

    # Reviews: the first within 3 months, then every 6; a few late.
    slots = 12
    gaps = np.where(
        draw.chance(0.9, n * slots),
        draw.ints(150, 182, n * slots),
        draw.ints(185, 230, n * slots),
    ).reshape(n, slots)
    gaps[:, 0] = np.where(draw.chance(0.9, n), draw.ints(70, 90, n), draw.ints(93, 130, n))
    when = cal.add(start[:, None] + np.cumsum(gaps, axis=1), 0)
    ok = (when < end[:, None]) & (when <= END)
    plan_row, _ = np.nonzero(ok)
    reviews = pl.DataFrame(
        {"plan_id": plan_id.gather(plan_row), "review_date": _date(when[ok])}
    ).sort("plan_id", "review_date", maintain_order=True)

    # Visits roughly every ten working days for the life of the plan.
    span = np.minimum(end, END + 1) - start
    per = np.maximum(1, span // 7 + 2)
    v_plan = np.repeat(np.arange(n), per)
    v_first = np.cumsum(per) - per
    gap = np.where(draw.chance(0.93, v_plan.size), draw.ints(7, 15, v_plan.size), 0)
    gap = np.where(gap == 0, draw.ints(16, 40, v_plan.size), gap)
    gap[v_first] = draw.ints(1, 7, n)
    offset = np.cumsum(gap)
    offset -= np.repeat(offset[v_first] - gap[v_first], per)
    v_date = start[v_plan] + offset
    v_date = np.where(draw.chance(0.95, v_plan.size), cal.add(v_date, 0), v_date)
    keep = (v_date < end[v_plan]) & (v_date <= END)
    nv = int(keep.sum())
    visits = pl.DataFrame(
        {
            "plan_id": plan_id.gather(v_plan[keep]),
            "visit_date": _date(v_date[keep]),
            "seen_alone": _yn(draw.chance(0.72, nv), draw.chance(0.04, nv)),
        }
    ).sort("plan_id", "visit_date", maintain_order=True)
    return plans, reviews, visits


def _early_help_frame(
    draw: _Draw,
    *,
    child_id: pl.Series,
    dob: np.ndarray,
    eh_contacts: np.ndarray,
    contact_kid: np.ndarray,
    contact_decided: np.ndarray,
    stepdowns: np.ndarray,
    r_kid: np.ndarray,
    closure: np.ndarray,
    ref_id: pl.Series,
    scale: float,
    ethnicity: pl.Series,
) -> pl.DataFrame:
    rng = draw.rng
    # Contacts sent to early help, mostly taken up.
    c = eh_contacts[draw.chance(0.8, eh_contacts.size)]
    # Step-downs (RC9) mostly start an episode within a month; some never do (unmatched).
    s = stepdowns[draw.chance(0.85, stepdowns.size)]
    kid = np.concatenate([contact_kid[c], r_kid[s]])
    start = np.concatenate(
        [contact_decided[c] + draw.ints(0, 20, c.size), closure[s] + draw.ints(0, 25, s.size)]
    )
    source_ref = pl.concat(
        [
            pl.Series([None] * c.size, dtype=pl.String),
            _blank(ref_id.gather(s), draw.chance(0.25, s.size)),
        ]
    )
    n_linked = kid.size
    # Families known only to early help: never in the statutory system, so unlinked.
    n_only = int(rng.poisson(story.EARLY_HELP_ONLY_PER_10K * scale * 6))
    n = n_linked + n_only
    linked = np.r_[np.ones(n_linked, bool), np.zeros(n_only, bool)]
    start = np.r_[start, draw.ints(START, END, n_only)]
    safe_kid = np.r_[kid, np.zeros(n_only, np.int64)]
    own_dob = start - draw.ints(0, 17 * 365, n)
    true_dob = np.where(linked, dob[safe_kid], own_dob)
    # The two systems disagree now and then (2010 letter): a mistyped date, another code.
    dob_off = draw.chance(0.04, n) * rng.choice(np.array([-31, -1, 1, 30, 365]), n)
    eh_dob = np.where(true_dob >= day("2016-01-01"), own_dob, true_dob + dob_off)
    eth = pl.select(
        pl.when(pl.lit(pl.Series(linked & ~draw.chance(0.05, n))))
        .then(pl.lit(ethnicity.gather(safe_kid)))
        .otherwise(pl.lit(draw.pick(story.ETHNICITIES, n)))
    ).to_series()
    unlink = ~linked | draw.chance(0.08, n)
    keep = start <= END
    frame = pl.DataFrame(
        {
            "child_id": _blank(child_id.gather(safe_kid), unlink),
            "date_of_birth": _date(eh_dob, draw.chance(0.03, n)),
            "ethnicity": _blank(eth, draw.chance(0.05, n)),
            "start_date": _date(start),
            "end_date": _date(start + draw.lognormal_days(150, 0.6, n)),
            "source_referral_id": pl.concat(
                [source_ref, pl.Series([None] * n_only, dtype=pl.String)]
            ),
        }
    ).filter(pl.Series(keep))
    k = frame.height
    rank = _rank(start[keep], np.arange(n)[keep])
    return frame.with_columns(episode_id=_ids(k, 7, "EH").gather(rank)).sort("episode_id")
