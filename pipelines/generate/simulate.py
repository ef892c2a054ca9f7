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
from dataclasses import dataclass, fields, replace

import numpy as np
import polars as pl

from pipelines.generate import story
from pipelines.generate.calendar import WorkCalendar, day

START = day(story.START)
SIMULATED_FROM = day(story.SIMULATED_FROM)
END = day(story.END)
SINGLE_FROM = day(story.SINGLE_FROM)
HORIZON = day("2016-12-31")  # true dates are clipped here; far past anything written
ADULT_DAYS = 6574  # 18 years


def _curve(anchors: story.Curve, d: np.ndarray) -> np.ndarray:
    return np.interp(d, [day(a) for a, _ in anchors], [v for _, v in anchors])


def _probs(weights: dict[str, float]) -> tuple[list[str], np.ndarray]:
    p = np.array(list(weights.values()), dtype=float)
    return list(weights), p / p.sum()


class _Draw:
    """The seeded generator plus the few shapes of draw the story needs."""

    def __init__(self, seed: int, stream: int | None = None) -> None:
        # A second stream of the same seed draws what was added later (the 2013 letter's
        # records), so adding it changed none of the draws that were already there.
        self.rng = np.random.default_rng(seed if stream is None else [seed, stream])

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
        first = np.where(added, self.post_created, SIMULATED_FROM - draw.ints(0, 6 * 365, n))

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


# ---------------------------------------------------------------- the front door


@dataclass
class _FrontDoor:
    """The children who reach the front door (per child) and their contacts (per contact)."""

    n_kids: int
    unborn: np.ndarray
    dob: np.ndarray  # HORIZON for the unborn
    edob: np.ndarray
    kid: np.ndarray  # per contact from here on: the child
    cdate: np.ndarray
    cminute: np.ndarray
    ooh: np.ndarray
    ddate: np.ndarray  # decision day; after END = not decided yet
    dminute: np.ndarray
    outcome: pl.Series
    source: pl.Series


def _front_door(draw: _Draw, cal: WorkCalendar, scale: float) -> _FrontDoor:
    rng = draw.rng
    days = np.arange(SIMULATED_FROM, END + 1)
    # Each child's contacts form a chain; chains start at the rate that, with their repeats,
    # gives the story's contact rate (referrals / P_REFERRAL), quieter on closed days.
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
    dminute = np.where(
        ddate == cdate,
        np.minimum(cminute + draw.ints(10, 240, nc), 1439),
        draw.ints(8 * 60 + 30, 18 * 60 + 30, nc),
    )
    outcome = draw.pick(story.CONTACT_OUTCOMES, nc)
    source = _blank(draw.pick(story.SOURCES, nc), draw.chance(0.01, nc))
    return _FrontDoor(
        n_kids, unborn, dob, edob, kid, cdate, cminute, ooh, ddate, dminute, outcome, source
    )


# ---------------------------------------------------------------- episodes


@dataclass
class _Episodes:
    """One row per referral (before double keying): the true day of every step it reaches."""

    contact: np.ndarray  # the contact it came from
    kid: np.ndarray
    date: np.ndarray
    nfa: np.ndarray
    duty_start: np.ndarray  # duty worker allocated = initial (or single) assessment starts
    ia_done: np.ndarray
    s47: np.ndarray
    further: np.ndarray  # assessed as needing further action
    s_date: np.ndarray
    icpc: np.ndarray
    icpc_date: np.ndarray
    s_end: np.ndarray
    transfer_in: np.ndarray
    plan: np.ndarray
    p_start: np.ndarray
    p_end: np.ndarray
    lt_team: np.ndarray  # the long-term team and when it takes the case
    lt_start: np.ndarray
    core: np.ndarray  # a core assessment follows (before single assessments)
    core_done: np.ndarray
    closure: np.ndarray
    reason: pl.Series

    @property
    def core_start(self) -> np.ndarray:
        return self.lt_start  # the long-term worker does the core assessment

    def take(self, keep: np.ndarray) -> _Episodes:
        """The episodes where ``keep`` is true, every field alike."""
        rows = np.flatnonzero(keep)  # indices: a polars Series takes no boolean mask
        return replace(self, **{f.name: getattr(self, f.name)[rows] for f in fields(self)})


def _p_nfa(d: np.ndarray) -> np.ndarray:
    return np.where(d < SINGLE_FROM, story.P_NFA_BEFORE_2013, story.P_NFA_FROM_2013)


def _episodes(draw: _Draw, cal: WorkCalendar, fd: _FrontDoor) -> _Episodes:
    rng = draw.rng
    contact = np.flatnonzero((fd.outcome == "REFERRAL").to_numpy() & (fd.ddate <= END))
    nr = contact.size
    kid = fd.kid[contact]
    r_date = fd.ddate[contact]
    nfa = draw.chance(_p_nfa(r_date), nr)

    # S47 at the rate that turns this month's referrals into the story's plan starts.
    per_plan = _curve(story.REFERRALS, r_date) * (1 - _p_nfa(r_date)) * story.P_ICPC * story.P_PLAN
    s47 = ~nfa & draw.chance(_curve(story.PLAN_STARTS, r_date) / per_plan, nr)
    further = ~nfa & (s47 | draw.chance(story.P_FURTHER_ACTION, nr))

    # The assessment starts when the duty worker is allocated: the same or the next working day
    # for an S47 enquiry, after a wait in working days for other children in need.
    wait = np.where(
        s47,
        draw.ints(0, 1, nr),
        draw.lognormal_days(_curve(story.REFERRAL_ALLOCATION_WAIT, r_date), 0.8, nr),
    )
    duty_start = np.where(wait == 0, r_date, cal.add(r_date, wait))
    single = duty_start >= SINGLE_FROM
    ia_median = np.where(
        single,
        28 * _curve(story.SINGLE_PRESSURE, duty_start),
        5 * _curve(story.IA_PRESSURE, duty_start),
    )
    ia_done = cal.add(duty_start, draw.lognormal_days(ia_median, 0.55, nr))

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
    core = further & ~single
    core_done = cal.add(lt_start, draw.lognormal_days(24, 0.5, nr))

    # The episode closes after the last thing that happened in it.
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
    return _Episodes(
        contact, kid, r_date, nfa, duty_start, ia_done, s47, further, s_date, icpc, icpc_date,
        s_end, transfer_in, plan, p_start, p_end, lt_team, lt_start, core, core_done, closure,
        reason,
    )  # fmt: skip


# ---------------------------------------------------------------- allocations


@dataclass
class _Allocations:
    """One row per period of a worker holding a case (true dates), plus per referral the
    tenure of its duty worker and of its long-term worker (-1: none)."""

    ref: np.ndarray
    team: np.ndarray
    start: np.ndarray
    end: np.ndarray
    tenure: np.ndarray
    duty_tenure: np.ndarray
    lt_tenure: np.ndarray


def _allocate(draw: _Draw, cal: WorkCalendar, wf: _Workforce, ep: _Episodes) -> _Allocations:
    nr = ep.kid.size
    duty = np.flatnonzero(~ep.nfa)
    lt = np.flatnonzero(ep.further)
    ref = np.concatenate([duty, lt])
    team = np.concatenate([np.full(duty.size, story.DUTY), ep.lt_team[lt]])
    # Children on a plan always have a qualified worker; other children in need almost always
    # do (a few are held by a family support worker, and wait for a social worker throughout).
    qualified = np.concatenate(
        [np.ones(duty.size, bool), ep.plan[lt] | draw.chance(story.P_QUALIFIED_CIN, lt.size)]
    )
    start = np.concatenate([ep.duty_start[duty], ep.lt_start[lt]])
    planned_end = np.concatenate(
        [np.where(ep.further, ep.ia_done, ep.closure)[duty], ep.closure[lt]]
    )
    tenure = wf.assign(draw, team, qualified, start)
    # A worker who leaves mostly hands the case on, after a wait that lengthens when social
    # workers are short; sometimes it is left with them (unallocated from their leaving). One
    # pass per successive holder of the cases, as long as any case outlives its worker.
    rows, since, holder = np.arange(ref.size), start, tenure
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    while rows.size:
        w_end = wf.end[holder]
        leaves = (w_end < planned_end[rows]) & draw.chance(story.P_HANDED_ON, rows.size)
        parts.append((rows, since, np.where(leaves, w_end, planned_end[rows]), holder))
        wait = draw.lognormal_days(_curve(story.ALLOCATION_WAIT, w_end), 0.7, rows.size)
        handed = cal.add(w_end, np.maximum(wait, 1))
        on = leaves & (handed <= planned_end[rows])
        rows, since = rows[on], handed[on]
        holder = wf.assign(draw, team[rows], qualified[rows], since)

    duty_tenure = np.full(nr, -1)
    duty_tenure[duty] = tenure[: duty.size]
    lt_tenure = np.full(nr, -1)
    lt_tenure[lt] = tenure[duty.size :]
    segment_rows = np.concatenate([p[0] for p in parts])
    return _Allocations(
        ref=ref[segment_rows],
        team=team[segment_rows],
        start=np.concatenate([p[1] for p in parts]),
        end=np.concatenate([p[2] for p in parts]),
        tenure=np.concatenate([p[3] for p in parts]),
        duty_tenure=duty_tenure,
        lt_tenure=lt_tenure,
    )


# ---------------------------------------------------------------- the whole council


@dataclass
class _Ids:
    child: pl.Series  # per child
    contact: pl.Series  # per contact
    referral: pl.Series  # per episode (the original of a double-keyed pair)
    worker: pl.Series  # per tenure


def simulate(children: int, seed: int) -> dict[str, pl.DataFrame]:
    """Every extract of the contract as a polars frame (contract columns, any order)."""
    from pipelines.generate import simulate_2013  # it uses this module's helpers

    draw = _Draw(seed)
    cal = WorkCalendar(dt.date(1996, 1, 1), dt.date(2017, 12, 31))
    scale = children / 10_000
    fd = _front_door(draw, cal, scale)
    # The extract's history starts on START: its contacts, the episodes referred since, and the
    # episodes carried in open on START (referred earlier, closed on START or later).
    ep = _episodes(draw, cal, fd)
    ep = ep.take((ep.date >= START) | (ep.closure >= START))
    in_window = fd.cdate >= START
    kept_kid = np.zeros(fd.n_kids, dtype=bool)
    kept_kid[fd.kid[in_window]] = True
    kept_kid[ep.kid] = True

    # Referral IDs in date order; double-keyed copies (same child and day) get their own IDs.
    nr = ep.kid.size
    rows = np.concatenate([np.arange(nr), np.flatnonzero(draw.chance(story.P_DUPLICATE_REFERRAL, nr))])  # fmt: skip
    is_copy = np.arange(rows.size) >= nr
    referral_id = _ids(rows.size, 7).gather(_rank(ep.date[rows], ep.kid[rows], is_copy))
    child_id = _scatter(  # not in time order
        _ids(int(kept_kid.sum()), 7).gather(draw.rng.permutation(int(kept_kid.sum()))), kept_kid
    )
    window = np.flatnonzero(in_window)
    contact_id = _scatter(
        _ids(window.size, 8).gather(
            _rank(fd.cdate[window] * 1440 + fd.cminute[window], fd.kid[window])
        ),
        in_window,
    )

    wf = _Workforce(draw, scale)
    al = _allocate(draw, cal, wf, ep)
    workers, worker_id = _workers_frame(draw, wf)
    ids = _Ids(child_id, contact_id, referral_id[:nr], worker_id)
    allocations = _allocations_frame(draw, al, ep, ids)
    contacts = _contacts_frame(fd, ids, in_window)
    referrals = _referrals_frame(draw, fd, ep, ids, rows, referral_id, is_copy)
    assessments = _assessments_frame(draw, ep, al, ids)
    later = _Draw(seed, stream=2013)  # the 2013 letter's records (simulate_2013)
    s47 = _s47_frame(draw, later, fd, ep, ids)
    cp_plans, reviews, visits = _plans_frames(draw, later, cal, fd, ep, ids)
    ethnicity = draw.pick(story.ETHNICITIES, fd.n_kids)
    early_help = _early_help_frame(draw, later, fd, ep, ids, ethnicity, scale)
    return {
        "children": _children_frame(draw, fd, ids, ethnicity, kept_kid),
        "contacts": contacts,
        "referrals": referrals,
        "assessments": assessments,
        "allocations": allocations,
        "workers": workers,
        "s47_enquiries": s47,
        "cp_plans": cp_plans,
        "cp_reviews": reviews,
        "cp_visits": visits,
        "early_help": early_help,
        "cin_plans": simulate_2013.cin_plans(later, cal, ep, ids),
        "missing_episodes": simulate_2013.missing_episodes(later, fd, ids, scale),
        "private_fostering": simulate_2013.private_fostering(later, cal, fd, ids, scale),
        "population": pl.DataFrame(
            {
                "year": np.arange(2008, 2014),
                "children_0_17": np.round(children * (0.955 + 0.009 * np.arange(6))).astype(
                    np.int64
                ),
            }
        ),
    }


def _scatter(values: pl.Series, where: np.ndarray) -> pl.Series:
    """``values`` at the places ``where`` is true, null elsewhere (ids for what is written)."""
    return pl.Series([None] * where.size, dtype=values.dtype).scatter(np.flatnonzero(where), values)


def _age_weights() -> np.ndarray:
    # Under-fives and young teenagers reach the front door most often.
    w = np.array([14, 9, 8, 7, 7, 6, 5, 5, 5, 5, 5, 5, 6, 6, 6, 6, 5, 3], dtype=float)
    return w / w.sum()


def _datetime(minutes: np.ndarray) -> pl.Series:
    return pl.Series(np.asarray(minutes, dtype=np.int64) * 60_000).cast(pl.Datetime("ms"))


def _const(value: str, n: int) -> pl.Series:
    return pl.Series([value] * n, dtype=pl.String)


_TEAM_NAMES = pl.Series(story.TEAMS, dtype=pl.String)


# ---------------------------------------------------------------- the frames, one per extract


def _workers_frame(draw: _Draw, wf: _Workforce) -> tuple[pl.DataFrame, pl.Series]:
    n = wf.post.size
    worker_id = _ids(n, 5).gather(_rank(wf.start, wf.post))
    # Workers who joined before the data mostly have no start date in the system.
    before = wf.start < START
    frame = pl.DataFrame(
        {
            "worker_id": worker_id,
            "team": _TEAM_NAMES.gather(wf.post_team[wf.post]),
            "qualified_social_worker": _yn(wf.post_qualified[wf.post]),
            "employment": pl.Series(np.where(wf.agency, "AGENCY", "PERMANENT")),
            "start_date": _date(wf.start, before & draw.chance(0.8, n)),
            "end_date": _date(wf.end),
        }
    )
    # Only the workforce that overlaps the data's history is in the extract.
    in_data = (wf.end >= START) & (wf.start <= END)
    return frame.filter(pl.Series(in_data)).sort("worker_id"), worker_id


def _allocations_frame(draw: _Draw, al: _Allocations, ep: _Episodes, ids: _Ids) -> pl.DataFrame:
    # Allocations of the extract's history: those open on START (carried in) or begun since.
    i = np.flatnonzero((al.start <= END) & (al.end >= START))
    ref = al.ref[i]
    return pl.DataFrame(
        {
            "allocation_id": _ids(i.size, 7).gather(_rank(al.start[i], ref)),
            "child_id": ids.child.gather(ep.kid[ref]),
            "referral_id": _blank(ids.referral.gather(ref), draw.chance(0.05, i.size)),
            "worker_id": ids.worker.gather(al.tenure[i]),
            "team": _TEAM_NAMES.gather(al.team[i]),
            "start_date": _date(al.start[i]),
            "end_date": _date(al.end[i]),
        }
    ).sort("allocation_id")


def _contacts_frame(fd: _FrontDoor, ids: _Ids, keep: np.ndarray) -> pl.DataFrame:
    decided = fd.ddate <= END
    decision = _datetime(np.where(decided, fd.ddate * 1440 + fd.dminute, 0))
    return (
        pl.DataFrame(
            {
                "contact_id": ids.contact,
                "child_id": ids.child.gather(fd.kid),
                "contact_datetime": _datetime(fd.cdate * 1440 + fd.cminute),
                "source": fd.source,
                "decision_datetime": _blank(decision, ~decided),
                "outcome": _blank(fd.outcome, ~decided),  # the outcome comes with the decision
                "out_of_hours": _yn(fd.ooh),
                "team": pl.Series(np.where(fd.ooh, "EDT", story.TEAMS[story.DUTY])),
            }
        )
        .filter(pl.Series(keep))
        .sort("contact_id")
    )


def _referrals_frame(
    draw: _Draw,
    fd: _FrontDoor,
    ep: _Episodes,
    ids: _Ids,
    rows: np.ndarray,
    referral_id: pl.Series,
    is_copy: np.ndarray,
) -> pl.DataFrame:
    """One row per referral, double-keyed copies included (``rows`` indexes the episodes)."""
    nr, n = ep.kid.size, rows.size
    contact = ep.contact[rows]
    return pl.DataFrame(
        {
            "referral_id": referral_id,
            "child_id": ids.child.gather(ep.kid[rows]),
            "contact_id": _blank(ids.contact.gather(contact), is_copy & draw.chance(0.5, n)),
            "referral_date": _date(ep.date[rows]),
            "source": fd.source.gather(contact),
            "primary_need": _blank(
                draw.pick(story.PRIMARY_NEEDS, nr), draw.chance(0.02, nr)
            ).gather(rows),
            "nfa": _yn(ep.nfa[rows]),
            "closure_date": _date(ep.closure[rows]),
            "closure_reason": _blank(ep.reason.gather(rows), ep.closure[rows] > END),
            "team": _const(story.TEAMS[story.DUTY], n),
        }
    ).sort("referral_id")


def _assessments_frame(draw: _Draw, ep: _Episodes, al: _Allocations, ids: _Ids) -> pl.DataFrame:
    """Initial (or single) assessments for every referral that is not NFA, then core ones."""
    ia = np.flatnonzero(~ep.nfa)
    core = np.flatnonzero(ep.core)
    ref = np.concatenate([ia, core])
    first = np.r_[np.ones(ia.size, bool), np.zeros(core.size, bool)]
    start = np.concatenate([ep.duty_start[ia], ep.core_start[core]])
    done = np.concatenate([ep.ia_done[ia], ep.core_done[core]])
    further = np.concatenate([ep.further[ia], draw.chance(0.8, core.size)])
    team = np.concatenate([np.full(ia.size, story.DUTY), ep.lt_team[core]])
    tenure = np.concatenate([al.duty_tenure[ia], al.lt_tenure[core]])

    keep = (start <= END) & (done >= START)  # a carried-in case's finished ones are not written
    ref, start, done, first = ref[keep], start[keep], done[keep], first[keep]
    further, team, tenure = further[keep], team[keep], tenure[keep]
    n = ref.size
    # Working Together 2013: every assessment started from April 2013 is a single assessment.
    kind = np.where(start >= SINGLE_FROM, "SINGLE", np.where(first, "INITIAL", "CORE"))
    seen = draw.chance(0.93, n)
    alone = seen & draw.chance(0.62, n)
    return pl.DataFrame(
        {
            "assessment_id": _ids(n, 8).gather(_rank(start, ref, ~first)),
            "child_id": ids.child.gather(ep.kid[ref]),
            "referral_id": ids.referral.gather(ref),
            "assessment_type": pl.Series(kind),
            "start_date": _date(start),
            "completed_date": _date(done),
            "child_seen": _yn(seen, draw.chance(0.02, n)),
            "child_seen_alone": _yn(alone, draw.chance(0.03, n)),
            "further_action": _yn(further, (done > END) | draw.chance(0.02, n)),
            "team": _TEAM_NAMES.gather(team),
            "worker_id": _blank(ids.worker.gather(tenure), draw.chance(0.03, n)),
        }
    ).sort("assessment_id")


def _s47_frame(draw: _Draw, later: _Draw, fd: _FrontDoor, ep: _Episodes, ids: _Ids) -> pl.DataFrame:
    """Enquiries; ``later`` (the second stream) draws the police and the ICPC participation."""
    from pipelines.generate import simulate_2013

    i = np.flatnonzero(ep.s47 & (ep.s_date <= END) & (ep.s_end >= START))
    n = i.size
    icpc = ep.icpc[i]
    held = icpc & (ep.icpc_date[i] <= END)
    concluded = ep.s_end[i] <= END
    participation = simulate_2013.participation(later, fd.dob[ep.kid[i]], ep.icpc_date[i])
    return pl.DataFrame(
        {
            "s47_id": _ids(n, 6, "S").gather(_rank(ep.s_date[i], ep.kid[i])),
            "child_id": ids.child.gather(ep.kid[i]),
            "referral_id": ids.referral.gather(i),
            "strategy_discussion_date": _date(ep.s_date[i]),
            "end_date": _date(ep.s_end[i]),
            "icpc_not_required": _yn(~icpc, ~concluded | draw.chance(0.03, n)),
            "icpc_date": _date(ep.icpc_date[i], ~icpc),
            "icpc_transfer_in": _yn(ep.transfer_in[i], ~held),
            "icpc_resulted_in_plan": _yn(ep.plan[i], ~held),
            "strategy_police_attended": simulate_2013.police_attended(later, ep.s_date[i]),
            "icpc_participation": _blank(participation, ~held),
            "team": _const(story.TEAMS[story.CP], n),
        }
    ).sort("s47_id")


def _children_frame(
    draw: _Draw, fd: _FrontDoor, ids: _Ids, ethnicity: pl.Series, keep: np.ndarray
) -> pl.DataFrame:
    n = fd.n_kids
    sex = np.where(
        fd.unborn & draw.chance(0.6, n),
        "U",
        draw.rng.choice(np.array(["M", "F", "U"]), n, p=(0.51, 0.485, 0.005)),
    )
    return (
        pl.DataFrame(
            {
                "child_id": ids.child,
                "date_of_birth": _date(fd.dob, fd.unborn),
                "expected_date_of_birth": _date(fd.edob, ~fd.unborn),
                "sex": pl.Series(sex),
                "ethnicity": ethnicity,
                "religion": draw.pick(story.RELIGIONS, n),
                "disability": _yn(draw.chance(0.07, n), draw.chance(0.14, n)),
            }
        )
        .filter(pl.Series(keep))
        .sort("child_id")
    )


def _plans_frames(
    draw: _Draw, later: _Draw, cal: WorkCalendar, fd: _FrontDoor, ep: _Episodes, ids: _Ids
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Plans, with their review conferences and statutory visits up to the extract date;
    ``later`` (the second stream) draws the child's participation in each review."""
    from pipelines.generate import simulate_2013

    pi = np.flatnonzero(ep.plan & (ep.p_start <= END) & (ep.p_end >= START))
    n = pi.size
    start, end, kid = ep.p_start[pi], ep.p_end[pi], ep.kid[pi]
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
            "child_id": ids.child.gather(kid),
            "referral_id": _blank(ids.referral.gather(pi), draw.chance(0.03, n)),
            "start_date": _date(start),
            "end_date": _date(end),
            "initial_category": initial,
            "latest_category": pl.Series(
                np.where(changed, draw.pick(story.CP_CATEGORIES, n).to_numpy(), initial)
            ),
            "number_of_previous_plans": _blank(pl.Series(recorded), draw.chance(0.03, n)),
            "team": _const(story.TEAMS[story.CP], n),
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
        {
            "plan_id": plan_id.gather(plan_row),
            "review_date": _date(when[ok]),
            "participation": simulate_2013.participation(later, fd.dob[kid[plan_row]], when[ok]),
        }
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
    later: _Draw,
    fd: _FrontDoor,
    ep: _Episodes,
    ids: _Ids,
    ethnicity: pl.Series,
    scale: float,
) -> pl.DataFrame:
    """Episodes in the separate early-help system, which holds its own copy of each child;
    ``later`` (the second stream) draws why each ended."""
    from pipelines.generate import simulate_2013

    rng = draw.rng
    # Contacts sent to early help, mostly taken up.
    sent = np.flatnonzero(
        (fd.outcome == "EARLY_HELP").to_numpy() & (fd.ddate <= END) & (fd.cdate >= START)
    )
    c = sent[draw.chance(0.8, sent.size)]
    # Step-downs (RC9) mostly start an episode within a month; some never do (unmatched).
    stepdown = np.flatnonzero((ep.reason == "RC9").to_numpy() & (ep.closure <= END))
    s = stepdown[draw.chance(0.85, stepdown.size)]
    kid = np.concatenate([fd.kid[c], ep.kid[s]])
    start = np.concatenate(
        [fd.ddate[c] + draw.ints(0, 20, c.size), ep.closure[s] + draw.ints(0, 25, s.size)]
    )
    source_ref = pl.concat(
        [
            pl.Series([None] * c.size, dtype=pl.String),
            _blank(ids.referral.gather(s), draw.chance(0.25, s.size)),
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
    true_dob = np.where(linked, fd.dob[safe_kid], own_dob)
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
    dob_blank = draw.chance(0.03, n)
    ethnicity_blank = draw.chance(0.05, n)
    end = start + draw.lognormal_days(150, 0.6, n)
    frame = pl.DataFrame(
        {
            "child_id": _blank(ids.child.gather(safe_kid), unlink),
            "date_of_birth": _date(eh_dob, dob_blank),
            "ethnicity": _blank(eth, ethnicity_blank),
            "start_date": _date(start),
            "end_date": _date(end),
            "source_referral_id": pl.concat(
                [source_ref, pl.Series([None] * n_only, dtype=pl.String)]
            ),
            "end_reason": simulate_2013.early_help_end_reason(later, end),
        }
    ).filter(pl.Series(keep))
    k = frame.height
    rank = _rank(start[keep], np.arange(n)[keep])
    return frame.with_columns(episode_id=_ids(k, 7, "EH").gather(rank)).sort("episode_id")
