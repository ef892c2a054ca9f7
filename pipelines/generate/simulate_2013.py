"""The records the 2013 letter asks about (contract v5), added to the simulated council.

Conference participation (PN codes), police at strategy discussions, children missing with their
return interviews, private fostering notifications with their first visits, why early help ended,
and child in need plans after assessments. Every draw here comes from the council's second random
stream (``simulate`` passes it in), so the records of the 2010 letter are the same with or
without these. The calibration is in pipelines.generate.story (its "2013 letter" part).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.generate import story
from pipelines.generate.calendar import WorkCalendar
from pipelines.generate.simulate import (
    _TEAM_NAMES,
    ADULT_DAYS,
    END,
    START,
    _blank,
    _curve,
    _date,
    _Draw,
    _Episodes,
    _FrontDoor,
    _Ids,
    _ids,
    _rank,
    _yn,
)

YEAR_DAYS = 365.25


def participation(draw: _Draw, dob: np.ndarray, when: np.ndarray) -> pl.Series:
    """The child's participation in a conference held on ``when`` (PN codes, extracts.md).

    Under 4 (or not yet born) is PN0. Otherwise whether the views are conveyed and whether the
    child attends are drawn apart: PN1-PN3 attend and conveyed, PN4 attend only, PN5-PN6 conveyed
    without attending, PN7 neither. A few are not recorded (blank).
    """
    n = when.size
    age = (when - dob) / YEAR_DAYS
    conveyed = draw.chance(_curve(story.VIEWS_CONVEYED, when), n)
    attends = draw.chance(np.where(age >= 12, story.ATTENDS_12_PLUS, story.ATTENDS_UNDER_12), n)
    how = draw.rng.random(n)
    code = np.select(
        [age < 4, conveyed & attends, conveyed, attends],
        [
            "PN0",
            np.where(how < 0.6, "PN1", np.where(how < 0.85, "PN2", "PN3")),
            np.where(how < 0.5, "PN5", "PN6"),
            "PN4",
        ],
        "PN7",
    )
    return _blank(pl.Series(code), draw.chance(story.PARTICIPATION_NOT_RECORDED, n))


def police_attended(draw: _Draw, strategy_date: np.ndarray) -> pl.Series:
    """Whether the police took part in each strategy discussion (a few not recorded)."""
    n = strategy_date.size
    took_part = draw.chance(_curve(story.STRATEGY_POLICE, strategy_date), n)
    return _yn(took_part, draw.chance(0.02, n))


def early_help_end_reason(draw: _Draw, end: np.ndarray) -> pl.Series:
    """Why each early-help episode ended: mostly not recorded; blank while the episode is open."""
    n = end.size
    not_recorded = draw.chance(_curve(story.EH_REASON_NOT_RECORDED, end), n)
    return _blank(draw.pick(story.EH_END_REASONS, n), not_recorded | (end > END))


def cin_plans(draw: _Draw, cal: WorkCalendar, ep: _Episodes, ids: _Ids) -> pl.DataFrame:
    """A child in need plan for each child found in need (further action) who is not on a child
    protection plan: it starts some working days after the assessment that found the need
    (``story.CIN_PLAN_LAG``) and ends when the episode closes; a few never get one."""
    n = ep.kid.size
    lag = draw.lognormal_days(_curve(story.CIN_PLAN_LAG, ep.ia_done), 0.7, n)
    start = cal.add(ep.ia_done, lag)
    has = ep.further & ~ep.plan & ~draw.chance(story.P_NO_CIN_PLAN, n) & (start < ep.closure)
    # The extract's history: plans begun since START or open on it (carried in).
    i = np.flatnonzero(has & (start <= END) & (ep.closure >= START))
    k = i.size
    return pl.DataFrame(
        {
            "plan_id": _ids(k, 6, "CIN").gather(_rank(start[i], ep.kid[i])),
            "child_id": ids.child.gather(ep.kid[i]),
            "referral_id": ids.referral.gather(i),
            "start_date": _date(start[i]),
            "end_date": _date(ep.closure[i]),
            "team": _TEAM_NAMES.gather(ep.lt_team[i]),
        }
    ).sort("plan_id")


def _contacts_of_age(fd: _FrontDoor, youngest: float, oldest: float) -> np.ndarray:
    """Contacts in the extract's history about a born child aged [youngest, oldest) that day."""
    age = (fd.cdate - fd.dob[fd.kid]) / YEAR_DAYS
    return np.flatnonzero(
        (fd.cdate >= START) & ~fd.unborn[fd.kid] & (age >= youngest) & (age < oldest)
    )


def missing_episodes(draw: _Draw, fd: _FrontDoor, ids: _Ids, scale: float) -> pl.DataFrame:
    """Children missing from home or care: a police contact about a teenager is often a child
    reported missing the day before; some go missing again. Each return may bring an offer of an
    independent return interview, held within 72 hours or later (``story``'s RHI curves)."""
    rng = draw.rng
    eligible = _contacts_of_age(fd, 11, 17.5)
    years = (END - START + 1) / YEAR_DAYS
    first_episodes = story.MISSING_PER_10K / story.MEAN_MISSING_PER_CHILD * scale * years
    p = min(1.0, first_episodes / max(eligible.size, 1))
    contact = eligible[draw.chance(p, eligible.size)]
    count = rng.geometric(1 / story.MEAN_MISSING_PER_CHILD, contact.size)
    kid = np.repeat(fd.kid[contact], count)
    firsts = np.cumsum(count) - count
    gap = np.maximum(3, draw.lognormal_days(40, 0.9, kid.size))
    gap[firsts] = 0
    offset = np.cumsum(gap)
    offset -= np.repeat(offset[firsts], count)
    start = np.repeat(fd.cdate[contact] - draw.ints(0, 2, contact.size), count) + offset
    keep = (start >= START) & (start <= END) & (start < fd.dob[kid] + ADULT_DAYS)
    kid, start = kid[keep], start[keep]
    n = kid.size

    days, weights = zip(*story.MISSING_DAYS.items(), strict=True)
    p_days = np.array(weights, dtype=float) / sum(weights)
    back = start + rng.choice(np.array(days), n, p=p_days)
    offered = draw.chance(_curve(story.RHI_OFFERED, back), n)
    accepted = offered & draw.chance(story.RHI_ACCEPTED, n)
    timely = draw.chance(_curve(story.RHI_WITHIN_72H, back), n)
    interview = back + np.where(timely, draw.ints(0, 3, n), draw.ints(4, 20, n))
    not_back = back > END  # still missing at the extract date: nothing after it yet
    team = rng.choice(np.array([story.DUTY, story.CIN1, story.CIN2]), n)
    return pl.DataFrame(
        {
            "episode_id": _ids(n, 6, "M").gather(_rank(start, kid)),
            "child_id": ids.child.gather(kid),
            "start_date": _date(start),
            "return_date": _date(back),
            "return_interview_offered": _yn(offered, not_back | draw.chance(0.03, n)),
            "return_interview_date": _date(interview, ~accepted),
            "team": _TEAM_NAMES.gather(team),
        }
    ).sort("episode_id")


def private_fostering(
    draw: _Draw, cal: WorkCalendar, fd: _FrontDoor, ids: _Ids, scale: float
) -> pl.DataFrame:
    """A handful of private fostering arrangements, each notified by a contact about a child of
    8-17; the first visit some working days later (often past 7), a few not visited yet."""
    eligible = _contacts_of_age(fd, 8, 17)
    years = (END - START + 1) / YEAR_DAYS
    n = min(eligible.size, max(2, int(draw.rng.poisson(story.PF_PER_10K * scale * years))))
    contact = np.sort(draw.rng.choice(eligible, n, replace=False))
    notified = fd.cdate[contact]
    visit = cal.add(notified, draw.lognormal_days(story.PF_VISIT_MEDIAN_WD, 0.6, n))
    end = np.maximum(notified + draw.lognormal_days(240, 0.7, n), visit + 30)
    kid = fd.kid[contact]
    team = draw.rng.choice(np.array([story.DUTY, story.CIN1, story.CIN2]), n)
    return pl.DataFrame(
        {
            "arrangement_id": _ids(n, 4, "PF").gather(_rank(notified, kid)),
            "child_id": ids.child.gather(kid),
            "notification_date": _date(notified),
            "initial_visit_date": _date(visit, draw.chance(0.05, n)),
            "end_date": _date(end),
            "team": _TEAM_NAMES.gather(team),
        }
    ).sort("arrangement_id")
